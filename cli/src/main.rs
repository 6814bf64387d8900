//! `artmls`: the command a newcomer runs first.
//!
//! - `artmls demo`: simulates a group end to end and shows what each operation costs; with
//!   `--store DIR` every member is kept in its own SQLite store, and `--resume` continues an
//!   interrupted run.
//! - `artmls store inspect`: what a store holds, without its key and without any secret.
//! - `artmls suites`: every cipher suite and the backends that serve it.
//! - `artmls conformance`: the shared conformance suite and the vector files, per suite and
//!   backend.
//! - `artmls bench`: primitive costs and every group operation's cost per backend and suite
//!   against group size, saved for `artmls choose`; charts and an HTML report.
//! - `artmls choose`: every suite and backend ranked for a deployment (docs/choose.md).
//! - `artmls transcript`: a fixed scenario as deterministic JSON, identical across backends.
//! - `artmls serve`: the delivery service over HTTP (docs/deployment.md).
//! - `artmls client`: a member as a process, with its own SQLite store, talking to a server.
//! - `artmls load`: drives many groups against a server and reports throughput, latency and
//!   the server's memory.

#![forbid(unsafe_code)]

mod bench;
mod choose;
mod client;
mod conformance;
mod demo;
mod figures;
mod load;
mod plot;
mod report;
mod serve;
mod store;
mod transcript;

use std::process::ExitCode;

use artmls::SuiteId;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "artmls",
    version,
    about = "Group key establishment on an Asynchronous Ratcheting Tree"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate a group: create it, run updates, adds and removes, and check after every step
    /// that all members agree on the group secret.
    Demo(demo::DemoArgs),
    /// Look at stores: `artmls store inspect PATH`.
    Store {
        #[command(subcommand)]
        command: store::StoreCommand,
    },
    /// List every cipher suite with the backends that serve it.
    Suites,
    /// Run the shared conformance suite and every vector file found, per suite and backend.
    Conformance(conformance::ConformanceArgs),
    /// Measure every group operation of every backend and suite against group size: tables,
    /// the figures saved for `artmls choose`, charts (--plot) and an HTML report (--report).
    Bench(bench::BenchArgs),
    /// Rank every suite and backend for a deployment: CPU and bytes per day for a member and
    /// the group, from the saved bench figures.
    Choose(choose::ChooseArgs),
    /// Print a fixed scenario as JSON: every message's bytes and every epoch's authenticator.
    /// Backends that serve the same suite print the same bytes for the same seed.
    Transcript(transcript::TranscriptArgs),
    /// Run the delivery service over HTTP: it orders each group's commits, checking them
    /// against the group's public state, and never holds a secret. SQLite by default;
    /// PostgreSQL for several servers.
    Serve(serve::ServeArgs),
    /// Be a member: a process with its own SQLite store, talking to an `artmls serve`.
    Client(client::ClientArgs),
    /// Drive many groups and members against a server; report commits and messages per
    /// second, latency from submit to delivery, and the server's memory.
    Load(load::LoadArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => demo::run(&args),
        Command::Store { command } => store::run(&command),
        Command::Conformance(args) => conformance::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Choose(args) => choose::run(&args),
        Command::Transcript(args) => transcript::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Client(args) => client::run(&args),
        Command::Load(args) => load::run(&args),
        Command::Suites => {
            print_suites();
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn print_suites() {
    println!("{:<8} {:<48} {:<6} backends", "id", "name", "rfc");
    for info in artmls::suite::SUITES.iter() {
        let backends = serving_names(info.id).join(", ");
        println!(
            "{:<8} {:<48} {:<6} {backends}",
            format!("{:#06x}", info.id.0),
            info.name,
            info.mls_suite
        );
    }
}

/// The suite (by name or id) and backend (by name, or the first that serves the suite) a user
/// asked for, with errors that list what is known.
pub(crate) fn pick(suite: &str, backend: Option<&str>) -> Result<(SuiteId, &'static str), String> {
    let suite = parse_suite(suite)?;
    let serving = serving_names(suite);
    let backend = match backend {
        None => *serving
            .first()
            .ok_or_else(|| format!("no backend serves {suite}"))?,
        Some(name) => {
            let provider = artmls_providers::find(name).map_err(|e| e.to_string())?;
            if !provider.serves(suite) {
                return Err(format!(
                    "backend '{name}' does not serve {suite}; backends that do: {}",
                    serving.join(", ")
                ));
            }
            provider.name()
        }
    };
    Ok((suite, backend))
}

/// The names of the providers that serve `suite`, in the order of `artmls_providers::all`.
fn serving_names(suite: SuiteId) -> Vec<&'static str> {
    artmls_providers::serving(suite)
        .iter()
        .map(|provider| provider.name())
        .collect()
}

/// Parses a suite given by name or id, listing the known ones when it is unknown.
pub(crate) fn parse_suite(text: &str) -> Result<SuiteId, String> {
    SuiteId::parse(text).ok_or_else(|| {
        let known: Vec<String> = artmls::suite::SUITES
            .iter()
            .map(|info| format!("{:#06x} {}", info.id.0, info.name))
            .collect();
        format!(
            "unknown suite '{text}'; known suites:\n  {}",
            known.join("\n  ")
        )
    })
}
