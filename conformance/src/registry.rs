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
