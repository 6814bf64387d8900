//! A member's directory: its settings, its two keys, and its store.
//!
//! ```text
//! DIR/client.json    name, suite, backend, server
//! DIR/identity.key   the signing key of the member's credential (mode 0600)
//! DIR/storage.key    the key the store's records are sealed with (mode 0600)
//! DIR/store.sqlite   the groups and the unused KeyPackages (artmls-sqlite)
//! ```
//!
//! The key files are there so that each command, a process of its own, can open the member
//! again. A real application keeps both keys in the platform's keystore (Keychain, Credential
//! Manager, Secret Service, Android Keystore), never in files next to the data they protect.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use artmls::storage::{SharedStorage, Storage, StorageKey, StoreError};
use artmls::{AnyGroup, AnyIdentity, Provider, SuiteId};
use artmls_service::DeliveryClient;
use artmls_sqlite::SqliteStore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use super::{describe, group_label};

const CONFIG_FILE: &str = "client.json";
const IDENTITY_FILE: &str = "identity.key";
const STORAGE_KEY_FILE: &str = "storage.key";
const STORE_FILE: &str = "store.sqlite";

/// What `client.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Config {
    /// The name in the member's credential: what others invite and remove it by.
    pub name: String,
    /// The cipher suite, as its id (`0xf001`).
    pub suite: String,
    /// The backend's name.
    pub backend: String,
    /// The server's address.
    pub server: String,
}

/// A member opened from its directory: its identity, its store and its server.
pub(super) struct Member {
    pub dir: PathBuf,
    pub config: Config,
    pub suite: SuiteId,
    pub provider: &'static dyn Provider,
    pub identity: AnyIdentity,
    pub storage: SharedStorage,
    pub server: DeliveryClient,
}

impl std::fmt::Debug for Member {
    // Not derived: the storage holds the storage key, which must not be printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("dir", &self.dir)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What `init` is given.
#[derive(Debug)]
pub(super) struct NewMember<'a> {
    pub name: &'a str,
    pub suite: &'a str,
    pub backend: Option<&'a str>,
    pub server: &'a str,
}

impl Member {
    /// Makes a new member in `dir` (created if missing): a new identity, a new storage key,
    /// an empty store and `client.json`. A directory that holds a member already is refused.
    pub(super) fn init(dir: &Path, new: &NewMember<'_>) -> Result<Member, String> {
        if dir.join(CONFIG_FILE).exists() {
            return Err(format!(
                "{} holds a member already; choose another directory",
                dir.display()
            ));
        }
        if dir.join(IDENTITY_FILE).exists() || dir.join(STORAGE_KEY_FILE).exists() {
            return Err(format!(
                "{} holds keys from an init that did not finish; remove the directory and run init again",
                dir.display()
            ));
        }
        check_name(new.name)?;
        let (suite, backend) = crate::pick(new.suite, new.backend)?;
        let provider = artmls_providers::find(backend).map_err(|e| e.to_string())?;
        fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;

        let mut rng = rand::rng();
        let identity = provider
            .identity(suite, new.name.as_bytes(), &mut rng)
            .map_err(|e| format!("making the identity: {e}"))?;
        write_key_file(
            &dir.join(IDENTITY_FILE),
            identity.signing_key_bytes().as_bytes(),
        )?;
        let mut storage_key = [0u8; 32];
        rand::fill(&mut storage_key);
        let written = write_key_file(&dir.join(STORAGE_KEY_FILE), &storage_key);
        let storage = written.and_then(|()| open_store(dir, StorageKey::new(storage_key)));
        storage_key.zeroize();
        let storage = storage?;

        let config = Config {
            name: new.name.to_owned(),
            suite: format!("{:#06x}", suite.0),
            backend: backend.to_owned(),
            server: new.server.to_owned(),
        };
        // Written last: a directory with `client.json` is a whole member.
        let text = serde_json::to_string_pretty(&config).map_err(|e| e.to_string())?;
        fs::write(dir.join(CONFIG_FILE), format!("{text}\n"))
            .map_err(|e| format!("writing {}: {e}", dir.join(CONFIG_FILE).display()))?;
        Ok(Member {
            dir: dir.to_path_buf(),
            server: DeliveryClient::new(config.server.clone()),
            config,
            suite,
            provider,
            identity,
            storage,
        })
    }

    /// Opens the member kept in `dir`; `server` replaces the address in `client.json` for
    /// this command.
    pub(super) fn open(dir: &Path, server: Option<&str>) -> Result<Member, String> {
        let config_path = dir.join(CONFIG_FILE);
        let text = match fs::read_to_string(&config_path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "{} is not a client directory (no {CONFIG_FILE}); make one with `artmls client --dir {} init --name NAME`",
                    dir.display(),
                    dir.display()
                ));
            }
            Err(error) => return Err(format!("reading {}: {error}", config_path.display())),
        };
        let mut config: Config = serde_json::from_str(&text)
            .map_err(|e| format!("{} is damaged: {e}", config_path.display()))?;
        if let Some(server) = server {
            config.server = server.to_owned();
        }
        let suite = crate::parse_suite(&config.suite)?;
        let provider = artmls_providers::find(&config.backend).map_err(|e| e.to_string())?;

        let mut signing_key = read_key_file(&dir.join(IDENTITY_FILE))?;
        let identity =
            provider.identity_from_signing_key(suite, config.name.as_bytes(), &signing_key);
        signing_key.zeroize();
        let identity = identity.map_err(|e| {
            format!(
                "{} does not hold a signing key of {}: {e}",
                dir.join(IDENTITY_FILE).display(),
                config.suite
            )
        })?;

        let mut key_bytes = read_key_file(&dir.join(STORAGE_KEY_FILE))?;
        let key: Result<[u8; 32], _> = key_bytes.as_slice().try_into();
        key_bytes.zeroize();
        let mut key = key.map_err(|_| {
            format!(
                "{} is not a 32-byte key",
                dir.join(STORAGE_KEY_FILE).display()
            )
        })?;
        let storage = open_store(dir, StorageKey::new(key));
        key.zeroize();
        Ok(Member {
            dir: dir.to_path_buf(),
            server: DeliveryClient::new(config.server.clone()),
            config,
            suite,
            provider,
            identity,
            storage: storage?,
        })
    }

    /// The ids of the groups in the store, in the store's order.
    pub(super) fn group_ids(&self) -> Result<Vec<Vec<u8>>, String> {
        let summary = self
            .storage
            .lock()
            .and_then(|storage| storage.summary())
            .map_err(|e| format!("reading the store: {e}"))?;
        Ok(summary.groups.into_iter().map(|g| g.group_id).collect())
    }

    /// How many KeyPackages wait in the store for a Welcome.
    pub(super) fn stored_key_packages(&self) -> Result<usize, String> {
        let summary = self
            .storage
            .lock()
            .and_then(|storage| storage.summary())
            .map_err(|e| format!("reading the store: {e}"))?;
        Ok(summary.key_packages)
    }

    /// The group `group_id`, loaded from the store.
    pub(super) fn load(&self, group_id: &[u8]) -> Result<AnyGroup, String> {
        if !self.group_ids()?.iter().any(|id| id == group_id) {
            return Err(format!(
                "{} is not a member of {} (no such group in its store)",
                self.config.name,
                group_label(group_id)
            ));
        }
        self.provider
            .load(&self.storage, group_id)
            .map_err(|e| format!("loading {} from the store: {e}", group_label(group_id)))
    }

    /// Deletes a group from the store, with every secret of it: what a removed member does.
    pub(super) fn forget(&self, group_id: &[u8]) -> Result<(), String> {
        self.storage
            .lock()
            .and_then(|mut storage| storage.delete_group(group_id))
            .map_err(|e| format!("deleting {} from the store: {e}", group_label(group_id)))
    }

    /// Makes `count` KeyPackages; each one's private keys are in the store before the
    /// KeyPackage is published, so a Welcome made for it can always be opened.
    pub(super) async fn publish(&self, count: usize) -> Result<(), String> {
        let mut available = None;
        for _ in 0..count {
            let message = {
                let mut rng = rand::rng();
                let bundle = self
                    .identity
                    .key_package_with_rng(&mut rng)
                    .map_err(|e| format!("making a KeyPackage: {e}"))?;
                let mut storage = self
                    .storage
                    .lock()
                    .map_err(|e| format!("opening the store: {e}"))?;
                bundle
                    .save_to(&mut storage, &self.identity)
                    .map_err(|e| format!("saving a KeyPackage: {e}"))?;
                bundle
                    .key_package_message()
                    .map_err(|e| format!("encoding a KeyPackage: {e}"))?
            };
            let published = self
                .server
                .publish_key_package(&message)
                .await
                .map_err(|e| describe(&self.server, &e))?;
            available = Some(published.available);
        }
        if let Some(available) = available {
            println!(
                "published {count} KeyPackages for {}; the server holds {available}",
                self.config.name
            );
        }
        Ok(())
    }
}

/// A name is what others type to invite or remove a member, and what the server files its
/// KeyPackages under.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 255 {
        return Err("a name has 1 to 255 bytes".into());
    }
    if name.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "name '{}' has spaces or control characters; choose one word",
            name.escape_default()
        ));
    }
    Ok(())
}

fn open_store(dir: &Path, key: StorageKey) -> Result<SharedStorage, String> {
    let path = dir.join(STORE_FILE);
    let store = SqliteStore::open(&path).map_err(|error| match error {
        StoreError::Locked => format!(
            "{} is in use by another process (a `chat` or `receive --follow` of this member?)",
            path.display()
        ),
        other => format!("opening {}: {other}", path.display()),
    })?;
    Ok(Storage::new(store, key).into_shared())
}

/// Writes a new key file readable by its owner only, from the moment it exists.
fn write_key_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut file = crate::store::key_file_options()
        .open(path)
        .map_err(|e| format!("creating {}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

fn read_key_file(path: &Path) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|mut file| file.read_to_end(&mut bytes))
        .map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(bytes)
}
