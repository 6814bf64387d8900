//! `artmls demo --store`, `--resume` and `artmls store inspect`, driven as a user drives them.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn artmls() -> Command {
    Command::new(env!("CARGO_BIN_EXE_artmls"))
}

fn run(args: &[&str]) -> Output {
    artmls()
        .args(args)
        .output()
        .expect("the artmls binary runs")
}

fn succeeds(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// Fails with a message on stderr that contains `expected`, and no panic.
fn fails_with(args: &[&str], expected: &str) {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{args:?} succeeded");
    assert!(stderr.contains(expected), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
}

fn path(dir: &Path) -> &str {
    dir.to_str().expect("a UTF-8 temporary path")
}

/// The epochs of every group `store inspect --json` lists, and its KeyPackages waiting.
fn inspected_epochs(dir: &Path) -> (Vec<u64>, u64, String) {
    let out = succeeds(&["store", "inspect", path(dir), "--json"]);
    let stores: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let mut epochs = Vec::new();
    let mut key_packages = 0;
    for store in stores.as_array().expect("a list of stores") {
        assert_eq!(store["engine"], "sqlite");
        assert_eq!(store["schema_version"], 1);
        key_packages += store["key_packages"].as_u64().expect("a count");
        for group in store["groups"].as_array().expect("groups") {
            assert_eq!(group["group_id"], hex::encode(b"demo"));
            epochs.push(group["epoch"].as_u64().expect("an epoch"));
        }
    }
    (epochs, key_packages, out)
}

/// The storage key appears nowhere in `text`, raw or in hex, nor any 8 bytes of it.
fn assert_key_absent(dir: &Path, text: &[u8]) {
    let key = std::fs::read(dir.join("storage.key")).expect("the key file");
    assert_eq!(key.len(), 32);
    let lower = String::from_utf8_lossy(text).to_lowercase();
    for window in key.windows(8) {
        assert!(!text.windows(8).any(|w| w == window), "key bytes in output");
        assert!(
            !lower.contains(&hex::encode(window)),
            "key in hex in output"
        );
    }
}

fn final_line(out: &str) -> &str {
    out.lines()
        .find(|line| line.contains("agreed on the epoch authenticator after every step"))
        .unwrap_or_else(|| panic!("no agreement line in {out}"))
}

#[test]
fn a_stored_demo_keeps_every_member_and_inspect_lists_them_without_secrets() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("run");
    let out = succeeds(&[
        "demo",
        "--members",
        "6",
        "--ops",
        "12",
        "--seed",
        "3",
        "--quiet",
        "--store",
        path(&store),
    ]);
    final_line(&out);
    // The same seed without a store is the same run.
    let plain = succeeds(&[
        "demo",
        "--members",
        "6",
        "--ops",
        "12",
        "--seed",
        "3",
        "--quiet",
    ]);
    assert_eq!(final_line(&out), final_line(&plain));

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.join("storage.key"))
            .expect("the key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is its owner's only");
    }
    let params: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("demo.json")).expect("demo.json"))
            .expect("JSON");
    assert_eq!(params["ops_completed"], 12);
    assert_eq!(params["members"], 6);

    let (epochs, key_packages, json) = inspected_epochs(&store);
    assert!(epochs.len() >= 2, "{json}");
    assert!(epochs.iter().all(|epoch| *epoch == epochs[0]), "{json}");
    assert_eq!(
        key_packages, 0,
        "every KeyPackage was used by its join: {json}"
    );
    let epoch_line = final_line(&out);
    assert!(
        epoch_line.ends_with(&format!("(epoch {})", epochs[0])),
        "{epoch_line} vs {json}"
    );
    let members = epoch_line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse::<usize>().ok())
        .expect("a member count");
    assert_eq!(epochs.len(), members, "one store per member: {json}");
    assert_key_absent(&store, json.as_bytes());

    let table = run(&["store", "inspect", path(&store)]);
    assert!(table.status.success());
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("sqlite schema 1"), "{text}");
    assert!(text.contains("64656d6f"), "{text}");
    assert_key_absent(&store, &table.stdout);

    // One file, too.
    let one = succeeds(&[
        "store",
        "inspect",
        path(&store.join("member-creator.sqlite")),
    ]);
    assert!(one.contains("member-creator.sqlite"), "{one}");

    // A directory holding a run is not started again.
    fails_with(
        &[
            "demo",
            "--members",
            "6",
            "--ops",
            "2",
            "--quiet",
            "--store",
            path(&store),
        ],
        "holds a demo run already",
    );
}

#[test]
fn a_run_stopped_in_the_middle_of_an_operation_resumes_and_agrees() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("run");
    let output = run(&[
        "demo",
        "--members",
        "6",
        "--ops",
        "12",
        "--seed",
        "1",
        "--quiet",
        "--store",
        path(&store),
        "--stop-after",
        "5",
    ]);
    assert!(!output.status.success(), "the run was to stop abruptly");
    let (epochs, _, json) = inspected_epochs(&store);
    assert!(
        epochs.iter().any(|epoch| *epoch != epochs[0]) || json.contains("\"key_packages\": 1"),
        "the stop left members at different points: {json}"
    );

    // Other parameters are refused; the run's own are taken from its directory.
    fails_with(
        &[
            "demo",
            "--store",
            path(&store),
            "--resume",
            "--members",
            "7",
        ],
        "--members",
    );
    fails_with(
        &["demo", "--store", path(&store), "--resume", "--seed", "2"],
        "--seed",
    );
    let out = succeeds(&["demo", "--store", path(&store), "--resume", "--quiet"]);
    assert!(out.contains("resumed"), "{out}");
    assert!(out.contains("at operation 5 of 12"), "{out}");
    assert!(out.contains("operation   count"), "the usual table: {out}");
    final_line(&out);
    let (epochs, _, json) = inspected_epochs(&store);
    assert!(epochs.iter().all(|epoch| *epoch == epochs[0]), "{json}");
    let params: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("demo.json")).expect("demo.json"))
            .expect("JSON");
    assert_eq!(params["ops_completed"], 12);

    // The same interruption gives the same run.
    let again = dir.path().join("again");
    let _ = run(&[
        "demo",
        "--members",
        "6",
        "--ops",
        "12",
        "--seed",
        "1",
        "--quiet",
        "--store",
        path(&again),
        "--stop-after",
        "5",
    ]);
    let out_again = succeeds(&["demo", "--store", path(&again), "--resume", "--quiet"]);
    assert_eq!(final_line(&out), final_line(&out_again));

    // A finished run resumes to nothing more, and still agrees.
    let out = succeeds(&["demo", "--store", path(&store), "--resume", "--quiet"]);
    assert!(out.contains("at operation 12 of 12"), "{out}");
    final_line(&out);
}

#[test]
fn a_killed_run_resumes_and_agrees() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = dir.path().join("run");
    let mut child = artmls()
        .args([
            "demo",
            "--members",
            "5",
            "--ops",
            "40",
            "--seed",
            "9",
            "--quiet",
            "--store",
            path(&store),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the demo starts");
    // Killed (SIGKILL) as soon as a few operations are done: wherever it is then.
    let started = Instant::now();
    loop {
        let done = std::fs::read(store.join("demo.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|params| params["ops_completed"].as_u64())
            .unwrap_or(0);
        if done >= 3 || started.elapsed() > Duration::from_secs(60) {
            break;
        }
        if child.try_wait().expect("the child").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("killed");
    child.wait().expect("reaped");

    let out = succeeds(&["demo", "--store", path(&store), "--resume", "--quiet"]);
    assert!(out.contains("resumed"), "{out}");
    final_line(&out);
    let (epochs, _, json) = inspected_epochs(&store);
    assert!(epochs.iter().all(|epoch| *epoch == epochs[0]), "{json}");
}

#[test]
fn bad_input_gives_clear_errors() {
    // --resume continues a stored run only.
    fails_with(&["demo", "--resume"], "--store");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("missing");
    fails_with(
        &["demo", "--store", path(&missing), "--resume"],
        "is not a directory",
    );
    fails_with(
        &["demo", "--store", path(dir.path()), "--resume"],
        "holds no demo run",
    );
    let damaged = dir.path().join("damaged");
    std::fs::create_dir(&damaged).expect("a directory");
    std::fs::write(damaged.join("demo.json"), b"{ not json").expect("written");
    fails_with(
        &["demo", "--store", path(&damaged), "--resume"],
        "is damaged",
    );

    // store inspect: a missing path, random bytes, an empty directory, a store in use.
    fails_with(&["store", "inspect", path(&missing)], "cannot inspect");
    let random = dir.path().join("random.sqlite");
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&random, &bytes).expect("written");
    fails_with(
        &["store", "inspect", path(&random)],
        "is not a SQLite database",
    );
    assert_eq!(
        std::fs::read(&random).expect("read"),
        bytes,
        "left untouched"
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("a directory");
    fails_with(&["store", "inspect", path(&empty)], "no *.sqlite store");

    let held = dir.path().join("held.sqlite");
    let store = artmls_sqlite::SqliteStore::open(&held).expect("a store");
    fails_with(
        &["store", "inspect", path(&held)],
        "in use by another process",
    );
    drop(store);
    let out = succeeds(&["store", "inspect", path(&held)]);
    assert!(out.contains("no group"), "{out}");
}
