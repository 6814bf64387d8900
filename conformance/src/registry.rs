//! The backends of this workspace, by name, and dispatch to them at run time.
//!
//! Each backend crate implements [`artmls::Backend`] on a unit type; this module lists them and
//! maps a name typed by a user (`"dalek"`, `"aws-lc"`) to that type's [`Backend::visit`], so a
//! [`SuiteVisitor`] runs fully monomorphised on the backend's type for the suite.

use artmls::{Backend, SuiteId, SuiteVisitor};
use artmls_aws_lc::AwsLcBackend;
use artmls_dalek::DalekBackend;
use artmls_p256::P256Backend;
use artmls_ring::RingBackend;
use thiserror::Error;

/// A backend as the registry describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendEntry {
    /// Short name, as users type it.
    pub name: &'static str,
    /// One line on where the primitives come from.
    pub description: &'static str,
    /// The suites the backend serves.
    pub suites: &'static [SuiteId],
}

impl BackendEntry {
    fn of<B: Backend>() -> Self {
        BackendEntry {
            name: B::NAME,
            description: B::DESCRIPTION,
            suites: B::SUITES,
        }
    }

    /// Whether the backend serves `suite`.
    pub fn serves(&self, suite: SuiteId) -> bool {
        self.suites.contains(&suite)
    }
}

/// A backend name the registry does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown backend `{name}`; known backends: {known}")]
pub struct UnknownBackend {
    /// The name asked for.
    pub name: String,
    /// The known names, comma-separated.
    pub known: String,
}

/// Every backend of the workspace: dalek, p256, ring, aws-lc.
pub fn backends() -> Vec<BackendEntry> {
    vec![
        BackendEntry::of::<DalekBackend>(),
        BackendEntry::of::<P256Backend>(),
        BackendEntry::of::<RingBackend>(),
        BackendEntry::of::<AwsLcBackend>(),
    ]
}

/// The names of the backends that serve `suite`, in registry order.
pub fn backends_for(suite: SuiteId) -> Vec<&'static str> {
    backends()
        .into_iter()
        .filter(|entry| entry.serves(suite))
        .map(|entry| entry.name)
        .collect()
}

/// The backend called `name`, or an error that lists the known names.
pub fn find_backend(name: &str) -> Result<BackendEntry, UnknownBackend> {
    let all = backends();
    all.iter()
        .find(|entry| entry.name == name)
        .copied()
        .ok_or_else(|| UnknownBackend {
            name: name.to_owned(),
            known: all
                .iter()
                .map(|entry| entry.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Runs `visitor` with backend `backend`'s type for `suite`.
///
/// `None` if the backend is unknown (see [`find_backend`] for an error that names the known
/// ones) or does not serve the suite.
pub fn visit<V: SuiteVisitor>(backend: &str, suite: SuiteId, visitor: V) -> Option<V::Output> {
    match backend {
        name if name == DalekBackend::NAME => DalekBackend::visit(suite, visitor),
        name if name == P256Backend::NAME => P256Backend::visit(suite, visitor),
        name if name == RingBackend::NAME => RingBackend::visit(suite, visitor),
        name if name == AwsLcBackend::NAME => AwsLcBackend::visit(suite, visitor),
        _ => None,
    }
}

/// ring's suite 0xF002 with ECDSA from the p256 crate, which signs deterministically (RFC 6979).
type RingP256WithRfc6979Ecdsa = artmls::Composed<
    artmls_p256::P256,
    artmls_ring::RingHkdfSha256,
    artmls_ring::RingSha256,
    artmls_ring::RingAes128Gcm,
    artmls_p256::EcdsaP256Sha256,
    artmls_ring::RingHpkeP256Aes128Gcm,
    0xF002,
>;

/// aws-lc's suite 0xF002 with ECDSA from the p256 crate, which signs deterministically (RFC 6979).
type AwsLcP256WithRfc6979Ecdsa = artmls::Composed<
    artmls_aws_lc::AwsLcP256,
    artmls_aws_lc::AwsLcHkdfSha256,
    artmls_aws_lc::AwsLcSha256,
    artmls_aws_lc::AwsLcAes128Gcm,
    artmls_p256::EcdsaP256Sha256,
    artmls_aws_lc::AwsLcHpkeP256Aes128Gcm,
    0xF002,
>;

/// Like [`visit`], but with a suite whose every output is a function of the RNG the caller
/// passes in, so two backends that serve the same suite produce the same bytes.
///
/// Only the signatures of suite 0xF002 need care: *ring* and aws-lc sign ECDSA with nonces of
/// their own choosing and offer no deterministic (RFC 6979) signing. For that suite, ring and
/// aws-lc are visited with ECDSA signing *and verification* taken from the p256 crate (which
/// follows RFC 6979); their DH, HPKE, KDF, hash and AEAD stay their own. The other backends and
/// suites are visited as [`visit`] does.
pub fn visit_deterministic<V: SuiteVisitor>(
    backend: &str,
    suite: SuiteId,
    visitor: V,
) -> Option<V::Output> {
    if suite != SuiteId::P256_AES128GCM_SHA256_P256 {
        return visit(backend, suite, visitor);
    }
    match backend {
        name if name == RingBackend::NAME => Some(visitor.visit::<RingP256WithRfc6979Ecdsa>()),
        name if name == AwsLcBackend::NAME => Some(visitor.visit::<AwsLcP256WithRfc6979Ecdsa>()),
        _ => visit(backend, suite, visitor),
    }
}

/// Whether [`visit_deterministic`] replaces part of `backend`'s suite `suite`, and with what.
pub fn deterministic_substitution(backend: &str, suite: SuiteId) -> Option<&'static str> {
    let replaced = suite == SuiteId::P256_AES128GCM_SHA256_P256
        && (backend == RingBackend::NAME || backend == AwsLcBackend::NAME);
    replaced.then_some("ECDSA P-256 from the p256 crate (RFC 6979 deterministic signatures)")
}
