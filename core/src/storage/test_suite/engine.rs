//! Checks of a storage engine on its own.

use crate::storage::Store;

/// Checks a storage engine: `fresh` makes a new, empty store each time it is called.
pub fn verify_store(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let store = fresh();
    assert!(store.info().is_ok());
}
