//! The application's storage key, and the sealing of every record with it.

use crate::secret::Secret;

/// The key every record of a store is sealed with. The application keeps it (in the
/// platform's keyring, say); the store never sees it.
pub struct StorageKey {
    key: Option<Secret>,
}

impl core::fmt::Debug for StorageKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StorageKey")
            .field("sealed", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl StorageKey {
    /// A key from 32 secret bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        StorageKey {
            key: Some(Secret::from(bytes.to_vec())),
        }
    }

    /// No key: records are written in the clear, with no integrity. Only for looking at what
    /// a store writes (the forward-secrecy-on-disk tests do); never for a deployment.
    pub fn insecure_plaintext() -> Self {
        StorageKey { key: None }
    }
}
