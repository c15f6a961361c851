//! The neural scaling section: loss against training compute with the
//! compute-optimal frontier, and isoFLOP profiles (loss against model size at fixed
//! compute).
//!
//! The section is filled from sampled curves, so this module draws what a neural fit
//! predicts without depending on how the fit was made. Compute is C ≈ 6·N·D FLOP for
//! N parameters and D training tokens (the approximation Hoffmann et al. use in
//! "Training Compute-Optimal Large Language Models", 2022).

use plotters::chart::SeriesLabelPosition;
use plotters::style::RGBColor;

use super::chart::{Chart, Layer, PALETTE};

const BLACK: RGBColor = RGBColor(0, 0, 0);
const MARK: RGBColor = RGBColor(200, 30, 120);

/// One training run: model size, training tokens and final loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingRun {
    pub parameters: f64,
    pub tokens: f64,
    pub loss: f64,
}

impl TrainingRun {
    /// Training compute in FLOP, 6·N·D.
    pub fn compute(&self) -> f64 {
        6.0 * self.parameters * self.tokens
    }
}

/// The compute-optimal loss at one compute budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrontierSample {
    pub compute: f64,
    pub loss: f64,
    /// Bootstrap percentile interval of the loss.
    pub loss_interval: Option<(f64, f64)>,
    /// Compute-optimal model size at this budget.
    pub parameters: f64,
}

/// Predicted loss against model size at one fixed compute budget.
#[derive(Debug, Clone, PartialEq)]
pub struct IsoFlopProfile {
    pub compute: f64,
    /// `(parameters, loss)` along the profile, with tokens D = C/(6N).
    pub curve: Vec<(f64, f64)>,
    /// Compute-optimal `(parameters, loss)` on this profile.
    pub optimum: Option<(f64, f64)>,
    /// Measured runs whose compute is close to this budget, as `(parameters, loss)`.
    pub runs: Vec<(f64, f64)>,
}

/// A neural scaling fit as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct NeuralSection {
    /// Heading of the section (law and data set).
    pub title: String,
    /// Law formula in plain text.
    pub formula: String,
    pub runs: Vec<TrainingRun>,
    pub frontier: Vec<FrontierSample>,
    pub isoflop: Vec<IsoFlopProfile>,
    /// Parameter table rows: name, estimate, interval (already formatted).
    pub parameters: Vec<(String, String, String)>,
    pub warnings: Vec<String>,
}

/// Builds the loss-against-compute and isoFLOP plots of a section; a plot without
/// data is left out.
pub fn neural_charts(section: &NeuralSection) -> Vec<Chart> {
    let mut charts = Vec::new();
    charts.extend(compute_chart(section));
    charts.extend(isoflop_chart(section));
    charts
}

fn compute_chart(section: &NeuralSection) -> Option<Chart> {
    if section.runs.is_empty() && section.frontier.is_empty() {
        return None;
    }
    let mut chart = Chart::new(
        "loss-compute",
        "loss against training compute",
        "compute C = 6ND (FLOP)",
        "loss",
    );
    chart.x_log = true;
    chart.y_log = true;
    chart.legend_position = SeriesLabelPosition::UpperRight;
    let banded: Vec<&FrontierSample> = section
        .frontier
        .iter()
        .filter(|s| s.loss_interval.is_some())
        .collect();
    if banded.len() == section.frontier.len() && !banded.is_empty() {
        chart.layers.push(Layer::Band {
            x: banded.iter().map(|s| s.compute).collect(),
            lower: banded.iter().map(|s| s.loss_interval.unwrap().0).collect(),
            upper: banded.iter().map(|s| s.loss_interval.unwrap().1).collect(),
            color: PALETTE[0],
        });
    }
    if !section.frontier.is_empty() {
        chart.layers.push(Layer::Line {
            x: section.frontier.iter().map(|s| s.compute).collect(),
            y: section.frontier.iter().map(|s| s.loss).collect(),
            color: PALETTE[0],
            label: Some("compute-optimal frontier".to_string()),
            dashed: false,
        });
    }
    if !section.runs.is_empty() {
        chart.layers.push(Layer::Points {
            x: section.runs.iter().map(TrainingRun::compute).collect(),
            y: section.runs.iter().map(|r| r.loss).collect(),
            error_bars: vec![None; section.runs.len()],
            color: BLACK,
            label: Some("training runs".to_string()),
        });
    }
    Some(chart)
}

fn isoflop_chart(section: &NeuralSection) -> Option<Chart> {
    if section.isoflop.is_empty() {
        return None;
    }
    let mut chart = Chart::new(
        "isoflop",
        "isoFLOP profiles: loss against model size at fixed compute",
        "parameters N",
        "loss",
    );
    // Loss varies little along a profile, so a linear loss axis shows the valley best.
    chart.x_log = true;
    chart.legend_position = SeriesLabelPosition::UpperRight;
    for (k, profile) in section.isoflop.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        chart.layers.push(Layer::Line {
            x: profile.curve.iter().map(|p| p.0).collect(),
            y: profile.curve.iter().map(|p| p.1).collect(),
            color,
            label: Some(format!(
                "C = {} FLOP",
                super::chart::format_number(profile.compute)
            )),
            dashed: false,
        });
        if !profile.runs.is_empty() {
            chart.layers.push(Layer::Points {
                x: profile.runs.iter().map(|p| p.0).collect(),
                y: profile.runs.iter().map(|p| p.1).collect(),
                error_bars: vec![None; profile.runs.len()],
                color,
                label: None,
            });
        }
        if let Some((parameters, loss)) = profile.optimum {
            chart.layers.push(Layer::Marker {
                x: parameters,
                y: loss,
                color: MARK,
                text: String::new(),
            });
        }
    }
    Some(chart)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a section from the Chinchilla law with E = 1.69, A = 406.4, B = 410.7,
    /// α = 0.34, β = 0.28 (the estimates Hoffmann et al. 2022 report).
    fn chinchilla_section() -> NeuralSection {
        let loss = |n: f64, d: f64| 1.69 + 406.4 / n.powf(0.34) + 410.7 / d.powf(0.28);
        let runs: Vec<TrainingRun> = [(1e8, 2e9), (4e8, 8e9), (1e9, 2e10)]
            .iter()
            .map(|&(n, d)| TrainingRun {
                parameters: n,
                tokens: d,
                loss: loss(n, d),
            })
            .collect();
        let frontier = (0..20)
            .map(|i| {
                let compute = 10f64.powf(18.0 + 0.25 * i as f64);
                let parameters = (compute / 6.0).sqrt() / 4.5;
                let value = loss(parameters, compute / (6.0 * parameters));
                FrontierSample {
                    compute,
                    loss: value,
                    loss_interval: Some((value * 0.98, value * 1.02)),
                    parameters,
                }
            })
            .collect();
        let compute = 1e20;
        let curve: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                let n = 10f64.powf(7.5 + 0.075 * i as f64);
                (n, loss(n, compute / (6.0 * n)))
            })
            .collect();
        let optimum = curve.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1));
        NeuralSection {
            title: "Chinchilla".to_string(),
            formula: "L(N, D) = E + A/N^alpha + B/D^beta".to_string(),
            runs,
            frontier,
            isoflop: vec![IsoFlopProfile {
                compute,
                curve,
                optimum,
                runs: Vec::new(),
            }],
            parameters: Vec::new(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn neural_charts_draw_both_plots() {
        let charts = neural_charts(&chinchilla_section());
        let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["loss-compute", "isoflop"]);
    }

    #[test]
    fn loss_compute_plot_renders_svg() {
        let charts = neural_charts(&chinchilla_section());
        let svg = charts[0]
            .to_svg()
            .expect("draw the loss against compute plot");
        assert_eq!(
            svg.matches("<circle").count(),
            3 + 1,
            "runs and legend marker"
        );
        assert!(svg.contains("compute-optimal frontier"));
    }

    #[test]
    fn isoflop_plot_renders_png() {
        let charts = neural_charts(&chinchilla_section());
        let path = std::env::temp_dir().join("scalelaw-report-isoflop.png");
        charts[1].write_png(&path).expect("draw the isoFLOP plot");
        let bytes = std::fs::read(&path).expect("read the PNG back");
        assert!(bytes.starts_with(b"\x89PNG"), "not a PNG file");
    }
}
