//! Helpers for tests of the server (feature `testing`): a throwaway PostgreSQL cluster.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A PostgreSQL cluster of its own in a temporary directory, listening on 127.0.0.1 on a free
/// port, with the superuser `postgres` trusted; stopped and deleted when dropped.
///
/// The binaries are taken from `ARTMLS_PG_BIN` if set, else from the highest
/// `/usr/lib/postgresql/<version>/bin` (Debian's layout), else from `PATH`. PostgreSQL does not
/// run as root: as root, the cluster runs as the user `postgres` (through `runuser`).
#[derive(Debug)]
pub struct TempPostgres {
    directory: tempfile::TempDir,
    bin: Option<PathBuf>,
    port: u16,
    as_postgres: bool,
}

impl TempPostgres {
    /// Creates and starts the cluster.
    pub fn start() -> Result<Self, String> {
        let bin = find_binaries();
        let directory = tempfile::Builder::new()
            .prefix("artmls-pg-")
            .tempdir()
            .map_err(|error| format!("cannot make a temporary directory: {error}"))?;
        let as_postgres = running_as_root();
        if as_postgres {
            run(Command::new("chown")
                .arg("-R")
                .arg("postgres:postgres")
                .arg(directory.path()))?;
        }
        let port = free_port()?;
        let cluster = TempPostgres {
            directory,
            bin,
            port,
            as_postgres,
        };
        let data = cluster.data_directory();
        run(cluster.command("initdb").arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        ]))?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            cluster.directory.path().display()
        );
        let log = cluster.directory.path().join("server.log");
        run(cluster
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-o")
            .arg(options)
            .arg("-l")
            .arg(&log)
            .args(["-w", "start"]))
        .map_err(|error| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{error}\nserver log:\n{log}")
        })?;
        Ok(cluster)
    }

    /// Starts a cluster, or says why not when the PostgreSQL binaries are not installed:
    /// `Ok(None)` with the reason printed, unless the environment variable `CI` is `true`, where
    /// a missing PostgreSQL is an error like any other.
    pub fn start_unless_missing() -> Result<Option<Self>, String> {
        if find_binaries().is_none() && !on_path("initdb") {
            let why = "the PostgreSQL binaries (initdb, pg_ctl) are not installed; \
                       set ARTMLS_PG_BIN to their directory";
            if std::env::var("CI").is_ok_and(|value| value == "true") {
                return Err(why.to_owned());
            }
            eprintln!("skipped: {why}");
            return Ok(None);
        }
        Self::start().map(Some)
    }

    /// The connection string of the cluster's `postgres` database.
    pub fn connection_string(&self) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres",
            self.port
        )
    }

    /// The port the cluster listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    fn data_directory(&self) -> PathBuf {
        self.directory.path().join("data")
    }

    /// A PostgreSQL program, as the user that may run it.
    fn command(&self, program: &str) -> Command {
        let program = match &self.bin {
            Some(bin) => bin.join(program),
            None => PathBuf::from(program),
        };
        let mut command = if self.as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        // The postgres user may not be allowed into the caller's directory.
        command.current_dir(self.directory.path());
        command
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let data = self.data_directory();
        // Nothing to do about a failure here: the directory goes anyway.
        let _ = run(self
            .command("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "fast", "-w", "stop"]));
    }
}

/// Runs a command to its end, its output captured for the error.
fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run {command:?}: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// `ARTMLS_PG_BIN`, else the highest `/usr/lib/postgresql/<version>/bin` holding `initdb`.
fn find_binaries() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("ARTMLS_PG_BIN") {
        return Some(PathBuf::from(bin));
    }
    let versions = std::fs::read_dir("/usr/lib/postgresql").ok()?;
    versions
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
}

/// Whether `program` is in a directory of `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|directory| Path::new(&directory).join(program).is_file())
    })
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// A port nobody listens on right now.
fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|error| format!("no free port: {error}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|error| format!("no free port: {error}"))
}
