//! Structure of the report's plots and page: a snapshot of each SVG plot's element
//! counts and labels for a fixed data set, PNG output, and the page's independence
//! from the network.
//!
//! The snapshot is a structural summary, not the SVG text, so that a change in
//! rounding or layout by a pixel does not fail it. After an intended change to the
//! plots, rewrite it with `UPDATE_SNAPSHOTS=1 cargo test -p scalelaw-cli --test
//! report_output` and review the diff.

mod report_support;

use std::collections::BTreeMap;
use std::path::Path;

use report_support::{data_file, run_report};

const SNAPSHOT: &str = "tests/snapshots/report_specsdm91_svg.txt";

/// Arguments that make the specsdm91 report reproducible and quick.
const FIXED_ARGS: &[&str] = &["--bootstrap", "50", "--seed", "7"];

/// Element counts by tag name and the text of every `<text>` element that is not a
/// number, with digits replaced by `#`: tick labels and estimates change with the
/// data and the solver, titles and legends do not.
fn summarize_svg(svg: &str) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut labels = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if name.is_empty() {
            continue;
        }
        *counts.entry(name.clone()).or_default() += 1;
        if name == "text" {
            let body_start = rest.find('>').map_or(rest.len(), |i| i + 1);
            let body_end = rest.find("</text>").unwrap_or(rest.len());
            let body = rest[body_start..body_end.max(body_start)].trim();
            let numeric = body
                .chars()
                .all(|c| c.is_ascii_digit() || ".-e+".contains(c));
            if !body.is_empty() && !numeric {
                labels.push(body.replace(|c: char| c.is_ascii_digit(), "#"));
            }
        }
    }
    let mut out = String::new();
    for (name, count) in &counts {
        out.push_str(&format!("  <{name}>: {count}\n"));
    }
    for label in labels {
        out.push_str(&format!("  text: {label}\n"));
    }
    out
}

/// Returns the trimmed content of every `<text>` element.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|rest| {
            let body_start = rest.find('>')? + 1;
            let body_end = rest.find("</text>")?;
            Some(rest[body_start..body_end].trim().to_string())
        })
        .collect()
}

/// Summarizes every SVG file in `dir`, sorted by file name.
fn summarize_dir(dir: &Path) -> String {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("read the plot directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "svg"))
        .collect();
    names.sort();
    let mut out = String::new();
    for path in names {
        let svg = std::fs::read_to_string(&path).expect("read an SVG plot");
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!("{name}\n{}", summarize_svg(&svg)));
    }
    out
}

#[test]
fn svg_structure_matches_snapshot() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let plots = dir.path().join("plots");
    let mut args = FIXED_ARGS.to_vec();
    args.extend([
        "--plot-dir",
        plots.to_str().unwrap(),
        "--plot-format",
        "svg",
    ]);
    run_report(
        &data_file("usl/specsdm91.csv"),
        &dir.path().join("report.html"),
        &args,
    );
    let summary = summarize_dir(&plots);

    let snapshot_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot_path, &summary).expect("write the snapshot");
    }
    let expected = std::fs::read_to_string(&snapshot_path).unwrap_or_else(|_| {
        panic!("snapshot {SNAPSHOT} missing; create it with UPDATE_SNAPSHOTS=1 and review it")
    });
    assert_eq!(
        summary, expected,
        "SVG structure differs from {SNAPSHOT}; if the change is intended, rerun with \
         UPDATE_SNAPSHOTS=1 and review the diff"
    );
}

#[test]
fn svg_scaling_plot_has_points_and_labels() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let plots = dir.path().join("plots");
    let mut args = FIXED_ARGS.to_vec();
    args.extend(["--plot-dir", plots.to_str().unwrap()]);
    run_report(
        &data_file("usl/specsdm91.csv"),
        &dir.path().join("report.html"),
        &args,
    );
    let svg = std::fs::read_to_string(plots.join("series1-scaling.svg")).expect("scaling plot");

    // specsdm91 has 7 measured points; the legend adds one more circle.
    assert_eq!(svg.matches("<circle").count(), 7 + 1);
    let texts = svg_texts(&svg);
    let has = |text: &str| texts.iter().any(|t| t == text);
    assert!(has("throughput against load"), "title missing in {texts:?}");
    assert!(has("load"), "x axis label missing in {texts:?}");
    assert!(has("throughput"), "y axis label missing in {texts:?}");
    assert!(has("Universal Scalability Law"), "USL legend entry missing");
    assert!(
        texts.iter().any(|t| t.starts_with("peak N* =")),
        "peak label missing"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("knee =")),
        "knee label missing"
    );
    // One band per law with bootstrap resamples (linear, Amdahl, Gustafson, USL) and
    // one triangle each for the peak and the knee.
    assert_eq!(
        svg.matches("<polygon").count(),
        4 + 2,
        "bands and balance point markers"
    );
}

#[test]
fn png_plots_are_written() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let plots = dir.path().join("plots");
    let mut args = FIXED_ARGS.to_vec();
    args.extend([
        "--plot-dir",
        plots.to_str().unwrap(),
        "--plot-format",
        "png",
    ]);
    run_report(
        &data_file("usl/specsdm91.csv"),
        &dir.path().join("report.html"),
        &args,
    );
    for name in ["scaling", "efficiency", "residuals"] {
        let path = plots.join(format!("series1-{name}.png"));
        let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{} missing", path.display()));
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is not a PNG",
            path.display()
        );
        assert!(bytes.len() > 10_000, "{} is nearly empty", path.display());
    }
}

#[test]
fn html_has_no_external_reference() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = dir.path().join("report.html");
    run_report(&data_file("usl/specsdm91.csv"), &page, FIXED_ARGS);
    let html = std::fs::read_to_string(&page).expect("read the report");

    // The SVG namespace declarations are the only URLs allowed, and only as the
    // value of an xmlns attribute, which browsers never fetch.
    let allowed = [
        "xmlns=\"http://www.w3.org/2000/svg\"",
        "xmlns:xlink=\"http://www.w3.org/1999/xlink\"",
    ];
    let mut remainder = html.clone();
    for declaration in allowed {
        remainder = remainder.replace(declaration, "");
    }
    for scheme in ["http://", "https://", "//cdn", "ftp://"] {
        assert!(
            !remainder.contains(scheme),
            "the report references {scheme} outside the SVG namespace declarations"
        );
    }
    assert!(html.contains(allowed[0]), "inline SVG lacks its namespace");
    for pattern in ["<link", "src=", "@import", "url(", "@font-face"] {
        assert!(
            !html.contains(pattern),
            "the report contains {pattern:?}, which could load an external resource"
        );
    }
}

#[test]
fn cost_and_goal_add_frontier() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = dir.path().join("report.html");
    let mut args = FIXED_ARGS.to_vec();
    args.extend(["--cost-per-unit", "2.5", "--target-throughput", "1500"]);
    run_report(&data_file("usl/specsdm91.csv"), &page, &args);
    let html = std::fs::read_to_string(&page).expect("read the report");

    assert!(
        html.contains("data-plot=\"frontier\""),
        "no cost frontier plot"
    );
    assert!(html.contains(">knee</td>"), "no knee in the balance points");
    assert!(
        html.contains(">cheapest</td>"),
        "no cheapest N in the balance points"
    );
    assert!(
        html.contains(">target</td>"),
        "no target in the balance points"
    );
}

#[test]
fn goal_without_cost_is_rejected() {
    let output = report_support::scalelaw(&[
        "report",
        data_file("usl/specsdm91.csv").to_str().unwrap(),
        "--target-throughput",
        "1500",
    ]);
    assert!(
        !output.status.success(),
        "a goal without a cost was accepted"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--cost-per-unit"),
        "the error does not name the flag to set: {stderr}"
    );
}
