//! `closeout packet` and the performance envelope, end to end in scratch git repositories.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use closeout::review::PacketReview;

use crate::support::{closeout, commit, describe, git, scratch, text};

const PROGRAM: &str = r#"# the program: comments survive --record
[program]
name = "P"
docs = ["progress.md"]

[[gate]]
id = "unit"
run = '''printf 'test result: ok. 3 passed; 0 failed; 0 ignored\n''''
parser = "cargo"

[[packet]]
id = "00"
title = "Base"
status = "DONE"
review = "APPROVED"
tests = []
scope = ["**"]
commit = "BASE"
p1 = "N/A"

[[packet]]
id = "01"
title = "Feature"  # keep me
tests = ["unit", "sh -c 'echo compiled; exit 0'"]
scope = ["src/**", "closeout.toml", "progress.md"]
files = [
  { path = "src/**", reason = "the feature" },
  { path = "closeout.toml", reason = "the program records packet 00" },
  { path = "progress.md", reason = "the board" },
]
p1 = "PASS"
p1_reason = "behaves as specified"
"#;

const PROGRESS: &str = "# Progress\n\n<!-- closeout:begin packet-board -->\n<!-- closeout:end packet-board -->\n\n### Packet 01 Review Evidence\n\n<!-- closeout:begin packet-evidence:01 -->\n<!-- closeout:end packet-evidence:01 -->\n";

/// A repository whose first commit is packet 00's checkpoint.
fn repo(name: &str) -> PathBuf {
    repo_ignoring(name, Some("target/\n"))
}

/// The same, with this .gitignore, or none (a Go repository ignores no `target/`).
fn repo_ignoring(name: &str, gitignore: Option<&str>) -> PathBuf {
    let dir = scratch(name);
    if let Some(ignore) = gitignore {
        std::fs::write(dir.join(".gitignore"), ignore).unwrap();
    }
    std::fs::write(dir.join("progress.md"), PROGRESS).unwrap();
    std::fs::write(dir.join("closeout.toml"), PROGRAM.replace("BASE", "0000000")).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "base");
    let base = String::from_utf8(
        Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&dir).output().unwrap().stdout,
    )
    .unwrap();
    std::fs::write(dir.join("closeout.toml"), PROGRAM.replace("BASE", base.trim())).unwrap();
    let out = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    commit(&dir, "packet 00 recorded");
    dir
}

fn packet(dir: &Path, args: &[&str]) -> (Output, PacketReview) {
    let out = closeout().arg("packet").args(args).current_dir(dir).output().unwrap();
    let json = std::fs::read_to_string(dir.join(".closeout/packets/01.json"))
        .unwrap_or_else(|_| panic!("{}", describe(&out)));
    (out, serde_json::from_str(&json).unwrap())
}

#[test]
fn an_in_scope_change_with_passing_tests_is_approved_and_recorded_only_on_request() {
    let dir = repo("packet-approved");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/feature.rs"), "fn f() {}\n").unwrap();
    commit(&dir, "feature");
    let before = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();

    let (out, review) = packet(&dir, &["01"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(review.verdict.to_string(), "APPROVED");
    let changed: Vec<(&str, bool)> = review.changed.iter().map(|c| (c.path.as_str(), c.in_scope)).collect();
    assert_eq!(
        changed,
        // progress.md is the program's doc: closeout writes it (this very review does), so
        // it is never one of the packet's changed files.
        [("closeout.toml", true), ("src/feature.rs", true)],
        "{review:#?}"
    );
    assert_eq!(std::fs::read_to_string(dir.join("closeout.toml")).unwrap(), before, "no --record, no edit");
    let progress = std::fs::read_to_string(dir.join("progress.md")).unwrap();
    assert!(progress.contains("- `src/feature.rs`: the feature\n"), "{progress}");
    assert!(
        progress.contains(
            "1. `printf 'test result: ok. 3 passed; 0 failed; 0 ignored\\n'` -> exit 0 (PASS, 3 passed)"
        ),
        "{progress}"
    );
    assert!(progress.contains("2. `sh -c 'echo compiled; exit 0'` -> exit 0 (PASS)"), "{progress}");
    assert!(
        progress.contains("- P0: PASS")
            && progress.contains("- P1: PASS (behaves as specified)")
            && progress.contains("- P2: PASS"),
        "{progress}"
    );
    assert!(progress.contains("Verdict: APPROVED"), "{progress}");

    let (out, _) = packet(&dir, &["01", "--record"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.starts_with("# the program: comments survive --record\n"), "{toml}");
    assert!(toml.contains("title = \"Feature\"  # keep me\n"), "{toml}");
    assert!(toml.contains("status = \"DONE\"\nreview = \"APPROVED\"\ncommit = \""), "{toml}");
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(
        verify.status.code(),
        Some(0),
        "the board and the block follow the record\n{}",
        describe(&verify)
    );
}

#[test]
fn closeouts_own_run_logs_are_not_changed_files() {
    let dir = repo_ignoring("packet-go-repo", None);
    let out = closeout().arg("baseline").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(dir.join("target/closeout/runs").is_dir());
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/feature.go"), "package feature\n").unwrap();

    let (out, review) = packet(&dir, &["01"]);
    let changed: Vec<&str> = review.changed.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(changed, ["closeout.toml", "src/feature.go"], "{}", describe(&out));
}

#[test]
fn out_of_scope_files_missing_reasons_and_failing_tests_request_changes() {
    let dir = repo("packet-changes");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/feature.rs"), "fn f() {}\n").unwrap();
    std::fs::write(dir.join("README.md"), "notes\n").unwrap();
    // Uncommitted changes count too.
    let (out, review) = packet(&dir, &["01", "--record"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(review.verdict.to_string(), "CHANGES_REQUESTED");
    assert_eq!(review.p0.reasons, ["`README.md` is outside the packet's scope"]);
    assert_eq!(review.p2.reasons, ["`README.md` has no reason"]);
    assert!(
        text(&out.stdout).contains("not recorded: the verdict is CHANGES_REQUESTED"),
        "{}",
        describe(&out)
    );
    let progress = std::fs::read_to_string(dir.join("progress.md")).unwrap();
    assert!(
        progress.contains("- `README.md`: \\<reason missing> (outside the packet's scope)"),
        "{progress}"
    );

    // A required test that fails.
    let toml = std::fs::read_to_string(dir.join("closeout.toml"))
        .unwrap()
        .replace("echo compiled; exit 0", "echo broken; exit 1");
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    std::fs::remove_file(dir.join("README.md")).unwrap();
    let (out, review) = packet(&dir, &["01"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(review.p0.reasons, ["`sh -c 'echo broken; exit 1'` FAIL (exit 1)"]);
    assert_eq!(review.verdict.to_string(), "CHANGES_REQUESTED");
}

#[test]
fn a_missing_tool_fails_with_its_exit_code_and_no_git_means_no_base() {
    let dir = repo("packet-blocked");
    let out =
        closeout().args(["packet", "01"]).env("PATH", "/nonexistent").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "without git there is no base: {}", describe(&out));
    let head = String::from_utf8(
        Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&dir).output().unwrap().stdout,
    )
    .unwrap();
    // (BLOCKED, for a test that cannot start at all, is covered by review.rs's tests.)
    let toml = std::fs::read_to_string(dir.join("closeout.toml"))
        .unwrap()
        .replace("sh -c 'echo compiled; exit 0'", "./missing-tool --run");
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    commit(&dir, "tool");
    let (out, review) = packet(&dir, &["01", "--base", head.trim()]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    // `sh -c ./missing-tool` exits 127, the shell's "not found": the test could not
    // run at all, so the review is BLOCKED (not a code failure to change), exit code kept.
    assert_eq!(review.verdict.to_string(), "BLOCKED");
    assert!(review.p0.reasons[0].contains("SPAWN_FAILED (exit 127)"), "{review:#?}");
}

#[test]
fn unknown_packet_and_bad_base_exit_2() {
    let dir = repo("packet-usage");
    let out = closeout().args(["packet", "09"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no [[packet]] with id `09`"), "{}", describe(&out));
    let out = closeout().args(["packet", "01", "--base", "nope"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_perf_region_compares_with_the_previous_passing_run_on_main() {
    let dir = scratch("perf-reference");
    std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
    std::fs::write(
        dir.join("closeout.toml"),
        "[program]\nname = \"P\"\ndocs = [\"plan.md\"]\n\n[[gate]]\nid = \"slow\"\nrun = \"sleep $(cat delay); echo done\"\nparser = \"none\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("plan.md"), "<!-- closeout:begin perf -->\n<!-- closeout:end perf -->\n")
        .unwrap();
    std::fs::write(dir.join("delay"), "0.1").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "start");
    let out = closeout().arg("baseline").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    commit(&dir, "first evidence");
    let first: closeout::evidence::RunRecord =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".closeout/latest.json")).unwrap()).unwrap();

    std::fs::write(dir.join("delay"), "1.5").unwrap();
    commit(&dir, "slower");
    let out = closeout().arg("baseline").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // The regression is a condition of the verdict, and shows where the user looks.
    assert!(
        text(&out.stdout).contains("  condition: gate `slow` performance regression: +"),
        "{}",
        describe(&out)
    );
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert!(plan.contains(&format!("Reference: run `{}`.", first.run_id)), "{plan}");
    assert!(plan.contains("slower than the reference (tolerance 20%)"), "{plan}");
    commit(&dir, "second evidence");
    let out = closeout().arg("status").current_dir(&dir).output().unwrap();
    assert!(
        text(&out.stdout).contains("  condition: gate `slow` performance regression"),
        "{}",
        describe(&out)
    );
    let out = closeout().args(["status", "--json"]).current_dir(&dir).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"]["level"], "GO with conditions", "{json}");
    assert_eq!(json["verdict"]["current"], true, "{json}");
    assert!(json["verdict"]["conditions"][0].as_str().unwrap().contains("performance regression"), "{json}");
    assert_eq!(json["latest_run"]["passed"], 1, "{json}");
    let out = closeout().arg("verdict").current_dir(&dir).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Verdict: GO with conditions"), "{stdout}");
    assert!(stdout.contains("gate `slow` performance regression"), "{stdout}");

    // The first run on another machine is compared with nothing: no regression.
    std::fs::write(dir.join("delay"), "0.1").unwrap();
    commit(&dir, "fast again");
    let out = closeout()
        .arg("baseline")
        .env(closeout::evidence::MACHINE_ENV, "another-machine")
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!text(&out.stdout).contains("regression"), "{}", describe(&out));
    let plan = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    // The table is aligned as prettier writes it: compare its cells, not its padding.
    let plan = plan.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    assert!(plan.contains("| slow | 1"), "{plan}");
    assert!(plan.contains("| none | - |"), "{plan}");
    assert!(plan.contains("No comparable reference run"), "{plan}");
    commit(&dir, "evidence from another machine");
    let out = closeout().arg("verdict").current_dir(&dir).output().unwrap();
    assert!(text(&out.stdout).starts_with("Verdict: GO\n"), "{}", describe(&out));
}

/// An open box in the packet's checklist would make `verify-docs` fail once the packet is
/// DONE (the `done-open-box` rule), so the review asks for it first and `--record` does
/// not mark the packet DONE; ticked, the packet is approved and verify-docs stays green.
#[test]
fn an_open_checklist_box_keeps_the_packet_from_approval_until_it_is_ticked() {
    let dir = repo("packet-open-box");
    let progress = std::fs::read_to_string(dir.join("progress.md")).unwrap();
    let with_box = progress.replace(
        "### Packet 01 Review Evidence",
        "## Packet 01 Checklist\n\n- [ ] the feature is documented\n\n### Packet 01 Review Evidence",
    );
    std::fs::write(dir.join("progress.md"), &with_box).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/feature.rs"), "fn f() {}\n").unwrap();
    commit(&dir, "feature");

    let (out, review) = packet(&dir, &["01", "--record"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(review.verdict.to_string(), "CHANGES_REQUESTED", "{review:#?}");
    assert!(
        review
            .p2
            .reasons
            .iter()
            .any(|r| r.contains("progress.md:") && r.contains("the feature is documented")),
        "{review:#?}"
    );
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(!toml.contains("title = \"Feature\"  # keep me\nstatus = \"DONE\""), "not recorded: {toml}");

    let ticked = std::fs::read_to_string(dir.join("progress.md")).unwrap().replacen(
        "- [ ] the feature",
        "- [x] the feature",
        1,
    );
    std::fs::write(dir.join("progress.md"), ticked).unwrap();
    commit(&dir, "documented");
    let (out, review) = packet(&dir, &["01", "--record"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(review.verdict.to_string(), "APPROVED", "{review:#?}");
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", describe(&verify));
}
