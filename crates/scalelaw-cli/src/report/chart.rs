//! A backend-free description of one plot and its drawing with plotters.
//!
//! Plot builders fill a [`Chart`] with layers (bands, lines, points with error bars,
//! reference lines, labelled markers). [`Chart::to_svg`] and [`Chart::write_png`] draw
//! the same chart through plotters' SVG and bitmap backends, so the HTML report and
//! the plot files show identical plots.

use std::path::Path;

use anyhow::{anyhow, Context};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::font;

/// Pixel size of every plot.
pub const WIDTH: u32 = 760;
pub const HEIGHT: u32 = 440;

/// Colours of the fitted laws, in ranking order. Measured data is drawn in black.
pub const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// One drawable layer, in data coordinates (before any log transform).
#[derive(Debug, Clone)]
pub enum Layer {
    /// A filled region between two curves over the same x values.
    Band {
        x: Vec<f64>,
        lower: Vec<f64>,
        upper: Vec<f64>,
        color: RGBColor,
    },
    /// A curve through the given points.
    Line {
        x: Vec<f64>,
        y: Vec<f64>,
        color: RGBColor,
        label: Option<String>,
        dashed: bool,
    },
    /// Markers, each with an optional vertical error bar `(low, high)`.
    Points {
        x: Vec<f64>,
        y: Vec<f64>,
        error_bars: Vec<Option<(f64, f64)>>,
        color: RGBColor,
        label: Option<String>,
    },
    /// A horizontal reference line across the plot (a roof, zero residual).
    HorizontalLine {
        y: f64,
        color: RGBColor,
        label: Option<String>,
    },
    /// A highlighted point with a text label (a peak, a target).
    Marker {
        x: f64,
        y: f64,
        color: RGBColor,
        text: String,
    },
}

/// A plot: axes, titles and layers.
#[derive(Clone)]
pub struct Chart {
    /// Short file-name-safe identifier (`scaling`, `residuals`).
    pub id: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// Plot x on a log10 axis; every x value must then be above zero.
    pub x_log: bool,
    pub y_log: bool,
    /// Axis ranges in data coordinates; computed from the layers when `None`.
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    /// Corner of the legend, chosen by each plot builder to avoid its data.
    pub legend_position: SeriesLabelPosition,
    pub layers: Vec<Layer>,
}

impl Chart {
    pub fn new(id: &str, title: &str, x_label: &str, y_label: &str) -> Self {
        Self {
            id: id.to_string(),
            title: title.to_string(),
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
            x_log: false,
            y_log: false,
            x_range: None,
            y_range: None,
            legend_position: SeriesLabelPosition::LowerRight,
            layers: Vec::new(),
        }
    }

    /// Draws the chart as an SVG document.
    pub fn to_svg(&self) -> anyhow::Result<String> {
        font::ensure_registered()?;
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw(&root)
                .with_context(|| format!("failed to draw the {} plot as SVG", self.id))?;
        }
        Ok(svg)
    }

    /// Draws the chart into a PNG file.
    pub fn write_png(&self, path: &Path) -> anyhow::Result<()> {
        font::ensure_registered()?;
        let root = BitMapBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
        self.draw(&root).with_context(|| {
            format!(
                "failed to draw the {} plot into {}",
                self.id,
                path.display()
            )
        })
    }

    /// Axis ranges in plotting coordinates (log10 applied), padded by 5%.
    fn plotting_ranges(&self) -> ((f64, f64), (f64, f64)) {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for layer in &self.layers {
            match layer {
                Layer::Band {
                    x, lower, upper, ..
                } => {
                    xs.extend(x);
                    ys.extend(lower);
                    ys.extend(upper);
                }
                Layer::Line { x, y, .. } => {
                    xs.extend(x);
                    ys.extend(y);
                }
                Layer::Points {
                    x, y, error_bars, ..
                } => {
                    xs.extend(x);
                    ys.extend(y);
                    for (low, high) in error_bars.iter().flatten() {
                        ys.push(*low);
                        ys.push(*high);
                    }
                }
                Layer::HorizontalLine { y, .. } => ys.push(*y),
                Layer::Marker { x, y, .. } => {
                    xs.push(*x);
                    ys.push(*y);
                }
            }
        }
        let x_range = self
            .x_range
            .unwrap_or_else(|| finite_extent(&xs, self.x_log));
        let y_range = self
            .y_range
            .unwrap_or_else(|| finite_extent(&ys, self.y_log));
        (
            pad(to_plot_range(x_range, self.x_log)),
            pad(to_plot_range(y_range, self.y_log)),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> anyhow::Result<()> {
        let fail = |e: &dyn std::fmt::Display| anyhow!("{e}");
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let ((x0, x1), (y0, y1)) = self.plotting_ranges();
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| fail(&e))?;

        let x_log = self.x_log;
        let y_log = self.y_log;
        let x_formatter = move |v: &f64| tick_label(*v, x_log);
        let y_formatter = move |v: &f64| tick_label(*v, y_log);
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_labels(8)
            .y_labels(8)
            .x_label_formatter(&x_formatter)
            .y_label_formatter(&y_formatter)
            .light_line_style(RGBColor(235, 235, 235))
            .label_style(("sans-serif", 12))
            .axis_desc_style(("sans-serif", 14))
            .draw()
            .map_err(|e| fail(&e))?;

        let tx = |v: f64| transform(v, x_log);
        let ty = |v: f64| clamp(transform(v, y_log), y0, y1);
        let mut has_legend = false;
        let mut markers_drawn = 0;
        for layer in &self.layers {
            match layer {
                Layer::Band {
                    x,
                    lower,
                    upper,
                    color,
                } => {
                    let mut outline: Vec<(f64, f64)> =
                        x.iter().zip(upper).map(|(a, b)| (tx(*a), ty(*b))).collect();
                    outline.extend(x.iter().zip(lower).rev().map(|(a, b)| (tx(*a), ty(*b))));
                    outline.retain(|(a, b)| a.is_finite() && b.is_finite());
                    if outline.len() >= 3 {
                        chart
                            .draw_series(std::iter::once(Polygon::new(
                                outline,
                                color.mix(0.18).filled(),
                            )))
                            .map_err(|e| fail(&e))?;
                    }
                }
                Layer::Line {
                    x,
                    y,
                    color,
                    label,
                    dashed,
                } => {
                    let points: Vec<(f64, f64)> = x
                        .iter()
                        .zip(y)
                        .map(|(a, b)| (tx(*a), ty(*b)))
                        .filter(|(a, b)| a.is_finite() && b.is_finite())
                        .collect();
                    let style = color.stroke_width(2);
                    let annotation = if *dashed {
                        chart
                            .draw_series(DashedLineSeries::new(points, 8, 5, style))
                            .map_err(|e| fail(&e))?
                    } else {
                        chart
                            .draw_series(LineSeries::new(points, style))
                            .map_err(|e| fail(&e))?
                    };
                    if let Some(label) = label {
                        has_legend = true;
                        let legend_color = *color;
                        annotation.label(label.as_str()).legend(move |(a, b)| {
                            PathElement::new(
                                vec![(a, b), (a + 18, b)],
                                legend_color.stroke_width(2),
                            )
                        });
                    }
                }
                Layer::Points {
                    x,
                    y,
                    error_bars,
                    color,
                    label,
                } => {
                    for (k, bar) in error_bars.iter().enumerate() {
                        if let Some((low, high)) = bar {
                            let at = tx(x[k]);
                            let (low, high) = (ty(*low), ty(*high));
                            if at.is_finite() && low.is_finite() && high.is_finite() {
                                chart
                                    .draw_series(std::iter::once(PathElement::new(
                                        vec![(at, low), (at, high)],
                                        color.stroke_width(1),
                                    )))
                                    .map_err(|e| fail(&e))?;
                            }
                        }
                    }
                    let points: Vec<(f64, f64)> = x
                        .iter()
                        .zip(y)
                        .map(|(a, b)| (tx(*a), ty(*b)))
                        .filter(|(a, b)| a.is_finite() && b.is_finite())
                        .collect();
                    let marker_color = *color;
                    // Smaller markers keep a cloud of noisy runs readable.
                    let radius = if points.len() > 60 { 2 } else { 4 };
                    let annotation = chart
                        .draw_series(
                            points
                                .into_iter()
                                .map(move |p| Circle::new(p, radius, marker_color.filled())),
                        )
                        .map_err(|e| fail(&e))?;
                    if let Some(label) = label {
                        has_legend = true;
                        annotation.label(label.as_str()).legend(move |(a, b)| {
                            Circle::new((a + 9, b), 4, marker_color.filled())
                        });
                    }
                }
                Layer::HorizontalLine { y, color, label } => {
                    let level = transform(*y, y_log);
                    if level.is_finite() && level >= y0 && level <= y1 {
                        let annotation = chart
                            .draw_series(DashedLineSeries::new(
                                vec![(x0, level), (x1, level)],
                                6,
                                4,
                                color.stroke_width(1),
                            ))
                            .map_err(|e| fail(&e))?;
                        if let Some(label) = label {
                            has_legend = true;
                            let legend_color = *color;
                            annotation.label(label.as_str()).legend(move |(a, b)| {
                                PathElement::new(vec![(a, b), (a + 18, b)], legend_color)
                            });
                        }
                    }
                }
                Layer::Marker { x, y, color, text } => {
                    let at = (tx(*x), ty(*y));
                    if at.0.is_finite() && at.1.is_finite() {
                        let marker_color = *color;
                        chart
                            .draw_series(std::iter::once(TriangleMarker::new(
                                at,
                                8,
                                marker_color.filled(),
                            )))
                            .map_err(|e| fail(&e))?;
                        // Each label sits one line lower than the previous one, so that
                        // labels of nearby points (a knee next to the cheapest N) stay
                        // readable.
                        let offset = (4, 2 + 14 * (markers_drawn % 4));
                        markers_drawn += 1;
                        chart
                            .draw_series(std::iter::once(
                                EmptyElement::at(at)
                                    + Text::new(
                                        text.clone(),
                                        offset,
                                        ("sans-serif", 12).into_font().color(&BLACK),
                                    ),
                            ))
                            .map_err(|e| fail(&e))?;
                    }
                }
            }
        }
        if has_legend {
            chart
                .configure_series_labels()
                .position(self.legend_position.clone())
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(160, 160, 160))
                .label_font(("sans-serif", 12))
                .draw()
                .map_err(|e| fail(&e))?;
        }
        root.present().map_err(|e| fail(&e))?;
        Ok(())
    }
}

fn transform(v: f64, log: bool) -> f64 {
    if !log {
        v
    } else if v > 0.0 {
        v.log10()
    } else {
        f64::NAN
    }
}

fn clamp(v: f64, low: f64, high: f64) -> f64 {
    if v.is_nan() {
        v
    } else {
        v.clamp(low, high)
    }
}

/// Smallest and largest finite value (positive only on a log axis); `(0, 1)` when
/// there is none.
fn finite_extent(values: &[f64], log: bool) -> (f64, f64) {
    let usable = values
        .iter()
        .filter(|v| v.is_finite() && (!log || **v > 0.0));
    let (low, high) = usable.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    if low.is_finite() {
        (low, high)
    } else if log {
        (1.0, 10.0)
    } else {
        (0.0, 1.0)
    }
}

fn to_plot_range((low, high): (f64, f64), log: bool) -> (f64, f64) {
    if log {
        (
            low.max(f64::MIN_POSITIVE).log10(),
            high.max(f64::MIN_POSITIVE).log10(),
        )
    } else {
        (low, high)
    }
}

/// Widens a range by 5% on each side, and an empty range to a unit one.
fn pad((low, high): (f64, f64)) -> (f64, f64) {
    let span = high - low;
    if span > 0.0 && span.is_finite() {
        (low - 0.05 * span, high + 0.05 * span)
    } else {
        (low - 0.5, high + 0.5)
    }
}

/// Tick label in data units: the value itself, or 10^v on a log axis.
fn tick_label(v: f64, log: bool) -> String {
    let value = if log { 10f64.powf(v) } else { v };
    format_number(value)
}

/// Formats an axis or table number with about four significant digits.
pub fn format_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs();
    if !(1e-3..1e6).contains(&magnitude) {
        return format!("{value:.2e}");
    }
    let decimals = (3 - magnitude.log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_number_keeps_four_digits() {
        assert_eq!(format_number(1234.567), "1235");
        assert_eq!(format_number(0.012345), "0.01235");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(3.0e7), "3.00e7");
    }

    #[test]
    fn pad_widens_empty_range() {
        assert_eq!(pad((2.0, 2.0)), (1.5, 2.5));
        assert_eq!(pad((0.0, 10.0)), (-0.5, 10.5));
    }

    #[test]
    fn log_range_ignores_non_positive_values() {
        assert_eq!(
            finite_extent(&[-1.0, 0.0, 10.0, 100.0], true),
            (10.0, 100.0)
        );
    }
}
