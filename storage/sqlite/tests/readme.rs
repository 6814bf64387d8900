//! The README's storage example, run as written: the lines between the markers below are the
//! README's code block under "Keeping state on a device", which the first test checks word
//! for word.

use artmls::group::{Group, GroupConfig, Identity, Received};
use rand::SeedableRng;
use rand::rngs::StdRng;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
type Error = Box<dyn std::error::Error>;

// Not formatted: the marked lines are the README's, aligned comments and all.
#[rustfmt::skip]
fn readme_example() -> Result<(), Error> {
    let mut rng = StdRng::seed_from_u64(1);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bob.sqlite");
    let key = [7u8; 32];
    let identity = Identity::<Suite>::new_with_rng("bob", &mut rng);
    let bundle = identity.key_package_with_rng(&mut rng)?;
    let (mut alice, welcome) = Group::<Suite>::initiate_with_rng(
        Identity::new_with_rng("alice", &mut rng),
        b"readme".to_vec(),
        &[bundle.key_package().clone()],
        GroupConfig::default(),
        &mut rng,
    )?;
    let group_id = alice.group_id().to_vec();
    let message = alice.encrypt_application_with_rng(b"stored", &mut rng)?;
    let position = 0;
    // README begin
    use artmls::storage::{Storage, StorageKey};
    let storage = Storage::new(artmls_sqlite::SqliteStore::open(&path)?, StorageKey::new(key)).into_shared();
    storage.lock()?.save_key_package(&bundle, &identity)?;            // the private keys wait here
    let mut group = Group::<Suite>::join_from_storage(&storage, &welcome, GroupConfig::default())?;
    group.process_message_at(position, &message)?;                    // applied and read: one transaction
    let group = Group::<Suite>::load(&storage, &group_id)?;            // after a restart
    // README end
    assert_eq!(group.log_position(), 1);
    assert_eq!(group.epoch_authenticator(), alice.epoch_authenticator());
    // The message's key is spent in the store too.
    let mut group = group;
    assert!(!matches!(
        group.process_message(&message),
        Ok(Received::Application { .. })
    ));
    Ok(())
}

fn readme_block() -> Vec<&'static str> {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Keeping state on a device")
        .nth(1)
        .expect("the README has the section");
    let block = section
        .split("```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a Rust block");
    block.lines().collect()
}

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
    assert_eq!(readme_block(), marked_lines());
}

#[test]
fn the_readme_storage_example_runs() {
    readme_example().expect("the README example runs");
}
