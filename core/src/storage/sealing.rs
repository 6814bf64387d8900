//! The application's storage key, and the sealing of every record with it.
//!
//! ```text
//! prk        = Extract(salt = "artmls storage v1", ikm = storage key)      // the suite's KDF
//! aead_key   = Expand(prk, "record key", Nk)
//! nonce_key  = Expand(prk, "record nonce", Nh)
//! aad        = "artmls record v1" || uint16 suite || uint8 kind || uint64 index
//!              || uint64 epoch || uint64 generation || opaque scope<V>
//! nonce      = Extract(salt = nonce_key, ikm = aad || plaintext)[..Nn]
//! body       = nonce || Seal(aead_key, nonce, aad, plaintext)
//! ```
//!
//! The nonce is synthetic (derived from the record, as in SIV modes) rather than random, so
//! that writing needs no generator and a record written twice after a crash, with other
//! content under the same metadata, still never repeats a nonce with another plaintext.

use core::marker::PhantomData;

use super::{Record, RecordKey, StoreError, hex};
use crate::codec::write_varint;
use crate::crypto::{Aead, Kdf};
use crate::secret::Secret;
use crate::suite::CipherSuite;

const SALT: &[u8] = b"artmls storage v1";
const AAD_LABEL: &[u8] = b"artmls record v1";

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
        let key = Secret::from_slice(&bytes);
        // The caller's array is a copy we cannot erase; this one we can.
        let mut bytes = bytes;
        zeroize::Zeroize::zeroize(&mut bytes);
        StorageKey { key: Some(key) }
    }

    /// A fresh random key.
    pub fn generate_with_rng<R: rand_core::CryptoRng + ?Sized>(rng: &mut R) -> Self {
        let mut key = Secret::zero(32);
        rng.fill_bytes(key.as_mut_bytes());
        StorageKey { key: Some(key) }
    }

    /// No key: records are written in the clear, with no integrity. Only for looking at what
    /// a store writes (the forward-secrecy-on-disk tests do); never for a deployment.
    pub fn insecure_plaintext() -> Self {
        StorageKey { key: None }
    }

    /// Whether records are sealed.
    pub fn seals(&self) -> bool {
        self.key.is_some()
    }

    /// The keys for one suite's records.
    pub(crate) fn sealer<S: CipherSuite>(&self) -> Result<Sealer<S>, StoreError> {
        let Some(key) = &self.key else {
            return Ok(Sealer {
                keys: None,
                _suite: PhantomData,
            });
        };
        let prk = S::Kdf::extract(SALT, key.as_bytes());
        let derive = |label: &[u8], len| {
            S::Kdf::expand(prk.as_bytes(), label, len)
                .map_err(|_| StoreError::Corrupt("the suite's KDF refused a storage key".into()))
        };
        let aead_key = derive(b"record key", S::Aead::KEY_LEN)?;
        let nonce_key = derive(b"record nonce", S::Kdf::HASH_LEN)?;
        Ok(Sealer {
            keys: Some((aead_key, nonce_key)),
            _suite: PhantomData,
        })
    }
}

/// Seals and opens the records of one suite.
pub(crate) struct Sealer<S: CipherSuite> {
    /// The AEAD key and the nonce key; none when records are written in the clear.
    keys: Option<(Secret, Secret)>,
    _suite: PhantomData<fn() -> S>,
}

fn associated_data(suite: u16, key: &RecordKey, epoch: u64, generation: u64) -> Vec<u8> {
    let mut aad = Vec::with_capacity(AAD_LABEL.len() + 27 + 4 + key.scope.len());
    aad.extend_from_slice(AAD_LABEL);
    aad.extend_from_slice(&suite.to_be_bytes());
    aad.push(key.kind.code());
    aad.extend_from_slice(&key.index.to_be_bytes());
    aad.extend_from_slice(&epoch.to_be_bytes());
    aad.extend_from_slice(&generation.to_be_bytes());
    // A varint length cannot fail for a scope that fits in memory; if it did, the record
    // would still be bound to the bytes that follow.
    let _ = write_varint(&mut aad, key.scope.len());
    aad.extend_from_slice(&key.scope);
    aad
}

impl<S: CipherSuite> Sealer<S> {
    /// Seals `plaintext` as the record at `key` with this metadata.
    pub(crate) fn seal(
        &self,
        key: &RecordKey,
        epoch: u64,
        generation: u64,
        plaintext: &[u8],
    ) -> Result<Record, StoreError> {
        let suite = S::ID.0;
        let body = match &self.keys {
            None => plaintext.to_vec(),
            Some((aead_key, nonce_key)) => {
                let aad = associated_data(suite, key, epoch, generation);
                let input = Secret::write_exact(aad.len() + plaintext.len(), |out| {
                    out.extend_from_slice(&aad);
                    out.extend_from_slice(plaintext);
                    Ok::<_, core::convert::Infallible>(())
                })
                .map_err(|never| match never {})?;
                let nonce = S::Kdf::extract(nonce_key.as_bytes(), input.as_bytes());
                let nonce = &nonce.as_bytes()[..S::Aead::NONCE_LEN];
                let sealed = S::Aead::seal(aead_key.as_bytes(), nonce, &aad, plaintext)
                    .map_err(|_| StoreError::Corrupt("the suite's AEAD refused to seal".into()))?;
                let mut body = Vec::with_capacity(nonce.len() + sealed.len());
                body.extend_from_slice(nonce);
                body.extend_from_slice(&sealed);
                body
            }
        };
        Ok(Record {
            suite,
            epoch,
            generation,
            body,
        })
    }

    /// Opens the record found at `key`: the plaintext, or [`StoreError::Tampered`].
    pub(crate) fn open(&self, key: &RecordKey, record: &Record) -> Result<Secret, StoreError> {
        let tampered = || StoreError::Tampered {
            scope: hex(&key.scope),
            kind: key.kind,
            index: key.index,
        };
        if record.suite != S::ID.0 {
            return Err(tampered());
        }
        match &self.keys {
            None => Ok(Secret::from_slice(&record.body)),
            Some((aead_key, _)) => {
                if record.body.len() < S::Aead::NONCE_LEN + S::Aead::TAG_LEN {
                    return Err(tampered());
                }
                let (nonce, sealed) = record.body.split_at(S::Aead::NONCE_LEN);
                let aad = associated_data(record.suite, key, record.epoch, record.generation);
                S::Aead::open(aead_key.as_bytes(), nonce, &aad, sealed)
                    .map(Secret::new)
                    .map_err(|_| tampered())
            }
        }
    }
}
