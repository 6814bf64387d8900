//! `artmls bench`: primitive costs and the cost of every group operation, per backend and
//! suite, against group size; tables, charts and an HTML report.
//!
//! This is a quick look with plain timing loops (the median of a few rounds); the criterion
//! benches in `benches/` are the careful measurement. The figures are saved (see
//! [`crate::figures`]) so that `artmls choose` and `artmls bench --report DIR --from-saved`
//! use them without measuring again.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use artmls::group::{Group, GroupConfig, GroupError, Identity, KeyPackageBundle};
use artmls::internals::art_tree::ArtMember;
use artmls::{CipherSuite, DhGroup, Hpke, SignatureScheme, SuiteId, SuiteVisitor};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::figures::{self, BenchFigures, FIGURES_VERSION, PairFigures, SizeFigures};
use crate::{plot, report};

/// The plaintext length of the measured application messages: a short paragraph of chat or a
/// small attachment's worth, enough for the AEAD's per-byte cost to show beside the signature.
pub(crate) const MESSAGE_LEN: usize = 1024;

/// Group sizes of `--quick`: seconds per pair.
const QUICK_SIZES: [u32; 4] = [16, 64, 256, 1024];
/// Group sizes of the full run: every power of two from 2^4 to 2^16.
const FULL_SIZES: [u32; 13] = [
    16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536,
];
/// Rounds per operation (the median is kept); odd, so the median is one measured round.
const QUICK_ROUNDS: usize = 9;
const FULL_ROUNDS: usize = 15;
/// From this size on, at most [`LARGE_ROUNDS`] rounds: a join checks every member's LeafNode
/// signature, seconds each at 2^16, and one round's noise is small against such times.
const LARGE_N: u32 = 4096;
const LARGE_ROUNDS: usize = 3;
/// Rounds of each primitive (microseconds each, so many are cheap).
const PRIMITIVE_ROUNDS: usize = 51;

/// Options of `artmls bench`.
#[derive(Args, Debug, Clone)]
pub(crate) struct BenchArgs {
    /// Fewer rounds and groups of 16 to 1024 members (seconds instead of minutes).
    #[arg(long)]
    pub quick: bool,
    /// Write charts of each operation's cost against group size: FILE-update.svg,
    /// FILE-receive.svg, ... next to FILE (SVG or PNG by FILE's extension).
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Write an HTML report (charts as SVG and PNG, every table) into DIR/index.html.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Do not measure: print the tables, and write --plot or --report, from the saved figures.
    #[arg(long)]
    pub from_saved: bool,
    /// Where the figures are saved (or read with --from-saved); default: $ARTMLS_BENCH_FILE,
    /// else artmls/bench.json in the user's cache directory.
    #[arg(long, value_name = "FILE")]
    pub figures: Option<PathBuf>,
    /// Only this backend.
    #[arg(long)]
    pub backend: Option<String>,
    /// Only this suite (name or id).
    #[arg(long)]
    pub suite: Option<String>,
    /// Group sizes to measure, comma separated (for tests and quick looks).
    #[arg(long, value_delimiter = ',', hide = true)]
    pub sizes: Option<Vec<u32>>,
    /// Rounds per operation (for tests and quick looks).
    #[arg(long, hide = true)]
    pub rounds: Option<usize>,
}

/// The ART tree alone (no framing, signatures or key schedule): one member's update and a
/// receiver's processing of it, in microseconds. Shown in the tables and the report of a run;
/// not saved with the figures.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ArtFigures {
    pub n: u32,
    pub update_us: f64,
    pub receive_us: f64,
}

/// One pair's group figures with its ART tree figures.
pub(crate) struct Measured {
    pub pair: PairFigures,
    pub art: Vec<ArtFigures>,
}

/// Microseconds since `started`.
fn micros(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e6
}

/// The median of measured times (the middle one of an odd count).
fn median(mut times: Vec<f64>) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    times.sort_unstable_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The median time of `rounds` runs of `f`, in microseconds.
fn median_of(rounds: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                f();
                micros(started)
            })
            .collect(),
    )
}

/// Measures one (backend, suite): primitives, then every group operation at each size. The
/// group of each size is built once (O(n) signatures and HPKE seals) and every operation runs
/// on it; `progress` hears what is being measured.
// `artmls choose` measures a pair missing from the saved figures with it.
pub(crate) fn measure_pair(
    backend: &str,
    suite: SuiteId,
    sizes: &[u32],
    rounds: usize,
    progress: &dyn Fn(&str),
) -> Result<PairFigures, String> {
    measure_with_art(backend, suite, sizes, rounds, progress).map(|measured| measured.pair)
}

/// [`measure_pair`] with the ART tree figures.
pub(crate) fn measure_with_art(
    backend: &str,
    suite: SuiteId,
    sizes: &[u32],
    rounds: usize,
    progress: &dyn Fn(&str),
) -> Result<Measured, String> {
    if sizes.iter().any(|&n| n < 2) {
        return Err("every group size must be at least 2 (a sender and a receiver)".into());
    }
    let measure = Measure {
        backend: backend.to_owned(),
        sizes,
        rounds: rounds.max(1),
        progress,
    };
    artmls_providers::visit(backend, suite, measure)
        .ok_or_else(|| format!("backend '{backend}' does not serve {suite}"))?
}

struct Measure<'a> {
    backend: String,
    sizes: &'a [u32],
    rounds: usize,
    progress: &'a dyn Fn(&str),
}

impl SuiteVisitor for Measure<'_> {
    type Output = Result<Measured, String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        let label = format!("{} {:#06x}", self.backend, S::ID.0);
        let mut rng = StdRng::seed_from_u64(3);
        (self.progress)(&format!("{label}: primitives"));
        let primitives = primitives::<S>(&mut rng)?;
        let mut sizes = Vec::new();
        let mut art = Vec::new();
        for &n in self.sizes {
            let rounds = if n >= LARGE_N {
                self.rounds.min(LARGE_ROUNDS)
            } else {
                self.rounds
            };
            (self.progress)(&format!("{label}: ART tree, n = {n}"));
            art.push(art_tree::<S>(n, rounds, &mut rng)?);
            (self.progress)(&format!("{label}: group operations, n = {n}"));
            sizes.push(
                group_operations::<S>(n, rounds, &mut rng)
                    .map_err(|e| format!("{label}, n = {n}: {e}"))?,
            );
        }
        Ok(Measured {
            pair: PairFigures {
                backend: self.backend,
                suite: S::ID.0,
                primitives,
                sizes,
            },
            art,
        })
    }
}

fn primitives<S: CipherSuite>(rng: &mut StdRng) -> Result<Vec<(String, f64)>, String> {
    let (sk, _) = S::Dh::generate_key_pair(rng);
    let (_, pk) = S::Dh::generate_key_pair(rng);
    let signing_key = S::Signature::generate_signing_key(rng);
    let verifying_key = S::Signature::verifying_key(&signing_key);
    let message = [7u8; 256];
    let signature = S::Signature::sign(&signing_key, &message).map_err(|e| e.to_string())?;
    let recipient = pk.as_ref().to_vec();
    let n = PRIMITIVE_ROUNDS;
    Ok(vec![
        ("DH".into(), median_of(n, || drop(S::Dh::dh(&sk, &pk)))),
        (
            "DeriveKeyPair".into(),
            median_of(n, || drop(S::Dh::derive_key_pair::<S::Kdf>(&message[..32]))),
        ),
        (
            "sign".into(),
            median_of(n, || drop(S::Signature::sign(&signing_key, &message))),
        ),
        (
            "verify".into(),
            median_of(n, || {
                drop(S::Signature::verify(&verifying_key, &message, &signature))
            }),
        ),
        (
            "HPKE seal".into(),
            median_of(n, || {
                drop(S::Hpke::seal_base(&recipient, b"", b"", &message, rng))
            }),
        ),
    ])
}

/// The ART tree's own update and receive at size `n`.
fn art_tree<S: CipherSuite>(n: u32, rounds: usize, rng: &mut StdRng) -> Result<ArtFigures, String> {
    let mut creator = ArtMember::<S>::create(rng).map_err(|e| e.to_string())?;
    let pending = creator
        .prepare_add(n as usize - 1, rng)
        .map_err(|e| e.to_string())?;
    let newcomers = pending.newcomers().to_vec();
    creator.merge(pending).map_err(|e| e.to_string())?;
    let (leaf, secret) = newcomers.last().ok_or("the ART tree added no member")?;
    let sender =
        ArtMember::join(creator.tree().clone(), *leaf, secret).map_err(|e| e.to_string())?;
    let update_us = median_of(rounds, || drop(sender.prepare_update(rng)));
    let change = sender
        .prepare_update(rng)
        .map_err(|e| e.to_string())?
        .change()
        .clone();
    let receive_us = median_of(rounds, || drop(creator.stage(&change, *leaf)));
    Ok(ArtFigures {
        n,
        update_us,
        receive_us,
    })
}

/// A fresh member's identity and KeyPackage.
fn newcomer<S: CipherSuite>(
    name: String,
    rng: &mut StdRng,
) -> Result<(Identity<S>, KeyPackageBundle<S>), GroupError> {
    let identity = Identity::<S>::new_with_rng(name, rng);
    let bundle = identity.key_package_with_rng(rng)?;
    Ok((identity, bundle))
}

/// Every group operation at size `n`, between the creator (who commits) and the last member
/// to join (who receives).
fn group_operations<S: CipherSuite>(
    n: u32,
    rounds: usize,
    rng: &mut StdRng,
) -> Result<SizeFigures, GroupError> {
    let creator = Identity::<S>::new_with_rng("member 0", rng);
    let mut key_packages = Vec::with_capacity(n as usize - 1);
    let mut last = None;
    for index in 1..n {
        let (identity, bundle) = newcomer::<S>(format!("member {index}"), rng)?;
        key_packages.push(bundle.key_package().clone());
        last = Some((identity, bundle));
    }
    let (identity, bundle) = last.ok_or(GroupError::InvalidCommit("no member to receive"))?;
    let (mut sender, welcome) = Group::initiate_with_rng(
        creator,
        b"artmls bench".to_vec(),
        &key_packages,
        GroupConfig::default(),
        rng,
    )?;
    drop(key_packages);
    let mut receiver = Group::join(&welcome, &bundle, identity, GroupConfig::default())?;

    // Updates first: the creator of a group must update before it adds anyone
    // (`GroupConfig::update_first`). Each round is merged by both, so both stay at size n.
    let (mut update, mut receive) = (Vec::new(), Vec::new());
    let mut update_bytes = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        let pending = sender.commit_update_with_rng(rng)?;
        let message = pending.message().to_vec();
        sender.merge_pending_commit(pending)?;
        update.push(micros(started));
        update_bytes = message.len() as u64;
        let started = Instant::now();
        receiver.process_message(&message)?;
        receive.push(micros(started));
    }

    // Adds: each round makes an add of a fresh newcomer, has the receiver stage it and the
    // newcomer join from its Welcome, without merging, so every round starts from the same
    // group of n. Merging is measured once, on the last round's commit, and added to the
    // medians (it moves the group to n + 1, after which only messages are measured).
    let (mut add, mut receive_add, mut join) = (Vec::new(), Vec::new(), Vec::new());
    let (mut add_bytes, mut welcome_bytes) = (0, 0);
    let mut last_add = None;
    for round in 0..rounds {
        let (identity, bundle) = newcomer::<S>(format!("newcomer {round}"), rng)?;
        let started = Instant::now();
        let pending = sender.commit_add_with_rng(&[bundle.key_package().clone()], rng)?;
        add.push(micros(started));
        let message = pending.message().to_vec();
        let welcome = pending
            .welcome()
            .ok_or(GroupError::InvalidCommit("an add without a Welcome"))?
            .to_vec();
        add_bytes = message.len() as u64;
        welcome_bytes = welcome.len() as u64;
        let started = Instant::now();
        let staged = receiver.stage_commit(&message)?;
        receive_add.push(micros(started));
        let started = Instant::now();
        drop(Group::join(
            &welcome,
            &bundle,
            identity,
            GroupConfig::default(),
        )?);
        join.push(micros(started));
        last_add = Some((pending, staged));
    }
    let (pending, staged) = last_add.ok_or(GroupError::InvalidCommit("no add measured"))?;
    let started = Instant::now();
    sender.merge_pending_commit(pending)?;
    let merge_add = micros(started);
    let started = Instant::now();
    receiver.merge_staged_commit(staged)?;
    let merge_receive_add = micros(started);

    let plaintext = vec![0x61u8; MESSAGE_LEN];
    let (mut encrypt, mut messages) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let started = Instant::now();
        let message = sender.encrypt_application_with_rng(&plaintext, rng)?;
        encrypt.push(micros(started));
        messages.push(message);
    }
    let mut decrypt = Vec::new();
    for message in &messages {
        let started = Instant::now();
        receiver.process_message(message)?;
        decrypt.push(micros(started));
    }
    Ok(SizeFigures {
        n,
        update_us: median(update),
        receive_us: median(receive),
        add_us: median(add) + merge_add,
        receive_add_us: median(receive_add) + merge_receive_add,
        join_us: median(join),
        encrypt_us: median(encrypt),
        decrypt_us: median(decrypt),
        update_bytes,
        add_bytes,
        welcome_bytes,
        message_bytes: messages.first().map_or(0, |m| m.len() as u64),
    })
}

/// Warns when other processes keep the cores busy. On a busy machine an operation that runs
/// longer than the scheduler's slice is preempted in most rounds and waits a whole tick (4 ms
/// at 250 Hz) for another process, which moves its median by that much: the "p256 update
/// jump" of docs/benchmarks.md. Linux only (elsewhere nothing is said).
fn warn_if_busy() {
    let Ok(loadavg) = std::fs::read_to_string("/proc/loadavg") else {
        return;
    };
    let Some(load) = loadavg
        .split_whitespace()
        .next()
        .and_then(|one_minute| one_minute.parse::<f64>().ok())
    else {
        return;
    };
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    // The bench itself keeps one core busy (both during large adds and joins).
    if load > cores - 0.5 {
        eprintln!(
            "warning: the machine is busy (load {load:.2} on {cores} cores): operations \
             longer than a few milliseconds may each wait a scheduler tick for other processes, \
             which adds about 4 ms to their medians; measure on a quiet machine \
             (docs/benchmarks.md, \"The p256 update jump\")"
        );
    }
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The (backend, suite) pairs to measure: every provider's every suite, or those asked for.
fn pairs_to_measure(args: &BenchArgs) -> Result<Vec<(&'static str, SuiteId)>, String> {
    let suite = args.suite.as_deref().map(crate::parse_suite).transpose()?;
    if let Some(name) = &args.backend {
        artmls_providers::find(name).map_err(|e| e.to_string())?;
    }
    let mut pairs = Vec::new();
    for provider in artmls_providers::all() {
        if args
            .backend
            .as_deref()
            .is_some_and(|b| b != provider.name())
        {
            continue;
        }
        for &served in provider.suites() {
            if suite.is_none_or(|s| s == served) {
                pairs.push((provider.name(), served));
            }
        }
    }
    if pairs.is_empty() {
        return Err("no backend serves that suite: see `artmls suites`".into());
    }
    Ok(pairs)
}

pub(crate) fn run(args: &BenchArgs) -> Result<(), String> {
    let path = args.figures.clone().unwrap_or_else(figures::default_path);
    let (figures, art) = if args.from_saved {
        if args.plot.is_none() && args.report.is_none() {
            eprintln!("(showing the saved figures; add --report DIR or --plot FILE to draw them)");
        }
        let figures = BenchFigures::load(&path)?;
        println!("figures read from {}", path.display());
        (figures, Vec::new())
    } else {
        let sizes = match &args.sizes {
            Some(sizes) => sizes.clone(),
            None if args.quick => QUICK_SIZES.to_vec(),
            None => FULL_SIZES.to_vec(),
        };
        let rounds = args.rounds.unwrap_or(if args.quick {
            QUICK_ROUNDS
        } else {
            FULL_ROUNDS
        });
        warn_if_busy();
        let started = Instant::now();
        let progress = |what: &str| {
            eprintln!(
                "[{:>6.1} s] measuring {what}",
                started.elapsed().as_secs_f64()
            );
        };
        let mut pairs = Vec::new();
        let mut art = Vec::new();
        for (backend, suite) in pairs_to_measure(args)? {
            let measured = measure_with_art(backend, suite, &sizes, rounds, &progress)?;
            art.push((format!("{backend} {:#06x}", suite.0), measured.art));
            pairs.push(measured.pair);
        }
        let figures = BenchFigures {
            version: FIGURES_VERSION,
            created_unix: now_unix(),
            quick: args.quick,
            message_len: MESSAGE_LEN,
            pairs,
        };
        figures.save(&path)?;
        eprintln!(
            "measured in {:.0} s; figures saved to {}",
            started.elapsed().as_secs_f64(),
            path.display()
        );
        (figures, art)
    };
    for table in report::tables(&figures, &art) {
        println!("{}", table.to_text());
    }
    if let Some(file) = &args.plot {
        for written in plot::write_charts(&figures, file)? {
            println!("chart written to {}", written.display());
        }
    }
    if let Some(dir) = &args.report {
        let index = report::write(&figures, &art, dir)?;
        println!("report written to {}", index.display());
    }
    Ok(())
}
