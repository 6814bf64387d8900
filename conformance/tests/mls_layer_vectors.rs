//! The RFC 9420 vectors of the layers around the tree (key schedule, PSK secret, secret tree,
//! transcript hashes, message protection, Welcome) through the runner: every case of suites
//! 1-3 passes on every backend that serves it, and every skip is a suite 4-7 case skipped as
//! an unsupported suite.
//!
//! Vectors come from `$ARTMLS_VECTORS` or `../shared/vectors`; a missing file is skipped with
//! a note, except with `CI=true`.

mod common;

use artmls::SuiteId;
use artmls_conformance::{RunOptions, Status, run_files};
use artmls_providers::serving;

fn check(name: &str, suite_1_to_3_cases: usize) {
    let Some(path) = common::vector_file(&format!("mls-implementations/{name}.json")) else {
        return;
    };
    let summary = run_files(&[&path], &RunOptions::default());
    assert!(summary.errors.is_empty(), "{name}: {:?}", summary.errors);
    for case in &summary.cases {
        let suite = case.suite.expect("every case of these files has a suite");
        match case.status {
            Status::Pass => {
                assert!((1..=3).contains(&suite), "{case}");
                let art = SuiteId::from_mls_suite(suite).expect("ART suite");
                for backend in serving(art).iter().map(|p| p.name()).collect::<Vec<_>>() {
                    assert!(
                        case.reason.contains(backend),
                        "{case}: not run on {backend}"
                    );
                }
            }
            Status::Skip => {
                assert!((4..=7).contains(&suite), "{case}");
                assert!(case.reason.starts_with("unsupported suite"), "{case}");
            }
            Status::Fail => panic!("{case}"),
        }
    }
    assert_eq!(summary.passed(), suite_1_to_3_cases, "{name}");
}

#[test]
fn key_schedule() {
    check("key-schedule", 3);
}

#[test]
fn psk_secret() {
    check("psk_secret", 33);
}

#[test]
fn secret_tree() {
    check("secret-tree", 9);
}

#[test]
fn transcript_hashes() {
    check("transcript-hashes", 3);
}

#[test]
fn message_protection() {
    check("message-protection", 3);
}

#[test]
fn welcome() {
    check("welcome", 3);
}
