//! CI at scale: sharded baselines merged into one run, JUnit XML, GitHub Actions output,
//! and the workflow of docs/ci.md run locally (shard jobs as processes in separate
//! clones, artifacts as directories).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use closeout::evidence::RunRecord;

use crate::support::{closeout, describe, git, scratch, text};

const GATES: usize = 12;

/// A repository with `GATES` cargo-like gates (gate 7 fails as a known failure on open
/// debt), docs with evidence and verdict regions, and an exclusive pair.
fn program_repo(name: &str, extra_failure: bool) -> PathBuf {
    let dir = scratch(name);
    let mut toml = String::from("[program]\nname = \"Scale\"\ndocs = [\"plan.md\"]\n\n[run]\njobs = 2\n");
    for i in 0..GATES {
        let (passed, failed) = if i == 7 || (extra_failure && i == 3) { (i, 1) } else { (i + 1, 0) };
        let exit = if failed > 0 { 101 } else { 0 };
        // As libtest prints it: the result line accounts for every test announced.
        let mut tests = format!("running {} tests\\n", passed + failed);
        for t in 0..passed {
            tests.push_str(&format!("test t{t} ... ok\\n"));
        }
        if failed > 0 {
            tests.push_str(&format!("test broken{i} ... FAILED\\n\\nfailures:\\n\\n---- broken{i} stdout ----\\nexpected {i}, got 0\\n\\nfailures:\\n    broken{i}\\n\\n"));
        }
        tests.push_str(&format!("test result: ok. {passed} passed; {failed} failed; 0 ignored\\n"));
        toml.push_str(&format!(
            "\n[[gate]]\nid = \"g{i:02}\"\nrun = '''printf '{tests}'; exit {exit}'''\nparser = \"cargo\"\n{}{}",
            if i == 7 { "known_failure = \"DL-1\"\n" } else { "" },
            if i == 1 || i == 2 { "exclusive = \"db\"\n" } else { "" },
        ));
    }
    toml.push_str("\n[[debt]]\nid = \"DL-1\"\ndescription = \"g07 is broken\"\nseverity = \"LOW\"\nowner = \"QA\"\nmilestone = \"Next\"\n");
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::write(
        dir.join("plan.md"),
        "# Plan\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n\n<!-- closeout:begin verdict -->\n<!-- closeout:end verdict -->\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\nshards/\n*.xml\nshard-*.json\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "program"]);
    dir
}

fn clone(repo: &Path, name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::remove_dir(&dir).unwrap();
    git(repo, &["clone", "-q", repo.to_str().unwrap(), dir.to_str().unwrap()]);
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    closeout().args(args).current_dir(dir).output().unwrap()
}

fn record(path: &Path) -> RunRecord {
    RunRecord::from_json(&std::fs::read_to_string(path).unwrap(), path).unwrap()
}

/// Outcomes and counts, the part of a run that must not depend on how it was split.
fn essence(r: &RunRecord) -> Vec<(String, String, Option<i32>, String)> {
    r.gates
        .iter()
        .map(|g| {
            (
                g.id.clone(),
                g.outcome.to_string(),
                g.exit_code,
                g.counts.as_ref().map_or(String::new(), |c| c.summary()),
            )
        })
        .collect()
}

#[test]
fn four_shards_merge_into_the_same_run_as_one_machine() {
    let repo = program_repo("ci-merge", false);
    let single = clone(&repo, "ci-merge-single");
    let out = run(&single, &["baseline", "--out", "single.json"]);
    assert_eq!(out.status.code(), Some(1), "g07 fails\n{}", describe(&out));
    let single_record = record(&single.join("single.json"));

    for by in ["duration", "hash"] {
        let mut paths = Vec::new();
        let mut seen = Vec::new();
        let children: Vec<(PathBuf, std::process::Child)> = (1..=4)
            .map(|k| {
                let dir = clone(&repo, &format!("ci-merge-{by}-{k}"));
                let child = closeout()
                    .args([
                        "baseline",
                        "--shard",
                        &format!("{k}/4"),
                        "--shard-by",
                        by,
                        "--out",
                        "record.json",
                    ])
                    .current_dir(&dir)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                (dir, child)
            })
            .collect();
        for (dir, mut child) in children {
            child.wait().unwrap();
            let r = record(&dir.join("record.json"));
            assert!(
                r.shard.is_some() && !dir.join(".closeout/latest.json").exists(),
                "a share does not replace the latest run"
            );
            seen.extend(r.gates.iter().map(|g| g.id.clone()));
            paths.push(dir.join("record.json"));
        }
        seen.sort();
        assert_eq!(seen.len(), GATES, "{by}: every gate in exactly one share: {seen:?}");
        let args: Vec<String> =
            ["merge".to_string()].into_iter().chain(paths.iter().map(|p| p.display().to_string())).collect();
        let out = closeout().args(&args).current_dir(&repo).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let merged = record(&repo.join(".closeout/latest.json"));
        assert_eq!(essence(&merged), essence(&single_record), "{by}");
        assert_eq!(merged.shards.len(), 4);
        assert_ne!(merged.run_id, single_record.run_id);
        assert!(text(&out.stdout).contains("merged 4 shard record(s)"), "{}", describe(&out));
        // Like a complete baseline, the merge records the verdict of the merged run.
        assert!(text(&out.stdout).contains("\nverdict: "), "{}", describe(&out));
        let verdict = std::fs::read_to_string(repo.join(".closeout/verdict.json")).unwrap();
        assert!(verdict.contains(&format!("\"run_id\": \"{}\"", merged.run_id)), "{verdict}");
    }
}

/// The gate ids of share `k` of `n` when run in `dir`.
fn share(dir: &Path, k: usize, n: usize, by: &str) -> Vec<String> {
    let out_file = format!("share-{k}-{n}-{by}.json");
    run(dir, &["baseline", "--shard", &format!("{k}/{n}"), "--shard-by", by, "--out", &out_file]);
    record(&dir.join(&out_file)).gates.iter().map(|g| g.id.clone()).collect()
}

#[test]
fn shards_agree_whatever_the_order_or_the_local_history() {
    let repo = program_repo("ci-agree", false);
    let all: Vec<String> = (0..GATES).map(|i| format!("g{i:02}")).collect();
    let covered = |shares: &[Vec<String>]| {
        let mut seen: Vec<String> = shares.concat();
        seen.sort();
        seen
    };

    // No committed record: shares run one after another in one checkout, each run
    // teaching the local history, still cover every gate once.
    let one = clone(&repo, "ci-agree-one");
    let shares: Vec<Vec<String>> = [3, 1, 2].iter().map(|&k| share(&one, k, 3, "duration")).collect();
    assert_eq!(covered(&shares), all, "{shares:?}");

    // A committed record: its durations split the gates, whatever a machine's own
    // history says.
    let out = run(&repo, &["baseline"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "evidence"]);
    let fresh = clone(&repo, "ci-agree-fresh");
    let skewed = clone(&repo, "ci-agree-skewed");
    let history: Vec<String> = all
        .iter()
        .enumerate()
        .map(|(i, id)| format!("\"{id}\": [{}]", 1000 * (i + 1) * (i % 3 + 1)))
        .collect();
    std::fs::create_dir_all(skewed.join("target/closeout")).unwrap();
    std::fs::write(
        skewed.join("target/closeout/history.json"),
        format!("{{\"gates\": {{{}}}}}", history.join(", ")),
    )
    .unwrap();
    for by in ["duration", "hash"] {
        let a: Vec<Vec<String>> = (1..=4).map(|k| share(&fresh, k, 4, by)).collect();
        // The skewed machine runs its shares in another order, learning as it goes.
        let mut b: Vec<Vec<String>> = vec![Vec::new(); 4];
        for k in [4, 2, 3, 1] {
            b[k - 1] = share(&skewed, k, 4, by);
        }
        assert_eq!(a, b, "{by}: every machine computes the same split");
        assert_eq!(covered(&a), all, "{by}");
    }

    // Shares from both machines merge into the run one machine makes.
    let single = clone(&repo, "ci-agree-single");
    run(&single, &["baseline", "--out", "single.json"]);
    let paths: Vec<String> = [(&fresh, 1), (&skewed, 2), (&fresh, 3), (&skewed, 4)]
        .iter()
        .map(|(dir, k)| dir.join(format!("share-{k}-4-duration.json")).display().to_string())
        .collect();
    let out = closeout().arg("merge").args(&paths).current_dir(&repo).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "g07 fails\n{}", describe(&out));
    let merged = record(&repo.join(".closeout/latest.json"));
    assert_eq!(essence(&merged), essence(&record(&single.join("single.json"))));
}

#[test]
fn merge_refuses_mismatched_records_and_marks_missing_gates_not_run() {
    let repo = program_repo("ci-refuse", false);
    let a = clone(&repo, "ci-refuse-a");
    let b = clone(&repo, "ci-refuse-b");
    for (dir, k) in [(&a, "1/2"), (&b, "2/2")] {
        run(dir, &["baseline", "--shard", k, "--out", "record.json"]);
    }
    let ra = a.join("record.json").display().to_string();
    let rb = b.join("record.json").display().to_string();

    let out = run(&repo, &["merge", &ra, &ra]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is in both"), "{}", describe(&out));

    // A missing share: its gates are NOT_RUN, the record is written, exit 1.
    let out = run(&repo, &["merge", &ra]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let merged = record(&repo.join(".closeout/latest.json"));
    let not_run = merged.gates.iter().filter(|g| g.outcome.to_string() == "NOT_RUN").count();
    assert!(not_run > 0 && text(&out.stdout).contains("no shard ran:"), "{}", describe(&out));

    // Another commit.
    std::fs::write(b.join("NOTES.md"), "x\n").unwrap();
    git(&b, &["add", "-A"]);
    git(&b, &["commit", "-q", "-m", "later"]);
    run(&b, &["baseline", "--shard", "2/2", "--out", "record.json"]);
    let out = run(&repo, &["merge", &ra, &rb]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("every shard must run the same commit"), "{}", describe(&out));

    // Another program.
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap().replacen("exit 0", "exit 0 ", 1);
    std::fs::write(repo.join("closeout.toml"), toml).unwrap();
    let out = run(&repo, &["merge", &ra]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is from a different program"), "{}", describe(&out));
}

#[test]
fn dry_run_prints_a_share_and_bad_shards_are_usage_errors() {
    let repo = program_repo("ci-dry", false);
    let out = run(&repo, &["baseline", "--dry-run", "--shard", "2/3"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    // No run record is committed yet, so the split is by the gate ids.
    assert!(stdout.starts_with("share 2/3 (split by hash):"), "{stdout}");
    assert!(stdout.contains("no prediction yet"), "{stdout}");
    run(&repo, &["baseline"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "evidence"]);
    let out = run(&repo, &["baseline", "--dry-run", "--shard", "2/3"]);
    assert!(text(&out.stdout).starts_with("share 2/3 (split by duration):"), "{}", describe(&out));
    for bad in ["0/3", "4/3", "two"] {
        assert_eq!(run(&repo, &["baseline", "--shard", bad]).status.code(), Some(2), "{bad}");
    }
    assert_eq!(run(&repo, &["baseline", "--shard", "1/2", "--only", "g01"]).status.code(), Some(2));
}

#[test]
fn junit_has_a_suite_per_gate_a_case_per_test_and_validates() {
    let repo = program_repo("ci-junit", false);
    run(&repo, &["baseline", "--junit", "junit.xml"]);
    let xml = std::fs::read_to_string(repo.join("junit.xml")).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), GATES, "{xml}");
    assert!(xml.contains("<testcase name=\"t0\" classname=\"g00\"/>"), "{xml}");
    assert!(xml.contains("<testcase name=\"broken7\" classname=\"g07\">"), "{xml}");
    assert!(
        xml.contains("<failure message=\"failed\" type=\"failure\">expected 7, got 0</failure>"),
        "{xml}"
    );
    assert!(xml.contains("<property name=\"known_failure\" value=\"DL-1\"/>"), "{xml}");

    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/junit/junit.xsd");
    let xmllint = Command::new("xmllint").arg("--version").output();
    if xmllint.is_err() {
        assert!(std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_none(), "xmllint is required in CI");
        eprintln!("skipped JUnit schema validation: xmllint is not installed (Debian: libxml2-utils)");
        return;
    }
    let out = Command::new("xmllint")
        .arg("-noout")
        .arg("-schema")
        .arg(&schema)
        .arg(repo.join("junit.xml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // The schema is not vacuous: a suite without its counts is rejected.
    std::fs::write(
        repo.join("bad.xml"),
        "<testsuites><testsuite name=\"x\"><testcase name=\"a\"/></testsuite></testsuites>",
    )
    .unwrap();
    let out = Command::new("xmllint")
        .arg("-noout")
        .arg("-schema")
        .arg(&schema)
        .arg(repo.join("bad.xml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn github_actions_output_and_job_summary() {
    let dir = scratch("ci-github");
    let mut toml = String::from("[program]\nname = \"G\"\n[run]\njobs = 2\n\n[[gate]]\nid = \"quiet\"\nrun = \"echo passing output line\"\nparser = \"none\"\n");
    for i in 0..12 {
        toml.push_str(&format!(
            "\n[[gate]]\nid = \"bad{i:02}\"\nrun = \"echo failing output {i}; exit 1\"\n"
        ));
    }
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let summary = dir.join("summary.md");
    let out = closeout()
        .arg("baseline")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 11, "{stdout}");
    assert!(errors[0].starts_with("::error title=closeout gate bad00::FAIL: exit 1"), "{stdout}");
    assert_eq!(errors[10], "::error::2 more failed gate(s) not annotated; see the job summary");
    // Gate output is repeated with workflow commands off (`::stop-commands::TOKEN` … `::TOKEN::`).
    let token =
        stdout.split("::stop-commands::").nth(1).and_then(|r| r.lines().next()).expect("commands off");
    assert!(
        stdout.contains("::group::PASS quiet (")
            && stdout.contains(&format!("passing output line\n::{token}::\n::endgroup::")),
        "{stdout}"
    );
    let failing = stdout
        .find(&format!("FAIL bad03: exit 1\n::stop-commands::{token}\nfailing output 3\n::{token}::\n"))
        .expect("failing output shown");
    let before = &stdout[..failing];
    assert!(
        before.matches("::group::").count() == before.matches("::endgroup::").count(),
        "failing output is never folded"
    );
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert!(summary.starts_with("## closeout baseline: 1/13 gates passed"), "{summary}");
    assert!(summary.contains("| bad11 | FAIL | 1 |") && summary.contains("### Slowest gates"), "{summary}");
    assert!(summary.len() < 1024 * 1024);
}

/// The `closeout` commands of docs/ci.md's GitHub workflow, in order.
fn workflow_commands() -> (Vec<String>, Vec<String>) {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ci.md")).unwrap();
    let yaml = doc.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap();
    let (shard_job, certify_job) = yaml.split_once("  certify:").unwrap();
    let commands = |part: &str| -> Vec<String> {
        part.lines()
            .filter_map(|l| l.trim().strip_prefix("run: "))
            .filter(|c| c.contains("closeout"))
            .map(|c| c.replace("cargo xtask closeout", env!("CARGO_BIN_EXE_closeout")))
            .collect()
    };
    (commands(shard_job), commands(certify_job))
}

fn sh(dir: &Path, command: &str) -> Output {
    Command::new("sh").arg("-c").arg(command).current_dir(dir).output().unwrap()
}

/// Run the workflow: shard jobs in their own clones, artifacts copied into the certify
/// job's `shards/`, then its commands in order. Returns whether the workflow passed.
fn run_workflow(repo: &Path, name: &str) -> (bool, String) {
    let (shard_commands, certify_commands) = workflow_commands();
    assert_eq!(shard_commands.len(), 1, "{shard_commands:?}");
    assert_eq!(certify_commands.len(), 4, "{certify_commands:?}");
    let certify = clone(repo, &format!("{name}-certify"));
    std::fs::create_dir_all(certify.join("shards")).unwrap();
    for k in 1..=4 {
        let job = clone(repo, &format!("{name}-shard-{k}"));
        let command = shard_commands[0].replace("${{ matrix.shard }}", &k.to_string());
        let out = sh(&job, &command);
        assert!(out.status.success(), "shard {k}: {}", describe(&out));
        std::fs::copy(job.join(format!("shard-{k}.json")), certify.join(format!("shards/shard-{k}.json")))
            .unwrap();
    }
    let mut log = String::new();
    let mut passed = true;
    for (n, command) in certify_commands.iter().enumerate() {
        // The docs and report steps run `if: always()`; the others only while all passed.
        let always = n >= 2;
        if !passed && !always {
            continue;
        }
        let out = sh(&certify, command);
        log.push_str(&describe(&out));
        passed &= out.status.success();
    }
    // The report step wrote the artifact the workflow uploads.
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ci.md")).unwrap();
    assert!(doc.contains("name: certification-report\n          path: certification.html\n"), "uploaded");
    let report = std::fs::read_to_string(certify.join("certification.html")).unwrap_or_default();
    log.push_str(&format!("certification.html: {} bytes\n", report.len()));
    assert!(report.contains("id=\"verdict-level\""), "{log}");
    (passed, log)
}

#[test]
fn the_documented_workflow_runs_end_to_end() {
    // Known failure on open debt: GO with conditions, the workflow passes.
    let repo = program_repo("ci-workflow-go", false);
    let (passed, log) = run_workflow(&repo, "ci-workflow-go");
    assert!(passed, "{log}");
    assert!(log.contains("Verdict: GO with conditions"), "{log}");

    // A failing gate with no known failure: NO-GO, the workflow fails.
    let repo = program_repo("ci-workflow-nogo", true);
    let (passed, log) = run_workflow(&repo, "ci-workflow-nogo");
    assert!(!passed, "{log}");
    assert!(log.contains("Verdict: NO-GO") && log.contains("gate `g03` failed"), "{log}");
}
