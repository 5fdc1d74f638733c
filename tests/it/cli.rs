//! The CLI as a new user meets it: init, status, help, exit codes.

use crate::support::{closeout, commit, describe, git, scratch, text};

#[test]
fn init_then_status_in_a_repo_without_cargo() {
    let repo = scratch("init-go");
    std::fs::write(repo.join("go.mod"), "module example.com/demo\n").unwrap();
    let out = closeout().args(["init", "--name", "Demo"]).current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    // The first baseline's NO-GO (packet 00 is TODO) is foretold, with the way out.
    assert!(
        text(&out.stdout).contains("then: the verdict stays NO-GO until packet 00 is done")
            && text(&out.stdout).contains("tick its checklist in docs/closeout/progress.md")
            && text(&out.stdout).contains("`closeout packet 00 --record`"),
        "{}",
        describe(&out)
    );
    crate::support::assert_schema_accepts(&repo);
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    assert!(toml.contains("run = \"go test -json ./...\""), "{toml}");
    assert!(repo.join("docs/closeout/plan.md").is_file());

    let sub = repo.join("internal/api");
    std::fs::create_dir_all(&sub).unwrap();
    let out = closeout().arg("status").current_dir(&sub).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Demo\n"), "{stdout}");
    assert!(stdout.contains("00      Closeout Baseline  TODO"), "{stdout}");
    assert!(stdout.contains("none yet; run `closeout baseline`"), "{stdout}");
    assert!(stdout.contains("Verdict\n  none yet; `closeout baseline` records one"), "{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour without a TTY");
}

#[test]
fn init_never_overwrites_without_force() {
    let repo = scratch("init-force");
    std::fs::create_dir_all(repo.join("docs/closeout")).unwrap();
    std::fs::write(repo.join("docs/closeout/plan.md"), "my plan\n").unwrap();
    let out = closeout().arg("init").current_dir(&repo).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("plan.md already exists; pass --force"), "{}", describe(&out));
    assert!(!repo.join("closeout.toml").exists(), "nothing is written when one file exists");
    assert_eq!(std::fs::read_to_string(repo.join("docs/closeout/plan.md")).unwrap(), "my plan\n");

    let out = closeout().args(["init", "--force"]).current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&repo);
    assert_ne!(std::fs::read_to_string(repo.join("docs/closeout/plan.md")).unwrap(), "my plan\n");
}

#[test]
fn status_shows_blockers_first_and_colour_when_forced() {
    let repo = scratch("status-debt");
    std::fs::write(
        repo.join("closeout.toml"),
        r#"[program]
name = "P"

[[debt]]
id = "DL-1"
description = "later"
milestone = "Next"

[[debt]]
id = "DL-2"
description = "now"
severity = "MEDIUM"
milestone = "Pre-release"

[[debt]]
id = "DL-3"
description = "gone"
status = "resolved"
resolution = "fixed"
"#,
    )
    .unwrap();
    let out = closeout().args(["status", "--color", "always"]).current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    let dl2 = stdout.find("DL-2").unwrap();
    let dl1 = stdout.find("DL-1").unwrap();
    assert!(dl2 < dl1, "blocker first:\n{stdout}");
    assert!(!stdout.contains("DL-3"), "resolved debt is not open:\n{stdout}");
    assert!(stdout.contains("2 open, 1 pre-release blocker(s)"), "{stdout}");
    assert!(stdout.contains("\x1b[31mBLOCKER\x1b[0m"), "{stdout}");

    let out = closeout().args(["status", "--json"]).current_dir(&repo).output().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", describe(&out)));
    assert_eq!(json["program"], "P");
    let open: Vec<&str> =
        json["open_debt"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(open, ["DL-2", "DL-1"], "{json}");
    assert_eq!(json["open_debt"][0]["release_blocker"], true);
    assert!(json["latest_run"].is_null() && json["verdict"].is_null(), "{json}");
    let out = closeout().args(["ledger", "--json"]).current_dir(&repo).output().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", describe(&out)));
    let items: Vec<&str> =
        json["items"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(items, ["DL-2", "DL-1", "DL-3"], "{json}");
    assert_eq!(json["items"][2]["resolution"], "fixed");

    let out = closeout().args(["ledger", "--color", "always"]).current_dir(&repo).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\x1b[31mBLOCKER\x1b[0m"), "{stdout}");
    assert!(stdout.contains("\x1b[33mMEDIUM\x1b[0m"), "{stdout}");
    assert!(stdout.contains("\x1b[32mresolved\x1b[0m"), "{stdout}");
    let out = closeout().args(["ledger", "--color", "never"]).current_dir(&repo).output().unwrap();
    assert!(!text(&out.stdout).contains('\x1b'), "{}", describe(&out));

    let out = closeout().args(["verdict", "--color", "always"]).current_dir(&repo).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Verdict: \x1b[1m\x1b[31mNO-GO\x1b[0m\x1b[0m\n"), "{stdout}");
    assert!(stdout.contains("\x1b[1mBlocking:\x1b[0m"), "{stdout}");
    let out = closeout().arg("verdict").current_dir(&repo).output().unwrap();
    assert!(!text(&out.stdout).contains('\x1b'), "{}", describe(&out));
}

#[test]
fn ledger_add_explains_every_flag_and_lists_the_severities() {
    let out = closeout().args(["ledger", "add", "--help"]).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let help = text(&out.stdout);
    for flag in ["--id", "--description", "--severity", "--owner", "--milestone", "--source", "--covers"] {
        let line = help.lines().find(|l| l.trim_start().starts_with(flag)).unwrap_or_default();
        assert!(line.trim_end().len() > flag.len() + 12, "{flag} has no help text:\n{help}");
    }
    assert!(help.contains("--severity <HIGH|MEDIUM|LOW>"), "{help}");
    let repo = scratch("ledger-bad-severity");
    std::fs::write(repo.join("closeout.toml"), "[program]\nname = \"P\"\n").unwrap();
    let out = closeout()
        .args(["ledger", "add", "--id", "DL-1", "--description", "d", "--severity", "huge"])
        .args(["--owner", "o", "--milestone", "m"])
        .current_dir(&repo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("expected one of"), "{}", describe(&out));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let out = closeout().arg("--no-such-flag").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = closeout().arg("frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = closeout().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("Exit codes: 0 success, 1 a gate or check failed"));
}

#[test]
fn missing_program_names_the_fix() {
    let dir = scratch("no-program");
    let out = closeout().arg("status").current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("run `closeout init` there, or pass --root DIR"),
        "{}",
        describe(&out)
    );
    let out = closeout().args(["status", "--root", "nowhere"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--root nowhere: "), "{}", describe(&out));
    // --root names the folder itself: the message says nothing above it was searched.
    let out = closeout().args(["status", "--root", "."]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("holds no closeout.toml (--root names the program's folder itself"),
        "{}",
        describe(&out)
    );
    std::fs::write(dir.join("file"), "").unwrap();
    let out = closeout().args(["status", "--root", "file"]).current_dir(&dir).output().unwrap();
    assert!(text(&out.stderr).contains("--root file is not a folder"), "{}", describe(&out));
}

#[test]
fn a_new_program_goes_from_init_to_docs_in_sync() {
    let repo = scratch("init-to-docs");
    let out = closeout().args(["init", "--name", "Fresh"]).current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&repo);
    // No manifest, so no gates yet: the user adds the baseline.
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    let toml = toml.replace("tests = []", "tests = [\"smoke\"]")
        + "\n[[gate]]\nid = \"smoke\"\nrun = 'printf \"test result: ok. %s passed; 0 failed; 0 ignored\\n\" \"$(cat n.txt)\"'\nparser = \"cargo\"\n";
    std::fs::write(repo.join("n.txt"), "3").unwrap();
    std::fs::write(repo.join("closeout.toml"), toml).unwrap();

    // Before any evidence, the baseline region cannot be generated: exit 2, not a pass.
    let out = closeout().arg("verify-docs").current_dir(&repo).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("no baseline evidence"), "{}", describe(&out));

    let out = closeout().arg("baseline").current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("docs: updated baseline, packet-completeness in docs/closeout/plan.md"),
        "{}",
        describe(&out)
    );
    // init wrote the regions built from closeout.toml, the baseline those built from
    // evidence and the verdict: in sync without update-docs.
    let out = closeout().arg("verify-docs").current_dir(&repo).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let plan = std::fs::read_to_string(repo.join("docs/closeout/plan.md")).unwrap();
    assert!(plan.contains("| PASS (exit 0) | 3 passed |"), "{plan}");

    // A new run with other counts refreshes every region built from evidence, so the
    // docs stay in sync without update-docs.
    std::fs::write(repo.join("n.txt"), "4").unwrap();
    let out = closeout().arg("baseline").current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let out = closeout().arg("verify-docs").current_dir(&repo).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let progress = std::fs::read_to_string(repo.join("docs/closeout/progress.md")).unwrap();
    assert!(progress.contains("-> exit 0 (PASS, 4 passed)"), "{progress}");
}

/// On a terminal (a pseudo-terminal from `script`), status is coloured unless `NO_COLOR`.
#[test]
fn status_colours_a_terminal_unless_no_color() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed, so no pseudo-terminal");
        return;
    }
    let repo = scratch("status-tty");
    std::fs::write(repo.join("closeout.toml"), "[program]\nname = \"T\"\n").unwrap();
    let run = |no_color: bool| {
        let command = format!("{} status", env!("CARGO_BIN_EXE_closeout"));
        let mut cmd = std::process::Command::new("script");
        cmd.args(["-qec", &command, "/dev/null"]).current_dir(&repo).env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        text(&cmd.output().unwrap().stdout)
    };
    assert!(run(false).contains("\x1b[1mT\x1b[0m"), "{:?}", run(false));
    assert!(!run(true).contains('\x1b'), "{:?}", run(true));
}

/// Every flag of every command (and subcommand) has help text; flags taking one of a
/// closed set of values list them.
#[test]
fn every_flag_has_help_text_and_lists_its_values() {
    let help = |args: &[&str]| {
        let out = closeout().args(args).arg("--help").output().unwrap();
        assert!(out.status.success(), "{args:?}\n{}", describe(&out));
        text(&out.stdout)
    };
    let commands_of = |text: &str| -> Vec<String> {
        text.split("Commands:")
            .nth(1)
            .map(|list| list.split("\n\n").next().unwrap_or(""))
            .unwrap_or("")
            .lines()
            // A command's line is indented two spaces; a wrapped description, more.
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|c| c != "help")
            .collect()
    };
    let mut pages = vec![(Vec::<String>::new(), help(&[]))];
    for command in commands_of(&pages[0].1) {
        let page = help(&[&command]);
        for sub in commands_of(&page) {
            pages.push((vec![command.clone(), sub.clone()], help(&[&command, &sub])));
        }
        pages.push((vec![command], page));
    }
    assert!(pages.len() >= 12, "{} help pages", pages.len());
    for (args, page) in &pages {
        for line in page.lines().filter(|l| l.trim_start().starts_with('-')) {
            let flag = line.trim_start();
            // `-j, --jobs <JOBS>    Tests run at once`: text after two or more spaces.
            let described = flag.split_once("  ").is_some_and(|(_, rest)| rest.trim().len() > 3);
            assert!(described, "{args:?}: `{flag}` has no help text\n{page}");
        }
        for flag in ["--color", "--format", "--shard-by", "--severity"] {
            let lines: Vec<&str> = page.lines().collect();
            if let Some(at) = lines.iter().position(|l| l.contains(&format!("{flag} <"))) {
                // The flag's entry: its line and the wrapped lines under it.
                let wrapped = lines[at + 1..]
                    .iter()
                    .take_while(|l| l.starts_with("      ") && !l.trim_start().starts_with('-'));
                let entry = std::iter::once(lines[at]).chain(wrapped.copied()).collect::<Vec<_>>().join(" ");
                assert!(entry.contains("possible values") || entry.contains('|'), "{args:?}: {entry}");
            }
        }
    }
}

/// A verdict recorded GO stops being shown as GO once code changes after its evidence:
/// `status` says what the verdict is now and the command that brings it back.
#[test]
fn status_says_a_go_is_not_current_once_code_changed_since_its_evidence() {
    let repo = scratch("status-stale");
    git(&repo, &["init", "-q"]);
    std::fs::write(
        repo.join("closeout.toml"),
        "[program]\nname = \"t\"\ndocs = []\n\n[[gate]]\nid = \"ok\"\nrun = \"echo ok\"\nparser = \"none\"\n",
    )
    .unwrap();
    std::fs::write(repo.join(".gitignore"), "target/\n").unwrap();
    commit(&repo, "program");
    let out = closeout().arg("baseline").current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    commit(&repo, "evidence");
    let status = |repo: &std::path::Path| {
        let out = closeout().arg("status").current_dir(repo).output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        text(&out.stdout)
    };
    assert!(status(&repo).contains("GO (from run "), "{}", status(&repo));
    std::fs::write(repo.join("main.go"), "package main\n").unwrap();
    commit(&repo, "code");
    let shown = status(&repo);
    assert!(
        shown.contains("GO (not current: the verdict now is NO-GO: stale evidence: recorded at ")
            && shown.contains("(main.go); run `closeout baseline` (it records the verdict))"),
        "{shown}"
    );
    let out = closeout().args(["status", "--json"]).current_dir(&repo).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["verdict"]["current"], false, "{json}");
}
