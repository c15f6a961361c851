//! Guessing column roles from their names: which column is the scale parameter, which
//! the throughput, latency or run time.
//!
//! A name scores 3 when it is a known word as a whole (`workers`), 2 when its first
//! word is (`throughput_ops_per_s`) and 1 when any word is (`total_gpus`). Words are
//! split at `_`, `-`, `.` and spaces. The best score wins, and a tie is reported, not
//! broken silently.

/// Names that mark a scale parameter.
const SCALE_WORDS: &[&str] = &[
    "n",
    "workers",
    "worker",
    "nodes",
    "node",
    "threads",
    "thread",
    "processes",
    "procs",
    "processors",
    "cpus",
    "cores",
    "gpus",
    "concurrency",
    "clients",
    "users",
    "load",
    "vus",
    "connections",
    "replicas",
    "machines",
    "ranks",
    "servers",
    "instances",
    "executors",
    "sessions",
    "parallelism",
];

/// Names that mark a throughput (a rate).
const THROUGHPUT_WORDS: &[&str] = &[
    "throughput",
    "tput",
    "qps",
    "rps",
    "tps",
    "ops",
    "rate",
    "speedup",
];

/// Names that mark a latency (response time of one request).
const LATENCY_WORDS: &[&str] = &["latency", "response", "rt", "resp"];

/// Names that mark the run time of a job.
const TIME_WORDS: &[&str] = &[
    "time", "runtime", "duration", "elapsed", "seconds", "walltime", "makespan",
];

/// Columns with a fixed meaning that are never guessed as scale parameter or metric.
pub const RECOGNISED: &[&str] = &["repeat", "status", "timestamp"];

/// Kind of quantity a metric column measures, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricKind {
    Throughput,
    Latency,
    Time,
}

impl MetricKind {
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::Throughput => "throughput",
            MetricKind::Latency => "latency",
            MetricKind::Time => "run time",
        }
    }

    fn words(self) -> &'static [&'static str] {
        match self {
            MetricKind::Throughput => THROUGHPUT_WORDS,
            MetricKind::Latency => LATENCY_WORDS,
            MetricKind::Time => TIME_WORDS,
        }
    }
}

/// Scores how strongly `name` looks like one of `words` (0 = not at all).
fn score(name: &str, words: &[&str]) -> u8 {
    let lower = name.to_ascii_lowercase();
    if words.contains(&lower.as_str()) {
        return 3;
    }
    let mut parts = lower
        .split(['_', '-', '.', ' '])
        .filter(|part| !part.is_empty());
    match parts.next() {
        Some(first) if words.contains(&first) => 2,
        Some(_) if parts.any(|part| words.contains(&part)) => 1,
        _ => 0,
    }
}

/// Scores `name` as a scale parameter.
pub fn scale_score(name: &str) -> u8 {
    score(name, SCALE_WORDS)
}

/// Scores `name` as a metric of `kind`.
pub fn metric_score(name: &str, kind: MetricKind) -> u8 {
    let by_words = score(name, kind.words());
    if kind == MetricKind::Throughput && is_per_second(name) {
        return by_words.max(2);
    }
    by_words
}

/// Returns whether a column name reads as a rate per second (`samples_per_s`, `req/s`).
fn is_per_second(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["_per_s", "_per_sec", "_per_second", "/s", "/sec"]
        .iter()
        .any(|suffix| lower.ends_with(suffix))
}

/// The outcome of a guess among candidate columns.
#[derive(Debug, PartialEq, Eq)]
pub enum Guess {
    None,
    One(usize),
    /// Several columns share the best score; their indices.
    Tie(Vec<usize>),
}

/// Picks the column with the highest score among `candidates` (indices into `names`).
pub fn best(names: &[String], candidates: &[usize], scorer: impl Fn(&str) -> u8) -> Guess {
    let scored: Vec<(usize, u8)> = candidates
        .iter()
        .map(|&i| (i, scorer(&names[i])))
        .filter(|&(_, s)| s > 0)
        .collect();
    let Some(top) = scored.iter().map(|&(_, s)| s).max() else {
        return Guess::None;
    };
    let winners: Vec<usize> = scored
        .iter()
        .filter(|&&(_, s)| s == top)
        .map(|&(i, _)| i)
        .collect();
    if winners.len() == 1 {
        Guess::One(winners[0])
    } else {
        Guess::Tie(winners)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_prefers_whole_names() {
        assert_eq!(scale_score("nodes"), 3);
        assert_eq!(scale_score("gpus_per_node"), 2);
        assert_eq!(scale_score("total_gpus"), 1);
        assert_eq!(scale_score("throughput"), 0);
        assert_eq!(metric_score("samples_per_s", MetricKind::Throughput), 2);
        assert_eq!(metric_score("requests/s", MetricKind::Throughput), 2);
        assert_eq!(metric_score("samples", MetricKind::Throughput), 0);
    }

    #[test]
    fn metric_kinds_from_names() {
        assert_eq!(
            metric_score("throughput_seq_per_s", MetricKind::Throughput),
            2
        );
        assert_eq!(metric_score("response_time_s", MetricKind::Latency), 2);
        assert_eq!(metric_score("latency_ms", MetricKind::Throughput), 0);
        assert_eq!(metric_score("wall_time", MetricKind::Time), 1);
    }

    #[test]
    fn best_reports_ties() {
        let names: Vec<String> = ["concurrency", "node_throughput", "java_throughput"]
            .map(String::from)
            .to_vec();
        let guess = best(&names, &[1, 2], |n| metric_score(n, MetricKind::Throughput));
        assert_eq!(guess, Guess::Tie(vec![1, 2]));
        assert_eq!(best(&names, &[0, 1, 2], scale_score), Guess::One(0));
    }
}
