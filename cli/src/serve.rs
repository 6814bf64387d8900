//! `artmls serve`: runs the delivery service until ctrl-c or SIGTERM.
//!
//! The first line on stdout is `listening on http://ADDR` (the real port when `--listen` asks
//! for port 0); each refused request is one line on stderr. Without `--postgres`, the state is
//! kept in `artmls-server.sqlite` in the working directory (or the file `--db` names).

use std::io::Write as _;
use std::path::PathBuf;

use artmls_service::server::{self, DEFAULT_SQLITE_PATH, ServerConfig, Storage};

/// The arguments of `artmls serve`.
#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// The address to listen on (port 0 picks a free port; the first line printed says which).
    #[arg(long, default_value = "127.0.0.1:7878")]
    listen: String,
    /// The SQLite file the state is kept in (created if missing).
    #[arg(long, default_value = DEFAULT_SQLITE_PATH, conflicts_with = "postgres")]
    db: PathBuf,
    /// Keep the state in PostgreSQL instead (a connection string such as
    /// "host=127.0.0.1 user=postgres dbname=artmls"); several servers may share it.
    #[arg(long, value_name = "CONNSTR")]
    postgres: Option<String>,
    /// A cipher suite to serve (repeat for several); all suites a provider serves if absent.
    #[arg(long = "suite", value_name = "ID")]
    suites: Vec<String>,
    /// The provider that checks KeyPackages, GroupInfos and commits (the first serving each
    /// suite if absent).
    #[arg(long)]
    backend: Option<String>,
}

pub(crate) fn run(args: &ServeArgs) -> Result<(), String> {
    let suites = args
        .suites
        .iter()
        .map(|suite| crate::parse_suite(suite))
        .collect::<Result<Vec<_>, _>>()?;
    let storage = match &args.postgres {
        Some(connection) => Storage::Postgres(connection.clone()),
        None => Storage::Sqlite(args.db.clone()),
    };
    let config = ServerConfig {
        storage,
        suites,
        backend: args.backend.clone(),
        log_refusals: true,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the runtime: {error}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
        let running = server::start(listener, config)
            .await
            .map_err(|error| error.to_string())?;
        let mut stdout = std::io::stdout();
        writeln!(stdout, "listening on http://{}", running.addr())
            .and_then(|()| stdout.flush())
            .map_err(|error| error.to_string())?;
        server::stop_signal()
            .await
            .map_err(|error| error.to_string())?;
        running.shutdown().await.map_err(|error| error.to_string())
    })
}
