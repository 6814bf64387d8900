//! `artmls bench`: primitive and protocol costs of every backend side by side, and a plot of
//! the update and receive cost against group size.
//!
//! This is a quick look with plain timing loops (the median of several rounds); the criterion
//! benches in `benches/` are the careful measurement.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use artmls::internals::art_tree::ArtMember;
use artmls::{CipherSuite, DhGroup, Hpke, SignatureScheme, SuiteId, SuiteVisitor};
use clap::Args;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Options of `artmls bench`.
#[derive(Args, Debug, Clone)]
pub(crate) struct BenchArgs {
    /// Fewer rounds and smaller groups (seconds instead of a minute).
    #[arg(long)]
    pub quick: bool,
    /// Write an SVG plot of the update and receive cost against group size.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

/// One (backend, suite)'s numbers.
struct Measured {
    label: String,
    primitives: Vec<(&'static str, Duration)>,
    /// (n, sender update, receiver)
    tree: Vec<(u32, Duration, Duration)>,
}

/// The median time of `rounds` runs of `f`.
fn median(rounds: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

struct Measure {
    rounds: usize,
    sizes: Vec<u32>,
    label: String,
}

impl SuiteVisitor for Measure {
    type Output = Result<Measured, String>;

    fn visit<S: CipherSuite>(self) -> Self::Output {
        let mut rng = StdRng::seed_from_u64(3);
        let (sk, _) = S::Dh::generate_key_pair(&mut rng);
        let (_, pk) = S::Dh::generate_key_pair(&mut rng);
        let signing_key = S::Signature::generate_signing_key(&mut rng);
        let verifying_key = S::Signature::verifying_key(&signing_key);
        let message = [7u8; 256];
        let signature = S::Signature::sign(&signing_key, &message).map_err(|e| e.to_string())?;
        let recipient = pk.as_ref().to_vec();
        let n = self.rounds;
        let primitives = vec![
            ("DH", median(n, || drop(S::Dh::dh(&sk, &pk)))),
            (
                "DeriveKeyPair",
                median(n, || drop(S::Dh::derive_key_pair::<S::Kdf>(&message[..32]))),
            ),
            (
                "sign",
                median(n, || drop(S::Signature::sign(&signing_key, &message))),
            ),
            (
                "verify",
                median(n, || {
                    drop(S::Signature::verify(&verifying_key, &message, &signature))
                }),
            ),
            (
                "HPKE seal",
                median(n, || {
                    drop(S::Hpke::seal_base(&recipient, b"", b"", &message, &mut rng))
                }),
            ),
        ];
        let mut tree = Vec::new();
        for &size in &self.sizes {
            let mut creator = ArtMember::<S>::create(&mut rng).map_err(|e| e.to_string())?;
            let pending = creator
                .prepare_add(size as usize - 1, &mut rng)
                .map_err(|e| e.to_string())?;
            let newcomers = pending.newcomers().to_vec();
            creator.merge(pending).map_err(|e| e.to_string())?;
            let (leaf, secret) = &newcomers[newcomers.len() - 1];
            let sender = ArtMember::join(creator.tree().clone(), *leaf, secret)
                .map_err(|e| e.to_string())?;
            let update = median(n, || drop(sender.prepare_update(&mut rng)));
            let change = sender
                .prepare_update(&mut rng)
                .map_err(|e| e.to_string())?
                .change()
                .clone();
            let receive = median(n, || drop(creator.stage(&change, *leaf)));
            tree.push((size, update, receive));
        }
        Ok(Measured {
            label: self.label,
            primitives,
            tree,
        })
    }
}

fn show(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

pub(crate) fn run(args: &BenchArgs) -> Result<(), String> {
    let (rounds, sizes) = if args.quick {
        (15, vec![16, 128, 1024])
    } else {
        (101, vec![16, 128, 1024, 8192, 65536])
    };
    let mut results = Vec::new();
    for provider in artmls_providers::all() {
        for &suite in provider.suites() {
            if suite == SuiteId::X25519_CHACHA20POLY1305_SHA256_ED25519 {
                continue;
            }
            let label = format!("{} {:#06x}", provider.name(), suite.0);
            eprintln!("measuring {label}");
            let measure = Measure {
                rounds,
                sizes: sizes.clone(),
                label,
            };
            results.push(
                artmls_providers::visit(provider.name(), suite, measure)
                    .ok_or("backend lost its suite")??,
            );
        }
    }
    let names: Vec<&str> = results[0]
        .primitives
        .iter()
        .map(|(name, _)| *name)
        .collect();
    print!("{:<15}", "backend suite");
    for name in &names {
        print!(" {name:>14}");
    }
    println!();
    for result in &results {
        print!("{:<15}", result.label);
        for (_, time) in &result.primitives {
            print!(" {:>14}", show(*time));
        }
        println!();
    }
    println!();
    print!("{:<15}", "update / recv");
    for &n in &sizes {
        print!(" {:>22}", format!("n = {n}"));
    }
    println!();
    for result in &results {
        print!("{:<15}", result.label);
        for (_, update, receive) in &result.tree {
            print!(" {:>22}", format!("{} / {}", show(*update), show(*receive)));
        }
        println!();
    }
    if let Some(path) = &args.plot {
        std::fs::write(path, plot(&results))
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
        println!("\nplot written to {}", path.display());
    }
    Ok(())
}

/// An SVG line chart: update (solid) and receive (dashed) time against log2(n), one colour per
/// backend and suite.
fn plot(results: &[Measured]) -> String {
    const COLOURS: [&str; 8] = [
        "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    ];
    let (width, height, margin) = (720.0, 420.0, 60.0);
    let points: Vec<(f64, f64)> = results
        .iter()
        .flat_map(|r| {
            r.tree
                .iter()
                .map(|(n, update, _)| (f64::from(*n).log2(), update.as_secs_f64() * 1e6))
        })
        .collect();
    let max_x = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let min_x = points.iter().map(|p| p.0).fold(max_x, f64::min);
    let max_y = points.iter().map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let x = |v: f64| margin + (v - min_x) / (max_x - min_x).max(1.0) * (width - 2.0 * margin);
    let y = |v: f64| height - margin - v / max_y * (height - 2.0 * margin);
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{margin}" y="24" font-size="14">ART update (solid) and receive (dashed) time against group size</text>"#
    );
    let _ = writeln!(
        svg,
        r#"<line x1="{margin}" y1="{}" x2="{}" y2="{}" stroke="black"/>"#,
        height - margin,
        width - margin,
        height - margin
    );
    let _ = writeln!(
        svg,
        r#"<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{}" stroke="black"/>"#,
        height - margin
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}">log2(n)</text>"#,
        width / 2.0,
        height - 20.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="8" y="{}">{:.0} µs</text>"#,
        y(max_y / 1.1) + 4.0,
        max_y / 1.1
    );
    let _ = writeln!(svg, r#"<text x="8" y="{}">0</text>"#, height - margin);
    for (index, result) in results.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        for (dash, pick) in [("", 0usize), (r#" stroke-dasharray="5,4""#, 1)] {
            let line: Vec<String> = result
                .tree
                .iter()
                .map(|(n, update, receive)| {
                    let time = if pick == 0 { update } else { receive };
                    format!(
                        "{:.1},{:.1}",
                        x(f64::from(*n).log2()),
                        y(time.as_secs_f64() * 1e6)
                    )
                })
                .collect();
            let _ = writeln!(
                svg,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{}"/>"#,
                line.join(" ")
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" fill="{colour}">{}</text>"#,
            width - margin - 110.0,
            margin + 16.0 * index as f64,
            result.label
        );
    }
    svg.push_str("</svg>\n");
    svg
}
