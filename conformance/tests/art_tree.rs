//! The ART tree's protocol properties, on every backend and suite.

use artmls::{CipherSuite, SuiteVisitor};
use artmls_conformance::tree_checks::{
    verify_art_tree_random, verify_art_tree_rejections, verify_removed_parties_locked_out,
};
use artmls_providers::{all as providers, visit};

struct Random {
    seed: u64,
}

impl SuiteVisitor for Random {
    type Output = ();
    fn visit<S: CipherSuite>(self) {
        verify_art_tree_random::<S>(self.seed, 60, 24);
    }
}

struct Lockout {
    seed: u64,
}

impl SuiteVisitor for Lockout {
    type Output = ();
    fn visit<S: CipherSuite>(self) {
        verify_removed_parties_locked_out::<S>(self.seed, 80, 16);
    }
}

struct Rejections;

impl SuiteVisitor for Rejections {
    type Output = ();
    fn visit<S: CipherSuite>(self) {
        verify_art_tree_rejections::<S>(7);
    }
}

#[test]
fn random_operation_sequences_keep_members_in_agreement_on_every_backend() {
    let mut ran = 0;
    for entry in providers() {
        for (offset, suite) in entry.suites().iter().enumerate() {
            let seed = 100 + offset as u64;
            assert!(
                visit(entry.name(), *suite, Random { seed }).is_some(),
                "{} {suite}",
                entry.name()
            );
            ran += 1;
        }
    }
    assert_eq!(
        ran,
        providers().iter().map(|p| p.suites().len()).sum::<usize>(),
        "every (provider, suite) pair of the list ran"
    );
}

#[test]
fn bad_changes_are_rejected_and_leave_state_unchanged_on_every_backend() {
    for entry in providers() {
        for suite in entry.suites() {
            assert!(
                visit(entry.name(), *suite, Rejections).is_some(),
                "{} {suite}",
                entry.name()
            );
        }
    }
}

#[test]
fn generated_art_tree_vectors_pass_the_runner() {
    let cases = artmls_conformance::generate::art_tree_cases(3).expect("generate");
    assert_eq!(cases.len(), 3 * 7 * 2);
    let dir = std::env::temp_dir().join(format!("artmls-generated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("art-tree-generated.json");
    std::fs::write(&path, serde_json::to_string(&cases).unwrap()).unwrap();
    let summary = artmls_conformance::run_files(std::slice::from_ref(&path), &Default::default());
    assert!(summary.is_success(), "{summary:?}");
    assert_eq!(summary.passed(), cases.len());

    // A single changed byte of a node key makes its case fail.
    let mut broken = cases.clone();
    let key = broken[5]
        .node_public_keys
        .iter_mut()
        .flatten()
        .next()
        .unwrap();
    let flipped = if key.starts_with('0') { "1" } else { "0" };
    key.replace_range(0..1, flipped);
    std::fs::write(&path, serde_json::to_string(&broken).unwrap()).unwrap();
    let summary = artmls_conformance::run_files(std::slice::from_ref(&path), &Default::default());
    assert_eq!(summary.failed(), 1, "{summary:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_removed_party_that_kept_every_secret_opens_no_later_epoch_but_through_its_unupdated_newcomer()
{
    let mut ran = 0;
    for entry in providers() {
        for (offset, suite) in entry.suites().iter().enumerate() {
            let seed = 300 + offset as u64;
            assert!(
                visit(entry.name(), *suite, Lockout { seed }).is_some(),
                "{} {suite}",
                entry.name()
            );
            ran += 1;
        }
    }
    assert_eq!(
        ran,
        providers().iter().map(|p| p.suites().len()).sum::<usize>(),
        "every (provider, suite) pair of the list ran"
    );
}

#[test]
fn generated_art_update_vectors_pass_the_runner() {
    let cases = artmls_conformance::generate::art_update_cases(5).expect("generate");
    assert_eq!(cases.len(), 3 * 5 * 3);
    assert!(
        cases.iter().any(|case| case
            .leaves
            .iter()
            .zip(&case.leaves_after)
            .any(|(before, after)| before.kind == "tombstone" && after == "blank")),
        "some generated case seals a tombstone"
    );
    let dir = std::env::temp_dir().join(format!("artmls-generated-update-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("art-update-generated.json");
    std::fs::write(&path, serde_json::to_string(&cases).unwrap()).unwrap();
    let summary = artmls_conformance::run_files(std::slice::from_ref(&path), &Default::default());
    assert!(summary.is_success(), "{summary:?}");
    assert_eq!(summary.passed(), cases.len());

    // A tombstone reported as still there after a seal makes its case fail.
    let mut broken = cases.clone();
    let (index, leaf) = broken
        .iter()
        .enumerate()
        .find_map(|(index, case)| {
            case.leaves
                .iter()
                .zip(&case.leaves_after)
                .position(|(before, after)| before.kind == "tombstone" && after == "blank")
                .map(|leaf| (index, leaf))
        })
        .unwrap();
    broken[index].leaves_after[leaf] = "tombstone".into();
    std::fs::write(&path, serde_json::to_string(&broken).unwrap()).unwrap();
    let summary = artmls_conformance::run_files(std::slice::from_ref(&path), &Default::default());
    assert_eq!(summary.failed(), 1, "{summary:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
