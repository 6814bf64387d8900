//! Crash safety, by fault injection.
//!
//! A member (Carol) kept in a SQLite store processes a stream of commits and application
//! messages in a child process (this program, run again in child mode), which is killed with
//! SIGKILL at random moments: while it opens the store, loads the group, processes a message,
//! commits a transaction, or checkpoints the WAL. After every kill the store must open and hold
//! exactly the state Carol had after the last entry it recorded as read: a message is applied
//! and its log position recorded in one transaction, so nothing is lost and nothing is
//! processed twice. Then a child runs to the end of the stream, and Carol must agree with the
//! other members.
//!
//! `ARTMLS_CRASH_KILLS` sets the number of kills (default 20).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use artmls::group::{Group, GroupConfig, Identity, PendingCommit};
use artmls::storage::{SharedStorage, Storage, StorageKey};
use artmls::tree_math::LeafIndex;
use artmls_sqlite::SqliteStore;
use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

type Suite = artmls_dalek::X25519Aes128GcmSha256Ed25519;

/// Set in the child: the directory of the run.
const CHILD: &str = "ARTMLS_CRASH_CHILD";
const KILLS: &str = "ARTMLS_CRASH_KILLS";
const GROUP_ID: &[u8] = b"crash test";

fn main() -> ExitCode {
    match std::env::var_os(CHILD) {
        Some(dir) => child(Path::new(&dir)),
        None => {
            parent();
            ExitCode::SUCCESS
        }
    }
}

fn config() -> GroupConfig {
    let mut config = GroupConfig::default();
    config.past_epochs = 1;
    config
}

fn open(dir: &Path) -> Result<SharedStorage, String> {
    let key: [u8; 32] = std::fs::read(dir.join("key"))
        .map_err(|e| e.to_string())?
        .try_into()
        .map_err(|_| "a storage key of another length".to_string())?;
    let store = SqliteStore::open(dir.join("carol.sqlite")).map_err(|e| e.to_string())?;
    Ok(Storage::new(store, StorageKey::new(key)).into_shared())
}

fn read_log(dir: &Path) -> Vec<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(dir.join("log"))
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .expect("the log");
    let mut entries = Vec::new();
    let mut rest = bytes.as_slice();
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let len = u32::from_be_bytes(*len) as usize;
        entries.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    entries
}

/// Carol, in the child: load, then process the log from her position to its end.
fn child(dir: &Path) -> ExitCode {
    let log = read_log(dir);
    let storage = match open(dir) {
        Ok(storage) => storage,
        Err(error) => {
            eprintln!("child: opening the store failed: {error}");
            return ExitCode::from(2);
        }
    };
    let mut carol = match Group::<Suite>::load(&storage, GROUP_ID) {
        Ok(group) => group,
        Err(error) => {
            eprintln!("child: loading failed: {error}");
            return ExitCode::from(3);
        }
    };
    for position in carol.log_position()..log.len() as u64 {
        if let Err(error) = carol.process_message_at(position, &log[position as usize]) {
            eprintln!("child: entry {position} failed: {error}");
            return ExitCode::from(4);
        }
    }
    ExitCode::SUCCESS
}

/// The other members, in the parent, and what they send.
struct Others {
    members: Vec<Group<Suite>>,
    log: Vec<Vec<u8>>,
    commits: usize,
}

impl Others {
    /// Member `i` commits; everyone else (not Carol) processes it.
    fn commit(&mut self, i: usize, pending: PendingCommit<Suite>) {
        let message = pending.message().to_vec();
        for (j, member) in self.members.iter_mut().enumerate() {
            if j != i {
                member
                    .process_message(&message)
                    .expect("a member processes");
            }
        }
        self.members[i]
            .merge_pending_commit(pending)
            .expect("the committer merges");
        self.log.push(message);
        self.commits += 1;
    }

    fn say(&mut self, i: usize, rng: &mut StdRng) -> Vec<u8> {
        let text = format!("message {} from member {i}", self.log.len());
        self.members[i]
            .encrypt_application_with_rng(text.as_bytes(), rng)
            .expect("encrypt")
    }
}

fn write_log(dir: &Path, log: &[Vec<u8>]) {
    let mut file = std::fs::File::create(dir.join("log")).expect("log file");
    for entry in log {
        file.write_all(&(entry.len() as u32).to_be_bytes())
            .and_then(|()| file.write_all(entry))
            .expect("write the log");
    }
    file.sync_all().expect("sync the log");
}

fn parent() {
    let kills: usize = std::env::var(KILLS)
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(20);
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(2026);
    let dir = tempfile::tempdir().expect("temporary directory");
    let dir_path: PathBuf = dir.path().to_path_buf();
    let mut key = [0u8; 32];
    rng.fill_bytes(&mut key);
    std::fs::write(dir_path.join("key"), key).expect("key file");

    // Alice makes the group with Bob, Dave and Carol; Carol joins from her store.
    let storage = open(&dir_path).expect("store");
    let names = ["bob", "dave"];
    let identities: Vec<Identity<Suite>> = names
        .iter()
        .map(|name| Identity::new_with_rng(*name, &mut rng))
        .collect();
    let bundles: Vec<_> = identities
        .iter()
        .map(|identity| identity.key_package_with_rng(&mut rng).expect("kp"))
        .collect();
    let carol_identity = Identity::<Suite>::new_with_rng("carol", &mut rng);
    let carol_bundle = carol_identity.key_package_with_rng(&mut rng).expect("kp");
    storage
        .lock()
        .expect("storage")
        .save_key_package(&carol_bundle, &carol_identity)
        .expect("save");
    let mut key_packages: Vec<_> = bundles.iter().map(|b| b.key_package().clone()).collect();
    key_packages.push(carol_bundle.key_package().clone());
    let (alice, welcome) = Group::<Suite>::initiate_with_rng(
        Identity::new_with_rng("alice", &mut rng),
        GROUP_ID.to_vec(),
        &key_packages,
        config(),
        &mut rng,
    )
    .expect("initiate");
    let mut members = vec![alice];
    for (identity, bundle) in identities.into_iter().zip(&bundles) {
        members.push(Group::join(&welcome, bundle, identity, config()).expect("join"));
    }
    let carol = Group::<Suite>::join_from_storage(&storage, &welcome, config()).expect("join");
    let mut shadow = Group::<Suite>::from_bytes(carol.to_bytes().expect("bytes").as_bytes())
        .expect("a copy of Carol, kept in memory");
    drop(carol);
    drop(storage);

    // The stream: Bob and Dave update first; then messages, updates, a late message from the
    // epoch before, an add and a removal.
    let mut others = Others {
        members,
        log: Vec::new(),
        commits: 0,
    };
    for i in [1, 2] {
        let pending = others.members[i]
            .commit_update_with_rng(&mut rng)
            .expect("update");
        others.commit(i, pending);
    }
    let length = kills.max(10) * 25;
    while others.log.len() < length {
        let sender = rng.random_range(0..others.members.len());
        let roll = rng.random_range(0..100);
        if roll < 65 {
            let message = others.say(sender, &mut rng);
            others.log.push(message);
        } else if roll < 90 {
            // A message sent just before a commit, delivered after it.
            let late = others.say(sender, &mut rng);
            let committer = rng.random_range(0..others.members.len());
            let pending = others.members[committer]
                .commit_update_with_rng(&mut rng)
                .expect("update");
            others.commit(committer, pending);
            others.log.push(late);
        } else if others.members.len() < 5 {
            let identity = Identity::<Suite>::new_with_rng("erin", &mut rng);
            let bundle = identity.key_package_with_rng(&mut rng).expect("kp");
            let pending = others.members[0]
                .commit_add_with_rng(&[bundle.key_package().clone()], &mut rng)
                .expect("add");
            let welcome = pending.welcome().expect("welcome").to_vec();
            others.commit(0, pending);
            let erin = Group::join(&welcome, &bundle, identity, config()).expect("join");
            let pending = erin.commit_update_with_rng(&mut rng).expect("update");
            others.members.push(erin);
            let last = others.members.len() - 1;
            others.commit(last, pending);
        } else {
            let victim = others.members.len() - 1;
            let leaf = others.members[victim].own_leaf();
            let pending = others.members[0]
                .commit_remove_with_rng(&[LeafIndex(leaf.0)], &mut rng)
                .expect("remove");
            // The removed member's copy is dropped: it processes nothing more.
            others.members.pop();
            others.commit(0, pending);
        }
    }
    write_log(&dir_path, &others.log);

    // Carol's state after every entry, computed in memory.
    let mut expected = vec![shadow.to_bytes().expect("bytes")];
    for (position, entry) in others.log.iter().enumerate() {
        shadow
            .process_message_at(position as u64, entry)
            .unwrap_or_else(|error| panic!("the copy of Carol fails entry {position}: {error}"));
        expected.push(shadow.to_bytes().expect("bytes"));
    }
    assert_eq!(
        shadow.epoch_authenticator(),
        others.members[0].epoch_authenticator(),
        "the copy of Carol agrees with the others"
    );

    // Kill, restart, check; with a delay that adapts so each run gets a few entries done.
    let exe = std::env::current_exe().expect("this program");
    let spawn = || {
        Command::new(&exe)
            .env(CHILD, &dir_path)
            .spawn()
            .expect("a child")
    };
    let mut delay_us: u64 = 5_000;
    let mut position = 0u64;
    let mut killed = 0;
    let mut finished_early = 0;
    let mut progress = Vec::new();
    while killed < kills && (position as usize) < others.log.len() {
        let mut child = spawn();
        std::thread::sleep(Duration::from_micros(rng.random_range(0..=delay_us)));
        match child.try_wait().expect("child status") {
            Some(status) => {
                assert!(status.success(), "the child failed: {status}");
                finished_early += 1;
            }
            None => {
                child.kill().expect("SIGKILL");
                child.wait().expect("reap");
                killed += 1;
            }
        }
        let storage = open(&dir_path).expect("the store opens after a kill");
        let carol = Group::<Suite>::load(&storage, GROUP_ID).expect("Carol loads after a kill");
        let now = carol.log_position();
        assert!(
            now >= position,
            "the position went back from {position} to {now}"
        );
        assert_eq!(
            carol.to_bytes().expect("bytes").as_bytes(),
            expected[now as usize].as_bytes(),
            "after a kill, Carol is not exactly at position {now}"
        );
        progress.push(now - position);
        // About five entries a run: shorter waits when runs get far, longer when they do not.
        let done = now - position;
        if done > 8 {
            delay_us = (delay_us * 2 / 3).max(500);
        } else if done < 3 {
            delay_us = (delay_us * 3 / 2).min(200_000);
        }
        position = now;
    }

    // The last run goes to the end.
    let status = spawn().wait().expect("the last child");
    assert!(status.success(), "the last child failed: {status}");
    let storage = open(&dir_path).expect("store");
    let carol = Group::<Suite>::load(&storage, GROUP_ID).expect("Carol loads");
    assert_eq!(carol.log_position(), others.log.len() as u64);
    assert_eq!(
        carol.to_bytes().expect("bytes").as_bytes(),
        expected[others.log.len()].as_bytes()
    );
    assert_eq!(
        carol.epoch_authenticator(),
        others.members[0].epoch_authenticator(),
        "Carol agrees with the other members"
    );
    assert!(
        killed >= kills.min(others.log.len() / 5),
        "only {killed} kills landed before the stream ended"
    );
    let restarts_with_no_progress = progress.iter().filter(|done| **done == 0).count();
    println!(
        "crash: {killed} SIGKILLs ({finished_early} runs ended before their kill), {} entries \
         ({} commits), {restarts_with_no_progress} restarts killed before an entry was \
         recorded, mean {:.1} entries per run; every restart exactly at its recorded position; \
         {:.1} s",
        others.log.len(),
        others.commits,
        progress.iter().sum::<u64>() as f64 / progress.len().max(1) as f64,
        started.elapsed().as_secs_f64()
    );
}
