//! The crypto traits: the primitives a backend supplies.
//!
//! Each trait is small and static (no `self`): a backend implements it on a unit type, and a
//! cipher suite is a type that names one implementation of each (see [`crate::suite`]). Keys
//! are the backend's own types, so a backend can keep a key in the form its library computes
//! with fastest (a parsed point, a precomputed table) and parse it once.

use core::fmt::Debug;

use rand_core::CryptoRng;

use crate::error::CryptoError;
use crate::secret::Secret;

/// A Diffie-Hellman group (X25519, P-256) as HPKE's DHKEM uses it (RFC 9180 §4.1).
pub trait DhGroup: 'static {
    /// Human-readable name, e.g. `"X25519"`.
    const NAME: &'static str;
    /// The RFC 9180 KEM id of DHKEM over this group with its standard KDF
    /// (0x0020 for X25519/HKDF-SHA256, 0x0010 for P-256/HKDF-SHA256).
    const KEM_ID: u16;
    /// Length of a serialized private key (RFC 9180 `Nsk`).
    const PRIVATE_KEY_LEN: usize;
    /// Length of a serialized public key (RFC 9180 `Npk`).
    const PUBLIC_KEY_LEN: usize;
    /// Length of the Diffie-Hellman output (RFC 9180 `Ndh`).
    const SHARED_SECRET_LEN: usize;
    /// How RFC 9180 DeriveKeyPair maps bytes to a private key: `None` for the X25519 rule
    /// (any `Nsk` bytes are a key), `Some(mask)` for the NIST rule (mask the first byte and
    /// reject candidates outside `[1, n-1]`).
    const DERIVE_KEY_PAIR_BITMASK: Option<u8>;

    /// A private key. Implementations must zeroize it on drop and must not print it in `Debug`.
    type PrivateKey: Clone + Send + Sync + Debug;
    /// A validated public key; `as_ref()` is its wire form (X25519: 32 bytes; P-256: 65-byte
    /// uncompressed SEC1).
    type PublicKey: Clone + Eq + Send + Sync + Debug + AsRef<[u8]>;

    /// Parses a private key from its serialized form. P-256 rejects zero and values not below
    /// the group order.
    fn private_key_from_bytes(bytes: &[u8]) -> Result<Self::PrivateKey, CryptoError>;

    /// The serialized form of a private key.
    fn private_key_to_bytes(key: &Self::PrivateKey) -> Secret;

    /// The public key of a private key.
    fn public_key(key: &Self::PrivateKey) -> Self::PublicKey;

    /// Parses and validates a received public key. Rejects wrong lengths, points not on the
    /// curve, the identity, and encodings other than the wire form.
    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError>;

    /// Diffie-Hellman: X25519 per RFC 7748 (the all-zero output is rejected with
    /// [`CryptoError::ZeroSharedSecret`]); P-256 gives the 32-byte x-coordinate.
    fn dh(private: &Self::PrivateKey, public: &Self::PublicKey) -> Result<Secret, CryptoError>;

    /// A fresh key pair from `rng`: `Nsk` random bytes, retried while they are not a valid key.
    fn generate_key_pair<R: CryptoRng + ?Sized>(
        rng: &mut R,
    ) -> (Self::PrivateKey, Self::PublicKey) {
        let mut bytes = Secret::zero(Self::PRIVATE_KEY_LEN);
        loop {
            rng.fill_bytes(bytes.as_mut_bytes());
            if let Ok(private) = Self::private_key_from_bytes(bytes.as_bytes()) {
                let public = Self::public_key(&private);
                return (private, public);
            }
        }
    }

    /// RFC 9180 §7.1.3 DeriveKeyPair, with `K` the KEM's KDF.
    fn derive_key_pair<K: Kdf>(
        ikm: &[u8],
    ) -> Result<(Self::PrivateKey, Self::PublicKey), CryptoError>
    where
        Self: Sized,
    {
        crate::hpke::DhKem::<Self, K>::derive_key_pair(ikm)
    }
}

/// A key derivation function in the extract-and-expand shape of HKDF (RFC 5869).
pub trait Kdf: 'static {
    /// Human-readable name, e.g. `"HKDF-SHA256"`.
    const NAME: &'static str;
    /// The RFC 9180 KDF id (0x0001 for HKDF-SHA256).
    const KDF_ID: u16;
    /// Output length of Extract (`Nh`).
    const HASH_LEN: usize;

    /// HKDF-Extract. An empty salt means `Nh` zero bytes.
    fn extract(salt: &[u8], ikm: &[u8]) -> Secret;

    /// HKDF-Expand of `len` bytes. Fails when `len > 255 * Nh`.
    fn expand(prk: &[u8], info: &[u8], len: usize) -> Result<Secret, CryptoError>;
}

/// A hash function and its HMAC.
pub trait HashFunction: 'static {
    /// Human-readable name, e.g. `"SHA-256"`.
    const NAME: &'static str;
    /// Output length in bytes.
    const OUTPUT_LEN: usize;

    /// The digest of `data`.
    fn hash(data: &[u8]) -> Vec<u8>;

    /// HMAC of `data` under `key` (the RFC 9420 `MAC`). Compare tags with
    /// [`crate::constant_time_eq`].
    fn mac(key: &[u8], data: &[u8]) -> Vec<u8>;
}

/// An AEAD with a fixed key and nonce length (RFC 5116).
pub trait Aead: 'static {
    /// Human-readable name, e.g. `"AES-128-GCM"`.
    const NAME: &'static str;
    /// The RFC 9180 AEAD id (0x0001 AES-128-GCM, 0x0003 ChaCha20Poly1305).
    const AEAD_ID: u16;
    /// Key length (`Nk`).
    const KEY_LEN: usize;
    /// Nonce length (`Nn`).
    const NONCE_LEN: usize;
    /// Tag length (`Nt`).
    const TAG_LEN: usize;

    /// Encrypts `plaintext`; the result is the ciphertext followed by the tag.
    fn seal(key: &[u8], nonce: &[u8], aad: &[u8], plaintext: &[u8])
    -> Result<Vec<u8>, CryptoError>;

    /// Decrypts and authenticates `ciphertext` (ciphertext followed by the tag).
    fn open(
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
}

/// A signature scheme (Ed25519, ECDSA P-256 with SHA-256 and DER signatures).
pub trait SignatureScheme: 'static {
    /// Human-readable name, e.g. `"Ed25519"`.
    const NAME: &'static str;
    /// The TLS SignatureScheme value (0x0807 ed25519, 0x0403 ecdsa_secp256r1_sha256).
    const SCHEME: u16;

    /// A signing key. Implementations must zeroize it on drop and must not print it in `Debug`.
    type SigningKey: Send + Sync + Debug;
    /// A validated verifying key.
    type VerifyingKey: Clone + Send + Sync + Debug;

    /// Parses a signing key (Ed25519: the 32-byte seed; ECDSA: the 32-byte scalar).
    fn signing_key_from_bytes(bytes: &[u8]) -> Result<Self::SigningKey, CryptoError>;
    /// The serialized form of a signing key.
    fn signing_key_to_bytes(key: &Self::SigningKey) -> Secret;
    /// A fresh signing key from `rng`.
    fn generate_signing_key<R: CryptoRng + ?Sized>(rng: &mut R) -> Self::SigningKey;
    /// The verifying key of a signing key.
    fn verifying_key(key: &Self::SigningKey) -> Self::VerifyingKey;
    /// Parses and validates a verifying key (Ed25519: 32 bytes; ECDSA: 65-byte uncompressed SEC1).
    fn verifying_key_from_bytes(bytes: &[u8]) -> Result<Self::VerifyingKey, CryptoError>;
    /// The wire form of a verifying key.
    fn verifying_key_to_bytes(key: &Self::VerifyingKey) -> Vec<u8>;
    /// Signs `message`.
    fn sign(key: &Self::SigningKey, message: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// Verifies strictly: non-canonical encodings (Ed25519 `S >= L`, BER instead of DER) fail.
    fn verify(
        key: &Self::VerifyingKey,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError>;
}

/// The output of HPKE single-shot encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HpkeCiphertext {
    /// The encapsulated key (`enc`).
    pub kem_output: Vec<u8>,
    /// The AEAD ciphertext and tag.
    pub ciphertext: Vec<u8>,
}

/// HPKE (RFC 9180) single-shot base mode, as `EncryptWithLabel` uses it.
///
/// Contract, so that implementations are interchangeable and testable against RFC 9180
/// vectors: the ephemeral key pair of `seal_base` is `DeriveKeyPair(ikm)` with `ikm` the first
/// `Nsk` bytes drawn from `rng`.
pub trait Hpke: 'static {
    /// Human-readable name of the implementation.
    const NAME: &'static str;
    /// The RFC 9180 KEM id (a [`Composed`](crate::Composed) suite refuses to compile unless it
    /// is its DH group's [`DhGroup::KEM_ID`]).
    const KEM_ID: u16;
    /// The RFC 9180 KDF id (must be the suite KDF's [`Kdf::KDF_ID`]).
    const KDF_ID: u16;
    /// The RFC 9180 AEAD id (must be the suite AEAD's [`Aead::AEAD_ID`]).
    const AEAD_ID: u16;

    /// SealBase(pkR, info, aad, pt).
    fn seal_base<R: CryptoRng + ?Sized>(
        recipient: &[u8],
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<HpkeCiphertext, CryptoError>;

    /// SealBase to each of `recipients`, with one `info` and `aad` and the matching plaintext.
    /// Recipient `i` gets the ephemeral key of the `i`-th `Nsk` bytes drawn from `rng`, so the
    /// result equals `seal_base` called in order. Implementations may share the work that does
    /// not depend on the recipient (HPKE hashes `info` once per key schedule; a Welcome's
    /// `info` is the whole encrypted GroupInfo).
    fn seal_base_many<R: CryptoRng + ?Sized>(
        recipients: &[&[u8]],
        info: &[u8],
        aad: &[u8],
        plaintexts: &[&[u8]],
        rng: &mut R,
    ) -> Result<Vec<HpkeCiphertext>, CryptoError> {
        if recipients.len() != plaintexts.len() {
            return Err(CryptoError::Hpke("one plaintext per recipient"));
        }
        recipients
            .iter()
            .zip(plaintexts)
            .map(|(recipient, plaintext)| Self::seal_base(recipient, info, aad, plaintext, rng))
            .collect()
    }

    /// OpenBase(enc, skR, info, aad, ct).
    fn open_base(
        private_key: &[u8],
        kem_output: &[u8],
        info: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
}
