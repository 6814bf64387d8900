//! The group state kept in the in-memory store passes the shared storage checks (the SQLite
//! store runs the same checks in its own crate).
#![cfg(feature = "test-suite")]

use artmls::storage::test_suite::{verify_group_storage, verify_store};
use artmls::storage::{MemoryStore, Store};

#[test]
fn the_memory_store_passes_the_engine_checks() {
    verify_store(&mut || Box::new(MemoryStore::new()) as Box<dyn Store>);
}

#[test]
fn groups_kept_in_the_memory_store_pass_the_storage_checks() {
    verify_group_storage::<artmls_dalek::X25519Aes128GcmSha256Ed25519>(&mut || {
        Box::new(MemoryStore::new()) as Box<dyn Store>
    });
}
