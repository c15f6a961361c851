//! The HTML page: inline CSS, inline SVG plots, tables and a small inline script that
//! checks the plots after loading.
//!
//! The page references nothing outside itself. The only URLs in it are the SVG
//! namespace declarations that plotters writes into each `<svg>` element, which a
//! browser never fetches.

use std::fmt::Write;

use scalelaw::select::{Comparison, Entry};
use scalelaw::Fit;

use super::chart::format_number;
use super::neural::{neural_charts, NeuralSection};
use super::plots::series_charts;
use super::{ReportInputs, SeriesReport};

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto;
  max-width: 1000px; padding: 1rem 1.5rem 3rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
dl.settings { display: grid; grid-template-columns: max-content auto; gap: 0.1rem 1rem; font-size: 0.9rem; }
dl.settings dt { color: #555; }
dl.settings dd { margin: 0; font-family: ui-monospace, monospace; }
.regime { background: #f3f6fa; border-left: 4px solid #1f77b4; padding: 0.6rem 0.9rem; }
.warning { background: #fff6e5; border-left: 4px solid #e69500; padding: 0.4rem 0.9rem; margin: 0.4rem 0; }
.hook { color: #666; font-style: italic; }
figure.plot { margin: 1rem 0; }
figure.plot svg { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { font-size: 0.85rem; color: #555; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.55rem; text-align: right; }
th { background: #f5f5f5; }
td.text, th.text { text-align: left; }
code { font-family: ui-monospace, monospace; }
#plot-check { font-size: 0.8rem; color: #777; }
"#;

/// Counts the plots and checks each has drawn marks and a non-empty box, then writes
/// the counts into `#plot-check` so that a headless browser's DOM dump shows them.
const CHECK_SCRIPT: &str = r#"
(function () {
  var errors = 0;
  window.addEventListener('error', function () { errors += 1; });
  window.addEventListener('load', function () {
    var figures = document.querySelectorAll('figure.plot');
    var drawn = 0;
    for (var i = 0; i < figures.length; i++) {
      var svg = figures[i].querySelector('svg');
      if (!svg) { continue; }
      var marks = svg.querySelectorAll('circle, polyline, polygon, path, line').length;
      var box = svg.getBoundingClientRect();
      if (marks > 0 && box.width > 0 && box.height > 0) { drawn += 1; }
    }
    var out = document.getElementById('plot-check');
    out.setAttribute('data-plots', String(figures.length));
    out.setAttribute('data-drawn', String(drawn));
    out.setAttribute('data-errors', String(errors));
    out.textContent = drawn + ' of ' + figures.length + ' plots drawn';
  });
})();
"#;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders the whole report page.
pub fn render_html(inputs: &ReportInputs) -> anyhow::Result<String> {
    let mut page = String::new();
    let title = escape(&inputs.title);
    writeln!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n<script>{CHECK_SCRIPT}</script>\n\
         </head>\n<body>\n<h1>{title}</h1>"
    )?;
    page.push_str("<dl class=\"settings\">\n");
    for (name, value) in &inputs.settings {
        writeln!(page, "<dt>{}</dt><dd>{}</dd>", escape(name), escape(value))?;
    }
    page.push_str("</dl>\n");
    for note in &inputs.notes {
        writeln!(page, "<p class=\"note\">{}</p>", escape(note))?;
    }
    if inputs.series.len() > 1 {
        page.push_str("<nav>\n<p>Series:</p>\n<ol>\n");
        for (index, series) in inputs.series.iter().enumerate() {
            writeln!(
                page,
                "<li><a href=\"#series-{}\">{}</a></li>",
                index + 1,
                escape(&series_heading(series, index))
            )?;
        }
        page.push_str("</ol>\n</nav>\n");
    }
    if inputs.series.is_empty() && inputs.neural.is_empty() {
        page.push_str("<p class=\"warning\">The data held no series to fit.</p>\n");
    }
    for (index, series) in inputs.series.iter().enumerate() {
        render_series(&mut page, inputs, series, index)?;
    }
    for section in &inputs.neural {
        render_neural(&mut page, section)?;
    }
    page.push_str("<p id=\"plot-check\">plots not checked: the page script did not run</p>\n");
    page.push_str("</body>\n</html>\n");
    Ok(page)
}

fn render_series(
    page: &mut String,
    inputs: &ReportInputs,
    series: &SeriesReport,
    index: usize,
) -> anyhow::Result<()> {
    let heading = if series.label.is_empty() {
        format!("Series {}", index + 1)
    } else {
        series.label.clone()
    };
    writeln!(
        page,
        "<section class=\"series\">\n<h2>{}</h2>",
        escape(&heading)
    )?;
    for note in &series.notes {
        writeln!(page, "<p class=\"note\">{}</p>", escape(note))?;
    }
    render_verdict(page, &series.comparison)?;

    let charts = series_charts(series, inputs.error_bars);
    let caption = |id: &str| -> String {
        match id {
            "scaling" => format!(
                "Measured means with error bars ({}); each law's curve with its {} \
                 bootstrap percentile band (pointwise); balance points marked.",
                inputs.error_bars.describe(),
                confidence_label(&series.comparison)
            ),
            "efficiency" => "Efficiency X(N)/(N·X(1)); measured points use the best law's \
                             fitted X(1), and the band belongs to the best law."
                .to_string(),
            "residuals" => "Residuals of each law at each measured point; a pattern \
                            rather than scatter means the law misses the shape of the data."
                .to_string(),
            "frontier" => "Pareto frontier of hourly cost against throughput: each point is \
                           an N that no cheaper N matches in throughput; balance points \
                           on the frontier are marked."
                .to_string(),
            _ => String::new(),
        }
    };
    let mut residuals = None;
    for chart in &charts {
        if chart.id == "residuals" {
            // The residual plot belongs beside the fit table, below.
            residuals = Some(chart);
            continue;
        }
        render_figure(page, chart, &caption(&chart.id))?;
        if chart.id == "scaling" {
            render_marks(page, series)?;
        }
    }
    if series.frontier.is_none() {
        page.push_str(
            "<p class=\"hook\">No cost was given, so no cost frontier is drawn; set \
             --cost-per-unit to see one.</p>\n",
        );
    }

    render_predictions(page, series)?;
    writeln!(page, "<h3>Ranking</h3>")?;
    render_ranking(page, &series.comparison)?;
    for entry in entries_by_rank(&series.comparison) {
        if let Some(fit) = &entry.fit {
            render_fit_table(page, fit)?;
        }
    }
    if let Some(chart) = residuals {
        render_figure(page, chart, &caption("residuals"))?;
    }
    page.push_str("</section>\n");
    Ok(())
}

fn render_neural(page: &mut String, section: &NeuralSection) -> anyhow::Result<()> {
    writeln!(
        page,
        "<section class=\"neural\">\n<h2>{}</h2>\n<p><code>{}</code></p>",
        escape(&section.title),
        escape(&section.formula)
    )?;
    for warning in &section.warnings {
        writeln!(page, "<p class=\"warning\">{}</p>", escape(warning))?;
    }
    for chart in neural_charts(section) {
        let caption = match chart.id.as_str() {
            "loss-compute" => {
                "Final loss of each training run against its compute, and the lowest loss \
                 the fitted law reaches at each compute budget with its bootstrap band."
            }
            "isoflop" => {
                "Predicted loss against model size with compute held fixed (tokens \
                 D = C/(6N)); the triangle marks the compute-optimal size of each budget."
            }
            _ => "",
        };
        render_figure(page, &chart, caption)?;
    }
    if !section.parameters.is_empty() {
        page.push_str(
            "<table>\n<tr><th class=\"text\">parameter</th><th>estimate</th>\
             <th>interval</th></tr>\n",
        );
        for (name, estimate, interval) in &section.parameters {
            writeln!(
                page,
                "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                escape(estimate),
                escape(interval)
            )?;
        }
        page.push_str("</table>\n");
    }
    page.push_str("</section>\n");
    Ok(())
}

fn series_heading(series: &SeriesReport, index: usize) -> String {
    if series.label.is_empty() {
        format!("Series {}", index + 1)
    } else {
        series.label.clone()
    }
}

fn confidence_label(comparison: &Comparison) -> String {
    comparison
        .chosen_fit()
        .or_else(|| comparison.entries.iter().find_map(|e| e.fit.as_ref()))
        .map_or_else(
            || "95%".to_string(),
            |fit| format!("{}%", format_number(fit.confidence * 100.0)),
        )
}

fn render_figure(page: &mut String, chart: &super::Chart, caption: &str) -> anyhow::Result<()> {
    let svg = chart.to_svg()?;
    writeln!(
        page,
        "<figure class=\"plot\" data-plot=\"{}\">\n{}\n<figcaption>{}</figcaption>\n</figure>",
        escape(&chart.id),
        strip_xml_declaration(&svg),
        escape(caption)
    )?;
    Ok(())
}

/// Drops an `<?xml …?>` line, which is invalid inside HTML.
fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .find("?>")
            .map_or(svg, |end| rest[end + 2..].trim_start()),
        None => svg,
    }
}

fn render_verdict(page: &mut String, comparison: &Comparison) -> anyhow::Result<()> {
    page.push_str("<div class=\"regime\">\n");
    match comparison.chosen_fit() {
        Some(fit) => {
            writeln!(
                page,
                "<p><strong>{}</strong> describes these data best: {}</p>",
                escape(&fit.law_name),
                escape(&comparison.reason)
            )?;
            writeln!(
                page,
                "<p>Regime: <strong>{}</strong>. {}</p>",
                escape(fit.regime.kind.label()),
                escape(&fit.regime.reason)
            )?;
        }
        None => writeln!(page, "<p>{}</p>", escape(&comparison.reason))?,
    }
    page.push_str("</div>\n");
    if let Some(fit) = comparison.chosen_fit() {
        for warning in &fit.warnings {
            writeln!(page, "<p class=\"warning\">{}</p>", escape(warning))?;
        }
    }
    Ok(())
}

fn render_marks(page: &mut String, series: &SeriesReport) -> anyhow::Result<()> {
    writeln!(page, "<h3>Balance points</h3>")?;
    if series.marks.is_empty() {
        page.push_str(
            "<p>The best law has no peak or roof for these estimates: throughput keeps \
             growing over the range it describes.</p>\n",
        );
        return Ok(());
    }
    page.push_str(
        "<table>\n<tr><th class=\"text\">balance point</th><th>scale</th>\
         <th>interval</th><th>value</th><th class=\"text\">meaning</th></tr>\n",
    );
    for mark in &series.marks {
        writeln!(
            page,
            "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"text\">{}</td></tr>",
            escape(&mark.label),
            optional_number(mark.scale),
            interval(mark.scale_interval),
            optional_number(mark.value),
            escape(&mark.meaning)
        )?;
    }
    page.push_str("</table>\n");
    Ok(())
}

fn render_predictions(page: &mut String, series: &SeriesReport) -> anyhow::Result<()> {
    if series.predictions.is_empty() {
        return Ok(());
    }
    let scale = &series.observations.scale_names()[0];
    writeln!(
        page,
        "<h3>Predictions</h3>\n<table>\n<tr><th class=\"text\">law</th><th>{}</th>\
         <th>{}</th><th>interval</th><th class=\"text\">note</th></tr>",
        escape(scale),
        escape(series.observations.metric_name())
    )?;
    for row in &series.predictions {
        writeln!(
            page,
            "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td class=\"text\">{}</td></tr>",
            escape(&row.law),
            format_number(row.scale),
            optional_number(row.value),
            interval(row.interval),
            if row.extrapolated {
                "outside the measured range"
            } else {
                ""
            }
        )?;
    }
    page.push_str("</table>\n");
    Ok(())
}

fn render_ranking(page: &mut String, comparison: &Comparison) -> anyhow::Result<()> {
    writeln!(
        page,
        "<p>Laws ranked by {}.</p>",
        escape(comparison.criterion.label())
    )?;
    page.push_str(
        "<table>\n<tr><th class=\"text\">law</th><th>rank</th><th>Δ</th><th>Akaike weight</th>\
         <th>R²</th><th>residual std. error</th><th>AICc</th><th>BIC</th>\
         <th>leave-one-out RMSE</th><th class=\"text\">regime</th></tr>\n",
    );
    for entry in entries_by_rank(comparison) {
        match &entry.fit {
            Some(fit) => {
                let d = &fit.diagnostics;
                writeln!(
                    page,
                    "<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                    escape(&entry.law_name),
                    entry.rank.map_or_else(|| "–".to_string(), |r| r.to_string()),
                    optional_number(entry.delta),
                    optional_number(entry.weight),
                    optional_number(d.r_squared.is_finite().then_some(d.r_squared)),
                    optional_number(d.residual_std_error),
                    optional_number(d.aicc),
                    format_number(d.bic),
                    optional_number(d.loo_rmse),
                    escape(fit.regime.kind.label())
                )?;
            }
            None => writeln!(
                page,
                "<tr><td class=\"text\">{}</td><td colspan=\"9\" class=\"text\">not fitted: {}</td></tr>",
                escape(&entry.law_name),
                escape(entry.error.as_deref().unwrap_or("unknown error"))
            )?,
        }
    }
    page.push_str("</table>\n");
    Ok(())
}

/// Returns the comparison's entries, best rank first and failed fits last.
fn entries_by_rank(comparison: &Comparison) -> Vec<&Entry> {
    let mut entries: Vec<&Entry> = comparison.entries.iter().collect();
    entries.sort_by_key(|entry| entry.rank.unwrap_or(usize::MAX));
    entries
}

fn render_fit_table(page: &mut String, fit: &Fit) -> anyhow::Result<()> {
    let level = format!("{}%", format_number(fit.confidence * 100.0));
    writeln!(
        page,
        "<h3>{}</h3>\n<p><code>{}</code>{}</p>",
        escape(&fit.law_name),
        escape(&fit.formula),
        if fit.bounded { " (bounded fit)" } else { "" }
    )?;
    writeln!(
        page,
        "<table>\n<tr><th class=\"text\">parameter</th><th>estimate</th><th>std. error</th>\
         <th>{level} t interval</th><th>{level} bootstrap interval</th></tr>"
    )?;
    for param in &fit.params {
        writeln!(
            page,
            "<tr><td class=\"text\">{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&param.name),
            if param.at_bound { " (at bound)" } else { "" },
            format_number(param.value),
            optional_number(param.std_error),
            interval(param.t_interval),
            interval(param.bootstrap_interval)
        )?;
    }
    for derived in &fit.derived {
        let value = match derived.derived.value {
            Some(v) => format_number(v),
            None => escape(derived.derived.note.as_deref().unwrap_or("none")),
        };
        writeln!(
            page,
            "<tr><td class=\"text\" title=\"{}\">{} (derived)</td><td>{}</td><td>–</td><td>–</td>\
             <td>{}</td></tr>",
            escape(&derived.derived.meaning),
            escape(&derived.derived.name),
            value,
            interval(derived.bootstrap_interval)
        )?;
    }
    page.push_str("</table>\n");
    writeln!(
        page,
        "<p>Regime: <strong>{}</strong>. {}</p>",
        escape(fit.regime.kind.label()),
        escape(&fit.regime.reason)
    )?;
    for warning in &fit.warnings {
        writeln!(page, "<p class=\"warning\">{}</p>", escape(warning))?;
    }
    Ok(())
}

fn optional_number(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), format_number)
}

fn interval(value: Option<(f64, f64)>) -> String {
    value.map_or_else(
        || "–".to_string(),
        |(low, high)| format!("[{}, {}]", format_number(low), format_number(high)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_markup() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn xml_declaration_is_dropped() {
        assert_eq!(
            strip_xml_declaration("<?xml version=\"1.0\"?>\n<svg/>"),
            "<svg/>"
        );
        assert_eq!(strip_xml_declaration("<svg/>"), "<svg/>");
    }
}
