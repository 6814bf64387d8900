#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod art_tree;
pub mod codec;
pub mod crypto;
pub mod error;
pub mod framing;
pub mod group;
pub mod hpke;
pub mod key_schedule;
pub mod labels;
pub mod messages;
pub mod ordering;
mod parallel;
pub mod secret;
pub mod secret_tree;
pub mod suite;
pub mod tree_math;
pub mod welcome;

pub use crypto::{Aead, DhGroup, Hash, Hpke, HpkeCiphertext, Kdf, Signature};
pub use error::CryptoError;
pub use secret::Secret;
pub use suite::{Backend, CipherSuite, Composed, SuiteId, SuiteInfo, SuiteVisitor};
