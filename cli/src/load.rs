//! `artmls load`: drives many groups against one or more `artmls serve` and reports what
//! the service sustains: commits and messages per second, the latency from a submission to
//! its delivery on the group's stream, and the servers' memory.
//!
//! A run has two phases.
//!
//! 1. Setup (not timed): for each group, a driving member creates it and registers it; the
//!    other members publish one KeyPackage each, and the driver claims them and adds them in
//!    commits of at most `--add-batch` KeyPackages (a body must fit the server's limit). The
//!    server then follows a public tree of `--members` leaves. The added members never join:
//!    the server only follows public state, so they have nothing to do.
//! 2. The timed phase: `--receivers` plain subscribers per group listen on the group's
//!    stream, and every driver submits `--commits` update commits and `--messages`
//!    application messages, interleaved. It ends when every receiver has every entry.
//!
//! With several servers, groups go to them round-robin, and a group's receivers subscribe
//! round-robin from the group's own server on: on a shared database, an entry submitted to
//! one server reaches subscribers of another.
//!
//! `--plot FILE REPORT...` draws saved reports instead of running (see [`chart`]).

mod chart;
mod drive;
mod report;
mod setup;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use artmls::{Provider, SuiteId};
use artmls_service::DeliveryClient;
use tokio::sync::Semaphore;

use report::{LoadReport, ServerFigures};

/// The arguments of `artmls load`.
#[derive(clap::Args)]
pub(crate) struct LoadArgs {
    /// A server to drive (`http://HOST:PORT`). Repeat it for several servers: groups are
    /// spread over them round-robin.
    #[arg(long = "server", value_name = "URL", required_unless_present = "plot")]
    pub servers: Vec<String>,
    /// How many groups.
    #[arg(long, required_unless_present = "plot")]
    pub groups: Option<usize>,
    /// Members per group, the driver included.
    #[arg(long, required_unless_present = "plot")]
    pub members: Option<usize>,
    /// Update commits per group in the timed phase.
    #[arg(long, default_value_t = 10)]
    pub commits: usize,
    /// Application messages per group in the timed phase.
    #[arg(long, default_value_t = 100)]
    pub messages: usize,
    /// Subscribers per group on the group's stream; delivery latency is measured at them.
    #[arg(long, default_value_t = 2)]
    pub receivers: usize,
    /// The most requests in flight at once, over all groups.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Cipher suite, by id or name.
    #[arg(long, default_value = "0xF001")]
    pub suite: String,
    /// Crypto backend [default: the first that serves the suite].
    #[arg(long)]
    pub backend: Option<String>,
    /// Seed of the members' keys: the same seed makes the same keys.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The most KeyPackages one add commit carries in the setup.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub add_batch: usize,
    /// Bytes of each application message's plaintext.
    #[arg(long, default_value_t = 100, value_name = "BYTES")]
    pub message_bytes: usize,
    /// Seconds to wait, after the last submission, for every receiver to have every entry;
    /// the run fails when they have not.
    #[arg(long, default_value_t = 120, value_name = "SECONDS")]
    pub timeout: u64,
    /// A name for this configuration in the report and the plot [default: made from the
    /// groups, members, storage and servers].
    #[arg(long)]
    pub label: Option<String>,
    /// Writes the report as JSON to FILE too.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Draws the saved JSON reports given after it into FILE (SVG, or PNG when FILE ends
    /// in .png) instead of running.
    #[arg(long, value_name = "FILE", requires = "reports")]
    pub plot: Option<PathBuf>,
    /// With --plot: the JSON reports to draw, one configuration each, in this order.
    #[arg(value_name = "REPORT", requires = "plot")]
    pub reports: Vec<PathBuf>,
}

/// A run's parameters, checked.
pub(crate) struct Plan {
    pub groups: usize,
    pub members: usize,
    pub commits: usize,
    pub messages: usize,
    pub receivers: usize,
    pub add_batch: usize,
    pub message_bytes: usize,
    pub seed: u64,
    pub suite: SuiteId,
    pub provider: &'static dyn Provider,
    /// Names the run's groups and identities apart from those of earlier runs against the
    /// same database (KeyPackages are claimed by identity, groups are created by id).
    pub tag: String,
}

/// What every task of a run shares.
pub(crate) struct Shared {
    pub plan: Plan,
    pub servers: Vec<DeliveryClient>,
    /// Bounds the requests in flight (`--concurrency`).
    pub requests: Semaphore,
    /// Bounds the crypto running at once to the cores: more threads would only take turns.
    pub crypto: Semaphore,
}

impl Shared {
    /// The server that holds group `group`.
    pub(crate) fn server_of(&self, group: usize) -> &DeliveryClient {
        &self.servers[group % self.servers.len()]
    }

    /// Runs CPU-bound work (key generation, commits, encryption) on a blocking thread, so
    /// the runtime's threads stay free to read the streams and time the arrivals.
    pub(crate) async fn crypto<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let _slot = self
            .crypto
            .acquire()
            .await
            .map_err(|_| "the crypto slots closed".to_string())?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| format!("a crypto task failed: {e}"))
    }
}

pub(crate) fn run(args: &LoadArgs) -> Result<(), String> {
    if let Some(file) = &args.plot {
        return chart::plot_reports(&args.reports, file);
    }
    let plan = plan(args)?;
    let servers: Vec<DeliveryClient> = args
        .servers
        .iter()
        .map(|url| DeliveryClient::new(url.as_str()))
        .collect();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shared = Arc::new(Shared {
        plan,
        servers,
        requests: Semaphore::new(args.concurrency),
        crypto: Semaphore::new(cores),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("starting the async runtime: {e}"))?;
    let report = runtime.block_on(run_load(args, shared))?;

    report.print();
    if let Some(file) = &args.json {
        report.save(file)?;
        println!("report written to {}", file.display());
    }
    if report.errors > 0 {
        return Err(format!(
            "{} submissions failed (first: {})",
            report.errors,
            report.first_error.as_deref().unwrap_or("?")
        ));
    }
    Ok(())
}

/// Checks the arguments of a run.
fn plan(args: &LoadArgs) -> Result<Plan, String> {
    let groups = args.groups.ok_or("--groups is required")?;
    let members = args.members.ok_or("--members is required")?;
    if args.servers.is_empty() {
        return Err("give at least one --server URL".into());
    }
    for url in &args.servers {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "--server {url}: give the server's address as http://HOST:PORT"
            ));
        }
    }
    if groups == 0 {
        return Err("--groups must be at least 1".into());
    }
    if members == 0 {
        return Err("--members must be at least 1 (the driver)".into());
    }
    if args.concurrency == 0 {
        return Err("--concurrency must be at least 1".into());
    }
    if args.add_batch == 0 {
        return Err("--add-batch must be at least 1".into());
    }
    let (suite, backend) = crate::pick(&args.suite, args.backend.as_deref())?;
    let provider = artmls_providers::find(backend).map_err(|e| e.to_string())?;
    // Seconds since 1970 in base 36: short, and new for every run a second apart.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| format!("the clock is before 1970: {e}"))?;
    let tag = format!("{:x}{:04x}", now.as_secs(), now.subsec_micros() & 0xffff);
    Ok(Plan {
        groups,
        members,
        commits: args.commits,
        messages: args.messages,
        receivers: args.receivers,
        add_batch: args.add_batch,
        message_bytes: args.message_bytes,
        seed: args.seed,
        suite,
        provider,
        tag,
    })
}

async fn run_load(args: &LoadArgs, shared: Arc<Shared>) -> Result<LoadReport, String> {
    let plan = &shared.plan;
    // A server that does not answer is named before any work starts.
    let mut storage = Vec::new();
    let mut at_start = Vec::new();
    for server in &shared.servers {
        let stats = server
            .stats()
            .await
            .map_err(|e| format!("server {} does not answer: {e}", server.base()))?;
        storage.push(stats.storage);
        at_start.push(stats.rss_bytes);
    }
    storage.dedup();
    let storage = storage.join("+");

    eprintln!(
        "artmls load: {} groups of {} members on {} server(s) ({storage}), suite {}, backend {}",
        plan.groups,
        plan.members,
        shared.servers.len(),
        plan.suite,
        plan.provider.name()
    );
    let setup_start = Instant::now();
    let drivers = setup::set_up(&shared, args.concurrency).await?;
    let setup_seconds = setup_start.elapsed().as_secs_f64();
    eprintln!("setup done in {setup_seconds:.1} s; timed phase starts");
    let after_setup = rss_of(&shared).await?;

    let timeout = Duration::from_secs(args.timeout);
    let outcome = drive::run_timed(&shared, drivers, timeout).await?;
    let after_run = rss_of(&shared).await?;

    let servers = shared
        .servers
        .iter()
        .enumerate()
        .map(|(index, server)| ServerFigures {
            url: server.base().to_owned(),
            groups: (index..plan.groups).step_by(shared.servers.len()).count(),
            rss_at_start: at_start[index],
            rss_after_setup: after_setup[index],
            rss_after_run: after_run[index],
        })
        .collect();
    let label = args.label.clone().unwrap_or_else(|| {
        format!(
            "{} x {} members, {storage}, {} server{}",
            plan.groups,
            plan.members,
            shared.servers.len(),
            if shared.servers.len() == 1 { "" } else { "s" }
        )
    });
    Ok(LoadReport::new(
        label,
        plan,
        args.concurrency,
        storage,
        servers,
        setup_seconds,
        &outcome,
    ))
}

/// Each server's resident memory, in bytes.
async fn rss_of(shared: &Shared) -> Result<Vec<u64>, String> {
    let mut rss = Vec::new();
    for server in &shared.servers {
        let stats = server
            .stats()
            .await
            .map_err(|e| format!("stats of {}: {e}", server.base()))?;
        rss.push(stats.rss_bytes);
    }
    Ok(rss)
}
