//! The vector runner: reads vector files, runs every case on every backend that serves its
//! suite, and reports one line per case.
//!
//! The output contract is fixed by `shared/spec/conformance-runner.md`:
//!
//! ```text
//! CASE <file> <case-id> <suite> PASS|FAIL|SKIP <reason>
//! ...
//! N passed, N failed, N skipped
//! ```
//!
//! - `<file>` is the path as given; `<case-id>` the index of the case in the file, or the
//!   Wycheproof `tcId`.
//! - `<suite>` is the RFC 9420 cipher suite number: the file's `cipher_suite` for the MLS
//!   files, and for the primitive files (RFC and Wycheproof) the RFC 9420 number of the ART
//!   suite whose primitive ran (X25519, Ed25519, AES-GCM and HKDF: 1 (ART 0xF001); P-256 ECDH
//!   and ECDSA: 2 (0xF002); ChaCha20Poly1305: 3 (0xF003); RFC 9180 cases by their KEM/KDF/AEAD
//!   triple). It is `-` for a case that belongs to no suite: `deserialization`, and the RFC 9180
//!   cases for DHKEM(P-256) with ChaCha20Poly1305, which run on the P-256 DH of suite 2 and the
//!   ChaCha20Poly1305 of suite 3 of the same backend.
//! - A case runs on every backend that serves its suite (or only on `--backend`), and passes
//!   only if it passes on all of them; the reason of a PASS names the backends, the reason of a
//!   FAIL names each failing backend and what went wrong.
//! - SKIP only for a declared reason: an unsupported suite, an AEAD nonce other than 96 bits, a
//!   key or tag size outside the suites, a case outside the `--suite` selection, or a backend
//!   chosen with `--backend` that does not serve the case's suite.
//!
//! Kinds are handled by one module each (under `runner/kinds/`), registered in a table from kind
//! name to handler; adding a kind means adding a module and a table row.

mod common;
pub(crate) mod kinds;

use std::fmt;
use std::path::Path;

use artmls::{Provider, SuiteId};
use artmls_providers::UnknownProvider;
use thiserror::Error;

pub(crate) use common::FileRun;

/// The verdict on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Passed on every backend that ran it.
    Pass,
    /// Failed on at least one backend (or the case is malformed).
    Fail,
    /// Not run, for the reason given.
    Skip,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        })
    }
}

/// One case's line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReport {
    /// The file, as given to the runner.
    pub file: String,
    /// The case's index in the file, or its Wycheproof `tcId`.
    pub case_id: String,
    /// The RFC 9420 suite number, or `None` (shown as `-`).
    pub suite: Option<u16>,
    /// The verdict.
    pub status: Status,
    /// Why (for a PASS: on which backends).
    pub reason: String,
}

impl fmt::Display for CaseReport {
    /// `CASE <file> <case-id> <suite> PASS|FAIL|SKIP <reason>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CASE {} {} ", self.file, self.case_id)?;
        match self.suite {
            Some(suite) => write!(f, "{suite}")?,
            None => f.write_str("-")?,
        }
        write!(f, " {} {}", self.status, self.reason)
    }
}

/// What to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// The kind of every file, instead of guessing it from the file name.
    pub kind: Option<String>,
    /// Only the cases of this RFC 9420 suite number (1-7); cases that belong to no suite still
    /// run. See [`parse_suite`].
    pub suite: Option<u16>,
    /// Only this backend, instead of every backend that serves a case's suite.
    pub backend: Option<String>,
}

/// A file the runner could not process; the run fails.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum RunError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Read(#[from] std::io::Error),
    /// The file name names no known kind, and `--kind` was not given.
    #[error("cannot tell the kind from the file name; pass --kind (known kinds: {known})")]
    KindFromName {
        /// The known kinds, comma-separated.
        known: String,
    },
    /// `--kind` named an unknown kind.
    #[error("unknown kind `{kind}`; known kinds: {known}")]
    UnknownKind {
        /// The kind asked for.
        kind: String,
        /// The known kinds, comma-separated.
        known: String,
    },
    /// The kind is part of the contract, but nobody has implemented it in this runner yet.
    #[error("kind `{0}` is known but not implemented by this runner yet")]
    NotImplemented(&'static str),
    /// The file does not match the kind's schema: bad JSON, a missing field, a field of the
    /// wrong type, or an unknown field.
    #[error("does not match the `{kind}` schema: {source}")]
    Schema {
        /// The kind.
        kind: &'static str,
        /// What serde reported.
        source: serde_json::Error,
    },
    /// `--backend` named an unknown provider.
    #[error(transparent)]
    UnknownProvider(#[from] UnknownProvider),
}

/// A file-level failure.
#[derive(Debug)]
pub struct FileError {
    /// The file, as given (empty for an error in the options).
    pub file: String,
    /// What went wrong.
    pub error: RunError,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{}: {}", self.file, self.error)
        }
    }
}

/// The result of a run.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every case, in order.
    pub cases: Vec<CaseReport>,
    /// Files that could not be processed.
    pub errors: Vec<FileError>,
}

impl Summary {
    fn count(&self, status: Status) -> usize {
        self.cases
            .iter()
            .filter(|case| case.status == status)
            .count()
    }

    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(Status::Pass)
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.count(Status::Fail)
    }

    /// Cases that were skipped.
    pub fn skipped(&self) -> usize {
        self.count(Status::Skip)
    }

    /// No failed case and no file error: the runner exits with status 0.
    pub fn is_success(&self) -> bool {
        self.failed() == 0 && self.errors.is_empty()
    }

    /// The final line: `N passed, N failed, N skipped`.
    pub fn totals_line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped",
            self.passed(),
            self.failed(),
            self.skipped()
        )
    }

    /// The cases of `file` (as given to the runner).
    pub fn cases_of<'a>(&'a self, file: &'a str) -> impl Iterator<Item = &'a CaseReport> + 'a {
        self.cases.iter().filter(move |case| case.file == file)
    }
}

/// A kind of vector file, and whether this runner implements it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind's name, as it appears in file names and after `--kind`.
    pub name: &'static str,
    /// What the files hold.
    pub description: &'static str,
    /// Whether the runner can run it.
    pub implemented: bool,
}

/// Every kind of the contract, implemented or not.
pub fn kinds() -> Vec<KindInfo> {
    kinds::TABLE
        .iter()
        .map(|spec| KindInfo {
            name: spec.name,
            description: spec.description,
            implemented: spec.handler.is_some(),
        })
        .collect()
}

fn known_kinds() -> String {
    kinds::TABLE
        .iter()
        .map(|spec| spec.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The kind of a file from its name: the longest kind name contained in the file's name
/// without `.json` (so `heldout-x25519_test.json` is `x25519_test` and `art-tree-2.json` is
/// `art-tree`).
pub fn kind_from_file_name(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".json").unwrap_or(name);
    kinds::TABLE
        .iter()
        .filter(|spec| stem.contains(spec.name))
        .max_by_key(|spec| spec.name.len())
        .map(|spec| spec.name)
}

/// Parses a `--suite` value: an RFC 9420 suite number (`1`..`7`) or an ART suite id or name
/// (`0xF002`, `ART_128_P256_AES128GCM_SHA256_P256`), which selects the RFC 9420 suite with the
/// same primitives.
pub fn parse_suite(text: &str) -> Option<u16> {
    if let Ok(number) = text.trim().parse::<u16>()
        && (1..=7).contains(&number)
    {
        return Some(number);
    }
    SuiteId::parse(text)
        .and_then(SuiteId::info)
        .map(|info| info.mls_suite)
}

/// Runs `paths` and collects the results.
pub fn run_files<P: AsRef<Path>>(paths: &[P], options: &RunOptions) -> Summary {
    run_files_with(paths, options, &mut |_| {}, &mut |_| {})
}

/// Runs `paths`, calling `on_case` for each case as soon as it is decided and `on_error` for
/// each file that cannot be processed (so a command-line tool can stream its output), and
/// collects the results.
pub fn run_files_with<P: AsRef<Path>>(
    paths: &[P],
    options: &RunOptions,
    on_case: &mut dyn FnMut(&CaseReport),
    on_error: &mut dyn FnMut(&FileError),
) -> Summary {
    let mut summary = Summary::default();
    let selected: Vec<&'static dyn Provider> = match &options.backend {
        Some(name) => match artmls_providers::find(name) {
            Ok(provider) => vec![provider],
            Err(error) => {
                let error = FileError {
                    file: String::new(),
                    error: error.into(),
                };
                on_error(&error);
                summary.errors.push(error);
                return summary;
            }
        },
        None => artmls_providers::all().to_vec(),
    };
    for path in paths {
        let path = path.as_ref();
        let file = path.display().to_string();
        let mut cases = Vec::new();
        let result = {
            let mut sink = |report: CaseReport| {
                on_case(&report);
                cases.push(report);
            };
            run_one_file(path, &file, options, &selected, &mut sink)
        };
        summary.cases.append(&mut cases);
        if let Err(error) = result {
            let error = FileError { file, error };
            on_error(&error);
            summary.errors.push(error);
        }
    }
    summary
}

fn run_one_file(
    path: &Path,
    file: &str,
    options: &RunOptions,
    backends: &[&'static dyn Provider],
    sink: &mut dyn FnMut(CaseReport),
) -> Result<(), RunError> {
    let kind = match &options.kind {
        Some(kind) => kind.as_str(),
        None => kind_from_file_name(path).ok_or_else(|| RunError::KindFromName {
            known: known_kinds(),
        })?,
    };
    let spec = kinds::TABLE
        .iter()
        .find(|spec| spec.name == kind)
        .ok_or_else(|| RunError::UnknownKind {
            kind: kind.to_owned(),
            known: known_kinds(),
        })?;
    let handler = spec.handler.ok_or(RunError::NotImplemented(spec.name))?;
    let text = std::fs::read_to_string(path)?;
    let mut run = FileRun::new(file, options, backends, sink);
    handler(&mut run, &text).map_err(|source| RunError::Schema {
        kind: spec.name,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_file_names() {
        let cases = [
            ("x25519_test.json", Some("x25519_test")),
            ("heldout-x25519_test.json", Some("x25519_test")),
            (
                "ecdh_secp256r1_ecpoint_test.json",
                Some("ecdh_secp256r1_ecpoint_test"),
            ),
            ("ecdh_secp256r1_test.json", Some("ecdh_secp256r1_test")),
            (
                "ecdsa_secp256r1_sha256_p1363_test.json",
                Some("ecdsa_secp256r1_sha256_p1363_test"),
            ),
            ("art-tree-2.json", Some("art-tree")),
            ("rfc9180-hpke-subset.json", Some("rfc9180")),
            ("crypto-basics.json", Some("crypto-basics")),
            ("notes.json", None),
        ];
        for (name, kind) in cases {
            assert_eq!(kind_from_file_name(Path::new(name)), kind, "{name}");
        }
    }

    #[test]
    fn suites_parse_as_numbers_or_art_ids() {
        assert_eq!(parse_suite("2"), Some(2));
        assert_eq!(parse_suite("7"), Some(7));
        assert_eq!(parse_suite("0xF003"), Some(3));
        assert_eq!(parse_suite("ART_128_P256_AES128GCM_SHA256_P256"), Some(2));
        assert_eq!(parse_suite("8"), None);
        assert_eq!(parse_suite("x"), None);
    }

    #[test]
    fn case_lines_follow_the_contract() {
        let report = CaseReport {
            file: "a.json".into(),
            case_id: "3".into(),
            suite: None,
            status: Status::Skip,
            reason: "unsupported suite".into(),
        };
        assert_eq!(report.to_string(), "CASE a.json 3 - SKIP unsupported suite");
    }
}
