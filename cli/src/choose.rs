//! `artmls choose`: which suite and backend suit a deployment.
//!
//! The user describes a day of the deployment (group size, updates, messages and joins per
//! day) and what the deployment requires (pure Rust, a suite family...). Every (backend,
//! suite) pair is costed with the model of `docs/choose.md` from the figures `artmls bench`
//! saved (measuring what is missing), and the pairs are ranked: those meeting every
//! requirement first, by the group's CPU time per day.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use artmls::SuiteId;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::figures::{BenchFigures, FIGURES_VERSION, PairFigures, SizeFigures};

/// Options of `artmls choose`.
#[derive(Args, Debug, Clone)]
pub(crate) struct ChooseArgs {
    /// Members in the group.
    #[arg(long, value_parser = parse_members)]
    pub members: u32,
    /// Update commits each member makes per day (fractions allowed: 0.5 is one every two days).
    #[arg(long, value_parser = parse_rate, allow_negative_numbers = true)]
    pub updates: f64,
    /// Application messages each member sends per day (fractions allowed).
    #[arg(long, value_parser = parse_rate, allow_negative_numbers = true)]
    pub messages: f64,
    /// Members joining the group per day.
    #[arg(long, default_value_t = 0, value_parser = parse_joins, allow_negative_numbers = true)]
    pub joins: u32,
    /// Plaintext size of an application message in bytes (default: what the figures measured).
    #[arg(long, value_name = "BYTES", value_parser = parse_size, allow_negative_numbers = true)]
    pub message_size: Option<u64>,
    /// A requirement every recommended pair must meet (repeatable): pure-rust,
    /// no-c-toolchain, suite-family=x25519|p256, suite=ID, backend=NAME.
    #[arg(long, value_name = "REQUIREMENT")]
    pub require: Vec<String>,
    /// Print JSON instead of a table (fields in docs/choose.md).
    #[arg(long)]
    pub json: bool,
    /// The saved bench figures (default: where `artmls bench` saves them).
    #[arg(long, value_name = "FILE")]
    pub figures: Option<PathBuf>,
    /// Never measure: use only the saved figures (pairs without figures are listed apart,
    /// group sizes outside the measured range are extrapolated).
    #[arg(long)]
    pub no_measure: bool,
}

fn parse_members(text: &str) -> Result<u32, String> {
    let n: i64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number of members"))?;
    if n < 2 {
        return Err(format!(
            "a group has at least 2 members, got {n}: pass --members 2 or more"
        ));
    }
    u32::try_from(n).map_err(|_| {
        format!(
            "{n} members is more than artmls can cost (at most {})",
            u32::MAX
        )
    })
}

fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number (a count per member per day)"))?;
    if !rate.is_finite() || rate < 0.0 {
        return Err(format!(
            "{text} is not a count per day: pass zero or more (fractions allowed)"
        ));
    }
    Ok(rate)
}

fn parse_joins(text: &str) -> Result<u32, String> {
    let joins: i64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a whole number of joins per day"))?;
    u32::try_from(joins)
        .map_err(|_| format!("{joins} is not a number of joins per day: pass zero or more"))
}

fn parse_size(text: &str) -> Result<u64, String> {
    let size: i64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a size in bytes"))?;
    u64::try_from(size).map_err(|_| format!("{size} is not a size in bytes: pass zero or more"))
}

// ---------------------------------------------------------------------------------------------
// The deployment and the model.

/// A day of the deployment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Deployment {
    /// n: members at the start of the day.
    pub members: u32,
    /// U: update commits per member per day.
    pub updates: f64,
    /// M: application messages sent per member per day.
    pub messages: f64,
    /// J: members joining per day.
    pub joins: u32,
}

/// How many of each operation a day takes. The newcomers' first updates are kept apart
/// from the members' own updates: they cost the same per operation but reach a grown group.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub(crate) struct Operations {
    /// Update commits made by members.
    pub update: f64,
    /// Members' update commits processed by someone else.
    pub receive_update: f64,
    /// A newcomer's first update commit (ART: its adder chose its leaf key).
    pub first_update: f64,
    /// Newcomers' first updates processed by someone else.
    pub receive_first_update: f64,
    /// Add commits made (one newcomer each).
    pub add: f64,
    /// Add commits processed by someone else.
    pub receive_add: f64,
    /// Joins from a Welcome.
    pub join: f64,
    /// Application messages encrypted.
    pub encrypt: f64,
    /// Application messages decrypted.
    pub decrypt: f64,
}

/// A day's operations: for the whole group, and for one member that is in the group all day
/// and adds no one (the adders' extra work is in the group's count).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DayOperations {
    /// Everyone's operations.
    pub group: Operations,
    /// One member's.
    pub member: Operations,
}

/// The day's operation counts (docs/choose.md, "The model").
pub(crate) fn day_operations(deployment: &Deployment) -> DayOperations {
    let n = f64::from(deployment.members);
    let u = deployment.updates;
    let m = deployment.messages;
    let j = f64::from(deployment.joins);
    // The joins come one after the other at the end of the day: the j-th (from 1) is added
    // to a group of n + j - 1 members and its first update reaches n + j - 1 others.
    let growth = j * (j - 1.0) / 2.0;
    let group = Operations {
        update: n * u,
        receive_update: n * u * (n - 1.0),
        first_update: j,
        receive_first_update: j * (n - 1.0) + j + growth,
        add: j,
        receive_add: j * (n - 1.0) + growth,
        join: j,
        encrypt: n * m,
        decrypt: n * m * (n - 1.0),
    };
    let member = Operations {
        update: u,
        receive_update: (n - 1.0) * u,
        first_update: 0.0,
        receive_first_update: j,
        add: 0.0,
        receive_add: j,
        join: 0.0,
        encrypt: m,
        decrypt: (n - 1.0) * m,
    };
    DayOperations { group, member }
}

/// What each operation costs at the deployment's group size: microseconds and bytes on the
/// wire.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct OperationCosts {
    pub update_us: f64,
    /// A newcomer's first update: an update at n in the figures, kept apart so that a
    /// simulation can give it the size it measured.
    pub first_update_us: f64,
    pub receive_us: f64,
    pub add_us: f64,
    pub receive_add_us: f64,
    pub join_us: f64,
    pub encrypt_us: f64,
    pub decrypt_us: f64,
    pub update_bytes: f64,
    pub first_update_bytes: f64,
    pub add_bytes: f64,
    pub welcome_bytes: f64,
    pub message_bytes: f64,
}

impl OperationCosts {
    fn from_size(size: &SizeFigures) -> OperationCosts {
        OperationCosts {
            update_us: size.update_us,
            first_update_us: size.update_us,
            receive_us: size.receive_us,
            add_us: size.add_us,
            receive_add_us: size.receive_add_us,
            join_us: size.join_us,
            encrypt_us: size.encrypt_us,
            decrypt_us: size.decrypt_us,
            update_bytes: size.update_bytes as f64,
            first_update_bytes: size.update_bytes as f64,
            add_bytes: size.add_bytes as f64,
            welcome_bytes: size.welcome_bytes as f64,
            message_bytes: size.message_bytes as f64,
        }
    }

    /// The CPU time of `ops`, in microseconds.
    fn cpu_us(&self, ops: &Operations) -> f64 {
        ops.update * self.update_us
            + ops.first_update * self.first_update_us
            + (ops.receive_update + ops.receive_first_update) * self.receive_us
            + ops.add * self.add_us
            + ops.receive_add * self.receive_add_us
            + ops.join * self.join_us
            + ops.encrypt * self.encrypt_us
            + ops.decrypt * self.decrypt_us
    }

    /// The bytes `ops` send to the service (an add sends its commit and its Welcome).
    fn sent_bytes(&self, ops: &Operations) -> f64 {
        ops.update * self.update_bytes
            + ops.first_update * self.first_update_bytes
            + ops.add * (self.add_bytes + self.welcome_bytes)
            + ops.encrypt * self.message_bytes
    }

    /// The bytes the service hands out for `ops`: one copy per receiver, the Welcome to the
    /// newcomer.
    fn received_bytes(&self, ops: &Operations) -> f64 {
        ops.receive_update * self.update_bytes
            + ops.receive_first_update * self.first_update_bytes
            + ops.receive_add * self.add_bytes
            + ops.join * self.welcome_bytes
            + ops.decrypt * self.message_bytes
    }
}

/// What a day costs one member and the group, for one pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct DayCost {
    /// One member's CPU time per day, microseconds.
    pub member_cpu_us: f64,
    /// The whole group's CPU time per day, microseconds.
    pub group_cpu_us: f64,
    /// Bytes one member sends per day.
    pub member_sent_bytes: f64,
    /// Bytes one member receives per day.
    pub member_received_bytes: f64,
    /// Bytes the delivery service receives per day (everything every member sends).
    pub service_in_bytes: f64,
    /// Bytes the delivery service fans out per day (one copy per receiver).
    pub service_out_bytes: f64,
}

/// The model: a day of `deployment` with operations costing `costs`.
pub(crate) fn day_cost(costs: &OperationCosts, deployment: &Deployment) -> DayCost {
    let ops = day_operations(deployment);
    DayCost {
        member_cpu_us: costs.cpu_us(&ops.member),
        group_cpu_us: costs.cpu_us(&ops.group),
        member_sent_bytes: costs.sent_bytes(&ops.member),
        member_received_bytes: costs.received_bytes(&ops.member),
        service_in_bytes: costs.sent_bytes(&ops.group),
        service_out_bytes: costs.received_bytes(&ops.group),
    }
}

// ---------------------------------------------------------------------------------------------
// Figures at the deployment's group size.

/// Where a pair's figures at n come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Estimate {
    /// Measured at n.
    Measured,
    /// Interpolated in log2(n) between the measured sizes around n.
    Interpolated,
    /// Extrapolated in log2(n) from the nearest measured sizes (n is outside them).
    Extrapolated,
}

/// The costs at `n` from a pair's measured sizes: exact, interpolated or extrapolated
/// linearly in log2(n) (ART's path operations grow with the tree's depth). `None` when
/// nothing was measured.
pub(crate) fn costs_at(sizes: &[SizeFigures], n: u32) -> Option<(OperationCosts, Estimate)> {
    let mut sorted: Vec<&SizeFigures> = sizes.iter().collect();
    sorted.sort_by_key(|size| size.n);
    sorted.dedup_by_key(|size| size.n);
    if let Some(exact) = sorted.iter().find(|size| size.n == n) {
        return Some((OperationCosts::from_size(exact), Estimate::Measured));
    }
    let (first, last) = (sorted.first()?, sorted.last()?);
    if sorted.len() == 1 {
        // One size: nothing to draw a line through, so its costs stand for every n.
        return Some((OperationCosts::from_size(first), Estimate::Extrapolated));
    }
    let (low, high, estimate) = if n < first.n {
        (sorted[0], sorted[1], Estimate::Extrapolated)
    } else if n > last.n {
        (
            sorted[sorted.len() - 2],
            sorted[sorted.len() - 1],
            Estimate::Extrapolated,
        )
    } else {
        let above = sorted.iter().position(|size| size.n > n)?;
        (sorted[above - 1], sorted[above], Estimate::Interpolated)
    };
    let (x0, x1) = (
        f64::from(low.n.max(1)).log2(),
        f64::from(high.n.max(1)).log2(),
    );
    let t = (f64::from(n.max(1)).log2() - x0) / (x1 - x0);
    let (a, b) = (
        OperationCosts::from_size(low),
        OperationCosts::from_size(high),
    );
    // A line continued below the measured sizes could fall under zero; no cost does.
    let line = |a: f64, b: f64| (a + (b - a) * t).max(0.0);
    Some((
        OperationCosts {
            update_us: line(a.update_us, b.update_us),
            first_update_us: line(a.first_update_us, b.first_update_us),
            receive_us: line(a.receive_us, b.receive_us),
            add_us: line(a.add_us, b.add_us),
            receive_add_us: line(a.receive_add_us, b.receive_add_us),
            join_us: line(a.join_us, b.join_us),
            encrypt_us: line(a.encrypt_us, b.encrypt_us),
            decrypt_us: line(a.decrypt_us, b.decrypt_us),
            update_bytes: line(a.update_bytes, b.update_bytes),
            first_update_bytes: line(a.first_update_bytes, b.first_update_bytes),
            add_bytes: line(a.add_bytes, b.add_bytes),
            welcome_bytes: line(a.welcome_bytes, b.welcome_bytes),
            message_bytes: line(a.message_bytes, b.message_bytes),
        },
        estimate,
    ))
}

// ---------------------------------------------------------------------------------------------
// Requirements.

/// What is known of a backend's build and code, for the requirements.
struct BackendFacts {
    /// Only Rust code (no C or assembly linked in).
    pure_rust: bool,
    /// What building it needs beyond cargo, or `None`.
    toolchain: Option<&'static str>,
}

/// The facts of the backends `artmls_providers::all` lists; `None` for one this table does
/// not know (it then meets no build requirement, rather than one it might not).
fn backend_facts(backend: &str) -> Option<BackendFacts> {
    match backend {
        "dalek" | "p256" => Some(BackendFacts {
            pure_rust: true,
            toolchain: None,
        }),
        "ring" => Some(BackendFacts {
            pure_rust: false,
            toolchain: Some("needs a C compiler (ring builds C and assembly)"),
        }),
        "aws-lc" => Some(BackendFacts {
            pure_rust: false,
            toolchain: Some(
                "needs a C/C++ compiler (aws-lc-rs builds the AWS-LC C library; CMake too on targets without prebuilt bindings)",
            ),
        }),
        _ => None,
    }
}

/// A requirement the user set with `--require`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Requirement {
    /// No C or assembly code in the backend.
    PureRust,
    /// Builds with cargo alone.
    NoCToolchain,
    /// The suite's DH and signature family.
    SuiteFamily(Family),
    /// One suite.
    Suite(SuiteId),
    /// One backend.
    Backend(String),
}

/// A suite's curve family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// X25519 and Ed25519.
    X25519,
    /// P-256 ECDH and ECDSA.
    P256,
}

const KNOWN_REQUIREMENTS: &str =
    "pure-rust, no-c-toolchain, suite-family=x25519, suite-family=p256, suite=ID, backend=NAME";

impl Requirement {
    pub(crate) fn parse(text: &str) -> Result<Requirement, String> {
        let unknown = || {
            let mut message = format!("unknown requirement '{text}'; known: {KNOWN_REQUIREMENTS}");
            if text.eq_ignore_ascii_case("fips") {
                // Asked for often; say why it is not offered rather than only that it is not.
                message.push_str(
                    " (none of the backends is a FIPS-validated build: aws-lc-rs's `fips` feature is not enabled)",
                );
            }
            message
        };
        match text.split_once('=') {
            None => match text {
                "pure-rust" => Ok(Requirement::PureRust),
                "no-c-toolchain" => Ok(Requirement::NoCToolchain),
                _ => Err(unknown()),
            },
            Some(("suite-family", "x25519")) => Ok(Requirement::SuiteFamily(Family::X25519)),
            Some(("suite-family", "p256")) => Ok(Requirement::SuiteFamily(Family::P256)),
            Some(("suite-family", other)) => Err(format!(
                "unknown suite family '{other}'; known: x25519, p256"
            )),
            Some(("suite", id)) => Ok(Requirement::Suite(crate::parse_suite(id)?)),
            Some(("backend", name)) => {
                let provider = artmls_providers::find(name).map_err(|e| e.to_string())?;
                Ok(Requirement::Backend(provider.name().to_string()))
            }
            Some(_) => Err(unknown()),
        }
    }

    /// How the requirement is written.
    fn label(&self) -> String {
        match self {
            Requirement::PureRust => "pure-rust".into(),
            Requirement::NoCToolchain => "no-c-toolchain".into(),
            Requirement::SuiteFamily(Family::X25519) => "suite-family=x25519".into(),
            Requirement::SuiteFamily(Family::P256) => "suite-family=p256".into(),
            Requirement::Suite(suite) => format!("suite={:#06x}", suite.0),
            Requirement::Backend(name) => format!("backend={name}"),
        }
    }

    /// `None` if the pair meets the requirement, else why not.
    fn check(&self, backend: &str, suite: SuiteId) -> Option<String> {
        let facts = backend_facts(backend);
        match self {
            Requirement::PureRust => match facts {
                Some(facts) if facts.pure_rust => None,
                Some(_) => Some(format!("{backend} links C or assembly code")),
                None => Some(format!("{backend}'s code is not known to be pure Rust")),
            },
            Requirement::NoCToolchain => match facts {
                Some(BackendFacts {
                    toolchain: None, ..
                }) => None,
                Some(BackendFacts {
                    toolchain: Some(needs),
                    ..
                }) => Some(needs.to_string()),
                None => Some(format!("{backend}'s build needs are not known")),
            },
            Requirement::SuiteFamily(family) => {
                let is = suite_family(suite);
                (is != Some(*family)).then(|| format!("{:#06x} is not of that family", suite.0))
            }
            Requirement::Suite(wanted) => {
                (*wanted != suite).then(|| format!("{:#06x} is another suite", suite.0))
            }
            Requirement::Backend(wanted) => {
                (wanted != backend).then(|| format!("{backend} is another backend"))
            }
        }
    }
}

/// The curve family of a suite.
fn suite_family(suite: SuiteId) -> Option<Family> {
    match suite {
        SuiteId::X25519_AES128GCM_SHA256_ED25519
        | SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519 => Some(Family::X25519),
        SuiteId::P256_AES128GCM_SHA256_P256 => Some(Family::P256),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Ranking.

/// One pair's verdict, as printed and as JSON (field names documented in docs/choose.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Verdict {
    /// 1 for the best; pairs failing a requirement come after every pair meeting them all.
    pub rank: usize,
    pub backend: String,
    /// The suite's id, `0xf001`.
    pub suite: String,
    pub suite_name: String,
    /// Whether the pair meets every requirement.
    pub meets_requirements: bool,
    /// The requirements it fails, each with why.
    pub failed: Vec<String>,
    /// Where its figures at n come from.
    pub estimate: Estimate,
    #[serde(flatten)]
    pub cost: DayCost,
    /// One line: why it ranks where it does.
    pub reason: String,
}

/// A pair with its costs, before ranking.
#[derive(Debug, Clone)]
pub(crate) struct Costed {
    pub backend: String,
    pub suite: SuiteId,
    pub estimate: Estimate,
    pub cost: DayCost,
}

fn label(backend: &str, suite: SuiteId) -> String {
    format!("{backend} {:#06x}", suite.0)
}

/// "2.3× slower than X", or "about as fast as X" within 5 %.
fn slower(this: f64, than: f64, other: &str) -> String {
    let ratio = if than > 0.0 { this / than } else { 1.0 };
    if ratio < 1.05 {
        format!("about as fast as {other}")
    } else {
        format!("{ratio:.1}× slower than {other}")
    }
}

/// Ranks the costed pairs: those meeting every requirement first, each group by the group's
/// CPU time per day (then bytes fanned out), and says why each ranks where it does.
pub(crate) fn rank(costed: Vec<Costed>, requirements: &[Requirement]) -> Vec<Verdict> {
    let mut rows: Vec<(Costed, Vec<String>)> = costed
        .into_iter()
        .map(|pair| {
            let failed = requirements
                .iter()
                .filter_map(|requirement| {
                    requirement
                        .check(&pair.backend, pair.suite)
                        .map(|why| format!("{}: {why}", requirement.label()))
                })
                .collect();
            (pair, failed)
        })
        .collect();
    rows.sort_by(|(a, a_failed), (b, b_failed)| {
        a_failed
            .is_empty()
            .cmp(&b_failed.is_empty())
            .reverse()
            .then(a.cost.group_cpu_us.total_cmp(&b.cost.group_cpu_us))
            .then(
                a.cost
                    .service_out_bytes
                    .total_cmp(&b.cost.service_out_bytes),
            )
    });
    let fastest = rows
        .iter()
        .min_by(|(a, _), (b, _)| a.cost.group_cpu_us.total_cmp(&b.cost.group_cpu_us))
        .map(|(pair, failed)| (pair.clone(), failed.clone()));
    let best = rows
        .first()
        .filter(|(_, failed)| failed.is_empty())
        .map(|(pair, _)| pair.clone());
    let wanted: Vec<String> = requirements.iter().map(Requirement::label).collect();
    rows.into_iter()
        .enumerate()
        .map(|(index, (pair, failed))| {
            let reason = reason(
                &pair,
                &failed,
                index,
                best.as_ref(),
                fastest.as_ref(),
                &wanted,
            );
            let suite_name = pair
                .suite
                .info()
                .map_or_else(|| pair.suite.to_string(), |info| info.name.to_string());
            Verdict {
                rank: index + 1,
                backend: pair.backend.clone(),
                suite: format!("{:#06x}", pair.suite.0),
                suite_name,
                meets_requirements: failed.is_empty(),
                failed,
                estimate: pair.estimate,
                cost: pair.cost,
                reason,
            }
        })
        .collect()
}

fn reason(
    pair: &Costed,
    failed: &[String],
    index: usize,
    best: Option<&Costed>,
    fastest: Option<&(Costed, Vec<String>)>,
    wanted: &[String],
) -> String {
    let name = label(&pair.backend, pair.suite);
    if !failed.is_empty() {
        return format!("fails {}", failed.join("; "));
    }
    let Some(best) = best else {
        return String::new();
    };
    if index == 0 {
        let mut line = if wanted.is_empty() {
            "fastest".to_string()
        } else {
            format!("fastest that meets {}", wanted.join(", "))
        };
        if let Some((fastest, fastest_failed)) = fastest {
            let fastest_name = label(&fastest.backend, fastest.suite);
            if fastest_name != name {
                let _ = write!(
                    line,
                    "; {} (which fails {})",
                    slower(
                        pair.cost.group_cpu_us,
                        fastest.cost.group_cpu_us,
                        &fastest_name
                    ),
                    fastest_failed
                        .iter()
                        .map(|why| why.split(':').next().unwrap_or(why))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        return line;
    }
    let best_name = label(&best.backend, best.suite);
    let mut line = slower(pair.cost.group_cpu_us, best.cost.group_cpu_us, &best_name);
    // What might make a slower pair worth it: it builds or audits more easily than the best.
    let (this, that) = (backend_facts(&pair.backend), backend_facts(&best.backend));
    if let (Some(this), Some(that)) = (this, that) {
        if this.pure_rust && !that.pure_rust {
            line.push_str(", but pure Rust (no C toolchain)");
        } else if this.toolchain.is_none() && that.toolchain.is_some() {
            line.push_str(", but no C toolchain");
        }
    }
    let bytes = if best.cost.service_out_bytes > 0.0 {
        pair.cost.service_out_bytes / best.cost.service_out_bytes
    } else {
        1.0
    };
    if bytes >= 1.05 {
        let _ = write!(line, "; {bytes:.2}× the bytes");
    } else if bytes <= 0.95 {
        let _ = write!(line, "; {:.0} % fewer bytes", (1.0 - bytes) * 100.0);
    }
    line
}

// ---------------------------------------------------------------------------------------------
// Figures: load, complete by measuring, cost.

/// The repetitions of each timed operation when `choose` measures a missing pair or size:
/// enough for a median, few enough to take seconds.
const MEASURE_ROUNDS: usize = 5;

/// The plaintext length a pair measured here encrypts; recorded in a figures file this
/// command creates.
const MEASURED_MESSAGE_LEN: usize = crate::bench::MESSAGE_LEN;

/// Measures one pair at `sizes`: `artmls bench`'s measurement, so both commands save the
/// same figures.
fn measure(
    backend: &str,
    suite: SuiteId,
    sizes: &[u32],
    progress: &dyn Fn(&str),
) -> Result<PairFigures, String> {
    crate::bench::measure_pair(backend, suite, sizes, MEASURE_ROUNDS, progress)
}

/// Every (backend, suite) pair the providers serve, in their order.
fn all_pairs() -> Vec<(&'static str, SuiteId)> {
    artmls_providers::all()
        .iter()
        .flat_map(|provider| {
            provider
                .suites()
                .iter()
                .map(move |suite| (provider.name(), *suite))
        })
        .collect()
}

/// The figures, completed by measuring what is missing unless `no_measure`: pairs absent
/// from the file, and sizes when n is outside a pair's measured range. Returns the figures
/// and notes for the user.
fn complete(
    path: &Path,
    n: u32,
    no_measure: bool,
    show_progress: bool,
) -> Result<(BenchFigures, Vec<String>), String> {
    let mut notes = Vec::new();
    let loaded = if path.exists() || no_measure {
        Some(BenchFigures::load(path)?)
    } else {
        notes.push(format!(
            "no saved figures at {}: measuring every pair",
            path.display()
        ));
        None
    };
    let mut figures = loaded.clone().unwrap_or_else(|| BenchFigures {
        version: FIGURES_VERSION,
        created_unix: 0,
        quick: true,
        message_len: MEASURED_MESSAGE_LEN,
        pairs: Vec::new(),
    });
    if no_measure {
        return Ok((figures, notes));
    }
    // What to measure: (backend, suite, whether the pair is new).
    let mut todo = Vec::new();
    for (backend, suite) in all_pairs() {
        match figures.pair(backend, suite.0) {
            None => todo.push((backend, suite, true)),
            Some(pair) => {
                let inside = pair.sizes.iter().any(|size| size.n <= n)
                    && pair.sizes.iter().any(|size| size.n >= n);
                if !inside {
                    todo.push((backend, suite, false));
                }
            }
        }
    }
    if todo.is_empty() {
        return Ok((figures, notes));
    }
    let progress = if show_progress {
        ProgressBar::new(todo.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut measured_any = false;
    let (mut absent, mut outside) = (Vec::new(), Vec::new());
    for (backend, suite, new) in todo {
        progress.set_message(format!("measuring {} at n = {n}", label(backend, suite)));
        let step = |what: &str| progress.set_message(format!("{}: {what}", label(backend, suite)));
        let measured = match measure(backend, suite, &[n], &step) {
            Ok(measured) => measured,
            Err(error) => {
                // The saved figures still answer (extrapolated, or the pair listed apart):
                // say what could not be measured rather than give no answer at all.
                notes.push(format!(
                    "could not measure {}: {error}",
                    label(backend, suite)
                ));
                progress.inc(1);
                continue;
            }
        };
        measured_any = true;
        // One note per reason, naming the pairs, rather than a line per pair.
        if new {
            absent.push(label(backend, suite));
        } else {
            outside.push(label(backend, suite));
        }
        match figures
            .pairs
            .iter_mut()
            .find(|pair| pair.backend == backend && pair.suite == suite.0)
        {
            Some(pair) => {
                pair.sizes.retain(|size| size.n != n);
                pair.sizes.extend(measured.sizes);
                pair.sizes.sort_by_key(|size| size.n);
            }
            None => figures.pairs.push(measured),
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if !absent.is_empty() {
        notes.push(format!(
            "measured at n = {n}, not in the figures: {}",
            absent.join(", ")
        ));
    }
    if !outside.is_empty() {
        notes.push(format!(
            "measured at n = {n}, outside the sizes in the figures: {}",
            outside.join(", ")
        ));
    }
    if !measured_any {
        return Ok((figures, notes));
    }
    if loaded.is_none() {
        figures.created_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
    }
    figures.save(path)?;
    notes.push(format!("saved the figures to {}", path.display()));
    Ok((figures, notes))
}

/// Costs every pair the providers serve from `figures`; pairs without figures are returned
/// apart.
fn cost_all(
    figures: &BenchFigures,
    deployment: &Deployment,
    message_size: Option<u64>,
) -> (Vec<Costed>, Vec<String>) {
    let mut costed = Vec::new();
    let mut missing = Vec::new();
    for (backend, suite) in all_pairs() {
        let estimate = figures
            .pair(backend, suite.0)
            .and_then(|pair| costs_at(&pair.sizes, deployment.members));
        let Some((mut costs, estimate)) = estimate else {
            missing.push(label(backend, suite));
            continue;
        };
        if let Some(size) = message_size {
            // The ciphertext grows byte for byte with the plaintext; the framing and the
            // AEAD tag stay. The times are left as measured: a message's signature and key
            // schedule dominate the AEAD for messages of a few kilobytes.
            costs.message_bytes =
                (costs.message_bytes + size as f64 - figures.message_len as f64).max(0.0);
        }
        costed.push(Costed {
            backend: backend.to_string(),
            suite,
            estimate,
            cost: day_cost(&costs, deployment),
        });
    }
    (costed, missing)
}

// ---------------------------------------------------------------------------------------------
// Output.

/// `artmls choose --json`: the whole answer.
#[derive(Debug, Serialize)]
struct Report<'a> {
    deployment: DeploymentJson,
    requirements: Vec<String>,
    figures: FiguresJson,
    pairs: &'a [Verdict],
    unmeasured: Vec<String>,
    notes: &'a [String],
}

#[derive(Debug, Serialize)]
struct DeploymentJson {
    members: u32,
    updates_per_member: f64,
    messages_per_member: f64,
    joins: u32,
    message_size: u64,
}

#[derive(Debug, Serialize)]
struct FiguresJson {
    path: String,
    created_unix: u64,
    quick: bool,
}

/// Microseconds as a short human duration.
fn duration(us: f64) -> String {
    let s = us / 1e6;
    if us < 1e3 {
        format!("{us:.0} µs")
    } else if s < 1.0 {
        format!("{:.1} ms", us / 1e3)
    } else if s < 120.0 {
        format!("{s:.2} s")
    } else if s < 7200.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

/// Bytes with a decimal unit.
fn bytes(count: f64) -> String {
    match count {
        c if c < 1e3 => format!("{c:.0} B"),
        c if c < 1e6 => format!("{:.1} kB", c / 1e3),
        c if c < 1e9 => format!("{:.1} MB", c / 1e6),
        c => format!("{:.2} GB", c / 1e9),
    }
}

fn table(verdicts: &[Verdict]) -> String {
    let header = [
        "rank",
        "backend",
        "suite",
        "member CPU/day",
        "group CPU/day",
        "member sends",
        "member gets",
        "service out",
        "ok",
        "why",
    ];
    let rows: Vec<[String; 10]> = verdicts
        .iter()
        .map(|v| {
            let estimated = match v.estimate {
                Estimate::Measured => "",
                Estimate::Interpolated => "~",
                Estimate::Extrapolated => "?",
            };
            [
                v.rank.to_string(),
                v.backend.clone(),
                v.suite.clone(),
                format!("{}{}", estimated, duration(v.cost.member_cpu_us)),
                format!("{}{}", estimated, duration(v.cost.group_cpu_us)),
                bytes(v.cost.member_sent_bytes),
                bytes(v.cost.member_received_bytes),
                bytes(v.cost.service_out_bytes),
                if v.meets_requirements { "yes" } else { "no" }.to_string(),
                v.reason.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width.saturating_sub(cell.chars().count());
            // Numbers right-aligned, words left-aligned; the last column is not padded.
            if index == cells.len() - 1 {
                text.push_str(cell);
            } else if (3..=7).contains(&index) || index == 0 {
                let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
            } else {
                let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from));
    for row in &rows {
        line(row);
    }
    out
}

/// `artmls choose`.
pub(crate) fn run(args: &ChooseArgs) -> Result<(), String> {
    let requirements = args
        .require
        .iter()
        .map(|text| Requirement::parse(text))
        .collect::<Result<Vec<_>, _>>()?;
    let deployment = Deployment {
        members: args.members,
        updates: args.updates,
        messages: args.messages,
        joins: args.joins,
    };
    let path = args
        .figures
        .clone()
        .unwrap_or_else(crate::figures::default_path);
    let (figures, mut notes) = complete(&path, args.members, args.no_measure, !args.json)?;
    let (costed, unmeasured) = cost_all(&figures, &deployment, args.message_size);
    if costed.is_empty() {
        return Err(format!(
            "the figures at {} hold no pair artmls serves: run `artmls bench`",
            path.display()
        ));
    }
    if !unmeasured.is_empty() {
        notes.push(format!(
            "not in the figures, so not ranked: {} (run `artmls bench`, or drop --no-measure)",
            unmeasured.join(", ")
        ));
    }
    let extrapolated: Vec<String> = costed
        .iter()
        .filter(|pair| pair.estimate == Estimate::Extrapolated)
        .map(|pair| label(&pair.backend, pair.suite))
        .collect();
    if !extrapolated.is_empty() {
        notes.push(format!(
            "n = {} is outside the measured sizes of {}: extrapolated (marked ?)",
            args.members,
            extrapolated.join(", ")
        ));
    }
    let verdicts = rank(costed, &requirements);
    if args.json {
        let report = Report {
            deployment: DeploymentJson {
                members: deployment.members,
                updates_per_member: deployment.updates,
                messages_per_member: deployment.messages,
                joins: deployment.joins,
                message_size: args.message_size.unwrap_or(figures.message_len as u64),
            },
            requirements: requirements.iter().map(Requirement::label).collect(),
            figures: FiguresJson {
                path: path.display().to_string(),
                created_unix: figures.created_unix,
                quick: figures.quick,
            },
            pairs: &verdicts,
            unmeasured,
            notes: &notes,
        };
        let json = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{json}");
        return Ok(());
    }
    println!(
        "artmls choose: {} members, {} updates and {} messages of {} bytes per member per day, {} joins per day",
        deployment.members,
        deployment.updates,
        deployment.messages,
        args.message_size.unwrap_or(figures.message_len as u64),
        deployment.joins
    );
    if !requirements.is_empty() {
        let labels: Vec<String> = requirements.iter().map(Requirement::label).collect();
        println!("requirements: {}", labels.join(", "));
    }
    println!();
    print!("{}", table(&verdicts));
    println!();
    println!(
        "~ interpolated between measured group sizes, ? extrapolated; CPU is one core's time; the model: docs/choose.md"
    );
    for note in &notes {
        println!("note: {note}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use artmls::group::{CommitSummary, GroupError, Received};
    use artmls::messages::{GroupContext, KeyPackage};
    use artmls::ordering::OrderingError;
    use artmls::tree_math::LeafIndex;
    use artmls::{AnyGroup, AnyOrderingService, Secret};
    use artmls_conformance::group_checks::{
        Erased, GroupKind, GroupSimulation, Setup, SimulationError,
    };
    use artmls_conformance::rng::seeded;
    use rand::rngs::StdRng;

    use super::*;

    fn size(n: u32, scale: f64) -> SizeFigures {
        SizeFigures {
            n,
            update_us: 100.0 * scale,
            receive_us: 50.0 * scale,
            add_us: 200.0 * scale,
            receive_add_us: 60.0 * scale,
            join_us: 1000.0 * scale,
            encrypt_us: 20.0 * scale,
            decrypt_us: 25.0 * scale,
            update_bytes: (400.0 * scale) as u64,
            add_bytes: (500.0 * scale) as u64,
            welcome_bytes: (3000.0 * scale) as u64,
            message_bytes: 300,
        }
    }

    #[test]
    fn a_day_counts_every_sender_and_every_receiver() {
        let ops = day_operations(&Deployment {
            members: 1000,
            updates: 5.0,
            messages: 200.0,
            joins: 0,
        });
        assert_eq!(ops.group.update, 5000.0);
        assert_eq!(ops.group.receive_update, 5000.0 * 999.0);
        assert_eq!(ops.group.encrypt, 200_000.0);
        assert_eq!(ops.group.decrypt, 200_000.0 * 999.0);
        assert_eq!(ops.group.add + ops.group.join + ops.group.first_update, 0.0);
        assert_eq!(ops.member.receive_update, 4995.0);
        assert_eq!(ops.member.decrypt, 199_800.0);
        // Two joins: added to groups of 10 then 11 (receivers 9 and 10), their first updates
        // reach 10 then 11 others.
        let ops = day_operations(&Deployment {
            members: 10,
            updates: 0.0,
            messages: 0.0,
            joins: 2,
        });
        assert_eq!(ops.group.receive_add, 19.0);
        assert_eq!(ops.group.receive_first_update, 21.0);
        assert_eq!(
            (ops.member.receive_add, ops.member.receive_first_update),
            (2.0, 2.0)
        );
    }

    #[test]
    fn the_cost_of_a_day_is_each_count_times_its_cost() {
        let costs = OperationCosts::from_size(&size(4, 1.0));
        let deployment = Deployment {
            members: 4,
            updates: 1.0,
            messages: 2.0,
            joins: 1,
        };
        let cost = day_cost(&costs, &deployment);
        // Member: 1 update, 3 receives, 2 encrypts, 6 decrypts, 1 receive_add, 1 receive of
        // the newcomer's first update.
        assert_eq!(
            cost.member_cpu_us,
            100.0 + 3.0 * 50.0 + 2.0 * 20.0 + 6.0 * 25.0 + 60.0 + 50.0
        );
        assert_eq!(cost.member_sent_bytes, 400.0 + 2.0 * 300.0);
        // Service in: 4 updates + 1 first update, 8 messages, 1 add with its Welcome.
        assert_eq!(
            cost.service_in_bytes,
            5.0 * 400.0 + 8.0 * 300.0 + 500.0 + 3000.0
        );
        // Service out: 12 + 4 update copies, 24 message copies, 3 add copies, 1 Welcome.
        assert_eq!(
            cost.service_out_bytes,
            16.0 * 400.0 + 24.0 * 300.0 + 3.0 * 500.0 + 3000.0
        );
    }

    #[test]
    fn sizes_between_measured_ones_are_interpolated_in_log2_n() {
        let sizes = [size(16, 1.0), size(256, 3.0)];
        let (at_64, estimate) = costs_at(&sizes, 64).expect("figures");
        assert_eq!(estimate, Estimate::Interpolated);
        // log2(64) = 6 lies halfway between 4 and 8.
        assert!((at_64.update_us - 200.0).abs() < 1e-9, "{at_64:?}");
        let (at_16, estimate) = costs_at(&sizes, 16).expect("figures");
        assert_eq!((at_16.update_us, estimate), (100.0, Estimate::Measured));
        let (at_4096, estimate) = costs_at(&sizes, 4096).expect("figures");
        assert_eq!(estimate, Estimate::Extrapolated);
        assert!((at_4096.update_us - 500.0).abs() < 1e-9, "{at_4096:?}");
        let (at_2, _) = costs_at(&sizes, 2).expect("figures");
        assert!(at_2.update_us >= 0.0);
        assert!(costs_at(&[], 64).is_none());
    }

    fn costed(backend: &str, suite: SuiteId, group_cpu_us: f64) -> Costed {
        Costed {
            backend: backend.into(),
            suite,
            estimate: Estimate::Measured,
            cost: DayCost {
                member_cpu_us: group_cpu_us / 10.0,
                group_cpu_us,
                member_sent_bytes: 1.0,
                member_received_bytes: 1.0,
                service_in_bytes: 1.0,
                service_out_bytes: 1.0,
            },
        }
    }

    #[test]
    fn pairs_failing_a_requirement_rank_after_the_others() {
        let x = SuiteId::X25519_AES128GCM_SHA256_ED25519;
        let pairs = vec![
            costed("dalek", x, 230.0),
            costed("aws-lc", x, 100.0),
            costed("ring", x, 150.0),
        ];
        let verdicts = rank(pairs.clone(), &[]);
        let order: Vec<&str> = verdicts.iter().map(|v| v.backend.as_str()).collect();
        assert_eq!(order, ["aws-lc", "ring", "dalek"]);
        assert_eq!(verdicts[0].reason, "fastest");
        assert!(
            verdicts[2]
                .reason
                .starts_with("2.3× slower than aws-lc 0xf001, but pure Rust"),
            "{}",
            verdicts[2].reason
        );
        let verdicts = rank(pairs, &[Requirement::PureRust]);
        let order: Vec<&str> = verdicts.iter().map(|v| v.backend.as_str()).collect();
        assert_eq!(order, ["dalek", "aws-lc", "ring"]);
        assert!(verdicts[0].meets_requirements && !verdicts[1].meets_requirements);
        assert!(
            verdicts[0]
                .reason
                .starts_with("fastest that meets pure-rust; 2.3× slower than aws-lc 0xf001"),
            "{}",
            verdicts[0].reason
        );
        assert!(verdicts[1].reason.starts_with("fails pure-rust"));
        assert_eq!(verdicts[2].rank, 3);
    }

    #[test]
    fn requirements_parse_or_say_what_is_known() {
        assert_eq!(Requirement::parse("pure-rust"), Ok(Requirement::PureRust));
        assert_eq!(
            Requirement::parse("suite-family=p256"),
            Ok(Requirement::SuiteFamily(Family::P256))
        );
        assert_eq!(
            Requirement::parse("suite=0xF003"),
            Ok(Requirement::Suite(
                SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519
            ))
        );
        let fips = Requirement::parse("fips").expect_err("not offered");
        assert!(
            fips.contains("known: pure-rust") && fips.contains("FIPS"),
            "{fips}"
        );
        assert!(Requirement::parse("suite-family=rsa").is_err());
        assert!(Requirement::parse("backend=openssl").is_err());
        let p = SuiteId::P256_AES128GCM_SHA256_P256;
        assert!(
            Requirement::SuiteFamily(Family::X25519)
                .check("p256", p)
                .is_some()
        );
        assert!(Requirement::NoCToolchain.check("p256", p).is_none());
        assert!(Requirement::NoCToolchain.check("aws-lc", p).is_some());
    }

    // -----------------------------------------------------------------------------------------
    // The model against a direct simulation: the demo's machinery runs one day of a small
    // deployment while a wrapper around its members counts every operation and every byte.

    /// One operation a member performed, seen by the wrapper.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Seen {
        /// Made an update commit (its message's length).
        Update,
        /// Made an add commit (the commit's length; the Welcome is `Welcome`).
        Add,
        /// Sent a Welcome with an add.
        Welcome,
        /// Processed someone's update commit, made by the member at the given leaf.
        ReceiveUpdate(u32),
        /// Processed someone's add commit.
        ReceiveAdd,
        /// Joined from a Welcome.
        Join,
        /// Encrypted an application message.
        Encrypt,
        /// Decrypted one.
        Decrypt,
    }

    /// Everything seen: (the member's leaf, what, the bytes it sent or took in).
    type Tally = Arc<Mutex<Vec<(u32, Seen, usize)>>>;

    fn note(tally: &Tally, leaf: LeafIndex, seen: Seen, len: usize) {
        tally.lock().expect("tally").push((leaf.0, seen, len));
    }

    /// [`Erased`], counting.
    #[derive(Debug)]
    struct Counting {
        inner: Erased,
        tally: Tally,
    }

    struct Counted {
        group: AnyGroup,
        tally: Tally,
    }

    struct CountedService {
        service: AnyOrderingService,
        /// Every byte submitted to the service.
        submitted: Arc<Mutex<usize>>,
    }

    type E = Erased;

    impl GroupKind for Counting {
        type Group = Counted;
        type Identity = <E as GroupKind>::Identity;
        type Bundle = <E as GroupKind>::Bundle;
        type Pending = <E as GroupKind>::Pending;
        type Service = CountedService;

        fn identity(
            &self,
            name: String,
            rng: &mut StdRng,
        ) -> Result<Self::Identity, SimulationError> {
            self.inner.identity(name, rng)
        }
        fn key_package(
            &self,
            identity: &Self::Identity,
            rng: &mut StdRng,
        ) -> Result<Self::Bundle, SimulationError> {
            self.inner.key_package(identity, rng)
        }
        fn public_key_package(bundle: &Self::Bundle) -> &KeyPackage {
            E::public_key_package(bundle)
        }
        fn create(
            &self,
            identity: Self::Identity,
            group_id: Vec<u8>,
            rng: &mut StdRng,
        ) -> Result<Counted, SimulationError> {
            let group = self.inner.create(identity, group_id, rng)?;
            Ok(Counted {
                group,
                tally: self.tally.clone(),
            })
        }
        fn initiate(
            &self,
            identity: Self::Identity,
            group_id: Vec<u8>,
            key_packages: &[KeyPackage],
            rng: &mut StdRng,
        ) -> Result<(Counted, Vec<u8>), SimulationError> {
            let (group, welcome) = self.inner.initiate(identity, group_id, key_packages, rng)?;
            let tally = self.tally.clone();
            Ok((Counted { group, tally }, welcome))
        }
        fn join(
            &self,
            welcome: &[u8],
            bundle: &Self::Bundle,
            identity: Self::Identity,
        ) -> Result<Counted, SimulationError> {
            let group = self.inner.join(welcome, bundle, identity)?;
            note(&self.tally, E::own_leaf(&group), Seen::Join, welcome.len());
            Ok(Counted {
                group,
                tally: self.tally.clone(),
            })
        }
        fn service(&self) -> Result<CountedService, SimulationError> {
            Ok(CountedService {
                service: self.inner.service()?,
                submitted: Arc::default(),
            })
        }
        fn register(service: &mut CountedService, group_info: &[u8]) -> Result<(), OrderingError> {
            E::register(&mut service.service, group_info)
        }
        fn submit(service: &mut CountedService, message: &[u8]) -> Result<usize, OrderingError> {
            *service.submitted.lock().expect("submitted") += message.len();
            E::submit(&mut service.service, message)
        }
        fn submit_logged(
            service: &mut CountedService,
            message: &[u8],
            welcome: Option<&[u8]>,
        ) -> Result<usize, SimulationError> {
            *service.submitted.lock().expect("submitted") +=
                message.len() + welcome.map_or(0, <[u8]>::len);
            E::submit_logged(&mut service.service, message, welcome)
        }
        fn fetch<'a>(service: &'a CountedService, group_id: &[u8], from: usize) -> &'a [Vec<u8>] {
            E::fetch(&service.service, group_id, from)
        }
        fn epoch(group: &Counted) -> u64 {
            E::epoch(&group.group)
        }
        fn epoch_authenticator(group: &Counted) -> &Secret {
            E::epoch_authenticator(&group.group)
        }
        fn context(group: &Counted) -> &GroupContext {
            E::context(&group.group)
        }
        fn member_count(group: &Counted) -> usize {
            E::member_count(&group.group)
        }
        fn own_leaf(group: &Counted) -> LeafIndex {
            E::own_leaf(&group.group)
        }
        fn needs_update(group: &Counted) -> bool {
            E::needs_update(&group.group)
        }
        fn public_group_info(group: &Counted) -> Result<Vec<u8>, GroupError> {
            E::public_group_info(&group.group)
        }
        fn process_message(group: &mut Counted, message: &[u8]) -> Result<Received, GroupError> {
            let received = E::process_message(&mut group.group, message)?;
            let seen = match &received {
                Received::Application { .. } => Seen::Decrypt,
                Received::Commit(summary) if !summary.added.is_empty() => Seen::ReceiveAdd,
                Received::Commit(summary) => Seen::ReceiveUpdate(summary.sender.0),
                Received::Removed { .. } => panic!("no one is removed in the day"),
            };
            note(&group.tally, E::own_leaf(&group.group), seen, message.len());
            Ok(received)
        }
        fn process_message_at(
            group: &mut Counted,
            position: usize,
            message: &[u8],
        ) -> Result<Received, GroupError> {
            let _ = position;
            Self::process_message(group, message)
        }
        fn commit_update(group: &Counted, rng: &mut StdRng) -> Result<Self::Pending, GroupError> {
            let pending = E::commit_update(&group.group, rng)?;
            let len = E::pending_message(&pending).len();
            note(&group.tally, E::own_leaf(&group.group), Seen::Update, len);
            Ok(pending)
        }
        fn commit_add(
            group: &Counted,
            key_packages: &[KeyPackage],
            rng: &mut StdRng,
        ) -> Result<Self::Pending, GroupError> {
            let pending = E::commit_add(&group.group, key_packages, rng)?;
            let leaf = E::own_leaf(&group.group);
            note(
                &group.tally,
                leaf,
                Seen::Add,
                E::pending_message(&pending).len(),
            );
            let welcome = E::pending_welcome(&pending).map_or(0, <[u8]>::len);
            note(&group.tally, leaf, Seen::Welcome, welcome);
            Ok(pending)
        }
        fn commit_remove(
            group: &Counted,
            leaves: &[LeafIndex],
            rng: &mut StdRng,
        ) -> Result<Self::Pending, GroupError> {
            E::commit_remove(&group.group, leaves, rng)
        }
        fn merge_pending_commit(
            group: &mut Counted,
            pending: Self::Pending,
        ) -> Result<CommitSummary, SimulationError> {
            E::merge_pending_commit(&mut group.group, pending)
        }
        fn encrypt_application(
            group: &mut Counted,
            data: &[u8],
            rng: &mut StdRng,
        ) -> Result<Vec<u8>, GroupError> {
            let bytes = E::encrypt_application(&mut group.group, data, rng)?;
            note(
                &group.tally,
                E::own_leaf(&group.group),
                Seen::Encrypt,
                bytes.len(),
            );
            Ok(bytes)
        }
        fn pending_message(pending: &Self::Pending) -> &[u8] {
            E::pending_message(pending)
        }
        fn pending_welcome(pending: &Self::Pending) -> Option<&[u8]> {
            E::pending_welcome(pending)
        }
    }

    #[test]
    fn the_model_counts_what_a_simulated_day_does() {
        let deployment = Deployment {
            members: 6,
            updates: 2.0,
            messages: 3.0,
            joins: 1,
        };
        let provider = artmls_providers::find("dalek").expect("dalek");
        let tally = Tally::default();
        let kind = Counting {
            inner: Erased {
                provider,
                suite: SuiteId::X25519_AES128GCM_SHA256_ED25519,
            },
            tally: tally.clone(),
        };
        let setup = Setup {
            group_id: b"a day".to_vec(),
            creator: "member-0".into(),
            first_number: 1,
        };
        let (mut sim, _) = GroupSimulation::build(kind, seeded(14), setup, 6).expect("group");
        // Before the day: everyone has made its first update (the steady state the model
        // assumes), so the day's updates are its own.
        for member in 0..6 {
            if Counting::needs_update(&sim.members[member]) {
                sim.update(member);
            }
        }
        tally.lock().expect("tally").clear();
        let submitted_before = *sim.service.submitted.lock().expect("submitted");

        // The day: every member's updates and messages, then the join at the end of the day,
        // and the newcomer's first update.
        for _ in 0..2 {
            for member in 0..6 {
                sim.update(member);
            }
        }
        for round in 0..3u8 {
            for member in 0..6 {
                sim.message(member, &[round; 100]);
            }
        }
        let adder = Counting::own_leaf(&sim.members[0]).0;
        sim.add(0, 1);
        let newcomer = Counting::own_leaf(&sim.members[6]).0;
        assert!(Counting::needs_update(&sim.members[6]));
        sim.update(6);

        let seen = tally.lock().expect("tally").clone();
        let submitted = *sim.service.submitted.lock().expect("submitted") - submitted_before;
        // Each member's operations, in the model's terms.
        let mut per_member: BTreeMap<u32, Operations> = BTreeMap::new();
        let mut lens: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut delivered = 0usize;
        for &(leaf, what, len) in &seen {
            let ops = per_member.entry(leaf).or_default();
            let (count, kind) = match what {
                Seen::Update if leaf == newcomer => (&mut ops.first_update, "first update"),
                Seen::Update => (&mut ops.update, "update"),
                Seen::ReceiveUpdate(sender) if sender == newcomer => {
                    (&mut ops.receive_first_update, "")
                }
                Seen::ReceiveUpdate(_) => (&mut ops.receive_update, ""),
                Seen::Add => (&mut ops.add, "add"),
                Seen::ReceiveAdd => (&mut ops.receive_add, ""),
                Seen::Join => (&mut ops.join, ""),
                Seen::Encrypt => (&mut ops.encrypt, "message"),
                Seen::Decrypt => (&mut ops.decrypt, ""),
                Seen::Welcome => {
                    lens.entry("welcome").or_default().push(len);
                    continue;
                }
            };
            *count += 1.0;
            if kind.is_empty() {
                // A receiver's side: what the service handed it.
                delivered += len;
            } else {
                lens.entry(kind).or_default().push(len);
            }
        }

        let model = day_operations(&deployment);
        let mut group = Operations::default();
        for ops in per_member.values() {
            group.update += ops.update;
            group.receive_update += ops.receive_update;
            group.first_update += ops.first_update;
            group.receive_first_update += ops.receive_first_update;
            group.add += ops.add;
            group.receive_add += ops.receive_add;
            group.join += ops.join;
            group.encrypt += ops.encrypt;
            group.decrypt += ops.decrypt;
        }
        assert_eq!(group, model.group, "the group's operations");
        assert_eq!(per_member.len(), 7);
        for (leaf, ops) in &per_member {
            let expected = if *leaf == newcomer {
                Operations {
                    first_update: 1.0,
                    join: 1.0,
                    ..Operations::default()
                }
            } else if *leaf == adder {
                Operations {
                    add: 1.0,
                    receive_add: 0.0,
                    ..model.member
                }
            } else {
                model.member
            };
            assert_eq!(
                *ops, expected,
                "the operations of the member at leaf {leaf}"
            );
        }

        // Bytes: the model's, with each operation's size as the simulation measured it (the
        // mean where sizes differ by sender: a commit's path depends on its leaf's depth).
        let mean = |kind: &str| {
            let lens = &lens[kind];
            lens.iter().sum::<usize>() as f64 / lens.len() as f64
        };
        let costs = OperationCosts {
            update_bytes: mean("update"),
            first_update_bytes: mean("first update"),
            add_bytes: mean("add"),
            welcome_bytes: mean("welcome"),
            message_bytes: mean("message"),
            ..OperationCosts::default()
        };
        let cost = day_cost(&costs, &deployment);
        let close = |a: f64, b: usize| (a - b as f64).abs() < 1e-6 * (b as f64).max(1.0);
        assert!(
            close(cost.service_in_bytes, submitted),
            "the service took in {submitted} bytes, the model says {}",
            cost.service_in_bytes
        );
        assert!(
            close(cost.service_out_bytes, delivered),
            "the service delivered {delivered} bytes, the model says {}",
            cost.service_out_bytes
        );
    }
}
