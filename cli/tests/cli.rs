//! The `artmls` binary driven as a user drives it.

use assert_cmd::Command;

fn artmls() -> Command {
    Command::cargo_bin("artmls").expect("the artmls binary is built")
}

fn stdout_of(args: &[&str]) -> String {
    let output = artmls().args(args).output().expect("runs");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

#[test]
fn suites_lists_every_suite_with_its_backends() {
    let out = stdout_of(&["suites"]);
    for (id, name, backends) in [
        (
            "0xf001",
            "ART_128_X25519_AES128GCM_SHA256_Ed25519",
            "dalek, ring, aws-lc",
        ),
        (
            "0xf002",
            "ART_128_P256_AES128GCM_SHA256_P256",
            "p256, ring, aws-lc",
        ),
        (
            "0xf003",
            "ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519",
            "dalek, ring, aws-lc",
        ),
    ] {
        let line = out
            .lines()
            .find(|line| line.starts_with(id))
            .unwrap_or_else(|| panic!("no {id} in {out}"));
        assert!(line.contains(name) && line.ends_with(backends), "{line}");
    }
}

#[test]
fn demo_runs_a_group_and_reports_every_operation() {
    let out = stdout_of(&[
        "demo",
        "--members",
        "24",
        "--ops",
        "30",
        "--seed",
        "7",
        "--quiet",
    ]);
    for operation in [
        "create", "join", "update", "add", "remove", "message", "process",
    ] {
        assert!(
            out.lines().any(|line| line.starts_with(operation)),
            "no {operation} row in {out}"
        );
    }
    assert!(
        out.contains("agreed on the epoch authenticator after every step"),
        "{out}"
    );
    // Removals leave tombstones; the line says what became of them, in numbers.
    let tombstones = out
        .lines()
        .find(|line| line.starts_with("tombstones: "))
        .unwrap_or_else(|| panic!("no tombstone line in {out}"));
    let numbers: Vec<usize> = tombstones
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 3, "{tombstones}");
    assert!(
        numbers[1] > 0,
        "no tombstone was sealed in 30 steps: {tombstones}"
    );
}

#[test]
fn demo_with_a_seed_is_deterministic() {
    let last = |args: &[&str]| {
        stdout_of(args)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
    };
    let args = [
        "demo",
        "--members",
        "12",
        "--ops",
        "20",
        "--seed",
        "11",
        "--quiet",
        "--suite",
        "0xF003",
    ];
    assert_eq!(last(&args), last(&args));
    let other = [
        "demo",
        "--members",
        "12",
        "--ops",
        "20",
        "--seed",
        "12",
        "--quiet",
        "--suite",
        "0xF003",
    ];
    assert!(last(&other).contains("agreed"));
}

#[test]
fn demo_runs_on_every_backend_of_a_suite() {
    for backend in ["p256", "ring", "aws-lc"] {
        let out = stdout_of(&[
            "demo",
            "--members",
            "8",
            "--ops",
            "8",
            "--quiet",
            "--suite",
            "P256_AES128GCM_SHA256_P256",
            "--backend",
            backend,
        ]);
        assert!(out.contains(&format!("backend {backend}")), "{out}");
        assert!(out.contains("agreed"), "{out}");
    }
}

#[test]
fn an_unknown_suite_is_an_error_that_lists_the_known_ones() {
    let output = artmls()
        .args(["demo", "--suite", "0xF009"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown suite '0xF009'"), "{stderr}");
    assert!(
        stderr.contains("ART_128_P256_AES128GCM_SHA256_P256"),
        "{stderr}"
    );
}

#[test]
fn a_backend_that_does_not_serve_the_suite_is_an_error() {
    let output = artmls()
        .args(["demo", "--suite", "0xF002", "--backend", "dalek"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("does not serve") && stderr.contains("p256, ring, aws-lc"),
        "{stderr}"
    );
    let output = artmls()
        .args(["demo", "--backend", "openssl"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("dalek"));
}

#[test]
fn conformance_runs_the_shared_suite_and_the_vectors_for_a_suite_and_backend() {
    let vectors = std::env::var("ARTMLS_VECTORS").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors").to_string()
    });
    if !std::path::Path::new(&vectors).exists() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "vectors missing in CI: {vectors}"
        );
        eprintln!("skipping: no vectors at {vectors}");
        return;
    }
    let out = stdout_of(&[
        "conformance",
        "--suite",
        "0xF003",
        "--backend",
        "ring",
        "--vectors",
        &vectors,
    ]);
    let row = out
        .lines()
        .find(|line| line.starts_with("0xf003"))
        .unwrap_or_else(|| panic!("{out}"));
    let columns: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(columns[1], "ring");
    assert_eq!(columns[2], "7/7", "{row}");
    assert!(columns[3].parse::<usize>().unwrap() > 100, "{row}");
    assert_eq!(columns[4], "0", "{row}");
    assert!(out.contains(" 0 failed"), "{out}");
    // An empty folder has no vectors: that is an error.
    let empty = std::env::temp_dir().join(format!("artmls-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let output = artmls()
        .args([
            "conformance",
            "--suite",
            "0xF003",
            "--backend",
            "ring",
            "--vectors",
        ])
        .arg(&empty)
        .output()
        .unwrap();
    assert!(!output.status.success());
    std::fs::remove_dir_all(&empty).unwrap();
}

/// The transcript of `suite` printed by `backend` for `seed`.
fn transcript(suite: &str, backend: &str, seed: u64) -> String {
    stdout_of(&[
        "transcript",
        "--suite",
        suite,
        "--backend",
        backend,
        "--seed",
        &seed.to_string(),
    ])
}

fn bytes(value: &serde_json::Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("a hex string")).expect("valid hex")
}

#[test]
fn transcripts_of_backends_that_serve_a_suite_are_byte_identical() {
    for suite in artmls::SuiteId::ALL {
        let id = format!("{:#06x}", suite.0);
        let backends = artmls_providers::serving(suite)
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>();
        assert!(backends.len() >= 2, "{id} has a single backend");
        let first = transcript(&id, backends[0], 11);
        for backend in &backends[1..] {
            let other = transcript(&id, backend, 11);
            if other != first {
                let line = first
                    .lines()
                    .zip(other.lines())
                    .position(|(a, b)| a != b)
                    .map_or(0, |n| n + 1);
                panic!(
                    "{id}: {} and {backend} part at line {line} of the transcript",
                    backends[0]
                );
            }
        }
    }
}

#[test]
fn a_transcript_holds_every_message_and_every_epoch_of_the_scenario() {
    use artmls::codec::Decode;
    use artmls::group::ArtCommit;
    use artmls::messages::MlsMessage;

    for suite in artmls::SuiteId::ALL {
        let id = format!("{:#06x}", suite.0);
        let backend = artmls_providers::serving(suite)[0].name();
        let json: serde_json::Value =
            serde_json::from_str(&transcript(&id, backend, 3)).expect("the transcript is JSON");
        assert_eq!(json["format"], "artmls-transcript-2");
        assert_eq!(json["suite_id"], id.as_str());
        assert_eq!(json["seed"], 3);
        let steps = json["steps"].as_array().expect("steps");
        let actions: Vec<&str> = steps
            .iter()
            .map(|step| step["action"].as_str().expect("an action"))
            .collect();
        assert_eq!(
            actions,
            [
                "create", "add", "update", "message", "update", "add", "update", "remove",
                "remove", "update", "message", "update"
            ]
        );
        // Carol is at leaf 2, bob at leaf 1: alice's removal of bob transfers carol's
        // tombstone, alice's update seals bob's, dave's update seals carol's.
        let field = |step: usize, name: &str| steps[step][name].clone();
        assert_eq!(field(8, "transferred"), serde_json::json!([2]));
        assert_eq!(field(9, "sealed"), serde_json::json!([1]));
        assert_eq!(field(11, "sealed"), serde_json::json!([2]));
        for step in [0, 1, 2, 3, 4, 5, 6, 7, 10] {
            assert!(field(step, "transferred").is_null() && field(step, "sealed").is_null());
        }
        let mut authenticators = std::collections::HashSet::new();
        let mut epoch = 0;
        for step in steps {
            let action = step["action"].as_str().expect("an action");
            let commits = !matches!(action, "create" | "message");
            if commits {
                epoch += 1;
            }
            assert_eq!(step["epoch"], epoch, "{id} step {}", step["step"]);
            let authenticator = bytes(&step["epoch_authenticator"]);
            assert_eq!(authenticator.len(), 32);
            // A message does not move the epoch; every commit makes a new authenticator.
            assert_eq!(authenticators.insert(authenticator), action != "message");
            if action == "create" {
                continue;
            }
            let message = MlsMessage::<ArtCommit>::decode_exact(&bytes(&step["message"]))
                .unwrap_or_else(|e| panic!("{id} step {}: {e}", step["step"]));
            match action {
                "message" => {
                    assert!(matches!(message, MlsMessage::PrivateMessage(_)));
                    assert!(
                        step["plaintext"]
                            .as_str()
                            .is_some_and(|t| t.starts_with("hello"))
                    );
                }
                _ => assert!(matches!(message, MlsMessage::PublicMessage(_))),
            }
            if action == "add" {
                let welcome = MlsMessage::<ArtCommit>::decode_exact(&bytes(&step["welcome"]))
                    .expect("a Welcome");
                let MlsMessage::Welcome(welcome) = welcome else {
                    panic!("{id}: the add's welcome is not a Welcome");
                };
                let key_packages = step["key_packages"].as_array().expect("key packages");
                assert_eq!(welcome.secrets.len(), key_packages.len());
                for entry in key_packages {
                    let decoded = MlsMessage::<ArtCommit>::decode_exact(&bytes(&entry["bytes"]))
                        .expect("a KeyPackage");
                    let MlsMessage::KeyPackage(key_package) = decoded else {
                        panic!("{id}: not a KeyPackage");
                    };
                    assert_eq!(key_package.cipher_suite, suite);
                }
            }
        }
        assert_eq!(epoch, 9);
        assert_eq!(bytes(&json["exporter"]["secret"]).len(), 32);
    }
}

#[test]
fn a_transcript_is_a_function_of_the_seed() {
    let once = transcript("0xF001", "dalek", 5);
    assert_eq!(once, transcript("0xF001", "dalek", 5));
    let other = transcript("0xF001", "dalek", 6);
    assert_ne!(once, other);
    // Another seed gives other keys, so every epoch has another authenticator.
    let first: serde_json::Value = serde_json::from_str(&once).expect("JSON");
    let second: serde_json::Value = serde_json::from_str(&other).expect("JSON");
    for (a, b) in first["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .zip(second["steps"].as_array().expect("steps"))
    {
        assert_ne!(a["epoch_authenticator"], b["epoch_authenticator"]);
    }
}

#[test]
fn transcript_errors_name_what_is_known() {
    let output = artmls()
        .args(["transcript", "--suite", "0xF002", "--backend", "dalek"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("p256, ring, aws-lc"), "{stderr}");
    let output = artmls()
        .args(["transcript", "--suite", "0xF009"])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("known suites"));
}
