//! `closeout baseline` end to end, with real processes: every outcome, timeouts with
//! grandchildren, no survivors, Ctrl-C, scheduling, evidence files.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use closeout::evidence::RunRecord;
use sha2::Digest;

use crate::support::{closeout, commit, describe, git, scratch, text};

/// A scratch repo whose closeout.toml holds `gates` (TOML text after the header).
fn repo(name: &str, run: &str, gates: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(
        dir.join("closeout.toml"),
        format!("[program]\nname = \"{name}\"\n\n[run]\n{run}\n{gates}"),
    )
    .unwrap();
    dir
}

fn gate(id: &str, run: &str, extra: &str) -> String {
    format!("\n[[gate]]\nid = \"{id}\"\nrun = '''{run}'''\n{extra}\n")
}

fn baseline(dir: &Path, args: &[&str]) -> (std::process::Output, Option<RunRecord>) {
    let out = closeout().arg("baseline").args(args).current_dir(dir).output().unwrap();
    (out, latest_run(dir))
}

/// The newest full run record under target/closeout/runs.
fn latest_run(dir: &Path) -> Option<RunRecord> {
    let runs = dir.join("target/closeout/runs");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&runs).ok()?.map(|e| e.unwrap().path()).collect();
    entries.sort();
    let path = entries.last()?.join("run.json");
    Some(RunRecord::from_json(&std::fs::read_to_string(&path).unwrap(), &path).unwrap())
}

fn outcome(record: &RunRecord, id: &str) -> String {
    record.gates.iter().find(|g| g.id == id).unwrap_or_else(|| panic!("no gate {id}")).outcome.to_string()
}

/// True while `pid` is a live process (a zombie counts as gone).
fn alive(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

fn pids_in(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[test]
fn every_outcome_from_real_processes() {
    let go_no_tests = "printf 'testing: warning: no tests to run\\nPASS\\nok  \\texample.com/x\\t0.01s [no tests to run]\\n'";
    let go_fail_exit0 = "printf -- '--- FAIL: TestX (0.00s)\\nFAIL\\nFAIL\\texample.com/x\\t0.01s\\n'";
    let gates = [
        gate("pass", "echo all good", "parser = \"none\""),
        gate("fail", "echo boom; exit 3", ""),
        gate("build-failed", "echo \"error: could not compile \\`x\\`\"; exit 101", "parser = \"cargo\""),
        gate("no-tests", go_no_tests, "parser = \"go\""),
        gate("empty", "true", "parser = \"cargo\""),
        gate("timeout", "sleep 30", "timeout = \"1s\""),
        gate("truncated", "printf 'running 3 tests\\ntest a ... ok\\n'", "parser = \"cargo\""),
        gate("fail-despite-exit-0", go_fail_exit0, "parser = \"go\""),
        gate("signaled", "kill -9 $$", ""),
    ]
    .concat();
    let dir = repo("outcomes", "jobs = 4\ngrace = \"1s\"", &gates);
    let (out, record) = baseline(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let record = record.unwrap();
    for (id, expected) in [
        ("pass", "PASS"),
        ("fail", "FAIL"),
        ("build-failed", "BUILD_FAILED"),
        ("no-tests", "NO_TESTS"),
        ("empty", "EMPTY_OUTPUT"),
        ("timeout", "TIMEOUT"),
        ("truncated", "TRUNCATED"),
        ("fail-despite-exit-0", "FAIL"),
        ("signaled", "FAIL"),
    ] {
        assert_eq!(outcome(&record, id), expected, "gate {id}\n{}", describe(&out));
    }
    let fail = record.gates.iter().find(|g| g.id == "fail").unwrap();
    assert_eq!(fail.exit_code, Some(3));
    let signaled = record.gates.iter().find(|g| g.id == "signaled").unwrap();
    assert_eq!((signaled.exit_code, signaled.signal), (None, Some(9)));

    // Every log is on disk, whole, with the recorded hash and size.
    for g in &record.gates {
        let log = g.log.as_ref().unwrap();
        let bytes = std::fs::read(dir.join(log.path.as_ref().unwrap())).unwrap();
        assert_eq!(bytes.len() as u64, log.bytes, "{}", g.id);
        assert_eq!(closeout::runner::process::hex(&sha2::Sha256::digest(&bytes)), log.sha256, "{}", g.id);
    }
    let stdout = text(&out.stdout);
    assert!(stdout.contains("fail FAIL — exit 3"), "{stdout}");
    assert!(stdout.contains("  │ boom"), "the failed gate's last lines are shown:\n{stdout}");
    assert!(stdout.contains("1/9 gates passed on 4 job(s): makespan"), "{stdout}");
    assert!(stdout.contains("ratio"), "{stdout}");

    // The compact committed record has hashes but no log paths.
    let latest = std::fs::read_to_string(dir.join(".closeout/latest.json")).unwrap();
    let compact = RunRecord::from_json(&latest, Path::new("latest.json")).unwrap();
    assert_eq!(compact.run_id, record.run_id);
    assert!(compact
        .gates
        .iter()
        .all(|g| g.log.as_ref().is_none_or(|l| l.path.is_none() && l.sha256.len() == 64)));
}

#[test]
fn spawn_failure_is_its_own_outcome() {
    let dir = repo("spawn", "", &gate("g", "echo hi", ""));
    let out = closeout().arg("baseline").env("PATH", "/nonexistent").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let record = latest_run(&dir).unwrap();
    assert_eq!(outcome(&record, "g"), "SPAWN_FAILED");
    assert!(record.gates[0].reason.starts_with("could not start"), "{}", record.gates[0].reason);
}

#[test]
fn grandchildren_never_survive_a_gate() {
    let dir = scratch("survivors");
    let pids = dir.join("pids");
    let gates = [
        // Exits at once, leaving a background grandchild that holds the pipe.
        gate(
            "leaves-child",
            &format!("sleep 300 & echo $! >> {}; echo started", pids.display()),
            "parser = \"none\"",
        ),
        // Times out; its grandchild ignores SIGTERM and holds the pipe, so only SIGKILL ends it.
        gate(
            "stubborn",
            &format!("(trap '' TERM; sleep 300) & echo $! >> {}; sleep 300", pids.display()),
            "timeout = \"1s\"",
        ),
        // Leaves its process group and session altogether: closeout, as subreaper, ends it.
        gate(
            "escapes",
            &format!(
                "setsid sleep 300 >/dev/null 2>&1 & sleep 0.3; echo $! >> {}; echo started",
                pids.display()
            ),
            "parser = \"none\"",
        ),
    ]
    .concat();
    std::fs::write(
        dir.join("closeout.toml"),
        format!("[program]\nname = \"s\"\n[run]\njobs = 2\ngrace = \"1s\"\n{gates}"),
    )
    .unwrap();
    let clock = Instant::now();
    let (out, record) = baseline(&dir, &[]);
    let elapsed = clock.elapsed();
    let record = record.unwrap();
    assert_eq!(outcome(&record, "leaves-child"), "PASS", "{}", describe(&out));
    assert_eq!(outcome(&record, "stubborn"), "TIMEOUT", "{}", describe(&out));
    assert_eq!(outcome(&record, "escapes"), "PASS", "{}", describe(&out));
    // timeout + grace + 1s, plus process start-up.
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    let pids = pids_in(&pids);
    assert_eq!(pids.len(), 3);
    for pid in pids {
        assert!(!alive(pid), "process {pid} started by a gate is still alive");
    }
}

#[test]
fn large_output_is_logged_whole_with_its_hash() {
    // 100 MB of output, in lines and in one endless line.
    let gates = [
        gate("lines", "yes 'a line of output' | head -c 100000000", "parser = \"none\""),
        gate("one-line", "head -c 20000000 /dev/zero", "parser = \"none\""),
    ]
    .concat();
    let dir = repo("large", "jobs = 2", &gates);
    let (out, record) = baseline(&dir, &[]);
    assert!(out.status.success(), "{}", describe(&out));
    for g in record.unwrap().gates {
        let log = g.log.unwrap();
        let path = dir.join(log.path.unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, log.bytes);
        assert_eq!(closeout::runner::process::hex(&sha2::Sha256::digest(&bytes)), log.sha256);
        std::fs::remove_file(path).unwrap();
    }
}

fn spawn_baseline(dir: &Path) -> Child {
    closeout().arg("baseline").current_dir(dir).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn send(child: &Child, signal: i32) {
    // SAFETY: signalling a child we spawned.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
}

/// Wait until the gates have written their pids (so they are running), at most 10 s.
fn wait_for_pids(file: &Path, n: usize) -> Vec<i32> {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        let pids = pids_in(file);
        if pids.len() >= n {
            return pids;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("gates did not start");
}

#[test]
fn ctrl_c_stops_running_gates_and_records_them() {
    let dir = scratch("ctrl-c");
    let pids = dir.join("pids");
    let slow = format!("echo $$ >> {}; sleep 300", pids.display());
    let gates = [gate("a", &slow, ""), gate("b", &slow, ""), gate("c", "echo never", "")].concat();
    std::fs::write(
        dir.join("closeout.toml"),
        format!("[program]\nname = \"c\"\n[run]\njobs = 2\ngrace = \"5s\"\n{gates}"),
    )
    .unwrap();
    let child = spawn_baseline(&dir);
    let running = wait_for_pids(&pids, 2);
    let clock = Instant::now();
    send(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert!(clock.elapsed() < Duration::from_secs(4), "sleep dies on SIGINT, no need to wait for grace");
    assert_eq!(out.status.code(), Some(130), "{}", describe(&out));
    let record = latest_run(&dir).unwrap();
    assert!(record.interrupted);
    assert_eq!(outcome(&record, "a"), "INTERRUPTED");
    assert_eq!(outcome(&record, "b"), "INTERRUPTED");
    assert_eq!(outcome(&record, "c"), "NOT_RUN");
    assert!(!dir.join(".closeout/latest.json").exists(), "an interrupted run is not the latest baseline");
    for pid in running {
        assert!(!alive(pid));
    }
}

#[test]
fn second_ctrl_c_kills_at_once() {
    let dir = scratch("ctrl-c-twice");
    let pids = dir.join("pids");
    let stubborn = format!("trap '' INT TERM; echo $$ >> {}; sleep 300", pids.display());
    std::fs::write(
        dir.join("closeout.toml"),
        format!("[program]\nname = \"c\"\n[run]\ngrace = \"60s\"\n{}", gate("a", &stubborn, "")),
    )
    .unwrap();
    let child = spawn_baseline(&dir);
    wait_for_pids(&pids, 1);
    let clock = Instant::now();
    send(&child, libc::SIGINT);
    std::thread::sleep(Duration::from_millis(300));
    send(&child, libc::SIGINT);
    let out = child.wait_with_output().unwrap();
    assert!(clock.elapsed() < Duration::from_secs(5), "took {:?}", clock.elapsed());
    assert_eq!(out.status.code(), Some(130), "{}", describe(&out));
    assert_eq!(outcome(&latest_run(&dir).unwrap(), "a"), "INTERRUPTED");
}

#[test]
fn longest_recorded_gate_runs_first_next_time() {
    let gates = [
        gate("short", "sleep 0.1; echo ok", "parser = \"none\""),
        gate("long", "sleep 0.6; echo ok", "parser = \"none\""),
        gate("medium", "sleep 0.3; echo ok", "parser = \"none\""),
    ]
    .concat();
    let dir = repo("schedule", "jobs = 1", &gates);
    let out = closeout().args(["baseline", "--dry-run"]).current_dir(&dir).output().unwrap();
    let plan = text(&out.stdout);
    assert!(plan.contains("no prediction yet: no gate has a recorded duration"), "{plan}");
    assert!(!plan.contains("0ms"), "{plan}");
    let (out, _) = baseline(&dir, &[]);
    assert!(out.status.success(), "{}", describe(&out));
    // Gates never seen before keep input order; the history now says long > medium > short.
    gate_order(&dir, &["long", "medium", "short"]);
    // A new gate goes first.
    std::fs::write(
        dir.join("closeout.toml"),
        format!("{}{}", std::fs::read_to_string(dir.join("closeout.toml")).unwrap(), gate("new", "echo", "")),
    )
    .unwrap();
    gate_order(&dir, &["new", "long", "medium", "short"]);
}

fn gate_order(dir: &Path, expected: &[&str]) {
    let out = closeout().args(["baseline", "--dry-run"]).current_dir(dir).output().unwrap();
    let plan = text(&out.stdout);
    let ids: Vec<&str> = plan
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(ids, expected, "{plan}");
}

#[test]
fn exclusive_gates_never_overlap() {
    let gates = [
        gate("x1", "sleep 0.4; echo ok", "parser = \"none\"\nexclusive = \"lock\""),
        gate("x2", "sleep 0.4; echo ok", "parser = \"none\"\nexclusive = \"lock\""),
        gate("free", "sleep 0.4; echo ok", "parser = \"none\""),
    ]
    .concat();
    let dir = repo("exclusive", "jobs = 3", &gates);
    let (out, record) = baseline(&dir, &[]);
    assert!(out.status.success(), "{}", describe(&out));
    let record = record.unwrap();
    let span = |id: &str| {
        let g = record.gates.iter().find(|g| g.id == id).unwrap();
        (g.started_at.clone().unwrap(), g.finished_at.clone().unwrap())
    };
    let (a, b) = (span("x1"), span("x2"));
    assert!(a.1 <= b.0 || b.1 <= a.0, "x1 {a:?} overlaps x2 {b:?}");
}

#[test]
fn ci_output_has_a_line_per_gate_and_a_heartbeat() {
    let dir = repo("heartbeat", "", &gate("slow", "sleep 1; echo done", "parser = \"none\""));
    let out =
        closeout().arg("baseline").env("CLOSEOUT_HEARTBEAT_SECS", "0.2").current_dir(&dir).output().unwrap();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("still running: slow ("), "{stderr}");
    assert!(stderr.contains("[1/1] PASS slow in"), "{stderr}");
}

#[test]
fn json_filters_and_usage_errors() {
    let gates = [gate("a", "echo a", "parser = \"none\""), gate("b", "exit 1", "")].concat();
    let dir = repo("filters", "", &gates);
    let out = closeout().args(["baseline", "--json", "--only", "a"]).current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let record = RunRecord::from_json(&text(&out.stdout), Path::new("stdout")).unwrap();
    assert_eq!(record.gates.len(), 1);
    assert_eq!(record.schema, closeout::evidence::SCHEMA_VERSION);
    assert!(record.host.os.len() > 1 && record.jobs >= 1);
    assert!(
        !dir.join(".closeout/latest.json").exists(),
        "a filtered run does not replace the latest baseline"
    );

    let out = closeout().args(["baseline", "--skip", "a"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));

    let out = closeout().args(["baseline", "--only", "c"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no gate `c` in closeout.toml"), "{}", describe(&out));
}

#[test]
fn records_git_head_and_dirty_tree() {
    let dir = repo("git", "", &gate("a", "echo a", "parser = \"none\""));
    let git = |args: &[&str]| {
        let ok = Command::new("git").args(args).current_dir(&dir).output().unwrap().status.success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "x"]);
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    let (_, record) = baseline(&dir, &[]);
    let git_state = record.unwrap().git.unwrap();
    assert_eq!(git_state.head.len(), 40);
    assert!(git_state.dirty, "closeout.toml and .gitignore are untracked");
}

/// A Go repository ignores no `target/`: closeout's own logs there, and its evidence under
/// `.closeout/`, must not make the next run's tree dirty.
#[test]
fn closeouts_own_output_does_not_make_the_tree_dirty() {
    let dir = repo("git-own-output", "", &gate("a", "echo a", "parser = \"none\""));
    git(&dir, &["init", "-q"]);
    commit(&dir, "program");
    let (_, first) = baseline(&dir, &[]);
    assert!(!first.unwrap().git.unwrap().dirty);
    assert!(dir.join("target/closeout/runs").is_dir() && dir.join(".closeout/latest.json").is_file());
    std::fs::create_dir_all(dir.join(".closeout/packets")).unwrap();
    std::fs::write(dir.join(".closeout/packets/00.json"), "{}").unwrap();
    let (_, second) = baseline(&dir, &[]);
    assert!(!second.unwrap().git.unwrap().dirty, "only closeout's own output changed");
    std::fs::write(dir.join("main.go"), "package main\n").unwrap();
    let (_, third) = baseline(&dir, &[]);
    assert!(third.unwrap().git.unwrap().dirty, "a new source file is a change");
}

#[test]
fn known_failures_are_pre_existing_and_stale_debt_is_reported() {
    let gates = [
        gate(
            "monitoring",
            "echo 'FAIL\\texample.com/m [build failed]'; exit 2",
            "parser = \"go\"\nknown_failure = \"DL-009\"",
        ),
        gate("vitest", "echo fixed now", "parser = \"none\"\nknown_failure = \"DL-010\""),
    ]
    .concat();
    let debts = "\n[[debt]]\nid = \"DL-009\"\ndescription = \"monitoring build\"\n\n[[debt]]\nid = \"DL-010\"\ndescription = \"vitest flake\"\n";
    let dir = repo("known", "", &format!("{gates}{debts}"));
    let (out, record) = baseline(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "a known failure still fails the run\n{}", describe(&out));
    let record = record.unwrap();
    let monitoring = record.gates.iter().find(|g| g.id == "monitoring").unwrap();
    assert_eq!(
        (monitoring.outcome.to_string().as_str(), monitoring.known_failure.as_deref()),
        ("BUILD_FAILED", Some("DL-009"))
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("pre-existing DL-009"), "{stdout}");
    assert!(
        stdout.contains("stale debt: gate `vitest` passes but is still marked known_failure = \"DL-010\""),
        "{stdout}"
    );
}

#[test]
fn a_killed_run_still_leaves_a_valid_record() {
    let dir = scratch("killed");
    let pids = dir.join("pids");
    let gates = [
        gate("quick", "echo done", "parser = \"none\""),
        gate("slow", &format!("echo $$ >> {}; sleep 300", pids.display()), ""),
    ]
    .concat();
    std::fs::write(dir.join("closeout.toml"), format!("[program]\nname = \"k\"\n[run]\njobs = 2\n{gates}"))
        .unwrap();
    let mut child = spawn_baseline(&dir);
    let slow = wait_for_pids(&pids, 1);
    // Give the checkpoint interval time to record the quick gate.
    std::thread::sleep(closeout::runner::CHECKPOINT * 3);
    child.kill().unwrap();
    child.wait().unwrap();
    // SAFETY: clean up the gate in case the watchdog did not (hostile.rs checks it does).
    unsafe {
        libc::kill(-slow[0], libc::SIGKILL);
    }
    let record = latest_run(&dir).expect("run.json exists and parses");
    assert_eq!(outcome(&record, "quick"), "PASS");
    // The start was checkpointed: the gate shows as started and cut short, not as never run.
    assert_eq!(outcome(&record, "slow"), "INTERRUPTED");
    assert!(record.gate("slow").unwrap().started_at.is_some());
    assert!(record.interrupted, "a checkpoint is the record of a run that did not finish");
}

#[test]
fn this_repository_runs_its_own_baseline() {
    // A copy: the test suite never writes into the repository it runs in.
    let root = crate::support::workspace_copy("own-baseline");
    // The full baseline runs in .ci/run; here the plan, and the fmt gate for real (the
    // cargo gates would wait on the build lock this test run holds).
    let out = closeout().args(["baseline", "--dry-run"]).current_dir(&root).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let plan = text(&out.stdout);
    for id in ["build", "test", "clippy", "fmt"] {
        assert!(plan.lines().any(|l| l.split_whitespace().nth(1) == Some(id)), "{plan}");
    }
    let out = closeout().args(["baseline", "--only", "fmt", "--json"]).current_dir(&root).output().unwrap();
    let record = RunRecord::from_json(&text(&out.stdout), Path::new("stdout")).unwrap();
    assert_eq!(outcome(&record, "fmt"), "PASS", "{}", describe(&out));
}

/// Conditional gates (`when`, as import writes them from "when X is touched, additionally
/// run") are listed and not run by default; `--when TEXT` and `--all` run them; the
/// verdict requires them only when a run took them.
#[test]
fn conditional_gates_run_only_when_asked() {
    let gates = [
        gate("always", "true", ""),
        gate("api", "true", "when = \"When API handlers are touched, additionally run\""),
        gate("milestone", "exit 3", "when = \"Milestone boundary baselines (TN-06)\""),
    ]
    .concat();
    let dir = repo("conditional", "jobs = 2", &gates);
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "init");
    let ran = |record: &RunRecord| -> Vec<String> { record.gates.iter().map(|g| g.id.clone()).collect() };

    let (out, record) = baseline(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(ran(&record.unwrap()), ["always"]);
    let summary = text(&out.stdout);
    assert!(summary.contains("conditional gates not run (2;"), "{summary}");
    assert!(summary.contains("  milestone: Milestone boundary baselines (TN-06)"), "{summary}");
    // The run is complete without them: latest.json is written, and the verdict holds.
    assert!(dir.join(".closeout/latest.json").exists(), "{summary}");
    commit(&dir, "evidence");
    let verdict = closeout().arg("verdict").current_dir(&dir).output().unwrap();
    assert!(!text(&verdict.stdout).contains("gate `milestone`"), "{}", describe(&verdict));

    let (out, record) = baseline(&dir, &["--when", "api"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(ran(&record.unwrap()), ["always", "api"]);

    let (out, record) = baseline(&dir, &["--all"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let mut all = ran(&record.unwrap());
    all.sort();
    assert_eq!(all, ["always", "api", "milestone"]);
    commit(&dir, "evidence with every gate");
    let verdict = closeout().arg("verdict").current_dir(&dir).output().unwrap();
    assert!(text(&verdict.stdout).contains("gate `milestone` failed"), "{}", describe(&verdict));
}

/// A gate whose runner is not installed (the shell's exit 127) is SPAWN_FAILED, named,
/// with what to do: not TRUNCATED because the runner's summary never came.
#[test]
fn a_runner_that_is_not_installed_is_named_not_truncated() {
    let gates = gate("unit", "closeout-no-such-runner -q", "parser = \"pytest\"")
        + &gate("wrapped", "echo '> demo test'; closeout-no-such-runner --test", "parser = \"node-test\"");
    let dir = repo("missing-runner", "jobs = 2", &gates);
    let (out, record) = baseline(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let record = record.unwrap();
    for gate in &record.gates {
        assert_eq!(gate.outcome.to_string(), "SPAWN_FAILED", "{gate:?}");
        assert_eq!(gate.exit_code, Some(127), "{gate:?}");
        assert!(
            gate.reason.contains("`closeout-no-such-runner` is not installed or not on PATH"),
            "{gate:?}"
        );
        assert!(gate.reason.contains("fix the gate's `run`"), "{gate:?}");
    }
}
