//! The run journal: a JSON Lines file with one object per line.
//!
//! The first line is the header, `{"type":"sweep","version":1,...,"settings":{...}}`,
//! which records the [`Settings`] so that `--resume` can check it continues the same
//! sweep. Every later line is one finished run, `{"type":"run",...}`, appended with a
//! single `write` before the next run starts, so a killed sweep loses at most the run in
//! flight. With `sync` on, each line is also flushed to the storage device (`fdatasync`),
//! which protects against power loss as well, at the cost of a disk flush per run.
//!
//! A run line looks like this (`exit_code` and `signal` appear for every status, `error`
//! only when the sweep marked the run as failed itself):
//!
//! ```json
//! {"type":"run","point":{"n":"4"},"warmup":false,"repeat":2,"status":"ok",
//!  "exit_code":null,"signal":null,"timestamp":"2026-12-04T20:01:02.345Z",
//!  "elapsed_s":0.52,"metrics":{"time_s":0.52,"user_s":0.5,"sys_s":0.01,"max_rss_kib":2048}}
//! ```

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::executor::RunStatus;
use crate::settings::Settings;

/// The journal format version this crate writes and reads.
pub const JOURNAL_VERSION: u32 = 1;

/// One finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Scale parameter values of the run's point.
    pub point: BTreeMap<String, String>,
    pub warmup: bool,
    /// Index of the run among the point's runs of the same kind, from 0.
    pub repeat: usize,
    #[serde(flatten)]
    pub status: RunStatus,
    /// Start of the run, RFC 3339 in UTC.
    pub timestamp: String,
    /// Wall-clock time the run took, whatever its status, in seconds.
    pub elapsed_s: f64,
    /// Metric values by name. Failed runs may carry some; timed-out runs carry none.
    pub metrics: BTreeMap<String, f64>,
    /// The reason the sweep marked an exited run as failed, such as a metric missing from
    /// its output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Entry {
    Sweep {
        version: u32,
        /// Version of the scalelaw-sweep crate that started the sweep.
        writer: String,
        started: String,
        settings: Settings,
    },
    Run(RunRecord),
}

/// Problems reading or writing a journal.
#[derive(Debug, Error)]
pub enum JournalError {
    #[error("failed to {action} journal {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("journal {path} already exists; pass --resume {path} to continue that sweep, or choose another file with --journal")]
    Exists { path: PathBuf },
    #[error("{path} is not a scalelaw sweep journal: its first line is not a sweep header")]
    NotAJournal { path: PathBuf },
    #[error(
        "journal {path} has version {found}, but this scalelaw reads version {JOURNAL_VERSION}"
    )]
    Version { path: PathBuf, found: u32 },
    #[error(
        "journal {path} is damaged at line {line}: {reason}; only the last line may be incomplete"
    )]
    Corrupt {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}

/// A journal read back for resuming.
#[derive(Debug, Clone)]
pub struct LoadedJournal {
    pub settings: Settings,
    pub records: Vec<RunRecord>,
    /// Length in bytes of the complete lines; anything after it is an unfinished line.
    pub valid_len: u64,
    /// The unfinished last line, if the sweep was killed while writing it.
    pub incomplete_tail: Option<String>,
}

/// Returns the current time as RFC 3339 in UTC, with milliseconds.
pub fn timestamp_now() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

/// Appends runs to a journal file.
#[derive(Debug)]
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    sync: bool,
}

impl JournalWriter {
    /// Creates a new journal and writes its header. Fails if the file exists, so a
    /// finished sweep is never overwritten by accident.
    pub fn create(path: &Path, settings: &Settings, sync: bool) -> Result<Self, JournalError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| {
                if source.kind() == std::io::ErrorKind::AlreadyExists {
                    JournalError::Exists {
                        path: path.to_path_buf(),
                    }
                } else {
                    JournalError::Io {
                        action: "create",
                        path: path.to_path_buf(),
                        source,
                    }
                }
            })?;
        if sync {
            // The new file's directory entry must reach the device too, or a power loss
            // can lose the whole journal.
            let parent = match path.parent() {
                Some(parent) if !parent.as_os_str().is_empty() => parent,
                _ => Path::new("."),
            };
            File::open(parent)
                .and_then(|dir| dir.sync_all())
                .map_err(|source| JournalError::Io {
                    action: "sync the directory of",
                    path: path.to_path_buf(),
                    source,
                })?;
        }
        let mut writer = JournalWriter {
            file,
            path: path.to_path_buf(),
            sync,
        };
        writer.write_entry(&Entry::Sweep {
            version: JOURNAL_VERSION,
            writer: env!("CARGO_PKG_VERSION").to_string(),
            started: timestamp_now(),
            settings: settings.clone(),
        })?;
        Ok(writer)
    }

    /// Opens a journal for appending after `valid_len` bytes, cutting off an unfinished
    /// last line.
    pub fn resume(path: &Path, valid_len: u64, sync: bool) -> Result<Self, JournalError> {
        let io = |action| {
            move |source| JournalError::Io {
                action,
                path: path.to_path_buf(),
                source,
            }
        };
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io("open"))?;
        file.set_len(valid_len).map_err(io("truncate"))?;
        let mut file = file;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(io("seek in"))?;
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
            sync,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one run and flushes it to the operating system (and to the device, when
    /// syncing).
    pub fn append(&mut self, record: &RunRecord) -> Result<(), JournalError> {
        self.write_entry(&Entry::Run(record.clone()))
    }

    fn write_entry(&mut self, entry: &Entry) -> Result<(), JournalError> {
        let mut line = serde_json::to_string(entry).expect("journal entries serialize to JSON");
        line.push('\n');
        let io = |source| JournalError::Io {
            action: "write to",
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(io)?;
        if self.sync {
            self.file.sync_data().map_err(io)?;
        }
        Ok(())
    }
}

/// Reads a journal back. An unfinished last line, left by a sweep killed while writing it,
/// is reported in [`LoadedJournal::incomplete_tail`] instead of failing. A damaged line
/// anywhere else is an error.
pub fn read(path: &Path) -> Result<LoadedJournal, JournalError> {
    let file = File::open(path).map_err(|source| JournalError::Io {
        action: "open",
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let mut settings = None;
    let mut records = Vec::new();
    let mut valid_len = 0u64;
    let mut incomplete_tail = None;
    let mut line_number = 0;
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = reader
            .by_ref()
            .read_until(b'\n', &mut buffer)
            .map_err(|source| JournalError::Io {
                action: "read",
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            break;
        }
        line_number += 1;
        let complete = buffer.ends_with(b"\n");
        let text = String::from_utf8_lossy(&buffer);
        if !complete {
            incomplete_tail = Some(text.into_owned());
            break;
        }
        let entry = match serde_json::from_str::<Entry>(text.trim_end()) {
            Ok(entry) => entry,
            Err(err) => {
                // A damaged last line is what a kill during a write leaves behind, so it
                // is treated like an unfinished one, but only if nothing follows it.
                let mut rest = Vec::new();
                let _ = reader.read_to_end(&mut rest);
                if rest.iter().all(u8::is_ascii_whitespace) && settings.is_some() {
                    incomplete_tail = Some(text.into_owned());
                    break;
                }
                if line_number == 1 {
                    return Err(JournalError::NotAJournal {
                        path: path.to_path_buf(),
                    });
                }
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    line: line_number,
                    reason: err.to_string(),
                });
            }
        };
        match (entry, line_number) {
            (
                Entry::Sweep {
                    version,
                    settings: found,
                    ..
                },
                1,
            ) => {
                if version != JOURNAL_VERSION {
                    return Err(JournalError::Version {
                        path: path.to_path_buf(),
                        found: version,
                    });
                }
                settings = Some(found);
            }
            (Entry::Run(record), line) if line > 1 => records.push(record),
            (_, 1) => {
                return Err(JournalError::NotAJournal {
                    path: path.to_path_buf(),
                })
            }
            (_, line) => {
                return Err(JournalError::Corrupt {
                    path: path.to_path_buf(),
                    line,
                    reason: "a second sweep header".to_string(),
                })
            }
        }
        valid_len += read as u64;
    }
    let settings = settings.ok_or_else(|| JournalError::NotAJournal {
        path: path.to_path_buf(),
    })?;
    Ok(LoadedJournal {
        settings,
        records,
        valid_len,
        incomplete_tail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::tests::settings;

    fn record(repeat: usize, status: RunStatus) -> RunRecord {
        RunRecord {
            point: BTreeMap::from([("n".to_string(), "2".to_string())]),
            warmup: false,
            repeat,
            status,
            timestamp: timestamp_now(),
            elapsed_s: 0.5,
            metrics: BTreeMap::from([("time_s".to_string(), 0.5)]),
            error: None,
        }
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let s = settings(&["echo", "{n}"], &["n=2"]);
        let mut writer = JournalWriter::create(&path, &s, true).unwrap();
        let failed = RunStatus::Failed {
            exit_code: Some(3),
            signal: None,
        };
        writer.append(&record(0, RunStatus::Ok)).unwrap();
        writer.append(&record(1, failed)).unwrap();
        writer.append(&record(2, RunStatus::TimedOut)).unwrap();
        drop(writer);

        let loaded = read(&path).unwrap();
        assert_eq!(loaded.settings, s);
        assert_eq!(loaded.records.len(), 3);
        assert_eq!(loaded.records[1].status, failed);
        assert_eq!(loaded.records[2].status, RunStatus::TimedOut);
        assert!(loaded.incomplete_tail.is_none());
        assert_eq!(loaded.valid_len, std::fs::metadata(&path).unwrap().len());
    }

    #[test]
    fn run_line_is_flat_json() {
        let line = serde_json::to_string(&Entry::Run(record(0, RunStatus::Ok))).unwrap();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["type"], "run");
        assert_eq!(value["status"], "ok");
        assert_eq!(value["point"]["n"], "2");
        assert_eq!(value["metrics"]["time_s"], 0.5);
    }

    #[test]
    fn existing_journal_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, "keep").unwrap();
        let err = JournalWriter::create(&path, &settings(&["echo"], &[]), false).unwrap_err();
        assert!(err.to_string().contains("--resume"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep");
    }

    #[test]
    fn unfinished_last_line_cut_on_resume() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let s = settings(&["echo"], &[]);
        let mut writer = JournalWriter::create(&path, &s, false).unwrap();
        writer.append(&record(0, RunStatus::Ok)).unwrap();
        drop(writer);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"type\":\"run\",\"poi").unwrap();
        drop(file);

        let loaded = read(&path).unwrap();
        assert_eq!(loaded.records.len(), 1);
        assert_eq!(
            loaded.incomplete_tail.as_deref(),
            Some("{\"type\":\"run\",\"poi")
        );

        let mut writer = JournalWriter::resume(&path, loaded.valid_len, false).unwrap();
        writer.append(&record(1, RunStatus::Ok)).unwrap();
        drop(writer);
        let loaded = read(&path).unwrap();
        assert_eq!(loaded.records.len(), 2);
        assert!(loaded.incomplete_tail.is_none());
    }

    #[test]
    fn damaged_middle_line_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let mut writer = JournalWriter::create(&path, &settings(&["echo"], &[]), false).unwrap();
        writer.append(&record(0, RunStatus::Ok)).unwrap();
        drop(writer);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"garbage\n").unwrap();
        drop(file);
        let mut writer =
            JournalWriter::resume(&path, std::fs::metadata(&path).unwrap().len(), false).unwrap();
        writer.append(&record(1, RunStatus::Ok)).unwrap();
        drop(writer);
        let err = read(&path).unwrap_err();
        assert!(
            matches!(err, JournalError::Corrupt { line: 3, .. }),
            "{err}"
        );
    }

    #[test]
    fn other_file_not_a_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.csv");
        std::fs::write(&path, "n,time_s\n1,2\n").unwrap();
        assert!(matches!(read(&path), Err(JournalError::NotAJournal { .. })));
        std::fs::write(&path, "").unwrap();
        assert!(matches!(read(&path), Err(JournalError::NotAJournal { .. })));
    }
}
