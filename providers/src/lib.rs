#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod p256;
pub mod ring;

use artmls::Provider;
use artmls_aws_lc::AwsLc;
use artmls_crypto::{Backend, SuiteId, SuiteVisitor};
use artmls_dalek::Dalek;

pub use crate::p256::P256Provider;
pub use crate::ring::RingProvider;

/// The dalek provider (`artmls_dalek::PROVIDER`): suites 0xF001 and 0xF003.
pub const DALEK: Dalek = artmls_dalek::PROVIDER;
/// The p256 provider: suite 0xF002, composed from `artmls-p256` and `artmls-dalek`.
pub const P256: P256Provider = P256Provider;
/// The ring provider: suites 0xF001 to 0xF003, composed from `artmls-ring`, `artmls-dalek` and
/// `artmls-p256`.
pub const RING: RingProvider = RingProvider;
/// The aws-lc provider (`artmls_aws_lc::PROVIDER`): suites 0xF001 to 0xF003.
pub const AWS_LC: AwsLc = artmls_aws_lc::PROVIDER;

static ALL: [&dyn Provider; 4] = [&DALEK, &P256, &RING, &AWS_LC];

/// Every provider of the workspace, in a fixed order: dalek, p256, ring, aws-lc.
pub fn all() -> &'static [&'static dyn Provider] {
    &ALL
}

/// The provider called `name` (as [`Provider::name`] gives it: `"dalek"`, `"aws-lc"`).
pub fn find(name: &str) -> Result<&'static dyn Provider, UnknownProvider> {
    all()
        .iter()
        .copied()
        .find(|provider| provider.name() == name)
        .ok_or_else(|| UnknownProvider {
            given: name.to_owned(),
        })
}

/// The providers that serve `suite`, in the order of [`all`].
pub fn serving(suite: SuiteId) -> Vec<&'static dyn Provider> {
    all()
        .iter()
        .copied()
        .filter(|provider| provider.serves(suite))
        .collect()
}

/// Runs `visitor` with the type that provider `provider` (by name) uses for `suite`, so generic
/// code runs fully monomorphised on a provider and suite chosen at run time.
///
/// `None` if no provider has that name ([`find`] gives an error that lists the names) or the
/// provider does not serve the suite. Applications need not visit: `artmls::Provider` makes
/// groups from a provider value. This is for code that must be generic over the suite, such as
/// benchmarks and the vector runner; it is the one place that maps names to types.
pub fn visit<V: SuiteVisitor>(provider: &str, suite: SuiteId, visitor: V) -> Option<V::Output> {
    match provider {
        name if name == Dalek::NAME => Dalek::visit(suite, visitor),
        name if name == P256Provider::NAME => P256Provider::visit(suite, visitor),
        name if name == RingProvider::NAME => RingProvider::visit(suite, visitor),
        name if name == AwsLc::NAME => AwsLc::visit(suite, visitor),
        _ => None,
    }
}

/// A provider name that names no provider of this crate.
///
/// What to do: use one of the names the message lists (those of [`all`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider `{given}`; known providers: {}", known_names().join(", "))]
#[non_exhaustive]
pub struct UnknownProvider {
    /// The name that was given.
    pub given: String,
}

impl UnknownProvider {
    /// The names of the known providers, in the order of [`all`].
    pub fn known(&self) -> Vec<&'static str> {
        known_names()
    }
}

fn known_names() -> Vec<&'static str> {
    all().iter().map(|provider| provider.name()).collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use artmls_crypto::CipherSuite;
    use artmls_crypto::suite::check_composition;

    use super::*;

    #[test]
    fn all_lists_the_four_providers_in_order_with_unique_names() {
        let names: Vec<&str> = all().iter().map(|provider| provider.name()).collect();
        assert_eq!(names, ["dalek", "p256", "ring", "aws-lc"]);
        let unique: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len());
    }

    #[test]
    fn find_returns_the_named_provider() {
        for provider in all() {
            let found = find(provider.name()).expect("a listed name is found");
            assert_eq!(found.name(), provider.name());
            assert_eq!(found.suites(), provider.suites());
        }
        assert_eq!(find("aws-lc").map(|p| p.name()), Ok("aws-lc"));
    }

    #[test]
    fn an_unknown_name_is_an_error_that_lists_the_known_ones() {
        for given in ["", "openssl", "Dalek", "aws_lc", " ring"] {
            let error = find(given).map(|p| p.name()).unwrap_err();
            assert_eq!(error.given, given);
            assert_eq!(error.known(), ["dalek", "p256", "ring", "aws-lc"]);
            let message = error.to_string();
            assert!(
                message.contains("dalek, p256, ring, aws-lc"),
                "message: {message}"
            );
        }
        assert!(visit("openssl", SuiteId::ALL[0], SuiteOf).is_none());
    }

    #[test]
    fn serving_lists_exactly_the_providers_of_a_suite() {
        let names = |suite| -> Vec<&str> { serving(suite).iter().map(|p| p.name()).collect() };
        assert_eq!(
            names(SuiteId::X25519_AES128GCM_SHA256_ED25519),
            ["dalek", "ring", "aws-lc"]
        );
        assert_eq!(
            names(SuiteId::P256_AES128GCM_SHA256_P256),
            ["p256", "ring", "aws-lc"]
        );
        assert_eq!(
            names(SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519),
            ["dalek", "ring", "aws-lc"]
        );
        assert!(serving(SuiteId(0xF0FF)).is_empty());
    }

    /// Which suite type a visit ran, and whether its components are the ones its id names.
    struct SuiteOf;

    impl SuiteVisitor for SuiteOf {
        type Output = (SuiteId, Result<(), String>);

        fn visit<S: CipherSuite>(self) -> Self::Output {
            (S::ID, check_composition::<S>())
        }
    }

    #[test]
    fn every_provider_visits_exactly_its_suites_with_well_composed_types() {
        let mut candidates = SuiteId::ALL.to_vec();
        candidates.extend([SuiteId(0x0001), SuiteId(0xF0FF)]);
        for provider in all() {
            for &suite in &candidates {
                let visited = visit(provider.name(), suite, SuiteOf);
                if provider.serves(suite) {
                    let (id, composition) = visited.unwrap_or_else(|| {
                        panic!("{} lists {suite} but does not visit it", provider.name())
                    });
                    assert_eq!(id, suite, "{}", provider.name());
                    assert_eq!(composition, Ok(()), "{} {suite}", provider.name());
                } else {
                    assert!(visited.is_none(), "{} visits {suite}", provider.name());
                }
            }
        }
    }
}
