//! Groups kept in SQLite stores pass the shared storage checks, for every suite dalek serves.

use artmls::storage::Store;
use artmls::storage::test_suite::verify_group_storage;
use artmls_sqlite::SqliteStore;

/// A new store in a directory of its own, kept until the test ends.
fn fresh_stores() -> (tempfile::TempDir, impl FnMut() -> Box<dyn Store>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let root = dir.path().to_path_buf();
    let mut count = 0;
    let fresh = move || {
        count += 1;
        let store = SqliteStore::open(root.join(format!("store-{count}.sqlite"))).expect("open");
        Box::new(store) as Box<dyn Store>
    };
    (dir, fresh)
}

#[test]
fn groups_in_sqlite_pass_the_storage_checks_suite_f001() {
    let (_dir, mut fresh) = fresh_stores();
    verify_group_storage::<artmls_dalek::X25519Aes128GcmSha256Ed25519>(&mut fresh);
}

#[test]
fn groups_in_sqlite_pass_the_storage_checks_suite_f003() {
    let (_dir, mut fresh) = fresh_stores();
    verify_group_storage::<artmls_dalek::X25519ChaCha20Poly1305Sha256Ed25519>(&mut fresh);
}
