//! Checks every [`Store`](super::Store) must pass, for engine crates to call from their tests
//! (feature `test-suite`): [`verify_store`] checks the engine alone, [`verify_group_storage`]
//! the group state kept in it.

mod engine;
mod groups;

pub use engine::verify_store;
pub use groups::verify_group_storage;
