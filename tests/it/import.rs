//! `closeout import` on every version of the Pulse plan and tracker (read from
//! ../shared/corpus/pulse, copied only into scratch folders): import, no content drift,
//! update-docs and a clean verify, every table cell accounted for; the consistency rules
//! on the imported documents; status, verdict and the no-overwrite rule.

use std::path::{Path, PathBuf};

use crate::conformance::corpus;
use crate::support::{closeout, commit, describe, git, scratch, text};

/// Plan and tracker versions that belong together (by checkpoint), then the newest pair.
const PAIRS: &[(&str, &str)] = &[
    ("history/plan/01-d4d460d5.md", "history/progress/01-2e910f97.md"),
    ("history/plan/01-d4d460d5.md", "history/progress/02-d4d460d5.md"),
    ("history/plan/01-d4d460d5.md", "history/progress/03-275caa46.md"),
    ("history/plan/02-9e459912.md", "history/progress/04-9e459912.md"),
    ("history/plan/03-08f647bf.md", "history/progress/05-08f647bf.md"),
    ("history/plan/04-1e535213.md", "history/progress/06-1e535213.md"),
    ("history/plan/05-3dc026a4.md", "history/progress/07-3dc026a4.md"),
    ("program-closeout-certification-plan-2026-02.md", "program-closeout-certification-progress-2026-02.md"),
];

/// A scratch git repository holding copies of one plan and tracker under docs/.
fn adopt(corpus: &Path, name: &str, plan: &str, progress: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::copy(corpus.join(plan), dir.join("docs/plan.md")).unwrap();
    std::fs::copy(corpus.join(progress), dir.join("docs/progress.md")).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    dir
}

/// The newest plan and tracker, imported into a scratch repository with `extra` flags.
fn import_newest(corpus: &Path, name: &str, extra: &[&str]) -> (PathBuf, String) {
    let (plan, progress) = PAIRS[PAIRS.len() - 1];
    let dir = adopt(corpus, name, plan, progress);
    let out = closeout()
        .args(["import", "docs/plan.md", "docs/progress.md"])
        .args(extra)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    if !extra.contains(&"--dry-run") {
        crate::support::assert_schema_accepts(&dir);
    }
    (dir, text(&out.stdout))
}

fn verify_json(dir: &Path) -> serde_json::Value {
    let out = closeout().args(["verify-docs", "--format", "json"]).current_dir(dir).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", describe(&out)))
}

fn states(report: &serde_json::Value) -> Vec<String> {
    report["regions"].as_array().unwrap().iter().map(|r| r["state"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_corpus_version_round_trips() {
    let Some(corpus) = corpus() else { return };
    for (n, (plan, progress)) in PAIRS.iter().enumerate() {
        let dir = adopt(&corpus, &format!("import-{n}"), plan, progress);
        let out = closeout()
            .args(["import", "docs/plan.md", "docs/progress.md"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{plan} + {progress}\n{}", describe(&out));
        crate::support::assert_schema_accepts(&dir);
        let report = text(&out.stdout);

        // 1. Every cell is accounted for: mapped or kept as written, nothing dropped.
        assert!(
            report.contains("table cells read, every one mapped into the data or kept as written"),
            "{plan}\n{report}"
        );
        assert!(report.contains("wrapped as `packet-board`"), "{plan}\n{report}");

        // 2. Right after import: no content drift (formatting-only is allowed).
        let first = verify_json(&dir);
        let drift: Vec<String> =
            states(&first).into_iter().filter(|s| s != "InSync" && s != "FormattingOnly").collect();
        assert!(drift.is_empty(), "{plan}: {first:#}");
        assert!(!states(&first).is_empty());
        // verify-docs passes: findings already in the docs were waived, each one listed.
        assert_eq!(first["status"], "in_sync", "{plan}: {first:#}");
        let waived = first["waived"].as_array().unwrap().len();
        let waivers =
            std::fs::read_to_string(dir.join("closeout.toml")).unwrap().matches("\n[[waiver]]\n").count();
        assert!(waived >= waivers && waivers > 0, "{plan}: {waived} waived, {waivers} waivers");
        assert!(first["unused_waivers"].as_array().unwrap().is_empty(), "{plan}: {first:#}");

        // 3. update-docs normalises; verify is clean.
        let out = closeout().arg("update-docs").current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{}", describe(&out));
        assert!(states(&verify_json(&dir)).iter().all(|s| s == "InSync"), "{plan}");

        // 4. The imported program lists the board's packets with their statuses.
        let status = closeout().arg("status").current_dir(&dir).output().unwrap();
        let board = text(&status.stdout);
        let tracker = std::fs::read_to_string(dir.join("docs/progress.md")).unwrap();
        for row in tracker.lines().filter(|l| l.starts_with("| 0")) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let line = board
                .lines()
                .find(|l| l.trim_start().starts_with(cells[1]))
                .unwrap_or_else(|| panic!("{board}"));
            assert!(line.contains(cells[3]) && line.contains(cells[6]), "{plan}: `{row}` vs `{line}`");
        }
    }
}

#[test]
fn rules_on_the_imported_newest_documents_find_the_known_contradictions() {
    let Some(corpus) = corpus() else { return };
    let (dir, import_report) = import_newest(&corpus, "import-rules", &[]);

    // verify-docs passes: what the docs already contradict is waived, not hidden.
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", describe(&verify));
    let report = verify_json(&dir);
    assert_eq!(report["status"], "in_sync", "{report:#}");
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report:#}");
    let waived = report["waived"].as_array().unwrap();
    let subjects = |rule: &str| -> Vec<String> {
        let mut s: Vec<String> = Vec::new();
        for f in waived.iter().filter(|f| f["rule"] == rule) {
            let subject = f["subject"].as_str().unwrap().to_string();
            if !s.contains(&subject) {
                s.push(subject);
            }
            assert_eq!(f["reason"], closeout::import::WAIVER_REASON);
        }
        s
    };
    assert_eq!(subjects("done-open-box"), ["02", "03", "04", "06", "07", "08"]);
    assert_eq!(subjects("placeholder"), ["docs/plan.md#packet-evidence-completeness"]);
    assert_eq!(subjects("coverage-mismatch"), ["DL-002"]);
    assert!(import_report.contains("  done-open-box (8): 02, 03, 04, 06, 07, 08\n"), "{import_report}");
    assert!(import_report.contains("  coverage-mismatch (1): DL-002\n"), "{import_report}");
    // The 12 ledger rows come in whole: no open item lacks an owner, milestone or severity.
    assert_eq!(subjects("debt-incomplete"), Vec::<String>::new());
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert_eq!(toml.lines().filter(|l| *l == "[[debt]]").count(), 12);
    // The completeness table's hashes match the tracker's commits: one placeholder only.
    for hash in
        ["f4427540", "2e910f97", "d4d460d5", "275caa46", "9e459912", "0c0bc774", "6f3ba74f", "08f647bf"]
    {
        assert!(toml.contains(&format!("commit = \"{hash}\"")), "{hash}");
    }
    // Each waiver quotes the finding it accepts.
    assert!(toml.contains("# docs/plan.md:"), "{toml}");
    assert!(toml.contains("[[waiver]]\nrule = \"coverage-mismatch\"\nsubject = \"DL-002\"\n"), "{toml}");

    // A new contradiction fails verify-docs at once: packet 01's DONE checklist gains an open box.
    let tracker = std::fs::read_to_string(dir.join("docs/progress.md")).unwrap();
    let at = tracker.find("## Packet 01 Checklist").expect("packet 01 checklist");
    let end = at + tracker[at..].find("\n\n").unwrap() + 1;
    let broken = format!("{}\n- [ ] A box left open after import.\n{}", &tracker[..end], &tracker[end..]);
    std::fs::write(dir.join("docs/progress.md"), &broken).unwrap();
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(1), "{}", describe(&verify));
    assert!(
        text(&verify.stdout).contains("[done-open-box] packet 01 is DONE but its checklist has an open box: `- [ ] A box left open after import.`"),
        "{}",
        describe(&verify)
    );

    // Fixing what a waiver accepted (the plan's placeholder; the new box is gone again)
    // makes the waiver unused: named, and failing with --strict.
    std::fs::write(dir.join("docs/progress.md"), &tracker).unwrap();
    let plan_text = std::fs::read_to_string(dir.join("docs/plan.md")).unwrap();
    std::fs::write(dir.join("docs/plan.md"), plan_text.replace("(this commit)", "1e535213")).unwrap();
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", describe(&verify));
    assert!(
        text(&verify.stdout).contains("[[waiver]] rule = \"placeholder\" subject = \"docs/plan.md#packet-evidence-completeness\" accepts no finding any more; delete it from closeout.toml"),
        "{}",
        describe(&verify)
    );
    let strict = closeout().args(["verify-docs", "--strict"]).current_dir(&dir).output().unwrap();
    assert_eq!(strict.status.code(), Some(1), "{}", describe(&strict));

    // The verdict cannot be reproduced without evidence, and says which is missing.
    assert!(import_report.contains("the plan states the verdict GO"), "{import_report}");
    let verdict = closeout().arg("verdict").current_dir(&dir).output().unwrap();
    assert_eq!(verdict.status.code(), Some(1));
    assert!(
        text(&verdict.stdout).contains("no baseline evidence: .closeout/latest.json is missing"),
        "{}",
        describe(&verdict)
    );
}

#[test]
fn with_no_waivers_the_findings_stay_failing() {
    let Some(corpus) = corpus() else { return };
    let (dir, report) = import_newest(&corpus, "import-no-waivers", &["--no-waivers"]);
    assert!(report.contains("not waived (--no-waivers)"), "{report}");
    assert!(!std::fs::read_to_string(dir.join("closeout.toml")).unwrap().contains("[[waiver]]"));
    let verify = closeout().arg("verify-docs").current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(1), "{}", describe(&verify));
    let report = verify_json(&dir);
    let open_boxes =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "done-open-box").count();
    assert_eq!(open_boxes, 8, "{report:#}");
    assert_eq!(report["waived"].as_array().unwrap().len(), 0);
}

#[test]
fn dry_run_writes_nothing_and_an_existing_program_is_kept() {
    let Some(corpus) = corpus() else { return };
    let (plan, progress) = PAIRS[0];
    let dir = adopt(&corpus, "import-dry", plan, progress);
    let before = std::fs::read(dir.join("docs/plan.md")).unwrap();
    let out = closeout()
        .args(["import", "docs/plan.md", "docs/progress.md", "--dry-run"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout)
        .contains("--- closeout.toml (dry run: nothing written)\n#:schema ./.closeout/closeout.schema.json\n# Imported by `closeout import`"));
    assert!(!dir.join("closeout.toml").exists());
    assert_eq!(std::fs::read(dir.join("docs/plan.md")).unwrap(), before);

    std::fs::write(dir.join("closeout.toml"), "# mine\n").unwrap();
    let out = closeout().args(["import", "docs/plan.md"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("closeout.toml already exists; pass --force"), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(dir.join("closeout.toml")).unwrap(), "# mine\n");
    assert_eq!(std::fs::read(dir.join("docs/plan.md")).unwrap(), before);
}

#[test]
fn variants_import_and_what_cannot_be_mapped_is_reported() {
    let dir = scratch("import-variants");
    std::fs::write(
        dir.join("plan.md"),
        "# Widget Certification Plan\n\n## Global Validation Baseline\n\n1. `cargo build`\n2. `cargo test -p a|b`\n\n## Execution Packets\n\n### DOC-01: Docs pass\n\nScope:\n- `docs/**`\n- somewhere in the repo\n\nRequired tests:\n1. `cargo build`\n\n## Risks\n\n|Risk ID|Severity|Mitigation|Owner|\n|---|---|---|---|\n|R-1|high|watch it|Ops|\n\n## Ledger\n\n| ID | Description | Severity | Owner | Milestone | Source |\n| --- | --- | --- | --- | --- | --- |\n| DL-1 | ~~Old text~~ RESOLVED — fixed | ~~LOW~~ CLOSED | Ops | ~~Next~~ Done | |\n| DL-2 | Open `a\\|b` item | MEDIUM |  | Next | Packet DOC-01 evidence |\n",
    )
    .unwrap();
    let out = closeout().args(["import", "plan.md"]).current_dir(&dir).output().unwrap();
    // The risk row has no description: it is quoted, listed, and import exits 1.
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let report = text(&out.stdout);
    assert!(report.contains("risk cell `R-1` (row `R-1` not imported): no description"), "{report}");
    assert!(report.contains("not wrapped as `risks`: row `r-1` names no item of the data"), "{report}");
    // The summary never claims everything was mapped when something was not.
    let not_imported = report.lines().filter(|l| l.contains(" cell `")).count();
    assert!(
        report.contains(&format!("table cells read; {not_imported} thing(s) recognised but not imported")),
        "{report}"
    );
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.contains("name = \"Widget Certification\""), "{toml}");
    assert!(
        toml.contains("id = \"cargo-build\"\nrun = \"cargo build\"")
            && toml.contains("id = \"cargo-test\"\nrun = \"cargo test -p a|b\""),
        "{toml}"
    );
    assert!(toml.contains("id = \"DOC-01\"") && toml.contains("tests = [\n  \"cargo-build\",\n]"), "{toml}");
    // Prose in a scope list is kept as a comment on its packet.
    assert!(
        toml.contains("plan.md:14: scope item `somewhere in the repo` names no path in backticks"),
        "{toml}"
    );
    // A row that cannot be an entry is quoted, not invented.
    assert!(toml.contains("# closeout import: could not parse this risk (line 23): no description\n# | R-1 | high | watch it | Ops |"), "{toml}");
    assert!(!toml.contains("[[risk]]"), "{toml}");
    assert!(toml.contains("description = \"Old text\"\nseverity = \"LOW\"\nowner = \"Ops\"\nmilestone = \"Next\"\nstatus = \"resolved\"\nresolution = \"fixed\""), "{toml}");
    assert!(toml.contains("description = \"Open `a|b` item\""), "{toml}");
    assert!(toml.contains("covers = [\"packet:DOC-01\"]"), "{toml}");
}

#[test]
fn evidence_in_an_unlabelled_fence_and_packet_ids_with_prefixes() {
    let dir = scratch("import-fenced");
    std::fs::write(
        dir.join("plan.md"),
        "# Ops Plan\n\n## Global Validation Baseline\n\n1. `make check`\n\n## Execution Packets\n\n### HOP-01: Handover\n\nScope:\n- `ops/**`\n\nRequired tests:\n1. `make check`\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("progress.md"),
        "# Progress\n\n## Packet Board\n\n| Packet | Title | Status | Implementer | Reviewer | Review State | Evidence Link |\n|---|---|---|---|---|---|---|\n| Packet HOP-01 | Handover | DONE | Ann | Bo | APPROVED | See Packet HOP-01 Review Evidence below |\n\n## Packet HOP-01 Checklist: Handover\n\n- [x] Runbook read.\n- [ ] Pager rotation set.\n\n### Packet HOP-01 Review Evidence\n\n```\nFiles changed:\n- `ops/runbook.md`: handover notes\n\nCommit:\n- `abc1234` (docs: handover)\n\nResidual risk:\n- None.\n\nRollback:\n- Revert the commit.\n```\n",
    )
    .unwrap();
    let out = closeout().args(["import", "plan.md", "progress.md"]).current_dir(&dir).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    for expected in [
        "id = \"HOP-01\"\ntitle = \"Handover\"\nstatus = \"DONE\"\nreview = \"APPROVED\"\nimplementer = \"Ann\"\nreviewer = \"Bo\"",
        "tests = [\n  \"make-check\",\n]",
        "commit = \"abc1234\"",
        "residual_risk = [\n  \"None.\",\n]",
        "rollback = [\n  \"Revert the commit.\",\n]",
        "checklist = [\n  \"[x] Runbook read.\",\n  \"[ ] Pager rotation set.\",\n]",
        "{ path = \"ops/runbook.md\", reason = \"handover notes\" }",
    ] {
        assert!(toml.contains(expected), "missing {expected:?}\n{toml}");
    }
    // Sections follow the source: gates, packets, then the rest.
    assert!(toml.find("[[gate]]").unwrap() < toml.find("[[packet]]").unwrap());
    // `Packet HOP-01` in the board is the packet HOP-01: the board keeps its words and wraps.
    assert!(text(&out.stdout).contains("progress.md:5-7: wrapped as `packet-board`"), "{}", describe(&out));
}

#[test]
fn a_risk_mapped_to_an_unknown_packet_is_reported_not_dropped() {
    let dir = scratch("import-risk-packets");
    std::fs::write(
        dir.join("plan.md"),
        "# P\n\n## Execution Packets\n\n### Packet 01: One\n\n## Risks\n\n| Risk ID | Description | Severity | Mapped Packet | Mitigation |\n| --- | --- | --- | --- | --- |\n| R-1 | d | LOW | 01, 09 | m |\n",
    )
    .unwrap();
    let out = closeout().args(["import", "plan.md"]).current_dir(&dir).output().unwrap();
    // Something recognised was not mapped: listed, written anyway, exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let report = text(&out.stdout);
    assert!(
        report.contains("plan.md:11: risk cell `01, 09` (column packets): 09 name no packet of the plan"),
        "{report}"
    );
    assert!(report.contains("5 table cells read; 1 thing(s) recognised but not imported"), "{report}");
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.contains("packets = [\"01\"]"), "{toml}");
}

/// Appendix C names test files that no longer exist; Appendix E's normalization notes say
/// where three of them went. Import turns the notes into `[paths] moved`, so in a tree
/// that has the new files the old names are accepted, and a missing new file is named.
#[test]
fn normalization_notes_become_moved_paths() {
    let Some(corpus) = corpus() else { return };
    let (dir, report) = import_newest(&corpus, "import-moved", &["--no-waivers"]);
    assert!(report.contains("  3 [paths] moved entries\n"), "{report}");
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    assert!(toml.contains("\"internal/alerts/canonical_resource_type_test.go\" = [\"internal/alerts/utility_test.go\"]  # docs/plan.md:488\n"), "{toml}");

    let moved = [
        "internal/api/tenant_scoping_test.go",
        "internal/alerts/canonical_resource_type_test.go",
        "internal/alerts/alert_migration_test.go",
    ];
    let missing = |dir: &Path| -> Vec<String> {
        verify_json(dir)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "missing-path")
            .map(|f| f["subject"].as_str().unwrap().to_string())
            .collect()
    };
    // The repository as the docs describe it: every named path but the three moved ones.
    let named = missing(&dir);
    for m in moved {
        assert!(named.iter().any(|n| n == m), "{m} not found missing: {named:?}");
    }
    for path in named.iter().filter(|p| !moved.contains(&p.as_str())) {
        let full = dir.join(path);
        if path.ends_with('/') {
            std::fs::create_dir_all(&full).unwrap();
        } else {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, "").unwrap();
        }
    }
    assert_eq!(missing(&dir), Vec::<String>::new());

    std::fs::remove_file(dir.join("internal/alerts/utility_test.go")).unwrap();
    // The docs name the new file too, so both are reported; the old one with its move.
    assert_eq!(
        missing(&dir),
        ["internal/alerts/canonical_resource_type_test.go", "internal/alerts/utility_test.go"]
    );
    let report = verify_json(&dir);
    let finding =
        report["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "missing-path").unwrap();
    assert!(
        finding["message"].as_str().unwrap().contains("is declared under [paths] moved, but its new path(s) `internal/alerts/utility_test.go` do not exist either"),
        "{finding}"
    );
}

/// A risk register the docs restate (a plan's table, an "(updated)" table below it, and
/// the tracker's), with a struck-through resolved row and a `Packet Owner` column: one
/// register, the latest table wrapped, and the docs in sync after import.
#[test]
fn a_register_restated_later_adopts_cleanly() {
    let dir = scratch("import-risk-updates");
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    let plan = "# P\n\n### Packet 01: Poller\n\n### Packet 02: CI\n\n## Risks\n\n### Residual Risks\n\n| # | Risk | Severity | Packet Owner |\n|---|---|---|---|\n| 1 | Flaky poller test | P2 | 01 |\n| 2 | Slow CI | P3 | 02 |\n\n### Residual Risks (updated)\n\n| # | Risk | Severity | Packet Owner |\n|---|---|---|---|\n| 1 | Flaky poller test (rerun green) | P2 | 01 |\n";
    let progress = "# Progress\n\n## Packet Board\n\n| Packet | Status |\n|---|---|\n| 01 | DONE |\n| 02 | TODO |\n\n## Residual Risks\n\n| # | Risk | Severity | Packet Owner |\n|---|---|---|---|\n| 1 | Flaky poller test (rerun green) | P3 | 01 |\n| ~~3~~ | ~~Old risk~~ — **RESOLVED** | ~~P2~~ | ~~02~~ |\n";
    std::fs::write(dir.join("docs/plan.md"), plan).unwrap();
    std::fs::write(dir.join("docs/progress.md"), progress).unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    commit(&dir, "init");
    let out =
        closeout().args(["import", "docs/plan.md", "docs/progress.md"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let report = text(&out.stdout);
    assert!(report.contains("docs/progress.md:12-15: wrapped as `risks`"), "{report}");
    assert!(report.contains("docs/plan.md:11-14: not wrapped as `risks`: the register's later table at docs/progress.md:12-15"), "{report}");
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    for expected in [
        "id = \"1\"\ndescription = \"Flaky poller test (rerun green)\"\nseverity = \"LOW\"\npackets = [\"01\"]\n",
        "id = \"2\"\ndescription = \"Slow CI\"\nseverity = \"LOW\"\npackets = [\"02\"]\nform = \"earlier-table\"\n",
        "id = \"3\"\ndescription = \"~~Old risk~~ — **RESOLVED**\"\nseverity = \"MEDIUM\"\npackets = [\"02\"]\n",
    ] {
        assert!(toml.contains(expected), "missing {expected:?}\n{toml}");
    }
    commit(&dir, "adopt");
    let verify = closeout().args(["verify-docs"]).current_dir(&dir).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", describe(&verify));
    let update = closeout().args(["update-docs"]).current_dir(&dir).output().unwrap();
    assert_eq!(update.status.code(), Some(0), "{}", describe(&update));
    let status =
        std::process::Command::new("git").args(["status", "--porcelain"]).current_dir(&dir).output().unwrap();
    assert_eq!(text(&status.stdout), "", "update-docs rewrote the docs");
    // The superseded table is history: still as written, outside any region.
    assert_eq!(std::fs::read_to_string(dir.join("docs/plan.md")).unwrap(), plan);
}
