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

#[test]
fn bench_quick_prints_every_backend_side_by_side_and_plots() {
    let plot = std::env::temp_dir().join(format!("artmls-plot-{}.svg", std::process::id()));
    let out = stdout_of(&["bench", "--quick", "--plot", plot.to_str().unwrap()]);
    for label in [
        "dalek 0xf001",
        "p256 0xf002",
        "ring 0xf001",
        "ring 0xf002",
        "aws-lc 0xf001",
        "aws-lc 0xf002",
    ] {
        assert_eq!(
            out.lines().filter(|line| line.starts_with(label)).count(),
            2,
            "{label} in {out}"
        );
    }
    assert!(out.contains("n = 1024"), "{out}");
    let svg = std::fs::read_to_string(&plot).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(
        svg.matches("<polyline").count(),
        12,
        "an update and a receive line per backend and suite"
    );
    std::fs::remove_file(&plot).unwrap();
}
