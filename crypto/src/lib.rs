#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod error;
pub mod hpke;
pub mod parallel;
pub mod secret;
pub mod suite;
pub mod traits;
pub mod validate;

#[cfg(feature = "test-suite")]
pub mod test_suite;

pub use error::CryptoError;
pub use secret::{Secret, constant_time_eq};
pub use suite::{
    Backend, CipherSuite, Composed, SUITES, SuiteId, SuiteInfo, SuiteVisitor, UnknownSuite,
};
pub use traits::{Aead, DhGroup, HashFunction, Hpke, HpkeCiphertext, Kdf, SignatureScheme};
