//! The tables of `artmls bench` (printed, and in the report) and `artmls bench --report DIR`:
//! one `DIR/index.html` with every chart (SVG and PNG files beside it) and every table, that
//! a person opens in a browser without anything from the network.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::bench::ArtFigures;
use crate::figures::{BenchFigures, SizeFigures};
use crate::plot::{self, CHARTS, show_us};

/// A table: a title, column headings, and rows of cells (the first cell names the row).
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Aligned plain text, for the terminal.
    pub(crate) fn to_text(&self) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (column, cell) in row.iter().enumerate().take(columns) {
                widths[column] = widths[column].max(cell.chars().count());
            }
        }
        let mut text = format!("{}\n", self.title);
        let line = |cells: &[String]| {
            let mut out = String::new();
            for (column, cell) in cells.iter().enumerate() {
                let pad = widths[column].saturating_sub(cell.chars().count());
                if column == 0 {
                    out.push_str(cell);
                    out.push_str(&" ".repeat(pad));
                } else {
                    out.push_str("  ");
                    out.push_str(&" ".repeat(pad));
                    out.push_str(cell);
                }
            }
            out.push('\n');
            out
        };
        text.push_str(&line(&self.header));
        for row in &self.rows {
            text.push_str(&line(row));
        }
        text
    }
}

/// The sizes measured in any pair, increasing.
fn sizes(figures: &BenchFigures) -> Vec<u32> {
    let mut sizes: Vec<u32> = figures
        .pairs
        .iter()
        .flat_map(|pair| pair.sizes.iter().map(|s| s.n))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

fn by_size(figures: &BenchFigures, title: &str, cell: impl Fn(&SizeFigures) -> String) -> Table {
    let sizes = sizes(figures);
    let mut header = vec!["backend suite".to_string()];
    header.extend(sizes.iter().map(|n| format!("n = {n}")));
    let rows = figures
        .pairs
        .iter()
        .map(|pair| {
            let mut row = vec![format!("{} {:#06x}", pair.backend, pair.suite)];
            row.extend(sizes.iter().map(|&n| {
                pair.sizes
                    .iter()
                    .find(|s| s.n == n)
                    .map_or_else(|| "-".to_string(), &cell)
            }));
            row
        })
        .collect();
    Table {
        title: title.to_string(),
        header,
        rows,
    }
}

/// A titled column of the tables: how to read it from a size's figures.
type Column<T> = (&'static str, fn(&SizeFigures) -> T);

/// Every table: primitives, each operation's time by n, the ART tree alone (when measured in
/// this run), and the bytes sent.
pub(crate) fn tables(figures: &BenchFigures, art: &[(String, Vec<ArtFigures>)]) -> Vec<Table> {
    let mut tables = Vec::new();
    let names: Vec<String> = figures
        .pairs
        .first()
        .map(|pair| {
            pair.primitives
                .iter()
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut header = vec!["backend suite".to_string()];
    header.extend(names.iter().cloned());
    tables.push(Table {
        title: "Primitives (median)".into(),
        header,
        rows: figures
            .pairs
            .iter()
            .map(|pair| {
                let mut row = vec![format!("{} {:#06x}", pair.backend, pair.suite)];
                row.extend(names.iter().map(|name| {
                    pair.primitives
                        .iter()
                        .find(|(n, _)| n == name)
                        .map_or_else(|| "-".into(), |(_, us)| show_us(*us))
                }));
                row
            })
            .collect(),
    });
    let times: [Column<f64>; 7] = [
        ("Update: make and merge (sender)", |s| s.update_us),
        ("Receive an update", |s| s.receive_us),
        ("Add one member: make and merge, Welcome included", |s| {
            s.add_us
        }),
        ("Receive an add", |s| s.receive_add_us),
        ("Join from the Welcome", |s| s.join_us),
        ("Encrypt one application message", |s| s.encrypt_us),
        ("Decrypt one application message", |s| s.decrypt_us),
    ];
    for (title, value) in times {
        tables.push(by_size(figures, &format!("{title} (median)"), |s| {
            show_us(value(s))
        }));
    }
    if art.iter().any(|(_, rows)| !rows.is_empty()) {
        let mut sizes: Vec<u32> = art
            .iter()
            .flat_map(|(_, r)| r.iter().map(|a| a.n))
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        let mut header = vec!["backend suite".to_string()];
        header.extend(sizes.iter().map(|n| format!("n = {n}")));
        tables.push(Table {
            title:
                "ART tree alone: update / receive (median; no framing, signature or key schedule)"
                    .into(),
            header,
            rows: art
                .iter()
                .map(|(label, rows)| {
                    let mut row = vec![label.clone()];
                    row.extend(sizes.iter().map(|&n| {
                        rows.iter().find(|a| a.n == n).map_or_else(
                            || "-".into(),
                            |a| format!("{} / {}", show_us(a.update_us), show_us(a.receive_us)),
                        )
                    }));
                    row
                })
                .collect(),
        });
    }
    let bytes: [Column<u64>; 4] = [
        ("Update commit", |s| s.update_bytes),
        ("Add commit (one member)", |s| s.add_bytes),
        ("Welcome for one newcomer", |s| s.welcome_bytes),
        ("Application message", |s| s.message_bytes),
    ];
    for (title, value) in bytes {
        tables.push(by_size(figures, &format!("{title}, bytes"), |s| {
            value(s).to_string()
        }));
    }
    tables
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn html_table(table: &Table) -> String {
    let mut html = format!("<h3>{}</h3>\n<table>\n<tr>", escape(&table.title));
    for heading in &table.header {
        let _ = write!(html, "<th>{}</th>", escape(heading));
    }
    html.push_str("</tr>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for (column, cell) in row.iter().enumerate() {
            let tag = if column == 0 { "th" } else { "td" };
            let _ = write!(html, "<{tag}>{}</{tag}>", escape(cell));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}

/// Writes `dir/index.html` with the charts beside it (`update.svg`, `update.png`, ...), and
/// returns the index's path.
pub(crate) fn write(
    figures: &BenchFigures,
    art: &[(String, Vec<ArtFigures>)],
    dir: &Path,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    for chart in &CHARTS {
        for extension in ["svg", "png"] {
            plot::write_chart(
                figures,
                chart,
                &dir.join(format!("{}.{extension}", chart.slug)),
            )?;
        }
    }
    let sizes = sizes(figures);
    let largest = sizes.last().copied().unwrap_or(0);
    let mut html = String::new();
    html.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>artmls bench report</title>\n<style>\n\
         body { font-family: sans-serif; max-width: 1060px; margin: 2em auto; padding: 0 1em; color: #222; }\n\
         img { max-width: 100%; border: 1px solid #ddd; }\n\
         table { border-collapse: collapse; margin-bottom: 1.5em; font-size: 0.9em; }\n\
         th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n\
         td { text-align: right; font-variant-numeric: tabular-nums; }\n\
         th { background: #f4f4f4; text-align: left; }\n\
         </style>\n</head>\n<body>\n<h1>artmls bench report</h1>\n",
    );
    let _ = writeln!(
        html,
        "<p>A {} run: {} (backend, suite) pairs at n = {}; application messages of {} bytes. \
         Times are medians of a few rounds of plain timing loops on one machine (the criterion \
         benches in <code>benches/</code> are the careful measurement). Measured at {} \
         (seconds since the Unix epoch). Lines that coincide within {:.0}% at every n are drawn \
         once and labelled together (\"p256 0xf002 = ring 0xf002\").</p>",
        if figures.quick { "quick" } else { "full" },
        figures.pairs.len(),
        sizes
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        figures.message_len,
        figures.created_unix,
        plot::COINCIDE * 100.0,
    );
    if !figures.quick && largest < 65536 {
        let _ = writeln!(
            html,
            "<p><strong>This run stopped at n = {largest}</strong>, short of the full run's \
             2<sup>16</sup>.</p>"
        );
    }
    html.push_str("<h2>Charts</h2>\n");
    for chart in &CHARTS {
        let _ = writeln!(
            html,
            "<h3>{}</h3>\n<p><img src=\"{slug}.svg\" alt=\"{}\"></p>\n<p>\
             <a href=\"{slug}.svg\">SVG</a> · <a href=\"{slug}.png\">PNG</a></p>",
            escape(chart.title),
            escape(chart.title),
            slug = chart.slug,
        );
    }
    html.push_str("<h2>Tables</h2>\n");
    for table in tables(figures, art) {
        html.push_str(&html_table(&table));
    }
    html.push_str("</body>\n</html>\n");
    let index = dir.join("index.html");
    std::fs::write(&index, html).map_err(|e| format!("writing {}: {e}", index.display()))?;
    Ok(index)
}
