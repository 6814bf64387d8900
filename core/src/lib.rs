#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
// The layers under `group`, which an application does not call. With feature `internals` they
// are public through [`internals`]; without it nothing outside this crate reaches them, which
// `unreachable_pub` would flag item by item, and items only the vector runner calls (or
// re-exports only it uses) would count as dead.
macro_rules! internal_layers {
    ($($layer:ident),*) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $layer;
        #[cfg(not(feature = "internals"))]
        #[allow(unreachable_pub, dead_code, unused_imports)]
        mod $layer;
    )*};
}
internal_layers!(
    art_tree,
    framing,
    key_schedule,
    labels,
    secret_tree,
    welcome
);
pub mod erased;
pub mod group;
pub mod messages;
pub mod ordering;
pub mod provider;
pub mod storage;
pub mod tree_math;

// The crypto interface, re-exported so that `artmls` alone is enough to write against a suite.
use artmls_crypto::parallel;
pub use artmls_crypto::{self as crypto, error, hpke, secret, suite};
pub use artmls_crypto::{
    Aead, Backend, CipherSuite, Composed, CryptoError, DhGroup, HashFunction, Hpke, HpkeCiphertext,
    Kdf, Secret, SignatureScheme, SuiteId, SuiteInfo, SuiteVisitor, UnknownSuite,
};
pub use erased::{
    AnyGroup, AnyGroupError, AnyIdentity, AnyKeyPackageBundle, AnyOrderingService,
    AnyPendingCommit, AnyPublicGroup, AnyStagedCommit, CheckedKeyPackage, welcome_recipients,
};
pub use provider::Provider;

// What the public API names from the internal layers: the errors `GroupError` wraps and the
// configuration `GroupConfig` holds.
pub use art_tree::TreeError;
pub use framing::{FramingError, Padding};
pub use key_schedule::KeyScheduleError;
pub use secret_tree::{SecretTreeConfig, SecretTreeError};
pub use welcome::WelcomeError;

/// The protocol layers under [`group`], for the vector runner, benchmarks and fuzz targets
/// (feature `internals`).
///
/// These APIs check less than [`group`] does and change without notice: an application
/// should not need them. Each module is one layer: the ART tree, framing, the key schedule,
/// the RFC 9420 labelled functions, the secret tree and the Welcome.
#[cfg(feature = "internals")]
pub mod internals {
    pub use crate::{art_tree, framing, key_schedule, labels, secret_tree, welcome};
}
