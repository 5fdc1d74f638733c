//! The trimmed adoption repros (`tests/fixtures/repros/adoption/*`, copied from
//! ../shared/repros/adoption, each with its README): every one is adopted as its README
//! runs it (import, commit, verify-docs, status, update-docs, git diff) and must end as its
//! README expects. The general contract is checked for every repro; each repro's own
//! expectation is checked in its own test.

use std::path::{Path, PathBuf};
use std::process::Output;

use closeout::model::{PacketStatus, Program, ReviewState};

use crate::support::{closeout, commit, describe, fixtures, git, scratch, text};

/// One repro adopted: its folder, the outputs of each step, and the program it imported.
struct Adopted {
    dir: PathBuf,
    import: Output,
    status: Output,
    program: Program,
}

/// Run closeout in `dir`; an import that wrote a closeout.toml is checked against the
/// schema it names.
fn run(dir: &Path, args: &[&str]) -> Output {
    let out = closeout().args(["--color", "never"]).args(args).current_dir(dir).output().unwrap();
    if args.first() == Some(&"import")
        && !args.contains(&"--dry-run")
        && matches!(out.status.code(), Some(0 | 1))
    {
        crate::support::assert_schema_accepts(dir);
    }
    out
}

/// Adopt `files` of repro `name` (copied under docs/architecture/ as plan.md / progress.md)
/// as the repro's README runs it, checking the contract every adoption keeps: import exits
/// 0, verify-docs passes (also `--strict`), update-docs writes nothing.
fn adopt(name: &str, files: &[(&str, &str)]) -> Adopted {
    let src = fixtures().join("repros/adoption").join(name);
    let dir = scratch(&format!("repro-{name}-{}", files[0].0));
    std::fs::create_dir_all(dir.join("docs/architecture")).unwrap();
    let mut args = vec!["import".to_string()];
    for (from, to) in files {
        std::fs::copy(src.join(from), dir.join("docs/architecture").join(to)).unwrap();
        args.push(format!("docs/architecture/{to}"));
    }
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "init");
    let import = run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(import.status.code(), Some(0), "{name}: import\n{}", describe(&import));
    commit(&dir, "adopt");
    for args in [&["verify-docs"][..], &["verify-docs", "--strict"][..]] {
        let out = run(&dir, args);
        assert_eq!(out.status.code(), Some(0), "{name}: {args:?}\n{}", describe(&out));
    }
    let status = run(&dir, &["status"]);
    assert_eq!(status.status.code(), Some(0), "{name}: status\n{}", describe(&status));
    let out = run(&dir, &["update-docs"]);
    assert_eq!(out.status.code(), Some(0), "{name}: update-docs\n{}", describe(&out));
    let diff =
        std::process::Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().unwrap();
    assert!(diff.stdout.is_empty(), "{name}: update-docs rewrote {}", text(&diff.stdout));
    let program = imported(&dir);
    Adopted { dir, import, status, program }
}

/// The program import wrote in `dir`.
fn imported(dir: &Path) -> Program {
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    closeout::config::parse(&toml, Path::new("closeout.toml"), dir, &|p| dir.join(p).exists()).unwrap()
}

fn both(name: &str) -> Adopted {
    adopt(name, &[("plan.md", "plan.md"), ("progress.md", "progress.md")])
}

fn waived(a: &Adopted, rule: &str) -> Vec<String> {
    a.program.waivers.iter().filter(|w| w.rule == rule).map(|w| w.subject.clone()).collect()
}

fn packet<'a>(a: &'a Adopted, id: &str) -> &'a closeout::model::Packet {
    a.program
        .packets
        .iter()
        .find(|p| p.id == id)
        .unwrap_or_else(|| panic!("no packet {id}: {:?}", a.program.packets))
}

#[test]
fn r01_a_board_in_its_own_words_is_wrapped() {
    let a = both("1-board-never-wrapped");
    assert!(text(&a.import.stdout).contains("wrapped as `packet-board`"), "{}", describe(&a.import));
    let progress = std::fs::read_to_string(a.dir.join("docs/architecture/progress.md")).unwrap();
    assert!(progress.contains("<!-- closeout:begin packet-board -->"), "{progress}");
    assert!(progress.contains("See Packet 00 Review Evidence |"), "the board's own words stay: {progress}");
    // What the data words differently is kept per item, and the report says so.
    assert!(
        text(&a.import.stdout).contains("cell(s) kept as written in the items' own `columns`"),
        "{}",
        describe(&a.import)
    );
    assert_eq!(
        packet(&a, "00").columns,
        [("Evidence Link".to_string(), "See Packet 00 Review Evidence".to_string())]
    );
}

#[test]
fn r02_update_docs_after_a_fresh_import_writes_nothing() {
    // adopt() checks that update-docs changes nothing and that --strict passes.
    let a = both("2-update-docs-rewrites-fresh-import");
    assert!(text(&a.import.stdout).contains("wrapped as `packet-board`"), "{}", describe(&a.import));
}

#[test]
fn r03_a_tracker_alone_imports_its_packets() {
    let a = adopt("3-progress-only-imports-nothing", &[("progress.md", "progress.md")]);
    assert_eq!(packet(&a, "00").status, PacketStatus::Done);
    assert_eq!(packet(&a, "01").status, PacketStatus::Todo);
    assert_eq!(waived(&a, "done-open-box"), ["00"]);
}

#[test]
fn r04_a_packet_progress_table_is_a_board() {
    let a = both("4-packet-progress-table-ignored");
    assert_eq!(packet(&a, "HOP-00").status, PacketStatus::Done);
    assert_eq!(packet(&a, "HOP-00").commit.as_deref(), Some("dfb74f99"));
    assert_eq!(packet(&a, "HOP-01").commit.as_deref(), Some("0f62162f"));
}

#[test]
fn r05_packets_under_h2_and_h4_headings() {
    let a = both("5-packet-heading-level");
    assert_eq!(a.program.packets.len(), 2, "{:?}", a.program.packets);
    for p in &a.program.packets {
        assert_eq!((p.status, p.review), (PacketStatus::Done, ReviewState::Approved), "{}", p.id);
    }
    // `## Packet RC-00:` at h2 (this plan's board is not its own, so the plan alone).
    let a = adopt("5-packet-heading-level", &[("plan-h2.md", "plan.md")]);
    assert_eq!(a.program.packets.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["RC-00"]);
}

#[test]
fn r06_a_packet_only_the_board_names_is_imported() {
    let a = both("6-board-only-packet-dropped");
    assert_eq!(a.program.packets.len(), 2);
    assert_eq!(packet(&a, "01").status, PacketStatus::Done);
    assert!(text(&a.status.stdout).contains("2/2 packets DONE"), "{}", describe(&a.status));
}

#[test]
fn r08_checkpoint_commits_from_sections_and_lists() {
    for progress in ["progress.md", "progress-list.md"] {
        let a = adopt(
            "8-checkpoint-commit-section-ignored",
            &[("plan.md", "plan.md"), (progress, "progress.md")],
        );
        assert_eq!(packet(&a, "00").commit.as_deref(), Some("abf0b994"), "{progress}");
        assert!(waived(&a, "done-commit").is_empty(), "{progress}: {:?}", a.program.waivers);
    }
}

#[test]
fn r09_evidence_under_a_bare_review_evidence_heading() {
    let a = both("9-bare-review-evidence-heading");
    assert!(waived(&a, "done-missing-exit-code").is_empty(), "{:?}", a.program.waivers);
    assert_eq!(packet(&a, "01").commit.as_deref(), Some("312d24ad"));
}

#[test]
fn r10_template_placeholders_are_not_values() {
    let a = both("10-template-placeholders-imported");
    let p = packet(&a, "03");
    assert_eq!(p.commit, None);
    assert!(p.residual_risk.is_empty() && p.rollback.is_empty() && p.files.is_empty(), "{p:?}");
    assert!(a.program.waivers.is_empty(), "{:?}", a.program.waivers);
    assert!(!text(&a.status.stdout).contains("<hash>"), "{}", describe(&a.status));
}

#[test]
fn r11_risk_registers_in_other_layouts() {
    for plan in ["plan.md", "plan-4col.md"] {
        let a = adopt("11-risk-register-dropped", &[(plan, "plan.md")]);
        assert_eq!(a.program.risks.len(), 2, "{plan}: {:?}", a.program.risks);
        let severities: Vec<String> =
            a.program.risks.iter().map(|r| r.severity.map(|s| s.to_string()).unwrap_or_default()).collect();
        assert_eq!(severities, ["HIGH", "MEDIUM"], "{plan}");
        assert!(a.program.risks.iter().all(|r| !r.packets.is_empty()), "{plan}: {:?}", a.program.risks);
    }
}

#[test]
fn r12_conditional_commands_are_gates_with_when() {
    let a = adopt("12-gates-heading-and-conditionals", &[("plan.md", "plan.md")]);
    let unconditional: Vec<&str> =
        a.program.gates.iter().filter(|g| g.when.is_none()).map(|g| g.run.as_str()).collect();
    assert_eq!(unconditional, ["go build ./..."]);
    let conditional: Vec<&str> = a.program.gates.iter().filter_map(|g| g.when.as_deref()).collect();
    assert_eq!(conditional, ["When API handlers are touched, additionally run"]);
}

#[test]
fn r13_board_statuses_keep_their_words() {
    let a = both("13-board-status-vocabulary-silently-dropped");
    let board = std::fs::read_to_string(a.dir.join("docs/architecture/progress.md")).unwrap();
    assert!(board.contains("PENDING") && board.contains("IN_REVIEW") && board.contains('—'), "{board}");
    assert!(a.program.packets.iter().any(|p| p.review == ReviewState::InReview), "{:?}", a.program.packets);
    assert!(text(&a.status.stdout).contains("IN_REVIEW"), "{}", describe(&a.status));
}

#[test]
fn r14_the_verdict_never_claims_drifted_regions_in_sync() {
    let a = both("14-verdict-claims-regions-in-sync");
    // Hand-edit the wrapped board: verify-docs fails, and the verdict must not say in sync.
    let path = a.dir.join("docs/architecture/progress.md");
    let board = std::fs::read_to_string(&path).unwrap();
    let begin = board.find("<!-- closeout:begin packet-board -->").expect("board wrapped");
    let edited = format!("{}{}", &board[..begin], board[begin..].replacen("| TODO |", "| BLOCKED |", 1));
    assert_ne!(edited, board);
    std::fs::write(&path, edited).unwrap();
    let verify = run(&a.dir, &["verify-docs"]);
    assert_eq!(verify.status.code(), Some(1), "{}", describe(&verify));
    let verdict = run(&a.dir, &["verdict"]);
    assert!(!text(&verdict.stdout).contains("in sync"), "{}", describe(&verdict));
}

#[test]
fn r15_the_board_title_is_kept_as_written() {
    let a = both("15-plan-title-overrides-board");
    assert!(text(&a.import.stdout).contains("wrapped as `packet-board`"), "{}", describe(&a.import));
    assert!(text(&a.status.stdout).contains("Web UI Pairing Source"), "{}", describe(&a.status));
}

#[test]
fn r17_packet_cells_in_every_form() {
    let a = adopt("17-risk-packet-cell-forms", &[("plan.md", "plan.md")]);
    let packets: Vec<Vec<String>> = a.program.risks.iter().map(|r| r.packets.clone()).collect();
    assert_eq!(packets, [vec!["01".to_string()], vec!["01".to_string(), "02".to_string()]]);
    assert!(text(&a.import.stdout).contains("wrapped as `risks`"), "{}", describe(&a.import));
}

#[test]
fn r18_tests_listed_under_tests() {
    let a = both("18-tests-label-not-recognised");
    assert!(!packet(&a, "03").tests.is_empty(), "{:?}", packet(&a, "03"));
    assert_eq!(waived(&a, "done-missing-exit-code"), ["03"]);
}

/// After adoption the data is the source of truth: an edit of closeout.toml reaches the
/// doc even where the doc used its own words, and the row is rewritten in those words.
#[test]
fn an_edit_of_the_data_reaches_a_board_in_its_own_words() {
    let dir = scratch("repro-own-words-edit");
    std::fs::write(
        dir.join("progress.md"),
        "# Orbit Progress\n\n## Work Items\n\n| ID | Name | State | Owner | Review | Commit |\n|---|---|---|---|---|---|\n| ORB-01 | Inventory | Done | Ana | Approved | `abc1234` |\n| ORB-02 | Config model | In Progress | Ana | — | — |\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "docs");
    let out = run(&dir, &["import", "progress.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    commit(&dir, "adopt");
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    let at = toml.find("id = \"ORB-02\"").unwrap();
    let edited =
        format!("{}{}", &toml[..at], toml[at..].replacen("status = \"IN_PROGRESS\"", "status = \"DONE\"", 1));
    assert_ne!(edited, toml, "{toml}");
    std::fs::write(dir.join("closeout.toml"), edited).unwrap();
    let out = run(&dir, &["verify-docs"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(text(&out.stdout).contains("ORB-02"), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let doc = std::fs::read_to_string(dir.join("progress.md")).unwrap();
    assert!(doc.contains("| ORB-02 | Config model | Done | Ana | — | — |"), "{doc}");
    assert!(
        doc.contains("| ORB-01 | Inventory | Done | Ana | Approved | `abc1234` |"),
        "untouched row kept: {doc}"
    );
}

/// Rows of a board that name no packet, and a packet's second row, are listed (exit 1),
/// never merged or dropped under an "everything mapped" summary.
#[test]
fn board_rows_that_are_no_packets_are_reported() {
    let dir = scratch("repro-board-odd-rows");
    std::fs::write(
        dir.join("progress.md"),
        "# Hydra Progress\n\n## Packet Board\n\n| Packet | Title | Status | Review |\n|---|---|---|---|\n| HY-01 | Auth | DONE | APPROVED |\n| HY-01 | Auth (duplicate row) | TODO | — |\n|  | Unnumbered stretch goal | TODO | — |\n| **Total** | 1 packet | 1 DONE | |\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let out = run(&dir, &["import", "progress.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let report = text(&out.stdout);
    assert!(
        report.contains("progress.md:8: board row for packet `HY-01`: the packet has a row above"),
        "{report}"
    );
    assert!(
        report.contains(
            "progress.md:9: board row `|  | Unnumbered stretch goal | TODO | — |`: the row has no packet id"
        ),
        "{report}"
    );
    assert!(report.contains("progress.md:10: board row `| **Total** | 1 packet | 1 DONE |  |`: `**Total**` is not a packet id"), "{report}");
    assert!(report.contains("3 thing(s) recognised but not imported"), "{report}");
    let program = imported(&dir);
    let p = &program.packets[0];
    assert_eq!((p.title.as_str(), p.status), ("Auth", PacketStatus::Done), "the first row stands");
}

/// `import TRACKER PLAN` reads them by what they hold, and says so.
#[test]
fn the_documents_say_which_is_the_plan() {
    let src = fixtures().join("repros/adoption/4-packet-progress-table-ignored");
    let dir = scratch("repro-swapped");
    std::fs::copy(src.join("plan.md"), dir.join("plan.md")).unwrap();
    std::fs::copy(src.join("progress.md"), dir.join("progress.md")).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let out = run(&dir, &["import", "progress.md", "plan.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        text(&out.stdout).contains("reading plan.md as the plan and progress.md as the tracker"),
        "{}",
        describe(&out)
    );
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.contains("docs = [\"plan.md\", \"progress.md\"]"), "{toml}");
    assert!(toml.contains("commit = \"dfb74f99\""), "{toml}");
}

/// A tracker argument that holds no tracker (a runbook) is refused: exit 2, nothing written.
#[test]
fn a_runbook_given_as_the_tracker_is_refused() {
    let src = fixtures().join("repros/adoption/12-gates-heading-and-conditionals");
    let dir = scratch("repro-runbook-tracker");
    std::fs::copy(src.join("plan.md"), dir.join("plan.md")).unwrap();
    std::fs::write(dir.join("runbook.md"), "# Runbook\n\n## Rollback\n\n1. Flip the flag.\n2. Restart.\n")
        .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let out = run(&dir, &["import", "plan.md", "runbook.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(text(&out.stderr).contains("runbook.md holds no tracker structure"), "{}", describe(&out));
    assert!(!dir.join("closeout.toml").exists());
}

/// A board inside a list item is wrapped inside the item, and a changed row keeps the
/// item's indentation.
#[test]
fn a_board_inside_a_list_item_stays_inside_it() {
    let dir = scratch("repro-board-in-list");
    std::fs::write(
        dir.join("progress.md"),
        "# P\n\n## Packet Board\n\n1. Board:\n\n   | Packet | Title | Status |\n   |---|---|---|\n   | AB-01 | One | DONE |\n   | AB-02 | Two | TODO |\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let out = run(&dir, &["import", "progress.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let doc = std::fs::read_to_string(dir.join("progress.md")).unwrap();
    assert!(doc.contains("\n   <!-- closeout:begin packet-board -->\n"), "{doc}");
    assert!(doc.contains("\n   <!-- closeout:end packet-board -->\n"), "{doc}");
    commit(&dir, "adopt");
    let out = run(&dir, &["verify-docs", "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    let toml = toml.replacen(
        "id = \"AB-02\"\ntitle = \"Two\"\n",
        "id = \"AB-02\"\ntitle = \"Two\"\nstatus = \"DONE\"\n",
        1,
    );
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let out = run(&dir, &["update-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let doc = std::fs::read_to_string(dir.join("progress.md")).unwrap();
    assert!(doc.contains("\n   | AB-02 | Two | DONE |\n"), "{doc}");
}

/// The board's order is the program's order (the plan may define packets in another).
#[test]
fn packets_come_in_the_boards_order() {
    let dir = scratch("repro-board-order");
    std::fs::write(
        dir.join("plan.md"),
        "# P Plan\n\n## Packets\n\n### SEC-02: Two\n\n### SEC-01: One\n\n### SEC-03: Three\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("progress.md"),
        "# P\n\n## Packet Board\n\n| Packet | Title | Status |\n|---|---|---|\n| SEC-01 | One | DONE |\n| SEC-02 | Two | TODO |\n| SEC-03 | Three | TODO |\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let out = run(&dir, &["import", "plan.md", "progress.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let program = imported(&dir);
    let ids: Vec<&str> = program.packets.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["SEC-01", "SEC-02", "SEC-03"]);
}

/// Packet ids written after the title, or numbered within a phase.
#[test]
fn packet_ids_after_the_title_and_dotted_ids() {
    let dir = scratch("repro-id-forms");
    std::fs::write(
        dir.join("plan.md"),
        "# P Plan\n\n## Packets\n\n### Token rotation (PH-04)\n\nScope:\n- `a/b.go`\n\n### Storage cleanup — PH-05\n\n## Phase A\n\n#### Packet 1.1: Inventory\n\n## Appendix (v2)\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    let out = run(&dir, &["import", "plan.md"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let program = imported(&dir);
    let ids: Vec<(&str, &str)> = program.packets.iter().map(|p| (p.id.as_str(), p.title.as_str())).collect();
    assert_eq!(ids, [("PH-04", "Token rotation"), ("PH-05", "Storage cleanup"), ("1.1", "Inventory")]);
}
