//! Run records: the schema-versioned JSON evidence of one baseline run, and where it lives.
//!
//! Full records and logs go under `target/closeout/runs/<id>/`; a compact copy of the
//! latest run (no log paths, with hashes) goes to `.closeout/latest.json`, which is meant
//! to be committed. Writes are atomic: a temp file in the same folder, fsync, rename.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::vocab::vocab;

/// Bumped whenever a field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// closeout's committed evidence (latest run, packet reviews, verdict), relative to the
/// repository root.
pub const EVIDENCE_DIR: &str = ".closeout";
/// closeout's uncommitted output (full runs, logs, history), relative to the root.
pub const OUTPUT_DIR: &str = "target/closeout";

/// Whether a repository path (as git names it, `/`-separated) is closeout's own output:
/// its evidence under [`EVIDENCE_DIR`] or its run logs and history under [`OUTPUT_DIR`],
/// of a program at the repository root or in a folder of it. Such a path is never a
/// change of the code, committed or not.
pub fn is_own_output(path: &str) -> bool {
    is_under(path, EVIDENCE_DIR) || is_under(path, OUTPUT_DIR)
}

/// Whether `path` lies in the folder `dir`, at the repository root or in a folder of it.
pub fn is_under(path: &str, dir: &str) -> bool {
    let path = path.trim_start_matches("./");
    path == dir
        || path.starts_with(&format!("{dir}/"))
        || path.contains(&format!("/{dir}/"))
        || path.ends_with(&format!("/{dir}"))
}
/// Where full runs go, relative to the repository root.
pub const RUNS_DIR: &str = "target/closeout/runs";
/// The committed compact record of the latest run, relative to the repository root.
pub const LATEST: &str = ".closeout/latest.json";
/// Packet review runs (`closeout packet ID`), one committed record per packet.
pub const PACKETS_DIR: &str = ".closeout/packets";
/// Recorded durations of earlier runs, used to schedule longest-first.
pub const HISTORY: &str = "target/closeout/history.json";

vocab!(
    /// How one gate ended. Only `PASS` passes; `FLAKY` is a gate that failed and then
    /// passed on a retry (its last attempt passed, an earlier one failed).
    Outcome {
        Pass = "PASS",
        Flaky = "FLAKY",
        Fail = "FAIL",
        BuildFailed = "BUILD_FAILED",
        NoTests = "NO_TESTS",
        EmptyOutput = "EMPTY_OUTPUT",
        Timeout = "TIMEOUT",
        Truncated = "TRUNCATED",
        SpawnFailed = "SPAWN_FAILED",
        Interrupted = "INTERRUPTED",
        NotRun = "NOT_RUN",
    }
);

impl Outcome {
    /// `PASS` only: the gate passed on its one attempt.
    pub fn passed(self) -> bool {
        self == Outcome::Pass
    }

    /// `PASS` or `FLAKY`: the gate's last attempt passed. What the exit code of `baseline`
    /// and a packet's P0 accept; the verdict makes a `FLAKY` gate a condition.
    pub fn succeeded(self) -> bool {
        matches!(self, Outcome::Pass | Outcome::Flaky)
    }

    /// Whether an attempt that ended so is run again when the gate has retries left: every
    /// outcome of a process that ran and did not pass (`FAIL`, `BUILD_FAILED`, `NO_TESTS`,
    /// `EMPTY_OUTPUT`, `TIMEOUT`, `TRUNCATED`). Never `INTERRUPTED` (Ctrl-C, SIGTERM: the
    /// user stopped the run), `SPAWN_FAILED` (nothing ran, so nothing flaked) or `NOT_RUN`.
    pub fn retried(self) -> bool {
        matches!(
            self,
            Outcome::Fail
                | Outcome::BuildFailed
                | Outcome::NoTests
                | Outcome::EmptyOutput
                | Outcome::Timeout
                | Outcome::Truncated
        )
    }
}

/// Test counts read from a runner's output. Fields a runner does not report stay `None`;
/// `passed` is `Some(0)` by default (every runner but plain `go test` counts its passing
/// tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCounts {
    /// `None` when the runner did not list passing tests, so they went uncounted:
    /// `go test` without `-v` or `-json` names failing tests only (the JSON then has no
    /// `passed` key, never a `0` that reads as a count).
    pub passed: Option<u64>,
    pub failed: u64,
    pub skipped: u64,
    pub packages_ok: Option<u64>,
    pub packages_failed: Option<u64>,
    pub packages_build_failed: Option<u64>,
    /// Errors outside any test: tsc's type errors, vitest's unhandled errors, pytest's
    /// collection and fixture errors.
    pub errors: Option<u64>,
    /// Test files that failed to load (jest `Test suite failed to run`, vitest `Failed Suites`).
    pub suites_failed: Option<u64>,
    /// Subtests, apart from the tests above: go's `t.Run`, pytest 9's `subtests` fixture.
    pub subtests: Option<Subtests>,
    /// Lint findings that failed the gate (clippy under `-D warnings`, ruff, go vet).
    pub lints: Option<u64>,
    /// Tests marked todo, apart from `skipped` (node:test's `# todo`); a failing todo
    /// test fails nothing.
    pub todo: Option<u64>,
    /// Tests that never finished: timed out, or abandoned by their parent (node:test's
    /// `# cancelled`). Each is a failure.
    pub cancelled: Option<u64>,
}
crate::json::json_object!(TestCounts {
    passed: skip_none,
    failed: required,
    skipped: required,
    packages_ok: skip_none,
    packages_failed: skip_none,
    packages_build_failed: skip_none,
    errors: skip_none,
    suites_failed: skip_none,
    subtests: skip_none,
    lints: skip_none,
    todo: skip_none,
    cancelled: skip_none,
});

/// Subtest results, counted apart from the tests that contain them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subtests {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}
crate::json::json_object!(Subtests { passed: required, failed: required, skipped: required });

impl Subtests {
    pub fn total(&self) -> u64 {
        self.passed + self.failed + self.skipped
    }
}

impl Default for TestCounts {
    fn default() -> TestCounts {
        TestCounts {
            passed: Some(0),
            failed: 0,
            skipped: 0,
            packages_ok: None,
            packages_failed: None,
            packages_build_failed: None,
            errors: None,
            suites_failed: None,
            subtests: None,
            lints: None,
            todo: None,
            cancelled: None,
        }
    }
}

impl TestCounts {
    /// Count `n` more passing tests (uncounted passing tests become counted).
    pub fn add_passed(&mut self, n: u64) {
        *self.passed.get_or_insert(0) += n;
    }

    /// Every test the runner counted: passed (when counted), failed, skipped, todo and
    /// cancelled.
    pub fn total(&self) -> u64 {
        self.passed.unwrap_or(0)
            + self.failed
            + self.skipped
            + self.todo.unwrap_or(0)
            + self.cancelled.unwrap_or(0)
    }

    /// Tests and subtests together: what a JUnit report of the gate holds, and what a
    /// drop in the test count is measured on.
    pub fn cases(&self) -> u64 {
        self.total() + self.subtests.as_ref().map_or(0, Subtests::total)
    }

    /// Everything that failed: tests, cancelled tests, subtests, suites that did not
    /// load, errors, lints.
    pub fn failures(&self) -> u64 {
        // A package go marked `FAIL` without a failing test (TestMain's exit, a timeout, a
        // panic after its test returned) is a failure of its own.
        let packages = self.packages_failed.unwrap_or(0).saturating_sub(self.failed);
        self.failed
            + packages
            + self.cancelled.unwrap_or(0)
            + self.subtests.as_ref().map_or(0, |s| s.failed)
            + self.suites_failed.unwrap_or(0)
            + self.errors.unwrap_or(0)
            + self.lints.unwrap_or(0)
    }

    /// Counts in a short form: `236 passed, 1 failed, 3 skipped`, `2 pkg build failed`, `1 error`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        // `go test` without -v lists failing tests only: its passing tests went uncounted.
        // Never "0 passed".
        let (ok, pkg_failed) = (self.packages_ok.unwrap_or(0), self.packages_failed.unwrap_or(0));
        let unlisted = self.passed.is_none();
        let packages_ran = ok + pkg_failed > 0;
        let other = self.errors.is_some_and(|n| n > 0)
            || self.suites_failed.is_some_and(|n| n > 0)
            || self.lints.is_some_and(|n| n > 0)
            || self.packages_build_failed.is_some_and(|n| n > 0);
        if unlisted {
            if ok > 0 {
                parts.push(format!("{ok} package{} ok", plural(ok)));
            }
            if pkg_failed > 0 {
                parts.push(format!("{pkg_failed} package{} failed", plural(pkg_failed)));
            }
            if self.failed > 0 {
                parts.push(format!("{} failed", self.failed));
            }
        } else if self.total() > 0 || !other {
            parts.push(format!("{} passed", self.passed.unwrap_or(0)));
            if self.failed > 0 {
                parts.push(format!("{} failed", self.failed));
            }
            if self.skipped > 0 {
                parts.push(format!("{} skipped", self.skipped));
            }
            if let Some(n) = self.todo.filter(|n| *n > 0) {
                parts.push(format!("{n} todo"));
            }
            if let Some(n) = self.cancelled.filter(|n| *n > 0) {
                parts.push(format!("{n} cancelled"));
            }
            // A package that failed with no failing test listed (TestMain's exit, a timeout).
            if pkg_failed > self.failed {
                parts.push(format!("{pkg_failed} package{} failed", plural(pkg_failed)));
            }
        }
        if let Some(s) = self.subtests.as_ref().filter(|s| s.total() > 0) {
            let mut sub = vec![format!("{} passed", s.passed)];
            if s.failed > 0 {
                sub.push(format!("{} failed", s.failed));
            }
            if s.skipped > 0 {
                sub.push(format!("{} skipped", s.skipped));
            }
            parts.push(format!("subtests: {}", sub.join(", ")));
        }
        if let Some(n) = self.suites_failed.filter(|n| *n > 0) {
            parts.push(format!("{n} suite{} failed to load", if n == 1 { "" } else { "s" }));
        }
        if let Some(n) = self.packages_build_failed.filter(|n| *n > 0) {
            parts.push(format!("{n} pkg build failed"));
        }
        if let Some(n) = self.errors.filter(|n| *n > 0) {
            parts.push(format!("{n} error{}", if n == 1 { "" } else { "s" }));
        }
        if let Some(n) = self.lints.filter(|n| *n > 0) {
            parts.push(format!("{n} lint{}", if n == 1 { "" } else { "s" }));
        }
        if unlisted && packages_ran {
            parts.push("passing tests not counted (go test lists them with -v or -json)".into());
        }
        parts.join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Relative to the repository root; absent in the compact record.
    pub path: Option<String>,
    pub sha256: String,
    pub bytes: u64,
}
crate::json::json_object!(LogRecord { path: skip_none, sha256: required, bytes: required });

/// One run of a gate's command, kept when the gate ran more than once (`retries`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// 1-based.
    pub attempt: u32,
    pub outcome: Outcome,
    /// Why this attempt ended so, in one line, as a gate's `reason`.
    pub reason: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Wall time of this attempt alone, in milliseconds.
    pub duration_ms: u64,
    pub counts: Option<TestCounts>,
    /// At most 500 names, as a gate's.
    pub failing_tests: Vec<String>,
    /// Each attempt has its own log (`NNN-ID.log`, then `NNN-ID.attempt-K.log`).
    pub log: Option<LogRecord>,
}
crate::json::json_object!(Attempt {
    attempt: required,
    outcome: required,
    reason: required,
    exit_code: required,
    signal: required,
    started_at: required,
    finished_at: required,
    duration_ms: required,
    counts: required,
    failing_tests: skip_empty,
    log: required,
});

impl Attempt {
    /// Attempt number `attempt` (1-based) as recorded in `run`, a gate record of that one run.
    pub fn of(attempt: u32, run: &GateRecord) -> Attempt {
        Attempt {
            attempt,
            outcome: run.outcome,
            reason: run.reason.clone(),
            exit_code: run.exit_code,
            signal: run.signal,
            started_at: run.started_at.clone(),
            finished_at: run.finished_at.clone(),
            duration_ms: run.duration_ms,
            counts: run.counts.clone(),
            failing_tests: run.failing_tests.clone(),
            log: run.log.clone(),
        }
    }

    /// `attempt 1: FAIL (exit 1)`, `attempt 2: TIMEOUT`.
    pub fn short(&self) -> String {
        let how = match (self.exit_code, self.signal) {
            (Some(c), _) if self.outcome != Outcome::Timeout => format!(" (exit {c})"),
            (None, Some(s)) => format!(" (signal {s})"),
            _ => String::new(),
        };
        format!("attempt {}: {}{how}", self.attempt, self.outcome)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GateRecord {
    pub id: String,
    pub command: String,
    pub outcome: Outcome,
    /// Why the outcome is what it is, in one line (`exit 1`, `no test files found`).
    pub reason: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub duration_ms: u64,
    pub parser: String,
    pub counts: Option<TestCounts>,
    pub failing_tests: Vec<String>,
    pub log: Option<LogRecord>,
    pub known_failure: Option<String>,
    /// Every test the runner reported by name (full records only; the compact record drops
    /// them). Feeds `--junit`.
    pub tests: Vec<crate::parse::TestResult>,
    pub tests_omitted: usize,
    /// Every attempt, first to last, when the gate ran more than once; empty when it ran
    /// once. The gate's own fields are then those of its last attempt, but for
    /// `outcome` (`FLAKY` when the last passed), `started_at` (the first attempt's) and
    /// `duration_ms` (every attempt's wall time together: what the run spent on it).
    pub attempts: Vec<Attempt>,
}
crate::json::json_object!(GateRecord {
    id: required,
    command: required,
    outcome: required,
    reason: required,
    exit_code: required,
    signal: required,
    started_at: required,
    finished_at: required,
    duration_ms: required,
    parser: required,
    counts: required,
    failing_tests: required,
    log: required,
    known_failure: required,
    tests: skip_empty,
    tests_omitted: skip_zero,
    attempts: skip_empty,
});

impl GateRecord {
    /// The duration that measures the gate, in milliseconds: its last attempt's (the
    /// passing one of a `FLAKY` gate), else `duration_ms`. The performance envelope, the
    /// scheduling history and the shard split use it; the makespan's lower bound uses
    /// `duration_ms`, the time the gate held a worker.
    pub fn measured_ms(&self) -> u64 {
        self.attempts.last().map_or(self.duration_ms, |a| a.duration_ms)
    }

    /// A gate that never started, with why.
    pub fn not_run(
        id: &str,
        command: &str,
        parser: &str,
        known_failure: Option<String>,
        reason: &str,
    ) -> GateRecord {
        GateRecord {
            id: id.to_string(),
            command: command.to_string(),
            outcome: Outcome::NotRun,
            reason: reason.to_string(),
            exit_code: None,
            signal: None,
            started_at: None,
            finished_at: None,
            duration_ms: 0,
            parser: parser.to_string(),
            counts: None,
            failing_tests: Vec::new(),
            log: None,
            known_failure,
            tests: Vec::new(),
            tests_omitted: 0,
            attempts: Vec::new(),
        }
    }
}

/// Which share of a sharded baseline a record holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardInfo {
    /// 1-based, as in `--shard K/N`.
    pub index: usize,
    pub total: usize,
    pub by: crate::schedule::ShardBy,
}
crate::json::json_object!(ShardInfo { index: required, total: required, by: required });

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Host {
    pub os: String,
    pub arch: String,
    /// Which machine ran it: `CLOSEOUT_MACHINE` when set (to name CI runners of one kind
    /// alike), else a short hash of what tells machines apart ([`machine_fingerprint`]:
    /// host name, `/etc/machine-id`, processor model, memory). Absent in records before it
    /// existed.
    pub machine: Option<String>,
    /// Logical processors available to the run.
    pub cpus: Option<usize>,
}
crate::json::json_object!(Host { os: required, arch: required, machine: skip_none, cpus: skip_none });

/// Names the machine in run records; runs compare durations only within one machine.
pub const MACHINE_ENV: &str = "CLOSEOUT_MACHINE";

/// A short hash (12 hex digits) naming a machine: its host name, with what sets apart two
/// machines of one name (`vm`, `localhost`): the machine id, the processor model and the
/// total memory, taken from the texts of `/etc/machine-id`, `/proc/cpuinfo` and
/// `/proc/meminfo` as given (`None` where unreadable). `None` with no host name.
pub fn machine_fingerprint(hostname: Option<&str>, sources: &[Option<String>]) -> Option<String> {
    let hostname = hostname?;
    let mut parts = vec![hostname.to_string()];
    for text in sources.iter().flatten() {
        // Only the lines that describe the machine, not its momentary state.
        let stable: Vec<&str> = text
            .lines()
            .filter(|l| !l.contains(':') || l.starts_with("model name") || l.starts_with("MemTotal"))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let mut stable = stable;
        stable.dedup();
        parts.push(stable.join("\n"));
    }
    Some(crate::sha256::hex(&crate::sha256::Sha256::digest(parts.join("\0")))[..12].to_string())
}

impl Host {
    pub fn current() -> Host {
        let machine = std::env::var(MACHINE_ENV).ok().filter(|m| !m.trim().is_empty()).or_else(|| {
            let read = |path: &str| std::fs::read_to_string(path).ok();
            machine_fingerprint(
                hostname().as_deref(),
                &[read("/etc/machine-id"), read("/proc/cpuinfo"), read("/proc/meminfo")],
            )
        });
        Host {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            machine,
            cpus: std::thread::available_parallelism().ok().map(|n| n.get()),
        }
    }

    /// Why durations measured on `other` cannot be compared with this host's, if they
    /// cannot: another machine, another processor count, or a record that does not say.
    pub fn not_comparable(&self, other: &Host) -> Option<String> {
        let describe = |h: &Host| {
            format!(
                "{} {}/{} with {} cpu(s)",
                h.machine.as_deref().unwrap_or("an unnamed machine"),
                h.os,
                h.arch,
                h.cpus.map_or("unknown".into(), |n| n.to_string())
            )
        };
        let same = self.machine.is_some()
            && self.cpus.is_some()
            && (&self.os, &self.arch, &self.machine, self.cpus)
                == (&other.os, &other.arch, &other.machine, other.cpus);
        (!same).then(|| format!("ran on {}, not on {}", describe(other), describe(self)))
    }
}

/// The host name, from gethostname(2).
fn hostname() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that much.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = String::from_utf8_lossy(&buf[..end]).into_owned();
    (!name.is_empty()).then_some(name)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    pub head: String,
    pub dirty: bool,
}
crate::json::json_object!(GitState { head: required, dirty: required });

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    pub schema: u32,
    pub run_id: String,
    pub program: String,
    pub started_at: String,
    pub finished_at: String,
    pub closeout_version: String,
    pub host: Host,
    pub jobs: usize,
    pub git: Option<GitState>,
    pub interrupted: bool,
    /// max(longest gate, total work ÷ jobs), in milliseconds.
    pub lower_bound_ms: u64,
    pub makespan_ms: u64,
    pub gates: Vec<GateRecord>,
    /// A hash of the program's gates (ids and commands); records merge only when equal.
    pub program_hash: String,
    /// Set on a shard's record.
    pub shard: Option<ShardInfo>,
    /// Set on a merged record: the run ids of its shards.
    pub shards: Vec<String>,
}
crate::json::json_object!(RunRecord {
    schema: required,
    run_id: required,
    program: required,
    started_at: required,
    finished_at: required,
    closeout_version: required,
    host: required,
    jobs: required,
    git: required,
    interrupted: required,
    lower_bound_ms: required,
    makespan_ms: required,
    gates: required,
    program_hash: default,
    shard: skip_none,
    shards: skip_empty,
});

/// The hash of a program's gates that shard records must share to be merged.
pub fn program_hash(program: &crate::model::Program) -> String {
    let mut hasher = crate::sha256::Sha256::new();
    for g in &program.gates {
        hasher.update(g.id.as_bytes());
        hasher.update([0]);
        hasher.update(g.run.as_bytes());
        hasher.update([b'\n']);
    }
    hasher.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

impl RunRecord {
    pub fn gate(&self, id: &str) -> Option<&GateRecord> {
        self.gates.iter().find(|g| g.id == id)
    }

    pub fn passed(&self) -> bool {
        self.gates.iter().all(|g| g.outcome.passed())
    }

    /// Every gate's last attempt passed (`PASS` or `FLAKY`): `baseline` and `merge` exit 0.
    pub fn succeeded(&self) -> bool {
        self.gates.iter().all(|g| g.outcome.succeeded())
    }

    /// The record without log paths, for committing.
    pub fn compact(&self) -> RunRecord {
        let mut compact = self.clone();
        for gate in &mut compact.gates {
            let attempt_logs = gate.attempts.iter_mut().filter_map(|a| a.log.as_mut());
            for log in gate.log.iter_mut().chain(attempt_logs) {
                log.path = None;
            }
            gate.tests.clear();
        }
        compact
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("run records always serialize");
        text.push('\n');
        text
    }

    pub fn from_json(text: &str, path: &Path) -> Result<RunRecord> {
        let record: RunRecord = serde_json::from_str(text)
            .map_err(|e| Error::BadEvidence { path: path.to_path_buf(), message: e.to_string() })?;
        if record.schema != SCHEMA_VERSION {
            return Err(Error::BadEvidence {
                path: path.to_path_buf(),
                message: format!("schema version {} is not {SCHEMA_VERSION}", record.schema),
            });
        }
        Ok(record)
    }
}

/// Refuse a `.closeout/` that resolves outside the repository at `root` (a symlink): the
/// committed evidence is written only inside it. (`target/` may be a symlink to a build
/// disk; only logs and the history go there.)
pub fn check_evidence_dir(root: &Path) -> Result<()> {
    let dir = root.join(EVIDENCE_DIR);
    if std::fs::symlink_metadata(&dir).is_err() {
        return Ok(());
    }
    let real = std::fs::canonicalize(&dir).map_err(|source| Error::Read { path: dir.clone(), source })?;
    let inside = std::fs::canonicalize(root).map(|r| real.starts_with(r)).unwrap_or(false);
    if inside && real.is_dir() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{EVIDENCE_DIR} resolves to {}, {} the repository {}; closeout reads and writes its evidence only in a folder inside it: replace the link with a folder",
        real.display(),
        if inside { "a file inside" } else { "outside" },
        root.display()
    )))
}

/// Refuse a file from closeout.toml (`[run] reference`) that resolves outside the
/// repository at `root` through a symlink, as docs are; `what` names it in the message.
pub fn check_inside(root: &Path, path: &Path, what: &str) -> Result<()> {
    let Ok(real) = std::fs::canonicalize(path) else { return Ok(()) };
    let inside = std::fs::canonicalize(root).map(|r| real.starts_with(r)).unwrap_or(false);
    if inside {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{what} {} resolves to {}, outside the repository {}; closeout reads only inside it: replace the symlink with the file",
        path.strip_prefix(root).unwrap_or(path).display(),
        real.display(),
        root.display()
    )))
}

/// Largest evidence file closeout reads (256 MiB): a run record with 500 failing names per
/// gate for thousands of gates stays far below it.
pub const MAX_EVIDENCE_BYTES: u64 = 256 * 1024 * 1024;

/// Read an evidence file as text. Refused before it is opened: anything but a regular file
/// (a FIFO would block, `/dev/zero` would never end) and files over [`MAX_EVIDENCE_BYTES`].
pub fn read_file(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file (a FIFO, a device or a folder)"));
    }
    let too_big = || Error::new(ErrorKind::InvalidData, format!("larger than {MAX_EVIDENCE_BYTES} bytes"));
    if meta.len() > MAX_EVIDENCE_BYTES {
        return Err(too_big());
    }
    let mut text = String::new();
    std::fs::File::open(path)?.take(MAX_EVIDENCE_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_EVIDENCE_BYTES {
        return Err(too_big());
    }
    Ok(text)
}

/// Read the latest compact record of the repository at `root`, if one was written.
pub fn read_latest(root: &Path) -> Result<Option<RunRecord>> {
    let path = root.join(LATEST);
    match read_file(&path) {
        Ok(text) => RunRecord::from_json(&text, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read { path, source }),
    }
}

/// The temp file closeout writes `name` through in `dir`: `.NAME.closeout-PID.tmp`.
pub fn temp_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.closeout-{}.tmp", std::process::id()))
}

/// Whether `path` (any folder) names a temp file of [`temp_path`]'s shape: another
/// closeout's write in progress, never part of a change.
pub fn is_temp_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with('.')
        && name.ends_with(".tmp")
        && name.rsplit_once(".closeout-").is_some_and(|(_, pid)| {
            pid.strip_suffix(".tmp").is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
}

/// Remove temp files for `name` in `dir` left by a closeout that was killed mid-write
/// (its pid no longer runs). Called by writers, which hold the repository lock.
pub fn remove_stale_temps(dir: &Path, name: &str) {
    let prefix = format!(".{name}.closeout-");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|f| f.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: signal 0 only asks whether the process exists.
        let gone = pid as u32 != std::process::id()
            && unsafe { libc::kill(pid, 0) } == -1
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The newest full run record under `target/closeout/runs/` (run ids sort by time), with
/// its path relative to `root`.
pub fn newest_run(root: &Path) -> Option<(String, RunRecord)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join(RUNS_DIR))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let path = dirs.pop()?.join("run.json");
    let record = RunRecord::from_json(&read_file(&path).ok()?, &path).ok()?;
    let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
    Some((shown, record))
}

/// Check a path the user named for an output (`--out`, `--junit`): not empty, and, when
/// something is there already, a regular file. closeout replaces outputs atomically (a
/// temp file renamed over the path), which would replace a symlink or a device node, not
/// write through it (`--out /dev/stdout` would swap the system's link for a file).
/// Errors: [`Error::Usage`] naming the path, what is there and what to do.
pub fn check_output_path(path: &Path, flag: &str) -> Result<()> {
    if path.as_os_str().is_empty() {
        return Err(Error::Usage(format!("{flag} names no file: give a path")));
    }
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(()) };
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a folder"
    } else {
        "a device, FIFO or socket"
    };
    Err(Error::Usage(format!(
        "{flag} {}: that is {what}, not a regular file; closeout writes its outputs by replacing a \
         file atomically and never replaces {what}. Name a regular file (the link's target, say) \
         or a new path",
        crate::redact::escape_controls(&path.display().to_string())
    )))
}

/// Write `bytes` to `path` atomically: a temp file beside it, fsync, rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, true)
}

/// [`write_atomic`] without the fsync: the file is whole or absent after closeout is
/// killed (the kernel keeps what was written), not after a power cut. For the run
/// record's write-ahead of each gate start, which the next fsynced checkpoint makes
/// durable. Errors: as [`write_atomic`].
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, bytes, false)
}

fn replace(path: &Path, bytes: &[u8], sync: bool) -> Result<()> {
    let err = |source| Error::Write { path: path.to_path_buf(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Unsynced writes are the per-gate write-ahead: the next synced write cleans up.
    if sync {
        remove_stale_temps(dir, &name);
    }
    let tmp: PathBuf = temp_path(dir, &name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        if sync {
            file.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// RFC 3339 UTC timestamp with milliseconds.
pub fn timestamp(t: std::time::SystemTime) -> String {
    let since = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = ((secs / 86_400) as i64, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3_600,
        rest / 60 % 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// Seconds since the Unix epoch of an RFC 3339 UTC timestamp as [`timestamp`] writes it
/// (`2026-11-30T12:00:00.123Z`; also without fraction, or with a `+00:00` offset). `None`
/// for anything else.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_suffix('Z').or_else(|| s.strip_suffix("+00:00"))?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let time = time.split('.').next()?;
    let mut t = time.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    // A civil date to days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3_600 + m * 60 + sec)
}

/// Milliseconds since the Unix epoch of a timestamp [`parse_timestamp`] reads, with its
/// fraction of a second (`.1`, `.123`; digits past the third are dropped).
pub fn parse_timestamp_ms(s: &str) -> Option<i64> {
    let secs = parse_timestamp(s)?;
    let fraction = s.trim().split_once('.').map_or("", |(_, f)| f);
    let digits: String = fraction.chars().take_while(char::is_ascii_digit).take(3).collect();
    let ms = if digits.is_empty() { 0 } else { format!("{digits:0<3}").parse::<i64>().ok()? };
    Some(secs * 1_000 + ms)
}

/// Records for unit tests: the fields a test cares about set, the rest empty.
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures {
    use super::*;

    /// A gate that ended with `outcome`; one that exited (`exit_code`) has times and a
    /// log, as the runner records it, so that a passing one is self-consistent.
    pub fn gate(id: &str, command: &str, outcome: Outcome, exit_code: Option<i32>) -> GateRecord {
        let mut g = GateRecord::not_run(id, command, "none", None, "");
        g.outcome = outcome;
        g.exit_code = exit_code;
        g.reason = exit_code.map_or_else(|| outcome.to_string(), |c| format!("exit {c}"));
        if exit_code.is_some() {
            g.started_at = Some("2026-01-01T00:00:00.000Z".into());
            g.finished_at = Some("2026-01-01T00:00:00.000Z".into());
            g.log = Some(LogRecord { path: None, sha256: "ab".repeat(32), bytes: 3 });
        }
        g
    }

    /// A run `run-1` of `gates`, without git state.
    pub fn run(gates: Vec<GateRecord>) -> RunRecord {
        RunRecord {
            schema: SCHEMA_VERSION,
            run_id: "run-1".into(),
            program: "p".into(),
            started_at: String::new(),
            finished_at: String::new(),
            closeout_version: String::new(),
            host: Host::current(),
            jobs: 1,
            git: None,
            interrupted: false,
            lower_bound_ms: 0,
            makespan_ms: 0,
            gates,
            program_hash: String::new(),
            shard: None,
            shards: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn machines_of_one_name_are_told_apart_and_one_machine_stays_itself() {
        let cpu = |model: &str| Some(format!("processor\t: 0\nmodel name\t: {model}\ncpu MHz\t\t: 2394.1\n"));
        let mem = |kb: u64, free: u64| Some(format!("MemTotal: {kb} kB\nMemFree: {free} kB\n"));
        let a = machine_fingerprint(Some("vm"), &[Some("abc\n".into()), cpu("EPYC"), mem(1000, 10)]);
        let same = machine_fingerprint(Some("vm"), &[Some("abc\n".into()), cpu("EPYC"), mem(1000, 999)]);
        assert_eq!(a, same, "free memory and clock speed change by the second");
        let other_id = machine_fingerprint(Some("vm"), &[Some("def\n".into()), cpu("EPYC"), mem(1000, 10)]);
        let other_cpu = machine_fingerprint(Some("vm"), &[Some("abc\n".into()), cpu("Xeon"), mem(1000, 10)]);
        assert!(a != other_id && a != other_cpu);
        assert_eq!(a.as_deref().map(str::len), Some(12));
        assert_eq!(machine_fingerprint(None, &[]), None);
    }

    #[test]
    fn temp_files_of_another_closeouts_write_are_known_by_their_shape() {
        let made = temp_path(Path::new("docs"), "plan.md");
        assert!(is_temp_file(&made.display().to_string()), "{}", made.display());
        assert!(is_temp_file(".closeout.toml.closeout-30210.tmp"));
        for not in ["closeout.toml", "docs/.plan.md.closeout-.tmp", "x.closeout-12.tmp", ".a.closeout-1x.tmp"]
        {
            assert!(!is_temp_file(not), "{not}");
        }
    }

    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = std::env::temp_dir().join(format!("closeout-evidence-{}", std::process::id()));
        let path = dir.join("sub/latest.json");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let leftovers: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn own_outputs_at_the_root_or_in_a_folder() {
        for own in [
            ".closeout/latest.json",
            "target/closeout/history.json",
            "target/closeout/runs/20261127T083955.801Z-1168/001-build.log",
            "app/.closeout/verdict.json",
            "app/target/closeout/history.json",
        ] {
            assert!(is_own_output(own), "{own}");
        }
        for code in
            ["target/debug/x", "src/closeout.rs", "closeout.toml", "docs/.closeout.md", "xtarget/closeout/a"]
        {
            assert!(!is_own_output(code), "{code}");
        }
    }

    #[test]
    fn count_summaries() {
        let c =
            |passed, failed, skipped, ok: Option<u64>, build: Option<u64>, errors: Option<u64>| TestCounts {
                passed,
                failed,
                skipped,
                packages_ok: ok,
                packages_failed: None,
                packages_build_failed: build,
                errors,
                ..TestCounts::default()
            };
        assert_eq!(c(Some(236), 1, 3, None, None, None).summary(), "236 passed, 1 failed, 3 skipped");
        assert_eq!(
            c(None, 0, 0, Some(2), Some(0), None).summary(),
            "2 packages ok, passing tests not counted (go test lists them with -v or -json)",
            "go test without -v"
        );
        // real-go-plain-fail.txt: one package ok, one failing test named in another.
        let mut one = c(None, 1, 0, Some(1), Some(0), None);
        one.packages_failed = Some(1);
        assert_eq!(
            one.summary(),
            "1 package ok, 1 package failed, 1 failed, passing tests not counted (go test lists them with -v or -json)"
        );
        // real-go-plain-fail-counted.txt: the one package failed; two tests passed unseen.
        let mut alone = c(None, 1, 0, Some(0), Some(0), None);
        alone.packages_failed = Some(1);
        assert_eq!(
            alone.summary(),
            "1 package failed, 1 failed, passing tests not counted (go test lists them with -v or -json)"
        );
        assert_eq!(c(None, 0, 0, Some(0), Some(1), None).summary(), "1 pkg build failed");
        assert_eq!(c(Some(0), 0, 0, Some(0), Some(1), None).summary(), "1 pkg build failed");
        assert_eq!(c(Some(0), 0, 0, None, None, Some(1)).summary(), "1 error");
        assert_eq!(c(Some(0), 0, 0, None, None, None).summary(), "0 passed");
        // Uncounted passing tests leave no `passed` key in the record.
        let json = serde_json::to_value(&alone).unwrap();
        assert!(json.get("passed").is_none(), "{json}");
        let back: TestCounts = serde_json::from_value(json).unwrap();
        assert_eq!(back.passed, None);
        assert_eq!(serde_json::to_value(TestCounts::default()).unwrap()["passed"], 0);
        let go = TestCounts {
            passed: Some(3),
            subtests: Some(Subtests { passed: 2199, failed: 1, skipped: 0 }),
            ..TestCounts::default()
        };
        assert_eq!(go.summary(), "3 passed, subtests: 2199 passed, 1 failed");
        assert_eq!((go.cases(), go.failures()), (2203, 1));
        let jest = TestCounts { passed: Some(11), suites_failed: Some(23), ..TestCounts::default() };
        assert_eq!(jest.summary(), "11 passed, 23 suites failed to load");
        let clippy = TestCounts { lints: Some(9), ..TestCounts::default() };
        assert_eq!(clippy.summary(), "9 lints");
    }

    #[test]
    fn timestamps_parse_back_to_their_seconds() {
        for secs in [0u64, 951_782_400, 1_764_504_000, 4_102_444_799] {
            let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
            assert_eq!(parse_timestamp(&timestamp(t)), Some(secs as i64));
        }
        assert_eq!(parse_timestamp("2026-11-30T12:00:00+00:00"), Some(1_796_040_000));
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:01.250Z"), Some(1_250));
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:01.5Z"), Some(1_500));
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:02Z"), Some(2_000));
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:02.000+00:00"), Some(2_000));
        assert_eq!(parse_timestamp_ms("1970-01-01T00:00:02.050+00:00"), Some(2_050));
        assert_eq!(parse_timestamp("2026-13-01T00:00:00Z"), None);
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        let at = |secs: u64, ms: u64| {
            timestamp(std::time::UNIX_EPOCH + std::time::Duration::from_millis(secs * 1000 + ms))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.007Z", "leap day");
        assert_eq!(at(1_798_761_599, 999), "2026-12-31T23:59:59.999Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000Z", "2100 is no leap year");
    }

    #[test]
    fn durations_compare_only_within_one_machine() {
        let host = |machine: Option<&str>, cpus: Option<usize>| Host {
            os: "linux".into(),
            arch: "x86_64".into(),
            machine: machine.map(String::from),
            cpus,
        };
        let here = host(Some("a1"), Some(2));
        assert_eq!(here.not_comparable(&host(Some("a1"), Some(2))), None);
        assert_eq!(
            here.not_comparable(&host(Some("b2"), Some(2))).unwrap(),
            "ran on b2 linux/x86_64 with 2 cpu(s), not on a1 linux/x86_64 with 2 cpu(s)"
        );
        assert!(here.not_comparable(&host(Some("a1"), Some(8))).is_some(), "resized");
        assert!(here.not_comparable(&host(None, None)).is_some(), "an older record does not say");
        assert!(host(None, None).not_comparable(&host(None, None)).is_some());
        let old: Host = serde_json::from_str(r#"{"os": "linux", "arch": "x86_64"}"#).unwrap();
        assert_eq!(old.machine, None);
        assert!(Host::current().machine.is_some() && Host::current().cpus.is_some());
    }

    #[test]
    fn rejects_other_schema_versions() {
        let text = r#"{"schema": 99}"#;
        assert!(RunRecord::from_json(text, Path::new("x.json")).is_err());
    }
}
