//! `artmls-conformance`: runs vector files against every artmls backend.
//!
//! ```text
//! artmls-conformance run [--kind KIND] [--suite ID] [--backend NAME] FILE.json...
//! artmls-conformance generate art-tree|art-update [--seed N] [--out FILE]
//! artmls-conformance backends
//! artmls-conformance kinds
//! ```
//!
//! `run` prints one `CASE <file> <case-id> <suite> PASS|FAIL|SKIP <reason>` line per case, then
//! `N passed, N failed, N skipped`, and exits with status 1 if a case failed or a file could
//! not be processed (errors go to standard error).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use artmls_conformance::runner::{self, RunOptions};
use clap::{Parser, Subcommand};

/// Conformance runner for artmls: vector files against every backend.
#[derive(Parser)]
#[command(name = "artmls-conformance", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run vector files: one CASE line per case, then the totals.
    Run {
        /// The kind of every file (default: from each file's name).
        #[arg(long)]
        kind: Option<String>,
        /// Only the cases of this suite: an RFC 9420 number (1-7) or an ART suite id or name.
        #[arg(long, value_parser = parse_suite_arg)]
        suite: Option<u16>,
        /// Only this backend (default: every backend that serves a case's suite).
        #[arg(long)]
        backend: Option<String>,
        /// Vector files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write vectors computed by this project's code, for other implementations to check.
    Generate {
        /// What to generate: `art-tree` or `art-update`.
        kind: String,
        /// Seed of the random leaf secrets and tree shapes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the JSON (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the backends and the suites they serve.
    Backends,
    /// List the kinds of vector files and whether they are implemented.
    Kinds,
}

fn parse_suite_arg(text: &str) -> Result<u16, String> {
    runner::parse_suite(text).ok_or_else(|| {
        format!("`{text}` is not a suite: give an RFC 9420 number (1-7) or an ART suite id or name")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run {
            kind,
            suite,
            backend,
            files,
        } => run(
            RunOptions {
                kind,
                suite,
                backend,
            },
            &files,
        ),
        Command::Generate { kind, seed, out } => generate(&kind, seed, out.as_deref()),
        Command::Backends => {
            let mut out = std::io::stdout().lock();
            for provider in artmls_providers::all() {
                let suites = provider
                    .suites()
                    .iter()
                    .map(|suite| format!("{:#06x}", suite.0))
                    .collect::<Vec<_>>()
                    .join(" ");
                // A closed pipe is not worth a panic.
                let _ = writeln!(
                    out,
                    "{:<8} {suites:<22} {}",
                    provider.name(),
                    provider.description()
                );
            }
            ExitCode::SUCCESS
        }
        Command::Kinds => {
            let mut out = std::io::stdout().lock();
            for kind in runner::kinds() {
                let state = if kind.implemented {
                    "implemented"
                } else {
                    "not implemented"
                };
                let _ = writeln!(out, "{:<36} {state:<16} {}", kind.name, kind.description);
            }
            ExitCode::SUCCESS
        }
    }
}

fn generate(kind: &str, seed: u64, out: Option<&std::path::Path>) -> ExitCode {
    let cases = match kind {
        "art-tree" => artmls_conformance::generate::art_tree_cases(seed)
            .and_then(|cases| serde_json::to_value(cases).map_err(|e| e.to_string())),
        "art-update" => artmls_conformance::generate::art_update_cases(seed)
            .and_then(|cases| serde_json::to_value(cases).map_err(|e| e.to_string())),
        _ => {
            eprintln!(
                "error: cannot generate `{kind}`; the kinds that can be generated: art-tree, art-update"
            );
            return ExitCode::from(2);
        }
    };
    let cases = match cases {
        Ok(cases) => cases,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let json = match serde_json::to_string_pretty(&cases) {
        Ok(json) => json,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let written = match out {
        Some(path) => std::fs::write(path, json + "\n"),
        None => writeln!(std::io::stdout(), "{json}"),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(options: RunOptions, files: &[PathBuf]) -> ExitCode {
    if let Some(name) = &options.backend
        && let Err(error) = artmls_providers::find(name)
    {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let summary = runner::run_files_with(
        files,
        &options,
        &mut |case| {
            let _ = writeln!(out, "{case}");
        },
        &mut |error| {
            eprintln!("error: {error}");
        },
    );
    let _ = writeln!(out, "{}", summary.totals_line());
    let _ = out.flush();
    if summary.is_success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
