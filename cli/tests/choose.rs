//! `artmls choose` driven as a user drives it, from a figures file each test writes (the
//! tests never measure: `--no-measure`).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

fn artmls() -> Command {
    Command::cargo_bin("artmls").expect("the artmls binary is built")
}

/// Every pair the providers serve.
const PAIRS: [(&str, u16); 9] = [
    ("dalek", 0xF001),
    ("dalek", 0xF003),
    ("p256", 0xF002),
    ("ring", 0xF001),
    ("ring", 0xF002),
    ("ring", 0xF003),
    ("aws-lc", 0xF001),
    ("aws-lc", 0xF002),
    ("aws-lc", 0xF003),
];

/// A pair's figures at n = 16 and 1024: `speed` divides every time (aws-lc fastest, dalek
/// slowest), so the ranking is known.
fn pair(backend: &str, suite: u16) -> Value {
    let speed = match backend {
        "aws-lc" => 4.0,
        "ring" => 2.0,
        "p256" => 1.5,
        _ => 1.0,
    };
    let size = |n: u32, depth: f64| {
        json!({
            "n": n,
            "update_us": 100.0 * depth / speed,
            "receive_us": 40.0 * depth / speed,
            "add_us": 150.0 * depth / speed,
            "receive_add_us": 50.0 * depth / speed,
            "join_us": 20.0 * f64::from(n) / speed,
            "encrypt_us": 30.0 / speed,
            "decrypt_us": 35.0 / speed,
            "update_bytes": 200 + 40 * depth as u64,
            "add_bytes": 300 + 40 * depth as u64,
            "welcome_bytes": 100 * u64::from(n),
            "message_bytes": 1130,
        })
    };
    json!({
        "backend": backend,
        "suite": suite,
        "primitives": [["DH", 30.0 / speed]],
        "sizes": [size(16, 4.0), size(1024, 10.0)],
    })
}

fn figures_file(dir: &Path, pairs: &[(&str, u16)]) -> PathBuf {
    let figures = json!({
        "version": 1,
        "created_unix": 1_700_000_000u64,
        "quick": true,
        "message_len": 1024,
        "pairs": pairs.iter().map(|(b, s)| pair(b, *s)).collect::<Vec<_>>(),
    });
    let path = dir.join("bench.json");
    std::fs::write(&path, serde_json::to_vec(&figures).expect("json")).expect("written");
    path
}

fn choose(figures: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "choose",
        "--members",
        "1000",
        "--updates",
        "5",
        "--messages",
        "200",
        "--no-measure",
        "--figures",
    ];
    let path = figures.to_str().expect("utf-8 path");
    args.push(path);
    args.extend_from_slice(extra);
    artmls().args(&args).output().expect("runs")
}

fn success(output: &std::process::Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

fn failure(output: &std::process::Output) -> String {
    assert!(!output.status.success(), "succeeded: {output:?}");
    String::from_utf8(output.stderr.clone()).expect("utf-8")
}

#[test]
fn prints_every_pair_ranked() {
    let dir = tempfile::tempdir().expect("dir");
    let out = success(&choose(&figures_file(dir.path(), &PAIRS), &[]));
    let header = out
        .lines()
        .position(|line| line.starts_with("rank"))
        .unwrap_or_else(|| panic!("no table in {out}"));
    let rows: Vec<&str> = out.lines().skip(header + 1).take(9).collect();
    for (index, row) in rows.iter().enumerate() {
        assert!(
            row.trim_start().starts_with(&(index + 1).to_string()),
            "{row}"
        );
    }
    assert!(
        rows[0].contains("aws-lc") && rows[0].contains("fastest"),
        "{out}"
    );
    assert!(
        rows[8].contains("dalek") || rows[8].contains("p256"),
        "{out}"
    );
    assert!(
        rows.iter().any(|row| row.contains("but pure Rust")),
        "{out}"
    );
}

#[test]
fn a_requirement_puts_the_pairs_that_fail_it_last() {
    let dir = tempfile::tempdir().expect("dir");
    let figures = figures_file(dir.path(), &PAIRS);
    let out = success(&choose(&figures, &["--require", "pure-rust", "--json"]));
    let report: Value = serde_json::from_str(&out).expect("json");
    let pairs = report["pairs"].as_array().expect("pairs");
    let meets: Vec<bool> = pairs
        .iter()
        .map(|p| p["meets_requirements"].as_bool().expect("bool"))
        .collect();
    assert_eq!(
        meets,
        [true, true, true, false, false, false, false, false, false]
    );
    assert!(
        pairs[0]["reason"]
            .as_str()
            .expect("reason")
            .starts_with("fastest that meets pure-rust"),
        "{out}"
    );
    assert_eq!(report["requirements"], json!(["pure-rust"]));
}

#[test]
fn json_has_one_entry_per_pair_with_every_field() {
    let dir = tempfile::tempdir().expect("dir");
    let out = success(&choose(&figures_file(dir.path(), &PAIRS), &["--json"]));
    let report: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["deployment"]["members"], 1000);
    assert_eq!(report["deployment"]["message_size"], 1024);
    let pairs = report["pairs"].as_array().expect("pairs");
    assert_eq!(pairs.len(), PAIRS.len());
    for (index, entry) in pairs.iter().enumerate() {
        assert_eq!(entry["rank"], index + 1);
        for field in [
            "member_cpu_us",
            "group_cpu_us",
            "member_sent_bytes",
            "member_received_bytes",
            "service_in_bytes",
            "service_out_bytes",
        ] {
            assert!(
                entry[field].as_f64().expect(field) > 0.0,
                "{field}: {entry}"
            );
        }
        for field in ["backend", "suite", "suite_name", "reason"] {
            assert!(entry[field].is_string(), "{field}: {entry}");
        }
        assert_eq!(entry["estimate"], "interpolated");
        assert!(entry["failed"].as_array().expect("failed").is_empty());
    }
    let mut seen: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p["backend"].to_string(), p["suite"].to_string()))
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), PAIRS.len());
}

#[test]
fn pairs_missing_from_the_figures_are_named_and_not_ranked() {
    let dir = tempfile::tempdir().expect("dir");
    let figures = figures_file(dir.path(), &PAIRS[..3]);
    let out = success(&choose(&figures, &["--json"]));
    let report: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(report["pairs"].as_array().expect("pairs").len(), 3);
    assert_eq!(
        report["unmeasured"].as_array().expect("unmeasured").len(),
        6
    );
}

#[test]
fn bad_input_is_refused_with_what_to_do() {
    let dir = tempfile::tempdir().expect("dir");
    let figures = figures_file(dir.path(), &PAIRS);
    let path = figures.to_str().expect("utf-8 path");
    let error = failure(&choose(&figures, &["--require", "quantum"]));
    assert!(
        error.contains("unknown requirement 'quantum'") && error.contains("pure-rust"),
        "{error}"
    );
    for (flag, value, expected) in [
        ("--members", "0", "at least 2 members"),
        ("--updates", "-1", "pass zero or more"),
        ("--messages", "lots", "not a number"),
        ("--joins", "-3", "pass zero or more"),
    ] {
        // Every flag once: the bad one in place of its good value.
        let mut args = vec!["choose", "--no-measure", "--figures", path];
        for (name, good) in [("--members", "10"), ("--updates", "1"), ("--messages", "1")] {
            args.extend([name, if name == flag { value } else { good }]);
        }
        if flag == "--joins" {
            args.extend([flag, value]);
        }
        let output = artmls().args(&args).output().expect("runs");
        let error = failure(&output);
        assert!(error.contains(expected), "{flag} {value}: {error}");
    }
}

#[test]
fn a_missing_or_damaged_figures_file_is_an_error_when_measuring_is_off() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("none.json");
    let error = failure(&choose(&missing, &[]));
    assert!(
        error.contains("no saved bench figures") && error.contains("artmls bench"),
        "{error}"
    );
    let damaged = dir.path().join("damaged.json");
    std::fs::write(&damaged, b"{\"version\": 1, \"pairs\": [").expect("written");
    let error = failure(&choose(&damaged, &[]));
    assert!(error.contains("damaged"), "{error}");
}
