#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod art_tree;
pub mod codec;
pub mod erased;
pub mod framing;
pub mod group;
pub mod key_schedule;
pub mod labels;
pub mod messages;
pub mod ordering;
pub mod provider;
pub mod secret_tree;
pub mod tree_math;
pub mod welcome;

// The crypto interface, re-exported so that `artmls` alone is enough to write against a suite.
use artmls_crypto::parallel;
pub use artmls_crypto::{self as crypto, error, hpke, secret, suite};
pub use artmls_crypto::{
    Aead, Backend, CipherSuite, Composed, CryptoError, DhGroup, HashFunction, Hpke, HpkeCiphertext,
    Kdf, Secret, SignatureScheme, SuiteId, SuiteInfo, SuiteVisitor, UnknownSuite,
};
pub use erased::{
    AnyGroup, AnyGroupError, AnyIdentity, AnyKeyPackageBundle, AnyOrderingService,
    AnyPendingCommit, AnyPublicGroup, AnyStagedCommit,
};
pub use provider::Provider;
