//! Checks of the group state kept in a store.

use crate::storage::Store;

/// Checks the group state kept in stores that `fresh` makes, new and empty each time.
pub fn verify_group_storage(fresh: &mut dyn FnMut() -> Box<dyn Store>) {
    let store = fresh();
    assert!(store.info().is_ok());
}
