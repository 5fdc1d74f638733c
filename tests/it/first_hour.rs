//! A new user's first hour, end to end with the real toolchain: `init`, `baseline`,
//! `verify-docs` and `verdict` in a fresh Go repository; what is committed and what stays
//! local; the README's xtask recipe as written.

use std::path::Path;
use std::process::Command;

use crate::support::{closeout, commit, describe, git, scratch, text};

fn go_missing() -> bool {
    if Command::new("go").arg("version").output().is_ok() {
        return false;
    }
    assert!(
        std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_none(),
        "`go` is required when CLOSEOUT_REQUIRE_REAL_SUITES is set"
    );
    eprintln!("skipped: `go` is not installed (Debian: golang-go)");
    true
}

/// A Go module with one package and two passing tests (one with a subtest), committed.
fn go_repo(name: &str) -> std::path::PathBuf {
    let repo = scratch(name);
    std::fs::write(repo.join("go.mod"), "module example.com/demo\n\ngo 1.19\n").unwrap();
    std::fs::create_dir_all(repo.join("calc")).unwrap();
    std::fs::write(repo.join("calc/calc.go"), "package calc\n\nfunc Add(a, b int) int { return a + b }\n")
        .unwrap();
    std::fs::write(
        repo.join("calc/calc_test.go"),
        "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"1+2\")\n\t}\n}\n\n\
         func TestZero(t *testing.T) {\n\tt.Run(\"both\", func(t *testing.T) {})\n}\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a go module");
    repo
}

fn run(repo: &Path, args: &[&str]) -> std::process::Output {
    closeout().args(args).current_dir(repo).output().unwrap()
}

fn untracked(repo: &Path) -> String {
    let out = Command::new("git").args(["status", "--porcelain"]).current_dir(repo).output().unwrap();
    text(&out.stdout)
}

#[test]
fn a_go_repository_goes_from_init_to_docs_in_sync_and_a_verdict() {
    if go_missing() {
        return;
    }
    let repo = go_repo("first-hour-go");
    let out = run(&repo, &["init"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("added /target/closeout/ to .gitignore"), "{stdout}");
    assert!(stdout.contains("commit: closeout.toml, docs/closeout/ and"), "{stdout}");
    assert!(stdout.contains("`closeout baseline`"), "{stdout}");
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    assert!(toml.contains("run = \"go test -json ./...\"\nparser = \"go-json\""), "{toml}");
    commit(&repo, "closeout init");

    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    // Plain `go test` would name packages only; -json counts the two top-level tests.
    let test_row = stdout.lines().find(|l| l.starts_with("go-test ")).unwrap_or_default();
    assert!(test_row.contains("2 passed"), "{stdout}");
    assert!(stdout.contains("docs: updated verdict in docs/closeout/plan.md"), "{stdout}");
    // The verdict follows from the evidence: the one packet is still TODO.
    assert!(stdout.contains("verdict: NO-GO"), "{stdout}");
    assert!(stdout.contains("blocking: packet 00 is TODO / PENDING"), "{stdout}");

    let out = run(&repo, &["verify-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains("0 drifted; 0 consistency finding(s)"), "{}", describe(&out));

    // Only what is meant to be committed shows in git: the evidence and the docs.
    let status = untracked(&repo);
    assert!(!status.contains("target"), "{status}");
    for line in status.lines() {
        let path = &line[3..];
        assert!(path.starts_with(".closeout/") || path.starts_with("docs/closeout/"), "{status}");
    }
    commit(&repo, "closeout evidence");
    let out = run(&repo, &["verdict", "--json"]);
    let verdict = text(&out.stdout);
    assert!(!verdict.contains("stale evidence"), "{verdict}");
    assert!(!verdict.contains("target/closeout"), "{verdict}");
}

#[test]
fn committed_closeout_output_never_makes_the_verdict_no_go() {
    if go_missing() {
        return;
    }
    let repo = go_repo("first-hour-committed-output");
    // A repository that ignores nothing, and a user who commits everything.
    assert!(run(&repo, &["init"]).status.success());
    std::fs::remove_file(repo.join(".gitignore")).unwrap();
    commit(&repo, "closeout init, everything added");
    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    commit(&repo, "baseline, target/closeout/ included");
    assert!(untracked(&repo).is_empty(), "{}", untracked(&repo));
    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    commit(&repo, "second baseline, target/closeout/ changed");
    // NO-GO only for what the evidence says (the packet is TODO), never for closeout's
    // own output changing.
    let out = run(&repo, &["verdict"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("baseline: 3/3 gates PASS"), "{}", describe(&out));
    assert!(!stdout.contains("stale evidence"), "{stdout}");
    assert!(!stdout.contains("target/closeout"), "{stdout}");
}
