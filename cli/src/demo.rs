//! `artmls demo`: a group simulated end to end in one process.
//!
//! Every member keeps its own state; after every operation all of them process the change and
//! the demo checks they agree on the new `commit_secret`. The table at the end shows what each
//! operation cost: the sender's time to prepare it, each receiver's time to check and apply it,
//! and its size on the wire.

use std::time::{Duration, Instant};

use artmls::art_tree::{ArtMember, LeafChangeKind, TreeChange};
use artmls::codec::Encode;
use artmls::tree_math::LeafIndex;
use artmls::{CipherSuite, SuiteId, SuiteVisitor};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Options of `artmls demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Cipher suite, by name or id.
    #[arg(long, default_value = "0xF001")]
    suite: String,
    /// Crypto backend (see `artmls suites`); default: the first that serves the suite.
    #[arg(long)]
    backend: Option<String>,
    /// Group size after the first commit.
    #[arg(long, default_value_t = 1000)]
    members: usize,
    /// Operations after the group is created.
    #[arg(long, default_value_t = 60)]
    ops: usize,
    /// Seed of the run; the same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

pub fn run(args: &DemoArgs) -> Result<(), String> {
    let suite = crate::parse_suite(&args.suite)?;
    let backends = artmls_conformance::backends_for(suite);
    let backend = match &args.backend {
        Some(name) => name.clone(),
        None => backends
            .first()
            .ok_or_else(|| format!("no backend serves {suite}"))?
            .to_string(),
    };
    if !backends.contains(&backend.as_str()) {
        return Err(format!(
            "backend '{backend}' does not serve {suite}; backends that do: {}",
            backends.join(", ")
        ));
    }
    if args.members < 2 {
        return Err("--members must be at least 2".into());
    }
    println!(
        "artmls demo: {} members, {} operations, suite {suite}, backend {backend}, seed {}",
        args.members, args.ops, args.seed
    );
    artmls_conformance::visit(
        &backend,
        suite,
        Demo {
            args: args.clone(),
            suite,
        },
    )
    .ok_or_else(|| format!("backend '{backend}' does not serve {suite}"))?
}

struct Demo {
    args: DemoArgs,
    suite: SuiteId,
}

impl SuiteVisitor for Demo {
    type Output = Result<(), String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        let _ = self.suite;
        Simulation::<S>::run(&self.args)
    }
}

/// What one kind of operation cost over the run.
#[derive(Default)]
struct Costs {
    sender: Vec<Duration>,
    receiver: Vec<Duration>,
    bytes: Vec<usize>,
}

struct Simulation<S: CipherSuite> {
    members: Vec<ArtMember<S>>,
    rng: StdRng,
}

impl<S: CipherSuite> Simulation<S> {
    fn run(args: &DemoArgs) -> Result<(), String> {
        let mut rng = StdRng::seed_from_u64(args.seed);
        let creator = ArtMember::<S>::create(&mut rng).map_err(|e| e.to_string())?;
        let mut sim = Simulation {
            members: vec![creator],
            rng,
        };
        let mut table: Vec<(&str, Costs)> = ["create", "join", "update", "add", "remove"]
            .into_iter()
            .map(|name| (name, Costs::default()))
            .collect();

        let progress = if args.quiet {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(args.ops as u64 + 1)
        };
        progress.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        progress.set_message(format!("creating a group of {}", args.members));
        sim.initiate(args.members - 1, &mut table)?;
        progress.inc(1);

        for step in 0..args.ops {
            let roll: u32 = sim.rng.random_range(0..10);
            let size = sim.members.len();
            let kind = if roll < 2 && size > 2 {
                "remove"
            } else if roll < 4 {
                "add"
            } else {
                "update"
            };
            progress.set_message(format!("step {step}: {kind}, {size} members"));
            sim.step(kind, &mut table)?;
            progress.inc(1);
        }
        progress.finish_and_clear();
        print_table(&table);
        println!(
            "all {} members agreed on the group secret after every step",
            sim.members.len()
        );
        Ok(())
    }

    fn initiate(&mut self, newcomers: usize, table: &mut [(&str, Costs)]) -> Result<(), String> {
        let started = Instant::now();
        let pending = self.members[0]
            .prepare_add(newcomers, &mut self.rng)
            .map_err(|e| e.to_string())?;
        let bytes = wire_size(pending.change());
        let welcome: Vec<_> = pending
            .newcomers()
            .iter()
            .map(|(leaf, secret)| (*leaf, secret.clone()))
            .collect();
        self.members[0].merge(pending).map_err(|e| e.to_string())?;
        record(table, "create", started.elapsed(), bytes);
        let tree = self.members[0].tree().clone();
        for (leaf, leaf_secret) in welcome {
            let started = Instant::now();
            let member =
                ArtMember::join(tree.clone(), leaf, &leaf_secret).map_err(|e| e.to_string())?;
            costs(table, "join").receiver.push(started.elapsed());
            self.members.push(member);
        }
        self.check_agreement()
    }

    fn step(&mut self, kind: &str, table: &mut [(&str, Costs)]) -> Result<(), String> {
        let sender = self.rng.random_range(0..self.members.len());
        let started = Instant::now();
        let pending = match kind {
            "update" => self.members[sender].prepare_update(&mut self.rng),
            "add" => self.members[sender].prepare_add(1, &mut self.rng),
            _ => {
                let mut victim = self.rng.random_range(0..self.members.len() - 1);
                if victim >= sender {
                    victim += 1;
                }
                let leaf = self.members[victim].own_leaf();
                self.members[sender].prepare_remove(&[leaf], &mut self.rng)
            }
        }
        .map_err(|e| e.to_string())?;
        let sender_time = started.elapsed();
        let change = pending.change().clone();
        let newcomers: Vec<(LeafIndex, _)> = pending
            .newcomers()
            .iter()
            .map(|(leaf, secret)| (*leaf, secret.clone()))
            .collect();
        let removed: Vec<LeafIndex> = change
            .leaves
            .iter()
            .filter(|leaf_change| leaf_change.kind == LeafChangeKind::Remove)
            .map(|leaf_change| leaf_change.leaf)
            .collect();
        record(table, kind, sender_time, wire_size(&change));
        self.members[sender]
            .merge(pending)
            .map_err(|e| e.to_string())?;

        let sender_leaf = self.members[sender].own_leaf();
        self.members
            .retain(|member| !removed.contains(&member.own_leaf()));
        for member in self
            .members
            .iter_mut()
            .filter(|member| member.own_leaf() != sender_leaf)
        {
            let started = Instant::now();
            let staged = member.stage(&change).map_err(|error| {
                format!(
                    "member {} rejected a valid change: {error}",
                    member.own_leaf()
                )
            })?;
            member.merge(staged).map_err(|e| e.to_string())?;
            costs(table, kind).receiver.push(started.elapsed());
        }
        let tree = self.members[0].tree().clone();
        for (leaf, leaf_secret) in newcomers {
            let member =
                ArtMember::join(tree.clone(), leaf, &leaf_secret).map_err(|e| e.to_string())?;
            self.members.push(member);
        }
        self.check_agreement()
    }

    fn check_agreement(&self) -> Result<(), String> {
        let expected = self.members[0].commit_secret();
        match self
            .members
            .iter()
            .find(|member| member.commit_secret() != expected)
        {
            Some(member) => Err(format!(
                "member at leaf {} disagrees on the group secret",
                member.own_leaf()
            )),
            None => Ok(()),
        }
    }
}

fn wire_size(change: &TreeChange) -> usize {
    change.encode_to_vec().map_or(0, |bytes| bytes.len())
}

fn costs<'a>(table: &'a mut [(&str, Costs)], kind: &str) -> &'a mut Costs {
    let index = table
        .iter()
        .position(|(name, _)| *name == kind)
        .unwrap_or(0);
    &mut table[index].1
}

fn record(table: &mut [(&str, Costs)], kind: &str, sender: Duration, bytes: usize) {
    let entry = costs(table, kind);
    entry.sender.push(sender);
    entry.bytes.push(bytes);
}

fn percentile(samples: &mut [Duration], fraction: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    samples.sort_unstable();
    let index = ((samples.len() - 1) as f64 * fraction).round() as usize;
    samples.get(index).copied()
}

fn show(duration: Option<Duration>) -> String {
    match duration {
        None => "-".into(),
        Some(duration) if duration < Duration::from_millis(1) => {
            format!("{:.1} µs", duration.as_secs_f64() * 1e6)
        }
        Some(duration) => format!("{:.2} ms", duration.as_secs_f64() * 1e3),
    }
}

fn print_table(table: &[(&str, Costs)]) {
    println!(
        "{:<10} {:>6} {:>12} {:>12} {:>10} {:>12} {:>12} {:>10}",
        "operation", "count", "send med", "send p95", "receivers", "recv med", "recv p95", "bytes"
    );
    for (name, costs) in table {
        let mut sender = costs.sender.clone();
        let mut receiver = costs.receiver.clone();
        let mut bytes = costs.bytes.clone();
        bytes.sort_unstable();
        let count = if *name == "join" {
            receiver.len()
        } else {
            sender.len()
        };
        let median_bytes = bytes
            .get(bytes.len().saturating_sub(1) / 2)
            .map_or("-".into(), |b| b.to_string());
        println!(
            "{:<10} {:>6} {:>12} {:>12} {:>10} {:>12} {:>12} {:>10}",
            name,
            count,
            show(percentile(&mut sender, 0.5)),
            show(percentile(&mut sender, 0.95)),
            receiver.len(),
            show(percentile(&mut receiver, 0.5)),
            show(percentile(&mut receiver, 0.95)),
            median_bytes
        );
    }
}
