//! The consistency rules on the real Pulse documents (read from ../shared/corpus/pulse,
//! never copied): they find the contradictions the documents are known to hold, and raise
//! no alarm on what is consistent. Skips with a printed reason when the corpus is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use closeout::docs::generate::Evidence;
use closeout::docs::rules::{self, Doc, Finding, Oracle};
use closeout::model::Program;

use crate::support::fixtures;

pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pulse");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent (the shared corpus is not beside this checkout)", dir.display());
        None
    }
}

pub fn pulse_program() -> Program {
    let text = std::fs::read_to_string(fixtures().join("pulse/closeout.toml")).unwrap();
    closeout::config::parse(&text, Path::new("closeout.toml"), Path::new("/pulse"), &|_| true)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The commits the tracker records, as the Pulse repository would answer for them.
const KNOWN_COMMITS: &[&str] = &[
    "f4427540", "2e910f97", "d4d460d5", "275caa46", "9e459912", "0c0bc774", "6f3ba74f", "08f647bf",
    "1e535213",
];

fn findings(corpus: &Path, plan: &str, progress: &str) -> Vec<Finding> {
    let program = pulse_program();
    let plan_text = std::fs::read_to_string(corpus.join(plan)).unwrap();
    let progress_text = std::fs::read_to_string(corpus.join(progress)).unwrap();
    let docs = [Doc { path: "plan.md", text: &plan_text }, Doc { path: "progress.md", text: &progress_text }];
    let packets = BTreeMap::new();
    let evidence = Evidence::new(None, &packets);
    let commit_exists = |c: &str| Some(KNOWN_COMMITS.contains(&c));
    // The Pulse source tree is not here; every path counts as present so that only
    // document-level contradictions are asserted.
    let path_exists = |_: &str| true;
    let oracle = Oracle { commit_exists: &commit_exists, path_exists: &path_exists };
    rules::check(&program, "closeout.toml", &docs, evidence, &oracle).findings
}

fn subjects(findings: &[Finding], rule: &str) -> Vec<String> {
    let mut out: Vec<String> =
        findings.iter().filter(|f| f.rule == rule).map(|f| f.subject.clone()).collect();
    out.dedup();
    out
}

#[test]
fn finds_the_known_contradictions_in_the_newest_pulse_documents() {
    let Some(corpus) = corpus() else { return };
    let found = findings(
        &corpus,
        "program-closeout-certification-plan-2026-02.md",
        "program-closeout-certification-progress-2026-02.md",
    );
    // Boards say DONE over unchecked boxes: packets 02, 03, 04, 06, 07 and 08.
    assert_eq!(subjects(&found, "done-open-box"), ["02", "03", "04", "06", "07", "08"], "{found:#?}");
    // The evidence-completeness table still says `(this commit)` for packet 08.
    let placeholders: Vec<&Finding> = found.iter().filter(|f| f.rule == "placeholder").collect();
    assert_eq!(placeholders.len(), 1, "{placeholders:#?}");
    assert_eq!(placeholders[0].file, "plan.md");
    let plan =
        std::fs::read_to_string(corpus.join("program-closeout-certification-plan-2026-02.md")).unwrap();
    assert!(plan
        .lines()
        .nth(placeholders[0].line - 1)
        .unwrap()
        .starts_with("| 08 | DONE | APPROVED | (this commit)"));
    // Traceability says DL-002 covers deferred work, but its track is DRIFT_ACCEPTED.
    assert_eq!(subjects(&found, "coverage-mismatch"), ["DL-002"]);
    // A required test whose box is still open is done-open-box's finding, not a second
    // one for its missing exit code (as the pulse-family answer keys count them): packet
    // 03's monitoring replay ("BUILD FAILED", progress.md:198) and packet 08's `go test
    // ./...` and `vitest run` ("partial", progress.md:442, :444) are open boxes; 08's tsc
    // box records "passed (exit 0)" (progress.md:443). So no done-missing-exit-code.
    assert_eq!(subjects(&found, "done-missing-exit-code"), Vec::<String>::new(), "{found:#?}");
    // No false alarms: every DONE packet has its real hash, every open debt item its
    // owner, milestone and severity, every deferred track and residual risk a debt item.
    for quiet in [
        "done-commit",
        "done-not-approved",
        "debt-incomplete",
        "deferred-uncovered",
        "residual-risk-uncovered",
    ] {
        assert_eq!(subjects(&found, quiet), Vec::<String>::new(), "{quiet}: {found:#?}");
    }
}
