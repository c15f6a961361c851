//! A compact text plot of the measured points and the chosen law's curve, drawn after
//! the table when the output is a terminal.

use super::SeriesResult;
use crate::output::number;

const WIDTH: usize = 60;
const HEIGHT: usize = 14;

/// Draws the points (`o`, their mean) and the chosen law's curve (`·`) from 0 to 10%
/// past the largest measured scale value. Returns an empty string when no law was chosen.
pub fn draw(result: &SeriesResult) -> String {
    let Some((fit, _)) = result.chosen() else {
        return String::new();
    };
    let Some(law) = scalelaw::laws::by_id(&fit.law) else {
        return String::new();
    };
    let theta = fit.theta();
    let max_x = fit.max_x * 1.1;
    let column_x = |c: usize| max_x * (c as f64 + 0.5) / WIDTH as f64;
    let curve: Vec<f64> = (0..WIDTH)
        .map(|c| law.predict(&theta, &[column_x(c)]))
        .collect();
    let max_y = result
        .points
        .iter()
        .map(|p| p.max)
        .chain(curve.iter().copied().filter(|v| v.is_finite()))
        .fold(0.0f64, f64::max);
    if !(max_y > 0.0 && max_x > 0.0) {
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
        let c = ((point.x[0] / max_x) * WIDTH as f64).floor() as usize;
        if let (Some(r), true) = (row_of(point.mean), c < WIDTH) {
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
    out.push_str(&format!(
        "{:>label_width$} +{}\n{:>label_width$}  0{:>width$}\n",
        "",
        "-".repeat(WIDTH),
        "",
        number(max_x),
        width = WIDTH - 1
    ));
    out
}
