//! `closeout ledger`: list, check, and edits that keep closeout.toml's comments and keep
//! the ledger, blockers and traceability regions in sync.

use crate::support::{closeout, describe, scratch, text};

const PROGRAM: &str = r#"# Program data: comments must survive edits.
[program]
name = "L"
docs = ["plan.md"]

[[gate]]
id = "monitoring"
run = "exit 2"
known_failure = "DL-9"   # tracked

[[debt]]
id = "DL-1"
description = "Later work"
severity = "LOW"
owner = "Ops"
milestone = "Next"

[[debt]]
id = "DL-9"
description = "Monitoring build"
severity = "MEDIUM"
owner = "Monitoring team"
milestone = "Pre-release"
"#;

const PLAN: &str = "# Plan\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n\n<!-- closeout:begin blockers -->\n<!-- closeout:end blockers -->\n";

fn repo(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("closeout.toml"), PROGRAM).unwrap();
    std::fs::write(dir.join("plan.md"), PLAN).unwrap();
    let out = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    dir
}

#[test]
fn list_puts_blockers_first() {
    let dir = repo("ledger-list");
    let out = closeout().arg("ledger").current_dir(&dir).output().unwrap();
    let stdout = text(&out.stdout);
    let rows: Vec<&str> = stdout.lines().skip(1).take(2).collect();
    assert!(rows[0].starts_with("DL-9  BLOCKER"), "{stdout}");
    assert!(rows[1].starts_with("DL-1  open"), "{stdout}");
    assert!(stdout.contains("2 item(s): 2 open, 1 pre-release blocker(s)"), "{stdout}");
}

#[test]
fn add_resolve_reopen_keep_comments_and_regions_in_sync() {
    let dir = repo("ledger-edit");
    let run = |args: &[&str]| {
        let out = closeout().arg("ledger").args(args).current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{args:?}\n{}", describe(&out));
        let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
        assert_eq!(verify.status.code(), Some(0), "after {args:?}\n{}", describe(&verify));
        text(&out.stdout)
    };
    let out = run(&[
        "add",
        "--id",
        "DL-10",
        "--description",
        "Vitest flake",
        "--severity",
        "MEDIUM",
        "--owner",
        "Frontend",
        "--milestone",
        "Pre-release",
    ]);
    assert!(
        out.contains("added DL-10") && out.contains("docs: updated ledger, blockers in plan.md"),
        "{out}"
    );
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.starts_with("# Program data: comments must survive edits.\n"), "{toml}");
    assert!(toml.contains("known_failure = \"DL-9\"   # tracked"), "{toml}");
    assert!(toml.ends_with("[[debt]]\nid = \"DL-10\"\ndescription = \"Vitest flake\"\nseverity = \"MEDIUM\"\nowner = \"Frontend\"\nmilestone = \"Pre-release\"\n"), "{toml}");

    run(&["resolve", "DL-9", "--resolution", "fixed in BD-01"]);
    run(&["resolve", "DL-10", "--resolution", "transient cache"]);
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert!(plan.contains("No open pre-release blockers."), "{plan}");
    assert!(
        plan.contains("| DL-9  | ~~Monitoring build~~ RESOLVED — fixed in BD-01 | ~~MEDIUM~~ CLOSED | Monitoring team | ~~Pre-release~~ Done |        |"),
        "the ledger keeps a resolved item's history struck out:\n{plan}"
    );
    let blockers = plan.split("<!-- closeout:begin blockers -->").nth(1).unwrap();
    assert!(!blockers.contains("~~"), "no strikethrough leftovers in the blockers");

    run(&["reopen", "DL-10"]);
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(!toml.contains("transient cache"), "reopen drops the resolution\n{toml}");
}

#[test]
fn check_finds_gaps_and_disagreements_with_evidence() {
    let dir = repo("ledger-check");
    let out = closeout().args(["ledger", "--check"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    std::fs::write(dir.join("closeout.toml"), PROGRAM.replace("owner = \"Ops\"\n", "")).unwrap();
    let out = closeout().args(["baseline"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the monitoring gate fails as known failure DL-9");
    let out = closeout()
        .args(["ledger", "resolve", "DL-9", "--resolution", "claimed fixed"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let out = closeout().args(["ledger", "--check"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("open debt DL-1 has no owner"), "{stdout}");
    assert!(
        stdout.contains("gate `monitoring` fails (FAIL) as a known failure of DL-9, but DL-9 is resolved"),
        "{stdout}"
    );
}

#[test]
fn bad_edits_exit_2_and_write_nothing() {
    let dir = repo("ledger-bad");
    let before = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    for args in [
        vec!["resolve", "DL-404", "--resolution", "x"],
        vec!["reopen", "DL-1"],
        vec![
            "add",
            "--id",
            "DL-1",
            "--description",
            "d",
            "--severity",
            "LOW",
            "--owner",
            "o",
            "--milestone",
            "m",
        ],
        vec![
            "add",
            "--id",
            "DL-2",
            "--description",
            "d",
            "--severity",
            "urgent",
            "--owner",
            "o",
            "--milestone",
            "m",
        ],
    ] {
        let out = closeout().arg("ledger").args(&args).current_dir(&dir).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", describe(&out));
    }
    assert_eq!(std::fs::read_to_string(dir.join("closeout.toml")).unwrap(), before);
}

/// `docs = []`: a program whose verdict rests on its evidence alone. Editing its ledger
/// succeeds (there is no doc to follow), and verify-docs and update-docs have nothing to
/// do rather than failing.
#[test]
fn a_program_without_docs_edits_its_ledger_and_has_no_docs_to_check() {
    let repo = crate::support::scratch("ledger-no-docs");
    std::fs::write(repo.join("closeout.toml"), "[program]\nname = \"N\"\ndocs = []\n").unwrap();
    let run = |args: &[&str]| crate::support::closeout().args(args).current_dir(&repo).output().unwrap();
    let out = run(&[
        "ledger",
        "add",
        "--id",
        "DL-1",
        "--description",
        "d",
        "--severity",
        "low",
        "--owner",
        "me",
        "--milestone",
        "v1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::support::describe(&out));
    assert!(
        !crate::support::text(&out.stdout).contains("docs were not"),
        "{}",
        crate::support::describe(&out)
    );
    let out = run(&["ledger", "resolve", "DL-1", "--resolution", "done"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::support::describe(&out));
    let out = run(&["verify-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::support::describe(&out));
    let err = crate::support::text(&out.stderr);
    assert_eq!(err.matches("lists no docs").count(), 1, "said once: {err}");
    let out = run(&["update-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::support::describe(&out));
}
