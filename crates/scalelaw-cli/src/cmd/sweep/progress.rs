//! The progress bar: current point, runs done out of the expected total, and an ETA.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use scalelaw_sweep::{Observer, Point, RunKind, RunRecord};

/// A progress bar on standard error, or nothing when standard error is not a terminal.
pub struct Bar {
    bar: ProgressBar,
    started: bool,
}

impl Bar {
    pub fn new(visible: bool) -> Self {
        let target = if visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(0), target);
        let style = ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {pos}/{len} runs, ETA {eta} {msg}",
        )
        .expect("the progress template is valid")
        .progress_chars("=> ");
        bar.set_style(style);
        Bar {
            bar,
            started: false,
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Observer for Bar {
    fn run_started(&mut self, point: &Point, kind: RunKind, done: usize, remaining: usize) {
        self.bar.set_length((done + remaining) as u64);
        self.bar.set_position(done as u64);
        if !self.started {
            // Runs resumed from a journal took no time in this session, so they must not
            // count toward the rate the ETA is estimated from.
            self.bar.reset_eta();
            self.started = true;
        }
        let label = if point.0.is_empty() {
            String::new()
        } else {
            point.label()
        };
        let kind = match kind {
            RunKind::Warmup => " (warmup)",
            RunKind::Measured => "",
        };
        self.bar.set_message(format!("{label}{kind}"));
    }

    fn run_finished(&mut self, _record: &RunRecord) {
        self.bar.inc(1);
    }
}
