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
//!
//! With `--store DIR` every member is kept in its own SQLite store under DIR, and what the
//! delivery service ordered in a log there; `--resume` continues a run that was interrupted
//! (see `run_resumed`).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use artmls::group::{GroupConfig, GroupError, Received};
use artmls::{AnyGroup, AnyIdentity, AnyKeyPackageBundle, AnyPendingCommit, SuiteId};
use artmls_conformance::group_checks::{
    Erased, GroupKind, GroupSimulation, Setup, SimulationError,
};
use artmls_sqlite::{SqliteOptions, Synchronous};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::store::{DemoStore, Entry, RunParams, StoredErased};

const DEFAULT_SUITE: &str = "0xF001";
const DEFAULT_MEMBERS: usize = 1000;
const DEFAULT_OPS: usize = 60;
const DEFAULT_SEED: u64 = 1;

/// The SQLite `synchronous` setting of the demo's stores: FULL, the store's own default, so
/// a transaction survives an OS crash or power loss too. NORMAL was measured and gave
/// nothing: the store checkpoints its WAL into the database after every transaction, which
/// syncs anyway, so 1000 members and 60 operations took 3m16s with FULL and 3m49s with
/// NORMAL on one 2-core Linux machine (run to run noise). `--store-sync` (hidden) measures it.
const DEMO_SYNCHRONOUS: Synchronous = Synchronous::Full;

/// Options of `artmls demo`.
#[derive(Args, Debug, Clone)]
#[command(after_long_help = STORE_HELP)]
pub(crate) struct DemoArgs {
    /// Cipher suite, by name or id (see `artmls suites`) [default: 0xF001].
    #[arg(long)]
    pub suite: Option<String>,
    /// Crypto backend (see `artmls suites`); default: the first that serves the suite.
    #[arg(long)]
    pub backend: Option<String>,
    /// Members of the group made in the first commit [default: 1000].
    #[arg(long)]
    pub members: Option<usize>,
    /// Operations after the group is made [default: 60].
    #[arg(long)]
    pub ops: Option<usize>,
    /// Seed of the run: the same seed gives the same run [default: 1].
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Keep every member in its own SQLite store under DIR (`member-<n>.sqlite`), with the
    /// delivery service's log, the run's parameters and the storage key (see below).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Continue the interrupted `--store DIR` run: load every member from its store, replay
    /// what each missed from the log, check they agree, and run the remaining operations.
    #[arg(long, requires = "store")]
    pub resume: bool,
    /// Exit abruptly in the middle of the operation after the first N, as a crash would
    /// (for testing `--resume`).
    #[arg(long, hide = true, value_name = "N")]
    pub stop_after: Option<usize>,
    /// The stores' SQLite synchronous setting (full, normal, off), for measuring.
    #[arg(long, hide = true, value_name = "MODE")]
    pub store_sync: Option<String>,
}

const STORE_HELP: &str = "\
With --store DIR:
  Every member is kept in its own SQLite store, DIR/member-<n>.sqlite, attached as soon as
  it creates or joins the group (a newcomer's KeyPackage is kept in its store first, and it
  joins from the store, which uses the KeyPackage once). Every commit and message a member
  handles is written with its position in the log as one transaction. What the delivery
  service ordered is appended to DIR/log, synced, before anyone acts on it; DIR/demo.json
  holds the run's parameters. `artmls store inspect DIR` lists what the stores hold.

  The stores are sealed with a random storage key made by the first run and kept in
  DIR/storage.key (mode 0600) only so that --resume can open them again. A real application
  keeps its storage key in the platform's keyring, never next to the data.

  The demo's stores run SQLite with synchronous=FULL, the store's default: a transaction
  survives the process being killed and an OS crash. NORMAL was measured and was no faster
  (the store already syncs when it checkpoints after every transaction). Expect a --store
  run of 1000 members to take about three times as long as one without.

  --resume continues a run that was interrupted (killed, crashed): it takes the parameters
  from DIR/demo.json and refuses others. Operations after a resume are drawn from a
  generator seeded by the seed and the number of operations completed, so the same
  interruption gives the same run. An operation that was interrupted is run again as a new
  operation; its messages the service ordered are replayed first.";

pub(crate) fn run(args: &DemoArgs) -> Result<(), String> {
    if args.resume {
        let dir = args
            .store
            .as_deref()
            .ok_or("--resume continues a --store DIR run: give its --store DIR")?;
        return run_resumed(args, dir);
    }
    let params = RunParams {
        suite: args.suite.clone().unwrap_or_else(|| DEFAULT_SUITE.into()),
        backend: String::new(),
        members: args.members.unwrap_or(DEFAULT_MEMBERS),
        ops: args.ops.unwrap_or(DEFAULT_OPS),
        seed: args.seed.unwrap_or(DEFAULT_SEED),
        synchronous: String::new(),
        ops_completed: 0,
    };
    let (suite, backend) = crate::pick(&params.suite, args.backend.as_deref())?;
    if params.members < 2 {
        return Err("--members must be at least 2".into());
    }
    let provider = artmls_providers::find(backend).map_err(|e| e.to_string())?;
    if !provider.serves(suite) {
        return Err(format!("backend '{backend}' does not serve {suite}"));
    }
    println!(
        "artmls demo: {} members, {} operations, suite {suite}, backend {backend}, seed {}",
        params.members, params.ops, params.seed
    );
    let erased = Erased { provider, suite };
    let Some(dir) = &args.store else {
        return Demo::run(args, &params, erased, None).map_err(|e| e.to_string());
    };
    let synchronous = match &args.store_sync {
        Some(name) => crate::store::parse_synchronous(name)?,
        None => DEMO_SYNCHRONOUS,
    };
    let params = RunParams {
        suite: format!("{:#06x}", suite.0),
        backend: backend.to_string(),
        synchronous: crate::store::synchronous_name(synchronous).to_string(),
        ..params
    };
    let store = Arc::new(DemoStore::create(dir, sqlite_options(synchronous))?);
    params.write(dir)?;
    println!(
        "stores: {} (one SQLite file per member, synchronous={})",
        dir.display(),
        params.synchronous
    );
    let kind = StoredErased { erased, store };
    Demo::run(args, &params, kind, Some(dir)).map_err(|e| e.to_string())
}

fn sqlite_options(synchronous: Synchronous) -> SqliteOptions {
    let mut options = SqliteOptions::default();
    options.synchronous = synchronous;
    options
}

/// The generator of the operations after a resume at `completed`: a function of the seed
/// and the point of interruption only.
fn resumed_rng(seed: u64, completed: usize) -> StdRng {
    StdRng::seed_from_u64(seed ^ (completed as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
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
struct Demo<K: GroupKind> {
    sim: GroupSimulation<K>,
    costs: Vec<Costs>,
    /// Tombstones re-keyed by the commit that removed their owner (profile revision 2).
    transferred: usize,
    /// Tombstones blanked by a sponsor's update (profile revision 2).
    sealed: usize,
}

fn progress_bar(quiet: bool, length: usize) -> ProgressBar {
    let progress = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(length as u64)
    };
    progress.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    progress
}

/// What the demo needs of a kind of members: erased groups, kept in memory or in stores.
trait DemoKind:
    GroupKind<
        Group = AnyGroup,
        Identity = AnyIdentity,
        Bundle = AnyKeyPackageBundle,
        Pending = AnyPendingCommit,
    >
{
    /// Records that operation `step` completed (in the log, for a stored run).
    fn completed(&self, step: usize, params: &RunParams) -> Result<(), String>;
}

impl DemoKind for Erased {
    fn completed(&self, _step: usize, _params: &RunParams) -> Result<(), String> {
        Ok(())
    }
}

impl DemoKind for StoredErased {
    fn completed(&self, step: usize, params: &RunParams) -> Result<(), String> {
        self.store
            .append(&Entry::Done(step as u64))
            .map_err(|e| e.to_string())?;
        RunParams {
            ops_completed: step + 1,
            ..params.clone()
        }
        .write(self.store.dir())
    }
}

impl<K: DemoKind> Demo<K> {
    fn new(sim: GroupSimulation<K>) -> Self {
        Demo {
            sim,
            costs: OPERATIONS.iter().map(|_| Costs::default()).collect(),
            transferred: 0,
            sealed: 0,
        }
    }

    fn run(args: &DemoArgs, params: &RunParams, kind: K, dir: Option<&Path>) -> Result<(), String> {
        let progress = progress_bar(args.quiet, params.members + params.ops);
        progress.set_message(format!(
            "creating a group of {} in one commit",
            params.members
        ));
        let setup = Setup {
            group_id: b"demo".to_vec(),
            creator: "member-creator".into(),
            first_number: 0,
        };
        let rng = StdRng::seed_from_u64(params.seed);
        let (sim, creation) =
            GroupSimulation::build(kind, rng, setup, params.members).map_err(|e| e.to_string())?;
        let mut demo = Demo::new(sim);
        demo.record("create", creation.create, Some(creation.welcome_len));
        for join in creation.joins {
            demo.record("join", join, None);
        }
        progress.inc(params.members as u64);
        demo.operate(args, params, 0, &progress)?;
        demo.finish(dir);
        Ok(())
    }

    /// Runs operations `from..params.ops`.
    fn operate(
        &mut self,
        args: &DemoArgs,
        params: &RunParams,
        from: usize,
        progress: &ProgressBar,
    ) -> Result<(), String> {
        if args.stop_after == Some(from) {
            crate::store::stop_after_processing(self.sim.members.len() / 2);
        }
        for step in from..params.ops {
            let size = self.sim.members.len();
            let roll: u32 = self.sim.rng.random_range(0..10);
            let kind = match roll {
                0..=1 if size > 2 => "remove",
                0..=2 => "add",
                3..=5 => "message",
                _ => "update",
            };
            progress.set_message(format!("step {step}: {kind}, {size} members"));
            self.step(kind).map_err(|e| e.to_string())?;
            self.sim.kind.completed(step, params)?;
            if args.stop_after == Some(step + 1) {
                // Half of the members get the next operation's message, then the process
                // stops: the resumed run must bring the others up to date from the log.
                crate::store::stop_after_processing(self.sim.members.len() / 2);
            }
            progress.inc(1);
        }
        progress.finish_and_clear();
        Ok(())
    }

    fn finish(&self, dir: Option<&Path>) {
        self.print_table();
        let first = &self.sim.members[0];
        println!(
            "tombstones: {} transferred from removed owners, {} sealed by their sponsors, {} live now",
            self.transferred,
            self.sealed,
            first.tombstones().len()
        );
        println!(
            "all {} members agreed on the epoch authenticator after every step (epoch {})",
            self.sim.members.len(),
            first.epoch()
        );
        if let Some(dir) = dir {
            println!(
                "every member is kept in {}; `artmls store inspect {}` lists the stores",
                dir.display(),
                dir.display()
            );
        }
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

/// `--resume`: continues the `--store` run in `dir`.
///
/// 1. The run's parameters come from `demo.json`; a parameter given on the command line must
///    match them.
/// 2. The log is read; an entry torn by the crash is cut off. Message entries no member has
///    read (at or past the furthest member's log position) are cut too: the sender merges its
///    own commit, and records its application message as read, before anyone else processes
///    it, so nobody acted on them. Such a commit can never be merged by its sender, whose
///    pending commit died with the process: the service forgets it, as a service forgets a
///    commit whose sender never came back.
/// 3. Every member is loaded from its store. A store holding only a KeyPackage is a newcomer
///    that had not joined yet: it joins from the logged Welcome that is for it, and reads
///    the log from the commit that added it.
/// 4. Each member processes the entries past its own log position; a member the log removed
///    deletes its group. All must then agree on the epoch authenticator.
/// 5. The service starts again from the group's current state; the remaining operations run.
fn run_resumed(args: &DemoArgs, dir: &Path) -> Result<(), String> {
    let saved = RunParams::read(dir)?;
    let mismatch = |what: &str, given: String, saved: String| {
        Err(format!(
            "{} holds a run with {what} {saved}, not {given}: --resume continues the run as it was started (leave {what} out)",
            dir.display()
        ))
    };
    if let Some(suite) = &args.suite {
        let given = crate::parse_suite(suite)?;
        if Some(given) != SuiteId::parse(&saved.suite) {
            return mismatch("suite", suite.clone(), saved.suite.clone());
        }
    }
    if let Some(backend) = &args.backend
        && *backend != saved.backend
    {
        return mismatch("backend", backend.clone(), saved.backend.clone());
    }
    for (what, given, was) in [
        ("--members", args.members, saved.members),
        ("--ops", args.ops, saved.ops),
    ] {
        if let Some(given) = given
            && given != was
        {
            return mismatch(what, given.to_string(), was.to_string());
        }
    }
    if let Some(seed) = args.seed
        && seed != saved.seed
    {
        return mismatch("--seed", seed.to_string(), saved.seed.to_string());
    }
    if let Some(sync) = &args.store_sync
        && *sync != saved.synchronous
    {
        return mismatch("--store-sync", sync.clone(), saved.synchronous.clone());
    }
    let (suite, backend) = crate::pick(&saved.suite, Some(&saved.backend))?;
    let provider = artmls_providers::find(backend).map_err(|e| e.to_string())?;
    let synchronous = crate::store::parse_synchronous(&saved.synchronous)?;
    let (store, entries, _) = DemoStore::open(dir, sqlite_options(synchronous))?;
    let store = Arc::new(store);
    let kind = StoredErased {
        erased: Erased { provider, suite },
        store: store.clone(),
    };
    let group_id = b"demo".to_vec();

    // The members' stores, by name.
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|ext| ext == "sqlite")
            && let Some(stem) = path.file_stem().and_then(|stem| stem.to_str())
        {
            names.push(stem.as_bytes().to_vec());
        }
    }
    if names.is_empty() {
        return Err(format!("{} holds no member store", dir.display()));
    }
    let failed = |name: &[u8], what: &str, error: &dyn std::fmt::Display| {
        format!("{}: {what}: {error}", String::from_utf8_lossy(name))
    };
    let mut members: Vec<(Vec<u8>, AnyGroup)> = Vec::new();
    let mut waiting = Vec::new();
    let mut next_name = 0u32;
    for name in names {
        if let Some(number) = std::str::from_utf8(&name)
            .ok()
            .and_then(|name| name.strip_prefix("member-"))
            .and_then(|number| number.parse::<u32>().ok())
        {
            next_name = next_name.max(number + 1);
        }
        let storage = store.member(&name).map_err(|e| e.to_string())?;
        let summary = storage
            .lock()
            .and_then(|storage| storage.summary())
            .map_err(|e| failed(&name, "reading the store", &e))?;
        if summary
            .groups
            .iter()
            .any(|group| group.group_id == group_id)
        {
            let group = provider
                .load(&storage, &group_id)
                .map_err(|e| failed(&name, "loading the group", &e))?;
            members.push((name, group));
        } else if summary.key_packages > 0 {
            waiting.push(name);
        } else {
            // A removed member's emptied store: nothing to load.
            store.close(&name).map_err(|e| e.to_string())?;
        }
    }

    // Cut what nobody read (see 2 above).
    let read = members
        .iter()
        .map(|(_, group)| group.log_position())
        .max()
        .unwrap_or(0) as usize;
    let mut messages = Vec::new();
    let mut kept = entries.len();
    for (index, logged) in entries.iter().enumerate() {
        if let Entry::Message { .. } = logged.entry {
            if messages.len() == read {
                kept = index;
                break;
            }
            messages.push(&logged.entry);
        }
    }
    if let Some(first_cut) = entries.get(kept) {
        store.truncate_log(first_cut.offset, messages.len())?;
    }
    let entries = &entries[..kept];
    let completed = entries
        .iter()
        .filter(|logged| matches!(logged.entry, Entry::Done(_)))
        .count()
        .min(saved.ops);

    // Newcomers that had not joined: each joins from the logged Welcome that is for it.
    let mut welcomes = Vec::new();
    let mut position = 0usize;
    for logged in entries {
        match &logged.entry {
            Entry::InitialWelcome(welcome) => welcomes.push((0, welcome)),
            Entry::Message { welcome, .. } => {
                position += 1;
                if let Some(welcome) = welcome {
                    welcomes.push((position, welcome));
                }
            }
            Entry::Done(_) => {}
        }
    }
    let mut joined = 0usize;
    let mut strays = 0usize;
    for name in waiting {
        let storage = store.member(&name).map_err(|e| e.to_string())?;
        // Newest first: the Welcome that names this KeyPackage is the one that opens; the
        // others refuse it without changing the store.
        let found = welcomes.iter().rev().find_map(|(start, welcome)| {
            provider
                .join_from_storage(&storage, welcome, GroupConfig::default())
                .ok()
                .map(|group| (*start, group))
        });
        match found {
            Some((start, mut group)) => {
                if start > 0 {
                    group
                        .set_log_position(start as u64)
                        .map_err(|e| failed(&name, "recording the read position", &e))?;
                }
                joined += 1;
                members.push((name, group));
            }
            None => {
                // Its KeyPackage was made, but the commit that would add it never made it
                // into the log: it stays a KeyPackage waiting for a Welcome.
                strays += 1;
                store.close(&name).map_err(|e| e.to_string())?;
            }
        }
    }

    // Everyone reads what it missed.
    let mut replayed = 0usize;
    let mut removed = Vec::new();
    for (index, (name, group)) in members.iter_mut().enumerate() {
        let from = group.log_position() as usize;
        for (position, entry) in messages.iter().enumerate().skip(from) {
            let Entry::Message { message, .. } = entry else {
                continue;
            };
            replayed += 1;
            match group.process_message_at(position as u64, message) {
                Ok(Received::Removed { .. }) | Err(GroupError::NotAMember) => {
                    removed.push(index);
                    break;
                }
                Ok(_) => {}
                Err(error) => {
                    return Err(failed(
                        name,
                        &format!("replaying log entry {position}"),
                        &error,
                    ));
                }
            }
        }
    }
    // A member that processed its removal before the interruption, but had not deleted its
    // group yet, is at an epoch the others left, and not in their tree.
    let newest = members
        .iter()
        .map(|(_, group)| group.epoch())
        .max()
        .unwrap_or(0);
    if let Some((_, reference)) = members.iter().find(|(_, group)| group.epoch() == newest) {
        for (index, (name, group)) in members.iter().enumerate() {
            if group.epoch() < newest
                && reference.leaf_of(name) != Some(group.own_leaf())
                && !removed.contains(&index)
            {
                removed.push(index);
            }
        }
    }
    removed.sort_unstable();
    let removed_count = removed.len();
    for index in removed.into_iter().rev() {
        let (_, group) = members.remove(index);
        kind.retire(group).map_err(|e| e.to_string())?;
    }
    if members.is_empty() {
        return Err(format!("{} holds no member of the group", dir.display()));
    }

    // The order of the original run: the creator, then by number.
    members.sort_by_key(|(name, _)| {
        std::str::from_utf8(name)
            .ok()
            .and_then(|name| name.strip_prefix("member-"))
            .and_then(|number| number.parse::<u32>().ok())
            .map_or(0, |number| u64::from(number) + 1)
    });
    let members: Vec<AnyGroup> = members.into_iter().map(|(_, group)| group).collect();
    let group_info = members[0]
        .public_group_info()
        .map_err(|e| format!("the group's GroupInfo: {e}"))?;
    let service = kind
        .service_from(&group_info, messages.len())
        .map_err(|e| e.to_string())?;
    let rng = resumed_rng(saved.seed, completed);
    let sim = GroupSimulation::from_parts(kind, members, service, rng, group_id, next_name)
        .map_err(|e| format!("after replaying the log the members do not agree: {e}"))?;

    println!(
        "artmls demo: {} members, {} operations, suite {suite}, backend {backend}, seed {}",
        saved.members, saved.ops, saved.seed
    );
    println!(
        "resumed {} at operation {completed} of {}: {} members loaded, {joined} joined from logged Welcomes, {replayed} log entries replayed, {removed_count} removed members retired{}",
        dir.display(),
        saved.ops,
        sim.members.len(),
        if strays > 0 {
            format!(", {strays} KeyPackage(s) whose add never reached the log left waiting")
        } else {
            String::new()
        }
    );
    println!("all {} members agree after the replay", sim.members.len());
    let mut demo = Demo::new(sim);
    let progress = progress_bar(args.quiet, saved.ops - completed);
    demo.operate(args, &saved, completed, &progress)?;
    demo.finish(Some(dir));
    Ok(())
}
