//! Retries and flaky gates, end to end: a real gate that fails on its first attempt and
//! passes on its second (a counter file in a temp folder outside the repository) is FLAKY
//! in the run record, the terminal summary, JUnit, the docs, `status` and the verdict;
//! every attempt keeps its own log; `--retries` overrides `retries`; a gate failing every
//! attempt keeps its failing outcome with all attempts recorded.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use closeout::evidence::{Outcome, RunRecord};

use crate::support::{closeout, commit, describe, git, scratch, text};

/// `cargo test` output of a binary with tests `a` and `b`, `b` failing when `fail`.
fn cargo_output(fail: bool) -> String {
    if fail {
        "running 2 tests\\ntest a ... ok\\ntest b ... FAILED\\n\\nfailures:\\n\\n---- b stdout ----\\nexpected 1, got 2\\n\\nfailures:\\n    b\\n\\ntest result: FAILED. 1 passed; 1 failed; 0 ignored\\n".into()
    } else {
        "running 2 tests\\ntest a ... ok\\ntest b ... ok\\n\\ntest result: ok. 2 passed; 0 failed; 0 ignored\\n".into()
    }
}

/// A gate command that counts its runs in `counter` and fails (exit 101, test `b`
/// failing) on the runs up to `failures`, then passes.
fn counting_gate(counter: &Path, failures: u32) -> String {
    let c = counter.display();
    format!(
        "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; if [ $n -le {failures} ]; then printf '{}'; exit 101; fi; printf '{}'",
        cargo_output(true),
        cargo_output(false)
    )
}

/// A committed repository whose gate `unit` fails `failures` times before it passes, with
/// `retries` on the gate (`None`: no key), beside a passing gate `lint`, and docs with the
/// baseline and verdict regions. Returns the repository and the counter file.
fn repo(name: &str, failures: u32, retries: Option<u32>) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    let counter = scratch(&format!("{name}-counter")).join("count");
    let retries = retries.map_or(String::new(), |n| format!("retries = {n}\n"));
    let toml = format!(
        "[program]\nname = \"Flaky\"\ndocs = [\"plan.md\"]\n\n[run]\njobs = 2\n\n[[gate]]\nid = \"unit\"\nrun = '''{}'''\nparser = \"cargo\"\n{retries}\n[[gate]]\nid = \"lint\"\nrun = \"echo lint clean\"\nparser = \"none\"\n",
        counting_gate(&counter, failures)
    );
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(
        dir.join("plan.md"),
        "# Plan\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n\n<!-- closeout:begin verdict -->\n<!-- closeout:end verdict -->\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n*.xml\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "program");
    (dir, counter)
}

fn run(dir: &Path, args: &[&str]) -> Output {
    closeout().args(args).current_dir(dir).output().unwrap()
}

fn newest_record(dir: &Path) -> (PathBuf, RunRecord) {
    let runs = dir.join("target/closeout/runs");
    let mut ids: Vec<PathBuf> = std::fs::read_dir(&runs).unwrap().map(|e| e.unwrap().path()).collect();
    ids.sort();
    let path = ids.pop().unwrap().join("run.json");
    let record = RunRecord::from_json(&std::fs::read_to_string(&path).unwrap(), &path).unwrap();
    (path, record)
}

/// sha256 of a file, by `sha256sum`: the hash closeout recorded, from another tool.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    text(&out.stdout).split_whitespace().next().unwrap().to_string()
}

fn xmllint_validates(xml: &Path) -> Option<Output> {
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/junit/junit.xsd");
    if Command::new("xmllint").arg("--version").output().is_err() {
        assert!(std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_none(), "xmllint is required in CI");
        eprintln!("skipped JUnit schema validation: xmllint is not installed (Debian: libxml2-utils)");
        return None;
    }
    Some(Command::new("xmllint").arg("-noout").arg("-schema").arg(schema).arg(xml).output().unwrap())
}

#[test]
fn a_gate_that_fails_then_passes_is_flaky_everywhere() {
    let (dir, counter) = repo("flaky-e2e", 1, Some(1));
    let out = run(&dir, &["baseline", "--junit", "junit.xml"]);
    assert_eq!(out.status.code(), Some(0), "a FLAKY gate passed in the end: {}", describe(&out));
    assert_eq!(std::fs::read_to_string(&counter).unwrap().trim(), "2", "ran twice");
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);

    // The run record: FLAKY, both attempts, each with its own log whose hash verifies.
    let (_, record) = newest_record(&dir);
    let unit = record.gate("unit").unwrap();
    assert_eq!(unit.outcome, Outcome::Flaky, "{unit:?}");
    assert_eq!(unit.attempts.len(), 2);
    let (first, second) = (&unit.attempts[0], &unit.attempts[1]);
    assert_eq!((first.attempt, first.outcome, first.exit_code), (1, Outcome::Fail, Some(101)));
    assert_eq!(first.failing_tests, vec!["b".to_string()]);
    assert_eq!(
        first.counts.as_ref().map(|c| (c.passed, c.failed)),
        Some((Some(1), 1)),
        "cargo's own figures"
    );
    assert_eq!((second.attempt, second.outcome, second.exit_code), (2, Outcome::Pass, Some(0)));
    assert_eq!(second.counts.as_ref().map(|c| (c.passed, c.failed)), Some((Some(2), 0)));
    assert_eq!(unit.exit_code, Some(0));
    assert_eq!(unit.duration_ms, first.duration_ms + second.duration_ms);
    let paths: Vec<String> =
        unit.attempts.iter().map(|a| a.log.as_ref().unwrap().path.clone().unwrap()).collect();
    assert!(paths[0].ends_with("-unit.log") && paths[1].ends_with("-unit.attempt-2.log"), "{paths:?}");
    for (a, path) in unit.attempts.iter().zip(&paths) {
        let file = dir.join(path);
        assert_eq!(sha256sum(&file), a.log.as_ref().unwrap().sha256, "{path}");
        assert_eq!(std::fs::metadata(&file).unwrap().len(), a.log.as_ref().unwrap().bytes);
    }
    assert!(std::fs::read_to_string(dir.join(&paths[0])).unwrap().contains("test b ... FAILED"));
    assert!(std::fs::read_to_string(dir.join(&paths[1])).unwrap().contains("test b ... ok"));
    let latest = RunRecord::from_json(
        &std::fs::read_to_string(dir.join(".closeout/latest.json")).unwrap(),
        Path::new("latest.json"),
    )
    .unwrap();
    let compact = latest.gate("unit").unwrap();
    assert_eq!((compact.outcome, compact.attempts.len()), (Outcome::Flaky, 2));
    assert!(compact.attempts.iter().all(|a| a.log.as_ref().unwrap().path.is_none()), "no paths committed");

    // The terminal: the retry as it happens, the summary after.
    assert!(stderr.contains("RETRY unit attempt 1 of 2: FAIL"), "{stderr}");
    assert!(stdout.contains("unit  FLAKY"), "{stdout}");
    assert!(
        stdout.contains("unit FLAKY — exit 0 on attempt 2 of 2, after attempt 1: FAIL (exit 101)"),
        "{stdout}"
    );
    assert!(stdout.contains("  attempt 1: FAIL (exit 101) in "), "{stdout}");
    assert!(stdout.contains(&format!("1 passed, 1 failed, log: {}", paths[0])), "{stdout}");
    assert!(stdout.contains(&format!("2 passed, log: {}", paths[1])), "{stdout}");
    assert!(stdout.contains("1/2 gates passed and 1 FLAKY (passed on a retry) on 2 job(s)"), "{stdout}");
    assert!(stdout.contains("verdict: GO with conditions"), "{stdout}");

    // JUnit: test b passed, with the failed first run as a flakyFailure.
    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    assert!(
        xml.contains("<testcase name=\"b\" classname=\"unit\">\n            <flakyFailure message=\"attempt 1: FAIL (exit 101)\" type=\"FAIL\">\n                <stackTrace>exit 101, 1 failed\nfailing tests:\nb</stackTrace>"),
        "{xml}"
    );
    assert!(xml.contains(&format!("<system-out>log {}, ", paths[0])), "{xml}");
    assert!(xml.contains("<testcase name=\"a\" classname=\"unit\"/>"), "{xml}");
    assert!(xml.contains("<property name=\"outcome\" value=\"FLAKY\"/>"), "{xml}");
    assert!(xml.contains("failures=\"0\""), "a flaky case passes: {xml}");
    if let Some(lint) = xmllint_validates(&dir.join("junit.xml")) {
        assert!(lint.status.success(), "{}", describe(&lint));
        // The schema checks the rerun elements' shape: one without its stack trace fails.
        let bad =
            xml.replacen("<stackTrace>", "<system-err>", 1).replacen("</stackTrace>", "</system-err>", 1);
        std::fs::write(dir.join("bad.xml"), bad).unwrap();
        assert!(!xmllint_validates(&dir.join("bad.xml")).unwrap().status.success());
    }

    // The docs' baseline region, verify-evidence and status.
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert!(plan.contains("FLAKY (exit 0)"), "{plan}");
    assert!(plan.contains("after attempt 1: FAIL (exit 101)"), "{plan}");
    let verified = run(&dir, &["verify-evidence"]);
    assert_eq!(verified.status.code(), Some(0), "{}", describe(&verified));
    let status = run(&dir, &["status"]);
    assert!(text(&status.stdout).contains("FLAKY unit: exit 0 on attempt 2 of 2"), "{}", describe(&status));

    // The verdict: GO with conditions, naming the exact ledger command; running it works.
    let verdict = run(&dir, &["verdict"]);
    assert_eq!(verdict.status.code(), Some(0), "{}", describe(&verdict));
    let shown = text(&verdict.stdout);
    assert!(shown.starts_with("Verdict: GO with conditions"), "{shown}");
    let condition = shown.lines().find(|l| l.contains("gate `unit` is FLAKY")).expect(&shown);
    let command = condition.split('`').find(|part| part.starts_with("closeout ledger add")).expect(condition);
    assert!(
        command.starts_with("closeout ledger add --id DL-001 --description 'Flaky gate unit: "),
        "{command}"
    );
    let command = command.replacen("closeout", env!("CARGO_BIN_EXE_closeout"), 1).replace("OWNER", "qa");
    let added = Command::new("sh").arg("-c").arg(&command).current_dir(&dir).output().unwrap();
    assert!(added.status.success(), "{command}\n{}", describe(&added));
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.contains("id = \"DL-001\"") && toml.contains("owner = \"qa\""), "{toml}");

    // The history: flaky counted apart, ending in a pass, timed by its passing attempt.
    let out = run(&dir, &["history", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gate = json["gates"].as_array().unwrap().iter().find(|g| g["id"] == "unit").unwrap();
    assert_eq!(
        (gate["runs"].as_u64(), gate["passes"].as_u64(), gate["flaky"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(gate["duration"]["latest"].as_u64(), Some(unit.measured_ms()), "{gate}");
    assert_eq!(unit.measured_ms(), second.duration_ms);
}

#[test]
fn retries_on_the_command_line_override_the_gates() {
    let (dir, counter) = repo("flaky-cli", 1, None);
    let out = run(&dir, &["baseline", "--retries", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(newest_record(&dir).1.gate("unit").unwrap().outcome, Outcome::Flaky);

    // Without retries, a first failure is a failure, and the attempt is not recorded apart.
    std::fs::remove_file(&counter).unwrap();
    let out = run(&dir, &["baseline"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let unit = newest_record(&dir).1.gate("unit").unwrap().clone();
    assert_eq!((unit.outcome, unit.attempts.len()), (Outcome::Fail, 0));

    // --retries 0 turns a gate's own retries off.
    let (dir, _) = repo("flaky-cli-off", 1, Some(3));
    let out = run(&dir, &["baseline", "--retries", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    for bad in ["11", "-1", "two"] {
        let out = run(&dir, &["baseline", &format!("--retries={bad}")]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", describe(&out));
        assert!(text(&out.stderr).contains("is not a number of retries: use 0"), "{}", describe(&out));
    }
}

#[test]
fn a_gate_failing_every_attempt_keeps_its_outcome_and_every_attempt() {
    let (dir, counter) = repo("flaky-never", 10, Some(2));
    let out = run(&dir, &["baseline", "--junit", "junit.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&counter).unwrap().trim(), "3", "1 + 2 retries");
    let (_, record) = newest_record(&dir);
    let unit = record.gate("unit").unwrap();
    assert_eq!(unit.outcome, Outcome::Fail);
    let outcomes: Vec<(u32, Outcome)> = unit.attempts.iter().map(|a| (a.attempt, a.outcome)).collect();
    assert_eq!(outcomes, vec![(1, Outcome::Fail), (2, Outcome::Fail), (3, Outcome::Fail)]);
    let mut paths: Vec<&str> =
        unit.attempts.iter().map(|a| a.log.as_ref().unwrap().path.as_deref().unwrap()).collect();
    paths.dedup();
    assert_eq!(paths.len(), 3, "three logs: {paths:?}");
    assert!(paths.iter().all(|p| dir.join(p).is_file()), "{paths:?}");
    assert!(text(&out.stdout).contains("unit FAIL — exit 101, 1 failed on attempt 3 of 3; before: attempt 1: FAIL (exit 101), attempt 2: FAIL (exit 101)"), "{}", describe(&out));

    let xml = std::fs::read_to_string(dir.join("junit.xml")).unwrap();
    let case = &xml[xml.find("<testcase name=\"b\"").unwrap()..];
    let case = &case[..case.find("</testcase>").unwrap()];
    assert_eq!(case.matches("<failure ").count(), 1, "{case}");
    assert_eq!(case.matches("<rerunFailure ").count(), 2, "Surefire: one rerunFailure per other run: {case}");
    if let Some(lint) = xmllint_validates(&dir.join("junit.xml")) {
        assert!(lint.status.success(), "{}", describe(&lint));
    }
    let verified = run(&dir, &["verify-evidence"]);
    assert_eq!(verified.status.code(), Some(0), "{}", describe(&verified));
    let verdict = run(&dir, &["verdict"]);
    assert_eq!(verdict.status.code(), Some(1), "{}", describe(&verdict));
    assert!(text(&verdict.stdout).contains("gate `unit` failed: FAIL"), "{}", describe(&verdict));
}

#[test]
fn an_edited_flaky_record_does_not_verify() {
    let (dir, _) = repo("flaky-edited", 1, Some(1));
    assert_eq!(run(&dir, &["baseline"]).status.code(), Some(0));
    // Hide the failed attempt: a PASS with two attempts, and a log that no longer matches.
    let (path, mut record) = newest_record(&dir);
    let unit = record.gates.iter_mut().find(|g| g.id == "unit").unwrap();
    unit.outcome = Outcome::Pass;
    let first = unit.attempts[0].log.as_ref().unwrap().path.clone().unwrap();
    std::fs::write(&path, record.to_json()).unwrap();
    std::fs::write(dir.join(".closeout/latest.json"), record.compact().to_json()).unwrap();
    std::fs::write(dir.join(&first), "test b ... ok\n").unwrap();
    let out = run(&dir, &["verify-evidence"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let said = text(&out.stdout) + &text(&out.stderr);
    assert!(said.contains("is PASS with 2 attempts; a gate that needed a retry to pass is FLAKY"), "{said}");
    assert!(said.contains(&format!("its log {first} (attempt 1) does not match the record")), "{said}");
}

/// Wait until `file` holds `n` lines (the gate's attempts that started), at most 10 s.
fn wait_for_lines(file: &Path, n: usize) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < end {
        if std::fs::read_to_string(file).is_ok_and(|t| t.lines().count() >= n) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("the gate did not start attempt {n}");
}

#[test]
fn an_interrupted_attempt_is_never_retried() {
    for (name, failures) in [("flaky-int-first", 0), ("flaky-int-retry", 1)] {
        let dir = scratch(name);
        let starts = scratch(&format!("{name}-starts")).join("starts");
        // Fails fast `failures` times, then hangs until stopped.
        let s = starts.display();
        let gate = format!(
            "echo start >> {s}; n=$(wc -l < {s}); if [ $n -le {failures} ]; then exit 1; fi; sleep 300"
        );
        std::fs::write(
            dir.join("closeout.toml"),
            format!("[program]\nname = \"i\"\n[run]\ngrace = \"5s\"\n[[gate]]\nid = \"hang\"\nrun = '''{gate}'''\nparser = \"none\"\nretries = 3\n"),
        )
        .unwrap();
        let child = closeout()
            .arg("baseline")
            .current_dir(&dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_lines(&starts, failures + 1);
        // SAFETY: signalling a child we spawned.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGINT);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130), "{name}: {}", describe(&out));
        assert_eq!(
            std::fs::read_to_string(&starts).unwrap().lines().count(),
            failures + 1,
            "{name}: no rerun"
        );
        let hang = newest_record(&dir).1.gate("hang").unwrap().clone();
        assert_eq!(hang.outcome, Outcome::Interrupted, "{name}");
        let attempts: Vec<Outcome> = hang.attempts.iter().map(|a| a.outcome).collect();
        let expected: &[Outcome] = if failures == 0 { &[] } else { &[Outcome::Fail, Outcome::Interrupted] };
        assert_eq!(attempts, expected, "{name}");
    }
}
