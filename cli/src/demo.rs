//! `artmls demo`: a group simulated end to end in one process.
//!
//! Every member keeps its own state. The creator makes the group with all initial members in
//! one commit (the first draft's Initiate) and everyone joins from the one Welcome. Then a mix
//! of updates, adds, removes and application messages goes through the in-memory ordering
//! service; after every step every member has processed it and the demo checks that they all
//! agree on the epoch authenticator. The table at the end shows what each operation cost.

use std::time::{Duration, Instant};

use artmls::group::{Group, GroupConfig, Identity, KeyPackageBundle, Received};
use artmls::ordering::OrderingService;
use artmls::{CipherSuite, SuiteVisitor};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Options of `artmls demo`.
#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
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

pub fn run(args: &DemoArgs) -> Result<(), String> {
    let (suite, backend) = crate::pick(&args.suite, args.backend.as_deref())?;
    if args.members < 2 {
        return Err("--members must be at least 2".into());
    }
    println!(
        "artmls demo: {} members, {} operations, suite {suite}, backend {backend}, seed {}",
        args.members, args.ops, args.seed
    );
    artmls_conformance::visit(backend, suite, Demo { args: args.clone() })
        .ok_or_else(|| format!("backend '{backend}' does not serve {suite}"))?
}

struct Demo {
    args: DemoArgs,
}

impl SuiteVisitor for Demo {
    type Output = Result<(), String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        Simulation::<S>::run(&self.args)
    }
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

struct Simulation<S: CipherSuite> {
    members: Vec<Group<S>>,
    service: OrderingService<S>,
    rng: StdRng,
    costs: Vec<Costs>,
    next_name: usize,
    /// Tombstones re-keyed by the commit that removed their owner (profile revision 2).
    transferred: usize,
    /// Tombstones blanked by a sponsor's update (profile revision 2).
    sealed: usize,
}

fn error(context: &str) -> impl Fn(artmls::group::GroupError) -> String + '_ {
    move |e| format!("{context}: {e}")
}

impl<S: CipherSuite> Simulation<S> {
    fn run(args: &DemoArgs) -> Result<(), String> {
        let mut sim = Simulation::<S> {
            members: Vec::new(),
            service: OrderingService::new(),
            rng: StdRng::seed_from_u64(args.seed),
            costs: OPERATIONS.iter().map(|_| Costs::default()).collect(),
            next_name: 0,
            transferred: 0,
            sealed: 0,
        };
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
        sim.create(args.members, &progress)?;
        for step in 0..args.ops {
            let size = sim.members.len();
            let roll: u32 = sim.rng.random_range(0..10);
            let kind = match roll {
                0..=1 if size > 2 => "remove",
                0..=2 => "add",
                3..=5 => "message",
                _ => "update",
            };
            progress.set_message(format!("step {step}: {kind}, {size} members"));
            sim.step(kind)?;
            progress.inc(1);
        }
        progress.finish_and_clear();
        sim.print_table();
        println!(
            "tombstones: {} transferred from removed owners, {} sealed by their sponsors, {} live now",
            sim.transferred,
            sim.sealed,
            sim.members[0].tombstones().len()
        );
        println!(
            "all {} members agreed on the epoch authenticator after every step (epoch {})",
            sim.members.len(),
            sim.members[0].epoch()
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

    fn newcomer(&mut self) -> Result<(Identity<S>, KeyPackageBundle<S>), String> {
        let identity =
            Identity::<S>::new_with_rng(format!("member-{}", self.next_name), &mut self.rng);
        self.next_name += 1;
        let bundle = identity
            .key_package_with_rng(&mut self.rng)
            .map_err(error("key package"))?;
        Ok((identity, bundle))
    }

    fn create(&mut self, size: usize, progress: &ProgressBar) -> Result<(), String> {
        let creator = Identity::<S>::new_with_rng("member-creator", &mut self.rng);
        let joiners = (1..size)
            .map(|_| self.newcomer())
            .collect::<Result<Vec<_>, _>>()?;
        let key_packages: Vec<_> = joiners
            .iter()
            .map(|(_, b)| b.key_package().clone())
            .collect();
        let started = Instant::now();
        let (group, welcome) = Group::initiate_with_rng(
            creator,
            b"demo".to_vec(),
            &key_packages,
            GroupConfig::default(),
            &mut self.rng,
        )
        .map_err(error("create"))?;
        self.record("create", started.elapsed(), Some(welcome.len()));
        self.service
            .create_group(&group.public_group_info().map_err(error("group info"))?)
            .map_err(|e| e.to_string())?;
        self.members.push(group);
        progress.inc(1);
        for (identity, bundle) in joiners {
            let started = Instant::now();
            let member = Group::join(&welcome, &bundle, identity, GroupConfig::default())
                .map_err(error("join"))?;
            self.record("join", started.elapsed(), None);
            self.members.push(member);
            progress.inc(1);
        }
        self.check_agreement()
    }

    fn step(&mut self, kind: &str) -> Result<(), String> {
        let sender = self.rng.random_range(0..self.members.len());
        if kind == "message" {
            let text = format!("message {} from member {sender}", self.members[0].epoch());
            let started = Instant::now();
            let bytes = self.members[sender]
                .encrypt_application_with_rng(text.as_bytes(), &mut self.rng)
                .map_err(error("encrypt"))?;
            self.record("message", started.elapsed(), Some(bytes.len()));
            self.service.submit(&bytes).map_err(|e| e.to_string())?;
            self.deliver(sender, &bytes)?;
            return Ok(());
        }
        // A newcomer's leaf key came from its adder: its first commit is an update.
        if self.members[sender].needs_update() {
            let sender_leaf = self.members[sender].own_leaf();
            self.commit(sender, "update")?;
            if kind == "update" {
                return Ok(());
            }
            let index = self
                .members
                .iter()
                .position(|m| m.own_leaf() == sender_leaf);
            return self.commit(index.ok_or("the sender left the group")?, kind);
        }
        self.commit(sender, kind)
    }

    /// `sender` commits; the service accepts it; everyone else processes it.
    fn commit(&mut self, sender: usize, kind: &str) -> Result<(), String> {
        let started = Instant::now();
        let mut newcomer = None;
        let pending = match kind {
            "add" => {
                let (identity, bundle) = self.newcomer()?;
                let key_package = [bundle.key_package().clone()];
                newcomer = Some((identity, bundle));
                self.members[sender].commit_add_with_rng(&key_package, &mut self.rng)
            }
            "remove" => {
                let mut victim = self.rng.random_range(0..self.members.len() - 1);
                if victim >= sender {
                    victim += 1;
                }
                let leaf = self.members[victim].own_leaf();
                self.members[sender].commit_remove_with_rng(&[leaf], &mut self.rng)
            }
            _ => self.members[sender].commit_update_with_rng(&mut self.rng),
        }
        .map_err(error(kind))?;
        self.record(kind, started.elapsed(), Some(pending.message().len()));
        self.service
            .submit(pending.message())
            .map_err(|e| e.to_string())?;
        let message = pending.message().to_vec();
        let welcome = pending.welcome().map(<[u8]>::to_vec);
        let summary = self.members[sender]
            .merge_pending_commit(pending)
            .map_err(error("merge"))?;
        self.transferred += summary.transferred.len();
        self.sealed += summary.sealed.len();
        self.deliver(sender, &message)?;
        if let (Some(welcome), Some((identity, bundle))) = (welcome, newcomer) {
            let started = Instant::now();
            let member = Group::join(&welcome, &bundle, identity, GroupConfig::default())
                .map_err(error("join"))?;
            self.record("join", started.elapsed(), Some(welcome.len()));
            self.members.push(member);
        }
        self.check_agreement()
    }

    /// Every member but the sender processes `message`, on both cores; removed members leave.
    fn deliver(&mut self, sender: usize, message: &[u8]) -> Result<(), String> {
        let sender_leaf = self.members[sender].own_leaf();
        let half = self.members.len() / 2;
        let (left, right) = self.members.split_at_mut(half);
        let (mine, theirs) = std::thread::scope(|scope| {
            let other = scope.spawn(|| process_all(right, sender_leaf, message));
            let mine = process_all(left, sender_leaf, message);
            (mine, other.join())
        });
        let theirs = theirs.map_err(|_| "a member thread failed".to_string())?;
        let mut outcomes = mine?;
        outcomes.extend(theirs?);
        let mut removed = Vec::new();
        for (index, outcome) in outcomes.into_iter().enumerate() {
            if let Some((time, gone)) = outcome {
                self.record("process", time, None);
                if gone {
                    removed.push(index);
                }
            }
        }
        for index in removed.into_iter().rev() {
            self.members.remove(index);
        }
        Ok(())
    }

    fn check_agreement(&self) -> Result<(), String> {
        let first = self.members[0].epoch_authenticator();
        match self
            .members
            .iter()
            .find(|m| m.epoch_authenticator() != first)
        {
            Some(member) => Err(format!(
                "member at leaf {} disagrees on the epoch authenticator",
                member.own_leaf()
            )),
            None => Ok(()),
        }
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

/// Each member but the sender processes `message`: the time it took and whether the member was
/// removed (`None` for the sender).
fn process_all<S: CipherSuite>(
    members: &mut [Group<S>],
    sender: artmls::tree_math::LeafIndex,
    message: &[u8],
) -> Result<Vec<Option<(Duration, bool)>>, String> {
    members
        .iter_mut()
        .map(|member| {
            if member.own_leaf() == sender {
                return Ok(None);
            }
            let started = Instant::now();
            let received = member.process_message(message).map_err(|e| {
                format!(
                    "member at leaf {} rejected a valid message: {e}",
                    member.own_leaf()
                )
            })?;
            Ok(Some((
                started.elapsed(),
                matches!(received, Received::Removed { .. }),
            )))
        })
        .collect()
}

fn show(duration: Option<Duration>) -> String {
    match duration {
        None => "-".into(),
        Some(d) if d < Duration::from_millis(1) => format!("{:.1} µs", d.as_secs_f64() * 1e6),
        Some(d) => format!("{:.2} ms", d.as_secs_f64() * 1e3),
    }
}
