//! One gate as one process group: `sh -c <run>` with stdin closed, stdout and stderr on
//! one pipe streamed to a log file, a timeout with SIGTERM then SIGKILL after `grace`,
//! and no survivors: whatever the gate left running is killed when it ends.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant, SystemTime};

use crate::sha256::Sha256;

use super::cancel::Cancel;
use crate::classify::Ending;
use crate::model::ParserKind;
use crate::parse::{self, Parsed, RunnerParser};

/// Lines of output kept in memory for the summary.
pub const TAIL_LINES: usize = 20;

pub struct GateSpec<'a> {
    pub command: &'a str,
    pub cwd: &'a Path,
    pub timeout: Duration,
    pub grace: Duration,
    pub log_path: PathBuf,
    pub parser: ParserKind,
    /// Told the gate's process group, so the group dies even if closeout is killed.
    pub watchdog: Option<&'a super::watchdog::Watchdog>,
    /// Called once the log exists, just before the gate is spawned: the runner writes the
    /// gate's start into the run record there (write-ahead), so a closeout killed from
    /// then on leaves a record naming the gate as started. An `Err` (the record cannot be
    /// written) means the gate is not spawned: it ends as `SpawnFailed` with that message.
    pub before_spawn: &'a (dyn Fn() -> std::result::Result<(), String> + Sync),
}

#[derive(Debug, Clone)]
pub struct LogSummary {
    pub bytes: u64,
    pub sha256: String,
    /// Every byte read was written; false on a write error or a pipe held open past the end.
    pub complete: bool,
    pub problem: Option<String>,
}

#[derive(Debug)]
pub struct GateRun {
    pub ending: Ending,
    pub started: SystemTime,
    pub finished: SystemTime,
    pub duration: Duration,
    pub log: LogSummary,
    pub parsed: Parsed,
    pub tail: Vec<String>,
}

/// Run one gate to its end. Never panics on process or file errors: they become the
/// gate's ending or its log summary.
pub fn run_gate(spec: &GateSpec, cancel: &Cancel) -> GateRun {
    let started = SystemTime::now();
    let clock = Instant::now();
    let parser = parse::for_gate(spec.parser, spec.command);
    let finish = |ending, log, parsed, tail| GateRun {
        ending,
        started,
        finished: SystemTime::now(),
        duration: clock.elapsed(),
        log,
        parsed,
        tail,
    };

    let log_file = match std::fs::File::create(&spec.log_path) {
        Ok(f) => f,
        Err(e) => {
            let problem = format!("cannot create log {}: {e}", spec.log_path.display());
            let log = LogSummary {
                bytes: 0,
                sha256: hex(&Sha256::digest(b"")),
                complete: false,
                problem: Some(problem.clone()),
            };
            return finish(Ending::SpawnFailed(problem), log, parser.finish(), Vec::new());
        }
    };
    if let Err(problem) = (spec.before_spawn)() {
        let log = LogSummary { bytes: 0, sha256: hex(&Sha256::digest(b"")), complete: true, problem: None };
        return finish(Ending::SpawnFailed(problem), log, parser.finish(), Vec::new());
    }
    let spawned = (|| {
        let (reader, writer) = pipe()?;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(spec.command)
            .current_dir(spec.cwd)
            .stdin(Stdio::null())
            .stdout(writer.try_clone()?)
            .stderr(writer)
            .process_group(0);
        if let Some(w) = spec.watchdog {
            let inherited = std::env::var_os(super::watchdog::TOKEN_VAR);
            cmd.env(super::watchdog::TOKEN_VAR, w.gate_tokens(inherited.as_deref()));
        }
        #[cfg(target_os = "linux")]
        {
            let parent = std::process::id() as i32;
            // SAFETY: prctl and getppid are async-signal-safe and touch no memory. The gate's
            // leader dies with the closeout thread that started it (the pool's workers
            // live until their last gate has ended); if closeout died before prctl, exit at once.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong, 0, 0, 0) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    if libc::getppid() != parent {
                        libc::_exit(129);
                    }
                    Ok(())
                });
            }
        }
        let child = cmd.spawn()?;
        // `cmd` holds the parent's copies of the pipe's write end; drop them so EOF can come.
        drop(cmd);
        Ok::<_, std::io::Error>((child, reader))
    })();
    let (mut child, reader) = match spawned {
        Ok(pair) => pair,
        Err(e) => {
            let log =
                LogSummary { bytes: 0, sha256: hex(&Sha256::digest(b"")), complete: true, problem: None };
            return finish(Ending::SpawnFailed(e.to_string()), log, parser.finish(), Vec::new());
        }
    };
    let pgid = child.id() as i32;
    if let Some(w) = spec.watchdog {
        w.watch(pgid);
    }

    let stop_reading = Arc::new(AtomicBool::new(false));
    let (read_done_tx, read_done_rx) = mpsc::channel();
    let reader_thread = {
        let stop = stop_reading.clone();
        std::thread::spawn(move || {
            let result = drain(reader, log_file, parser, &stop);
            let _ = read_done_tx.send(());
            result
        })
    };
    let (exit_tx, exit_rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        wait_without_reaping(pgid);
        let _ = exit_tx.send(());
    });

    let deadline = clock + spec.timeout;
    let mut ending = None;
    loop {
        let now = Instant::now();
        let step = deadline.saturating_duration_since(now).min(Duration::from_millis(50));
        match exit_rx.recv_timeout(step) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if cancel.level() > 0 {
            terminate(pgid, cancel.signal(), spec.grace, &exit_rx, cancel);
            ending = Some(Ending::Interrupted);
            break;
        }
        if Instant::now() >= deadline {
            terminate(pgid, libc::SIGTERM, spec.grace, &exit_rx, cancel);
            ending = Some(Ending::TimedOut);
            break;
        }
    }

    // The leader has exited but is not reaped, so its pgid cannot be reused yet: ask
    // anything it left behind to stop, reap it, then make sure the group is gone.
    signal_group(pgid, libc::SIGTERM);
    let status = child.wait();
    let grace_end = Instant::now() + spec.grace;
    while {
        reap_group(pgid);
        group_alive(pgid)
    } && Instant::now() < grace_end
        && cancel.level() < 2
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    if group_alive(pgid) {
        signal_group(pgid, libc::SIGKILL);
        reap_group(pgid);
    }
    if let Some(w) = spec.watchdog {
        w.release(pgid);
    }

    // The pipe closes when the last holder dies; a holder that left the process group is
    // not waited for beyond a short while.
    let held_open = read_done_rx.recv_timeout(Duration::from_millis(500)).is_err();
    if held_open {
        stop_reading.store(true, Ordering::SeqCst);
    }
    let (mut log, parsed, tail) = reader_thread.join().expect("log reader does not panic");
    if held_open {
        log.complete = false;
        log.problem = Some("a process outside the gate's process group kept its output pipe open".into());
    }
    let ending = ending.unwrap_or_else(|| match status {
        Ok(s) => match (s.code(), s.signal()) {
            (Some(code), _) => Ending::Exited(code),
            (None, Some(sig)) => Ending::Signaled(sig),
            (None, None) => Ending::SpawnFailed("no exit status".into()),
        },
        Err(e) => Ending::SpawnFailed(format!("cannot wait for the process: {e}")),
    });
    finish(ending, log, parsed, tail)
}

/// SIGTERM (or the forwarded signal), then SIGKILL after `grace` unless the leader exits;
/// a second Ctrl-C cuts the grace short.
fn terminate(pgid: i32, first: i32, grace: Duration, exited: &mpsc::Receiver<()>, cancel: &Cancel) {
    signal_group(pgid, first);
    let end = Instant::now() + grace;
    let escalated = cancel.level() >= 2;
    while !escalated && Instant::now() < end {
        match exited.recv_timeout(Duration::from_millis(20)) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
            Err(mpsc::RecvTimeoutError::Timeout) if cancel.level() >= 2 => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
    signal_group(pgid, libc::SIGKILL);
    let _ = exited.recv();
}

fn signal_group(pgid: i32, signal: i32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
    unsafe {
        libc::kill(-pgid, signal);
    }
}

/// Reap members of the group that were reparented to closeout (its subreaper) and have
/// exited, so their zombies do not count as alive.
fn reap_group(pgid: i32) {
    loop {
        // SAFETY: non-blocking wait for children in one process group.
        let pid = unsafe {
            let mut status = 0;
            libc::waitpid(-pgid, &mut status, libc::WNOHANG)
        };
        if pid <= 0 {
            return;
        }
    }
}

fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(-pgid, 0) == 0 }
}

/// Block until `pid` exits, leaving it a zombie so its pid stays reserved.
fn wait_without_reaping(pid: i32) {
    loop {
        // SAFETY: waitid writes into the zeroed siginfo we own.
        let rc = unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, libc::WEXITED | libc::WNOWAIT)
        };
        if rc == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return;
        }
    }
}

/// An anonymous pipe, (read end, write end), both close-on-exec, as `std::io::pipe` makes
/// it from Rust 1.87 (here so that closeout builds with 1.85): atomically with pipe2(2)
/// on Linux, where other workers fork concurrently; pipe(2) then fcntl(2) elsewhere.
fn pipe() -> std::io::Result<(std::fs::File, std::fs::File)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: pipe2 and pipe write two descriptors into the array they are given; fcntl
    // only sets a flag on them.
    #[cfg(target_os = "linux")]
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    #[cfg(not(target_os = "linux"))]
    let rc = unsafe {
        let rc = libc::pipe(fds.as_mut_ptr());
        if rc == 0 {
            libc::fcntl(fds[0], libc::F_SETFD, libc::FD_CLOEXEC);
            libc::fcntl(fds[1], libc::F_SETFD, libc::FD_CLOEXEC);
        }
        rc
    };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just opened and are owned by nothing else.
    Ok(unsafe { (std::fs::File::from_raw_fd(fds[0]), std::fs::File::from_raw_fd(fds[1])) })
}

/// Stream the pipe into the log, the hash, the tail and the parser until EOF or `stop`.
fn drain(
    mut pipe: std::fs::File,
    mut log: std::fs::File,
    mut parser: Box<dyn RunnerParser>,
    stop: &AtomicBool,
) -> (LogSummary, Parsed, Vec<String>) {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    let mut problem = None;
    let mut lines = parse::lines::Lines::default();
    let mut tail: VecDeque<String> = VecDeque::with_capacity(TAIL_LINES + 1);
    let fd = pipe.as_raw_fd();
    let mut take_line = |clean: &str| {
        parser.line(clean);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(clean.to_string());
    };
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
        // SAFETY: one pollfd we own.
        let ready = unsafe { libc::poll(&mut pfd, 1, 100) };
        if ready == 0
            || (ready < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted)
        {
            continue;
        }
        let n = match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                problem = Some(format!("reading output failed: {e}"));
                break;
            }
        };
        let chunk = &buf[..n];
        bytes += n as u64;
        hasher.update(chunk);
        if problem.is_none() {
            if let Err(e) = log.write_all(chunk) {
                problem = Some(format!("writing the log failed after {} bytes: {e}", bytes - n as u64));
            }
        }
        lines.feed(chunk, &mut take_line);
    }
    lines.finish(&mut take_line);
    if problem.is_none() {
        if let Err(e) = log.flush() {
            problem = Some(format!("flushing the log failed: {e}"));
        }
    }
    let summary = LogSummary { bytes, sha256: hex(&hasher.finalize()), complete: problem.is_none(), problem };
    (summary, parser.finish(), tail.into_iter().collect())
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
