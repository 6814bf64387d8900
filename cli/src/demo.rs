//! `artmls demo`: a group simulated end to end in one process.
//!
//! Every member keeps its own state. The creator makes the group with all initial members in
//! one commit (the first draft's Initiate) and everyone joins from the one Welcome. Then a mix
//! of updates, adds, removes and application messages goes through the in-memory ordering
//! service; after every step every member has processed it and the demo checks that they all
//! agree on the epoch authenticator. The table at the end shows what each operation cost.
//!
//! The suite and the provider are the ones named on the command line, chosen at run time: the
//! members are `AnyGroup`s from the provider, driven by the conformance crate's group
//! simulation (the one the protocol checks use), so no code here names a suite type.

use std::time::{Duration, Instant};

use artmls_conformance::group_checks::{Erased, GroupSimulation, Setup, SimulationError};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Options of `artmls demo`.
#[derive(Args, Debug, Clone)]
pub(crate) struct DemoArgs {
    /// Cipher suite, by name or id (see `artmls suites`).
    #[arg(long, default_value = "0xF001")]
    pub suite: String,
    /// Crypto backend (see `artmls suites`); default: the first that serves the suite.
    #[arg(long)]
    pub backend: Option<String>,
    /// Members of the group made in the first commit.
    #[arg(long, default_value_t = 1000)]
    pub members: usize,
    /// Operations after the group is made.
    #[arg(long, default_value_t = 60)]
    pub ops: usize,
    /// Seed of the run: the same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub(crate) fn run(args: &DemoArgs) -> Result<(), String> {
    let (suite, backend) = crate::pick(&args.suite, args.backend.as_deref())?;
    if args.members < 2 {
        return Err("--members must be at least 2".into());
    }
    let provider = artmls_providers::find(backend).map_err(|e| e.to_string())?;
    if !provider.serves(suite) {
        return Err(format!("backend '{backend}' does not serve {suite}"));
    }
    println!(
        "artmls demo: {} members, {} operations, suite {suite}, backend {backend}, seed {}",
        args.members, args.ops, args.seed
    );
    Demo::run(args, Erased { provider, suite }).map_err(|e| e.to_string())
}

const OPERATIONS: [&str; 7] = [
    "create", "join", "update", "add", "remove", "message", "process",
];

/// What one kind of operation cost over the run.
#[derive(Default)]
struct Costs {
    times: Vec<Duration>,
    bytes: Vec<usize>,
}

/// The demo's run: the simulated group, and what its operations cost.
struct Demo {
    sim: GroupSimulation<Erased>,
    costs: Vec<Costs>,
    /// Tombstones re-keyed by the commit that removed their owner (profile revision 2).
    transferred: usize,
    /// Tombstones blanked by a sponsor's update (profile revision 2).
    sealed: usize,
}

impl Demo {
    fn run(args: &DemoArgs, kind: Erased) -> Result<(), SimulationError> {
        let progress = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new((args.members + args.ops) as u64)
        };
        progress.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        progress.set_message(format!(
            "creating a group of {} in one commit",
            args.members
        ));
        let setup = Setup {
            group_id: b"demo".to_vec(),
            creator: "member-creator".into(),
            first_number: 0,
        };
        let rng = StdRng::seed_from_u64(args.seed);
        let (sim, creation) = GroupSimulation::build(kind, rng, setup, args.members)?;
        let mut demo = Demo {
            sim,
            costs: OPERATIONS.iter().map(|_| Costs::default()).collect(),
            transferred: 0,
            sealed: 0,
        };
        demo.record("create", creation.create, Some(creation.welcome_len));
        for join in creation.joins {
            demo.record("join", join, None);
        }
        progress.inc(args.members as u64);
        for step in 0..args.ops {
            let size = demo.sim.members.len();
            let roll: u32 = demo.sim.rng.random_range(0..10);
            let kind = match roll {
                0..=1 if size > 2 => "remove",
                0..=2 => "add",
                3..=5 => "message",
                _ => "update",
            };
            progress.set_message(format!("step {step}: {kind}, {size} members"));
            demo.step(kind)?;
            progress.inc(1);
        }
        progress.finish_and_clear();
        demo.print_table();
        let first = &demo.sim.members[0];
        println!(
            "tombstones: {} transferred from removed owners, {} sealed by their sponsors, {} live now",
            demo.transferred,
            demo.sealed,
            first.tombstones().len()
        );
        println!(
            "all {} members agreed on the epoch authenticator after every step (epoch {})",
            demo.sim.members.len(),
            first.epoch()
        );
        Ok(())
    }

    fn record(&mut self, kind: &str, time: Duration, bytes: Option<usize>) {
        let index = OPERATIONS.iter().position(|k| *k == kind).unwrap_or(0);
        self.costs[index].times.push(time);
        if let Some(bytes) = bytes {
            self.costs[index].bytes.push(bytes);
        }
    }

    fn step(&mut self, kind: &str) -> Result<(), SimulationError> {
        let sender = self.sim.rng.random_range(0..self.sim.members.len());
        if kind == "message" {
            let text = format!(
                "message {} from member {sender}",
                self.sim.members[0].epoch()
            );
            let sent = self.sim.try_message(sender, text.as_bytes())?;
            self.record("message", sent.encrypt, Some(sent.len));
            for time in sent.processed {
                self.record("process", time, None);
            }
            return Ok(());
        }
        // A newcomer's leaf key came from its adder: its first commit is an update.
        if self.sim.members[sender].needs_update() {
            let sender_leaf = self.sim.members[sender].own_leaf();
            self.commit(sender, "update")?;
            if kind == "update" {
                return Ok(());
            }
            let index = self
                .sim
                .members
                .iter()
                .position(|m| m.own_leaf() == sender_leaf)
                .ok_or_else(|| SimulationError::Disagreement("the sender left the group".into()))?;
            return self.commit(index, kind);
        }
        self.commit(sender, kind)
    }

    /// `sender` commits; the service accepts it; everyone else processes it; a newcomer
    /// joins.
    fn commit(&mut self, sender: usize, kind: &str) -> Result<(), SimulationError> {
        let started = Instant::now();
        let mut newcomers = Vec::new();
        let sim = &mut self.sim;
        let pending = match kind {
            "add" => {
                let (identity, bundle) = sim.try_newcomer()?;
                let key_package = [bundle.key_package().clone()];
                newcomers.push((identity, bundle));
                sim.members[sender]
                    .commit_add_with_rng(&key_package, &mut sim.rng)
                    .map_err(SimulationError::group("add"))?
            }
            "remove" => {
                let mut victim = sim.rng.random_range(0..sim.members.len() - 1);
                if victim >= sender {
                    victim += 1;
                }
                let leaf = sim.members[victim].own_leaf();
                sim.members[sender]
                    .commit_remove_with_rng(&[leaf], &mut sim.rng)
                    .map_err(SimulationError::group("remove"))?
            }
            _ => sim.members[sender]
                .commit_update_with_rng(&mut sim.rng)
                .map_err(SimulationError::group("update"))?,
        };
        self.record(kind, started.elapsed(), Some(pending.message().len()));
        let delivery = self.sim.try_deliver(sender, pending, newcomers)?;
        self.transferred += delivery.summary.transferred.len();
        self.sealed += delivery.summary.sealed.len();
        for time in delivery.processed {
            self.record("process", time, None);
        }
        for time in delivery.joins {
            self.record("join", time, delivery.welcome_len);
        }
        Ok(())
    }

    fn print_table(&self) {
        println!(
            "{:<9} {:>7} {:>11} {:>11} {:>12}",
            "operation", "count", "median", "p95", "bytes (med)"
        );
        for (kind, costs) in OPERATIONS.iter().zip(&self.costs) {
            let mut times = costs.times.clone();
            times.sort_unstable();
            let mut bytes = costs.bytes.clone();
            bytes.sort_unstable();
            let pick = |fraction: f64| {
                (!times.is_empty())
                    .then(|| times[((times.len() - 1) as f64 * fraction).round() as usize])
            };
            let median_bytes = bytes
                .get(bytes.len().saturating_sub(1) / 2)
                .map_or("-".into(), |b| b.to_string());
            println!(
                "{:<9} {:>7} {:>11} {:>11} {:>12}",
                kind,
                times.len(),
                show(pick(0.5)),
                show(pick(0.95)),
                median_bytes
            );
        }
        println!(
            "(process: one receiver handling one commit or message; bytes: the message on the wire)"
        );
    }
}

fn show(duration: Option<Duration>) -> String {
    match duration {
        None => "-".into(),
        Some(d) if d < Duration::from_millis(1) => format!("{:.1} µs", d.as_secs_f64() * 1e6),
        Some(d) => format!("{:.2} ms", d.as_secs_f64() * 1e3),
    }
}
