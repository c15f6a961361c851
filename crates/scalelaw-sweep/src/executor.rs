//! The [`Executor`] trait: one run of a command, measured.
//!
//! [`ProcessExecutor`](crate::process::ProcessExecutor) runs real processes;
//! [`MockExecutor`] returns made-up executions so that scheduling, statistics, the journal
//! and resuming are tested without spawning anything or depending on timing.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::param::Point;

/// The command, arguments and environment of one run, with placeholders filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    pub point: Point,
    pub program: String,
    pub args: Vec<String>,
    /// Variables set on top of the inherited environment.
    pub env: Vec<(String, String)>,
    /// Kills the run's process group once it has run this long.
    pub timeout: Option<Duration>,
    /// Captures standard output and standard error for custom metrics.
    pub capture_output: bool,
    /// Lets the command write to the terminal, when its output is not captured.
    pub show_output: bool,
}

impl RunRequest {
    /// Formats the command as one line, for messages and exports. Words with spaces or
    /// shell metacharacters are single-quoted, so the line can be pasted into a shell.
    pub fn command_line(&self) -> String {
        let words: Vec<String> = std::iter::once(&self.program)
            .chain(&self.args)
            .map(|word| quote_word(word))
            .collect();
        words.join(" ")
    }
}

fn quote_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The outcome of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RunStatus {
    /// Exited with code zero.
    #[default]
    Ok,
    /// Exited with a non-zero code, or was killed by a signal the sweep did not send.
    Failed {
        exit_code: Option<i32>,
        signal: Option<i32>,
    },
    /// Killed by the sweep at the timeout. The run time is only known to exceed the
    /// timeout, so the run is a censored observation and carries no metric values.
    TimedOut,
}

impl RunStatus {
    /// Returns the status word written to the CSV `status` column.
    pub fn word(&self) -> &'static str {
        match self {
            RunStatus::Ok => "ok",
            RunStatus::Failed { .. } => "failed",
            RunStatus::TimedOut => "timed_out",
        }
    }

    /// Describes the status for messages, as in "exited with code 3".
    pub fn describe(&self) -> String {
        match self {
            RunStatus::Ok => "exited with code 0".to_string(),
            RunStatus::Failed {
                exit_code: Some(code),
                ..
            } => format!("exited with code {code}"),
            RunStatus::Failed {
                signal: Some(signal),
                ..
            } => format!("was killed by signal {signal}"),
            RunStatus::Failed { .. } => "failed".to_string(),
            RunStatus::TimedOut => "timed out".to_string(),
        }
    }
}

/// The measurements of one finished run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Execution {
    pub status: RunStatus,
    /// Wall-clock time from just before the spawn to the exit, in seconds.
    pub wall_s: f64,
    /// User CPU time of the process and the descendants it waited for, in seconds.
    pub user_s: f64,
    /// System CPU time of the process and the descendants it waited for, in seconds.
    pub sys_s: f64,
    /// Peak resident set size of the largest process in the run's waited-for tree, in KiB.
    pub max_rss_kib: u64,
    /// Captured standard output, empty unless the request asked for capture.
    pub stdout: String,
    /// Captured standard error, empty unless the request asked for capture.
    pub stderr: String,
}

/// Errors that stop a run from producing an [`Execution`].
#[derive(Debug, Error)]
pub enum ExecuteError {
    #[error("failed to start '{program}': {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("interrupted")]
    Interrupted,
    #[error("failed to wait for the run: {0}")]
    Wait(std::io::Error),
    #[error("failed to read the run's captured output: {0}")]
    Capture(std::io::Error),
}

/// Executes runs. Implementations must not return before the run's process tree is gone
/// (or, for a mock, pretend it is).
pub trait Executor {
    fn execute(&mut self, request: &RunRequest) -> Result<Execution, ExecuteError>;
}

type Behaviour = Box<dyn FnMut(&RunRequest, usize) -> Result<Execution, ExecuteError>>;

/// An executor that calls a closure instead of spawning, and records every request.
///
/// The closure receives the request and the number of earlier calls.
pub struct MockExecutor {
    behaviour: Behaviour,
    pub requests: Vec<RunRequest>,
}

impl MockExecutor {
    pub fn new(
        behaviour: impl FnMut(&RunRequest, usize) -> Result<Execution, ExecuteError> + 'static,
    ) -> Self {
        MockExecutor {
            behaviour: Box::new(behaviour),
            requests: Vec::new(),
        }
    }

    /// Returns a mock whose every run succeeds in `wall_s` seconds.
    pub fn constant(wall_s: f64) -> Self {
        MockExecutor::new(move |_, _| {
            Ok(Execution {
                status: RunStatus::Ok,
                wall_s,
                ..Execution::default()
            })
        })
    }
}

impl Executor for MockExecutor {
    fn execute(&mut self, request: &RunRequest) -> Result<Execution, ExecuteError> {
        let calls = self.requests.len();
        self.requests.push(request.clone());
        (self.behaviour)(request, calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_quotes_shell_words() {
        let request = RunRequest {
            point: Point(Vec::new()),
            program: "sh".into(),
            args: vec![
                "-c".into(),
                "echo 'a' && true".into(),
                "".into(),
                "x=1".into(),
            ],
            env: Vec::new(),
            timeout: None,
            capture_output: false,
            show_output: false,
        };
        assert_eq!(
            request.command_line(),
            r"sh -c 'echo '\''a'\'' && true' '' x=1"
        );
    }
}
