//! The baseline runner: the only module that spawns processes. It plans the run
//! (filters, order, predicted makespan), runs gates on a worker pool in that order,
//! keeps exclusive groups apart, and writes the run record after every gate so that an
//! interrupted or killed run still leaves valid evidence. It reports through [`Observer`].

pub mod cancel;
pub mod git;
pub mod orphans;
pub mod process;
pub mod watchdog;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, SystemTime};

use crate::classify::{classify, Ending};
use crate::error::{Error, Result};
use crate::evidence::{self, GateRecord, Host, LogRecord, Outcome, RunRecord, SCHEMA_VERSION};
use crate::model::{ParserKind, Program};
use crate::schedule::{self, History, Job};
use crate::vocab::Vocab;
pub use cancel::{Cancel, SignalGuard};

/// Least time between two checkpoint writes of the run record during a run.
pub const CHECKPOINT: Duration = Duration::from_millis(250);

/// One gate ready to run.
#[derive(Debug, Clone)]
pub struct PlannedGate {
    pub id: String,
    pub command: String,
    pub timeout: Duration,
    pub parser: ParserKind,
    pub exclusive: Option<String>,
    pub known_failure: Option<String>,
    pub predicted: Option<Duration>,
    /// Failed attempts run again at most this many times (`retries`, `--retries`).
    pub retries: u32,
}

impl PlannedGate {
    /// A gate of the program as configured, its timeout defaulted from `[run]`.
    pub fn from_gate(
        gate: &crate::model::Gate,
        program: &Program,
        predicted: Option<Duration>,
    ) -> PlannedGate {
        PlannedGate {
            id: gate.id.clone(),
            command: gate.run.clone(),
            timeout: gate.timeout.unwrap_or(program.run.timeout),
            parser: gate.parser,
            exclusive: gate.exclusive.clone(),
            known_failure: gate.known_failure.clone(),
            predicted,
            retries: gate.retries,
        }
    }
}

/// What a run will do, before it does it.
#[derive(Debug, Clone)]
pub struct Plan {
    pub gates: Vec<PlannedGate>,
    /// Indices into `gates`, in the order workers take them.
    pub order: Vec<usize>,
    pub jobs: usize,
    pub grace: Duration,
    pub predicted_makespan: Duration,
    /// Whether every unconditional gate of the program is in the plan (no
    /// --only/--skip/--shard).
    pub complete: bool,
    /// Conditional gates (`when = "…"`) left out of this run: (id, condition).
    pub held: Vec<(String, String)>,
    /// The share this plan runs, for `--shard K/N`.
    pub shard: Option<evidence::ShardInfo>,
}

/// The number of workers for `gates` gates: `jobs`, or every available core when 0; never
/// more than the gates nor than [`crate::config::MAX_JOBS`], whatever the caller passed.
pub fn effective_jobs(jobs: usize, gates: usize) -> usize {
    let wanted = if jobs > 0 { jobs } else { std::thread::available_parallelism().map_or(1, |n| n.get()) };
    wanted.min(crate::config::MAX_JOBS).min(gates.max(1))
}

impl Plan {
    /// Give every gate of the plan `retries` retries, whatever its own (`--retries N`).
    pub fn set_retries(&mut self, retries: u32) {
        for g in &mut self.gates {
            g.retries = retries;
        }
    }
}

/// `--retries N` as a number from 0 to [`crate::config::MAX_RETRIES`].
pub fn parse_retries(s: &str) -> std::result::Result<u32, String> {
    let max = crate::config::MAX_RETRIES;
    match s.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("`{s}` is not a number of retries: use 0 (run each gate once) up to {max}")),
    }
}

/// `--jobs N` as a number from 0 (one per core) to [`crate::config::MAX_JOBS`].
pub fn parse_jobs(s: &str) -> std::result::Result<usize, String> {
    let max = crate::config::MAX_JOBS;
    match s.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("`{s}` is not a number of jobs: use 0 (one per core) up to {max}")),
    }
}

/// Plan a run of `program`'s gates, filtered by `only` and `skip` (gate ids).
/// Which conditional gates (`when = "…"`) a run takes: none (the default), those whose
/// condition mentions one of `when` (case-insensitive) or whose id is one of them, or all.
/// A gate named by `--only` runs whatever its condition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    pub when: Vec<String>,
    pub all: bool,
}

impl Conditional {
    fn takes(&self, gate: &crate::model::Gate, only: &[String]) -> bool {
        let Some(condition) = &gate.when else { return true };
        let condition = condition.to_lowercase();
        self.all
            || only.contains(&gate.id)
            || self.when.iter().any(|w| w == &gate.id || condition.contains(&w.to_lowercase()))
    }
}

pub fn plan(
    program: &Program,
    history: &History,
    jobs: Option<usize>,
    only: &[String],
    skip: &[String],
    conditional: &Conditional,
) -> Result<Plan> {
    for id in only.iter().chain(skip) {
        if program.gate(id).is_none() {
            let known: Vec<&str> = program.gates.iter().map(|g| g.id.as_str()).collect();
            let hint = crate::vocab::did_you_mean(id, known.iter().copied())
                .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
            return Err(Error::Usage(format!(
                "no gate `{id}` in closeout.toml{hint}; gates: {}",
                if known.is_empty() { "none".to_string() } else { known.join(", ") }
            )));
        }
    }
    let gates: Vec<PlannedGate> = program
        .gates
        .iter()
        .filter(|g| only.is_empty() || only.contains(&g.id))
        .filter(|g| !skip.contains(&g.id))
        .filter(|g| conditional.takes(g, only))
        .map(|g| PlannedGate::from_gate(g, program, history.median(&g.id)))
        .collect();
    let held: Vec<(String, String)> = program
        .gates
        .iter()
        .filter(|g| !conditional.takes(g, only))
        .filter_map(|g| Some((g.id.clone(), g.when.clone()?)))
        .collect();
    let jobs = effective_jobs(jobs.unwrap_or(program.run.jobs), gates.len());
    let sched: Vec<Job> = gates
        .iter()
        .map(|g| Job { id: g.id.clone(), exclusive: g.exclusive.clone(), predicted: g.predicted })
        .collect();
    let order = schedule::order(&sched);
    let predicted_makespan = schedule::simulate(&sched, &order, jobs);
    let complete =
        program.gates.iter().filter(|g| g.when.is_none()).all(|g| gates.iter().any(|p| p.id == g.id));
    Ok(Plan { gates, order, jobs, grace: program.run.grace, predicted_makespan, complete, held, shard: None })
}

/// Refuse a plan that would run a gate nobody confirmed (`trusted = false`, written by
/// `import` for commands it read from a document): each is named with its line and command.
pub fn refuse_untrusted(program: &Program, plan: &Plan) -> Result<()> {
    let untrusted: Vec<String> = plan
        .gates
        .iter()
        .filter_map(|p| program.gate(&p.id))
        .filter(|g| !g.trusted)
        .map(|g| format!("{}:{}: gate `{}` would run `{}`", crate::discover::FILE_NAME, g.line, g.id, g.run))
        .collect();
    if untrusted.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{}\nthese commands were imported from a document and are not confirmed (`trusted = false`); read each, then delete its `trusted = false` line to let closeout run it, or leave it out with --skip ID; nothing was run",
        untrusted.join("\n")
    )))
}

/// The durations of the gates in the run record committed at HEAD
/// (`.closeout/latest.json`), the only durations every machine checking out that commit
/// shares. `None` when HEAD has no record. Gates that did not run to an end are left out.
pub fn committed_durations(root: &Path) -> Option<BTreeMap<String, Duration>> {
    let text = git::committed_file(root, evidence::LATEST)?;
    let record = RunRecord::from_json(&text, Path::new(evidence::LATEST)).ok()?;
    Some(
        record
            .gates
            .iter()
            .filter(|g| !matches!(g.outcome, Outcome::Interrupted | Outcome::NotRun | Outcome::SpawnFailed))
            .map(|g| (g.id.clone(), Duration::from_millis(g.measured_ms())))
            .collect(),
    )
}

/// Narrow a plan to share `index` (1-based) of `total`, split by `by`. The split reads
/// `committed` durations only (see [`committed_durations`]), never the local history, so
/// every machine and every order of running the shares agrees on it; without committed
/// durations a split by duration is a split by hash. The local history still orders the
/// gates inside the share.
pub fn shard_plan(
    plan: Plan,
    index: usize,
    total: usize,
    by: schedule::ShardBy,
    committed: Option<&BTreeMap<String, Duration>>,
) -> Plan {
    let by = match (by, committed) {
        (schedule::ShardBy::Duration, None) => schedule::ShardBy::Hash,
        _ => by,
    };
    let jobs: Vec<Job> = plan
        .gates
        .iter()
        .map(|g| Job {
            id: g.id.clone(),
            exclusive: g.exclusive.clone(),
            predicted: committed.and_then(|c| c.get(&g.id).copied()),
        })
        .collect();
    let assignment = schedule::shard(&jobs, total, by);
    let gates: Vec<PlannedGate> =
        plan.gates.into_iter().zip(assignment).filter(|(_, s)| *s + 1 == index).map(|(g, _)| g).collect();
    let sched: Vec<Job> = gates
        .iter()
        .map(|g| Job { id: g.id.clone(), exclusive: g.exclusive.clone(), predicted: g.predicted })
        .collect();
    let order = schedule::order(&sched);
    let predicted_makespan = schedule::simulate(&sched, &order, plan.jobs);
    Plan {
        gates,
        order,
        jobs: plan.jobs,
        grace: plan.grace,
        predicted_makespan,
        complete: false,
        held: plan.held,
        shard: Some(evidence::ShardInfo { index, total, by }),
    }
}

/// Receives the run's events; reporters implement it. Called from worker threads.
pub trait Observer: Sync {
    fn started(&self, gate: &PlannedGate);
    /// An attempt of `gate` failed and the gate runs again; `failed` is that attempt alone.
    fn retrying(&self, gate: &PlannedGate, failed: &GateRecord, attempt: u32) {
        let _ = (gate, failed, attempt);
    }
    fn finished(&self, record: &GateRecord, tail: &[String]);
}

/// A finished run: its record, where it lives, and each gate's last lines of output.
#[derive(Debug)]
pub struct RunOutput {
    pub record: RunRecord,
    pub run_dir: PathBuf,
    pub tails: BTreeMap<String, Vec<String>>,
}

/// Run the plan. Writes `target/closeout/runs/<id>/run.json` after every gate.
pub fn execute(
    program: &Program,
    plan: &Plan,
    cancel: &Cancel,
    observer: &dyn Observer,
) -> Result<RunOutput> {
    let root = &program.root;
    let started_at = SystemTime::now();
    let run_id = run_id(started_at);
    let run_dir = root.join(evidence::RUNS_DIR).join(&run_id);
    std::fs::create_dir_all(&run_dir).map_err(|source| Error::Write { path: run_dir.clone(), source })?;
    let record_path = run_dir.join("run.json");
    orphans::adopt();
    let watchdog = watchdog::Watchdog::start(plan.grace);
    let redactor = crate::redact::Redactor::from_env();

    let record = RunRecord {
        schema: SCHEMA_VERSION,
        run_id: run_id.clone(),
        program: program.name.clone(),
        started_at: evidence::timestamp(started_at),
        finished_at: evidence::timestamp(started_at),
        closeout_version: env!("CARGO_PKG_VERSION").into(),
        host: Host::current(),
        jobs: plan.jobs,
        git: git::state(root),
        // Until the final write says otherwise: a checkpoint is what a run that never
        // finished leaves behind.
        interrupted: true,
        lower_bound_ms: 0,
        makespan_ms: 0,
        gates: plan
            .gates
            .iter()
            .map(|g| {
                let mut r = not_run(g);
                redactor.gate(&mut r);
                r
            })
            .collect(),
        program_hash: evidence::program_hash(program),
        shard: plan.shard.clone(),
        shards: Vec::new(),
    };
    evidence::write_atomic(&record_path, record.to_json().as_bytes())?;

    struct Shared {
        queue: Vec<usize>,
        busy_groups: HashSet<String>,
        record: RunRecord,
        tails: BTreeMap<String, Vec<String>>,
        write_error: Option<Error>,
        /// Changes since the record was last fsynced.
        dirty: bool,
        /// Counts the changes to `record`: a write holds every change up to the count it
        /// was serialised at.
        generation: u64,
        /// Each gate of `record` as compact JSON, kept in step with it, so a write-ahead
        /// serialises one gate, not the whole run ([`compact_json`]).
        fragments: Vec<String>,
    }
    let fragments = record.gates.iter().map(gate_json).collect();
    let shared = Mutex::new(Shared {
        queue: plan.order.clone(),
        busy_groups: HashSet::new(),
        record,
        tails: BTreeMap::new(),
        write_error: None,
        dirty: false,
        generation: 0,
        fragments,
    });
    // The generation of the record on disk. Whoever writes holds it from before it
    // serialises until after its rename, so an older snapshot never replaces a newer one,
    // and a start that a write in progress already holds is not written again.
    let on_disk = Mutex::new(0u64);
    let wake = Condvar::new();

    let worker = || loop {
        let index = {
            let mut s = shared.lock().unwrap();
            loop {
                if cancel.level() > 0 || s.queue.is_empty() {
                    return;
                }
                let free = s.queue.iter().position(|&i| {
                    plan.gates[i].exclusive.as_ref().is_none_or(|g| !s.busy_groups.contains(g))
                });
                if let Some(pos) = free {
                    let i = s.queue.remove(pos);
                    if let Some(g) = &plan.gates[i].exclusive {
                        s.busy_groups.insert(g.clone());
                    }
                    break i;
                }
                s = wake.wait_timeout(s, Duration::from_millis(100)).unwrap().0;
            }
        };
        let gate = &plan.gates[index];
        observer.started(gate);
        // Every attempt's record, first to last; the gate's record is made of them.
        let mut runs: Vec<GateRecord> = Vec::new();
        let tail = loop {
            let attempt = runs.len() as u32 + 1;
            let log_path = run_dir.join(log_name(index, &gate.id, attempt));
            // Write-ahead: the record names this attempt as started (after the attempts
            // the gate had finished) before it is spawned, so a closeout killed at any
            // point after shows the gate INTERRUPTED, never NOT_RUN.
            let write_ahead = || {
                let mine = {
                    let mut s = shared.lock().unwrap();
                    let mut now = runs.clone();
                    now.push(started(gate, root, &log_path));
                    s.record.gates[index] = crate::classify::over_attempts(now);
                    redactor.gate(&mut s.record.gates[index]);
                    s.fragments[index] = gate_json(&s.record.gates[index]);
                    s.record.finished_at = evidence::timestamp(SystemTime::now());
                    // The next checkpoint fsyncs it.
                    s.dirty = true;
                    s.generation += 1;
                    s.generation
                };
                let mut disk = on_disk.lock().unwrap();
                if *disk >= mine {
                    return Ok(());
                }
                let (text, generation) = {
                    let mut s = shared.lock().unwrap();
                    let s = &mut *s;
                    (compact_json(&mut s.record, &s.fragments), s.generation)
                };
                evidence::write_atomic_unsynced(&record_path, text.as_bytes())
                    .map_err(|e| format!("the run record cannot record the gate's start: {e}"))?;
                *disk = generation;
                Ok(())
            };
            let spec = process::GateSpec {
                command: &gate.command,
                cwd: root,
                timeout: gate.timeout,
                grace: plan.grace,
                log_path: log_path.clone(),
                parser: gate.parser,
                watchdog: watchdog.as_ref(),
                before_spawn: &write_ahead,
            };
            let run = process::run_gate(&spec, cancel);
            let mut attempt_record = to_record(gate, &run, root, &log_path);
            redactor.gate(&mut attempt_record);
            let again = attempt_record.outcome.retried() && attempt <= gate.retries && cancel.level() == 0;
            if again {
                observer.retrying(gate, &attempt_record, attempt);
            }
            runs.push(attempt_record);
            if !again {
                break run.tail;
            }
        };
        let gate_record = crate::classify::over_attempts(runs);
        let tail: Vec<String> = redactor.lines(&tail);
        observer.finished(&gate_record, &tail);
        let mut s = shared.lock().unwrap();
        if let Some(g) = &gate.exclusive {
            s.busy_groups.remove(g);
        }
        s.fragments[index] = gate_json(&gate_record);
        s.record.gates[index] = gate_record;
        s.tails.insert(gate.id.clone(), tail);
        s.dirty = true;
        s.generation += 1;
        drop(s);
        wake.notify_all();
    };

    // Checkpoint the record so a killed run still leaves valid evidence: at most every
    // CHECKPOINT, which keeps 200 one-millisecond gates from paying for 200 fsyncs.
    let (stop_checkpoints, stopped) = std::sync::mpsc::channel::<()>();
    let (shared_ref, record_path_ref, on_disk_ref) = (&shared, &record_path, &on_disk);
    let watchdog_ref = watchdog.as_ref();
    let checkpointer = move || {
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT) {
            if let Some(w) = watchdog_ref {
                w.adopt_orphans();
            }
            let mut disk = on_disk_ref.lock().unwrap();
            let (text, generation) = {
                let mut s = shared_ref.lock().unwrap();
                if !s.dirty {
                    continue;
                }
                s.dirty = false;
                s.record.finished_at = evidence::timestamp(SystemTime::now());
                (s.record.to_json(), s.generation)
            };
            match evidence::write_atomic(record_path_ref, text.as_bytes()) {
                Ok(()) => *disk = generation,
                Err(e) => {
                    shared_ref.lock().unwrap().write_error.get_or_insert(e);
                }
            }
        }
    };
    // The worker pool: one thread per job, each taking gates off the shared queue until it
    // is empty. Gates block on their processes, not on the CPU, so plain threads do the job;
    // each lives until its last gate has ended (the gate's PR_SET_PDEATHSIG is tied to it).
    let workers = plan.jobs.max(1).min(plan.gates.len().max(1));
    let pool: std::io::Result<()> = std::thread::scope(|threads| {
        threads.spawn(checkpointer);
        let mut handles = Vec::with_capacity(workers);
        let mut failed = None;
        for i in 0..workers {
            match std::thread::Builder::new().name(format!("closeout-gate-{i}")).spawn_scoped(threads, worker)
            {
                Ok(handle) => handles.push(handle),
                // The workers already running share the whole queue.
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let none_started = handles.is_empty();
        for handle in handles {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        drop(stop_checkpoints);
        match failed {
            Some(e) if none_started => Err(e),
            _ => Ok(()),
        }
    });

    // Whatever escaped a gate's process group was reparented to us: end it now, then tell
    // the guard there is nothing left.
    orphans::end_all(plan.grace, watchdog.as_ref().map(|w| w.pid()), &|| cancel.level() >= 2);
    if let Some(w) = watchdog {
        w.finish();
    }
    if let Err(e) = pool {
        return Err(Error::Usage(format!("cannot start {} worker threads: {e}", plan.jobs)));
    }
    let shared = shared.into_inner().unwrap();
    if let Some(e) = shared.write_error {
        return Err(e);
    }
    let mut record = shared.record;
    distrust_missing_logs(&mut record, root);
    let finished = SystemTime::now();
    record.finished_at = evidence::timestamp(finished);
    record.interrupted = cancel.level() > 0;
    record.makespan_ms = finished.duration_since(started_at).unwrap_or_default().as_millis() as u64;
    let durations: Vec<Duration> =
        record.gates.iter().map(|g| Duration::from_millis(g.duration_ms)).collect();
    record.lower_bound_ms = schedule::lower_bound(&durations, plan.jobs).as_millis() as u64;
    evidence::write_atomic(&record_path, record.to_json().as_bytes())?;
    Ok(RunOutput { record, run_dir, tails: shared.tails })
}

/// A gate whose log is gone by the end of the run (a gate deleted `target/closeout`) cannot
/// be checked against its output: it does not pass.
fn distrust_missing_logs(record: &mut RunRecord, root: &Path) {
    for g in &mut record.gates {
        let Some(path) = g.log.as_ref().and_then(|l| l.path.clone()) else { continue };
        if g.outcome != Outcome::NotRun && !root.join(&path).is_file() {
            if g.outcome.succeeded() {
                g.outcome = Outcome::Truncated;
                if let Some(last) = g.attempts.last_mut() {
                    last.outcome = Outcome::Truncated;
                }
            }
            g.reason = format!(
                "{} (its log {path} was deleted during the run; the output cannot be checked)",
                g.reason
            );
        }
    }
}

/// Add this run's durations to the history used for scheduling (each gate's measured
/// duration: a retried gate's last attempt, [`GateRecord::measured_ms`]), and its summary
/// to the run history ([`crate::history::add`]). Gates that did not run to an end
/// (interrupted, not run, could not start) teach the scheduler nothing, and neither do
/// the gates of a merged run that one of its shards, learned here, taught already.
pub fn learn(history: &mut History, record: &RunRecord) {
    let taught: Vec<String> = history
        .runs
        .iter()
        .filter(|r| record.shards.contains(&r.run_id))
        .flat_map(|r| r.gates.iter().filter(|g| crate::history::timed(&g.outcome)).map(|g| g.id.clone()))
        .collect();
    crate::history::add(&mut history.runs, crate::history::RunSummary::of(record));
    for g in &record.gates {
        if !matches!(g.outcome, Outcome::Interrupted | Outcome::NotRun | Outcome::SpawnFailed)
            && !taught.contains(&g.id)
        {
            history.record(&g.id, Duration::from_millis(g.measured_ms()));
        }
    }
}

/// The history of the repository at `root`: `target/closeout/history.json`, seeded from
/// the committed latest record on a fresh clone. When the file is there but is not a
/// history (corrupt, truncated), what could still be read of it ([`History::read`], seeded
/// from the latest record when no duration could be) and why it did not read, which a
/// writer passes on to [`save_history`].
pub fn load_history(root: &Path) -> (History, Option<String>) {
    let path = root.join(evidence::HISTORY);
    let (mut history, problem) = match crate::evidence::read_file(&path) {
        Err(_) => (History::default(), None),
        Ok(text) => match History::read(&text) {
            Ok(history) => return (history, None),
            Err((kept, problem)) => (kept, Some(problem)),
        },
    };
    if history.gates.is_empty() {
        if let Ok(Some(latest)) = evidence::read_latest(root) {
            learn(&mut history, &latest);
        }
    }
    (history, problem)
}

/// Write `history` to `target/closeout/history.json` atomically. `corrupt` is why the file
/// it replaces did not read as a history ([`load_history`]): that file is then first kept
/// as `target/closeout/history.json.corrupt`, and the note returned (for the task to show
/// on stderr) names both files, the problem and what of the old file was kept.
/// Errors: `Write` for either file.
pub fn save_history(root: &Path, history: &History, corrupt: Option<&str>) -> Result<Option<String>> {
    let path = root.join(evidence::HISTORY);
    let note = match corrupt {
        None => None,
        Some(problem) => {
            let backup = root.join(HISTORY_BACKUP);
            let old = std::fs::read(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
            evidence::write_atomic(&backup, &old)?;
            Some(format!(
                "warning: {} did not read as a history ({problem}); replaced it with a new one holding the \
                 {} scheduling duration(s) and {} run summary(ies) that could still be read or were \
                 recorded now; the old file is kept as {HISTORY_BACKUP}",
                evidence::HISTORY,
                history.durations(),
                history.runs.len()
            ))
        }
    };
    let text = serde_json::to_string_pretty(history).expect("history serializes");
    evidence::write_atomic(&path, text.as_bytes())?;
    Ok(note)
}

/// Where [`save_history`] keeps a history file that did not read, relative to the root.
pub const HISTORY_BACKUP: &str = "target/closeout/history.json.corrupt";

/// A gate that started: what the record says until it ends (and after, if closeout dies).
fn started(gate: &PlannedGate, root: &Path, log_path: &Path) -> GateRecord {
    let mut record = GateRecord::not_run(
        &gate.id,
        &gate.command,
        gate.parser.as_str(),
        gate.known_failure.clone(),
        "started; the run ended before the gate did",
    );
    record.outcome = Outcome::Interrupted;
    record.started_at = Some(evidence::timestamp(SystemTime::now()));
    record.log = Some(LogRecord {
        path: Some(log_path.strip_prefix(root).unwrap_or(log_path).to_string_lossy().into_owned()),
        sha256: String::new(),
        bytes: 0,
    });
    record
}

fn not_run(gate: &PlannedGate) -> GateRecord {
    GateRecord::not_run(&gate.id, &gate.command, gate.parser.as_str(), gate.known_failure.clone(), "not run")
}

fn to_record(gate: &PlannedGate, run: &process::GateRun, root: &Path, log_path: &Path) -> GateRecord {
    let (outcome, mut reason) = classify(&run.ending, run.log.bytes, run.log.complete, &run.parsed);
    if let Some(problem) = &run.log.problem {
        reason = format!("{reason} ({problem})");
    }
    let mut failing = run.parsed.failing.clone();
    if run.parsed.failing_omitted > 0 {
        failing.push(format!("… and {} more failing tests (see the log)", run.parsed.failing_omitted));
    }
    let spawned = !matches!(run.ending, Ending::SpawnFailed(_));
    GateRecord {
        id: gate.id.clone(),
        command: gate.command.clone(),
        outcome,
        reason,
        exit_code: match run.ending {
            Ending::Exited(c) => Some(c),
            _ => None,
        },
        signal: match run.ending {
            Ending::Signaled(s) => Some(s),
            _ => None,
        },
        started_at: Some(evidence::timestamp(run.started)),
        finished_at: Some(evidence::timestamp(run.finished)),
        duration_ms: run.duration.as_millis() as u64,
        parser: run.parsed.parser.to_string(),
        counts: run.parsed.counts.clone(),
        failing_tests: failing,
        log: spawned.then(|| LogRecord {
            path: Some(log_path.strip_prefix(root).unwrap_or(log_path).to_string_lossy().into_owned()),
            sha256: run.log.sha256.clone(),
            bytes: run.log.bytes,
        }),
        known_failure: gate.known_failure.clone(),
        tests: run.parsed.tests.clone(),
        tests_omitted: run.parsed.tests_omitted,
        attempts: Vec::new(),
    }
}

/// `20261127T071500.123Z-4242`: sortable, unique per process.
fn run_id(t: SystemTime) -> String {
    let stamp: String = evidence::timestamp(t).chars().filter(|c| !matches!(c, '-' | ':')).collect();
    format!("{stamp}-{}", std::process::id())
}

/// `007-unit.log` for a gate's first attempt, `007-unit.attempt-2.log` for the next: no
/// attempt's log overwrites another's.
fn sanitize(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

fn gate_json(gate: &GateRecord) -> String {
    serde_json::to_string(gate).expect("gate records always serialize")
}

/// `record` as compact JSON (what `serde_json::to_string` writes), built from its gates'
/// compact JSON `fragments` (one per gate, in order): only the run's own fields are
/// serialised again, so a write costs one copy of the record, not a serialisation of
/// every gate.
fn compact_json(record: &mut RunRecord, fragments: &[String]) -> String {
    const EMPTY: &str = "\"gates\":[]";
    let gates = std::mem::take(&mut record.gates);
    let header = serde_json::to_string(&*record).expect("run records always serialize");
    record.gates = gates;
    // Quotes inside strings are escaped, so the key can only appear once, as the key.
    let Some(at) = header.find(EMPTY).filter(|&at| header.rfind(EMPTY) == Some(at)) else {
        return serde_json::to_string(record).expect("run records always serialize");
    };
    let split = at + EMPTY.len() - 1;
    let mut out = String::with_capacity(header.len() + fragments.iter().map(|f| f.len() + 1).sum::<usize>());
    out.push_str(&header[..split]);
    for (i, fragment) in fragments.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(fragment);
    }
    out.push_str(&header[split..]);
    out
}

/// Longest part of a log's file name taken from the gate id: with the index and `.log`,
/// far below the 255 bytes most file systems allow in a name.
const LOG_ID_CHARS: usize = 96;

/// The log file of gate `index` (its place in the plan, which keeps names unique): `NNN-`,
/// the id with every character but ASCII letters, digits, `-`, `_` and `.` as `_`, cut to
/// [`LOG_ID_CHARS`], then `.log` for the first attempt and `.attempt-K.log` for a retry.
/// A gate id of any length gets a file it can be written to.
fn log_name(index: usize, id: &str, attempt: u32) -> String {
    let id: String = sanitize(id).chars().take(LOG_ID_CHARS).collect();
    match attempt {
        1 => format!("{index:03}-{id}.log"),
        n => format!("{index:03}-{id}.attempt-{n}.log"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_from_fragments_is_what_serde_writes() {
        use crate::evidence::fixtures::{gate, run};
        for gates in [vec![], vec![gate("a", "true", Outcome::Pass, Some(0))], {
            let mut tricky = gate("b", "echo '\"gates\":[]'", Outcome::Fail, Some(1));
            tricky.reason = "\"gates\":[] in a reason".into();
            vec![gate("a", "true", Outcome::Pass, Some(0)), tricky, gate("c", "x", Outcome::NotRun, None)]
        }] {
            let mut record = run(gates);
            record.program = "\"gates\":[]".into();
            let fragments: Vec<String> = record.gates.iter().map(gate_json).collect();
            let expected = serde_json::to_string(&record).unwrap();
            assert_eq!(compact_json(&mut record, &fragments), expected);
            assert_eq!(serde_json::to_string(&record).unwrap(), expected, "the record is left whole");
        }
    }

    #[test]
    fn a_merged_run_teaches_the_scheduler_only_what_its_shards_did_not() {
        use crate::evidence::fixtures::{gate, run};
        let timed = |id: &str, ms: u64| {
            let mut g = gate(id, "make", Outcome::Pass, Some(0));
            g.duration_ms = ms;
            g
        };
        let shard = |run_id: &str, k: usize, g: GateRecord| {
            let mut r = run(vec![g]);
            r.run_id = run_id.into();
            r.shard =
                Some(crate::evidence::ShardInfo { index: k, total: 2, by: crate::schedule::ShardBy::Hash });
            r
        };
        let mut merged = run(vec![timed("a", 100), timed("b", 200)]);
        merged.run_id = "merged".into();
        merged.shards = vec!["s1".into(), "s2".into()];
        // Both shards ran here: the merge adds a summary and no duration.
        let mut history = History::default();
        learn(&mut history, &shard("s1", 1, timed("a", 100)));
        learn(&mut history, &shard("s2", 2, timed("b", 200)));
        learn(&mut history, &merged);
        assert_eq!((history.gates["a"].clone(), history.gates["b"].clone()), (vec![100], vec![200]));
        assert_eq!(history.runs.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["merged"]);
        // The shards ran elsewhere (CI): the merged run is all this machine learns from.
        let mut elsewhere = History::default();
        learn(&mut elsewhere, &merged);
        assert_eq!((elsewhere.gates["a"].clone(), elsewhere.gates["b"].clone()), (vec![100], vec![200]));
    }

    #[test]
    fn log_names_are_short_and_plain_whatever_the_id() {
        assert_eq!(log_name(7, "cargo test", 1), "007-cargo_test.log");
        assert_eq!(log_name(7, "cargo test", 3), "007-cargo_test.attempt-3.log");
        let long = log_name(12, &"é".repeat(1000), 10);
        assert_eq!(long, format!("012-{}.attempt-10.log", "_".repeat(LOG_ID_CHARS)));
        assert!(long.len() <= 255, "{}", long.len());
        assert_ne!(log_name(1, &"a".repeat(300), 1), log_name(2, &"a".repeat(301), 1));
    }
}
