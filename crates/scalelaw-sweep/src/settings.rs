//! The settings that define a sweep, and the plan compiled from them.
//!
//! [`Settings`] is what the journal records, so that `--resume` can check that it
//! continues the same sweep. [`Plan`] checks the settings and turns each point into a
//! [`RunRequest`].

use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::executor::RunRequest;
use crate::metric::{self, MetricError, MetricReader, MetricSpec};
use crate::param::{self, ParamError, Point, ScaleParameter};
use crate::process::find_program;
use crate::template::{split_words, Template, UnknownPlaceholder, UnterminatedQuote};

/// When a point has had enough measured runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum StopRule {
    /// Exactly `runs` measured runs per point.
    Fixed { runs: usize },
    /// At least `min_runs` runs and `min_time_s` seconds of measured run time per point.
    /// With a `target_rse`, runs also continue until the relative standard error of the mean
    /// of `rse_metric` is at most `target_rse` (a fraction, so 0.02 is 2%). A point never
    /// gets more than `max_runs` measured runs.
    Adaptive {
        min_runs: usize,
        min_time_s: f64,
        target_rse: Option<f64>,
        rse_metric: String,
        max_runs: usize,
    },
}

/// The order in which runs of different points follow each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Rounds of one run per unfinished point, each round in a seeded random order, so
    /// that slow drift of the machine spreads over all points instead of passing for a
    /// scaling effect.
    Interleaved,
    /// All runs of the first point, then all of the next, in the order of the points.
    Sequential,
}

/// Everything that defines what a sweep measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// The command template as given, one element per word.
    pub command: Vec<String>,
    /// The shell that runs the command (as `SHELL -c LINE`), or `None` to run it directly.
    pub shell: Option<String>,
    /// Environment variable templates, as pairs of name and value.
    pub env: Vec<(String, String)>,
    pub parameters: Vec<ScaleParameter>,
    /// Warmup runs per point, which are journaled but not summarized.
    pub warmup: usize,
    pub stop: StopRule,
    pub order: Order,
    pub seed: u64,
    pub metrics: Vec<MetricSpec>,
    /// Work done by one run, as a template (such as `1e6*{n}`), for the `throughput`
    /// metric in units per second.
    pub work: Option<String>,
    pub timeout_s: Option<f64>,
}

impl Settings {
    /// Lists the settings that differ from `other`, as `name: this vs other`.
    pub fn differences(&self, other: &Settings) -> Vec<String> {
        let this = serde_json::to_value(self).unwrap_or_default();
        let that = serde_json::to_value(other).unwrap_or_default();
        let (Some(this), Some(that)) = (this.as_object(), that.as_object()) else {
            return Vec::new();
        };
        this.iter()
            .filter_map(|(key, value)| {
                let theirs = that.get(key).cloned().unwrap_or_default();
                (value != &theirs).then(|| format!("{key}: {value} vs {theirs}"))
            })
            .collect()
    }
}

/// Problems found while checking the settings, before any run starts.
#[derive(Debug, Error)]
pub enum PlanError {
    #[error("no command given: put it after --, as in: scalelaw sweep -p n=1..4 -- ./bench {{n}}")]
    NoCommand,
    #[error(transparent)]
    Param(#[from] ParamError),
    #[error(transparent)]
    Metric(#[from] MetricError),
    #[error(transparent)]
    Placeholder(#[from] UnknownPlaceholder),
    #[error(transparent)]
    Quote(#[from] UnterminatedQuote),
    #[error("command not found: '{program}' (at {point}) is not an executable file or a program on PATH; check the spelling, or pass --shell to run shell built-ins and pipelines")]
    ProgramNotFound { program: String, point: String },
    #[error("invalid --env '{0}': expected NAME=VALUE")]
    InvalidEnv(String),
    #[error("invalid --work '{text}' at {point}: expected a number above zero or a product such as 1e6*{{n}}")]
    InvalidWork { text: String, point: String },
    #[error("invalid --timeout {0}: expected seconds above zero")]
    InvalidTimeout(f64),
    #[error("invalid run count: {0}")]
    InvalidRuns(String),
    #[error("invalid --target-rse {0}: expected a percentage above 0 and below 100")]
    InvalidTargetRse(f64),
    #[error("--rse-metric {0} is not a metric of this sweep; choose one of {1}")]
    UnknownRseMetric(String, String),
}

/// Checked settings, ready to produce run requests.
#[derive(Debug, Clone)]
pub struct Plan {
    pub settings: Settings,
    pub points: Vec<Point>,
    words: Vec<Template>,
    env: Vec<(String, Template)>,
    work: Option<Template>,
    readers: Vec<MetricReader>,
    /// Standard output is captured for custom metrics, not shown.
    pub show_output: bool,
}

/// Names of the metrics every sweep records, in column order.
pub const BUILT_IN_METRICS: [&str; 4] = ["time_s", "user_s", "sys_s", "max_rss_kib"];

impl Plan {
    /// Checks `settings` and compiles the templates. Does not look for the program, which
    /// [`Plan::check_programs`] does.
    pub fn new(settings: Settings) -> Result<Plan, PlanError> {
        if settings.command.is_empty() || settings.command.iter().all(|w| w.trim().is_empty()) {
            return Err(PlanError::NoCommand);
        }
        param::check_unique_names(&settings.parameters)?;
        let names: Vec<&str> = settings
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        metric::check_names(&settings.metrics, &names, settings.work.is_some())?;
        for name in &names {
            if metric::RESERVED_NAMES.contains(name) || *name == metric::THROUGHPUT {
                return Err(PlanError::Metric(MetricError::DuplicateName {
                    name: name.to_string(),
                }));
            }
        }
        check_stop_rule(&settings)?;
        if let Some(timeout) = settings.timeout_s {
            if !(timeout.is_finite() && timeout > 0.0) {
                return Err(PlanError::InvalidTimeout(timeout));
            }
        }

        let words: Vec<String> = match &settings.shell {
            Some(shell) => vec![shell.clone(), "-c".to_string(), settings.command.join(" ")],
            None if settings.command.len() == 1 => split_words(&settings.command[0])?,
            None => settings.command.clone(),
        };
        let words: Vec<Template> = words.iter().map(|w| Template::parse(w)).collect();
        for word in &words {
            word.check(&names)?;
        }

        let mut env = Vec::new();
        for (key, value) in &settings.env {
            if key.is_empty() || key.contains('=') {
                return Err(PlanError::InvalidEnv(format!("{key}={value}")));
            }
            let template = Template::parse(value);
            template.check(&names)?;
            env.push((key.clone(), template));
        }

        let work = match &settings.work {
            Some(text) => {
                let template = Template::parse(text);
                template.check(&names)?;
                Some(template)
            }
            None => None,
        };

        let readers = settings
            .metrics
            .iter()
            .map(MetricSpec::compile)
            .collect::<Result<Vec<_>, _>>()?;
        let points = param::points(&settings.parameters);

        let plan = Plan {
            settings,
            points,
            words,
            env,
            work,
            readers,
            show_output: false,
        };
        plan.check_work()?;
        plan.check_rse_metric()?;
        Ok(plan)
    }

    fn check_work(&self) -> Result<(), PlanError> {
        for point in &self.points {
            self.work_at(point)?;
        }
        Ok(())
    }

    fn check_rse_metric(&self) -> Result<(), PlanError> {
        if let StopRule::Adaptive {
            target_rse: Some(_),
            rse_metric,
            ..
        } = &self.settings.stop
        {
            let names = self.metric_names();
            if !names.iter().any(|name| name == rse_metric) {
                return Err(PlanError::UnknownRseMetric(
                    rse_metric.clone(),
                    names.join(", "),
                ));
            }
        }
        Ok(())
    }

    /// Checks that the program of every point can be found, so that a typing mistake
    /// fails before the first run instead of at it.
    pub fn check_programs(&self) -> Result<(), PlanError> {
        let mut checked: Vec<String> = Vec::new();
        for point in &self.points {
            let program = self.words[0].render(point);
            if checked.contains(&program) {
                continue;
            }
            if find_program(&program).is_none() {
                return Err(PlanError::ProgramNotFound {
                    program,
                    point: describe_point(point),
                });
            }
            checked.push(program);
        }
        Ok(())
    }

    /// Returns the work amount at `point`, if the sweep has one.
    pub fn work_at(&self, point: &Point) -> Result<Option<f64>, PlanError> {
        let Some(template) = &self.work else {
            return Ok(None);
        };
        let text = template.render(point);
        metric::parse_work(&text)
            .map(Some)
            .ok_or_else(|| PlanError::InvalidWork {
                text,
                point: describe_point(point),
            })
    }

    /// Returns the compiled custom metrics.
    pub fn readers(&self) -> &[MetricReader] {
        &self.readers
    }

    /// Returns the metric column names: the built-in ones, the custom ones, then
    /// `throughput` when the sweep has a work amount.
    pub fn metric_names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILT_IN_METRICS.iter().map(|s| s.to_string()).collect();
        names.extend(self.settings.metrics.iter().map(|m| m.name.clone()));
        if self.work.is_some() {
            names.push(metric::THROUGHPUT.to_string());
        }
        names
    }

    /// Returns the scale parameter names, in column order.
    pub fn parameter_names(&self) -> Vec<String> {
        self.settings
            .parameters
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// Builds the request for one run at `point`.
    pub fn request(&self, point: &Point) -> RunRequest {
        let mut words = self.words.iter().map(|w| w.render(point));
        let program = words.next().unwrap_or_default();
        RunRequest {
            point: point.clone(),
            program,
            args: words.collect(),
            env: self
                .env
                .iter()
                .map(|(key, value)| (key.clone(), value.render(point)))
                .collect(),
            timeout: self.settings.timeout_s.map(Duration::from_secs_f64),
            capture_output: !self.readers.is_empty(),
            show_output: self.show_output,
        }
    }

    /// Returns the index of the point with these scale parameter values.
    pub fn find_point(&self, values: &[(String, String)]) -> Option<usize> {
        self.points.iter().position(|point| {
            point.0.len() == values.len()
                && point
                    .0
                    .iter()
                    .all(|(name, value)| values.iter().any(|(n, v)| n == name && v == value))
        })
    }
}

fn describe_point(point: &Point) -> String {
    if point.0.is_empty() {
        "the only point".to_string()
    } else {
        format!("point {}", point.label())
    }
}

fn check_stop_rule(settings: &Settings) -> Result<(), PlanError> {
    match &settings.stop {
        StopRule::Fixed { runs } => {
            if *runs == 0 {
                return Err(PlanError::InvalidRuns(
                    "--runs must be at least 1".to_string(),
                ));
            }
        }
        StopRule::Adaptive {
            min_runs,
            min_time_s,
            target_rse,
            max_runs,
            ..
        } => {
            if *min_runs == 0 {
                return Err(PlanError::InvalidRuns(
                    "--min-runs must be at least 1".to_string(),
                ));
            }
            if *max_runs < *min_runs {
                return Err(PlanError::InvalidRuns(format!(
                    "--max-runs {max_runs} is below --min-runs {min_runs}; raise --max-runs"
                )));
            }
            if !(min_time_s.is_finite() && *min_time_s >= 0.0) {
                return Err(PlanError::InvalidRuns(format!(
                    "--min-time {min_time_s} must be zero or more seconds"
                )));
            }
            if let Some(target) = target_rse {
                if !(target.is_finite() && *target > 0.0 && *target < 1.0) {
                    return Err(PlanError::InvalidTargetRse(target * 100.0));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn settings(command: &[&str], params: &[&str]) -> Settings {
        Settings {
            command: command.iter().map(|s| s.to_string()).collect(),
            shell: None,
            env: Vec::new(),
            parameters: params
                .iter()
                .map(|p| ScaleParameter::parse(p).unwrap())
                .collect(),
            warmup: 0,
            stop: StopRule::Fixed { runs: 3 },
            order: Order::Interleaved,
            seed: 1,
            metrics: Vec::new(),
            work: None,
            timeout_s: None,
        }
    }

    #[test]
    fn request_fills_command_and_env() {
        let mut s = settings(&["bench", "--threads", "{n}"], &["n=2"]);
        s.env.push(("OMP_NUM_THREADS".into(), "{n}".into()));
        let plan = Plan::new(s).unwrap();
        let request = plan.request(&plan.points[0]);
        assert_eq!(request.program, "bench");
        assert_eq!(request.args, ["--threads", "2"]);
        assert_eq!(request.env, [("OMP_NUM_THREADS".into(), "2".into())]);
    }

    #[test]
    fn single_word_command_is_split() {
        let plan = Plan::new(settings(&["sleep 0.{n}"], &["n=1"])).unwrap();
        let request = plan.request(&plan.points[0]);
        assert_eq!(request.program, "sleep");
        assert_eq!(request.args, ["0.1"]);
    }

    #[test]
    fn shell_joins_words() {
        let mut s = settings(&["echo", "{n}", "&&", "true"], &["n=3"]);
        s.shell = Some("sh".into());
        let plan = Plan::new(s).unwrap();
        let request = plan.request(&plan.points[0]);
        assert_eq!(request.program, "sh");
        assert_eq!(request.args, ["-c", "echo 3 && true"]);
    }

    #[test]
    fn unknown_placeholders_rejected_everywhere() {
        assert!(Plan::new(settings(&["echo", "{m}"], &["n=1"])).is_err());
        let mut s = settings(&["echo"], &["n=1"]);
        s.env.push(("X".into(), "{m}".into()));
        assert!(Plan::new(s).is_err());
        let mut s = settings(&["echo"], &["n=1"]);
        s.work = Some("{m}".into());
        assert!(Plan::new(s).is_err());
    }

    #[test]
    fn work_must_be_positive_number() {
        let mut s = settings(&["echo"], &["n=0,1"]);
        s.work = Some("1000*{n}".into());
        let err = Plan::new(s).unwrap_err().to_string();
        assert!(err.contains("--work"), "{err}");
        assert!(err.contains("n=0"), "{err}");
    }

    #[test]
    fn parameter_named_like_metric_rejected() {
        assert!(Plan::new(settings(&["echo"], &["time_s=1"])).is_err());
    }

    #[test]
    fn missing_program_found_before_runs() {
        let plan = Plan::new(settings(&["scalelaw-no-such-program-{n}"], &["n=1"])).unwrap();
        let err = plan.check_programs().unwrap_err().to_string();
        assert!(err.contains("scalelaw-no-such-program-1"), "{err}");
        assert!(err.contains("--shell"), "{err}");
    }

    #[test]
    fn stop_rules_checked() {
        let mut s = settings(&["echo"], &[]);
        s.stop = StopRule::Fixed { runs: 0 };
        assert!(Plan::new(s).is_err());
        let mut s = settings(&["echo"], &[]);
        s.stop = StopRule::Adaptive {
            min_runs: 5,
            min_time_s: 0.0,
            target_rse: None,
            rse_metric: "time_s".into(),
            max_runs: 2,
        };
        let err = Plan::new(s).unwrap_err().to_string();
        assert!(err.contains("--max-runs"), "{err}");
        let mut s = settings(&["echo"], &[]);
        s.stop = StopRule::Adaptive {
            min_runs: 2,
            min_time_s: 0.0,
            target_rse: Some(0.02),
            rse_metric: "speed".into(),
            max_runs: 20,
        };
        let err = Plan::new(s).unwrap_err().to_string();
        assert!(err.contains("--rse-metric speed"), "{err}");
    }

    #[test]
    fn differences_name_the_setting() {
        let a = settings(&["echo"], &["n=1,2"]);
        let mut b = a.clone();
        b.warmup = 2;
        let differences = a.differences(&b);
        assert_eq!(differences, ["warmup: 0 vs 2"]);
    }
}
