//! The runner over the shared vector files: no case fails, every case is reported, and every
//! skip has a declared reason.
//!
//! Vectors come from `$ARTMLS_VECTORS` or `../shared/vectors` (from the workspace root). A
//! missing file is skipped with a note, except with `CI=true`, where it fails the test. One
//! test per file, so the slow one (a million X25519 iterations) runs beside the others.

mod common;

use std::path::Path;

use artmls_conformance::{RunOptions, Status, run_files};
use serde_json::Value;

/// How many cases a vector file holds, counted independently of the runner.
fn count_cases(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("read vector file");
    let json: Value = serde_json::from_str(&text).expect("vector file is JSON");
    if let Some(groups) = json.get("testGroups").and_then(Value::as_array) {
        return groups
            .iter()
            .map(|group| group["tests"].as_array().map_or(0, Vec::len))
            .sum();
    }
    if let Some(singles) = json.get("x25519_single").and_then(Value::as_array) {
        let iterated = json["x25519_iterated"]["after"]
            .as_object()
            .map_or(0, |after| after.len());
        return singles.len() + iterated + 1;
    }
    if let Some(tests) = json.get("tests").and_then(Value::as_array) {
        return tests.len();
    }
    json.as_array().map_or(0, Vec::len)
}

fn is_declared_skip(reason: &str) -> bool {
    reason.starts_with("unsupported suite")
        || reason.starts_with("AEAD nonce of ")
        || reason.contains("key size outside the suites")
        || reason.contains("tag size outside the suites")
}

/// Runs one file and checks the contract; `min_passed` is what a run on all backends passes.
fn check_file(relative: &str, min_passed: usize) {
    let Some(path) = common::vector_file(relative) else {
        return;
    };
    let summary = run_files(&[&path], &RunOptions::default());
    if let Some(error) = summary.errors.first() {
        panic!("{relative}: {error}");
    }
    let failed: Vec<String> = summary
        .cases
        .iter()
        .filter(|case| case.status == Status::Fail)
        .map(ToString::to_string)
        .collect();
    assert!(failed.is_empty(), "failed cases:\n{}", failed.join("\n"));
    for case in &summary.cases {
        if case.status == Status::Skip {
            assert!(
                is_declared_skip(&case.reason),
                "skip without a declared reason: {case}"
            );
            assert!(
                !case.reason.contains("no backend serves"),
                "an ART suite has no backend: {case}"
            );
        }
    }
    assert_eq!(
        summary.cases.len(),
        count_cases(&path),
        "{relative}: every case must be reported exactly once"
    );
    assert!(
        summary.passed() >= min_passed,
        "{relative}: only {} passed ({})",
        summary.passed(),
        summary.totals_line()
    );
    println!("{relative}: {}", summary.totals_line());
}

#[test]
fn rfc7748_x25519() {
    check_file("primitives/rfc7748-x25519.json", 6);
}

#[test]
fn rfc5869_hkdf() {
    check_file("primitives/rfc5869-hkdf-sha256.json", 3);
}

#[test]
fn rfc9180_hpke() {
    check_file("primitives/rfc9180-hpke-subset.json", 16);
}

#[test]
fn wycheproof_x25519() {
    check_file("primitives/wycheproof/x25519_test.json", 267);
}

#[test]
fn wycheproof_ecdh_spki() {
    check_file("primitives/wycheproof/ecdh_secp256r1_test.json", 306);
}

#[test]
fn wycheproof_ecdh_ecpoint() {
    check_file(
        "primitives/wycheproof/ecdh_secp256r1_ecpoint_test.json",
        187,
    );
}

#[test]
fn wycheproof_hkdf() {
    check_file("primitives/wycheproof/hkdf_sha256_test.json", 49);
}

#[test]
fn wycheproof_aes_gcm() {
    // Only the 96-bit-nonce AES-128 groups run.
    check_file("primitives/wycheproof/aes_gcm_test.json", 34);
}

#[test]
fn wycheproof_chacha20_poly1305() {
    check_file("primitives/wycheproof/chacha20_poly1305_test.json", 152);
}

#[test]
fn wycheproof_ed25519() {
    check_file("primitives/wycheproof/ed25519_test.json", 68);
}

#[test]
fn wycheproof_ecdsa_der() {
    check_file(
        "primitives/wycheproof/ecdsa_secp256r1_sha256_test.json",
        239,
    );
}

#[test]
fn wycheproof_ecdsa_p1363() {
    check_file(
        "primitives/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json",
        124,
    );
}

#[test]
fn mls_crypto_basics() {
    // Suites 1-3 run; 4-7 are skipped.
    check_file("mls-implementations/crypto-basics.json", 3);
}

#[test]
fn mls_deserialization() {
    check_file("mls-implementations/deserialization.json", 14);
}
