//! `closeout history` and `closeout report` end to end: several real baseline runs listed
//! with their flips; the report of a 200-gate, 100-run program under 1 MiB; and the
//! report opened in headless Chromium (Debian's `chromium`): the verdict, every gate and
//! the timeline in its DOM, a screenshot, and no network request from the page.
//!
//! Without chromium the browser test prints why and skips, unless
//! `CLOSEOUT_REQUIRE_REAL_SUITES=1` (as in CI) makes that a failure. With
//! `CLOSEOUT_REPORT_SCREENSHOT=PATH` it also copies its screenshot to PATH: that is how
//! the README's `docs/report.png` is refreshed (see README.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use closeout::evidence::{GateRecord, GitState, Host, Outcome, RunRecord, TestCounts, SCHEMA_VERSION};
use closeout::history::{GateSample, RunSummary};
use closeout::schedule::History;

use crate::support::{closeout, commit, describe, git, scratch, text};

/// A git repository with a program of four gates (one of which, `e2e`, fails on every
/// other run), packets and debt, after `runs` baseline runs.
fn demo(name: &str, runs: usize) -> PathBuf {
    let dir = scratch(name);
    let cargo_like = |n: u32, secs: &str| {
        format!("sleep {secs}; printf 'test result: ok. {n} passed; 0 failed; 0 ignored\\n'")
    };
    let toml = format!(
        r#"[program]
name = "Payments 2.4 <release> & \"friends\""

[run]
jobs = 2

[[gate]]
id = "build"
run = "sleep 0.4; echo built"

[[gate]]
id = "unit"
run = "{unit}"
parser = "cargo"

[[gate]]
id = "lint"
run = "sleep 0.2; echo 'no findings <none>'"

[[gate]]
id = "e2e"
run = '''sleep 0.3; n=$(cat target/flip 2>/dev/null || echo 0); echo $((n+1)) > target/flip; printf 'test result: ok. 7 passed; %s failed; 0 ignored\n' $((n % 2)); exit $((n % 2))'''
parser = "cargo"

[[packet]]
id = "01"
title = "Token rotation"
status = "DONE"
review = "APPROVED"
tests = ["unit"]

[[packet]]
id = "02"
title = "Storage cleanup <phase 2>"
status = "IN_PROGRESS"

[[debt]]
id = "DL-001"
description = "e2e flips between runs: quarantine or fix"
severity = "HIGH"
owner = "qa"
milestone = "Pre-release"

[[debt]]
id = "DL-002"
description = "Slow lint on cold caches"
severity = "LOW"
owner = "infra"
milestone = "Next"
"#,
        unit = cargo_like(41, "0.6")
    );
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(dir.join(".gitignore"), "/target/\n").unwrap();
    git(&dir, &["init", "-q"]);
    commit(&dir, "program");
    for _ in 0..runs {
        let out = closeout().arg("baseline").current_dir(&dir).output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    }
    dir
}

/// The run records under target/closeout/runs, oldest first: the source of truth the
/// history must agree with.
fn run_records(dir: &Path) -> Vec<RunRecord> {
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(dir.join("target/closeout/runs")).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    dirs.iter()
        .map(|d| {
            let path = d.join("run.json");
            RunRecord::from_json(&std::fs::read_to_string(&path).unwrap(), &path).unwrap()
        })
        .collect()
}

fn history_json(dir: &Path) -> serde_json::Value {
    let out = closeout().args(["history", "--json"]).current_dir(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn history_lists_every_run_with_its_counts_and_each_gates_flips() {
    let dir = demo("history-runs", 3);
    let records = run_records(&dir);
    assert_eq!(records.len(), 3);
    let json = history_json(&dir);
    let runs = json["runs"].as_array().unwrap();
    let ids: Vec<&str> = runs.iter().map(|r| r["run_id"].as_str().unwrap()).collect();
    assert_eq!(ids, records.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>());
    for (listed, record) in runs.iter().zip(&records) {
        let passed = record.gates.iter().filter(|g| g.outcome == Outcome::Pass).count() as u64;
        assert_eq!(listed["counts"]["PASS"].as_u64(), Some(passed));
        assert_eq!(listed["makespan_ms"].as_u64(), Some(record.makespan_ms));
        assert_eq!(listed["machine"].as_str(), record.host.machine.as_deref());
        assert_eq!(listed["commit"].as_str(), record.git.as_ref().map(|g| g.head.as_str()));
    }
    let gate = |id: &str| json["gates"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap().clone();
    // e2e: PASS, FAIL, PASS as the flip file counts 0, 1, 2.
    let outcomes: Vec<String> = records.iter().map(|r| r.gate("e2e").unwrap().outcome.to_string()).collect();
    assert_eq!(outcomes, ["PASS", "FAIL", "PASS"]);
    assert_eq!((gate("e2e")["flips"].as_u64(), gate("e2e")["flip_rate"].as_f64()), (Some(2), Some(1.0)));
    assert_eq!(gate("build")["flips"].as_u64(), Some(0));
    let durations: Vec<u64> = records.iter().map(|r| r.gate("unit").unwrap().duration_ms).collect();
    assert_eq!(gate("unit")["duration"]["values"], serde_json::json!(durations));
    assert_eq!(gate("unit")["tests"]["latest"].as_u64(), Some(41));

    let out = closeout().arg("history").current_dir(&dir).output().unwrap();
    let shown = text(&out.stdout);
    for r in &records {
        assert!(shown.contains(&r.run_id), "{shown}");
    }
    assert!(shown.lines().any(|l| l.starts_with("e2e ") && l.contains("100%")), "{shown}");
}

#[test]
fn runs_recorded_before_the_history_kept_summaries_are_still_listed() {
    let dir = demo("history-old-file", 2);
    // A history.json as closeout wrote it before: durations only.
    std::fs::write(dir.join("target/closeout/history.json"), r#"{"gates": {"build": [400]}}"#).unwrap();
    let json = history_json(&dir);
    let ids: Vec<String> = json["runs"].as_array().unwrap().iter().map(|r| r["run_id"].to_string()).collect();
    let records: Vec<String> = run_records(&dir).iter().map(|r| format!("\"{}\"", r.run_id)).collect();
    assert_eq!(ids, records, "read back from target/closeout/runs");
    let out = closeout().args(["baseline", "--dry-run"]).current_dir(&dir).output().unwrap();
    assert!(text(&out.stdout).contains("build"), "the old durations still schedule: {}", describe(&out));
}

#[test]
fn a_corrupt_history_is_rebuilt_from_the_run_records_and_replaced_without_losing_durations() {
    let dir = demo("history-corrupt", 2);
    let records: Vec<String> = run_records(&dir).iter().map(|r| format!("\"{}\"", r.run_id)).collect();
    let file = dir.join("target/closeout/history.json");
    // Damaged: one gate's durations of the wrong kind; `build`'s still read.
    let damaged = r#"{"gates": {"build": [400, 410], "lint": "fast"}, "runs": 5}"#;
    std::fs::write(&file, damaged).unwrap();
    for command in ["history", "report"] {
        let out = closeout().arg(command).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}: {}", describe(&out));
        let err = text(&out.stderr);
        assert!(
            err.contains("warning: target/closeout/history.json did not read as a history (invalid type: string \"fast\"")
                && err.contains("showing 2 run(s) rebuilt from the records under target/closeout/runs/")
                && err.contains("keeps the old one as target/closeout/history.json.corrupt"),
            "{command}: {err}"
        );
    }
    let json = history_json(&dir);
    let ids: Vec<String> = json["runs"].as_array().unwrap().iter().map(|r| r["run_id"].to_string()).collect();
    assert_eq!(ids, records, "every run, rebuilt from its record");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), damaged, "history and report write nothing");

    let out = closeout().arg("baseline").current_dir(&dir).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    assert!(
        text(&out.stderr).contains("warning: target/closeout/history.json did not read as a history")
            && text(&out.stderr).contains("the old file is kept as target/closeout/history.json.corrupt"),
        "{}",
        describe(&out)
    );
    assert_eq!(std::fs::read_to_string(dir.join("target/closeout/history.json.corrupt")).unwrap(), damaged);
    let history: History = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let newest = run_records(&dir).pop().unwrap();
    let build = newest.gate("build").unwrap().measured_ms();
    assert_eq!(history.gates["build"], [400, 410, build], "the old scheduling durations are kept");
    assert_eq!(history.runs.len(), 1, "the summaries in the file were lost; the records still list them");
    assert_eq!(history_json(&dir)["runs"].as_array().unwrap().len(), 3);
}

#[test]
fn a_sharded_baseline_is_one_run_in_the_history_once_merged() {
    let dir = demo("history-shards", 0);
    for k in ["1/2", "2/2"] {
        let out = closeout()
            .args(["baseline", "--shard", k, "--out", &format!("target/shard-{}.json", &k[..1])])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    }
    let before = history_json(&dir);
    let shards: Vec<&str> =
        before["runs"].as_array().unwrap().iter().map(|r| r["shard"].as_str().unwrap()).collect();
    assert_eq!(shards, ["1/2", "2/2"], "shards not merged yet are listed, marked");
    let out = closeout()
        .args(["merge", "target/shard-1.json", "target/shard-2.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let records = run_records(&dir);
    let merged = records.iter().find(|r| !r.shards.is_empty()).unwrap();
    let json = history_json(&dir);
    let runs = json["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{json:#}");
    assert_eq!(runs[0]["run_id"].as_str(), Some(merged.run_id.as_str()));
    assert_eq!(runs[0]["shards"], serde_json::json!(merged.shards));
    for gate in json["gates"].as_array().unwrap() {
        assert_eq!(gate["runs"].as_u64(), Some(1), "each gate counted once: {gate}");
    }
    // The scheduling durations: one per gate, as each gate ran once.
    let history: History =
        serde_json::from_str(&std::fs::read_to_string(dir.join("target/closeout/history.json")).unwrap())
            .unwrap();
    for g in &merged.gates {
        assert_eq!(history.gates[&g.id], [g.measured_ms()], "{}", g.id);
    }
}

#[test]
fn a_run_in_progress_is_not_a_recorded_run() {
    let dir = scratch("history-in-progress");
    std::fs::write(
        dir.join("closeout.toml"),
        "[program]\nname = \"p\"\n\n[[gate]]\nid = \"wait\"\nrun = \"while [ ! -f go ]; do sleep 0.05; done; echo done\"\n",
    )
    .unwrap();
    // Lets the gate end and waits for the run, also when an assertion below fails.
    struct Release<'a>(&'a Path, std::process::Child);
    impl Release<'_> {
        fn finish(&mut self) -> std::process::ExitStatus {
            std::fs::write(self.0.join("go"), "").unwrap();
            self.1.wait().unwrap()
        }
    }
    impl Drop for Release<'_> {
        fn drop(&mut self) {
            let _ = std::fs::write(self.0.join("go"), "");
            let _ = self.1.wait();
        }
    }
    let mut baseline = Release(
        &dir,
        closeout().arg("baseline").current_dir(&dir).stdout(std::process::Stdio::null()).spawn().unwrap(),
    );
    let runs = dir.join("target/closeout/runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let checkpoint = loop {
        let found = std::fs::read_dir(&runs)
            .ok()
            .and_then(|mut d| d.next())
            .map(|e| e.unwrap().path().join("run.json"));
        let record = found.and_then(|p| RunRecord::from_json(&std::fs::read_to_string(&p).ok()?, &p).ok());
        match record {
            Some(r) if r.gates[0].outcome == Outcome::Interrupted => break r,
            _ => assert!(std::time::Instant::now() < deadline, "the gate never started"),
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(checkpoint.interrupted && checkpoint.makespan_ms == 0, "the runner's checkpoint: {checkpoint:?}");
    let out = closeout().args(["report", "--out", "report.html"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains(", 0 recorded run(s)"), "{}", describe(&out));
    assert_eq!(history_json(&dir)["runs"], serde_json::json!([]));
    assert!(baseline.finish().success());
    let json = history_json(&dir);
    assert_eq!(json["runs"].as_array().unwrap().len(), 1, "{json:#}");
    assert_eq!(json["runs"][0]["counts"], serde_json::json!({"PASS": 1}));
}

/// A gate record of the big fixture: every fourth fails; ids and commands hold markup.
fn big_gate(i: usize, start_ms: u64) -> GateRecord {
    let outcome = if i % 4 == 3 { Outcome::Fail } else { Outcome::Pass };
    let at = |ms: u64| format!("2026-11-30T12:{:02}:{:02}.{:03}Z", ms / 60_000, ms / 1000 % 60, ms % 1000);
    let duration_ms = 1_000 + (i as u64 * 37 % 90) * 100;
    GateRecord {
        id: format!("gate-{i:03}"),
        command: format!("cargo test -p crate_{i} -- --test-threads=1 \"<&>\" && echo 'done {i}'"),
        outcome,
        reason: if outcome == Outcome::Pass { "exit 0".into() } else { "exit 101: 2 tests failed".into() },
        exit_code: Some(if outcome == Outcome::Pass { 0 } else { 101 }),
        signal: None,
        started_at: Some(at(start_ms)),
        finished_at: Some(at(start_ms + duration_ms)),
        duration_ms,
        parser: "cargo".into(),
        counts: Some(TestCounts {
            passed: Some(40 + i as u64),
            failed: u64::from(outcome != Outcome::Pass),
            ..Default::default()
        }),
        failing_tests: Vec::new(),
        log: None,
        known_failure: None,
        tests: Vec::new(),
        tests_omitted: 0,
        attempts: Vec::new(),
    }
}

/// The 200-gate program, its latest record (8 jobs) and 100 recorded runs.
fn big_fixture(dir: &Path) {
    let mut toml = String::from("[program]\nname = \"big\"\n");
    for i in 0..200 {
        toml.push_str(&format!(
            "\n[[gate]]\nid = \"gate-{i:03}\"\nrun = '''cargo test -p crate_{i} -- --test-threads=1 \"<&>\" && echo 'done {i}''''\n"
        ));
    }
    for i in 0..30 {
        toml.push_str(&format!(
            "\n[[debt]]\nid = \"DL-{i:03}\"\ndescription = \"item {i} <with> & markup\"\nseverity = \"LOW\"\nowner = \"o\"\nmilestone = \"{}\"\n",
            if i % 3 == 0 { "Pre-release" } else { "Next" }
        ));
    }
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let mut lanes = [0u64; 8];
    let gates: Vec<GateRecord> = (0..200)
        .map(|i| {
            let lane = (0..8).min_by_key(|&l| lanes[l]).unwrap();
            let g = big_gate(i, lanes[lane]);
            lanes[lane] += g.duration_ms;
            g
        })
        .collect();
    let makespan_ms = *lanes.iter().max().unwrap();
    let record = RunRecord {
        schema: SCHEMA_VERSION,
        run_id: "20261130T120000.000Z-100".into(),
        program: "big".into(),
        started_at: "2026-11-30T12:00:00.000Z".into(),
        finished_at: "2026-11-30T12:30:00.000Z".into(),
        closeout_version: "0.1.0".into(),
        host: Host { os: "linux".into(), arch: "x86_64".into(), machine: Some("ci-8".into()), cpus: Some(8) },
        jobs: 8,
        git: Some(GitState { head: "0123456789abcdef0123456789abcdef01234567".into(), dirty: false }),
        interrupted: false,
        lower_bound_ms: gates.iter().map(|g| g.duration_ms).sum::<u64>() / 8,
        makespan_ms,
        gates,
        program_hash: String::new(),
        shard: None,
        shards: Vec::new(),
    };
    std::fs::create_dir_all(dir.join(".closeout")).unwrap();
    std::fs::write(dir.join(".closeout/latest.json"), record.compact().to_json()).unwrap();
    let mut history = History::default();
    for run in 0..100u64 {
        let mut summary = RunSummary::of(&record);
        summary.run_id = format!("20261130T{:02}{:02}00.000Z-{run}", run / 60, run % 60);
        summary.started_at = format!("2026-11-30T{:02}:{:02}:00.000Z", run / 60, run % 60);
        summary.gates = record
            .gates
            .iter()
            .enumerate()
            .map(|(i, g)| GateSample {
                id: g.id.clone(),
                outcome: if (i as u64 + run) % 7 == 0 { "FAIL".into() } else { "PASS".into() },
                duration_ms: g.duration_ms + (run * 131 + i as u64 * 17) % 900,
                tests: Some(40 + i as u64 + run / 10),
            })
            .collect();
        closeout::history::add(&mut history.runs, summary);
    }
    std::fs::create_dir_all(dir.join("target/closeout")).unwrap();
    std::fs::write(dir.join("target/closeout/history.json"), serde_json::to_string(&history).unwrap())
        .unwrap();
}

#[test]
fn the_report_of_200_gates_and_100_runs_stays_under_one_mebibyte() {
    let dir = scratch("report-big");
    big_fixture(&dir);
    let out = closeout().args(["report", "--out", "out/report.html"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).starts_with("wrote out/report.html ("), "{}", describe(&out));
    assert!(text(&out.stdout).contains("200 gate(s), 100 recorded run(s)"), "{}", describe(&out));
    let html = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    eprintln!("report of 200 gates and 100 runs: {} bytes", html.len());
    assert!(html.len() < 1024 * 1024, "{} bytes", html.len());
    for i in 0..200 {
        assert!(html.contains(&format!("<th scope=\"row\">gate-{i:03}</th>")), "gate-{i:03}");
    }
    assert_eq!(html.matches("<tr id=\"run-").count(), 100, "every run listed");
    assert_eq!(html.matches("<g class=\"bar ").count(), 200, "every gate on the timeline");
    assert!(html.contains(">job 8<") && !html.contains(">job 9<"), "lanes from times: as many as jobs");
    let leftovers: Vec<_> =
        std::fs::read_dir(dir.join("out")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "written atomically, no temp file left: {leftovers:?}");
}

#[test]
fn without_out_the_report_goes_under_target_closeout() {
    let dir = demo("report-default-out", 1);
    let status = || Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().unwrap();
    let before = text(&status().stdout);
    let out = closeout().arg("report").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).starts_with("wrote target/closeout/report.html ("), "{}", describe(&out));
    assert!(dir.join("target/closeout/report.html").is_file());
    assert_eq!(text(&status().stdout), before, "the report leaves nothing untracked in the repository");
}

/// The chromium binary, or `None` (with the reason printed) when it is not installed.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH")?.to_str()?.split(':').map(|d| Path::new(d).join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        let message = "skipped browser test: `chromium` is not installed (apt-get install chromium; .ci/run installs it)";
        if std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_some() {
            panic!("{message}, and CLOSEOUT_REQUIRE_REAL_SUITES is set");
        }
        eprintln!("{message}");
    }
    found
}

/// Headless chromium on `page` with a fresh profile in `work`, plus `args`.
fn headless(bin: &Path, work: &Path, page: &Path, args: &[&str]) -> std::process::Output {
    let profile = work.join(format!("profile-{}", args.len()));
    let _ = std::fs::remove_dir_all(&profile);
    Command::new(bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap()
}

/// The http(s) and ws(s) URLs a page requested, from a chromium net log. Requests the
/// browser makes for itself (updates, time, accounts) have no initiating origin
/// (`"initiator": "not an origin"`); any request a document makes has one.
fn page_requests(net_log: &Path) -> Vec<String> {
    let raw = std::fs::read_to_string(net_log).unwrap();
    // A log cut short at exit lacks its closing brackets.
    let log: serde_json::Value = serde_json::from_str(&raw)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", raw.trim_end().trim_end_matches(','))))
        .unwrap_or_else(|e| panic!("{}: not a net log: {e}", net_log.display()));
    // Every request starts a job: URL_REQUEST_START_JOB, numbered in the log's constants.
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64().expect("event types");
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter_map(|e| {
            let url = e["params"]["url"].as_str()?;
            let remote = ["http://", "https://", "ws://", "wss://"].iter().any(|s| url.starts_with(s));
            let from_page = e["params"]["initiator"].as_str() != Some("not an origin");
            (remote && from_page).then(|| url.to_string())
        })
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

#[test]
fn the_report_in_headless_chromium_shows_everything_and_requests_nothing() {
    let Some(bin) = chromium() else { return };
    let dir = demo("report-browser", 4);
    let work = scratch("report-browser-out");
    let page = work.join("report.html");
    let out = closeout().arg("report").arg("--out").arg(&page).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let verdict_out = closeout().args(["verdict", "--json"]).current_dir(&dir).output().unwrap();
    let verdict: serde_json::Value = serde_json::from_slice(&verdict_out.stdout).unwrap();
    let level = verdict["level"].as_str().unwrap().to_string();

    // The DOM as chromium built it, with every network request logged.
    let net_log = work.join("net-log.json");
    let dom = headless(&bin, &work, &page, &["--dump-dom", &format!("--log-net-log={}", net_log.display())]);
    assert!(dom.status.success(), "{}", describe(&dom));
    let dom = text(&dom.stdout);
    assert!(
        dom.contains(&format!("id=\"verdict-level\">{}</span>", level.replace('<', "&lt;"))),
        "verdict {level}"
    );
    let record = run_records(&dir).pop().unwrap();
    for gate in &record.gates {
        assert!(dom.contains(&format!("<th scope=\"row\">{}</th>", gate.id)), "gate {} in the DOM", gate.id);
    }
    let chart = &dom[dom.find("<svg id=\"timeline-chart\"").expect("the timeline")..];
    assert_eq!(chart[..chart.find("</svg>").unwrap()].matches("<g class=\"bar ").count(), record.gates.len());
    assert_eq!(page_requests(&net_log), Vec::<String>::new(), "the report requested nothing");

    // The check sees a request when a page does make one.
    let control = work.join("control.html");
    std::fs::write(&control, "<!DOCTYPE html><title>c</title><img src=\"http://127.0.0.1:9/pixel.png\">")
        .unwrap();
    let control_log = work.join("control-net-log.json");
    headless(&bin, &work, &control, &["--dump-dom", &format!("--log-net-log={}", control_log.display())]);
    assert_eq!(page_requests(&control_log), ["http://127.0.0.1:9/pixel.png"]);

    let png = work.join("report.png");
    let shot = headless(
        &bin,
        &work,
        &page,
        &["--window-size=1200,2000", &format!("--screenshot={}", png.display())],
    );
    assert!(shot.status.success(), "{}", describe(&shot));
    let bytes = std::fs::read(&png).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 20_000,
        "a screenshot: {} bytes",
        bytes.len()
    );
    if let Some(target) = std::env::var_os("CLOSEOUT_REPORT_SCREENSHOT") {
        std::fs::copy(&png, &target).unwrap();
        eprintln!("screenshot copied to {}", Path::new(&target).display());
    }
}
