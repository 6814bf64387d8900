//! The report of a run: a table on stdout, and the same figures as JSON (`--json`), which
//! `--plot` reads back.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Plan;
use super::drive::{Delivery, Outcome};

/// Bumped when a field changes meaning.
pub(crate) const REPORT_VERSION: u32 = 1;

/// Everything one run measured, with the parameters that reproduce it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LoadReport {
    pub version: u32,
    /// The configuration's name, for tables and plots.
    pub label: String,
    pub groups: usize,
    pub members: usize,
    pub commits_per_group: usize,
    pub messages_per_group: usize,
    pub receivers_per_group: usize,
    pub concurrency: usize,
    pub message_bytes: usize,
    pub suite: String,
    pub backend: String,
    /// The servers' storage (`sqlite`, `postgres`), from their stats.
    pub storage: String,
    pub servers: Vec<ServerFigures>,
    /// Seconds to create the groups and add their members (not timed otherwise).
    pub setup_seconds: f64,
    /// Seconds of the timed phase: from the first submission to the last arrival.
    pub run_seconds: f64,
    pub commits: KindFigures,
    pub messages: KindFigures,
    /// Failed submissions (each stops its group); 0 in a good run.
    pub errors: usize,
    pub first_error: Option<String>,
}

/// One server's part and memory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ServerFigures {
    pub url: String,
    /// Groups created on it.
    pub groups: usize,
    /// Its resident memory (`rss_bytes` of `/v1/stats`) before the run.
    pub rss_at_start: u64,
    /// The same once every group was set up.
    pub rss_after_setup: u64,
    /// The same after the timed phase.
    pub rss_after_run: u64,
}

/// The figures of commits, or of application messages.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct KindFigures {
    /// Asked for: groups times commits (or messages) per group.
    pub submitted: usize,
    /// Accepted by the server.
    pub accepted: usize,
    /// Arrived at every receiver of their group (0 without receivers).
    pub delivered: usize,
    /// Accepted per second of the timed phase.
    pub per_second: f64,
    /// Submit to the first receiver's arrival, in milliseconds.
    pub latency_first_ms: Option<Latency>,
    /// Submit to the last receiver's arrival, in milliseconds.
    pub latency_all_ms: Option<Latency>,
}

/// Percentiles of a latency, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    /// The nearest-rank percentiles of `times`; `None` when there are none.
    fn of(mut times: Vec<Duration>) -> Option<Latency> {
        if times.is_empty() {
            return None;
        }
        times.sort();
        let rank = |q: f64| {
            let index = ((q * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1;
            times[index].as_secs_f64() * 1e3
        };
        Some(Latency {
            p50: rank(0.50),
            p99: rank(0.99),
            max: rank(1.0),
        })
    }
}

impl KindFigures {
    fn of(submitted: usize, accepted: usize, deliveries: &[&Delivery], seconds: f64) -> Self {
        KindFigures {
            submitted,
            accepted,
            delivered: deliveries.len(),
            per_second: if seconds > 0.0 {
                accepted as f64 / seconds
            } else {
                0.0
            },
            latency_first_ms: Latency::of(deliveries.iter().map(|d| d.first).collect()),
            latency_all_ms: Latency::of(deliveries.iter().map(|d| d.all).collect()),
        }
    }
}

impl LoadReport {
    pub(crate) fn new(
        label: String,
        plan: &Plan,
        concurrency: usize,
        storage: String,
        servers: Vec<ServerFigures>,
        setup_seconds: f64,
        outcome: &Outcome,
    ) -> Self {
        let (commits, messages): (Vec<&Delivery>, Vec<&Delivery>) =
            outcome.deliveries.iter().partition(|d| d.commit);
        LoadReport {
            version: REPORT_VERSION,
            label,
            groups: plan.groups,
            members: plan.members,
            commits_per_group: plan.commits,
            messages_per_group: plan.messages,
            receivers_per_group: plan.receivers,
            concurrency,
            message_bytes: plan.message_bytes,
            suite: format!("{:#06x}", plan.suite.0),
            backend: plan.provider.name().to_owned(),
            storage,
            servers,
            setup_seconds,
            run_seconds: outcome.seconds,
            commits: KindFigures::of(
                plan.groups * plan.commits,
                outcome.commits_accepted,
                &commits,
                outcome.seconds,
            ),
            messages: KindFigures::of(
                plan.groups * plan.messages,
                outcome.messages_accepted,
                &messages,
                outcome.seconds,
            ),
            errors: outcome.errors.len(),
            first_error: outcome.errors.first().cloned(),
        }
    }

    pub(crate) fn save(&self, file: &Path) -> Result<(), String> {
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::write(file, json + "\n").map_err(|e| format!("{}: {e}", file.display()))
    }

    pub(crate) fn load(file: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let report: LoadReport = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a load report: {e}", file.display()))?;
        if report.version != REPORT_VERSION {
            return Err(format!(
                "{}: report version {}, this artmls reads version {REPORT_VERSION}",
                file.display(),
                report.version
            ));
        }
        Ok(report)
    }

    /// The table on stdout.
    pub(crate) fn print(&self) {
        println!("{}", self.label);
        println!(
            "  {} groups x {} members, {} server(s), storage {}, suite {} ({})",
            self.groups,
            self.members,
            self.servers.len(),
            self.storage,
            self.suite,
            self.backend
        );
        println!(
            "  per group: {} commits, {} messages of {} bytes, {} receivers; {} requests in flight at most",
            self.commits_per_group,
            self.messages_per_group,
            self.message_bytes,
            self.receivers_per_group,
            self.concurrency
        );
        println!(
            "  setup {:.1} s, timed phase {:.2} s, errors {}",
            self.setup_seconds, self.run_seconds, self.errors
        );
        println!();
        println!(
            "  {:<9} {:>9} {:>9} {:>9} {:>10}   {:>25}   {:>25}",
            "",
            "submitted",
            "accepted",
            "delivered",
            "per second",
            "first receiver p50/p99/max",
            "all receivers p50/p99/max"
        );
        for (name, kind) in [("commits", &self.commits), ("messages", &self.messages)] {
            println!(
                "  {name:<9} {:>9} {:>9} {:>9} {:>10.1}   {:>25}   {:>25}",
                kind.submitted,
                kind.accepted,
                kind.delivered,
                kind.per_second,
                show_latency(kind.latency_first_ms),
                show_latency(kind.latency_all_ms)
            );
        }
        println!();
        for server in &self.servers {
            println!(
                "  {} ({} groups): rss {} at the start, {} after setup, {} after the run",
                server.url,
                server.groups,
                show_bytes(server.rss_at_start),
                show_bytes(server.rss_after_setup),
                show_bytes(server.rss_after_run)
            );
        }
    }
}

fn show_latency(latency: Option<Latency>) -> String {
    match latency {
        Some(l) => format!("{:.1}/{:.1}/{:.1} ms", l.p50, l.p99, l.max),
        None => "-".into(),
    }
}

/// Bytes in MiB, as the memory figures are read.
pub(crate) fn show_bytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let times: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let latency = Latency::of(times).expect("some times");
        assert_eq!((latency.p50, latency.p99, latency.max), (50.0, 99.0, 100.0));
        let one = Latency::of(vec![Duration::from_millis(7)]).expect("one time");
        assert_eq!((one.p50, one.p99, one.max), (7.0, 7.0, 7.0));
        assert!(Latency::of(Vec::new()).is_none());
    }
}
