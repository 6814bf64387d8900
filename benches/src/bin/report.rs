//! Reads the estimates criterion left in `target/criterion` and prints the tables the README
//! quotes: primitives side by side with the ratio to the fastest backend, and the tree
//! operations against n with `update(n) / (log2(n) x (DH + DeriveKeyPair))`.
//!
//! `cargo run -p artmls-benches --bin report [CRITERION_DIR]`

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// (group, function, parameter) → mean time in nanoseconds.
type Estimates = BTreeMap<(String, String, Option<u64>), f64>;

fn collect(dir: &Path, out: &mut Estimates) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name == "new") {
                read_one(&path, out);
            } else {
                collect(&path, out);
            }
        }
    }
}

fn read_json(path: PathBuf) -> Option<Value> {
    serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
}

fn read_one(dir: &Path, out: &mut Estimates) {
    let (Some(benchmark), Some(estimates)) = (
        read_json(dir.join("benchmark.json")),
        read_json(dir.join("estimates.json")),
    ) else {
        return;
    };
    let group = benchmark["group_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let function = benchmark["function_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let parameter = benchmark["value_str"].as_str().and_then(|v| v.parse().ok());
    if let Some(mean) = estimates["mean"]["point_estimate"].as_f64() {
        out.insert((group, function, parameter), mean);
    }
}

fn show(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn primitives_table(estimates: &Estimates) {
    let primitives = [
        "dh",
        "derive_key_pair",
        "public_key_decode",
        "hkdf_extract_expand",
        "aead_seal_1KiB",
        "aead_open_1KiB",
        "sign",
        "verify",
        "hpke_seal_1KiB",
        "hpke_open_1KiB",
    ];
    let mut any = false;
    for primitive in primitives {
        let rows: Vec<(&String, f64)> = estimates
            .iter()
            .filter(|((group, _, parameter), _)| group == primitive && parameter.is_none())
            .map(|((_, function, _), ns)| (function, *ns))
            .collect();
        if rows.is_empty() {
            continue;
        }
        if !any {
            println!("## Primitives (mean; ratio to the fastest backend on the same suite)\n");
            println!("| primitive | backend/suite | time | ratio |");
            println!("|---|---|---|---|");
            any = true;
        }
        for (function, ns) in &rows {
            let suite = function.split('/').nth(1).unwrap_or_default();
            let fastest = rows
                .iter()
                .filter(|(f, _)| f.split('/').nth(1) == Some(suite))
                .map(|(_, ns)| *ns)
                .fold(f64::INFINITY, f64::min);
            println!(
                "| {primitive} | {function} | {} | {:.2} |",
                show(*ns),
                ns / fastest
            );
        }
    }
    if any {
        println!();
    }
}

fn tree_table(estimates: &Estimates) {
    let ops = [
        "tree_update_sender",
        "tree_update_receiver",
        "tree_add_one",
        "tree_remove_one",
        "tree_build",
    ];
    let mut labels: Vec<String> = estimates
        .keys()
        .filter(|(group, _, parameter)| group == "tree_update_sender" && parameter.is_some())
        .map(|(_, function, _)| function.clone())
        .collect();
    labels.dedup();
    for label in labels {
        let base = |group: &str| {
            estimates
                .get(&(group.to_string(), label.clone(), None))
                .copied()
        };
        let (Some(dh), Some(dkp)) = (base("tree_dh"), base("tree_derive_key_pair")) else {
            continue;
        };
        println!(
            "## Tree operations, {label} (DH {}, DeriveKeyPair {})\n",
            show(dh),
            show(dkp)
        );
        println!(
            "| n | update (sender) | update (receiver) | add one | remove one | build n | update / (log2 n x (DH + DKP)) |"
        );
        println!("|---|---|---|---|---|---|---|");
        let mut sizes: Vec<u64> = estimates
            .keys()
            .filter(|(group, function, _)| group == "tree_update_sender" && *function == label)
            .filter_map(|(_, _, parameter)| *parameter)
            .collect();
        sizes.sort_unstable();
        for n in sizes {
            let cell = |group: &str| {
                estimates
                    .get(&(group.to_string(), label.clone(), Some(n)))
                    .copied()
            };
            let cells: Vec<String> = ops
                .iter()
                .map(|op| cell(op).map_or("-".into(), show))
                .collect();
            let ratio = cell("tree_update_sender").map_or("-".into(), |update| {
                format!("{:.2}", update / ((n as f64).log2() * (dh + dkp)))
            });
            println!("| {n} | {} | {ratio} |", cells.join(" | "));
        }
        println!();
    }
}

fn group_table(estimates: &Estimates) {
    let ops = [
        ("group_update_commit", "update commit"),
        ("group_update_process", "process update"),
        ("group_add_one", "add one"),
        ("group_remove_one", "remove one"),
        ("group_create", "create n"),
        ("group_join", "join"),
        ("group_message_1KiB", "1 KiB message"),
    ];
    let mut labels: Vec<String> = estimates
        .keys()
        .filter(|(group, _, parameter)| group == "group_update_commit" && parameter.is_some())
        .map(|(_, function, _)| function.clone())
        .collect();
    labels.dedup();
    if labels.is_empty() {
        return;
    }
    let mut sizes: Vec<u64> = estimates
        .keys()
        .filter(|(group, _, _)| group == "group_update_commit")
        .filter_map(|(_, _, parameter)| *parameter)
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    for n in sizes {
        println!("## Group operations at n = {n}\n");
        let header: Vec<&str> = ops.iter().map(|(_, title)| *title).collect();
        println!("| backend/suite | {} |", header.join(" | "));
        println!("|---|{}", "---|".repeat(ops.len()));
        for label in &labels {
            let cells: Vec<String> = ops
                .iter()
                .map(|(group, _)| {
                    estimates
                        .get(&(group.to_string(), label.clone(), Some(n)))
                        .map_or("-".into(), |ns| show(*ns))
                })
                .collect();
            println!("| {label} | {} |", cells.join(" | "));
        }
        println!();
    }
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
            PathBuf::from(target).join("criterion")
        });
    let mut estimates = Estimates::new();
    collect(&dir, &mut estimates);
    if estimates.is_empty() {
        eprintln!(
            "no criterion estimates under {}; run `cargo bench -p artmls-benches` first",
            dir.display()
        );
        std::process::exit(1);
    }
    primitives_table(&estimates);
    tree_table(&estimates);
    group_table(&estimates);
}
