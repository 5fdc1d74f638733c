//! This repository certifies itself: its docs carry regions that are in sync with its
//! closeout.toml and evidence, and a hand edit to one makes verify-docs fail with the diff
//! and the command that fixes it.

use crate::support::{closeout, describe, scratch, text, workspace, workspace_copy};

#[test]
fn this_repository_docs_are_in_sync() {
    let out = closeout().arg("verify-docs").current_dir(workspace()).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "run `cargo xtask closeout update-docs` and commit\n{}",
        describe(&out)
    );
    assert!(text(&out.stdout).contains("0 drifted; 0 consistency finding(s)"), "{}", describe(&out));
}

#[test]
fn a_hand_edit_fails_verify_docs_with_the_diff_and_the_fix() {
    let copy = workspace_copy("dogfood-hand-edit");
    // Bring the copy's regions to what its own git history and evidence give (a clone's
    // branches, hence its perf reference, differ from the repository's): the test is
    // about the hand edit, not about the state a baseline left.
    let out = closeout().args(["update-docs", "--force"]).current_dir(&copy).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let plan = copy.join("docs/closeout/plan.md");
    let original = std::fs::read_to_string(&plan).unwrap();
    // Raise the severity of the first open LOW item in the ledger region, by hand.
    let row = original
        .lines()
        .find(|l| l.starts_with("| DL-") && l.contains(" | LOW | "))
        .expect("an open LOW debt row");
    let id = row.split('|').nth(1).unwrap().trim().to_string();
    let edited = original.replacen(row, &row.replacen(" | LOW | ", " | HIGH | ", 1), 1);
    assert_ne!(edited, original);
    std::fs::write(&plan, &edited).unwrap();

    let out = closeout().arg("verify-docs").current_dir(&copy).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = text(&out.stdout);
    let message = format!(
        "region `ledger` was edited by hand: edit closeout.toml ([[debt]] id = \"{id}\", key severity)"
    );
    assert!(stdout.contains(&message), "{stdout}");
    assert!(stdout.contains("--- docs/closeout/plan.md (region ledger, committed)"), "{stdout}");
    assert!(stdout.contains(&format!("+| {id} |")), "{stdout}");
    assert!(stdout.contains("fix: run `closeout update-docs`"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), edited, "verify-docs never writes");

    // update-docs refuses to discard the edit; --force restores the generated table.
    let out = closeout().arg("update-docs").current_dir(&copy).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), edited);
    let out = closeout().args(["update-docs", "--force"]).current_dir(&copy).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(&plan).unwrap(), original);
}

#[test]
fn github_annotations_are_capped_at_ten() {
    let copy = scratch("dogfood-github");
    std::fs::create_dir_all(copy.join("docs")).unwrap();
    let mut toml = String::from("[program]\nname = \"g\"\ndocs = [\"docs/plan.md\"]\n");
    for i in 0..14 {
        toml.push_str(&format!("\n[[debt]]\nid = \"DL-{i:02}\"\ndescription = \"d\"\n"));
    }
    std::fs::write(copy.join("closeout.toml"), toml).unwrap();
    std::fs::write(
        copy.join("docs/plan.md"),
        "<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n",
    )
    .unwrap();
    let out = closeout().args(["verify-docs", "--format", "github"]).current_dir(&copy).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 11, "{stdout}");
    assert!(
        lines[0].starts_with("::error file=docs/plan.md,line=1::region `ledger` is out of date"),
        "{stdout}"
    );
    assert!(lines[1].starts_with("::error file=closeout.toml,line="), "{stdout}");
    assert_eq!(
        lines[10],
        "::error::5 more problem(s) not annotated; run `closeout verify-docs` locally to see them all"
    );
}

#[test]
fn formatting_only_differences_fail_only_with_strict() {
    let dir = scratch("strict");
    std::fs::write(dir.join("closeout.toml"), "[program]\nname = \"s\"\ndocs = [\"plan.md\"]\n\n[[risk]]\nid = \"R-1\"\ndescription = \"d\"\nseverity = \"LOW\"\n").unwrap();
    // A table in the document's own padding is the document's layout: in sync. A text
    // block re-wrapped by hand differs only in formatting.
    std::fs::write(
        dir.join("plan.md"),
        "<!-- closeout:begin risks -->\n|Risk ID|Surface|Description|Severity|Mapped Packet|Mitigation|\n|---|---|---|---|---|---|\n|  R-1 |  | d | LOW |  |  |\n<!-- closeout:end risks -->\n\n<!-- closeout:begin blockers -->\nNo open  pre-release\nblockers.\n<!-- closeout:end blockers -->\n",
    )
    .unwrap();
    let out = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains("1 in sync, 1 formatting-only"), "{}", describe(&out));
    let out = closeout().args(["verify-docs", "--strict"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("region `blockers` differs only in formatting (--strict)"),
        "{}",
        describe(&out)
    );
}
