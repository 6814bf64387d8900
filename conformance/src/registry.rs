//! **Compatibility layer, delegating to `artmls-providers`.** New code uses
//! `artmls_providers::{all, find, serving, visit}` directly; this module stays only for the
//! conformance tests written against its names (`backends`, `backends_for`, `find_backend`,
//! `visit`), and is removed when they have moved.

use artmls::{Provider, SuiteId, SuiteVisitor};

/// A provider as this layer describes it (see `artmls::Provider` for the same, as a value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendEntry {
    /// Short name, as users type it.
    pub name: &'static str,
    /// One line on where the primitives come from.
    pub description: &'static str,
    /// The suites the provider serves.
    pub suites: &'static [SuiteId],
}

impl BackendEntry {
    fn of(provider: &dyn Provider) -> Self {
        BackendEntry {
            name: provider.name(),
            description: provider.description(),
            suites: provider.suites(),
        }
    }

    /// Whether the provider serves `suite`.
    pub fn serves(&self, suite: SuiteId) -> bool {
        self.suites.contains(&suite)
    }
}

/// A provider name that names no provider: `artmls_providers::UnknownProvider`.
pub type UnknownBackend = artmls_providers::UnknownProvider;

/// Every provider of the workspace, as `artmls_providers::all` lists them.
pub fn backends() -> Vec<BackendEntry> {
    artmls_providers::all()
        .iter()
        .map(|provider| BackendEntry::of(*provider))
        .collect()
}

/// The names of the providers that serve `suite` (`artmls_providers::serving`).
pub fn backends_for(suite: SuiteId) -> Vec<&'static str> {
    artmls_providers::serving(suite)
        .iter()
        .map(|provider| provider.name())
        .collect()
}

/// The provider called `name` (`artmls_providers::find`).
pub fn find_backend(name: &str) -> Result<BackendEntry, UnknownBackend> {
    artmls_providers::find(name).map(BackendEntry::of)
}

/// Runs `visitor` with provider `backend`'s type for `suite` (`artmls_providers::visit`).
pub fn visit<V: SuiteVisitor>(backend: &str, suite: SuiteId, visitor: V) -> Option<V::Output> {
    artmls_providers::visit(backend, suite, visitor)
}
