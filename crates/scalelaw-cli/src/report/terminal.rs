//! A compact character plot of a fit for the terminal: measured means as `o`, the
//! fitted curve as `.`, and `@` where both fall in one cell.

use scalelaw::{laws, Fit};

use super::chart::format_number;

/// Draws the measured means and the fitted curve of `fit` in a grid of `width` by
/// `height` character cells, with the metric range on the left and the scale range
/// below. The curve is left out for laws `laws::by_id` does not know or whose
/// prediction needs more than one scale parameter. Returns an empty string for a fit
/// without points.
pub fn terminal_plot(fit: &Fit, width: usize, height: usize) -> String {
    let width = width.max(10);
    let height = height.max(4);
    if fit.points.is_empty() {
        return String::new();
    }
    let x_low = fit
        .points
        .iter()
        .map(|p| p.x[0])
        .fold(f64::INFINITY, f64::min);
    let x_high = fit.max_x;
    let law = laws::by_id(&fit.law).filter(|law| law.dims() == 1);
    let theta = fit.theta();
    let column_x = |column: usize| -> f64 {
        x_low + (x_high - x_low) * column as f64 / (width - 1).max(1) as f64
    };
    let curve: Vec<Option<f64>> = (0..width)
        .map(|column| {
            let law = law.as_ref()?;
            let value = law.predict(&theta, &[column_x(column)]);
            value.is_finite().then_some(value)
        })
        .collect();

    let values = fit
        .points
        .iter()
        .map(|p| p.mean)
        .chain(curve.iter().flatten().copied());
    let (y_low, y_high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let y_low = y_low.min(0.0);
    let y_span = if y_high > y_low { y_high - y_low } else { 1.0 };
    let x_span = if x_high > x_low { x_high - x_low } else { 1.0 };
    let row_of = |y: f64| -> usize {
        let fraction = ((y - y_low) / y_span).clamp(0.0, 1.0);
        (height - 1) - (fraction * (height - 1) as f64).round() as usize
    };

    let mut grid = vec![vec![' '; width]; height];
    for (column, value) in curve.iter().enumerate() {
        if let Some(y) = value {
            grid[row_of(*y)][column] = '.';
        }
    }
    for point in &fit.points {
        let fraction = ((point.x[0] - x_low) / x_span).clamp(0.0, 1.0);
        let column = (fraction * (width - 1) as f64).round() as usize;
        let cell = &mut grid[row_of(point.mean)][column];
        *cell = if *cell == '.' { '@' } else { 'o' };
    }

    let top_label = format_number(y_high);
    let bottom_label = format_number(y_low);
    let margin = top_label.len().max(bottom_label.len());
    let mut out = format!(
        "{} against {} ({}): o measured, . fitted, @ both\n",
        fit.metric_name,
        fit.scale_names.first().map_or("scale", String::as_str),
        fit.law_name
    );
    for (row, cells) in grid.iter().enumerate() {
        let label = match row {
            0 => top_label.as_str(),
            r if r == height - 1 => bottom_label.as_str(),
            _ => "",
        };
        let line: String = cells.iter().collect();
        out.push_str(&format!("{label:>margin$} |{}\n", line.trim_end()));
    }
    out.push_str(&format!("{:>margin$} +{}\n", "", "-".repeat(width)));
    let left = format_number(x_low);
    let right = format_number(x_high);
    let gap = width.saturating_sub(left.len() + right.len());
    out.push_str(&format!(
        "{:>margin$}  {left}{}{right}\n",
        "",
        " ".repeat(gap)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalelaw::law::Law;
    use scalelaw::laws::Usl;
    use scalelaw::{FitOptions, Observations};

    fn usl_fit() -> Fit {
        let n = vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        let theta = [0.05, 0.001, 100.0];
        let y: Vec<f64> = n.iter().map(|&x| Usl.predict(&theta, &[x])).collect();
        let data = Observations::new("n", "throughput", n, y).unwrap();
        let options = FitOptions {
            bootstrap_resamples: 0,
            leave_one_out: false,
            ..FitOptions::default()
        };
        scalelaw::fit(&Usl, &data, &options).unwrap()
    }

    #[test]
    fn terminal_plot_has_requested_height() {
        let plot = terminal_plot(&usl_fit(), 40, 8);
        // A title line, 8 grid rows, the axis line and the scale labels.
        assert_eq!(plot.lines().count(), 11);
    }

    #[test]
    fn terminal_plot_marks_every_point() {
        let plot = terminal_plot(&usl_fit(), 60, 12);
        let grid_marks: usize = plot
            .lines()
            .filter_map(|line| line.split_once('|').map(|(_, cells)| cells))
            .map(|cells| cells.matches(['o', '@']).count())
            .sum();
        // The six points (N = 1 to 32) fall in separate columns of a 60-column grid.
        assert_eq!(grid_marks, 6, "expected six point marks in:\n{plot}");
    }

    #[test]
    fn terminal_plot_draws_curve() {
        let plot = terminal_plot(&usl_fit(), 60, 12);
        assert!(
            plot.matches('.').count() > 30,
            "fitted curve missing:\n{plot}"
        );
    }
}
