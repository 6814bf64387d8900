//! One conformance suite for every artmls backend and cipher suite.
//!
//! - [`verify_suite`]: the crypto test suite of `artmls-crypto` on one suite, plus the checks of
//!   the RFC 9420 labelled functions, which need the protocol crate.
//! - [`group_checks`], [`insider_checks`], [`tree_checks`]: group, attacker and tree checks,
//!   generic over the suite; the tests run them on every provider of `artmls_providers::all()`.
//! - [`runner`]: the vector runner behind `artmls-conformance run`, whose output contract is
//!   fixed by `shared/spec/conformance-runner.md`.
//! - [`der`]: the few DER helpers the Wycheproof files need (P-256 SPKI, ECDSA signatures).
//! - [`rng`]: deterministic random sources for tests.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod der;
pub mod generate;
pub mod group_checks;
pub mod insider_checks;
pub mod rng;
pub mod runner;
pub mod tree_checks;
mod verify;

pub use runner::{CaseReport, RunOptions, Status, Summary, run_files};
pub use verify::{verify_suite, verify_suite_with_rng};
