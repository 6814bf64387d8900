//! `artmls load` end to end against a real `artmls serve` child process: a small run whose
//! report must account for every commit and message asked for. A functional test: no timing
//! is asserted beyond latencies being positive.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

const ARTMLS: &str = env!("CARGO_BIN_EXE_artmls");

/// A server child process, killed when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `artmls serve` on a free port with its SQLite file in `dir`; returns it with its
/// address, read from the first line it prints.
fn serve(dir: &std::path::Path) -> (Server, String) {
    let mut child = Command::new(ARTMLS)
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(dir.join("server.sqlite"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("artmls serve starts");
    let stdout = child.stdout.take().expect("its stdout is piped");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("artmls serve prints its address");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("not the address line: {line:?}"))
        .to_owned();
    (server, url)
}

#[test]
fn load_delivers_every_commit_and_message_it_submits() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (_server, url) = serve(dir.path());
    let report_file = dir.path().join("load.json");
    let (groups, members, commits, messages, receivers) = (3, 5, 2, 6, 2);

    let output = Command::new(ARTMLS)
        .args(["load", "--server", &url])
        .args(["--groups", &groups.to_string()])
        .args(["--members", &members.to_string()])
        .args(["--commits", &commits.to_string()])
        .args(["--messages", &messages.to_string()])
        .args(["--receivers", &receivers.to_string()])
        // Two members per add commit: the setup takes several adds per group.
        .args(["--add-batch", "2", "--timeout", "30", "--json"])
        .arg(&report_file)
        .output()
        .expect("artmls load runs");
    assert!(
        output.status.success(),
        "artmls load failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );

    let text = std::fs::read_to_string(&report_file).expect("the report is written");
    let report: Value = serde_json::from_str(&text).expect("the report is JSON");
    assert_eq!(report["groups"], groups);
    assert_eq!(report["members"], members);
    assert_eq!(report["errors"], 0, "{text}");
    assert_eq!(report["storage"], "sqlite");
    for (kind, per_group) in [("commits", commits), ("messages", messages)] {
        let figures = &report[kind];
        for count in ["submitted", "accepted", "delivered"] {
            assert_eq!(figures[count], groups * per_group, "{kind} {count}: {text}");
        }
        assert!(
            figures["per_second"].as_f64().expect("a rate") > 0.0,
            "{text}"
        );
        for latency in ["latency_first_ms", "latency_all_ms"] {
            let p50 = figures[latency]["p50"].as_f64().expect("a p50");
            let max = figures[latency]["max"].as_f64().expect("a max");
            assert!(p50 > 0.0 && max >= p50, "{kind} {latency}: {text}");
        }
    }
    let servers = report["servers"].as_array().expect("the servers");
    assert_eq!(servers.len(), 1);
    assert_eq!(servers[0]["groups"], groups);
}

#[test]
fn load_refuses_bad_input_with_a_clear_error() {
    let run = |args: &[&str]| {
        let output = Command::new(ARTMLS)
            .arg("load")
            .args(args)
            .output()
            .expect("artmls load runs");
        assert!(!output.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let zero = run(&[
        "--server",
        "http://127.0.0.1:1",
        "--groups",
        "0",
        "--members",
        "2",
    ]);
    assert!(zero.contains("--groups must be at least 1"), "{zero}");
    // Port 1 on the loopback: nothing listens there.
    let down = run(&[
        "--server",
        "http://127.0.0.1:1",
        "--groups",
        "1",
        "--members",
        "2",
    ]);
    assert!(down.contains("does not answer"), "{down}");
}
