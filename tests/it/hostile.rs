//! Hostile inputs from issue #12: concurrent writers, paths outside the repository,
//! signals that end closeout, evidence edited by hand, secrets, unbounded jobs. Each test
//! fails without its fix; concurrency cases run many trials and assert zero lost writes.

use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{closeout, commit, describe, git, scratch, text};

/// Trials per concurrency case (`CLOSEOUT_HOSTILE_TRIALS` for more).
fn trials() -> usize {
    std::env::var("CLOSEOUT_HOSTILE_TRIALS").ok().and_then(|s| s.parse().ok()).unwrap_or(8)
}

const LEDGER_PROGRAM: &str = r#"[program]
name = "H"
docs = ["plan.md"]

[[debt]]
id = "DL-0"
description = "Seed"
severity = "LOW"
owner = "Ops"
milestone = "Next"
"#;

const LEDGER_PLAN: &str = "# Plan\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n";

fn ledger_repo(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("closeout.toml"), LEDGER_PROGRAM).unwrap();
    std::fs::write(dir.join("plan.md"), LEDGER_PLAN).unwrap();
    let out = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    dir
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    closeout().args(args).current_dir(dir).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn add(dir: &Path, id: &str) -> Child {
    spawn(
        dir,
        &[
            "ledger",
            "add",
            "--id",
            id,
            "--description",
            "Raced",
            "--severity",
            "LOW",
            "--owner",
            "Ops",
            "--milestone",
            "Next",
        ],
    )
}

#[test]
fn concurrent_ledger_adds_lose_nothing() {
    let dir = ledger_repo("hostile-ledger-race");
    let mut losses = Vec::new();
    for trial in 0..trials() {
        let ids: Vec<String> = (0..3).map(|k| format!("DL-{trial}{k}")).collect();
        let children: Vec<Child> = ids.iter().map(|id| add(&dir, id)).collect();
        for (id, child) in ids.iter().zip(children) {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "ledger add {id}: {}", describe(&out));
        }
        let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
        let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
        for id in &ids {
            if !toml.contains(&format!("id = \"{id}\"")) || !plan.contains(&format!("| {id} |")) {
                losses.push(format!("trial {trial}: {id}"));
            }
        }
    }
    assert!(losses.is_empty(), "lost writes:\n{}", losses.join("\n"));
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", describe(&verify));
}

#[test]
fn update_docs_racing_ledger_add_keeps_the_row() {
    let dir = ledger_repo("hostile-docs-race");
    let mut losses = Vec::new();
    for trial in 0..trials() {
        let id = format!("DL-R{trial}");
        // An emptied region, so update-docs has something to write.
        std::fs::write(dir.join("plan.md"), LEDGER_PLAN).unwrap();
        let docs = spawn(&dir, &["update-docs"]);
        let adding = add(&dir, &id);
        let (a, d) = (adding.wait_with_output().unwrap(), docs.wait_with_output().unwrap());
        assert!(a.status.success(), "{}", describe(&a));
        assert!(d.status.success(), "{}", describe(&d));
        let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
        if verify.status.code() != Some(0) {
            losses.push(format!("trial {trial}: {}", describe(&verify)));
        }
    }
    assert!(losses.is_empty(), "rows lost from the doc:\n{}", losses.join("\n"));
}

#[test]
fn a_writer_waits_for_the_lock_and_gives_up_with_a_message() {
    let dir = ledger_repo("hostile-lock-timeout");
    // Hold the repository lock from outside (flock(1) on the folder), as another closeout would.
    let mut holder = std::process::Command::new("flock")
        .args(["-x", dir.to_str().unwrap(), "-c", "sleep 5"])
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let out = closeout()
        .arg("update-docs")
        .env("CLOSEOUT_LOCK_TIMEOUT_SECS", "0.5")
        .current_dir(&dir)
        .output()
        .unwrap();
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("waiting for another closeout"), "{stderr}");
    assert!(stderr.contains("another closeout has been writing in"), "{stderr}");
}

const BASELINE_PROGRAM: &str = r#"[program]
name = "B"
docs = ["plan.md"]

[[gate]]
id = "slow"
run = "sleep 0.4; echo ok"
parser = "none"
"#;

const BASELINE_PLAN: &str = "# Plan\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n";

#[test]
fn two_baselines_at_once_serialise_or_refuse() {
    let dir = scratch("hostile-baseline-race");
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    git(&dir, &["init", "-q", "."]);
    commit(&dir, "start");
    let mut refused = 0;
    for trial in 0..trials() {
        let a = spawn(&dir, &["baseline", "--color", "never"]);
        let b = spawn(&dir, &["baseline", "--color", "never"]);
        let outs: Vec<Output> = [a, b].into_iter().map(|c| c.wait_with_output().unwrap()).collect();
        for out in &outs {
            match out.status.code() {
                Some(0) => {}
                Some(2) => {
                    assert!(
                        text(&out.stderr).contains("another `closeout baseline` is running"),
                        "{}",
                        describe(out)
                    );
                    refused += 1;
                }
                _ => panic!("trial {trial}: {}", describe(out)),
            }
        }
        assert!(outs.iter().any(|o| o.status.success()), "trial {trial}: one baseline runs");
        let latest = std::fs::read_to_string(dir.join(".closeout/latest.json")).unwrap();
        let run_id = latest.split("\"run_id\": \"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
        assert_eq!(verify.status.code(), Some(0), "trial {trial}: {run_id}\n{}", describe(&verify));
    }
    assert!(refused > 0, "the second baseline of a pair started while the first ran");
}

/// Wait for `child` at most `limit`; kill it and fail if it is still running.
fn finish_within(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn docs_that_leave_the_repository_or_are_not_files_are_refused() {
    let base = scratch("hostile-containment");
    let outside = base.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("o.md"), LEDGER_PLAN).unwrap();
    type Make = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Make, &str)> = vec![
        (
            "symlink to a file outside",
            Box::new(|d: &Path| std::os::unix::fs::symlink("../outside/o.md", d.join("plan.md")).unwrap()),
            "outside the repository",
        ),
        (
            "symlink to /dev/zero",
            Box::new(|d: &Path| std::os::unix::fs::symlink("/dev/zero", d.join("plan.md")).unwrap()),
            "outside the repository",
        ),
        (
            "a FIFO",
            Box::new(|d: &Path| {
                let ok = std::process::Command::new("mkfifo").arg(d.join("plan.md")).status().unwrap();
                assert!(ok.success());
            }),
            "is not a regular file (a FIFO)",
        ),
        (
            "a folder",
            Box::new(|d: &Path| std::fs::create_dir(d.join("plan.md")).unwrap()),
            "is not a regular file (a folder)",
        ),
    ];
    for (name, make, expected) in cases {
        let dir = base.join(name.replace(' ', "-"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("closeout.toml"), LEDGER_PROGRAM).unwrap();
        make(&dir);
        for command in ["verify-docs", "update-docs"] {
            let out = finish_within(spawn(&dir, &[command]), Duration::from_secs(10), command);
            assert_eq!(out.status.code(), Some(2), "{name}, {command}: {}", describe(&out));
            let stderr = text(&out.stderr);
            assert!(stderr.contains("plan.md: ") && stderr.contains(expected), "{name}: {stderr}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(outside.join("o.md")).unwrap(),
        LEDGER_PLAN,
        "nothing written outside"
    );
}

#[test]
fn an_evidence_folder_linked_outside_the_repository_is_refused() {
    let base = scratch("hostile-evidence-link");
    let dir = base.join("repo");
    std::fs::create_dir_all(base.join("elsewhere")).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM.replace("sleep 0.4; ", "")).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    std::os::unix::fs::symlink("../elsewhere", dir.join(".closeout")).unwrap();
    for args in [&["baseline"][..], &["verdict"], &["update-docs"]] {
        let out = closeout().args(args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(text(&out.stderr).contains(".closeout resolves to"), "{args:?}: {}", describe(&out));
    }
    assert_eq!(std::fs::read_dir(base.join("elsewhere")).unwrap().count(), 0, "nothing written outside");
}

#[test]
fn a_broken_closeout_toml_stops_discovery_instead_of_falling_through() {
    let parent = ledger_repo("hostile-discovery");
    let child = parent.join("sub");
    std::fs::create_dir_all(child.join("closeout.toml")).unwrap();
    let out = closeout().arg("status").current_dir(&child).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("closeout.toml is not a regular file"), "{}", describe(&out));
    std::fs::remove_dir(child.join("closeout.toml")).unwrap();
    std::os::unix::fs::symlink("missing.toml", child.join("closeout.toml")).unwrap();
    let out = closeout().arg("status").current_dir(&child).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("dangling symlink"), "{}", describe(&out));
}

#[test]
fn jobs_are_bounded() {
    let dir = scratch("hostile-jobs");
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM.replace("sleep 0.4; ", "")).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    for jobs in ["10000", "9223372036854775807", "-1"] {
        let out =
            closeout().args(["baseline", &format!("--jobs={jobs}")]).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "-j {jobs}: {}", describe(&out));
        assert!(text(&out.stderr).contains("up to 256"), "-j {jobs}: {}", describe(&out));
    }
    // Within the bound, workers never outnumber the gates.
    let out = closeout().args(["baseline", "-j", "256", "--json"]).current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout).contains("\"jobs\": 1,"), "{}", describe(&out));
}

/// Processes of process group `pgid` that are alive (zombies waiting for init do not count).
fn live_in_group(pgid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // pid (comm) state ppid pgrp ...: split after the last ')'.
        let fields: Vec<&str> =
            stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("").split_whitespace().collect();
        if fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string() {
            out.push(pid);
        }
    }
    out
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn read_pid(file: &Path) -> Option<i32> {
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

fn kill(pid: i32, signal: i32) {
    // SAFETY: signalling a process (or group, when negative) this test started.
    unsafe {
        libc::kill(pid, signal);
    }
}

const LONG_GATES: &str = r#"[program]
name = "S"

[run]
grace = "1s"

[[gate]]
id = "long-a"
run = "echo $$ > pgid.a; sleep 101; echo done"
parser = "none"

[[gate]]
id = "long-b"
run = "echo $$ > pgid.b; sh -c 'sleep 102'; echo done"
parser = "none"
"#;

fn newest_run(dir: &Path) -> serde_json::Value {
    let runs = dir.join("target/closeout/runs");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&runs).unwrap().map(|e| e.unwrap().path()).collect();
    all.sort();
    let text = std::fs::read_to_string(all.last().unwrap().join("run.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Whatever signal ends closeout (SIGKILL included), no gate process outlives it, and the
/// checkpointed record shows the running gates as started and INTERRUPTED.
#[test]
fn no_gate_survives_any_signal_to_closeout() {
    let mut survivors = Vec::new();
    for (name, signal) in [
        ("TERM", libc::SIGTERM),
        ("HUP", libc::SIGHUP),
        ("QUIT", libc::SIGQUIT),
        ("INT", libc::SIGINT),
        ("KILL", libc::SIGKILL),
    ] {
        let dir = scratch(&format!("hostile-signal-{name}"));
        std::fs::write(dir.join("closeout.toml"), LONG_GATES).unwrap();
        let child = spawn(&dir, &["baseline", "--color", "never"]);
        let pid = child.id() as i32;
        let (a, b) = (dir.join("pgid.a"), dir.join("pgid.b"));
        assert!(wait_until(Duration::from_secs(10), || read_pid(&a).is_some() && read_pid(&b).is_some()));
        // Let the checkpointer record the starts.
        std::thread::sleep(closeout::runner::CHECKPOINT * 3);
        kill(pid, signal);
        let out = finish_within(child, Duration::from_secs(10), "closeout after a signal");
        let groups = [read_pid(&a).unwrap(), read_pid(&b).unwrap()];
        let gone = wait_until(Duration::from_secs(3), || groups.iter().all(|g| live_in_group(*g).is_empty()));
        if !gone {
            survivors.push(format!("SIG{name}: {:?}", groups.map(live_in_group)));
            for g in groups {
                kill(-g, libc::SIGKILL);
            }
        }
        if signal != libc::SIGKILL {
            assert_eq!(out.status.code(), Some(130), "SIG{name}: {}", describe(&out));
        }
        let record = newest_run(&dir);
        assert_eq!(record["interrupted"], true, "SIG{name}");
        // The next command that reads it names the problem.
        let status = closeout().arg("status").current_dir(&dir).output().unwrap();
        let said = text(&status.stdout);
        assert!(
            said.contains("did not finish") && said.contains("2 gate(s) were cut short (long-a, long-b)"),
            "SIG{name}: {said}"
        );
        for gate in record["gates"].as_array().unwrap() {
            assert_eq!(gate["outcome"], "INTERRUPTED", "SIG{name}: {gate}");
            assert!(gate["started_at"].is_string(), "SIG{name}: {gate}");
        }
    }
    assert!(survivors.is_empty(), "gate processes outlived closeout:\n{}", survivors.join("\n"));
}

/// A daemon that leaves the gate's session and ignores SIGTERM is SIGKILLed after `grace`,
/// when the run ends normally, when it is interrupted, and when closeout is SIGKILLed.
#[test]
fn a_setsid_daemon_that_ignores_term_does_not_survive_the_run() {
    for signal in [None, Some(libc::SIGINT), Some(libc::SIGKILL)] {
        let dir = scratch(&format!("hostile-daemon-{signal:?}"));
        let toml = r#"[program]
name = "D"

[run]
grace = "300ms"

[[gate]]
id = "spawns-daemon"
run = "setsid sh -c 'trap \"\" TERM; echo $$ > daemon.pid; sleep 60; sleep 60' & sleep 0.3; echo started; sleep 5"
parser = "none"
"#;
        std::fs::write(dir.join("closeout.toml"), toml).unwrap();
        let child = spawn(&dir, &["baseline", "--color", "never"]);
        let file = dir.join("daemon.pid");
        assert!(wait_until(Duration::from_secs(10), || read_pid(&file).is_some()));
        if let Some(signal) = signal {
            // Let the checkpointer see the daemon first.
            std::thread::sleep(closeout::runner::CHECKPOINT * 3);
            kill(child.id() as i32, signal);
        }
        finish_within(child, Duration::from_secs(20), "baseline");
        let daemon = read_pid(&file).unwrap();
        let gone = wait_until(Duration::from_secs(3), || live_in_group(daemon).is_empty());
        if !gone {
            kill(-daemon, libc::SIGKILL);
        }
        assert!(gone, "signal {signal:?}: the daemon's group {daemon} outlived the run");
    }
}

fn evidence_repo(name: &str, run: &str) -> PathBuf {
    let dir = scratch(name);
    let toml = format!("[program]\nname = \"E\"\ndocs = [\"plan.md\"]\n\n[[gate]]\nid = \"check\"\nrun = \"{run}\"\nparser = \"none\"\n");
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git(&dir, &["init", "-q", "."]);
    commit(&dir, "start");
    let _ = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    commit(&dir, "evidence");
    dir
}

fn edit_latest(dir: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let path = dir.join(".closeout/latest.json");
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap() + "\n").unwrap();
}

fn verify_evidence(dir: &Path) -> Output {
    closeout().arg("verify-evidence").current_dir(dir).output().unwrap()
}

fn verdict(dir: &Path) -> Output {
    closeout().arg("verdict").current_dir(dir).output().unwrap()
}

#[test]
fn edited_evidence_does_not_verify_and_is_no_go() {
    let dir = evidence_repo("hostile-evidence-edit", "echo ran; exit 1");
    assert_eq!(verify_evidence(&dir).status.code(), Some(0), "{}", describe(&verify_evidence(&dir)));
    // FAIL -> PASS, as a hand edit would; then the docs and a commit, as in the issue.
    edit_latest(&dir, |v| v["gates"][0]["outcome"] = "PASS".into());
    let _ = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
    commit(&dir, "pass, honestly");
    let out = verify_evidence(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("gate `check`: is PASS with exit code 1"), "{stdout}");
    assert!(stdout.contains("differs from the full record"), "{stdout}");
    let out = verdict(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("NO-GO"), "{}", describe(&out));
    assert!(text(&out.stdout).contains("the evidence does not verify"), "{}", describe(&out));

    // A consistent forgery (exit code 0 as well) is caught by the full record, when present.
    edit_latest(&dir, |v| v["gates"][0]["exit_code"] = 0.into());
    let stdout = text(&verify_evidence(&dir).stdout);
    assert!(!stdout.contains("is PASS with exit code"), "{stdout}");
    assert!(stdout.contains("differs from the full record"), "{stdout}");
}

/// A `go test` run with one failing test, as `go test` prints it.
const GO_FAILURE: &str =
    r"printf '=== RUN   TestA\n--- FAIL: TestA (0.00s)\nFAIL\nFAIL\texample.com/x\t0.01s\n'; exit 1";

/// Every field of a failed gate edited to a pass, consistently: outcome, reason, exit code,
/// counts, failing and individual tests.
fn forge_pass(gate: &mut serde_json::Value) {
    gate["outcome"] = "PASS".into();
    gate["reason"] = "exit 0".into();
    gate["exit_code"] = 0.into();
    gate["failing_tests"] = serde_json::json!([]);
    gate["tests"] = serde_json::json!([]);
    if let Some(counts) = gate["counts"].as_object_mut() {
        for (key, value) in counts.iter_mut() {
            if key != "passed" && value.is_u64() {
                *value = 0.into();
            }
        }
    }
}

/// The log stays as the gate wrote it, so its hash matches; re-read with the gate's parser
/// it shows the failure the forged record hides.
#[test]
fn a_forged_pass_is_caught_by_its_own_log() {
    let dir = scratch("hostile-evidence-log-reread");
    let toml = format!(
        "[program]\nname = \"E\"\ndocs = [\"plan.md\"]\n\n[[gate]]\nid = \"check\"\nrun = \"\"\"{GO_FAILURE}\"\"\"\nparser = \"go\"\n"
    );
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git(&dir, &["init", "-q", "."]);
    commit(&dir, "start");
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let verified =
        closeout().args(["verify-evidence", "--require-full-record"]).current_dir(&dir).output().unwrap();
    assert_eq!(verified.status.code(), Some(0), "the honest record verifies: {}", describe(&verified));

    edit_latest(&dir, |v| forge_pass(&mut v["gates"][0]));
    let latest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".closeout/latest.json")).unwrap()).unwrap();
    let full = dir.join("target/closeout/runs").join(latest["run_id"].as_str().unwrap()).join("run.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    forge_pass(&mut record["gates"][0]);
    std::fs::write(&full, serde_json::to_string_pretty(&record).unwrap() + "\n").unwrap();
    let _ = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
    commit(&dir, "pass, honestly");

    let out =
        closeout().args(["verify-evidence", "--require-full-record"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("differs from the full record"), "both records were edited alike: {stdout}");
    assert!(stdout.contains("when re-read with parser `go`, but the record says 0 passed"), "{stdout}");
    assert!(
        stdout.contains("is FAIL when re-read with parser `go` (1 failed), but the record says PASS"),
        "{stdout}"
    );
    let out = verdict(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("NO-GO"), "{}", describe(&out));
}

#[test]
fn self_contradictory_records_are_named() {
    let dir = evidence_repo("hostile-evidence-contradiction", "echo ok");
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    for (field, value, expected) in [
        ("signal", serde_json::json!(9), "has both exit code 0 and signal 9"),
        ("log", serde_json::Value::Null, "is PASS without a log"),
        ("failing_tests", serde_json::json!(["t1"]), "is PASS with 1 failing test(s) listed"),
    ] {
        edit_latest(&dir, |v| v["gates"][0][field] = value.clone());
        let out = verify_evidence(&dir);
        assert_eq!(out.status.code(), Some(1), "{field}: {}", describe(&out));
        assert!(text(&out.stdout).contains(expected), "{field}: {}", describe(&out));
        git(&dir, &["checkout", "-q", "--", ".closeout/latest.json"]);
    }
}

/// A record that says `PASS` with exit code 3 is shown as what it is, counted as not
/// passed, and a region that calls it `PASS (exit 3)` drifts.
#[test]
fn a_self_contradictory_pass_is_shown_inconsistent_and_not_counted() {
    let dir = scratch("hostile-evidence-inconsistent-shown");
    let gates: String = ["one", "two", "three"]
        .iter()
        .map(|id| format!("\n[[gate]]\nid = \"{id}\"\nrun = \"echo {id}\"\nparser = \"none\"\n"))
        .collect();
    std::fs::write(
        dir.join("closeout.toml"),
        format!("[program]\nname = \"E\"\ndocs = [\"plan.md\"]\n{gates}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("plan.md"),
        "# Plan\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n\n<!-- closeout:begin verdict -->\n<!-- closeout:end verdict -->\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git(&dir, &["init", "-q", "."]);
    commit(&dir, "start");
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let status = closeout().args(["status", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert!(text(&status.stdout).contains("3/3 gates passed"), "{}", describe(&status));
    let honest = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert_eq!(honest.matches("PASS (exit 0)").count(), 6, "both tables: {honest}");

    edit_latest(&dir, |v| v["gates"][0]["exit_code"] = 3.into());
    let out = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert!(!plan.contains("PASS (exit 3)"), "{plan}");
    let shown: Vec<&str> = plan.lines().filter(|l| l.contains("`echo one`")).collect();
    assert_eq!(shown.len(), 2, "the baseline region and the verdict's results table: {plan}");
    for line in shown {
        assert!(line.contains("INCONSISTENT (recorded PASS, exit 3)"), "{line}");
        assert!(line.contains("is PASS with exit code 3; only exit code 0 passes"), "{line}");
    }
    let status = closeout().args(["status", "--color", "never"]).current_dir(&dir).output().unwrap();
    let stdout = text(&status.stdout);
    assert!(stdout.contains("2/3 gates passed"), "{stdout}");
    assert!(
        stdout.contains("INCONSISTENT (recorded PASS, exit 3) one: the record contradicts itself"),
        "{stdout}"
    );
    let json = closeout().args(["status", "--json"]).current_dir(&dir).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["latest_run"]["passed"], 2, "{json}");
    assert_eq!(json["latest_run"]["failed"][0]["outcome"], "INCONSISTENT", "{json}");

    // What an earlier closeout wrote into the docs for that record drifts.
    let stale: String = plan
        .lines()
        .map(|l| {
            if l.contains("`echo one`") {
                honest.lines().find(|h| h.contains("`echo one`")).unwrap().replace("exit 0", "exit 3")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(dir.join("plan.md"), stale).unwrap();
    let out = closeout().args(["verify-docs", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("INCONSISTENT (recorded PASS, exit 3)"), "{}", describe(&out));
}

#[test]
fn a_moved_git_head_is_detected_even_without_the_full_record() {
    let dir = evidence_repo("hostile-evidence-head", "echo ok");
    // A code change committed after the run (commit times have whole seconds).
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(dir.join("code.txt"), "changed\n").unwrap();
    commit(&dir, "code change");
    let head = text(
        &std::process::Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(&dir)
            .output()
            .unwrap()
            .stdout,
    )
    .trim()
    .to_string();
    assert_eq!(verdict(&dir).status.code(), Some(1), "stale evidence is NO-GO");
    edit_latest(&dir, |v| v["git"]["head"] = head.clone().into());
    std::fs::remove_dir_all(dir.join("target")).unwrap(); // a fresh clone has no full record
    commit(&dir, "evidence moved to HEAD by hand");
    let out = verify_evidence(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("was committed after the run started"), "{}", describe(&out));
    let out = verdict(&dir);
    assert!(text(&out.stdout).contains("NO-GO"), "{}", describe(&out));
}

#[test]
fn a_gate_that_deletes_its_log_does_not_pass() {
    let dir = scratch("hostile-evidence-log-deleted");
    std::fs::write(
        dir.join("closeout.toml"),
        "[program]\nname = \"E\"\n\n[[gate]]\nid = \"wipe\"\nrun = \"echo ok; rm -rf target/closeout\"\nparser = \"none\"\n",
    )
    .unwrap();
    let out = closeout().args(["baseline", "--color", "never", "--json"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("\"outcome\": \"TRUNCATED\"") && stdout.contains("was deleted during the run"),
        "{stdout}"
    );
}

/// A test name carrying a secret (here the value of `GITHUB_TOKEN`, and a token shape) is
/// redacted everywhere closeout writes it: evidence, docs, JUnit, annotations, job summary,
/// and the terminal summary. The raw log keeps what the gate printed.
#[test]
fn secrets_never_reach_what_closeout_writes() {
    let dir = scratch("hostile-secrets");
    let secret = "s3cr3tT0kenValue42";
    let shape = "ghp_0123456789abcdefghijABCDEFGHIJklmn";
    let run = "echo \\\"--- FAIL: TestLogin_$GITHUB_TOKEN (0.00s)\\\"; echo \\\"--- FAIL: TestShape_$SHAPE (0.00s)\\\"; echo FAIL; exit 1";
    let toml = format!(
        "[program]\nname = \"S\"\ndocs = [\"plan.md\"]\n\n[[gate]]\nid = \"login\"\nrun = \"{run}\"\nparser = \"go\"\n"
    );
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    let summary = dir.join("summary.md");
    let out = closeout()
        .args(["baseline", "--color", "never", "--junit", "junit.xml"])
        .env("GITHUB_TOKEN", secret)
        .env("SHAPE", shape)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let run_dir =
        std::fs::read_dir(dir.join("target/closeout/runs")).unwrap().next().unwrap().unwrap().path();
    let mut written = vec![
        ("stdout".to_string(), text(&out.stdout)),
        ("stderr".to_string(), text(&out.stderr)),
        ("latest.json".to_string(), std::fs::read_to_string(dir.join(".closeout/latest.json")).unwrap()),
        ("run.json".to_string(), std::fs::read_to_string(run_dir.join("run.json")).unwrap()),
        ("junit.xml".to_string(), std::fs::read_to_string(dir.join("junit.xml")).unwrap()),
        ("summary.md".to_string(), std::fs::read_to_string(&summary).unwrap()),
        ("plan.md".to_string(), std::fs::read_to_string(dir.join("plan.md")).unwrap()),
    ];
    assert!(written[2].1.contains("TestLogin_[REDACTED:GITHUB_TOKEN]"), "{}", written[2].1);
    assert!(text(&out.stdout).contains("::error"), "annotations are part of stdout: {}", describe(&out));
    let log = std::fs::read_dir(&run_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "log"))
        .unwrap();
    let raw = std::fs::read_to_string(log).unwrap();
    assert!(raw.contains(secret) && raw.contains(shape), "the raw log is kept as printed");
    written.retain(|(_, content)| content.contains(secret) || content.contains(shape));
    assert!(
        written.is_empty(),
        "secrets leaked into: {:?}",
        written.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
}

/// A command read from an imported document is listed by import and refused by baseline
/// until the user confirms it by deleting `trusted = false`.
#[test]
fn imported_commands_need_consent_before_they_run() {
    let dir = scratch("hostile-import-consent");
    let plan = "# Ops Plan\n\n## Global Validation Baseline\n\n1. `touch pwned`\n\n## Execution Packets\n\n### HOP-01: Handover\n\nScope:\n- `ops/**`\n\nRequired tests:\n1. `touch pwned`\n";
    std::fs::write(dir.join("plan.md"), plan).unwrap();
    git(&dir, &["init", "-q", "."]);
    commit(&dir, "plan");
    let out = closeout().args(["import", "plan.md"]).current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 command(s) from the documents became gates"), "{stdout}");
    assert!(stdout.contains(": touch pwned"), "{stdout}");
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.contains("trusted = false"), "{toml}");

    for args in [&["baseline"][..], &["packet", "HOP-01", "--base", "HEAD"]] {
        let out = closeout().args(args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("would run `touch pwned`") && stderr.contains("closeout.toml:"), "{stderr}");
        assert!(!dir.join("pwned").exists(), "{args:?} ran an unconfirmed command");
    }
    // Confirmed: the line deleted, baseline runs it.
    let confirmed: String =
        toml.lines().filter(|l| !l.contains("trusted = false")).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("closeout.toml"), confirmed).unwrap();
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert!(dir.join("pwned").exists(), "{}", describe(&out));
}

#[test]
fn control_characters_in_ids_and_texts_are_rejected_with_their_line() {
    let dir = scratch("hostile-control-chars");
    let toml = "[program]\nname = \"C\"\n\n[[gate]]\nid = \"a\\n::warning::INJECTED\"\nrun = \"true\"\n\n[[debt]]\nid = \"DL-1\"\ndescription = \"bell \\u0007 and escape \\u001b[2J\"\nseverity = \"LOW\"\nowner = \"o\"\nmilestone = \"m\"\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let out = closeout().arg("status").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("closeout.toml:5:6: `id` in [[gate]] #1 holds the control character U+000A"),
        "{stderr}"
    );
    assert!(stderr.contains("closeout.toml:10:15: `description`"), "{stderr}");
    assert!(!text(&out.stdout).contains("::warning::") && !stderr.contains("\n::warning::"), "{stderr}");
}

#[test]
fn leftovers_of_a_killed_writer_are_cleaned_and_exit_codes_tell_the_truth() {
    let dir = ledger_repo("hostile-leftovers");
    // A temp file from a writer that was SIGKILLed mid-write (its pid no longer runs).
    let stale = dir.join(".plan.md.closeout-2147483646.tmp");
    std::fs::write(&stale, "half").unwrap();
    let out = add(&dir, "DL-7").wait_with_output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!stale.exists(), "the dead writer's temp file is removed");

    // ledger add whose doc update is refused (a hand-edited region) says so and exits 1.
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    std::fs::write(dir.join("plan.md"), plan.replace(" Raced ", " Raced by hand ")).unwrap();
    let out = add(&dir, "DL-8").wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("closeout.toml was updated but the docs were not"),
        "{}",
        describe(&out)
    );
    assert!(std::fs::read_to_string(dir.join("closeout.toml")).unwrap().contains("DL-8"), "the edit is kept");
}

#[test]
fn invalid_utf8_in_closeout_toml_is_reported_with_its_position() {
    let dir = scratch("hostile-utf8");
    std::fs::write(dir.join("closeout.toml"), b"[program]\nname = \"ok \xff\"\n").unwrap();
    let out = closeout().arg("status").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("closeout.toml:2:12: not UTF-8 (byte 0xff)"), "{}", describe(&out));
}

#[test]
fn merge_refuses_a_gate_the_program_does_not_know() {
    let dir = scratch("hostile-merge-unknown");
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM.replace("sleep 0.4; ", "")).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    let out = closeout()
        .args(["baseline", "--shard", "1/1", "--out", "s.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("s.json")).unwrap()).unwrap();
    let mut extra = record["gates"][0].clone();
    extra["id"] = "smuggled".into();
    record["gates"].as_array_mut().unwrap().push(extra);
    std::fs::write(dir.join("s.json"), record.to_string()).unwrap();
    let out = closeout().args(["merge", "s.json"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("holds gate `smuggled`, which closeout.toml does not have"),
        "{}",
        describe(&out)
    );
    assert!(!dir.join(".closeout/latest.json").exists(), "nothing merged");
}

#[test]
fn evidence_that_is_a_fifo_or_a_device_is_refused_without_hanging() {
    for (name, make) in [
        (
            "fifo",
            Box::new(|p: &Path| {
                assert!(std::process::Command::new("mkfifo").arg(p).status().unwrap().success());
            }) as Box<dyn Fn(&Path)>,
        ),
        ("dev-zero", Box::new(|p: &Path| std::os::unix::fs::symlink("/dev/zero", p).unwrap())),
    ] {
        let dir = ledger_repo(&format!("hostile-evidence-{name}"));
        std::fs::create_dir_all(dir.join(".closeout")).unwrap();
        make(&dir.join(".closeout/latest.json"));
        for command in ["status", "verify-docs", "verdict"] {
            let out = finish_within(spawn(&dir, &[command]), Duration::from_secs(10), command);
            assert_eq!(out.status.code(), Some(2), "{name} {command}: {}", describe(&out));
            assert!(text(&out.stderr).contains("not a regular file"), "{name} {command}: {}", describe(&out));
        }
    }
}

/// Workflow commands a gate prints are shown in CI output, never obeyed.
#[test]
fn workflow_commands_in_gate_output_are_not_obeyed() {
    let dir = scratch("hostile-workflow-commands");
    let toml = "[program]\nname = \"W\"\n\n[[gate]]\nid = \"noisy\"\nrun = \"echo '::warning::INJECTED'; echo '::add-mask::x'; exit 1\"\nparser = \"none\"\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let out = closeout().arg("baseline").env("GITHUB_ACTIONS", "true").current_dir(&dir).output().unwrap();
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let at = lines.iter().position(|l| *l == "::warning::INJECTED").expect("the line is shown");
    let token = lines[..at]
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("::stop-commands::"))
        .expect("commands off before it");
    let resumed = lines.iter().position(|l| *l == format!("::{token}::")).expect("commands back on");
    assert!(resumed > at + 1, "{stdout}");
}

/// A repository whose one gate runs `script` (a shell line), with a plan holding the
/// ledger, baseline and verdict regions, committed.
fn gate_repo(name: &str, script: &str) -> PathBuf {
    let dir = scratch(name);
    let toml = format!(
        "[program]\nname = \"G\"\ndocs = [\"plan.md\"]\n\n[[gate]]\nid = \"check\"\nrun = '''{script}'''\nparser = \"none\"\n\n[[debt]]\nid = \"DL-0\"\ndescription = \"Seed\"\nseverity = \"LOW\"\nowner = \"Ops\"\nmilestone = \"Next\"\n"
    );
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(
        dir.join("plan.md"),
        "# Plan\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n\n<!-- closeout:begin verdict -->\n<!-- closeout:end verdict -->\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    git(&dir, &["init", "-q", "."]);
    commit(&dir, "start");
    dir
}

#[test]
fn a_ledger_add_during_a_baseline_is_in_its_docs_and_verdict() {
    let bin = env!("CARGO_BIN_EXE_closeout");
    let script = format!(
        "'{bin}' ledger add --id DL-9 --description Added --severity LOW --owner Ops --milestone Next && echo ok"
    );
    let dir = gate_repo("hostile-ledger-during-baseline", &script);
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(!text(&out.stdout).contains("out of sync"), "{}", describe(&out));
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert!(plan.contains("| DL-9 "), "{plan}");
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", describe(&verify));
}

#[test]
fn a_baseline_whose_docs_cannot_be_written_exits_2_after_the_evidence() {
    let dir = gate_repo("hostile-baseline-docs-gone", "rm plan.md && echo ok");
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(dir.join(".closeout/latest.json").is_file(), "the evidence is written first");
    assert!(text(&out.stderr).contains("the evidence was written but the docs"), "{}", describe(&out));
}

#[test]
fn a_gate_that_deletes_target_does_not_let_a_second_baseline_in() {
    for clean in ["rm -rf target", "git clean -xfdq"] {
        let dir = gate_repo("hostile-run-lock-deleted", &format!("{clean}; sleep 1.5; echo ok"));
        let first = spawn(&dir, &["baseline", "--color", "never"]);
        // The gate has cleaned the work tree by now.
        std::thread::sleep(Duration::from_millis(700));
        let second =
            finish_within(spawn(&dir, &["baseline", "--color", "never"]), Duration::from_secs(1), clean);
        assert_eq!(second.status.code(), Some(2), "{clean}: {}", describe(&second));
        assert!(
            text(&second.stderr).contains("another `closeout baseline` is running"),
            "{}",
            describe(&second)
        );
        let _ = first.wait_with_output().unwrap();
    }
}

/// DL-008: outside git the run lock is not in `target/` either, so a gate that deletes the
/// work tree's outputs (`target/`, `.closeout/`) does not let a second baseline in.
#[test]
fn outside_git_a_gate_that_deletes_target_does_not_let_a_second_baseline_in() {
    let dir = scratch("hostile-run-lock-deleted-no-git");
    let toml = "[program]\nname = \"N\"\n\n[[gate]]\nid = \"clean\"\nrun = \"rm -rf target .closeout; sleep 1.5; echo ok\"\nparser = \"none\"\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let first = spawn(&dir, &["baseline", "--color", "never"]);
    assert!(wait_until(Duration::from_secs(10), || !dir.join("target").exists()
        && closeout::lock::run_in_progress(&dir)));
    std::thread::sleep(Duration::from_millis(300));
    let second = finish_within(
        spawn(&dir, &["baseline", "--color", "never"]),
        Duration::from_secs(2),
        "second baseline",
    );
    assert_eq!(second.status.code(), Some(2), "{}", describe(&second));
    assert!(text(&second.stderr).contains("another `closeout baseline` is running"), "{}", describe(&second));
    // The gate deleted its own log too: TRUNCATED, exit 1, but not refused.
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(1), "{}", describe(&first));
    assert!(!closeout::lock::run_in_progress(&dir), "the run lock is released when the run ends");
}

#[test]
fn a_fifo_at_the_run_lock_is_refused_at_once() {
    let dir = scratch("hostile-run-lock-fifo");
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    let lock = closeout::lock::run_lock_path(&dir).unwrap();
    let _ = std::fs::remove_file(&lock);
    assert!(std::process::Command::new("mkfifo").arg(&lock).status().unwrap().success());
    let out =
        finish_within(spawn(&dir, &["baseline", "--color", "never"]), Duration::from_secs(5), "baseline");
    std::fs::remove_file(&lock).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("is a FIFO, not a regular file"), "{}", describe(&out));
}

#[test]
fn a_lock_timeout_that_is_not_a_number_is_an_error() {
    let dir = ledger_repo("hostile-lock-timeout-abc");
    for args in [&["status"][..], &["update-docs"][..]] {
        let out = closeout()
            .args(args)
            .env("CLOSEOUT_LOCK_TIMEOUT_SECS", "abc")
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(text(&out.stderr).contains("CLOSEOUT_LOCK_TIMEOUT_SECS is `abc`"), "{}", describe(&out));
    }
}

#[test]
fn two_docs_entries_that_are_one_file_are_a_config_error() {
    for link in ["symlink", "hard link"] {
        let dir = scratch("hostile-docs-same-file");
        std::fs::create_dir_all(dir.join("closeout")).unwrap();
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(
            dir.join("closeout.toml"),
            "[program]\nname = \"H\"\ndocs = [\"closeout/plan.md\", \"docs/p.md\"]\n\n[[debt]]\nid = \"DL-0\"\ndescription = \"Seed\"\nseverity = \"LOW\"\nowner = \"Ops\"\nmilestone = \"Next\"\n",
        )
        .unwrap();
        std::fs::write(dir.join("closeout/plan.md"), LEDGER_PLAN).unwrap();
        if link == "symlink" {
            std::os::unix::fs::symlink("../closeout/plan.md", dir.join("docs/p.md")).unwrap();
        } else {
            std::fs::hard_link(dir.join("closeout/plan.md"), dir.join("docs/p.md")).unwrap();
        }
        for args in [&["update-docs"][..], &["verify-docs"][..], &["status"][..]] {
            let out = closeout().args(args).current_dir(&dir).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{link} {args:?}: {}", describe(&out));
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains(
                    "closeout.toml:3: docs files `closeout/plan.md` and `docs/p.md` are the same file"
                ),
                "{link} {args:?}: {stderr}"
            );
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("closeout/plan.md")).unwrap(),
            LEDGER_PLAN,
            "{link}: nothing written"
        );
    }
}

#[test]
fn readers_refuse_evidence_and_a_reference_from_outside_the_repository() {
    let base = scratch("hostile-read-outside");
    let dir = base.join("repo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM.replace("sleep 0.4; ", "")).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    // Evidence that looks right, but lives outside.
    std::fs::rename(dir.join(".closeout"), base.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink("../elsewhere", dir.join(".closeout")).unwrap();
    for args in [&["status"][..], &["verify-docs"], &["verify-evidence"]] {
        let out = closeout().args(args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(text(&out.stderr).contains(".closeout resolves to"), "{args:?}: {}", describe(&out));
    }
    // A reference linked outside.
    std::fs::remove_file(dir.join(".closeout")).unwrap();
    std::fs::rename(base.join("elsewhere"), dir.join(".closeout")).unwrap();
    std::fs::copy(dir.join(".closeout/latest.json"), base.join("ref.json")).unwrap();
    std::os::unix::fs::symlink("../ref.json", dir.join("ref.json")).unwrap();
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    std::fs::write(
        dir.join("closeout.toml"),
        toml.replace("docs = [\"plan.md\"]", "docs = [\"plan.md\"]\n\n[run]\nreference = \"ref.json\""),
    )
    .unwrap();
    for args in [&["verify-docs"][..], &["update-docs"]] {
        let out = closeout().args(args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(
            text(&out.stderr).contains("[run] reference ref.json resolves to"),
            "{args:?}: {}",
            describe(&out)
        );
    }
}

/// A second SIGINT or SIGTERM kills at once: the gates and the daemons that escaped them,
/// without waiting for `grace`.
#[test]
fn a_second_signal_kills_escaped_daemons_at_once() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let dir = scratch(&format!("hostile-second-signal-{signal}"));
        let toml = r#"[program]
name = "D"

[run]
grace = "30s"

[[gate]]
id = "spawns-daemon"
run = "setsid sh -c 'trap \"\" TERM INT; echo $$ > daemon.pid; sleep 60; sleep 60' & trap '' TERM INT; sleep 0.3; echo started; sleep 60; sleep 60"
parser = "none"
"#;
        std::fs::write(dir.join("closeout.toml"), toml).unwrap();
        let child = spawn(&dir, &["baseline", "--color", "never"]);
        let file = dir.join("daemon.pid");
        assert!(wait_until(Duration::from_secs(10), || read_pid(&file).is_some()));
        std::thread::sleep(closeout::runner::CHECKPOINT * 3);
        let pid = child.id() as i32;
        kill(pid, signal);
        std::thread::sleep(Duration::from_millis(300));
        kill(pid, signal);
        let daemon = read_pid(&file).unwrap();
        let mut child = child;
        if !wait_until(Duration::from_secs(5), || child.try_wait().unwrap().is_some()) {
            let _ = child.kill();
            kill(-daemon, libc::SIGKILL);
            panic!("signal {signal}: baseline still running 5 s after the second signal");
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{}", describe(&out));
        let gone = wait_until(Duration::from_secs(2), || live_in_group(daemon).is_empty());
        if !gone {
            kill(-daemon, libc::SIGKILL);
        }
        assert!(gone, "signal {signal}: the daemon's group {daemon} outlived the second signal");
    }
}

#[test]
fn control_and_bidi_characters_in_commands_and_ids_are_rejected() {
    let dir = scratch("hostile-control-run");
    let toml = "[program]\nname = \"C\"\n\n[[gate]]\nid = \"a\"\nrun = \"echo \\u001b[2J \\u0007\"\n\n[[gate]]\nid = \"b\\u202Egnp.exe\"\nrun = \"true\"\n\n[[gate]]\nid = \"c\"\nrun = \"echo ok # \\u2066hidden\\u2069\"\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let out = closeout().args(["baseline", "--dry-run"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("closeout.toml:6:7: `run` in [[gate]] \"a\" holds the control character U+001B"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "closeout.toml:9:6: `id` in [[gate]] #2 holds the bidirectional control character U+202E"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "closeout.toml:14:7: `run` in [[gate]] \"c\" holds the bidirectional control character U+2066"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'), "{stderr}");
}

#[test]
fn a_multi_line_command_prints_on_one_line_and_starts_no_workflow_command() {
    let dir = scratch("hostile-multiline-run");
    let toml = "[program]\nname = \"C\"\n\n[[gate]]\nid = \"a\"\nrun = '''\necho one\n::warning::INJECTED\n\techo two\n'''\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let out = closeout()
        .args(["baseline", "--dry-run", "--color", "never"])
        .env("GITHUB_ACTIONS", "true")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().all(|l| !l.trim_start().starts_with("::")), "{stdout}");
    assert!(stdout.contains("echo one\\x0a::warning::INJECTED\\x0a"), "{stdout}");
}

/// DL-008: a gate that answers the watchdog's SIGTERM by starting a `setsid` daemon deaf
/// to TERM, HUP and INT, after closeout was SIGKILLed (nobody but the watchdog is left to
/// see it), does not leave that daemon behind.
#[test]
fn a_daemon_started_during_the_watchdogs_grace_does_not_survive() {
    let dir = scratch("hostile-daemon-in-grace");
    let toml = "[program]\nname = \"D\"\n\n[run]\ngrace = \"500ms\"\n\n[[gate]]\nid = \"late-daemon\"\nrun = \"sh worker.sh > worker.log 2>&1 & wait\"\nparser = \"none\"\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(
        dir.join("worker.sh"),
        "trap 'sleep 0.2; setsid sh daemon.sh & sleep 0.2; exit 0' TERM\necho $$ > worker.pid\nwhile :; do sleep 0.05; done\n",
    )
    .unwrap();
    std::fs::write(dir.join("daemon.sh"), "trap '' TERM HUP INT\necho $$ > daemon.pid\nsleep 300\n").unwrap();
    let child = spawn(&dir, &["baseline", "--color", "never"]);
    assert!(wait_until(Duration::from_secs(10), || read_pid(&dir.join("worker.pid")).is_some()));
    kill(child.id() as i32, libc::SIGKILL);
    finish_within(child, Duration::from_secs(5), "closeout after SIGKILL");
    let file = dir.join("daemon.pid");
    assert!(wait_until(Duration::from_secs(5), || read_pid(&file).is_some()), "the gate started no daemon");
    let daemon = read_pid(&file).unwrap();
    let gone = wait_until(Duration::from_secs(5), || live_in_group(daemon).is_empty());
    if !gone {
        kill(-daemon, libc::SIGKILL);
    }
    assert!(gone, "the daemon's group {daemon}, started during the grace, outlived a SIGKILLed closeout");
}

/// DL-008: the run record names a gate as started before the gate runs (write-ahead), so
/// closeout SIGKILLed the moment a gate has begun leaves it INTERRUPTED with its start and
/// log, and `status` names it.
#[test]
fn a_gate_start_is_recorded_before_the_gate_runs() {
    for trial in 0..trials().min(5) {
        let dir = scratch(&format!("hostile-write-ahead-{trial}"));
        let toml = "[program]\nname = \"W\"\n\n[run]\ngrace = \"200ms\"\n\n[[gate]]\nid = \"begun\"\nrun = \"touch begun; sleep 30\"\nparser = \"none\"\n";
        std::fs::write(dir.join("closeout.toml"), toml).unwrap();
        let child = spawn(&dir, &["baseline", "--color", "never"]);
        let begun = dir.join("begun");
        let start = Instant::now();
        while !begun.exists() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_micros(500));
        }
        kill(child.id() as i32, libc::SIGKILL);
        finish_within(child, Duration::from_secs(5), "closeout after SIGKILL");
        assert!(begun.exists(), "trial {trial}: the gate never began");
        let record = newest_run(&dir);
        let gate = &record["gates"][0];
        assert_eq!(gate["outcome"], "INTERRUPTED", "trial {trial}: {gate}");
        assert!(gate["started_at"].is_string(), "trial {trial}: {gate}");
        let log = gate["log"]["path"].as_str().unwrap_or_default();
        assert!(dir.join(log).is_file(), "trial {trial}: log `{log}` of {gate}");
        let status = closeout().arg("status").current_dir(&dir).output().unwrap();
        assert!(
            text(&status.stdout).contains("1 gate(s) were cut short (begun)"),
            "trial {trial}: {}",
            describe(&status)
        );
    }
}

/// DL-008: without the full record (a fresh clone, `target/` deleted), a forged
/// `latest.json` is caught when an honest version of the same run was committed before;
/// a forged start time is caught by the run's own times; and what cannot be checked here
/// is said, not passed over (`--require-full-record` makes it exit 1).
#[test]
fn a_forged_record_without_its_full_record_is_caught_or_named_unverifiable() {
    let dir = evidence_repo("hostile-forged-no-full-record", "echo ran; exit 1");
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    // A consistent forgery of the committed FAIL, committed: the earlier commit names it.
    edit_latest(&dir, |v| {
        v["gates"][0]["outcome"] = "PASS".into();
        v["gates"][0]["exit_code"] = 0.into();
        v["gates"][0]["reason"] = "exit 0".into();
    });
    commit(&dir, "pass, honestly");
    let out = verify_evidence(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("differently from commit"), "{}", describe(&out));
    assert!(text(&verdict(&dir).stdout).contains("NO-GO"));

    // The forger's run start moved later (past a later commit), the run_id left alone.
    git(&dir, &["checkout", "-q", "HEAD~1", "--", ".closeout/latest.json"]);
    edit_latest(&dir, |v| v["started_at"] = "2099-01-01T00:00:00.000Z".into());
    let out = verify_evidence(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("does not name the run's start"), "{}", describe(&out));

    // Never committed honestly: consistent, and said to be unverifiable here.
    let dir = scratch("hostile-forged-never-committed");
    std::fs::write(
        dir.join("closeout.toml"),
        "[program]\nname = \"E\"\n\n[[gate]]\nid = \"check\"\nrun = \"exit 1\"\nparser = \"none\"\n",
    )
    .unwrap();
    let _ = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    edit_latest(&dir, |v| {
        v["gates"][0]["outcome"] = "PASS".into();
        v["gates"][0]["exit_code"] = 0.into();
    });
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    let out = verify_evidence(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("cannot be verified on this machine: the full record")
            && !text(&out.stdout).contains("evidence verifies"),
        "{}",
        describe(&out)
    );
    let strict =
        closeout().args(["verify-evidence", "--require-full-record"]).current_dir(&dir).output().unwrap();
    assert_eq!(strict.status.code(), Some(1), "{}", describe(&strict));
}

/// Bytes that would start a workflow command or drive a terminal, in `out`.
fn injected(out: &Output) -> Vec<String> {
    let mut found = Vec::new();
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = text(bytes);
        found.extend(text.lines().filter(|l| l.starts_with("::")).map(|l| format!("{name}: {l}")));
        if bytes.iter().any(|b| matches!(b, 0x1b | 0x07)) {
            found.push(format!("{name}: ESC or BEL"));
        }
    }
    found
}

/// Evidence is a file anyone can edit: ids, reasons and failing tests holding a newline
/// with `::error::`, ESC and BEL reach no output of `status`, `verdict` or
/// `verify-evidence` raw.
#[test]
fn control_characters_in_evidence_reach_no_output() {
    let dir = evidence_repo("hostile-evidence-controls", "echo ran; exit 1");
    edit_latest(&dir, |v| {
        v["program"] = "P\u{1b}]0;title\u{7}".into();
        v["gates"][0]["id"] = "check\n::error::ID".into();
        v["gates"][0]["reason"] = "bad\u{1b}[2J\n::error::REASON".into();
        v["gates"][0]["failing_tests"] = serde_json::json!(["t\n::error::TEST"]);
    });
    // The recorded verdict too, which `status` shows.
    let path = dir.join(".closeout/verdict.json");
    let mut verdict: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    verdict["blockers"] = serde_json::json!([{"text": "b\n::error::BLOCKER\u{1b}[2J", "evidence": []}]);
    verdict["run_id"] = "r\n::error::RUN".into();
    std::fs::write(&path, verdict.to_string()).unwrap();
    for args in [&["status"][..], &["verdict"], &["verify-evidence"]] {
        let out = closeout().args(args).env("GITHUB_ACTIONS", "true").current_dir(&dir).output().unwrap();
        assert!(injected(&out).is_empty(), "{args:?}: {:?}\n{}", injected(&out), describe(&out));
    }
}

/// A docs path or a reference holding ESC or a newline is a config error that shows the
/// path escaped, never echoed raw.
#[test]
fn control_characters_in_paths_are_config_errors_shown_escaped() {
    for (key, value) in [
        ("docs", "[\"a\\u001b[31m.md\"]"),
        ("docs", "[\"a\\n::error::DOC.md\"]"),
        ("reference", "\"r\\u0007\\n::error::REF.json\""),
    ] {
        let dir = scratch("hostile-path-controls");
        let toml = if key == "docs" {
            format!("[program]\nname = \"P\"\ndocs = {value}\n")
        } else {
            format!("[program]\nname = \"P\"\n\n[run]\nreference = {value}\n")
        };
        std::fs::write(dir.join("closeout.toml"), toml).unwrap();
        let out = closeout().arg("status").env("GITHUB_ACTIONS", "true").current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{key}: {}", describe(&out));
        assert!(text(&out.stderr).contains("holds the control character U+00"), "{key}: {}", describe(&out));
        assert!(injected(&out).is_empty(), "{key}: {:?}\n{}", injected(&out), describe(&out));
    }
}

/// A gate id of any length gets a log it can write: 300 characters is longer than a file
/// name may be, and the gate still runs and passes.
#[test]
fn a_very_long_gate_id_still_gets_a_log() {
    let dir = scratch("hostile-long-id");
    let id = "a".repeat(300);
    std::fs::write(
        dir.join("closeout.toml"),
        format!("[program]\nname = \"L\"\n\n[[gate]]\nid = \"{id}\"\nrun = \"echo ok\"\nparser = \"none\"\n"),
    )
    .unwrap();
    let out = closeout().args(["baseline", "--color", "never"]).current_dir(&dir).output().unwrap();
    let record = newest_run(&dir);
    assert_eq!(record["gates"][0]["outcome"], "PASS", "{}\n{}", record["gates"][0], describe(&out));
    let log = record["gates"][0]["log"]["path"].as_str().unwrap();
    assert!(dir.join(log).is_file(), "{log}");
}

/// Forged durations at the edge of u64 neither crash the scheduler nor verify.
#[test]
fn forged_huge_durations_do_not_crash_and_do_not_verify() {
    let dir = evidence_repo("hostile-huge-durations", "echo ok");
    std::fs::remove_dir_all(dir.join("target")).unwrap();
    edit_latest(&dir, |v| {
        v["gates"][0]["duration_ms"] = u64::MAX.into();
        v["makespan_ms"] = u64::MAX.into();
    });
    let out = verify_evidence(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("does not match its start and finish"), "{}", describe(&out));
    for args in [&["status"][..], &["baseline", "--dry-run"]] {
        let out = closeout().args(args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
    }
}

/// A gate that stops itself (SIGSTOP) cannot receive SIGTERM: it is still ended at its
/// timeout, and a stopped process it leaves behind at a normal end is ended too.
#[test]
fn stopped_gates_and_stopped_leftovers_are_ended() {
    let dir = scratch("hostile-sigstop");
    let toml = "[program]\nname = \"S\"\n\n[run]\ngrace = \"300ms\"\n\n[[gate]]\nid = \"stops\"\nrun = \"kill -STOP $$\"\ntimeout = \"1s\"\nparser = \"none\"\n\n[[gate]]\nid = \"leaves-stopped\"\nrun = \"sleep 97 & echo $! > stopped.pid; kill -STOP $!; echo ok\"\nparser = \"none\"\n";
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let child = spawn(&dir, &["baseline", "--color", "never"]);
    let out = finish_within(child, Duration::from_secs(15), "baseline with a stopped gate");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let record = newest_run(&dir);
    let outcomes: Vec<&str> =
        record["gates"].as_array().unwrap().iter().map(|g| g["outcome"].as_str().unwrap()).collect();
    assert!(outcomes.contains(&"TIMEOUT") && outcomes.contains(&"PASS"), "{outcomes:?}");
    let stopped = read_pid(&dir.join("stopped.pid")).unwrap();
    // Gone, or a zombie waiting for its new parent.
    let ended = || {
        std::fs::read_to_string(format!("/proc/{stopped}/stat"))
            .map_or(true, |s| s.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('Z')))
    };
    let gone = wait_until(Duration::from_secs(2), ended);
    if !gone {
        kill(stopped, libc::SIGKILL);
    }
    assert!(gone, "the stopped process {stopped} outlived its gate");
}

/// A packet id names the file its review is written to: an id with `/` would write it
/// outside `.closeout/packets/` (outside the repository with enough `..`). It is a config
/// error; a duplicated id holding ESC is reported escaped.
#[test]
fn packet_ids_cannot_leave_the_packets_folder() {
    let dir = scratch("hostile-packet-id-traversal");
    git(&dir, &["init", "-q", "."]);
    for id in ["../../../escaped", "sub/p", "..", "a\\\\b"] {
        std::fs::write(
            dir.join("closeout.toml"),
            format!("[program]\nname = \"P\"\n\n[[gate]]\nid = \"g\"\nrun = \"echo ok\"\nparser = \"none\"\n\n[[packet]]\nid = \"{id}\"\ntitle = \"T\"\nstatus = \"IN_PROGRESS\"\ntests = [\"gate:g\"]\n"),
        )
        .unwrap();
        commit(&dir, id);
        let out = closeout().args(["packet", id, "--color", "never"]).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{id}: {}", describe(&out));
        assert!(text(&out.stderr).contains("names its review file"), "{id}: {}", describe(&out));
    }
    assert!(!dir.join("../../escaped.json").exists() && !dir.join(".closeout/packets/sub").exists());
    std::fs::write(
        dir.join("closeout.toml"),
        "[program]\nname = \"P\"\n\n[[gate]]\nid = \"a\\u001b[31m\"\nrun = \"true\"\n\n[[gate]]\nid = \"a\\u001b[31m\"\nrun = \"true\"\n",
    )
    .unwrap();
    let out = closeout().arg("status").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(injected(&out).is_empty(), "{:?}\n{}", injected(&out), describe(&out));
}

/// A FIFO or `/dev/zero` named closeout.toml, and evidence nested 100,000 levels deep, are
/// refused at once with their name (exit 2): nothing blocks, eats memory or overflows.
#[test]
fn a_closeout_toml_or_evidence_that_blocks_or_nests_is_refused_at_once() {
    let dir = scratch("hostile-toml-fifo");
    assert!(std::process::Command::new("mkfifo").arg(dir.join("closeout.toml")).status().unwrap().success());
    let out =
        finish_within(spawn(&dir, &["status"]), Duration::from_secs(5), "status on a FIFO closeout.toml");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("closeout.toml is not a regular file"), "{}", describe(&out));
    std::fs::remove_file(dir.join("closeout.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("closeout.toml")).unwrap();
    let out = finish_within(spawn(&dir, &["status"]), Duration::from_secs(5), "status on /dev/zero");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));

    let dir = scratch("hostile-evidence-nested");
    std::fs::write(dir.join("closeout.toml"), BASELINE_PROGRAM).unwrap();
    std::fs::write(dir.join("plan.md"), BASELINE_PLAN).unwrap();
    std::fs::create_dir_all(dir.join(".closeout")).unwrap();
    std::fs::write(dir.join(".closeout/latest.json"), "[".repeat(100_000) + &"]".repeat(100_000)).unwrap();
    for args in [&["status"][..], &["verdict"], &["verify-evidence"]] {
        let out = finish_within(spawn(&dir, args), Duration::from_secs(10), "nested evidence");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", describe(&out));
        assert!(
            text(&out.stderr).contains("latest.json is not valid evidence"),
            "{args:?}: {}",
            describe(&out)
        );
    }
}

/// SIGTERM, SIGHUP, SIGINT or SIGQUIT to a writer waiting for the repository lock ends it
/// there, like a run: exit 130, a message, nothing written.
#[test]
fn a_writer_stopped_while_waiting_for_the_lock_writes_nothing() {
    let dir = ledger_repo("hostile-lock-wait-term");
    let before = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    let held = closeout::lock::repository(&dir, closeout::lock::Mode::Exclusive, &|| {}).unwrap();
    for signal in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT] {
        let child = add(&dir, "DL-7");
        std::thread::sleep(Duration::from_millis(500));
        kill(child.id() as i32, signal);
        let out = finish_within(child, Duration::from_secs(2), "ledger add after a signal");
        assert_eq!(out.status.code(), Some(130), "signal {signal}: {}", describe(&out));
        assert!(
            text(&out.stderr).contains("interrupted while waiting for another closeout"),
            "signal {signal}: {}",
            describe(&out)
        );
        assert_eq!(std::fs::read_to_string(dir.join("closeout.toml")).unwrap(), before);
    }
    drop(held);
}

/// Run from a folder deleted under it, closeout says so instead of "no closeout.toml".
#[test]
fn a_deleted_current_folder_is_named() {
    let dir = scratch("hostile-deleted-cwd");
    let gone = dir.join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "cd '{}' && rmdir '{}' && exec '{}' status",
            gone.display(),
            gone.display(),
            env!("CARGO_BIN_EXE_closeout")
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("the current folder no longer exists"), "{}", describe(&out));
}

/// Output paths the user names (`--out`, `--junit`) are replaced atomically, so a link,
/// a FIFO or a folder there is refused, not replaced (`--out /dev/stdout` once swapped the
/// system's link for a file); `-` is stdout for the report and the schema.
#[test]
fn output_paths_that_are_not_regular_files_are_refused_not_replaced() {
    let repo = scratch("hostile-output-paths");
    std::fs::write(
        repo.join("closeout.toml"),
        "[program]\nname = \"O\"\ndocs = []\n\n[[gate]]\nid = \"mark\"\nrun = \"touch ran\"\nparser = \"none\"\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a program");
    std::fs::write(repo.join("real.html"), "mine\n").unwrap();
    std::os::unix::fs::symlink("real.html", repo.join("link.html")).unwrap();
    let fifo = repo.join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let run = |args: &[&str]| closeout().args(args).current_dir(&repo).output().unwrap();
    for args in [
        &["report", "--out", "link.html"][..],
        &["report", "--out", "pipe"],
        &["report", "--out", "."],
        &["report", "--out", ""],
        &["schema", "--out", "link.html"],
        &["baseline", "--junit", "link.html"],
        &["baseline", "--out", "pipe"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", describe(&out));
        let err = text(&out.stderr);
        assert!(err.contains("not a regular file") || err.contains("names no file"), "{args:?}: {err}");
    }
    assert!(std::fs::symlink_metadata(repo.join("link.html")).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(repo.join("real.html")).unwrap(), "mine\n");
    assert!(!repo.join("ran").exists(), "a refused output path stops the baseline before any gate");

    let out = run(&["report", "--out", "-"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout).starts_with("<!DOCTYPE html>"), "{}", describe(&out));
    assert!(text(&out.stderr).starts_with("wrote stdout ("), "{}", describe(&out));
    let out = run(&["schema", "--out", "-"]);
    assert!(out.status.success() && text(&out.stdout).contains("\"$schema\""), "{}", describe(&out));
    assert!(!repo.join("-").exists(), "`-` is stdout, not a file named -");
}

/// Output nobody could read is no success: a full disk on stdout makes the command exit 1
/// and say so (help included, which used to panic).
#[test]
fn a_stdout_that_cannot_be_written_is_a_failure_not_a_success() {
    let full = Path::new("/dev/full");
    if !std::fs::metadata(full).is_ok_and(|m| !m.is_file()) {
        eprintln!("skipped: no /dev/full device here");
        return;
    }
    let repo = scratch("hostile-dev-full");
    std::fs::write(repo.join("closeout.toml"), "[program]\nname = \"F\"\ndocs = []\n").unwrap();
    for args in
        [&["status"][..], &["status", "--json"], &["ledger"], &["schema"], &["--help"], &["verify-docs"]]
    {
        let out = closeout()
            .args(args)
            .current_dir(&repo)
            .stdout(std::fs::OpenOptions::new().write(true).open(full).unwrap())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}\n{}", describe(&out));
        assert!(
            text(&out.stderr).contains("cannot write to standard output"),
            "{args:?}\n{}",
            describe(&out)
        );
    }
}
