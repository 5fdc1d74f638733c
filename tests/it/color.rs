//! `--color` and `NO_COLOR` in every reporter: ANSI colour with `--color always`, none
//! with `--color never`, and none under `NO_COLOR=1` even on a terminal (a pty from
//! `script`, when the machine has it); and the `--json` of the commands that print data.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{closeout, commit, describe, git, scratch, text};

const PROGRAM: &str = r#"[program]
name = "Colours"
docs = ["plan.md"]

[[gate]]
id = "build"
run = "echo built"
parser = "none"

[[packet]]
id = "00"
title = "Baseline"
status = "TODO"
review = "PENDING"
scope = ["plan.md"]
tests = ["build"]

[[debt]]
id = "DL-1"
description = "Later work"
severity = "HIGH"
owner = "Ops"
milestone = "Next"
"#;

const PLAN: &str = "# Plan\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n\n<!-- closeout:begin baseline -->\n<!-- closeout:end baseline -->\n";

const IMPORTED_PLAN: &str = "# Plan\n\n## Global validation baseline\n\n```bash\necho built\n```\n\n## Packet board\n\n| Packet | Title | Status | Review |\n| --- | --- | --- | --- |\n| 00 | Baseline | TODO | PENDING |\n";

/// A committed repository with a baseline run, its evidence committed, and a shard
/// record; and beside it a folder holding a plan to import.
fn repo(name: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    std::fs::write(dir.join("closeout.toml"), PROGRAM).unwrap();
    std::fs::write(dir.join("plan.md"), PLAN).unwrap();
    std::fs::write(dir.join(".gitignore"), "/target/\n/shard.json\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "program");
    let out = closeout().arg("baseline").current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    commit(&dir, "evidence");
    let out = closeout()
        .args(["baseline", "--shard", "1/1", "--out", "shard.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let importing = scratch(&format!("{name}-import"));
    std::fs::write(importing.join("plan.md"), IMPORTED_PLAN).unwrap();
    (dir, importing)
}

/// An SGR sequence (`ESC [ … m`): colour or weight, not the live view's cursor moves.
fn has_colour(text: &str) -> bool {
    text.split('\x1b').skip(1).any(|rest| {
        rest.strip_prefix('[').is_some_and(|r| {
            let end = r.find(|c: char| !(c.is_ascii_digit() || c == ';'));
            end.is_some_and(|e| r[e..].starts_with('m'))
        })
    })
}

/// Every command that prints for a person, with its arguments and the folder it runs in.
fn commands(dir: &Path, importing: &Path) -> Vec<(Vec<&'static str>, PathBuf)> {
    let here = |args: &[&'static str]| (args.to_vec(), dir.to_path_buf());
    vec![
        here(&["baseline", "--dry-run"]),
        here(&["verdict"]),
        here(&["ledger"]),
        here(&["ledger", "--check"]),
        here(&["status"]),
        here(&["verify-docs"]),
        here(&["verify-evidence"]),
        here(&["packet", "00"]),
        here(&["merge", "shard.json"]),
        (vec!["import", "plan.md", "--dry-run"], importing.to_path_buf()),
    ]
}

fn run(args: &[&str], dir: &Path, color: Option<&str>, no_color: bool) -> String {
    let mut cmd = closeout();
    if let Some(c) = color {
        cmd.args(["--color", c]);
    }
    cmd.args(args).current_dir(dir);
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{args:?}\n{}", describe(&out));
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn every_reporter_colours_on_always_and_never_on_never_or_no_color() {
    let (dir, importing) = repo("colour-flags");
    for (args, at) in commands(&dir, &importing) {
        let coloured = run(&args, &at, Some("always"), false);
        assert!(has_colour(&coloured), "{args:?} --color always printed no colour:\n{coloured}");
        let plain = run(&args, &at, Some("never"), false);
        assert!(!plain.contains('\x1b'), "{args:?} --color never:\n{plain}");
        let plain = run(&args, &at, None, true);
        assert!(!plain.contains('\x1b'), "{args:?} NO_COLOR=1:\n{plain}");
    }
}

/// On a terminal (`script` gives one), `auto` colours unless `NO_COLOR` is set.
#[test]
fn no_color_wins_over_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let (dir, importing) = repo("colour-tty");
    let bin = env!("CARGO_BIN_EXE_closeout");
    for (args, at) in commands(&dir, &importing) {
        let line = format!("{bin} {}", args.join(" "));
        let on_tty = |no_color: bool| {
            let mut cmd = Command::new("script");
            cmd.args(["-qec", &line, "/dev/null"]).current_dir(&at).env_remove("NO_COLOR");
            if no_color {
                cmd.env("NO_COLOR", "1");
            }
            text(&cmd.output().unwrap().stdout)
        };
        assert!(has_colour(&on_tty(false)), "{args:?} on a terminal printed no colour");
        let plain = on_tty(true);
        assert!(!has_colour(&plain), "{args:?} on a terminal with NO_COLOR=1:\n{plain}");
    }
}

/// The data commands' `--json`, each a documented shape (docs/cli.md).
#[test]
fn data_commands_print_json() {
    let (dir, importing) = repo("colour-json");
    let json = |args: &[&str], at: &Path| -> serde_json::Value {
        let out = closeout().args(args).current_dir(at).output().unwrap();
        assert!(out.status.code().is_some_and(|c| c < 2), "{args:?}\n{}", describe(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{}", describe(&out)))
    };
    let status = json(&["status", "--json"], &dir);
    assert_eq!(status["packets"][0]["id"], "00", "{status}");
    let ledger = json(&["ledger", "--json"], &dir);
    assert_eq!(ledger["items"][0]["id"], "DL-1", "{ledger}");
    let evidence = json(&["verify-evidence", "--json"], &dir);
    assert_eq!(evidence["verifies"], true, "{evidence}");
    assert_eq!(evidence["gates"], 1, "{evidence}");
    assert_eq!(evidence["problems"].as_array().map(Vec::len), Some(0), "{evidence}");
    let import = json(&["import", "plan.md", "--dry-run", "--json"], &importing);
    assert_eq!(import["written"], false, "{import}");
    assert_eq!(import["imported"]["packet"], 1, "{import}");
    assert_eq!(import["gates"][0]["run"], "echo built", "{import}");
    assert_eq!(import["gates"][0]["trusted"], false, "{import}");
    assert!(import["toml"].as_str().unwrap().contains("[[packet]]"), "{import}");
    assert!(!importing.join("closeout.toml").exists(), "--dry-run --json writes nothing");
    // The plan: durations from the run above; none (null, never 0) without history.
    let plan = json(&["baseline", "--dry-run", "--json"], &dir);
    assert_eq!(plan["gates"][0]["id"], "build", "{plan}");
    assert!(plan["gates"][0]["predicted_ms"].is_u64(), "{plan}");
    assert!(plan["predicted_makespan_ms"].is_u64(), "{plan}");
    let fresh = scratch("colour-json-fresh");
    std::fs::write(fresh.join("closeout.toml"), PROGRAM).unwrap();
    std::fs::write(fresh.join("plan.md"), PLAN).unwrap();
    let plan = json(&["baseline", "--dry-run", "--json"], &fresh);
    assert!(plan["gates"][0]["predicted_ms"].is_null(), "{plan}");
    assert!(plan["predicted_makespan_ms"].is_null() && plan["lower_bound_ms"].is_null(), "{plan}");
    let text = text(&closeout().args(["baseline", "--dry-run"]).current_dir(&fresh).output().unwrap().stdout);
    assert!(text.contains("no history") && !text.contains("0ms"), "{text}");
}
