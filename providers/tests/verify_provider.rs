//! Every provider of the workspace passes the artmls-crypto test suite, and so does a provider
//! composed here, in a test, from components of two backend crates, written as a crate outside
//! the workspace would write it.

use artmls_crypto::hpke::DhKemHpke;
use artmls_crypto::test_suite::{verify_hpke, verify_provider};
use artmls_crypto::{Backend, Composed, SuiteId, SuiteVisitor};

#[test]
fn dalek_passes() {
    verify_provider(&artmls_providers::DALEK);
}

#[test]
fn p256_passes() {
    verify_provider(&artmls_providers::P256);
}

#[test]
fn ring_passes() {
    verify_provider(&artmls_providers::RING);
}

#[test]
fn aws_lc_passes() {
    verify_provider(&artmls_providers::AWS_LC);
}

#[test]
fn every_listed_provider_is_verified_here() {
    // The tests above name the providers one by one (verify_provider needs the provider's type);
    // a provider added to `all()` without a test here fails this one.
    let verified = [
        <artmls_dalek::Dalek as Backend>::NAME,
        <artmls_providers::P256Provider as Backend>::NAME,
        <artmls_providers::RingProvider as Backend>::NAME,
        <artmls_aws_lc::AwsLc as Backend>::NAME,
    ];
    let listed: Vec<&str> = artmls_providers::all()
        .iter()
        .map(|provider| provider.name())
        .collect();
    assert_eq!(listed, verified);
}

// A provider as a crate outside the workspace would write it: X25519 and Ed25519 from
// artmls-dalek, HKDF, SHA-256 and the AEADs from artmls-aws-lc, and artmls-crypto's generic
// HPKE over them.

use artmls_aws_lc::{Aes128Gcm, ChaCha20Poly1305, HkdfSha256, Sha256};
use artmls_dalek::{Ed25519, X25519};

/// ART_128_X25519_AES128GCM_SHA256_Ed25519 from two backends.
type MixedAes = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    Aes128Gcm,
    Ed25519,
    DhKemHpke<X25519, HkdfSha256, Aes128Gcm>,
    0xF001,
>;

/// ART_128_X25519_CHACHA20POLY1305_SHA256_Ed25519 from two backends.
type MixedChaCha = Composed<
    X25519,
    HkdfSha256,
    Sha256,
    ChaCha20Poly1305,
    Ed25519,
    DhKemHpke<X25519, HkdfSha256, ChaCha20Poly1305>,
    0xF003,
>;

/// The composed provider: a unit type, its suites, and the map from suite id to suite type.
#[derive(Debug, Clone, Copy)]
struct Mixed;

impl Backend for Mixed {
    const NAME: &'static str = "mixed";
    const DESCRIPTION: &'static str =
        "X25519 and Ed25519 from dalek; HKDF, SHA-256 and AEADs from aws-lc";
    const SUITES: &'static [SuiteId] = &[
        SuiteId::X25519_AES128GCM_SHA256_ED25519,
        SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519,
    ];

    fn visit<V: SuiteVisitor>(suite: SuiteId, visitor: V) -> Option<V::Output> {
        match suite {
            SuiteId::X25519_AES128GCM_SHA256_ED25519 => Some(visitor.visit::<MixedAes>()),
            SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519 => Some(visitor.visit::<MixedChaCha>()),
            _ => None,
        }
    }
}

#[test]
fn a_provider_composed_from_two_backends_passes_in_one_call() {
    verify_provider(&Mixed);
}

#[test]
fn generic_hpke_over_p256_and_chacha20poly1305_passes_rfc9180_a5() {
    // No provider of the workspace serves this combination; an outside one could, and the
    // suite has RFC 9180's vector for it.
    verify_hpke::<DhKemHpke<artmls_aws_lc::P256, HkdfSha256, ChaCha20Poly1305>>();
    verify_hpke::<DhKemHpke<artmls_p256::P256, HkdfSha256, ChaCha20Poly1305>>();
}

#[test]
fn every_provider_passes_with_other_random_inputs() {
    // The property checks draw their inputs from the RNG they are given; a few other seeds
    // show that passing does not depend on the default seed's bytes.
    use artmls_crypto::test_suite::rng::seeded;
    use artmls_crypto::test_suite::verify_provider_with_rng;
    for seed in 1..=4 {
        verify_provider_with_rng(&artmls_providers::DALEK, &mut seeded(seed));
        verify_provider_with_rng(&artmls_providers::P256, &mut seeded(seed));
        verify_provider_with_rng(&artmls_providers::RING, &mut seeded(seed));
        verify_provider_with_rng(&artmls_providers::AWS_LC, &mut seeded(seed));
        verify_provider_with_rng(&Mixed, &mut seeded(seed));
    }
}
