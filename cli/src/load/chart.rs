//! `artmls load --plot FILE REPORT...`: the saved reports of several configurations in one
//! picture of three panels, one bar group per configuration: throughput, latency to every
//! receiver, and the servers' memory. In the style of the bench charts (`crate::plot`): the
//! same font, palette and size, and every bar labelled with its value, so the picture reads
//! without a ruler.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::report::LoadReport;

const WIDTH: u32 = 1000;
/// A panel's height: its title and legend, its axis, and this many pixels per bar, so that
/// each bar's value label has a line of its own however many configurations there are.
const PANEL_TOP: u32 = 58;
const PANEL_AXIS: u32 = 40;
const BAR_HEIGHT: u32 = 17;
/// Room left of each panel for the configurations' names.
const NAMES_WIDTH: u32 = 290;
const FONT: &str = "sans-serif";

/// The first colours of the bench charts' palette (Okabe and Ito: apart for readers with the
/// common colour-vision deficiencies).
const COLOURS: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];

/// One panel: bars of a few series for each configuration.
struct Panel {
    title: &'static str,
    unit: &'static str,
    series: Vec<&'static str>,
    /// Per configuration: its name and one value per series (`None`: not measured, no bar).
    rows: Vec<(String, Vec<Option<f64>>)>,
}

/// Reads the reports and draws them into `file` (PNG when it ends in .png, else SVG).
pub(crate) fn plot_reports(reports: &[PathBuf], file: &Path) -> Result<(), String> {
    let reports = reports
        .iter()
        .map(|path| LoadReport::load(path))
        .collect::<Result<Vec<_>, _>>()?;
    let panels = panels(&reports);
    if panels.is_empty() {
        return Err("the reports hold nothing to draw".into());
    }
    register_font(FONT, FontStyle::Normal, epaint_default_fonts::HACK_REGULAR)
        .map_err(|_| "the chart font is not a valid TTF".to_string())?;
    let size = (WIDTH, panels.iter().map(Panel::height).sum());
    let png = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let result = if png {
        draw(BitMapBackend::new(file, size).into_drawing_area(), &panels)
    } else {
        draw(SVGBackend::new(file, size).into_drawing_area(), &panels)
    };
    result.map_err(|e| format!("{}: {e}", file.display()))?;
    println!("chart written to {}", file.display());
    Ok(())
}

/// The panels the reports have figures for: throughput and latency of the configurations with
/// a timed phase, memory of all.
fn panels(reports: &[LoadReport]) -> Vec<Panel> {
    let timed: Vec<&LoadReport> = reports
        .iter()
        .filter(|r| r.commits.accepted + r.messages.accepted > 0)
        .collect();
    let mut panels = Vec::new();
    if !timed.is_empty() {
        panels.push(Panel {
            title: "Throughput over the timed phase",
            unit: "/s",
            series: vec!["commits per second", "messages per second"],
            rows: timed
                .iter()
                .map(|r| {
                    (
                        r.label.clone(),
                        vec![Some(r.commits.per_second), Some(r.messages.per_second)],
                    )
                })
                .collect(),
        });
        panels.push(Panel {
            title: "Latency from submit to arrival at every receiver",
            unit: " ms",
            series: vec!["commit p50", "commit p99", "message p50", "message p99"],
            rows: timed
                .iter()
                .map(|r| {
                    let (c, m) = (r.commits.latency_all_ms, r.messages.latency_all_ms);
                    (
                        r.label.clone(),
                        vec![
                            c.map(|l| l.p50),
                            c.map(|l| l.p99),
                            m.map(|l| l.p50),
                            m.map(|l| l.p99),
                        ],
                    )
                })
                .collect(),
        });
    }
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    panels.push(Panel {
        title: "Server memory (RSS), all servers of a configuration together",
        unit: " MiB",
        series: vec!["at the start", "after setup", "after the timed phase"],
        rows: reports
            .iter()
            .map(|r| {
                let start: u64 = r.servers.iter().map(|s| s.rss_at_start).sum();
                let setup: u64 = r.servers.iter().map(|s| s.rss_after_setup).sum();
                let run: u64 = r.servers.iter().map(|s| s.rss_after_run).sum();
                let values = [start, setup, run].map(|bytes| Some(mib(bytes)));
                (r.label.clone(), values.to_vec())
            })
            .collect(),
    });
    panels
}

impl Panel {
    /// Its height in pixels; a configuration's bars are followed by the gap of one bar.
    fn height(&self) -> u32 {
        let bars = self.rows.len() * (self.series.len() + 1);
        PANEL_TOP + PANEL_AXIS + BAR_HEIGHT * bars as u32
    }
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, panels: &[Panel]) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing the chart: {e}");
    root.fill(&WHITE).map_err(error)?;
    let mut rest = root.clone();
    for panel in panels {
        let (area, below) = rest.split_vertically(panel.height());
        draw_panel(&area, panel).map_err(error)?;
        rest = below;
    }
    root.present().map_err(error)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let text = |size: u32| TextStyle::from((FONT, size).into_font()).color(&BLACK);
    area.draw(&Text::new(panel.title, (12, 8), text(17)))?;
    // The legend, one row under the title: a swatch and the series' name each.
    let mut x = 12;
    for (index, name) in panel.series.iter().enumerate() {
        area.draw(&Rectangle::new(
            [(x, 36), (x + 14, 48)],
            COLOURS[index % COLOURS.len()].filled(),
        ))?;
        area.draw(&Text::new(*name, (x + 20, 35), text(13)))?;
        x += 20 + 9 * name.chars().count() as i32 + 24;
    }

    let rows = panel.rows.len();
    let max = panel
        .rows
        .iter()
        .flat_map(|(_, values)| values.iter().flatten())
        .fold(0f64, |max, &v| max.max(v));
    // Room right of the longest bar for its value.
    let x_max = if max > 0.0 { max * 1.22 } else { 1.0 };
    let plot = area.margin(PANEL_TOP, 6, NAMES_WIDTH, 16);
    let mut chart = ChartBuilder::on(&plot)
        .x_label_area_size(PANEL_AXIS - 16)
        .build_cartesian_2d(0f64..x_max, 0f64..rows as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(8)
        .x_label_formatter(&|v| format!("{}{}", tick(*v), panel.unit))
        .label_style((FONT, 12))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;

    let series = panel.series.len() as f64;
    // Each configuration's band is one unit high: its bars, then a gap of one bar.
    let bar = 1.0 / (series + 1.0);
    for (row, (name, values)) in panel.rows.iter().enumerate() {
        // The first configuration at the top.
        let top = (rows - row) as f64 - bar / 2.0;
        for (index, value) in values.iter().enumerate() {
            let Some(value) = *value else { continue };
            let (y0, y1) = (top - bar * (index as f64 + 1.0), top - bar * index as f64);
            let colour = COLOURS[index % COLOURS.len()];
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y0 + bar * 0.08), (value, y1 - bar * 0.08)],
                colour.filled(),
            )))?;
            chart.draw_series(std::iter::once(
                EmptyElement::at((value, (y0 + y1) / 2.0))
                    + Text::new(
                        format!("{}{}", short(value), panel.unit),
                        (4, 0),
                        text(12).pos(Pos::new(HPos::Left, VPos::Center)),
                    ),
            ))?;
        }
        // The configuration's name, left of its bars, in the panel's own pixels.
        let (_, y) = chart.backend_coord(&(0.0, (rows - row) as f64 - 0.5));
        let (_, panel_top) = area.get_base_pixel();
        area.draw(&Text::new(
            name.clone(),
            (10, y - panel_top),
            text(13).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
    }
    Ok(())
}

/// A value with as many digits as a reader needs: 1234, 56.7, 0.89.
fn short(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// An axis tick: [`short`] without trailing zeros (0, 2.5, 10).
fn tick(v: f64) -> String {
    let text = short(v);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::report::{KindFigures, Latency, REPORT_VERSION, ServerFigures};

    #[test]
    fn values_have_the_digits_a_reader_needs() {
        assert_eq!(short(1234.4), "1234");
        assert_eq!(short(56.74), "56.7");
        assert_eq!(short(0.891), "0.89");
        assert_eq!(
            (tick(0.0), tick(2.5), tick(10.0), tick(500.0)),
            ("0".into(), "2.5".into(), "10".into(), "500".into())
        );
    }

    fn kind(accepted: usize, per_second: f64, p50: f64) -> KindFigures {
        let latency = Latency {
            p50,
            p99: p50 * 4.0,
            max: p50 * 9.0,
        };
        KindFigures {
            submitted: accepted,
            accepted,
            delivered: accepted,
            per_second,
            latency_first_ms: Some(latency),
            latency_all_ms: Some(latency),
        }
    }

    fn report(label: &str, servers: usize, commits: usize, rss_mib: u64) -> LoadReport {
        LoadReport {
            version: REPORT_VERSION,
            label: label.into(),
            groups: 100,
            members: 100,
            commits_per_group: commits,
            messages_per_group: commits * 10,
            receivers_per_group: 2,
            concurrency: 64,
            message_bytes: 100,
            suite: "0xf001".into(),
            backend: "dalek".into(),
            storage: "sqlite".into(),
            servers: (0..servers)
                .map(|index| ServerFigures {
                    url: format!("http://127.0.0.1:{}", 7000 + index),
                    groups: 100 / servers,
                    rss_at_start: 8 << 20,
                    rss_after_setup: rss_mib << 20,
                    rss_after_run: (rss_mib + 5) << 20,
                })
                .collect(),
            setup_seconds: 10.0,
            run_seconds: 5.0,
            commits: kind(commits * 100, commits as f64 * 20.0, 3.5),
            messages: kind(commits * 1000, commits as f64 * 200.0, 1.2),
            errors: 0,
            first_error: None,
        }
    }

    #[test]
    fn reports_are_drawn_as_svg_and_png() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let reports = [
            report("100 x 100, sqlite, 1 server", 1, 10, 60),
            report("100 x 100, postgres, 2 servers", 2, 10, 45),
            report("1000 x 100, sqlite, 1 server", 1, 0, 400),
        ];
        let mut paths = Vec::new();
        for (index, report) in reports.iter().enumerate() {
            let path = dir.path().join(format!("load-{index}.json"));
            report.save(&path).expect("saved");
            paths.push(path);
        }
        // The configuration without a timed phase is in the memory panel only.
        let panels = panels(&reports);
        assert_eq!(panels.len(), 3);
        assert_eq!(panels[0].rows.len(), 2);
        assert_eq!(panels[2].rows.len(), 3);
        for name in ["load.svg", "load.png"] {
            let file = dir.path().join(name);
            plot_reports(&paths, &file).expect("drawn");
            assert!(std::fs::metadata(&file).expect("written").len() > 1000);
        }
    }
}
