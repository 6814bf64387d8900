//! The `ring` provider: the symmetric primitives and signatures of *ring*, with DH from the
//! RustCrypto crates (ring cannot import a DH private key, which ART's tree keys need; see
//! `artmls-ring`) and artmls's own HPKE over both.

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};
use artmls_dalek::X25519;
use artmls_p256::P256;
use artmls_ring::{Aes128Gcm, ChaCha20Poly1305, EcdsaP256Sha256, Ed25519, HkdfSha256, Sha256};

/// HPKE with DHKEM(X25519, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over x25519-dalek and
/// ring.
pub type HpkeX25519Aes128Gcm = DhKemHpke<X25519, HkdfSha256, Aes128Gcm>;
/// HPKE with DHKEM(P-256, HKDF-SHA256) and AES-128-GCM: artmls's HPKE over p256 and ring.
pub type HpkeP256Aes128Gcm = DhKemHpke<P256, HkdfSha256, Aes128Gcm>;
/// HPKE with DHKEM(X25519, HKDF-SHA256) and ChaCha20Poly1305: artmls's HPKE over x25519-dalek
/// and ring.
pub type HpkeX25519ChaCha20Poly1305 = DhKemHpke<X25519, HkdfSha256, ChaCha20Poly1305>;

/// ART_128_X25519_AES128GCM_SHA256_Ed25519 (0xF001).
pub type X25519Aes128GcmSha256Ed25519 =
    Composed<X25519, HkdfSha256, Sha256, Aes128Gcm, Ed25519, HpkeX25519Aes128Gcm, 0xF001>;

/// ART_128_P256_AES128GCM_SHA256_P256 (0xF002).
pub type P256Aes128GcmSha256P256 =
    Composed<P256, HkdfSha256, Sha256, Aes128Gcm, EcdsaP256Sha256, HpkeP256Aes128Gcm, 0xF002>;

/// ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519 (0xF003).
pub type X25519ChaCha20Poly1305Sha256Ed25519 = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    ChaCha20Poly1305,
    Ed25519,
    HpkeX25519ChaCha20Poly1305,
    0xF003,
>;

/// The ring provider: suites 0xF001, 0xF002 and 0xF003. Use it as the value [`crate::RING`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingProvider;

impl Backend for RingProvider {
    const NAME: &'static str = "ring";
    const DESCRIPTION: &'static str = "ring (HKDF, SHA-256, AES-GCM, ChaCha20Poly1305, Ed25519, ECDSA); DH from x25519-dalek and p256 (ring cannot import DH keys); artmls HPKE";
    const SUITES: &'static [SuiteId] = &[
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::P256_AES128GCM_SHA256_P256,
        SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
    ];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        match suite {
            SuiteId::X25519_AES128GCM_SHA256_ED25519 => {
                Some(visitor.visit::<X25519Aes128GcmSha256Ed25519>())
            }
            SuiteId::P256_AES128GCM_SHA256_P256 => Some(visitor.visit::<P256Aes128GcmSha256P256>()),
            SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519 => {
                Some(visitor.visit::<X25519ChaCha20Poly1305Sha256Ed25519>())
            }
            _ => None,
        }
    }
}
