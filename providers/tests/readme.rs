//! The README's run-time selection example, run as written: the lines between the markers
//! below are the README's code block, which the first test checks word for word.

use artmls::group::Received;

type Error = Box<dyn std::error::Error>;

/// The README's example; returns the two groups it makes.
fn readme_example() -> Result<(artmls::AnyGroup, artmls::AnyGroup), Error> {
    let mut rng = artmls_crypto::test_suite::rng::seeded(1);
    // README begin
    use artmls::{SuiteId, group::GroupConfig};
    let suite: SuiteId = "0xF002".parse()?;
    let provider = artmls_providers::find("aws-lc")?;
    let mut alice = provider.create(suite, b"alice", b"chat", GroupConfig::default(), &mut rng)?;
    let bob = provider.identity(suite, b"bob", &mut rng)?;
    let bob_key_package = bob.key_package_with_rng(&mut rng)?;
    let add = alice.commit_add_with_rng(&[bob_key_package.key_package().clone()], &mut rng)?;
    let welcome = add.welcome().ok_or("no Welcome")?.to_vec();
    alice.merge_pending_commit(add)?;
    let mut bob = provider.join(&welcome, &bob_key_package, bob, GroupConfig::default())?;
    // README end
    let message = alice.encrypt_application_with_rng(b"hello", &mut rng)?;
    assert_eq!(
        bob.process_message(&message)?,
        Received::Application {
            sender: alice.own_leaf(),
            data: b"hello".to_vec()
        }
    );
    Ok((alice, bob))
}

/// The code block under the README's run-time heading, line by line.
fn readme_block() -> Vec<&'static str> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## Choosing a suite and a backend at run time")
        .nth(1)
        .expect("the README has the section");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a Rust block");
    block.lines().collect()
}

/// The lines of this file between the markers, unindented.
fn marked_lines() -> Vec<&'static str> {
    let this = include_str!("readme.rs");
    let begin = "    // README begin\n";
    let end = "    // README end\n";
    let start = this.find(begin).expect("begin marker") + begin.len();
    let stop = this[start..].find(end).expect("end marker") + start;
    this[start..stop].lines().map(str::trim_start).collect()
}

#[test]
fn the_readme_shows_exactly_the_code_the_test_runs() {
    let block = readme_block();
    assert_eq!(block, marked_lines());
    assert!(
        block.len() <= 10,
        "the README example has {} lines",
        block.len()
    );
    assert!(!block.iter().any(|line| line.contains("Visitor")));
}

#[test]
fn the_readme_example_runs_on_a_suite_and_backend_named_by_strings() {
    let (alice, bob) = readme_example().expect("the README example runs");
    assert_eq!(alice.suite(), artmls::SuiteId::P256_AES128GCM_SHA256_P256);
    assert_eq!(alice.member_count(), 2);
    assert_eq!(alice.epoch_authenticator(), bob.epoch_authenticator());
    // The saved state names its suite; the provider restores it without being told.
    let provider = artmls_providers::find("aws-lc").expect("aws-lc");
    let restored = provider
        .restore(alice.to_bytes().expect("save").as_bytes())
        .expect("restore");
    assert_eq!(restored.epoch_authenticator(), alice.epoch_authenticator());
}
