//! The fuzz smoke test, on the stable toolchain: every target is fed its committed corpus
//! (`fuzz/corpus/<target>/`), its regression inputs (`fuzz/regressions/<target>/`), the seeds
//! the fixture makes now (so that the test keeps its value if the committed corpus is stale),
//! and a few thousand deterministic mutations of all of them. Every run feeds the same inputs.
//!
//! The counting allocator is installed here, as in the libFuzzer binaries, so the decoders'
//! heap budget is checked too.
//!
//! Every input a campaign found is kept under `fuzz/regressions/<target>/` and runs here, so a
//! fixed finding stays fixed; an unfixed one fails this test until it is fixed.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};

use artmls_fuzz_targets::mutate::Mutator;
use artmls_fuzz_targets::{CountingAlloc, TARGETS, Target, corpus};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Mutated inputs per target.
const MUTATIONS: usize = 4000;

/// The seed of the mutations (each target mixes in its own index).
const MUTATION_SEED: u64 = 0x0073_6d6f_6b65;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files of `dir`, sorted by name so that the order (and the mutations) are fixed.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a readable file");
            (path.display().to_string(), bytes)
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Runs one input, naming it if the target panics.
fn run(target: &Target, what: &str, input: &[u8]) {
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| (target.run)(input))) {
        eprintln!(
            "target {} failed on {what} ({} bytes): {}",
            target.name,
            input.len(),
            hex(input)
        );
        resume_unwind(panic);
    }
}

fn smoke(name: &str) {
    let (index, target) = TARGETS
        .iter()
        .enumerate()
        .find(|(_, target)| target.name == name)
        .expect("a listed target");
    let committed = files(&fuzz_dir().join("corpus").join(name));
    assert!(
        !committed.is_empty(),
        "no committed corpus for {name}: run `cargo run -p artmls-fuzz-targets --bin make-corpus`"
    );
    let fresh = corpus::seeds(name);
    let stale = committed
        .iter()
        .filter(|(_, bytes)| !fresh.iter().any(|(_, seed)| seed == bytes))
        .count();
    if stale > 0 {
        eprintln!(
            "note: {stale} committed corpus files of {name} differ from what the fixture makes \
             now; regenerate with `cargo run -p artmls-fuzz-targets --bin make-corpus`"
        );
    }
    let regressions = files(&fuzz_dir().join("regressions").join(name));

    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for (what, bytes) in committed.iter().chain(&regressions) {
        run(target, what, bytes);
        inputs.push(bytes.clone());
    }
    for (what, bytes) in &fresh {
        run(target, &format!("fresh seed {what}"), bytes);
        inputs.push(bytes.clone());
    }

    let mut mutator = Mutator::new(MUTATION_SEED ^ index as u64);
    for round in 0..MUTATIONS {
        let base = &inputs[round % inputs.len()];
        let input = mutator.mutate(base, &inputs);
        run(target, &format!("mutation {round}"), &input);
    }
}

macro_rules! smoke_tests {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            smoke(stringify!($name));
        }
    )*};
}

smoke_tests!(
    decode_message,
    decode_key_package,
    decode_welcome,
    decode_group_info,
    decode_ratchet_tree,
    group_from_bytes,
    process_message,
    process_message_structured,
    join,
);

#[test]
fn every_target_has_a_smoke_test() {
    // The list above is written out so that each target is its own test; keep it complete.
    let tested = [
        "decode_message",
        "decode_key_package",
        "decode_welcome",
        "decode_group_info",
        "decode_ratchet_tree",
        "group_from_bytes",
        "process_message",
        "process_message_structured",
        "join",
    ];
    for target in TARGETS {
        assert!(
            tested.contains(&target.name),
            "{} has no smoke test",
            target.name
        );
    }
}

#[test]
fn the_fixture_exercises_acceptance_and_rejection() {
    let fixture = artmls_fuzz_targets::fixture::Fixture::get();
    let accepted: Vec<&str> = fixture
        .messages
        .iter()
        .filter(|sample| sample.accepted)
        .map(|sample| sample.name)
        .collect();
    let rejected: Vec<&str> = fixture
        .messages
        .iter()
        .filter(|sample| !sample.accepted)
        .map(|sample| sample.name)
        .collect();
    // Every commit and every other member's application message is for the receiver's epoch.
    // "stale-application-carol" is from the epoch the receiver left last: within the window of
    // past epochs a group keeps by default (`GroupConfig::past_epochs`, 1), so it decrypts.
    for name in accepted.iter().chain(&rejected) {
        let expected = name.starts_with("commit-")
            || (name.starts_with("application-") && !name.ends_with("-own"))
            || *name == "stale-application-carol";
        assert_eq!(accepted.contains(name), expected, "{name}");
    }
    assert_eq!(fixture.welcomes.len(), 2);
}

#[test]
fn the_allocator_is_counting() {
    let (bytes, peak) = artmls_fuzz_targets::alloc::measure_peak(|| vec![0u8; 4096]);
    assert_eq!(bytes.len(), 4096);
    assert!(peak.is_some_and(|peak| peak >= 4096), "{peak:?}");
}
