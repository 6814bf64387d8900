//! The checks every provider runs, with one call (feature `test-suite`).
//!
//! A provider crate adds this crate with the feature to its `[dev-dependencies]` and writes one
//! test:
//!
//! ```text
//! #[test]
//! fn passes_the_artmls_test_suite() {
//!     artmls_crypto::test_suite::verify_provider(&my_crate::PROVIDER);
//! }
//! ```
//!
//! [`verify_provider`] visits every suite the provider serves and checks, for each:
//! - the composition: the components are the primitives the suite id stands for
//!   ([`check_composition`]), and the provider visits exactly its [`Backend::SUITES`];
//! - every component, with the properties all of its kind have (agreement, round trips,
//!   lengths, typed errors on bad input, secret keys redacted in `Debug`) and the known answers
//!   of the standards for the primitive it is, chosen by its ids: RFC 7748 and Wycheproof ECDH
//!   for X25519 and P-256 ([`DhGroup::KEM_ID`]), RFC 5869 for HKDF-SHA256, FIPS 180-4 and
//!   RFC 4231 for SHA-256, RFC 9180's AEAD calls for AES-128-GCM and ChaCha20Poly1305
//!   ([`Aead::AEAD_ID`]), RFC 8032 and RFC 6979 for Ed25519 and ECDSA P-256
//!   ([`SignatureScheme::SCHEME`](crate::SignatureScheme::SCHEME)), RFC 9180 for HPKE and DeriveKeyPair;
//! - the encodings every artmls backend refuses whatever its library accepts: low-order and
//!   non-canonical X25519 keys, compressed P-256 points, Ed25519 `S >= L` and small-order keys,
//!   ECDSA signatures that are BER but not DER;
//! - the suite's HPKE against the generic [`DhKemHpke`](crate::hpke::DhKemHpke) over the suite's
//!   own DH, KDF and AEAD, and the [`Hpke`] contract on drawn randomness.
//!
//! A failure panics with a message naming the suite (or component), the check and what went
//! wrong: this is a test harness. Crates that supply single primitives rather than whole
//! suites check them with [`verify_dh`], [`verify_derive_key_pair`], [`verify_kdf`],
//! [`verify_hash`], [`verify_aead`], [`verify_signature`] and [`verify_hpke`]. [`rng`] holds
//! the deterministic random sources the checks and other tests use.

use rand_core::CryptoRng;

use crate::suite::check_composition;
use crate::{Aead, Backend, CipherSuite, DhGroup, Hpke, SuiteId, SuiteVisitor};

mod aead;
mod check;
mod dh;
mod hpke;
mod kdf;
pub mod rng;
mod signature;

pub use aead::verify_aead;
pub use dh::{verify_derive_key_pair, verify_dh};
pub use hpke::verify_hpke;
pub use kdf::{verify_hash, verify_kdf};
pub use signature::{der_signature, verify_signature};

use check::Checker;
use rng::{DEFAULT_SEED, seeded};

/// RFC 9180 KEM id of DHKEM(X25519, HKDF-SHA256).
const KEM_X25519: u16 = 0x0020;
/// RFC 9180 KEM id of DHKEM(P-256, HKDF-SHA256).
const KEM_P256: u16 = 0x0010;
/// RFC 9180 KDF id of HKDF-SHA256.
const KDF_HKDF_SHA256: u16 = 0x0001;
/// RFC 9180 AEAD id of AES-128-GCM.
const AEAD_AES128GCM: u16 = 0x0001;
/// RFC 9180 AEAD id of ChaCha20Poly1305.
const AEAD_CHACHA20POLY1305: u16 = 0x0003;
/// TLS SignatureScheme ed25519.
const SCHEME_ED25519: u16 = 0x0807;
/// TLS SignatureScheme ecdsa_secp256r1_sha256.
const SCHEME_ECDSA_P256_SHA256: u16 = 0x0403;

/// Suite ids no provider may serve: outside the table of suites, so `visit` must refuse them.
const UNKNOWN_SUITES: [SuiteId; 4] = [
    SuiteId(0x0001),
    SuiteId(0xF000),
    SuiteId(0xF004),
    SuiteId(0xFFFF),
];

/// Checks every suite `provider` serves, with randomness from a fixed seed. Panics with a
/// message naming the provider, the suite and the check at the first failure.
pub fn verify_provider<B: Backend>(provider: &B) {
    verify_provider_with_rng(provider, &mut seeded(DEFAULT_SEED));
}

/// [`verify_provider`] with randomness drawn from `rng` (a seeded generator reproduces a run,
/// a fresh one explores). Known answers and the checks of what an RNG drives use their own
/// fixed inputs whatever `rng` gives.
pub fn verify_provider_with_rng<B: Backend, R: CryptoRng + ?Sized>(provider: &B, rng: &mut R) {
    let check = Checker::new(format!("provider {:?} ({provider:?})", B::NAME));
    check.ensure(!B::NAME.is_empty(), "provider name", || {
        "the name is empty".into()
    });
    check.ensure(!B::SUITES.is_empty(), "provider suites", || {
        "the provider serves no suite".into()
    });
    for (index, suite) in B::SUITES.iter().enumerate() {
        check.ensure(
            !B::SUITES[..index].contains(suite),
            "provider suites",
            || format!("{suite} is listed twice"),
        );
    }

    struct IdOf;
    impl SuiteVisitor for IdOf {
        type Output = SuiteId;
        fn visit<S: CipherSuite>(self) -> SuiteId {
            S::ID
        }
    }
    for suite in SuiteId::ALL.into_iter().chain(UNKNOWN_SUITES) {
        let visited = B::visit(suite, IdOf);
        if B::SUITES.contains(&suite) {
            check.equal(
                &format!("visit({suite}) runs that suite"),
                visited,
                Some(suite),
            );
        } else {
            check.equal(
                &format!("visit({suite}) of a suite not in SUITES"),
                visited,
                None,
            );
        }
    }

    struct Verify<'a, R: ?Sized> {
        provider: &'static str,
        rng: &'a mut R,
    }
    impl<R: CryptoRng + ?Sized> SuiteVisitor for Verify<'_, R> {
        type Output = ();
        fn visit<S: CipherSuite>(self) {
            let check = Checker::new(format!(
                "suite {} ({:#06x}) of provider {:?}",
                S::ID,
                S::ID.0,
                self.provider
            ));
            check_suite::<S, R>(&check, self.rng);
        }
    }
    for &suite in B::SUITES {
        let verify = Verify {
            provider: B::NAME,
            rng: &mut *rng,
        };
        if B::visit(suite, verify).is_none() {
            check.fail(
                "provider suites",
                format!("{suite} is listed but not visited"),
            );
        }
    }
}

/// Checks one suite, with randomness from a fixed seed: its composition and every component,
/// as [`verify_provider`] does for each suite it visits.
pub fn verify_suite<S: CipherSuite>() {
    verify_suite_with_rng::<S, _>(&mut seeded(DEFAULT_SEED));
}

/// [`verify_suite`] with randomness drawn from `rng`.
pub fn verify_suite_with_rng<S: CipherSuite, R: CryptoRng + ?Sized>(rng: &mut R) {
    let check = Checker::new(format!("suite {} ({:#06x})", S::ID, S::ID.0));
    check_suite::<S, R>(&check, rng);
}

fn check_suite<S: CipherSuite, R: CryptoRng + ?Sized>(check: &Checker, rng: &mut R) {
    if let Err(message) = check_composition::<S>() {
        check.fail("composition", message);
    }
    check.equal(
        "composition: the HPKE's ids are the suite's",
        (
            <S::Hpke as Hpke>::KEM_ID,
            <S::Hpke as Hpke>::KDF_ID,
            <S::Hpke as Hpke>::AEAD_ID,
        ),
        (
            <S::Dh as DhGroup>::KEM_ID,
            <S::Kdf as crate::Kdf>::KDF_ID,
            <S::Aead as Aead>::AEAD_ID,
        ),
    );
    dh::check_dh::<S::Dh, R>(check, rng);
    dh::check_derive_key_pair::<S::Dh, S::Kdf, R>(check, rng);
    kdf::check_kdf::<S::Kdf, R>(check, rng);
    kdf::check_hash::<S::Hash, R>(check, rng);
    kdf::check_hkdf_uses_hmac::<S::Kdf, S::Hash>(check);
    aead::check_aead::<S::Aead, R>(check, rng);
    signature::check_signature::<S::Signature, R>(check, rng);
    hpke::check_suite_hpke::<S, R>(check, rng);
}
