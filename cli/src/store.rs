//! Members kept in SQLite stores for `artmls demo --store DIR`, the demo's durable log of the
//! delivery service, and `artmls store inspect`.
//!
//! A demo directory holds:
//! - `member-<n>.sqlite` (and `member-creator.sqlite`): one store per member, as each device
//!   of a real group would have its own;
//! - `storage.key`: the key every member's records are sealed with (see [`DemoStore::create`]);
//! - `log`: what the delivery service accepted, in order, each entry length-prefixed,
//!   checksummed and synced before anyone acts on it, so a resumed run can hand members the
//!   entries they missed;
//! - `demo.json`: the run's parameters and how many operations completed.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use artmls::group::{CommitSummary, GroupConfig, GroupError, Received};
use artmls::messages::{Credential, GroupContext, KeyPackage};
use artmls::ordering::OrderingError;
use artmls::storage::{SharedStorage, Storage, StorageKey, StoreError, StoreSummary};
use artmls::tree_math::LeafIndex;
use artmls::{
    AnyGroup, AnyGroupError, AnyIdentity, AnyKeyPackageBundle, AnyOrderingService,
    AnyPendingCommit, Secret,
};
use artmls_conformance::group_checks::{Erased, GroupKind, SimulationError};
use artmls_sqlite::{SqliteOptions, SqliteStore, Synchronous};
use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

/// The file of the storage key in a demo directory.
pub(crate) const KEY_FILE: &str = "storage.key";
/// The delivery service's log in a demo directory.
pub(crate) const LOG_FILE: &str = "log";
/// The run's parameters in a demo directory.
pub(crate) const PARAMS_FILE: &str = "demo.json";

/// The parameters of a `demo --store` run, kept in `demo.json` so `--resume` continues the
/// same run (and refuses another).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct RunParams {
    /// The suite, as its id (`0xf001`).
    pub suite: String,
    /// The backend's name.
    pub backend: String,
    /// Members of the first commit.
    pub members: usize,
    /// Operations after the group is made.
    pub ops: usize,
    /// The run's seed.
    pub seed: u64,
    /// The SQLite `synchronous` setting of the members' stores.
    pub synchronous: String,
    /// Operations completed so far (informational: `--resume` counts the log's markers).
    pub ops_completed: usize,
}

impl RunParams {
    /// Reads `demo.json` of `dir`, with errors that say what is wrong with the directory.
    pub(crate) fn read(dir: &Path) -> Result<RunParams, String> {
        if !dir.is_dir() {
            return Err(format!("{} is not a directory", dir.display()));
        }
        let path = dir.join(PARAMS_FILE);
        let text = fs::read_to_string(&path).map_err(|e| {
            format!(
                "{} holds no demo run ({}: {e})",
                dir.display(),
                path.display()
            )
        })?;
        serde_json::from_str(&text).map_err(|e| format!("{} is damaged: {e}", path.display()))
    }

    /// Writes `demo.json` of `dir` atomically: a new file, synced, renamed over the old one.
    pub(crate) fn write(&self, dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        let temporary = dir.join(format!("{PARAMS_FILE}.tmp"));
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            fs::rename(&temporary, dir.join(PARAMS_FILE))?;
            sync_dir(dir)
        };
        write().map_err(|e| format!("writing {}: {e}", dir.join(PARAMS_FILE).display()))
    }
}

/// Syncs a directory, so a file created or renamed in it survives a crash.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// The name of a `Synchronous` setting, as `demo.json` and `--help` spell it.
pub(crate) fn synchronous_name(synchronous: Synchronous) -> &'static str {
    match synchronous {
        Synchronous::Full => "full",
        Synchronous::Off => "off",
        _ => "normal",
    }
}

/// A `Synchronous` setting from its name.
pub(crate) fn parse_synchronous(name: &str) -> Result<Synchronous, String> {
    match name {
        "full" => Ok(Synchronous::Full),
        "normal" => Ok(Synchronous::Normal),
        "off" => Ok(Synchronous::Off),
        other => Err(format!(
            "unknown synchronous setting '{other}' (full, normal or off)"
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// The log

/// One entry of the delivery service's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A message the service ordered (a commit or application message), with the Welcome of
    /// a commit that adds members. Message entries are numbered 0, 1, ... in log order: that
    /// number is the position members record.
    Message {
        /// The message.
        message: Vec<u8>,
        /// Its Welcome.
        welcome: Option<Vec<u8>>,
    },
    /// The Welcome of the group's first commit, before any message.
    InitialWelcome(Vec<u8>),
    /// Operation `n` (counted from 0) of the run completed.
    Done(u64),
}

const TAG_MESSAGE: u8 = 1;
const TAG_MESSAGE_WELCOME: u8 = 2;
const TAG_INITIAL_WELCOME: u8 = 3;
const TAG_DONE: u8 = 4;

impl Entry {
    fn encode(&self) -> Result<Vec<u8>, String> {
        let mut body = Vec::new();
        match self {
            Entry::Message {
                message,
                welcome: None,
            } => {
                body.push(TAG_MESSAGE);
                body.extend_from_slice(message);
            }
            Entry::Message {
                message,
                welcome: Some(welcome),
            } => {
                body.push(TAG_MESSAGE_WELCOME);
                body.extend_from_slice(&length_of(message)?.to_le_bytes());
                body.extend_from_slice(message);
                body.extend_from_slice(welcome);
            }
            Entry::InitialWelcome(welcome) => {
                body.push(TAG_INITIAL_WELCOME);
                body.extend_from_slice(welcome);
            }
            Entry::Done(step) => {
                body.push(TAG_DONE);
                body.extend_from_slice(&step.to_le_bytes());
            }
        }
        Ok(body)
    }

    fn decode(body: &[u8]) -> Option<Entry> {
        let (&tag, rest) = body.split_first()?;
        match tag {
            TAG_MESSAGE => Some(Entry::Message {
                message: rest.to_vec(),
                welcome: None,
            }),
            TAG_MESSAGE_WELCOME => {
                let (length, rest) = rest.split_first_chunk::<4>()?;
                let length = usize::try_from(u32::from_le_bytes(*length)).ok()?;
                if length > rest.len() {
                    return None;
                }
                let (message, welcome) = rest.split_at(length);
                Some(Entry::Message {
                    message: message.to_vec(),
                    welcome: Some(welcome.to_vec()),
                })
            }
            TAG_INITIAL_WELCOME => Some(Entry::InitialWelcome(rest.to_vec())),
            TAG_DONE => Some(Entry::Done(u64::from_le_bytes(rest.try_into().ok()?))),
            _ => None,
        }
    }
}

fn length_of(bytes: &[u8]) -> Result<u32, String> {
    u32::try_from(bytes.len()).map_err(|_| "a log entry over 4 GiB".to_string())
}

/// FNV-1a, 64 bits: not a defence against tampering (the members check every message
/// themselves), only a way to tell an entry torn by a crash from a whole one.
fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A log entry as read back, and where it starts in the file.
#[derive(Debug)]
pub(crate) struct LoggedEntry {
    /// The byte offset of the entry.
    pub offset: u64,
    /// The entry.
    pub entry: Entry,
}

/// Reads every whole entry of a log. An entry cut short at the end of the file (the process
/// died while appending it) is left out, and the length up to it returned, so the caller can
/// cut the file there; a damaged entry anywhere else is an error.
pub(crate) fn read_log(path: &Path) -> Result<(Vec<LoggedEntry>, u64), String> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    let mut entries = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let Some((length, after)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let length = u32::from_le_bytes(*length) as usize;
        if after.len() < length + 8 {
            break;
        }
        let (body, after) = after.split_at(length);
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&after[..8]);
        let whole = 4 + length + 8;
        let entry = (u64::from_le_bytes(sum) == checksum(body))
            .then(|| Entry::decode(body))
            .flatten();
        match entry {
            Some(entry) => entries.push(LoggedEntry {
                offset: at as u64,
                entry,
            }),
            // The last entry, garbled: torn by a crash while it was written.
            None if at + whole == bytes.len() => break,
            None => {
                return Err(format!(
                    "{} is damaged at byte {at}: an entry does not check out",
                    path.display()
                ));
            }
        }
        at += whole;
    }
    Ok((entries, at as u64))
}

/// The log, open for appending.
#[derive(Debug)]
struct Log {
    file: File,
    /// Message entries so far: the position of the next one.
    messages: usize,
}

impl Log {
    /// Appends an entry and syncs it: when this returns, the entry survives a crash.
    fn append(&mut self, entry: &Entry) -> Result<(), String> {
        let body = entry.encode()?;
        let mut record = Vec::with_capacity(body.len() + 12);
        record.extend_from_slice(&length_of(&body)?.to_le_bytes());
        record.extend_from_slice(&body);
        record.extend_from_slice(&checksum(&body).to_le_bytes());
        self.file
            .write_all(&record)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| format!("appending to the log: {e}"))?;
        if matches!(entry, Entry::Message { .. }) {
            self.messages += 1;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The demo's directory

/// Set by `--stop-after`: how many more messages members may process before the process
/// exits at once, as a crash would stop it (`usize::MAX`: never).
static STOP_BUDGET: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Makes the process exit abruptly after `processed` more messages are processed by members:
/// in the middle of an operation, with some members ahead of others.
pub(crate) fn stop_after_processing(processed: usize) {
    STOP_BUDGET.store(processed.max(1), Ordering::SeqCst);
}

fn count_down_to_stop() {
    let before = STOP_BUDGET.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |budget| {
        (budget != usize::MAX && budget > 0).then(|| budget - 1)
    });
    if before == Ok(1) {
        eprintln!("stopping abruptly (--stop-after), in the middle of an operation");
        // No destructors, no flushing: what a crash leaves behind, short of the OS losing
        // its caches.
        std::process::exit(3);
    }
}

/// A demo directory in use: the members' stores, their key, and the log.
pub(crate) struct DemoStore {
    dir: PathBuf,
    /// The storage key's bytes, to open each member's store with.
    key: [u8; 32],
    options: SqliteOptions,
    /// Every member's store, by member name.
    stores: Mutex<HashMap<Vec<u8>, SharedStorage>>,
    log: Mutex<Log>,
}

impl Drop for DemoStore {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.key);
    }
}

impl std::fmt::Debug for DemoStore {
    // Not derived: the storage key must not be printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoStore")
            .field("dir", &self.dir)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>, SimulationError> {
    mutex
        .lock()
        .map_err(|_| SimulationError::Storage("a thread panicked holding the demo's store".into()))
}

fn store_failed(what: &'static str) -> impl Fn(StoreError) -> SimulationError {
    move |error| SimulationError::Group {
        what,
        source: GroupError::Storage(error),
    }
}

fn erased_failed(what: &'static str) -> impl Fn(AnyGroupError) -> SimulationError {
    move |source| SimulationError::Erased { what, source }
}

impl DemoStore {
    /// Makes a new demo directory (or uses an empty one): a new random storage key in
    /// `storage.key`, an empty log.
    ///
    /// The key file is only there so that `--resume` can open the stores again: a real
    /// application keeps its storage key in the platform's keyring (Keychain, Credential
    /// Manager, Secret Service, Android Keystore) and never next to the data it protects.
    pub(crate) fn create(dir: &Path, options: SqliteOptions) -> Result<DemoStore, String> {
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        if dir.join(PARAMS_FILE).exists() || dir.join(KEY_FILE).exists() {
            return Err(format!(
                "{} holds a demo run already: continue it with --resume, or choose an empty directory",
                dir.display()
            ));
        }
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        let mut file = key_file_options()
            .open(dir.join(KEY_FILE))
            .map_err(|e| format!("creating {}: {e}", dir.join(KEY_FILE).display()))?;
        file.write_all(&key)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("writing {}: {e}", dir.join(KEY_FILE).display()))?;
        let log = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(dir.join(LOG_FILE))
            .map_err(|e| format!("creating {}: {e}", dir.join(LOG_FILE).display()))?;
        sync_dir(dir).map_err(|e| format!("syncing {}: {e}", dir.display()))?;
        Ok(DemoStore {
            dir: dir.to_path_buf(),
            key,
            options,
            stores: Mutex::new(HashMap::new()),
            log: Mutex::new(Log {
                file: log,
                messages: 0,
            }),
        })
    }

    /// Opens an existing demo directory: its key, and its log, cut after the last whole
    /// entry and then after `keep` (the log's entries to keep, see `--resume`).
    pub(crate) fn open(
        dir: &Path,
        options: SqliteOptions,
    ) -> Result<(DemoStore, Vec<LoggedEntry>, u64), String> {
        let key_path = dir.join(KEY_FILE);
        let mut key_bytes = Vec::new();
        File::open(&key_path)
            .and_then(|mut file| file.read_to_end(&mut key_bytes))
            .map_err(|e| format!("reading {}: {e}", key_path.display()))?;
        let key: Result<[u8; 32], _> = key_bytes.as_slice().try_into();
        zeroize::Zeroize::zeroize(&mut key_bytes);
        let key = key.map_err(|_| format!("{} is not a 32-byte key", key_path.display()))?;
        let log_path = dir.join(LOG_FILE);
        let (entries, length) = read_log(&log_path)?;
        let file = OpenOptions::new()
            .append(true)
            .open(&log_path)
            .map_err(|e| format!("opening {}: {e}", log_path.display()))?;
        let messages = entries
            .iter()
            .filter(|logged| matches!(logged.entry, Entry::Message { .. }))
            .count();
        let store = DemoStore {
            dir: dir.to_path_buf(),
            key,
            options,
            stores: Mutex::new(HashMap::new()),
            log: Mutex::new(Log { file, messages }),
        };
        store.truncate_log(length, messages)?;
        Ok((store, entries, length))
    }

    /// Cuts the log at byte `length`, leaving `messages` message entries.
    pub(crate) fn truncate_log(&self, length: u64, messages: usize) -> Result<(), String> {
        let mut log = self.log.lock().map_err(|_| "the log's lock is poisoned")?;
        log.file
            .set_len(length)
            .and_then(|()| log.file.sync_all())
            .map_err(|e| format!("cutting the log: {e}"))?;
        log.messages = messages;
        Ok(())
    }

    /// The directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The position the next message entry of the log will have.
    pub(crate) fn messages(&self) -> Result<usize, SimulationError> {
        Ok(lock(&self.log)?.messages)
    }

    /// Appends an entry to the log, synced.
    pub(crate) fn append(&self, entry: &Entry) -> Result<(), SimulationError> {
        lock(&self.log)?
            .append(entry)
            .map_err(SimulationError::Storage)
    }

    /// The store file of the member named `name`.
    pub(crate) fn member_path(&self, name: &[u8]) -> Result<PathBuf, SimulationError> {
        let text = std::str::from_utf8(name)
            .ok()
            .filter(|text| {
                !text.is_empty()
                    && text
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .ok_or_else(|| {
                SimulationError::Storage(format!(
                    "member name {} is not usable as a file name",
                    String::from_utf8_lossy(name)
                ))
            })?;
        Ok(self.dir.join(format!("{text}.sqlite")))
    }

    /// The store of the member named `name`, opened on first use.
    pub(crate) fn member(&self, name: &[u8]) -> Result<SharedStorage, SimulationError> {
        let mut stores = lock(&self.stores)?;
        if let Some(storage) = stores.get(name) {
            return Ok(storage.clone());
        }
        let path = self.member_path(name)?;
        let store = SqliteStore::open_with(&path, self.options.clone()).map_err(|error| {
            SimulationError::Storage(format!("opening {}: {error}", path.display()))
        })?;
        let storage = Storage::new(store, StorageKey::new(self.key)).into_shared();
        stores.insert(name.to_vec(), storage.clone());
        Ok(storage)
    }

    /// Closes the store of a member no longer needed (a stray file `--resume` found).
    pub(crate) fn close(&self, name: &[u8]) -> Result<(), SimulationError> {
        lock(&self.stores)?.remove(name);
        Ok(())
    }

    /// A removed member's group is deleted from its store (its secrets with it), the store
    /// closed and its files removed.
    fn retire(&self, group: AnyGroup) -> Result<(), SimulationError> {
        let name = member_name(&group)?;
        let group_id = group.group_id().to_vec();
        let storage = self.member(&name)?;
        storage
            .lock()
            .map_err(store_failed("open a removed member's store"))?
            .delete_group(&group_id)
            .map_err(store_failed("delete a removed member's group"))?;
        // The group holds the store open too: both go before the files.
        drop(group);
        drop(storage);
        self.close(&name)?;
        let path = self.member_path(&name)?;
        for suffix in ["", "-wal", "-journal"] {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            match fs::remove_file(&file) {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    return Err(SimulationError::Storage(format!(
                        "removing {}: {error}",
                        PathBuf::from(file).display()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Options that create a new key file, readable by its owner only (the demo's storage key,
/// a client's keys).
#[cfg(unix)]
pub(crate) fn key_file_options() -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    // Readable by its owner only, from the moment it exists.
    options.write(true).create_new(true).mode(0o600);
    options
}

#[cfg(not(unix))]
pub(crate) fn key_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    options
}

/// The name in a member's basic credential: what its store file is named after.
pub(crate) fn member_name(group: &AnyGroup) -> Result<Vec<u8>, SimulationError> {
    match group.credential() {
        Credential::Basic { identity } => Ok(identity.clone()),
        _ => Err(SimulationError::Storage(
            "a member without a basic credential".into(),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// The simulation's members, kept in stores

/// Erased groups as [`Erased`] makes them, each member kept in its own store of a
/// [`DemoStore`], and every message the service orders written to its log first.
#[derive(Debug, Clone)]
pub(crate) struct StoredErased {
    /// How members are made.
    pub erased: Erased,
    /// Where they are kept.
    pub store: Arc<DemoStore>,
}

impl StoredErased {
    /// Keeps a member just made in its own store.
    fn attach(&self, name: &[u8], mut group: AnyGroup) -> Result<AnyGroup, SimulationError> {
        let storage = self.store.member(name)?;
        group
            .attach_storage(&storage)
            .map_err(SimulationError::group("attach the store"))?;
        Ok(group)
    }

    /// An ordering service that numbers its messages from `base` on: after a resume, the
    /// service starts from the group's current state, its log from where the file's ends.
    pub(crate) fn service_from(
        &self,
        group_info: &[u8],
        base: usize,
    ) -> Result<StoredService, SimulationError> {
        let mut inner = self.erased.service()?;
        inner.create_group(group_info)?;
        Ok(StoredService {
            inner,
            base,
            store: self.store.clone(),
        })
    }
}

/// The ordering service of a stored simulation.
#[derive(Debug)]
pub(crate) struct StoredService {
    inner: AnyOrderingService,
    /// The log position of the service's first message.
    base: usize,
    /// Where accepted messages are logged.
    store: Arc<DemoStore>,
}

impl GroupKind for StoredErased {
    type Group = AnyGroup;
    type Identity = AnyIdentity;
    type Bundle = AnyKeyPackageBundle;
    type Pending = AnyPendingCommit;
    type Service = StoredService;

    fn identity(
        &self,
        name: String,
        rng: &mut rand::rngs::StdRng,
    ) -> Result<AnyIdentity, SimulationError> {
        self.erased.identity(name, rng)
    }

    /// The KeyPackage is kept in the newcomer's store before anyone sees it, so the Welcome
    /// for it is opened from the store (`join_from_storage`), which uses it once.
    fn key_package(
        &self,
        identity: &AnyIdentity,
        rng: &mut rand::rngs::StdRng,
    ) -> Result<AnyKeyPackageBundle, SimulationError> {
        let bundle = self.erased.key_package(identity, rng)?;
        let storage = self.store.member(identity.name())?;
        let mut storage = storage
            .lock()
            .map_err(store_failed("open the newcomer's store"))?;
        bundle
            .save_to(&mut storage, identity)
            .map_err(erased_failed("keep the KeyPackage"))?;
        Ok(bundle)
    }

    fn public_key_package(bundle: &AnyKeyPackageBundle) -> &KeyPackage {
        Erased::public_key_package(bundle)
    }

    fn create(
        &self,
        identity: AnyIdentity,
        group_id: Vec<u8>,
        rng: &mut rand::rngs::StdRng,
    ) -> Result<AnyGroup, SimulationError> {
        let name = identity.name().to_vec();
        let group = self.erased.create(identity, group_id, rng)?;
        self.attach(&name, group)
    }

    fn initiate(
        &self,
        identity: AnyIdentity,
        group_id: Vec<u8>,
        key_packages: &[KeyPackage],
        rng: &mut rand::rngs::StdRng,
    ) -> Result<(AnyGroup, Vec<u8>), SimulationError> {
        let name = identity.name().to_vec();
        let (group, welcome) = self
            .erased
            .initiate(identity, group_id, key_packages, rng)?;
        let group = self.attach(&name, group)?;
        // The first members join from this Welcome; a resumed run finds it here for those
        // that had not joined yet.
        self.store.append(&Entry::InitialWelcome(welcome.clone()))?;
        Ok((group, welcome))
    }

    fn join(
        &self,
        welcome: &[u8],
        bundle: &AnyKeyPackageBundle,
        identity: AnyIdentity,
    ) -> Result<AnyGroup, SimulationError> {
        // The bundle in memory is not used: the store's copy is, and is deleted by the join.
        let _ = bundle;
        let storage = self.store.member(identity.name())?;
        let mut group = self
            .erased
            .provider
            .join_from_storage(&storage, welcome, GroupConfig::default())
            .map_err(erased_failed("join from the store"))?;
        // The commit that added this member is in the log already: the newcomer starts
        // reading after it.
        let start = self.store.messages()?;
        if start > 0 {
            group
                .set_log_position(start as u64)
                .map_err(SimulationError::group("record the read position"))?;
        }
        Ok(group)
    }

    fn service(&self) -> Result<StoredService, SimulationError> {
        Ok(StoredService {
            inner: self.erased.service()?,
            base: self.store.messages()?,
            store: self.store.clone(),
        })
    }

    fn register(service: &mut StoredService, group_info: &[u8]) -> Result<(), OrderingError> {
        service.inner.create_group(group_info)
    }

    /// Orders a message without logging it: the simulation submits with `submit_logged`.
    fn submit(service: &mut StoredService, message: &[u8]) -> Result<usize, OrderingError> {
        Ok(service.base + service.inner.submit(message)?)
    }

    /// The messages the service ordered since it started (after a resume, positions before
    /// its base are in the log file only).
    fn fetch<'a>(service: &'a StoredService, group_id: &[u8], from: usize) -> &'a [Vec<u8>] {
        service
            .inner
            .fetch(group_id, from.saturating_sub(service.base))
    }

    fn epoch(group: &AnyGroup) -> u64 {
        Erased::epoch(group)
    }

    fn epoch_authenticator(group: &AnyGroup) -> &Secret {
        Erased::epoch_authenticator(group)
    }

    fn context(group: &AnyGroup) -> &GroupContext {
        Erased::context(group)
    }

    fn member_count(group: &AnyGroup) -> usize {
        Erased::member_count(group)
    }

    fn own_leaf(group: &AnyGroup) -> LeafIndex {
        Erased::own_leaf(group)
    }

    fn needs_update(group: &AnyGroup) -> bool {
        Erased::needs_update(group)
    }

    fn public_group_info(group: &AnyGroup) -> Result<Vec<u8>, GroupError> {
        Erased::public_group_info(group)
    }

    fn process_message(group: &mut AnyGroup, message: &[u8]) -> Result<Received, GroupError> {
        Erased::process_message(group, message)
    }

    fn commit_update(
        group: &AnyGroup,
        rng: &mut rand::rngs::StdRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        Erased::commit_update(group, rng)
    }

    fn commit_add(
        group: &AnyGroup,
        key_packages: &[KeyPackage],
        rng: &mut rand::rngs::StdRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        Erased::commit_add(group, key_packages, rng)
    }

    fn commit_remove(
        group: &AnyGroup,
        leaves: &[LeafIndex],
        rng: &mut rand::rngs::StdRng,
    ) -> Result<AnyPendingCommit, GroupError> {
        Erased::commit_remove(group, leaves, rng)
    }

    fn merge_pending_commit(
        group: &mut AnyGroup,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, SimulationError> {
        Erased::merge_pending_commit(group, pending)
    }

    fn encrypt_application(
        group: &mut AnyGroup,
        data: &[u8],
        rng: &mut rand::rngs::StdRng,
    ) -> Result<Vec<u8>, GroupError> {
        Erased::encrypt_application(group, data, rng)
    }

    fn pending_message(pending: &AnyPendingCommit) -> &[u8] {
        Erased::pending_message(pending)
    }

    fn pending_welcome(pending: &AnyPendingCommit) -> Option<&[u8]> {
        Erased::pending_welcome(pending)
    }

    /// The service orders the message, and the log keeps it (with its Welcome) before
    /// anyone, the sender included, acts on it.
    fn submit_logged(
        service: &mut StoredService,
        message: &[u8],
        welcome: Option<&[u8]>,
    ) -> Result<usize, SimulationError> {
        let position = Self::submit(service, message)?;
        let sink = &service.store;
        let expected = sink.messages()?;
        if expected != position {
            return Err(SimulationError::Storage(format!(
                "the service ordered the message at {position}, the log is at {expected}"
            )));
        }
        sink.append(&Entry::Message {
            message: message.to_vec(),
            welcome: welcome.map(<[u8]>::to_vec),
        })?;
        Ok(position)
    }

    fn process_message_at(
        group: &mut AnyGroup,
        position: usize,
        message: &[u8],
    ) -> Result<Received, GroupError> {
        let received = group.process_message_at(position as u64, message);
        count_down_to_stop();
        received
    }

    fn merge_pending_commit_at(
        group: &mut AnyGroup,
        position: usize,
        pending: AnyPendingCommit,
    ) -> Result<CommitSummary, SimulationError> {
        group
            .merge_pending_commit_at(position as u64, pending)
            .map_err(erased_failed("merge own commit"))
    }

    fn sent_at(group: &mut AnyGroup, position: usize) -> Result<(), SimulationError> {
        group
            .set_log_position(position as u64 + 1)
            .map_err(SimulationError::group("record the read position"))
    }

    fn retire(&self, group: AnyGroup) -> Result<(), SimulationError> {
        self.store.retire(group)
    }
}

// ---------------------------------------------------------------------------------------------
// `artmls store`

/// `artmls store`: look at stores.
#[derive(Subcommand, Debug, Clone)]
pub(crate) enum StoreCommand {
    /// List what a store holds, without its key and without any secret: engine, schema
    /// version, size, and per group its id, suite, epoch, write count, tree node records,
    /// past epochs kept and bytes; and the KeyPackages waiting for a Welcome.
    ///
    /// PATH is a SQLite store, or a directory: every `*.sqlite` in it (a `demo --store`
    /// directory, say). A store open in another process is locked; inspecting it says so.
    Inspect(InspectArgs),
}

/// Options of `artmls store inspect`.
#[derive(Args, Debug, Clone)]
pub(crate) struct InspectArgs {
    /// A store file, or a directory of `*.sqlite` stores.
    pub path: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One store as `inspect` reports it.
#[derive(Debug, Serialize)]
struct InspectedStore {
    path: String,
    engine: &'static str,
    schema_version: u32,
    size_bytes: Option<u64>,
    groups: Vec<InspectedGroup>,
    key_packages: usize,
}

#[derive(Debug, Serialize)]
struct InspectedGroup {
    group_id: String,
    suite: String,
    epoch: u64,
    generation: u64,
    tree_nodes: usize,
    past_epochs: Vec<u64>,
    bytes: usize,
}

pub(crate) fn run(command: &StoreCommand) -> Result<(), String> {
    match command {
        StoreCommand::Inspect(args) => inspect(args),
    }
}

fn inspect(args: &InspectArgs) -> Result<(), String> {
    let path = &args.path;
    let metadata =
        fs::metadata(path).map_err(|e| format!("cannot inspect {}: {e}", path.display()))?;
    let files = if metadata.is_dir() {
        let mut files: Vec<PathBuf> = fs::read_dir(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|file| file.extension().is_some_and(|ext| ext == "sqlite") && file.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(format!("no *.sqlite store in {}", path.display()));
        }
        files
    } else {
        vec![path.clone()]
    };
    let mut inspected = Vec::new();
    let mut failures = Vec::new();
    for file in &files {
        match inspect_file(file) {
            Ok(store) => inspected.push(store),
            Err(error) => failures.push(error),
        }
    }
    if args.json {
        let text = serde_json::to_string_pretty(&inspected).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print_inspected(&inspected);
    }
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        n => Err(format!(
            "{n} stores could not be read:\n  {}",
            failures.join("\n  ")
        )),
    }
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

fn inspect_file(path: &Path) -> Result<InspectedStore, String> {
    let shown = path.display();
    // Opening creates a store where there is none, and sets up an empty or foreign file as
    // one: an inspector must not, so a file that is not a SQLite database is refused first.
    let mut header = [0u8; 16];
    let read = File::open(path)
        .and_then(|mut file| file.read(&mut header))
        .map_err(|e| format!("cannot inspect {shown}: {e}"))?;
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(format!("{shown} is not a SQLite database"));
    }
    let store = SqliteStore::open(path).map_err(|error| match error {
        StoreError::Locked => format!(
            "{shown} is in use by another process (a running demo?): a store is open in one process at a time; try again once it is closed"
        ),
        StoreError::NewerSchema { found, supported } => format!(
            "{shown} has schema version {found}, newer than this artmls reads ({supported}): upgrade artmls"
        ),
        StoreError::Corrupt(reason) => format!("{shown} is not a readable store: {reason}"),
        other => format!("{shown}: {other}"),
    })?;
    // The summary reads only the records' clear metadata and never opens a body, so the key
    // given here is never used: inspecting needs no storage key and shows no secret.
    let storage = Storage::new(store, StorageKey::new([0; 32]));
    let summary: StoreSummary = storage
        .summary()
        .map_err(|error| format!("{shown}: {error}"))?;
    Ok(InspectedStore {
        path: shown.to_string(),
        engine: summary.info.engine,
        schema_version: summary.info.schema_version,
        size_bytes: summary.info.size_bytes,
        groups: summary
            .groups
            .iter()
            .map(|group| InspectedGroup {
                group_id: hex::encode(&group.group_id),
                suite: format!("{:#06x}", group.suite),
                epoch: group.epoch,
                generation: group.generation,
                tree_nodes: group.tree_nodes,
                past_epochs: group.past_epochs.clone(),
                bytes: group.bytes,
            })
            .collect(),
        key_packages: summary.key_packages,
    })
}

fn print_inspected(stores: &[InspectedStore]) {
    for store in stores {
        let size = store
            .size_bytes
            .map_or("size unknown".to_string(), |bytes| format!("{bytes} bytes"));
        println!(
            "{}: {} schema {}, {size}, {} KeyPackage(s) waiting",
            store.path, store.engine, store.schema_version, store.key_packages
        );
        if store.groups.is_empty() {
            println!("  no group");
            continue;
        }
        println!(
            "  {:<20} {:<7} {:>7} {:>10} {:>10} {:<16} {:>9}",
            "group id", "suite", "epoch", "generation", "tree nodes", "past epochs", "bytes"
        );
        for group in &store.groups {
            let past = match (group.past_epochs.first(), group.past_epochs.last()) {
                (None, _) | (_, None) => "-".to_string(),
                (Some(first), Some(last)) if first == last => first.to_string(),
                (Some(first), Some(last)) => {
                    format!("{} ({first}..{last})", group.past_epochs.len())
                }
            };
            println!(
                "  {:<20} {:<7} {:>7} {:>10} {:>10} {:<16} {:>9}",
                group.group_id,
                group.suite,
                group.epoch,
                group.generation,
                group.tree_nodes,
                past,
                group.bytes
            );
        }
    }
}
