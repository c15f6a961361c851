//! Runs commands as real processes and measures them.
//!
//! Each run starts in a new process group, so a timeout or an interrupt can kill the
//! whole tree the command started with one `killpg`. The executor waits for the child
//! with `waitid(WNOWAIT)` first: the exited child stays a zombie, which keeps its process
//! group id from being reused while the leftovers of the group are killed. Then `wait4`
//! reaps the child and returns its resource usage, which covers the child and the
//! descendants it waited for, and nothing else the sweep ever started
//! (`getrusage(RUSAGE_CHILDREN)` would mix in every earlier run).
//!
//! A watchdog thread sleeps until the deadline of the run in flight and kills its group
//! when the deadline passes, so the waiting thread needs no polling.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Instant;

use crate::executor::{ExecuteError, Execution, Executor, RunRequest, RunStatus};

/// The run in flight, as the watchdog and the interrupt handler see it.
#[derive(Debug, Default)]
struct Supervision {
    /// Process group of the run in flight.
    pgid: Option<libc::pid_t>,
    deadline: Option<Instant>,
    timed_out: bool,
    interrupted: bool,
    shutdown: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<Supervision>,
    wake: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Supervision> {
        // A panic while holding this lock leaves only plain fields behind, so the state
        // is still usable.
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }
}

/// A handle that stops the sweep: it kills the run in flight and makes every later
/// [`Executor::execute`] call return [`ExecuteError::Interrupted`].
///
/// It is safe to call from a signal-handling thread (such as the one `ctrlc` starts), but
/// not from inside an async signal handler, because it takes a lock.
#[derive(Debug, Clone)]
pub struct Interrupt(Arc<Shared>);

impl Interrupt {
    pub fn trigger(&self) {
        let mut state = self.0.lock();
        state.interrupted = true;
        if let Some(pgid) = state.pgid {
            kill_group(pgid);
        }
    }

    pub fn is_triggered(&self) -> bool {
        self.0.lock().interrupted
    }
}

fn kill_group(pgid: libc::pid_t) {
    // SAFETY: killpg has no memory-safety preconditions. ESRCH (the group is already
    // empty) is the expected result when nothing is left, so the return value is ignored.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

/// Runs commands as processes, each in its own process group.
///
/// NOTE: if scalelaw itself is killed with SIGKILL, nothing kills the run in flight, which
/// goes on in its own process group until it exits (a hung run needs a manual `kill`).
pub struct ProcessExecutor {
    shared: Arc<Shared>,
    watchdog: Option<JoinHandle<()>>,
    stdout: Option<File>,
    stderr: Option<File>,
}

impl Default for ProcessExecutor {
    fn default() -> Self {
        Self::new()
    }
}

impl ProcessExecutor {
    pub fn new() -> Self {
        ProcessExecutor {
            shared: Arc::new(Shared::default()),
            watchdog: None,
            stdout: None,
            stderr: None,
        }
    }

    /// Returns a handle that interrupts this executor.
    pub fn interrupt(&self) -> Interrupt {
        Interrupt(Arc::clone(&self.shared))
    }

    fn start_watchdog(&mut self) {
        if self.watchdog.is_some() {
            return;
        }
        let shared = Arc::clone(&self.shared);
        self.watchdog = Some(std::thread::spawn(move || watch(&shared)));
    }

    /// Returns empty capture files, created on first use and reused after that.
    fn capture_files(&mut self) -> Result<(File, File), ExecuteError> {
        fn reset(slot: &mut Option<File>) -> std::io::Result<File> {
            if slot.is_none() {
                *slot = Some(tempfile::tempfile()?);
            }
            let file = slot.as_mut().expect("the capture file was just created");
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.try_clone()
        }
        let stdout = reset(&mut self.stdout).map_err(ExecuteError::Capture)?;
        let stderr = reset(&mut self.stderr).map_err(ExecuteError::Capture)?;
        Ok((stdout, stderr))
    }

    fn read_captured(slot: &mut Option<File>) -> Result<String, ExecuteError> {
        let Some(file) = slot.as_mut() else {
            return Ok(String::new());
        };
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(ExecuteError::Capture)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

impl Drop for ProcessExecutor {
    fn drop(&mut self) {
        if let Some(watchdog) = self.watchdog.take() {
            self.shared.lock().shutdown = true;
            self.shared.wake.notify_all();
            let _ = watchdog.join();
        }
    }
}

/// Kills the group of the run in flight when its deadline passes.
fn watch(shared: &Shared) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        let now = Instant::now();
        state = match (state.pgid, state.deadline) {
            (Some(pgid), Some(deadline)) if deadline <= now => {
                kill_group(pgid);
                state.timed_out = true;
                state.deadline = None;
                state
            }
            (Some(_), Some(deadline)) => {
                shared
                    .wake
                    .wait_timeout(state, deadline - now)
                    .unwrap_or_else(|poison| poison.into_inner())
                    .0
            }
            _ => shared
                .wake
                .wait(state)
                .unwrap_or_else(|poison| poison.into_inner()),
        };
    }
}

fn timeval_seconds(time: libc::timeval) -> f64 {
    time.tv_sec as f64 + time.tv_usec as f64 * 1e-6
}

/// Converts `ru_maxrss` to KiB: Linux reports KiB, macOS reports bytes.
fn max_rss_kib(max_rss: libc::c_long) -> u64 {
    let value = u64::try_from(max_rss).unwrap_or(0);
    if cfg!(target_os = "macos") {
        value / 1024
    } else {
        value
    }
}

/// Blocks until `pid` has exited, leaving it unreaped.
fn wait_exited(pid: libc::pid_t) -> std::io::Result<()> {
    loop {
        // SAFETY: siginfo_t is plain data that waitid fills in; zeroed is a valid value.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is a valid, writable siginfo_t for the duration of the call.
        let result = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if result == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Reaps `pid` and returns its wait status and resource usage.
fn reap(pid: libc::pid_t) -> std::io::Result<(libc::c_int, libc::rusage)> {
    loop {
        let mut status: libc::c_int = 0;
        // SAFETY: rusage is plain data that wait4 fills in; zeroed is a valid value.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are valid and writable for the duration of the call.
        let result = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if result == pid {
            return Ok((status, usage));
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

impl Executor for ProcessExecutor {
    fn execute(&mut self, request: &RunRequest) -> Result<Execution, ExecuteError> {
        if self.shared.lock().interrupted {
            return Err(ExecuteError::Interrupted);
        }
        if request.timeout.is_some() {
            self.start_watchdog();
        }

        let mut command = Command::new(&request.program);
        command
            .args(&request.args)
            .envs(request.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .process_group(0);
        if request.capture_output {
            let (stdout, stderr) = self.capture_files()?;
            command.stdout(stdout).stderr(stderr);
        } else if request.show_output {
            command.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        } else {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }

        let start = Instant::now();
        let child = command.spawn().map_err(|source| ExecuteError::Spawn {
            program: request.program.clone(),
            source,
        })?;
        let pid = child.id() as libc::pid_t;
        {
            let mut state = self.shared.lock();
            state.pgid = Some(pid);
            state.deadline = request.timeout.map(|timeout| start + timeout);
            state.timed_out = false;
            if state.interrupted {
                kill_group(pid);
            }
        }
        if request.timeout.is_some() {
            self.shared.wake.notify_all();
        }

        let waited = wait_exited(pid);
        let wall_s = start.elapsed().as_secs_f64();
        let (timed_out, interrupted) = {
            let mut state = self.shared.lock();
            state.pgid = None;
            state.deadline = None;
            (state.timed_out, state.interrupted)
        };
        // The exited child is still a zombie here, so its group id cannot have been
        // reused: kill whatever the command left running in the group, so that no
        // leftover loads the machine during later runs.
        kill_group(pid);
        waited.map_err(ExecuteError::Wait)?;
        let (status, usage) = reap(pid).map_err(ExecuteError::Wait)?;
        // The child is reaped by wait4 above; dropping the handle neither waits nor kills.
        drop(child);

        let status = if timed_out {
            RunStatus::TimedOut
        } else if libc::WIFEXITED(status) {
            match libc::WEXITSTATUS(status) {
                0 => RunStatus::Ok,
                code => RunStatus::Failed {
                    exit_code: Some(code),
                    signal: None,
                },
            }
        } else if interrupted {
            return Err(ExecuteError::Interrupted);
        } else {
            RunStatus::Failed {
                exit_code: None,
                signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
            }
        };

        let (stdout, stderr) = if request.capture_output {
            (
                Self::read_captured(&mut self.stdout)?,
                Self::read_captured(&mut self.stderr)?,
            )
        } else {
            (String::new(), String::new())
        };
        Ok(Execution {
            status,
            wall_s,
            user_s: timeval_seconds(usage.ru_utime),
            sys_s: timeval_seconds(usage.ru_stime),
            max_rss_kib: max_rss_kib(usage.ru_maxrss),
            stdout,
            stderr,
        })
    }
}

/// Finds `program` as the kernel would run it: a path when it contains a slash, or the
/// first executable file of that name in `PATH`.
pub fn find_program(program: &str) -> Option<PathBuf> {
    fn is_executable(path: &Path) -> bool {
        path.metadata()
            .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    }
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let path = PathBuf::from(program);
        return is_executable(&path).then_some(path);
    }
    let search = std::env::var_os("PATH")?;
    std::env::split_paths(&search)
        .map(|dir| dir.join(program))
        .find(|path| is_executable(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::param::Point;
    use std::time::Duration;

    fn request(program: &str, args: &[&str]) -> RunRequest {
        RunRequest {
            point: Point(Vec::new()),
            program: program.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
            env: Vec::new(),
            timeout: None,
            capture_output: false,
            show_output: false,
        }
    }

    #[test]
    fn true_succeeds() {
        let execution = ProcessExecutor::new()
            .execute(&request("true", &[]))
            .unwrap();
        assert_eq!(execution.status, RunStatus::Ok);
        assert!(execution.wall_s > 0.0);
        assert!(execution.max_rss_kib > 0);
    }

    #[test]
    fn exit_code_recorded() {
        let execution = ProcessExecutor::new()
            .execute(&request("sh", &["-c", "exit 3"]))
            .unwrap();
        assert_eq!(
            execution.status,
            RunStatus::Failed {
                exit_code: Some(3),
                signal: None
            }
        );
    }

    #[test]
    fn output_captured_with_env() {
        let mut run = request("sh", &["-c", "echo out=$X; echo err >&2"]);
        run.capture_output = true;
        run.env.push(("X".into(), "5".into()));
        let mut executor = ProcessExecutor::new();
        for _ in 0..2 {
            let execution = executor.execute(&run).unwrap();
            assert_eq!(execution.stdout, "out=5\n");
            assert_eq!(execution.stderr, "err\n");
        }
    }

    #[test]
    fn timeout_kills_run() {
        let mut run = request("sleep", &["30"]);
        run.timeout = Some(Duration::from_millis(100));
        let execution = ProcessExecutor::new().execute(&run).unwrap();
        assert_eq!(execution.status, RunStatus::TimedOut);
        assert!(execution.wall_s < 20.0, "took {} s", execution.wall_s);
    }

    #[test]
    fn interrupt_rejects_later_runs() {
        let mut executor = ProcessExecutor::new();
        executor.interrupt().trigger();
        assert!(matches!(
            executor.execute(&request("true", &[])),
            Err(ExecuteError::Interrupted)
        ));
    }

    #[test]
    fn missing_program_is_spawn_error() {
        let result = ProcessExecutor::new().execute(&request("/nonexistent/scalelaw-x", &[]));
        assert!(matches!(result, Err(ExecuteError::Spawn { .. })));
    }

    #[test]
    fn find_program_searches_path() {
        assert!(find_program("sh").is_some());
        assert!(find_program("scalelaw-no-such-program").is_none());
        assert!(find_program("/bin/sh").is_some());
        assert!(find_program("").is_none());
    }
}
