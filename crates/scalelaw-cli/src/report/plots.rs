//! The plots of one series: the metric against scale with each law's curve and band,
//! efficiency against scale, residuals, and the cost frontier.

use plotters::chart::SeriesLabelPosition;
use plotters::style::RGBColor;
use scalelaw::law::Law;
use scalelaw::{laws, Fit, PointSummary};

use super::chart::{Chart, Layer, PALETTE};
use super::curves::{fitted_curve, linear_grid, Quantity};
use super::{ErrorBars, SeriesReport};

const BLACK: RGBColor = RGBColor(0, 0, 0);
const GREY: RGBColor = RGBColor(110, 110, 110);
const MARK: RGBColor = RGBColor(200, 30, 120);

/// Scale values per fitted curve.
const GRID_POINTS: usize = 160;

/// A peak N* further than this multiple of the largest measured scale is listed in the
/// page but not drawn, because the plot would be mostly extrapolation.
const MAX_PLOTTED_EXTRAPOLATION: f64 = 2.5;

/// Returns the fitted laws of a series in ranking order (best first), each with its law.
pub fn ranked_fits(series: &SeriesReport) -> Vec<(&Fit, Box<dyn Law>)> {
    let mut entries: Vec<_> = series
        .comparison
        .entries
        .iter()
        .filter_map(|entry| {
            let fit = entry.fit.as_ref()?;
            let law = laws::by_id(&fit.law)?;
            Some((entry.rank.unwrap_or(usize::MAX), fit, law))
        })
        .collect();
    entries.sort_by_key(|(rank, _, _)| *rank);
    entries
        .into_iter()
        .map(|(_, fit, law)| (fit, law))
        .collect()
}

/// Builds every plot of one series, in page order. Plots without data are left out.
pub fn series_charts(series: &SeriesReport, error_bars: ErrorBars) -> Vec<Chart> {
    let mut charts = Vec::new();
    charts.push(scaling_chart(series, error_bars));
    charts.extend(efficiency_chart(series));
    charts.extend(residual_chart(series));
    charts.extend(frontier_chart(series));
    charts
}

/// Scale range of the fitted curves: from the smaller of 1 and the smallest measured
/// scale to past the largest one, stretched to show a peak N* that lies near the data.
fn scale_extent(series: &SeriesReport) -> (f64, f64) {
    let scales = series.observations.column(0);
    let min_x = scales.iter().copied().fold(f64::INFINITY, f64::min);
    let max_x = scales.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut high = max_x * 1.1;
    for mark in &series.marks {
        if let Some(n) = mark.scale {
            if n <= max_x * MAX_PLOTTED_EXTRAPOLATION {
                high = high.max(n * 1.15);
            }
        }
    }
    let low = if min_x > 0.0 { min_x.min(1.0) } else { min_x };
    (low, high)
}

fn measured_layer(
    points: &[PointSummary],
    error_bars: ErrorBars,
    values: impl Fn(&PointSummary) -> f64,
) -> Layer {
    Layer::Points {
        x: points.iter().map(|p| p.x[0]).collect(),
        y: points.iter().map(&values).collect(),
        error_bars: points
            .iter()
            .map(|p| match (p.runs > 1, error_bars) {
                (false, _) => None,
                (true, ErrorBars::StdDev) => Some((p.mean - p.std_dev, p.mean + p.std_dev)),
                (true, ErrorBars::MinMax) => Some((p.min, p.max)),
            })
            .collect(),
        color: BLACK,
        label: Some("measured".to_string()),
    }
}

fn curve_layers(curve: super::curves::Curve, color: RGBColor, label: String) -> Vec<Layer> {
    let mut layers = Vec::new();
    if let Some((lower, upper)) = curve.band {
        layers.push(Layer::Band {
            x: curve.x.clone(),
            lower,
            upper,
            color,
        });
    }
    layers.push(Layer::Line {
        x: curve.x,
        y: curve.y,
        color,
        label: Some(label),
        dashed: false,
    });
    layers
}

fn scaling_chart(series: &SeriesReport, error_bars: ErrorBars) -> Chart {
    let observations = &series.observations;
    let scale = &observations.scale_names()[0];
    let metric = observations.metric_name();
    let mut chart = Chart::new(
        "scaling",
        &format!("{metric} against {scale}"),
        scale,
        metric,
    );
    let (low, high) = scale_extent(series);
    let grid = linear_grid(low, high, GRID_POINTS);
    let mut bands = Vec::new();
    let mut lines = Vec::new();
    for (k, (fit, law)) in ranked_fits(series).iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        if let Some(curve) = fitted_curve(law.as_ref(), fit, &grid, Quantity::Metric) {
            for layer in curve_layers(curve, color, fit.law_name.clone()) {
                match layer {
                    Layer::Band { .. } => bands.push(layer),
                    _ => lines.push(layer),
                }
            }
        }
    }
    // Bands go first so that no band hides a curve or a measured point.
    chart.layers.extend(bands);
    chart.layers.extend(lines);

    let points = observations.points();
    chart
        .layers
        .push(measured_layer(&points, error_bars, |p| p.mean));

    let max_x = points.last().map_or(high, |p| p.x[0]);
    let best = ranked_fits(series).into_iter().next();
    for mark in &series.marks {
        match (mark.scale, mark.value) {
            (None, Some(level)) => chart.layers.push(Layer::HorizontalLine {
                y: level,
                color: GREY,
                label: Some(format!(
                    "{} {}",
                    mark.label,
                    super::chart::format_number(level)
                )),
            }),
            (Some(n), value) if n <= max_x * MAX_PLOTTED_EXTRAPOLATION => {
                let value = value.or_else(|| {
                    best.as_ref()
                        .map(|(fit, law)| law.predict(&fit.theta(), &[n]))
                });
                if let Some(y) = value.filter(|v| v.is_finite()) {
                    chart.layers.push(Layer::Marker {
                        x: n,
                        y,
                        color: MARK,
                        text: format!(" {} = {}", mark.label, super::chart::format_number(n)),
                    });
                }
            }
            _ => {}
        }
    }
    // Keep the roof from squashing the curves when it lies far above the data.
    let data_top = chart_top(&chart);
    chart.y_range = Some((0.0f64.min(data_top.0), data_top.1));
    chart
}

/// Smallest and largest y of the curves and points (bands and reference lines
/// excluded), with room above for the roof when it is within 1.5 times the data.
fn chart_top(chart: &Chart) -> (f64, f64) {
    let mut low = f64::INFINITY;
    let mut high = f64::NEG_INFINITY;
    let mut roofs = Vec::new();
    for layer in &chart.layers {
        match layer {
            Layer::Line { y, .. } => {
                for v in y.iter().filter(|v| v.is_finite()) {
                    low = low.min(*v);
                    high = high.max(*v);
                }
            }
            Layer::Points { y, error_bars, .. } => {
                for v in y.iter().filter(|v| v.is_finite()) {
                    low = low.min(*v);
                    high = high.max(*v);
                }
                for (_, top) in error_bars.iter().flatten() {
                    high = high.max(*top);
                }
            }
            Layer::HorizontalLine { y, .. } => roofs.push(*y),
            _ => {}
        }
    }
    if !high.is_finite() {
        return (0.0, 1.0);
    }
    let mut top = high * 1.08;
    for roof in roofs {
        if roof > high && roof <= high * 1.5 {
            top = top.max(roof * 1.04);
        }
    }
    (low, top)
}

fn efficiency_chart(series: &SeriesReport) -> Option<Chart> {
    let observations = &series.observations;
    let scale = &observations.scale_names()[0];
    let fits = ranked_fits(series);
    let (best_fit, _) = fits.first()?;
    let mut chart = Chart::new(
        "efficiency",
        &format!("efficiency against {scale}"),
        scale,
        "efficiency X(N) / (N·X(1))",
    );
    // Efficiency falls from 1 at the left, so the upper right is usually empty.
    chart.legend_position = SeriesLabelPosition::UpperRight;
    let (low, high) = scale_extent(series);
    let grid = linear_grid(low, high, GRID_POINTS);
    let mut lines = Vec::new();
    for (k, (fit, law)) in fits.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        if let Some(curve) = fitted_curve(law.as_ref(), fit, &grid, Quantity::Efficiency) {
            // Only the best law gets a band: several overlapping bands hide each other.
            let curve = if k == 0 {
                curve
            } else {
                super::curves::Curve {
                    band: None,
                    ..curve
                }
            };
            lines.extend(curve_layers(curve, color, fit.law_name.clone()));
        }
    }
    if lines.is_empty() {
        return None;
    }
    chart.layers.extend(lines);
    let measured: Vec<(f64, f64)> = best_fit
        .points
        .iter()
        .filter_map(|p| p.efficiency.map(|e| (p.x[0], e)))
        .collect();
    if !measured.is_empty() {
        chart.layers.push(Layer::Points {
            x: measured.iter().map(|p| p.0).collect(),
            y: measured.iter().map(|p| p.1).collect(),
            error_bars: vec![None; measured.len()],
            color: BLACK,
            label: Some(format!("measured (X(1) of {})", best_fit.law_name)),
        });
    }
    chart.layers.push(Layer::HorizontalLine {
        y: 1.0,
        color: GREY,
        label: None,
    });
    let top = chart_top(&chart).1.max(1.05);
    chart.y_range = Some((0.0, top));
    Some(chart)
}

fn residual_chart(series: &SeriesReport) -> Option<Chart> {
    let observations = &series.observations;
    let scale = &observations.scale_names()[0];
    let fits = ranked_fits(series);
    if fits.is_empty() {
        return None;
    }
    let mut chart = Chart::new(
        "residuals",
        "residuals: measured mean minus fitted value",
        scale,
        &format!("residual of {}", observations.metric_name()),
    );
    for (k, (fit, _)) in fits.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let x: Vec<f64> = fit.points.iter().map(|p| p.x[0]).collect();
        let y: Vec<f64> = fit.points.iter().map(|p| p.residual).collect();
        chart.layers.push(Layer::Line {
            x: x.clone(),
            y: y.clone(),
            color,
            label: None,
            dashed: true,
        });
        chart.layers.push(Layer::Points {
            error_bars: vec![None; x.len()],
            x,
            y,
            color,
            label: Some(fit.law_name.clone()),
        });
    }
    chart.layers.push(Layer::HorizontalLine {
        y: 0.0,
        color: GREY,
        label: None,
    });
    Some(chart)
}

fn frontier_chart(series: &SeriesReport) -> Option<Chart> {
    let frontier = series.frontier.as_ref().filter(|f| !f.points.is_empty())?;
    let metric = series.observations.metric_name();
    let mut chart = Chart::new(
        "frontier",
        &format!("cost against {metric}"),
        metric,
        &format!("cost ({})", frontier.cost_unit),
    );
    chart.layers.push(Layer::Line {
        x: frontier.points.iter().map(|p| p.throughput).collect(),
        y: frontier.points.iter().map(|p| p.cost).collect(),
        color: PALETTE[0],
        label: None,
        dashed: false,
    });
    chart.layers.push(Layer::Points {
        x: frontier.points.iter().map(|p| p.throughput).collect(),
        y: frontier.points.iter().map(|p| p.cost).collect(),
        error_bars: vec![None; frontier.points.len()],
        color: PALETTE[0],
        label: Some("N on the frontier".to_string()),
    });
    // Balance points at a whole N that lies on the frontier are marked there.
    for mark in &series.marks {
        let Some(n) = mark.scale else {
            continue;
        };
        if let Some(point) = frontier.points.iter().find(|p| p.scale == n) {
            chart.layers.push(Layer::Marker {
                x: point.throughput,
                y: point.cost,
                color: MARK,
                text: format!(" {} N = {}", mark.label, super::chart::format_number(n)),
            });
        }
    }
    chart.legend_position = SeriesLabelPosition::UpperLeft;
    Some(chart)
}
