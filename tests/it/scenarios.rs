//! The certification scenarios of the Pulse program, end to end through the CLI, in a
//! scratch git repository whose `go`, `npm` and `tsc` are small fakes that print the real
//! runner outputs in tests/fixtures/runner-output, so every gate command stays as the
//! plan wrote it. The program is tests/fixtures/pulse/closeout.toml, set back to the state
//! of the plan's `history/plan/04-1e535213.md` (three pre-release blockers open).

use std::path::{Path, PathBuf};
use std::process::Output;

use closeout::verdict::{Level, Verdict};

use crate::support::{closeout, describe, fixtures, scratch, text};

const PLAN: &str = "# Pulse closeout plan (scenario)\n\n## Global Validation Baseline Results\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n\n## Pre-release blockers\n\n<!-- closeout:begin blockers -->\n<!-- closeout:end blockers -->\n\n## Debt Ledger\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n\n## Final Certification Verdict\n\n<!-- closeout:begin verdict -->\n<!-- closeout:end verdict -->\n";

/// Fakes of the Pulse toolchain. `state/<name>` files switch failures on.
const FAKE_GO: &str = r#"#!/bin/sh
out=FIXTURES/runner-output
case "$1" in
  build) exit 0 ;;
  test)
    case "$*" in
      *monitoring*) if [ -e state/monitoring-broken ]; then cat "$out/go-monitoring-buildfail.txt"; exit 2; fi ;;
    esac
    echo "=== RUN   TestContract"
    echo "--- PASS: TestContract (0.00s)"
    echo "PASS"
    echo "ok  	example.com/pulse/internal/pkg	0.010s"
    exit 0 ;;
esac
echo "fake go: unexpected $*" >&2
exit 3
"#;
const FAKE_NPM: &str = r#"#!/bin/sh
out=FIXTURES/runner-output
if [ -e state/vitest-broken ]; then cat "$out/vitest-mixed.txt"; exit 1; fi
cat "$out/vitest-pass.txt"
exit 0
"#;
const FAKE_TSC: &str = r#"#!/bin/sh
if [ -e state/tsc-broken ]; then cat FIXTURES/runner-output/tsc-fail.txt; exit 2; fi
exit 0
"#;

struct Repo {
    dir: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = scratch(name);
        let fixtures = fixtures();
        let program = std::fs::read_to_string(fixtures.join("pulse/closeout.toml")).unwrap();
        // Plan 04: DL-002, DL-009 and DL-010 open; the failing gates are their known failures.
        let program = program
            .replace("docs = [\"program-closeout-certification-plan-2026-02.md\", \"program-closeout-certification-progress-2026-02.md\"]", "docs = [\"plan.md\"]")
            .replace("status = \"resolved\"\nresolution = \"import cycle no longer exists; `unified_eval.go` uses DTO pattern\"\n", "")
            .replace("status = \"resolved\"\nresolution = \"implemented in BD-01 (`ef01b50c`)\"\n", "")
            .replace("status = \"resolved\"\nresolution = \"transient module cache issue, no fix needed\"\n", "")
            .replace("run = \"go test ./internal/monitoring/... -v\"\n", "run = \"go test ./internal/monitoring/... -v\"\nknown_failure = \"DL-009\"\n")
            .replace("src/components/Alerts/__tests__/ThresholdsTable.test.tsx\"\n", "src/components/Alerts/__tests__/ThresholdsTable.test.tsx\"\nknown_failure = \"DL-010\"\n")
            .replace("src/routing/__tests__/platformTabs.test.ts\"\n", "src/routing/__tests__/platformTabs.test.ts\"\nknown_failure = \"DL-010\"\n");
        assert_eq!(program.matches("status = \"resolved\"").count(), 0);
        std::fs::write(dir.join("closeout.toml"), program).unwrap();
        std::fs::write(dir.join("plan.md"), PLAN).unwrap();
        std::fs::write(dir.join(".gitignore"), "target/\nstate/\n").unwrap();
        let fixtures_dir = fixtures.display().to_string();
        for (path, script) in
            [("bin/go", FAKE_GO), ("bin/npm", FAKE_NPM), ("frontend-modern/node_modules/.bin/tsc", FAKE_TSC)]
        {
            let full = dir.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, script.replace("FIXTURES", &fixtures_dir)).unwrap();
            std::os::unix::fs::PermissionsExt::set_mode(
                &mut std::fs::metadata(&full).unwrap().permissions(),
                0o755,
            );
            std::fs::set_permissions(&full, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        std::fs::create_dir_all(dir.join("state")).unwrap();
        let repo = Repo { dir };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.commit("pulse program");
        repo
    }

    fn git(&self, args: &[&str]) {
        crate::support::git(&self.dir, args);
    }

    fn commit(&self, message: &str) {
        crate::support::commit(&self.dir, message);
    }

    fn state(&self, name: &str, on: bool) {
        let path = self.dir.join("state").join(name);
        if on {
            std::fs::write(path, "").unwrap();
        } else {
            let _ = std::fs::remove_file(path);
        }
    }

    fn closeout(&self, args: &[&str]) -> Output {
        let path =
            format!("{}:{}", self.dir.join("bin").display(), std::env::var("PATH").unwrap_or_default());
        closeout().args(args).env("PATH", path).current_dir(&self.dir).output().unwrap()
    }

    /// Run the baseline, bring the docs up to date and commit: the certification routine.
    fn certify_run(&self) {
        self.closeout(&["baseline"]);
        let out = self.closeout(&["update-docs"]);
        assert!(out.status.success(), "{}", describe(&out));
        self.commit("baseline evidence and docs");
    }

    fn verdict(&self, args: &[&str]) -> (Output, Verdict) {
        let mut all = vec!["verdict"];
        all.extend_from_slice(args);
        let out = self.closeout(&all);
        let text = std::fs::read_to_string(self.dir.join(".closeout/verdict.json"))
            .unwrap_or_else(|_| panic!("no verdict.json\n{}", describe(&out)));
        (out, serde_json::from_str(&text).unwrap())
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.dir.join(path)).unwrap()
    }
}

fn region<'a>(doc: &'a str, kind: &str) -> &'a str {
    let begin = format!("<!-- closeout:begin {kind} -->");
    let start = doc.find(&begin).unwrap() + begin.len();
    let end = doc[start..].find("<!-- closeout:end").unwrap() + start;
    &doc[start..end]
}

#[test]
fn plan_04_gives_go_with_conditions_naming_exactly_the_three_blockers_then_go_after_burn_down() {
    let repo = Repo::new("scenario-plan-04");
    repo.state("monitoring-broken", true);
    repo.state("vitest-broken", true);
    repo.certify_run();

    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::GoWithConditions, "{}", describe(&out));
    assert_eq!(closeout::verdict::condition_debts(&v), ["DL-002", "DL-009", "DL-010"], "{}", describe(&out));
    assert_eq!(out.status.code(), Some(0), "GO with conditions passes without --strict");
    let (strict, _) = repo.verdict(&["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    let plan = repo.read("plan.md");
    assert!(region(&plan, "verdict").contains("Verdict: **GO with conditions**"), "{plan}");
    // Every region, the verdict's included, is in sync. (The consistency rules do find
    // things here: the tracker's commits are not in this scratch repository's history.)
    let out = repo.closeout(&["verify-docs", "--format", "json"]);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)));
    assert!(report["regions"].as_array().unwrap().iter().all(|r| r["fails"] == false), "{report:#}");
    // Editing closeout.toml after `closeout verdict` makes the recorded verdict stale.
    let out = repo.closeout(&[
        "ledger",
        "add",
        "--id",
        "DL-013",
        "--description",
        "new risk",
        "--severity",
        "LOW",
        "--owner",
        "QA",
        "--milestone",
        "Next",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = repo.closeout(&["verify-docs", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stale =
        report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "verdict-current").cloned();
    assert!(
        stale.is_some_and(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("computed for another version of closeout.toml")),
        "{report:#}"
    );
    // closeout.toml is not a doc: the evidence no longer matches the tree.
    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::NoGo, "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("non-doc file(s) changed since (closeout.toml)"),
        "{}",
        describe(&out)
    );

    // The burn-down: the blockers are resolved and the failing gates pass again.
    for (id, how) in [
        ("DL-002", "import cycle no longer exists"),
        ("DL-009", "implemented in BD-01"),
        ("DL-010", "transient module cache issue"),
    ] {
        let out = repo.closeout(&["ledger", "resolve", id, "--resolution", how]);
        assert!(out.status.success(), "{}", describe(&out));
    }
    repo.state("monitoring-broken", false);
    repo.state("vitest-broken", false);
    repo.commit("burn-down");
    repo.certify_run();
    let (out, v) = repo.verdict(&["--strict"]);
    assert_eq!(v.level, Level::Go, "{}", describe(&out));
    assert_eq!(out.status.code(), Some(0));
    let plan = repo.read("plan.md");
    for kind in ["verdict", "blockers", "baseline"] {
        assert!(!region(&plan, kind).contains("~~"), "no strikethrough leftovers in {kind}:\n{plan}");
    }
    assert!(region(&plan, "verdict").contains("Verdict: **GO**"), "{plan}");
    assert!(region(&plan, "blockers").contains("No open pre-release blockers."), "{plan}");
}

#[test]
fn a_done_packet_with_a_failing_required_gate_is_no_go_naming_both() {
    let repo = Repo::new("scenario-failing-test");
    repo.state("monitoring-broken", true);
    repo.state("vitest-broken", true);
    repo.state("tsc-broken", true);
    repo.certify_run();
    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::NoGo, "{}", describe(&out));
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("gate `tsc` failed: BUILD_FAILED"), "{stdout}");
    assert!(
        stdout.contains("packet 08 is DONE but its required gate `tsc` BUILD_FAILED in the latest run"),
        "{stdout}"
    );
    assert!(v.blockers.iter().any(
        |c| c.evidence.contains(&"packet 01".to_string()) && c.evidence.contains(&"gate tsc".to_string())
    ));
}

#[test]
fn evidence_recorded_before_a_code_change_is_stale_and_no_go() {
    let repo = Repo::new("scenario-stale");
    repo.state("monitoring-broken", true);
    repo.state("vitest-broken", true);
    repo.certify_run();
    let (_, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::GoWithConditions);

    std::fs::create_dir_all(repo.dir.join("internal/alerts")).unwrap();
    std::fs::write(repo.dir.join("internal/alerts/alerts.go"), "package alerts\n").unwrap();
    repo.commit("a code change after the baseline run");
    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::NoGo, "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("stale evidence: recorded at"), "{stdout}");
    assert!(stdout.contains("1 non-doc file(s) changed since (internal/alerts/alerts.go)"), "{stdout}");

    // A docs-only change does not make the evidence stale.
    let repo = Repo::new("scenario-docs-only");
    repo.state("monitoring-broken", true);
    repo.state("vitest-broken", true);
    repo.certify_run();
    std::fs::write(repo.dir.join("NOTES.md"), "release notes\n").unwrap();
    repo.commit("docs only");
    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::GoWithConditions, "{}", describe(&out));

    // closeout's own outputs committed after the run (a repository that does not ignore
    // target/: its history and run logs) are no code change either.
    let runs = repo.dir.join("target/closeout/runs/r1");
    std::fs::create_dir_all(&runs).unwrap();
    std::fs::write(runs.join("001-build.log"), "log\n").unwrap();
    std::fs::write(repo.dir.join("target/closeout/history.json"), "{\"gates\":{}}\n").unwrap();
    crate::support::git(&repo.dir, &["add", "-f", "target/closeout"]);
    repo.commit("closeout outputs committed by mistake");
    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::GoWithConditions, "{}", describe(&out));
    assert!(!text(&out.stdout).contains("stale evidence"), "{}", describe(&out));
}

#[test]
fn verdict_without_evidence_is_no_go() {
    let repo = Repo::new("scenario-no-evidence");
    let (out, v) = repo.verdict(&[]);
    assert_eq!(v.level, Level::NoGo);
    assert!(text(&out.stdout).contains("no baseline evidence"), "{}", describe(&out));
    let _ = Path::new("");
}

#[test]
fn a_program_without_docs_gets_a_verdict_from_its_evidence() {
    let dir = crate::support::scratch("scenario-no-docs");
    std::fs::write(
        dir.join("closeout.toml"),
        "[program]\nname = \"bare\"\ndocs = []\n\n[[gate]]\nid = \"build\"\nrun = \"echo built\"\nparser = \"none\"\n",
    )
    .unwrap();
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    crate::support::git(&dir, &["init", "-q", "-b", "main"]);
    crate::support::commit(&dir, "program");
    let out = crate::support::closeout().arg("baseline").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::commit(&dir, "evidence");
    let out = crate::support::closeout().arg("verdict").current_dir(&dir).output().unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stdout.starts_with("Verdict: GO\n"), "{stdout}");
    assert!(stdout.contains("no docs are tracked"), "{stdout}");
}
