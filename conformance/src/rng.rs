//! Deterministic random sources, so that every check is reproducible.
//!
//! They live in the test suite of the crypto crate (`artmls_crypto::test_suite::rng`), where
//! provider crates reach them without depending on this crate; this module keeps the paths the
//! workspace's tests use.

pub use artmls_crypto::test_suite::rng::{DEFAULT_SEED, FixedRng, RecordingRng, ReplayRng, seeded};
