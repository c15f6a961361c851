//! Renders a report in headless Chromium (Debian's `chromium` package) and checks that
//! the page loads without console messages and that every plot is drawn.
//!
//! The page's inline script writes the number of plots and of drawn plots into
//! `#plot-check`. `--dump-dom` returns the DOM after the load event, so the counts
//! can be read back without a driver. `--enable-logging=stderr` makes Chromium print
//! every console message and uncaught error as a `CONSOLE` line on standard error.
//! A screenshot is written to `target/report-artifacts/` for a person to look at.
//!
//! The fixture `report_two_systems.csv` is synthetic: two systems following the USL
//! (alpha 0.03, beta 0.0008, gamma 250, and alpha 0.06, beta 0, gamma 180), three
//! runs per point, each run perturbed by at most ±2.1%.

mod report_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use report_support::{artifact_dir, fixture, run_report};

/// Maximum time a single Chromium run may take before the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// Chromium from `SCALELAW_CHROMIUM` or `chromium` on the PATH; panics with the fix
/// when neither exists, because CI installs it and a skip would hide a broken setup.
fn chromium() -> PathBuf {
    if let Some(path) = std::env::var_os("SCALELAW_CHROMIUM") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("chromium"))
            .find(|candidate| candidate.is_file())
    });
    on_path.unwrap_or_else(|| {
        panic!(
            "chromium not found on the PATH; run scripts/install-chromium.sh (Debian's \
             chromium package) or set SCALELAW_CHROMIUM to a Chromium binary"
        )
    })
}

/// Runs headless Chromium with the flags that keep it off the network, a fresh
/// profile in `profile`, and `extra` arguments; returns standard output and error.
/// Both go to files beside the profile, because a full pipe would block Chromium
/// while this function waits for it to exit.
fn run_chromium(profile: &Path, extra: &[String]) -> (String, String) {
    let stdout_path = profile.with_extension("stdout");
    let stderr_path = profile.with_extension("stderr");
    let stdout = std::fs::File::create(&stdout_path).expect("create the stdout file");
    let stderr = std::fs::File::create(&stderr_path).expect("create the stderr file");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll chromium") {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            child.kill().ok();
            child.wait().ok();
            panic!("chromium timed out after {BROWSER_TIMEOUT:?} with {extra:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |path: &Path| {
        String::from_utf8_lossy(&std::fs::read(path).expect("read chromium output")).into_owned()
    };
    let (out, err) = (read(&stdout_path), read(&stderr_path));
    assert!(status.success(), "chromium failed with {status}:\n{err}");
    (out, err)
}

/// Returns the value of attribute `name` in the first `#plot-check` element of `dom`.
fn plot_check_attribute(dom: &str, name: &str) -> Option<usize> {
    let start = dom.find("id=\"plot-check\"")?;
    let element = &dom[start..start + dom[start..].find('>')?];
    let key = format!("{name}=\"");
    let value_start = element.find(&key)? + key.len();
    let value_end = value_start + element[value_start..].find('"')?;
    element[value_start..value_end].parse().ok()
}

/// Loads `url` in Chromium and asserts that it wrote nothing to the console and that
/// the page script found `figures` plots, all drawn.
fn check_page_in_chromium(profile: &Path, url: &str, figures: usize) {
    let (dom, log) = run_chromium(
        profile,
        &[
            "--virtual-time-budget=2000".to_string(),
            "--dump-dom".to_string(),
            url.to_string(),
        ],
    );

    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "{url} wrote to the console:\n{}",
        console.join("\n")
    );
    assert_eq!(
        plot_check_attribute(&dom, "data-errors"),
        Some(0),
        "the page script of {url} counted uncaught errors"
    );
    assert_eq!(
        plot_check_attribute(&dom, "data-plots"),
        Some(figures),
        "the page script of {url} did not run or saw a different number of plots"
    );
    assert_eq!(
        plot_check_attribute(&dom, "data-drawn"),
        Some(figures),
        "some plots of {url} are empty or have no size"
    );
}

#[test]
fn report_renders_in_chromium() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = artifact_dir().join("report-two-systems.html");
    run_report(
        &fixture("report_two_systems.csv"),
        &page,
        &[
            "--by",
            "system",
            "--bootstrap",
            "40",
            "--seed",
            "3",
            "--cost-per-unit",
            "1.5",
            "--target-throughput",
            "2000",
        ],
    );
    let html = std::fs::read_to_string(&page).expect("read the report");
    let figures = html.matches("<figure class=\"plot\"").count();
    // Two series, each with the scaling, efficiency, cost frontier and residual plots.
    assert_eq!(figures, 8, "expected eight plots in the page");

    let url = format!("file://{}", page.display());
    check_page_in_chromium(&dir.path().join("profile-dom"), &url, figures);

    let screenshot = artifact_dir().join("report-two-systems.png");
    std::fs::remove_file(&screenshot).ok();
    run_chromium(
        &dir.path().join("profile-screenshot"),
        &[
            "--window-size=1100,2600".to_string(),
            format!("--screenshot={}", screenshot.display()),
            url,
        ],
    );
    let size = std::fs::metadata(&screenshot)
        .expect("chromium wrote the screenshot")
        .len();
    assert!(size > 20_000, "the screenshot is only {size} bytes");
}

#[test]
fn neural_report_renders_in_chromium() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let page = artifact_dir().join("report-chinchilla.html");
    run_report(
        &report_support::data_file("chinchilla/chinchilla_epoch_tidy.csv"),
        &page,
        &["--law", "chinchilla", "--bootstrap", "20", "--seed", "3"],
    );
    let html = std::fs::read_to_string(&page).expect("read the report");
    let figures = html.matches("<figure class=\"plot\"").count();
    // Loss against compute and the isoFLOP profiles.
    assert_eq!(figures, 2, "expected two plots in the page");

    let url = format!("file://{}", page.display());
    check_page_in_chromium(&dir.path().join("profile-dom"), &url, figures);
}
