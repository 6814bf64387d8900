//! The test suite can fail: providers built from deliberately broken components, or that
//! misstate their suites, make `verify_provider` panic with a message that names the suite and
//! the check.

use core::fmt;
use core::marker::PhantomData;
use std::panic::catch_unwind;

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::test_suite::verify_provider;
use artmls_crypto::{
    Aead, Backend, CipherSuite, Composed, CryptoError, DhGroup, HashFunction, Hpke, HpkeCiphertext,
    Secret, SuiteId, SuiteVisitor,
};
use artmls_dalek::{Aes128Gcm, ChaCha20Poly1305, Ed25519, HkdfSha256, Sha256, X25519};
use rand::CryptoRng;

/// A provider that serves the one suite `S`.
struct OneSuite<S>(PhantomData<fn() -> S>);

impl<S> Clone for OneSuite<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for OneSuite<S> {}

impl<S> fmt::Debug for OneSuite<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneSuite")
    }
}

impl<S: CipherSuite> Backend for OneSuite<S> {
    const NAME: &'static str = "one-suite";
    const DESCRIPTION: &'static str = "one suite, for the test";
    const SUITES: &'static [SuiteId] = &[S::ID];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        (suite == S::ID).then(|| visitor.visit::<S>())
    }
}

/// `verify_provider` on the provider of suite `S`.
fn verify_one<S: CipherSuite>() {
    verify_provider(&OneSuite::<S>(PhantomData));
}

/// X25519 whose private keys print their bytes in `Debug`.
struct LeakyX25519;

#[derive(Clone)]
struct LeakyKey {
    bytes: Vec<u8>,
    inner: <X25519 as DhGroup>::PrivateKey,
}

impl fmt::Debug for LeakyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LeakyKey(")?;
        for byte in &self.bytes {
            write!(f, "{byte:02x}")?;
        }
        write!(f, ")")
    }
}

impl DhGroup for LeakyX25519 {
    const NAME: &'static str = X25519::NAME;
    const KEM_ID: u16 = X25519::KEM_ID;
    const PRIVATE_KEY_LEN: usize = X25519::PRIVATE_KEY_LEN;
    const PUBLIC_KEY_LEN: usize = X25519::PUBLIC_KEY_LEN;
    const SHARED_SECRET_LEN: usize = X25519::SHARED_SECRET_LEN;
    const DERIVE_KEY_PAIR_BITMASK: Option<u8> = X25519::DERIVE_KEY_PAIR_BITMASK;
    type PrivateKey = LeakyKey;
    type PublicKey = <X25519 as DhGroup>::PublicKey;

    fn private_key_from_bytes(bytes: &[u8]) -> Result<LeakyKey, CryptoError> {
        let inner = X25519::private_key_from_bytes(bytes)?;
        let bytes = X25519::private_key_to_bytes(&inner).as_bytes().to_vec();
        Ok(LeakyKey { bytes, inner })
    }

    fn private_key_to_bytes(key: &LeakyKey) -> Secret {
        X25519::private_key_to_bytes(&key.inner)
    }

    fn public_key(key: &LeakyKey) -> Self::PublicKey {
        X25519::public_key(&key.inner)
    }

    fn public_key_from_bytes(bytes: &[u8]) -> Result<Self::PublicKey, CryptoError> {
        X25519::public_key_from_bytes(bytes)
    }

    fn dh(private: &LeakyKey, public: &Self::PublicKey) -> Result<Secret, CryptoError> {
        X25519::dh(&private.inner, public)
    }
}

/// AES-128-GCM that reports every open error as `AeadOpenFailed`.
struct SloppyAead;

impl Aead for SloppyAead {
    const NAME: &'static str = Aes128Gcm::NAME;
    const AEAD_ID: u16 = Aes128Gcm::AEAD_ID;
    const KEY_LEN: usize = Aes128Gcm::KEY_LEN;
    const NONCE_LEN: usize = Aes128Gcm::NONCE_LEN;
    const TAG_LEN: usize = Aes128Gcm::TAG_LEN;

    fn seal(key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Aes128Gcm::seal(key, nonce, aad, pt)
    }

    fn open(key: &[u8], nonce: &[u8], aad: &[u8], ct: &[u8]) -> Result<Vec<u8>, CryptoError> {
        Aes128Gcm::open(key, nonce, aad, ct).map_err(|_| CryptoError::AeadOpenFailed)
    }
}

/// HPKE that skips the first random bytes: its ephemeral key is not `DeriveKeyPair` of the
/// first `Nsk` bytes, against the `Hpke` contract.
struct SkippingHpke;

type Generic = DhKemHpke<X25519, HkdfSha256, Aes128Gcm>;

impl Hpke for SkippingHpke {
    const NAME: &'static str = "skipping HPKE";
    const KEM_ID: u16 = Generic::KEM_ID;
    const KDF_ID: u16 = Generic::KDF_ID;
    const AEAD_ID: u16 = Generic::AEAD_ID;

    fn seal_base<R: CryptoRng + ?Sized>(
        recipient: &[u8],
        info: &[u8],
        aad: &[u8],
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<HpkeCiphertext, CryptoError> {
        let mut skipped = [0u8; 8];
        rng.fill_bytes(&mut skipped);
        Generic::seal_base(recipient, info, aad, plaintext, rng)
    }

    fn open_base(
        private_key: &[u8],
        kem_output: &[u8],
        info: &[u8],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        Generic::open_base(private_key, kem_output, info, aad, ciphertext)
    }
}

/// SHA-256 of the data followed by one zero byte, under SHA-256's name: deterministic, of the
/// right length and sensitive to its input, so only the known answers tell it apart.
struct NotQuiteSha256;

impl HashFunction for NotQuiteSha256 {
    const NAME: &'static str = Sha256::NAME;
    const OUTPUT_LEN: usize = Sha256::OUTPUT_LEN;

    fn hash(data: &[u8]) -> Vec<u8> {
        let mut padded = data.to_vec();
        padded.push(0);
        Sha256::hash(&padded)
    }

    fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
        Sha256::mac(key, data)
    }
}

type Reference = Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, Generic, 0xF001>;
type Leaky = Composed<
    LeakyX25519,
    HkdfSha256,
    Sha256,
    Aes128Gcm,
    Ed25519,
    DhKemHpke<LeakyX25519, HkdfSha256, Aes128Gcm>,
    0xF001,
>;
type Sloppy = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    SloppyAead,
    Ed25519,
    DhKemHpke<X25519, HkdfSha256, SloppyAead>,
    0xF001,
>;
type Skipping = Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, SkippingHpke, 0xF001>;
type WrongHash = Composed<X25519, HkdfSha256, NotQuiteSha256, Aes128Gcm, Ed25519, Generic, 0xF001>;
/// ChaCha20Poly1305 components under the AES suite's id.
type Mislabelled = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    ChaCha20Poly1305,
    Ed25519,
    DhKemHpke<X25519, HkdfSha256, ChaCha20Poly1305>,
    0xF001,
>;

/// The panic message of `run`, which must panic.
fn failure_of(run: fn()) -> String {
    let payload = catch_unwind(run).expect_err("verify_provider must fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .unwrap_or_default()
}

#[test]
fn the_reference_composition_passes() {
    verify_one::<Reference>();
}

#[test]
fn a_leaky_debug_fails() {
    let message = failure_of(verify_one::<Leaky>);
    assert!(message.contains("Debug of a DH private key"), "{message}");
    assert!(
        message.contains("ART_128_X25519_AES128GCM_SHA256_Ed25519"),
        "{message}"
    );
    assert!(message.contains("one-suite"), "{message}");
}

#[test]
fn a_wrong_error_type_fails() {
    let message = failure_of(verify_one::<Sloppy>);
    assert!(message.contains("CiphertextTooShort"), "{message}");
}

#[test]
fn an_hpke_that_breaks_the_rng_contract_fails() {
    let message = failure_of(verify_one::<Skipping>);
    assert!(message.contains("Nsk"), "{message}");
}

#[test]
fn a_hash_that_misses_the_known_answers_fails() {
    let message = failure_of(verify_one::<WrongHash>);
    assert!(message.contains("SHA-256 of"), "{message}");
    assert!(
        message.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        "{message}"
    );
}

#[test]
fn a_mislabelled_composition_fails() {
    let message = failure_of(verify_one::<Mislabelled>);
    assert!(message.contains("composition"), "{message}");
}

/// Lists suite 0xF003 but visits only 0xF001.
#[derive(Debug, Clone, Copy)]
struct ListsMoreThanItVisits;

impl Backend for ListsMoreThanItVisits {
    const NAME: &'static str = "lists-more";
    const DESCRIPTION: &'static str = "misstates its suites, for the test";
    const SUITES: &'static [SuiteId] = &[
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
    ];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        (suite == SuiteId::X25519_AES128GCM_SHA256_ED25519).then(|| visitor.visit::<Reference>())
    }
}

/// Lists nothing but 0xF001, and visits every id as 0xF001.
#[derive(Debug, Clone, Copy)]
struct VisitsMoreThanItLists;

impl Backend for VisitsMoreThanItLists {
    const NAME: &'static str = "visits-more";
    const DESCRIPTION: &'static str = "misstates its suites, for the test";
    const SUITES: &'static [SuiteId] = &[SuiteId::X25519_AES128GCM_SHA256_ED25519];

    fn visit<V: SuiteVisitor>(_suite: SuiteId, visitor: V) -> Option<V::Output> {
        Some(visitor.visit::<Reference>())
    }
}

#[test]
fn a_provider_that_misstates_its_suites_fails() {
    let message = failure_of(|| verify_provider(&ListsMoreThanItVisits));
    assert!(message.contains("lists-more"), "{message}");
    assert!(
        message.contains("ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519"),
        "{message}"
    );
    let message = failure_of(|| verify_provider(&VisitsMoreThanItLists));
    assert!(message.contains("visits-more"), "{message}");
    assert!(message.contains("not in SUITES"), "{message}");
}
