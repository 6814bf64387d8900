//! Charts of `artmls bench`: one per group operation, its cost against group size, one line
//! per (backend, suite), as SVG or PNG.
//!
//! Lines that coincide (two backends running the same code, such as ring and p256 on suite
//! 0xF002, which share the p256 crate's DH) are drawn once and labelled together, so that no
//! line hides another without saying so.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::figures::{BenchFigures, SizeFigures};

/// One chart: which operation, and how to read its time from a size's figures.
#[derive(Clone, Copy)]
pub(crate) struct Chart {
    /// The file name's part: `update` gives `update.svg`.
    pub slug: &'static str,
    pub title: &'static str,
    pub value: fn(&SizeFigures) -> f64,
}

/// Every chart, in the order of the report.
pub(crate) const CHARTS: [Chart; 6] = [
    Chart {
        slug: "update",
        title: "Update: make and merge an update commit (the sender)",
        value: |s| s.update_us,
    },
    Chart {
        slug: "receive",
        title: "Receive: process another member's update commit",
        value: |s| s.receive_us,
    },
    Chart {
        slug: "add",
        title: "Add one member: make and merge the commit, Welcome included",
        value: |s| s.add_us,
    },
    Chart {
        slug: "receive-add",
        title: "Receive an add: process another member's add commit",
        value: |s| s.receive_add_us,
    },
    Chart {
        slug: "join",
        title: "Join from a Welcome (every member's LeafNode signature checked)",
        value: |s| s.join_us,
    },
    Chart {
        slug: "message",
        title: "Application message: encrypt plus decrypt",
        value: |s| s.encrypt_us + s.decrypt_us,
    },
];

/// Two series coincide when they were measured at the same sizes and differ by at most this
/// fraction of the larger at every size: closer than the noise of a median of a few rounds.
pub(crate) const COINCIDE: f64 = 0.05;

/// A line to draw: the points of the first pair of its group, and every pair's label.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub labels: Vec<String>,
    pub points: Vec<(u32, f64)>,
}

impl Line {
    /// "p256 0xF002 = ring 0xF002" (the legend shows the same on rows of their own).
    #[cfg(test)]
    pub(crate) fn label(&self) -> String {
        self.labels.join(" = ")
    }
}

fn coincide(a: &[(u32, f64)], b: &[(u32, f64)]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(&(na, ta), &(nb, tb))| {
            na == nb && (ta - tb).abs() <= COINCIDE * ta.abs().max(tb.abs())
        })
}

/// The lines of one chart, coinciding series merged into the first of them.
pub(crate) fn lines(figures: &BenchFigures, chart: &Chart) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    for pair in &figures.pairs {
        let label = format!("{} {:#06x}", pair.backend, pair.suite);
        let points: Vec<(u32, f64)> = pair
            .sizes
            .iter()
            .map(|size| (size.n, (chart.value)(size)))
            .filter(|(_, t)| t.is_finite() && *t > 0.0)
            .collect();
        if points.is_empty() {
            continue;
        }
        match lines
            .iter_mut()
            .find(|line| coincide(&line.points, &points))
        {
            Some(line) => line.labels.push(label),
            None => lines.push(Line {
                labels: vec![label],
                points,
            }),
        }
    }
    lines
}

/// Colours that stay apart for readers with the common colour-vision deficiencies (Okabe
/// and Ito), then a few more.
const COLOURS: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(140, 86, 75),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
];

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 560;
/// The plot's share of the width; the legend has the rest, so it never covers a line.
const PLOT_WIDTH: u32 = 740;
const FONT: &str = "sans-serif";

/// PNG text is laid out with a font shipped inside a crate (no system font lookup); it is
/// registered once per process.
fn register() -> Result<(), String> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FONT, FontStyle::Normal, epaint_default_fonts::HACK_REGULAR)
                .map_err(|_| "the chart font is not a valid TTF".to_string())
        })
        .clone()
}

/// A time in microseconds, as a person reads it on an axis.
pub(crate) fn show_us(us: f64) -> String {
    if us >= 1e6 {
        format!("{} s", trim(us / 1e6))
    } else if us >= 1e3 {
        format!("{} ms", trim(us / 1e3))
    } else {
        format!("{} µs", trim(us))
    }
}

fn trim(v: f64) -> String {
    let text = if v >= 10.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    text.strip_suffix(".0").map(str::to_owned).unwrap_or(text)
}

fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    chart: &Chart,
    lines: &[Line],
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let error = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing a chart: {e}");
    root.fill(&WHITE).map_err(error)?;
    let (plot_area, legend_area) = root.split_horizontally(PLOT_WIDTH);

    let all = lines.iter().flat_map(|line| line.points.iter());
    let (mut n_min, mut n_max, mut t_min, mut t_max) = (u32::MAX, 0u32, f64::MAX, 0f64);
    for &(n, t) in all {
        n_min = n_min.min(n);
        n_max = n_max.max(n);
        t_min = t_min.min(t);
        t_max = t_max.max(t);
    }
    if n_max == 0 {
        return Err("nothing measured to draw".into());
    }
    // The x axis is log2(n), labelled with n itself at every size measured.
    let (x_min, x_max) = (f64::from(n_min).log2(), f64::from(n_max).log2());
    let pad = ((x_max - x_min) * 0.04).max(0.2);

    let mut context = ChartBuilder::on(&plot_area)
        .caption(chart.title, (FONT, 19))
        .margin(12)
        .x_label_area_size(48)
        .y_label_area_size(78)
        .build_cartesian_2d(
            (x_min - pad)..(x_max + pad),
            // Whole decades: plotters labels a log axis from its first power of ten up.
            (10f64.powf(t_min.log10().floor())..10f64.powf(t_max.log10().ceil())).log_scale(),
        )
        .map_err(error)?;
    context
        .configure_mesh()
        .x_desc("n (members in the group)")
        .y_desc("time (median)")
        // A tick at every whole power of two, labelled with n itself.
        .x_labels((x_max - x_min) as usize + 2)
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-6 {
                format!("{}", 2f64.powf(x.round()))
            } else {
                String::new()
            }
        })
        // Enough labels that plotters labels 2, 3, ... 9 within each decade, not only the
        // powers of ten, when the data spans few decades.
        .y_labels(30)
        .y_label_formatter(&|y| show_us(*y))
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(error)?;
    for (index, line) in lines.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let points: Vec<(f64, f64)> = line
            .points
            .iter()
            .map(|&(n, t)| (f64::from(n).log2(), t))
            .collect();
        context
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(error)?;
        context
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(error)?;
    }

    // The legend, beside the plot: a sample of each line and its labels, one per row (a
    // merged line's labels on rows of their own, so long names never run off the image).
    let text = TextStyle::from((FONT, 14).into_font()).color(&BLACK);
    legend_area
        .draw(&Text::new(
            "backend suite",
            (10, 40),
            TextStyle::from((FONT, 15).into_font()).color(&BLACK),
        ))
        .map_err(error)?;
    let mut y = 70;
    for (index, line) in lines.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        legend_area
            .draw(&PathElement::new(
                vec![(10, y + 8), (40, y + 8)],
                colour.stroke_width(3),
            ))
            .map_err(error)?;
        for (row, label) in line.labels.iter().enumerate() {
            let shown = if row == 0 {
                label.clone()
            } else {
                format!("= {label}")
            };
            legend_area
                .draw(&Text::new(shown, (48, y), text.clone()))
                .map_err(error)?;
            y += 20;
        }
        y += 8;
    }
    root.present().map_err(error)
}

/// Draws one chart into `path`: PNG when it ends in `.png`, else SVG.
pub(crate) fn write_chart(
    figures: &BenchFigures,
    chart: &Chart,
    path: &Path,
) -> Result<(), String> {
    register()?;
    let lines = lines(figures, chart);
    let png = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let result = if png {
        draw(
            BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area(),
            chart,
            &lines,
        )
    } else {
        draw(
            SVGBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area(),
            chart,
            &lines,
        )
    };
    result.map_err(|e| format!("{}: {e}", path.display()))
}

/// `--plot FILE`: one chart per operation, FILE's name with `-update`, `-receive`, ... before
/// its extension (SVG unless it is `.png`). Returns the files written.
pub(crate) fn write_charts(figures: &BenchFigures, file: &Path) -> Result<Vec<PathBuf>, String> {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "bench".into());
    let extension = file
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_else(|| "svg".into());
    let mut written = Vec::new();
    for chart in &CHARTS {
        let path = file.with_file_name(format!("{stem}-{}.{extension}", chart.slug));
        write_chart(figures, chart, &path)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::{FIGURES_VERSION, PairFigures};

    fn size(n: u32, update_us: f64) -> SizeFigures {
        SizeFigures {
            n,
            update_us,
            receive_us: update_us,
            add_us: update_us,
            receive_add_us: update_us,
            join_us: update_us,
            encrypt_us: 1.0,
            decrypt_us: 1.0,
            update_bytes: 1,
            add_bytes: 1,
            welcome_bytes: 1,
            message_bytes: 1,
        }
    }

    fn pair(backend: &str, suite: u16, updates: &[(u32, f64)]) -> PairFigures {
        PairFigures {
            backend: backend.into(),
            suite,
            primitives: Vec::new(),
            sizes: updates.iter().map(|&(n, t)| size(n, t)).collect(),
        }
    }

    fn figures(pairs: Vec<PairFigures>) -> BenchFigures {
        BenchFigures {
            version: FIGURES_VERSION,
            created_unix: 0,
            quick: true,
            message_len: 1024,
            pairs,
        }
    }

    #[test]
    fn coinciding_lines_are_drawn_once_and_named_together() {
        let figures = figures(vec![
            pair("p256", 0xF002, &[(16, 1000.0), (64, 2000.0)]),
            pair("dalek", 0xF001, &[(16, 300.0), (64, 600.0)]),
            // Within 5% of p256 at every n.
            pair("ring", 0xF002, &[(16, 1040.0), (64, 1910.0)]),
            // Within 5% at the first n only: a line of its own.
            pair("aws-lc", 0xF002, &[(16, 1000.0), (64, 2500.0)]),
        ]);
        let lines = lines(&figures, &CHARTS[0]);
        let labels: Vec<String> = lines.iter().map(Line::label).collect();
        assert_eq!(
            labels,
            ["p256 0xf002 = ring 0xf002", "dalek 0xf001", "aws-lc 0xf002"]
        );
    }

    #[test]
    fn times_read_as_people_write_them() {
        assert_eq!(show_us(3.0), "3 µs");
        assert_eq!(show_us(250.0), "250 µs");
        assert_eq!(show_us(1500.0), "1.5 ms");
        assert_eq!(show_us(2_000_000.0), "2 s");
    }
}
