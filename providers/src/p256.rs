//! The `p256` provider: P-256 from the RustCrypto `p256` crate, with the RustCrypto KDF, hash,
//! AEAD and HPKE of `artmls-dalek`.

use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};
use artmls_dalek::rust_hpke::{aead::AesGcm128, kem::DhP256HkdfSha256};
use artmls_dalek::{Aes128Gcm, HkdfSha256, RustHpke, Sha256};
use artmls_p256::{EcdsaP256Sha256, P256};

/// HPKE with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-128-GCM, from rust-hpke.
pub type HpkeP256Aes128Gcm = RustHpke<DhP256HkdfSha256, AesGcm128>;

/// ART_128_P256_AES128GCM_SHA256_P256 (0xF002): DH and ECDSA from `artmls-p256`, the rest from
/// `artmls-dalek`.
pub type P256Aes128GcmSha256P256 =
    Composed<P256, HkdfSha256, Sha256, Aes128Gcm, EcdsaP256Sha256, HpkeP256Aes128Gcm, 0xF002>;

/// The p256 provider: suite 0xF002, in pure Rust. Use it as the value [`crate::P256`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct P256Provider;

impl Backend for P256Provider {
    const NAME: &'static str = "p256";
    const DESCRIPTION: &'static str = "RustCrypto p256 (ECDH, ECDSA); HKDF, SHA-256, AES-GCM from RustCrypto; HPKE from rust-hpke";
    const SUITES: &'static [SuiteId] = &[SuiteId::P256_AES128GCM_SHA256_P256];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        match suite {
            SuiteId::P256_AES128GCM_SHA256_P256 => Some(visitor.visit::<P256Aes128GcmSha256P256>()),
            _ => None,
        }
    }
}
