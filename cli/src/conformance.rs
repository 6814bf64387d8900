//! `artmls conformance`: the shared conformance suite and every vector file found, with a table
//! of results per suite and backend.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use artmls::{CipherSuite, SuiteId, SuiteVisitor};
use artmls_conformance::runner::{RunOptions, Status};
use clap::Args;

/// Options of `artmls conformance`.
#[derive(Args, Debug, Clone)]
pub(crate) struct ConformanceArgs {
    /// Only this suite, by name or id.
    #[arg(long)]
    pub suite: Option<String>,
    /// Only this backend.
    #[arg(long)]
    pub backend: Option<String>,
    /// Folder searched for vector files (default: $ARTMLS_VECTORS, else ../shared/vectors).
    #[arg(long)]
    pub vectors: Option<PathBuf>,
}

/// The shared checks, by name.
const CHECKS: [&str; 7] = [
    "primitives",
    "art tree",
    "tree rejections",
    "lifecycle",
    "concurrency",
    "forward secrecy",
    "pcs",
];

struct SharedChecks;

impl SuiteVisitor for SharedChecks {
    type Output = Vec<(&'static str, Result<(), String>)>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        use artmls_conformance::group_checks as groups;
        use artmls_conformance::tree_checks as tree;
        let runs: [fn(); 7] = [
            artmls_conformance::verify_suite::<S>,
            || tree::verify_art_tree_random::<S>(1, 40, 16),
            || tree::verify_art_tree_rejections::<S>(2),
            || groups::verify_lifecycle::<S>(3),
            || groups::verify_concurrent_commits::<S>(4),
            || groups::verify_forward_secrecy::<S>(5),
            || groups::verify_post_compromise_security::<S>(6),
        ];
        CHECKS
            .iter()
            .zip(runs)
            .map(|(name, run)| {
                (
                    *name,
                    catch_unwind(AssertUnwindSafe(run)).map_err(|panic| panic_text(panic.as_ref())),
                )
            })
            .collect()
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".into())
}

fn vector_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            vector_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "json")
            && artmls_conformance::runner::kind_from_file_name(&path).is_some()
        {
            out.push(path);
        }
    }
}

#[derive(Default)]
struct Row {
    checks_passed: usize,
    checks_failed: Vec<String>,
    vectors_passed: usize,
    vectors_failed: usize,
}

pub(crate) fn run(args: &ConformanceArgs) -> Result<(), String> {
    let suite_filter = args.suite.as_deref().map(crate::parse_suite).transpose()?;
    if let Some(name) = &args.backend {
        artmls_providers::find(name).map_err(|e| e.to_string())?;
    }
    let mut rows: BTreeMap<(u16, &'static str), Row> = BTreeMap::new();
    for provider in artmls_providers::all() {
        let name = provider.name();
        if args.backend.as_deref().is_some_and(|wanted| wanted != name) {
            continue;
        }
        for &suite in provider.suites() {
            if suite_filter.is_some_and(|wanted| wanted != suite) {
                continue;
            }
            eprintln!("shared checks: {suite} on {name}");
            let results = artmls_providers::visit(name, suite, SharedChecks).unwrap_or_default();
            let row = rows.entry((suite.0, name)).or_default();
            for (name, result) in results {
                match result {
                    Ok(()) => row.checks_passed += 1,
                    Err(message) => row.checks_failed.push(format!("{name}: {message}")),
                }
            }
        }
    }

    let dir = args.vectors.clone().unwrap_or_else(|| {
        std::env::var_os("ARTMLS_VECTORS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("../shared/vectors"))
    });
    let mut files = Vec::new();
    vector_files(&dir, &mut files);
    eprintln!("vector files under {}: {}", dir.display(), files.len());
    let options = RunOptions {
        suite: suite_filter
            .and_then(|suite| suite.info())
            .map(|info| info.mls_suite),
        backend: args.backend.clone(),
        ..RunOptions::default()
    };
    let summary = artmls_conformance::run_files(&files, &options);
    let mut unattributed_failures = summary.errors.len();
    for case in &summary.cases {
        let Some(suite) = case.suite.and_then(SuiteId::from_mls_suite) else {
            if case.status == Status::Fail {
                unattributed_failures += 1;
            }
            continue;
        };
        for ((row_suite, backend), row) in rows.iter_mut() {
            if *row_suite != suite.0 {
                continue;
            }
            match case.status {
                Status::Pass if ran_on(&case.reason, backend) => row.vectors_passed += 1,
                Status::Fail if case.reason.contains(&format!("[{backend}]")) => {
                    row.vectors_failed += 1
                }
                _ => {}
            }
        }
    }

    println!(
        "{:<8} {:<8} {:>14} {:>16} {:>15}",
        "suite", "backend", "shared checks", "vector cases ok", "vector failures"
    );
    let mut failed = unattributed_failures;
    for ((suite, backend), row) in &rows {
        let checks = format!(
            "{}/{}",
            row.checks_passed,
            row.checks_passed + row.checks_failed.len()
        );
        println!(
            "{:<8} {:<8} {:>14} {:>16} {:>15}",
            format!("{suite:#06x}"),
            backend,
            checks,
            row.vectors_passed,
            row.vectors_failed
        );
        for failure in &row.checks_failed {
            println!("    FAIL {failure}");
        }
        failed += row.checks_failed.len() + row.vectors_failed;
    }
    for error in &summary.errors {
        println!("    ERROR {error}");
    }
    println!("vectors: {}", summary.totals_line());
    if files.is_empty() {
        return Err(format!("no vector files found under {}", dir.display()));
    }
    if failed > 0 {
        return Err(format!("{failed} failures"));
    }
    Ok(())
}

/// Whether a PASS reason (`<note> on dalek,ring`) names `backend`.
fn ran_on(reason: &str, backend: &str) -> bool {
    reason
        .rsplit_once(" on ")
        .is_some_and(|(_, backends)| backends.split(',').any(|name| name == backend))
}
