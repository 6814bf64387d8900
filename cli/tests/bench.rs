//! `artmls bench` driven as a user drives it, on a tiny run (two small groups, one pair, a few
//! rounds) so that it takes seconds.

use std::path::Path;

use assert_cmd::Command;

fn artmls() -> Command {
    Command::cargo_bin("artmls").expect("the artmls binary is built")
}

fn run(args: &[&str]) -> String {
    let output = artmls().args(args).output().expect("runs");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

fn tiny_run(figures: &Path, report: &Path) -> String {
    run(&[
        "bench",
        "--sizes",
        "16,32",
        "--rounds",
        "3",
        "--backend",
        "dalek",
        "--suite",
        "0xF001",
        "--figures",
        figures.to_str().expect("utf-8 path"),
        "--report",
        report.to_str().expect("utf-8 path"),
    ])
}

const CHARTS: [&str; 6] = ["update", "receive", "add", "receive-add", "join", "message"];

#[test]
fn a_tiny_run_saves_figures_and_writes_a_report() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let figures = dir.path().join("bench.json");
    let report = dir.path().join("report");
    let out = tiny_run(&figures, &report);
    assert!(out.contains("Update: make and merge (sender)"), "{out}");
    assert!(out.contains("n = 32"), "{out}");

    // The saved figures, in the layout `artmls choose` reads.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&figures).expect("figures saved")).expect("JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["quick"], false);
    assert_eq!(json["message_len"], 1024);
    let pairs = json["pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0]["backend"], "dalek");
    assert_eq!(pairs[0]["suite"], 0xF001);
    let primitives = pairs[0]["primitives"].as_array().expect("primitives");
    assert!(primitives.iter().any(|p| p[0] == "DH"));
    let sizes = pairs[0]["sizes"].as_array().expect("sizes");
    assert_eq!(sizes.len(), 2);
    for (size, n) in sizes.iter().zip([16, 32]) {
        assert_eq!(size["n"], n);
        for time in [
            "update_us",
            "receive_us",
            "add_us",
            "receive_add_us",
            "join_us",
            "encrypt_us",
            "decrypt_us",
        ] {
            let us = size[time].as_f64().expect(time);
            assert!(us > 0.0 && us < 10e6, "{time} = {us}");
        }
        for bytes in [
            "update_bytes",
            "add_bytes",
            "welcome_bytes",
            "message_bytes",
        ] {
            assert!(size[bytes].as_u64().expect(bytes) > 0, "{bytes}");
        }
        // An application message carries its 1024 bytes of plaintext.
        assert!(size["message_bytes"].as_u64().expect("bytes") > 1024);
    }

    // The report: the page, and each chart as SVG (with its axis labels) and PNG.
    let index = std::fs::read_to_string(report.join("index.html")).expect("index.html");
    assert!(index.contains("<table>") && index.contains("dalek 0xf001"));
    for chart in CHARTS {
        assert!(index.contains(&format!("{chart}.svg")), "{chart}");
        let svg = std::fs::read_to_string(report.join(format!("{chart}.svg"))).expect("svg");
        assert!(svg.contains("n (members in the group)"), "{chart}");
        assert!(svg.contains("time (median)"), "{chart}");
        // The n axis is labelled with the sizes themselves (plotters puts each text on a line
        // of its own).
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        assert!(texts.contains(&"16") && texts.contains(&"32"), "{chart}");
        let png = std::fs::read(report.join(format!("{chart}.png"))).expect("png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{chart}");
    }

    // The same report again from the saved figures, without measuring.
    let again = dir.path().join("again");
    let out = run(&[
        "bench",
        "--from-saved",
        "--figures",
        figures.to_str().expect("utf-8 path"),
        "--report",
        again.to_str().expect("utf-8 path"),
        "--plot",
        dir.path().join("plot.png").to_str().expect("utf-8 path"),
    ]);
    assert!(out.contains("figures read from"), "{out}");
    assert!(again.join("index.html").is_file());
    for chart in CHARTS {
        let png = std::fs::read(dir.path().join(format!("plot-{chart}.png"))).expect("png");
        assert!(png.starts_with(b"\x89PNG"), "{chart}");
    }
}

#[test]
fn from_saved_without_figures_says_what_to_do() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let output = artmls()
        .args(["bench", "--from-saved", "--figures"])
        .arg(dir.path().join("none.json"))
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("run `artmls bench` first"), "{stderr}");
}

#[test]
fn bench_quick_prints_every_backend_and_suite_side_by_side_and_plots() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let plot = dir.path().join("costs.svg");
    let out = run(&[
        "bench",
        "--quick",
        "--figures",
        dir.path().join("bench.json").to_str().expect("utf-8 path"),
        "--plot",
        plot.to_str().expect("utf-8 path"),
    ]);
    for label in [
        "dalek 0xf001",
        "dalek 0xf003",
        "p256 0xf002",
        "ring 0xf001",
        "ring 0xf002",
        "ring 0xf003",
        "aws-lc 0xf001",
        "aws-lc 0xf002",
        "aws-lc 0xf003",
    ] {
        // A row in the primitives table, in each operation's, the ART tree's and the bytes'.
        assert_eq!(
            out.lines().filter(|line| line.starts_with(label)).count(),
            1 + 7 + 1 + 4,
            "{label} in {out}"
        );
    }
    assert!(out.contains("n = 1024"), "{out}");
    for chart in CHARTS {
        let svg = std::fs::read_to_string(dir.path().join(format!("costs-{chart}.svg")))
            .expect("a chart per operation");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("n (members in the group)"), "{chart}");
    }
}
