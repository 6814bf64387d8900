//! Providers as values: a suite and a backend chosen at run time, with no generic code in
//! sight.
//!
//! A backend crate exports its provider as a constant (`artmls_dalek::PROVIDER`,
//! `artmls_aws_lc::PROVIDER`): a value of a type that implements
//! [`artmls_crypto::Backend`]. Every such value is a [`Provider`], so an application that read
//! a suite and a backend from its configuration holds a `&'static dyn Provider` and never
//! names a suite type.

use core::fmt::Debug;

use artmls_crypto::{Backend, SuiteId};

/// A crypto provider chosen at run time: the suites it serves, and the groups it makes.
///
/// Implemented for every [`Backend`]; use it as `&'static dyn Provider`
/// (`artmls-providers` lists the workspace's providers by name).
pub trait Provider: Send + Sync + Debug {
    /// Short name, as users type it (`"dalek"`, `"aws-lc"`).
    fn name(&self) -> &'static str;
    /// One line on where the primitives come from.
    fn description(&self) -> &'static str;
    /// The suites this provider serves.
    fn suites(&self) -> &'static [SuiteId];
    /// Whether this provider serves `suite`.
    fn serves(&self, suite: SuiteId) -> bool {
        self.suites().contains(&suite)
    }
}

impl<B: Backend> Provider for B {
    fn name(&self) -> &'static str {
        B::NAME
    }

    fn description(&self) -> &'static str {
        B::DESCRIPTION
    }

    fn suites(&self) -> &'static [SuiteId] {
        B::SUITES
    }
}
