//! The chat of `artmls`'s own example, with each person's state kept in a SQLite file.
//!
//! `cargo run -p artmls-sqlite --example stored_chat [DIR]` (a temporary directory by default)
//!
//! Alice creates the group with Bob and Carol, who join from the KeyPackages their stores keep
//! (and delete once used). Every message read, commit merged and message sent is written to
//! the reader's store with its position in the group's log, in one transaction. Halfway, Bob's
//! device restarts: his group is loaded from his file, reads on from the position it recorded,
//! and catches up on what was said meanwhile.

use std::path::{Path, PathBuf};

use artmls::group::{Group, GroupConfig, Identity, Received};
use artmls::ordering::OrderingService;
use artmls::storage::{SharedStorage, Storage, StorageKey};
use artmls_sqlite::SqliteStore;
use rand::SeedableRng;
use rand::rngs::StdRng;

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;
type Error = Box<dyn std::error::Error>;

/// One person: a store on their device, and the group loaded from it.
struct Person {
    name: &'static str,
    storage: SharedStorage,
    group: Group<Suite>,
    /// Log positions of this person's own application messages (applied when sent).
    sent: Vec<u64>,
}

/// A person's store. The key would come from the platform's keyring; here it is derived
/// from the name so the example can reopen the file.
fn open(dir: &Path, name: &str) -> Result<SharedStorage, Error> {
    let store = SqliteStore::open(dir.join(format!("{name}.sqlite")))?;
    let mut key = [0u8; 32];
    key[..name.len()].copy_from_slice(name.as_bytes());
    Ok(Storage::new(store, StorageKey::new(key)).into_shared())
}

impl Person {
    /// Reads what is new in the log, from the position the store recorded.
    fn catch_up(&mut self, service: &OrderingService<Suite>) -> Result<(), Error> {
        let from = self.group.log_position();
        let messages = service.fetch(self.group.group_id(), from as usize).to_vec();
        for (position, message) in (from..).zip(messages) {
            if self.sent.contains(&position) {
                // Its own message: applied when sent, so only the position moves on.
                self.group.set_log_position(position + 1)?;
                continue;
            }
            match self.group.process_message_at(position, &message)? {
                Received::Application { data, .. } => println!(
                    "  {:>5} reads  {}",
                    self.name,
                    String::from_utf8_lossy(&data)
                ),
                Received::Commit(summary) => {
                    println!("  {:>5} enters epoch {}", self.name, summary.epoch);
                }
                Received::Removed { .. } => println!("  {:>5} was removed", self.name),
            }
        }
        Ok(())
    }

    fn say(
        &mut self,
        service: &mut OrderingService<Suite>,
        text: &str,
        rng: &mut StdRng,
    ) -> Result<(), Error> {
        self.catch_up(service)?;
        // Written to the store (the key spent) before the message leaves.
        let message = self
            .group
            .encrypt_application_with_rng(text.as_bytes(), rng)?;
        self.sent.push(service.submit(&message)? as u64);
        println!("  {:>5} says   {text}", self.name);
        Ok(())
    }

    fn update(
        &mut self,
        service: &mut OrderingService<Suite>,
        rng: &mut StdRng,
    ) -> Result<(), Error> {
        self.catch_up(service)?;
        let pending = self.group.commit_update_with_rng(rng)?;
        let position = service.submit(pending.message())?;
        self.group
            .merge_pending_commit_at(position as u64, pending)?;
        println!("  {:>5} updated: epoch {}", self.name, self.group.epoch());
        Ok(())
    }
}

fn main() -> Result<(), Error> {
    let temporary = tempfile::tempdir()?;
    let dir: PathBuf = std::env::args()
        .nth(1)
        .map_or_else(|| temporary.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir)?;
    let mut rng = StdRng::seed_from_u64(2017);
    let mut service = OrderingService::new();

    // Bob and Carol publish KeyPackages and keep their private keys in their stores.
    let mut welcome_for = Vec::new();
    let mut key_packages = Vec::new();
    for name in ["bob", "carol"] {
        let storage = open(&dir, name)?;
        let identity = Identity::<Suite>::new_with_rng(name, &mut rng);
        let bundle = identity.key_package_with_rng(&mut rng)?;
        storage.lock()?.save_key_package(&bundle, &identity)?;
        key_packages.push(bundle.key_package().clone());
        welcome_for.push((name, storage));
    }

    println!("alice creates the group with bob and carol; each keeps it in a SQLite file");
    let (mut alice, welcome) = Group::initiate_with_rng(
        Identity::new_with_rng("alice", &mut rng),
        b"chat".to_vec(),
        &key_packages,
        GroupConfig::default(),
        &mut rng,
    )?;
    let alice_storage = open(&dir, "alice")?;
    alice.attach_storage(&alice_storage)?;
    service.create_group(&alice.public_group_info()?)?;
    let mut people = vec![Person {
        name: "alice",
        storage: alice_storage,
        group: alice,
        sent: Vec::new(),
    }];
    for (name, storage) in welcome_for {
        let group = Group::<Suite>::join_from_storage(&storage, &welcome, GroupConfig::default())?;
        people.push(Person {
            name,
            storage,
            group,
            sent: Vec::new(),
        });
    }

    println!("bob and carol update first: alice chose their leaf keys");
    people[1].update(&mut service, &mut rng)?;
    people[2].update(&mut service, &mut rng)?;
    people[0].say(&mut service, "hello both", &mut rng)?;
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }

    println!("bob's device restarts; meanwhile alice and carol talk, and alice updates");
    let Person {
        storage,
        group,
        sent,
        ..
    } = people.remove(1);
    let group_id = group.group_id().to_vec();
    drop(group);
    drop(storage);
    people[1].say(&mut service, "is bob there?", &mut rng)?;
    people[0].update(&mut service, &mut rng)?;
    people[0].say(&mut service, "he will read this when he is back", &mut rng)?;

    let storage = open(&dir, "bob")?;
    let group = Group::<Suite>::load(&storage, &group_id)?;
    println!(
        "bob's group loads from his file at epoch {}, log position {}",
        group.epoch(),
        group.log_position()
    );
    people.insert(
        1,
        Person {
            name: "bob",
            storage,
            group,
            sent,
        },
    );
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }
    people[1].say(&mut service, "back, and I read it all", &mut rng)?;
    for person in people.iter_mut() {
        person.catch_up(&service)?;
    }

    let first = people[0].group.epoch_authenticator().clone();
    assert!(
        people
            .iter()
            .all(|p| *p.group.epoch_authenticator() == first)
    );
    println!(
        "all three agree on epoch {} and its authenticator",
        people[0].group.epoch()
    );
    for person in &people {
        let summary = person.storage.lock()?.summary()?;
        for group in &summary.groups {
            println!(
                "  {:>5}'s store: epoch {}, {} writes, {} tree nodes, {} bytes sealed, {} KeyPackages left",
                person.name,
                group.epoch,
                group.generation,
                group.tree_nodes,
                group.bytes,
                summary.key_packages
            );
        }
    }
    Ok(())
}
