//! One conformance suite for every artmls backend and cipher suite.
//!
//! - [`verify_suite`]: the property checks every backend crate runs on each of its suites
//!   (composition, DH, KDF, AEAD, signatures, HPKE, the labelled functions, redacted `Debug`).
//! - [`registry`]: a compatibility layer over `artmls-providers` (which lists the workspace's
//!   providers by name) for tests written against its older names.
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
pub mod registry;
pub mod rng;
pub mod runner;
pub mod tree_checks;
mod verify;

pub use registry::{BackendEntry, UnknownBackend, backends, backends_for, find_backend, visit};
pub use runner::{CaseReport, RunOptions, Status, Summary, run_files};
pub use verify::{verify_suite, verify_suite_with_rng};
