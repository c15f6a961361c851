//! A compact text plot of the measured points and the chosen law's curve, drawn after
//! the table when the output is a terminal.

use super::SeriesResult;
use crate::output::number;

const WIDTH: usize = 60;
const HEIGHT: usize = 14;

/// Share of the largest scale value below which at least half the points must lie for
/// the x axis to be logarithmic, so sweeps over powers of two (16 to 1,024 GPUs) do not
/// crowd into the left edge.
const LOG_AXIS_SHARE: f64 = 0.1;

/// Mapping between plot columns and scale values.
#[derive(Clone, Copy)]
enum Axis {
    /// From 0 to `max`.
    Linear { max: f64 },
    /// From `min` to `max`, evenly spaced in log(x).
    Log { min: f64, max: f64 },
}

impl Axis {
    fn value_at(self, column: usize) -> f64 {
        let share = (column as f64 + 0.5) / WIDTH as f64;
        match self {
            Axis::Linear { max } => max * share,
            Axis::Log { min, max } => min * (max / min).powf(share),
        }
    }

    fn column_of(self, x: f64) -> Option<usize> {
        let share = match self {
            Axis::Linear { max } => x / max,
            Axis::Log { min, max } => (x / min).ln() / (max / min).ln(),
        };
        let column = (share * WIDTH as f64).floor();
        (column.is_finite() && (0.0..WIDTH as f64).contains(&column)).then_some(column as usize)
    }

    fn labels(self) -> (String, String) {
        match self {
            Axis::Linear { max } => ("0".to_string(), number(max)),
            Axis::Log { min, max } => (number(min), format!("{} (log scale)", number(max))),
        }
    }
}

/// Draws the points (`o`, their mean) and the chosen law's curve (`·`) up to 10% past
/// the largest measured scale value. Returns an empty string when no law was chosen.
pub fn draw(result: &SeriesResult) -> String {
    let Some((fit, _)) = result.chosen() else {
        return String::new();
    };
    let Some(law) = scalelaw::laws::by_id(&fit.law) else {
        return String::new();
    };
    let theta = fit.theta();
    let min_x = result.points.first().map_or(0.0, |p| p.x[0]);
    let crowded = result
        .points
        .iter()
        .filter(|p| p.x[0] < LOG_AXIS_SHARE * fit.max_x)
        .count();
    let axis = if min_x > 0.0 && 2 * crowded >= result.points.len() {
        Axis::Log {
            min: min_x / 1.1,
            max: fit.max_x * 1.1,
        }
    } else {
        Axis::Linear {
            max: fit.max_x * 1.1,
        }
    };
    let curve: Vec<f64> = (0..WIDTH)
        .map(|c| law.predict(&theta, &[axis.value_at(c)]))
        .collect();
    let max_y = result
        .points
        .iter()
        .map(|p| p.max)
        .chain(curve.iter().copied().filter(|v| v.is_finite()))
        .fold(0.0f64, f64::max);
    if !(max_y > 0.0 && fit.max_x > 0.0) {
        return String::new();
    }

    let row_of = |y: f64| -> Option<usize> {
        let row = ((1.0 - y / max_y) * (HEIGHT - 1) as f64).round();
        (row.is_finite() && (0.0..HEIGHT as f64).contains(&row)).then_some(row as usize)
    };
    let mut grid = vec![vec![' '; WIDTH]; HEIGHT];
    for (c, &y) in curve.iter().enumerate() {
        if let Some(r) = row_of(y) {
            grid[r][c] = '·';
        }
    }
    for point in &result.points {
        if let (Some(r), Some(c)) = (row_of(point.mean), axis.column_of(point.x[0])) {
            grid[r][c] = 'o';
        }
    }

    let label_width = number(max_y).len();
    let mut out = format!(
        "\n{} against {}: o = measured mean, · = {} fit\n",
        result.metric_name, result.scale_name, fit.law
    );
    for (r, row) in grid.iter().enumerate() {
        let label = match r {
            0 => number(max_y),
            _ if r == HEIGHT - 1 => "0".to_string(),
            _ => String::new(),
        };
        out.push_str(&format!("{label:>label_width$} |"));
        out.push_str(row.iter().collect::<String>().trim_end());
        out.push('\n');
    }
    let (left, right) = axis.labels();
    out.push_str(&format!(
        "{:>label_width$} +{}\n{:>label_width$}  {left}{right:>width$}\n",
        "",
        "-".repeat(WIDTH),
        "",
        width = WIDTH.saturating_sub(left.len()),
    ));
    out
}
