//! The runner can fail: a changed byte fails its case, and unknown fields, unknown kinds,
//! unreadable files and unknown backends are errors. Also the command's output contract.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use artmls::SuiteId;
use artmls_conformance::runner::{RunError, kinds, run_files};
use artmls_conformance::{RunOptions, Status, Summary};
use artmls_providers::all as providers;

/// RFC 5869 A.1 and A.3 in the runner's `rfc5869` layout.
const HKDF_FILE: &str = r#"{
 "source": "RFC 5869 A.1 and A.3",
 "tests": [
  {
   "id": "A.1",
   "ikm": "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
   "salt": "000102030405060708090a0b0c",
   "info": "f0f1f2f3f4f5f6f7f8f9",
   "length": 42,
   "prk": "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
   "okm": "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
  },
  {
   "id": "A.3",
   "ikm": "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
   "salt": "",
   "info": "",
   "length": 42,
   "prk": "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
   "okm": "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
  }
 ]
}"#;

/// RFC 7748 §6.1 as a Wycheproof X25519 file: one valid case, and one low-order public key
/// (zero shared secret, "acceptable" in Wycheproof, rejected by the project's policy).
const X25519_FILE: &str = r#"{
 "algorithm": "XDH",
 "schema": "xdh_comp_schema_v1.json",
 "numberOfTests": 2,
 "header": ["test"],
 "notes": {"ZeroSharedSecret": {"bugType": "EDGE_CASE", "description": "zero output"}},
 "testGroups": [
  {
   "type": "XdhComp",
   "source": {"name": "test", "version": "0"},
   "curve": "curve25519",
   "tests": [
    {
     "tcId": 1,
     "comment": "RFC 7748 6.1",
     "flags": ["Normal"],
     "public": "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
     "private": "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     "shared": "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
     "result": "valid"
    },
    {
     "tcId": 2,
     "comment": "low order",
     "flags": ["ZeroSharedSecret"],
     "public": "0000000000000000000000000000000000000000000000000000000000000000",
     "private": "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
     "shared": "0000000000000000000000000000000000000000000000000000000000000000",
     "result": "acceptable"
    }
   ]
  }
 ]
}"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scratch vector");
    path
}

fn status_of(summary: &Summary, case_id: &str) -> Status {
    summary
        .cases
        .iter()
        .find(|case| case.case_id == case_id)
        .unwrap_or_else(|| panic!("no case {case_id} in {:?}", summary.cases))
        .status
}

/// Changes the last hex digit of the first occurrence of `"field": "..."` after `after`.
fn change_one_byte(text: &str, after: &str, field: &str) -> String {
    let start = text.find(after).expect("anchor in vector");
    let key = format!("\"{field}\": \"");
    let value_start = start + text[start..].find(&key).expect("field in vector") + key.len();
    let value_end = value_start + text[value_start..].find('"').expect("end of value");
    let last = value_end - 1;
    let digit = &text[last..value_end];
    let replacement = if digit == "0" { "1" } else { "0" };
    format!("{}{replacement}{}", &text[..last], &text[value_end..])
}

#[test]
fn pristine_inline_vectors_pass() {
    let dir = common::scratch_dir("pristine");
    let hkdf = write(&dir, "inline-rfc5869.json", HKDF_FILE);
    let x25519 = write(&dir, "inline-x25519_test.json", X25519_FILE);
    let summary = run_files(&[hkdf, x25519], &RunOptions::default());
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert!(summary.is_success(), "{:?}", summary.cases);
    assert_eq!(summary.passed(), 4, "{:?}", summary.cases);
}

#[test]
fn a_changed_byte_fails_its_case() {
    let dir = common::scratch_dir("changed-byte");
    let hkdf = write(
        &dir,
        "tampered-rfc5869.json",
        &change_one_byte(HKDF_FILE, "\"A.1\"", "okm"),
    );
    let summary = run_files(&[&hkdf], &RunOptions::default());
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(status_of(&summary, "0"), Status::Fail);
    assert_eq!(status_of(&summary, "1"), Status::Pass);
    assert!(!summary.is_success());
    let reason = &summary.cases[0].reason;
    assert!(reason.contains("OKM"), "{reason}");

    let x25519 = write(
        &dir,
        "tampered-x25519_test.json",
        &change_one_byte(X25519_FILE, "\"tcId\": 1", "shared"),
    );
    let summary = run_files(&[&x25519], &RunOptions::default());
    assert_eq!(status_of(&summary, "1"), Status::Fail);
    assert_eq!(status_of(&summary, "2"), Status::Pass);
}

#[test]
fn a_changed_byte_in_a_real_vector_fails_its_case() {
    let Some(original) = common::vector_file("primitives/rfc9180-hpke-subset.json") else {
        return;
    };
    let text = std::fs::read_to_string(original).expect("read vector");
    let dir = common::scratch_dir("changed-real");
    // The first case's first ciphertext.
    let tampered = write(
        &dir,
        "tampered-rfc9180.json",
        &change_one_byte(&text, "\"encryptions\"", "ct"),
    );
    let summary = run_files(&[&tampered], &RunOptions::default());
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(status_of(&summary, "0"), Status::Fail);
    assert_eq!(summary.failed(), 1, "{:?}", summary.cases);
}

#[test]
fn an_unknown_field_is_an_error() {
    let dir = common::scratch_dir("unknown-field");
    let extra_case = HKDF_FILE.replacen("\"id\": \"A.1\",", "\"id\": \"A.1\", \"extra\": 1,", 1);
    let extra_top = X25519_FILE.replacen(
        "\"numberOfTests\"",
        "\"surprise\": [], \"numberOfTests\"",
        1,
    );
    for (name, text) in [
        ("extra-rfc5869.json", extra_case),
        ("extra-x25519_test.json", extra_top),
    ] {
        let path = write(&dir, name, &text);
        let summary = run_files(&[&path], &RunOptions::default());
        assert!(!summary.is_success());
        match &summary.errors[..] {
            [error] => {
                assert!(matches!(error.error, RunError::Schema { .. }), "{error}");
                assert!(error.to_string().contains("unknown field"), "{error}");
            }
            other => panic!("expected one schema error, got {other:?}"),
        }
    }
    let missing = write(
        &dir,
        "missing-rfc5869.json",
        &HKDF_FILE.replacen("\"length\": 42,", "", 1),
    );
    let summary = run_files(&[&missing], &RunOptions::default());
    assert!(matches!(
        summary.errors.first().map(|error| &error.error),
        Some(RunError::Schema { .. })
    ));
}

#[test]
fn an_unknown_kind_is_an_error() {
    let dir = common::scratch_dir("unknown-kind");
    let mystery = write(&dir, "mystery.json", HKDF_FILE);
    let summary = run_files(&[&mystery], &RunOptions::default());
    assert!(!summary.is_success());
    assert!(matches!(
        summary.errors.first().map(|error| &error.error),
        Some(RunError::KindFromName { .. })
    ));

    let options = RunOptions {
        kind: Some("no-such-kind".into()),
        ..RunOptions::default()
    };
    let summary = run_files(&[&mystery], &options);
    match summary.errors.first().map(|error| &error.error) {
        Some(error @ RunError::UnknownKind { .. }) => {
            assert!(error.to_string().contains("rfc5869"), "{error}");
        }
        other => panic!("expected an unknown-kind error, got {other:?}"),
    }

    // `--kind` overrides the file name.
    let options = RunOptions {
        kind: Some("rfc5869".into()),
        ..RunOptions::default()
    };
    let summary = run_files(&[&mystery], &options);
    assert!(summary.is_success(), "{:?}", summary.errors);
    assert_eq!(summary.passed(), 2);

    // A kind of the contract that is not implemented yet fails clearly.
    if let Some(kind) = kinds().into_iter().find(|kind| !kind.implemented) {
        let path = write(&dir, &format!("{}.json", kind.name), "[]");
        let summary = run_files(&[&path], &RunOptions::default());
        match summary.errors.first().map(|error| &error.error) {
            Some(error @ RunError::NotImplemented(_)) => {
                assert!(error.to_string().contains(kind.name), "{error}");
            }
            other => panic!("expected not-implemented, got {other:?}"),
        }
    }
}

#[test]
fn an_unreadable_file_is_an_error() {
    let dir = common::scratch_dir("unreadable");
    let summary = run_files(&[dir.join("absent-rfc5869.json")], &RunOptions::default());
    assert!(!summary.is_success());
    assert!(matches!(
        summary.errors.first().map(|error| &error.error),
        Some(RunError::Read(_))
    ));
}

#[test]
fn an_unknown_backend_lists_the_known_ones() {
    let dir = common::scratch_dir("unknown-backend");
    let hkdf = write(&dir, "rfc5869.json", HKDF_FILE);
    let options = RunOptions {
        backend: Some("openssl".into()),
        ..RunOptions::default()
    };
    let summary = run_files(&[&hkdf], &options);
    assert!(!summary.is_success());
    let message = summary.errors[0].to_string();
    for entry in providers() {
        assert!(message.contains(entry.name()), "{message}");
    }
}

#[test]
fn suite_and_backend_selection_skip_with_a_reason() {
    let dir = common::scratch_dir("selection");
    let hkdf = write(&dir, "rfc5869.json", HKDF_FILE);
    let options = RunOptions {
        suite: Some(2),
        ..RunOptions::default()
    };
    let summary = run_files(&[&hkdf], &options);
    assert_eq!(summary.skipped(), 2);
    assert!(summary.cases[0].reason.contains("--suite 2"));

    // A backend that does not serve suite 1 skips its cases; one that does runs them alone.
    for entry in providers() {
        let options = RunOptions {
            backend: Some(entry.name().to_owned()),
            ..RunOptions::default()
        };
        let summary = run_files(&[&hkdf], &options);
        assert!(summary.is_success(), "{:?}", summary.cases);
        if entry.serves(SuiteId::X25519_AES128GCM_SHA256_ED25519) {
            assert_eq!(summary.passed(), 2);
            assert!(
                summary.cases[0]
                    .reason
                    .ends_with(&format!("on {}", entry.name()))
            );
        } else {
            assert_eq!(summary.skipped(), 2);
            assert!(summary.cases[0].reason.contains(entry.name()));
        }
    }
}

#[test]
fn the_command_follows_the_output_contract() {
    let dir = common::scratch_dir("command");
    let good = write(&dir, "good-rfc5869.json", HKDF_FILE);
    let bad = write(
        &dir,
        "bad-x25519_test.json",
        &change_one_byte(X25519_FILE, "\"tcId\": 1", "shared"),
    );
    let output = Command::new(env!("CARGO_BIN_EXE_artmls-conformance"))
        .arg("run")
        .arg(&good)
        .arg(&bad)
        .output()
        .expect("run artmls-conformance");
    assert!(!output.status.success(), "a failed case must fail the run");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    for line in &lines[..4] {
        let fields: Vec<&str> = line.splitn(6, ' ').collect();
        assert_eq!(fields[0], "CASE", "{line}");
        assert!(["PASS", "FAIL", "SKIP"].contains(&fields[4]), "{line}");
        assert!(fields.len() == 6 && !fields[5].is_empty(), "{line}");
    }
    assert!(lines[0].starts_with(&format!("CASE {} 0 1 PASS ", good.display())));
    assert!(lines[2].starts_with(&format!("CASE {} 1 1 FAIL ", bad.display())));
    assert_eq!(lines[4], "3 passed, 1 failed, 0 skipped");

    let output = Command::new(env!("CARGO_BIN_EXE_artmls-conformance"))
        .arg("run")
        .arg(&good)
        .output()
        .expect("run artmls-conformance");
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert_eq!(stdout.lines().last(), Some("2 passed, 0 failed, 0 skipped"));

    // An unknown kind fails the run, and the totals line is still last.
    let mystery = write(&dir, "mystery.json", HKDF_FILE);
    let output = Command::new(env!("CARGO_BIN_EXE_artmls-conformance"))
        .arg("run")
        .arg(&mystery)
        .output()
        .expect("run artmls-conformance");
    assert!(!output.status.success());
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    assert_eq!(stdout.lines().last(), Some("0 passed, 0 failed, 0 skipped"));
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 errors");
    assert!(stderr.contains("mystery.json"), "{stderr}");
}
