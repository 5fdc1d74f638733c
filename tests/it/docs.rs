//! Golden fixture folders for `verify-docs` and `update-docs`, git-cliff style: each
//! folder under tests/fixtures/docs holds `closeout.toml`, its docs (and evidence under
//! `.closeout/` when needed), `verify.expected` (exit code and output of verify-docs),
//! `update.expected` (of update-docs) and `after/` (the docs after update-docs). One test
//! loops over them. The scratch copy is a git repository whose one commit has the fixed
//! hash `f718c9c3775d202594a8d73d0ee555ee785ac332`, so fixtures can name a real commit.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{closeout, expect_file, fixtures, scratch, text};

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, &[]);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A git repository whose only commit is `BASE_COMMIT`.
pub fn git_base(dir: &Path) {
    let run = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "closeout")
            .env("GIT_AUTHOR_EMAIL", "closeout@example.invalid")
            .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
            .env("GIT_COMMITTER_NAME", "closeout")
            .env("GIT_COMMITTER_EMAIL", "closeout@example.invalid")
            .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    run(&["init", "-q"]);
    run(&["-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "fixture base"]);
}

fn docs_in(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with(".git") && !path.ends_with("after") && !path.ends_with(".closeout") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn outcome(out: &std::process::Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        text(&out.stdout),
        text(&out.stderr)
    )
}

#[test]
fn golden_docs_fixtures() {
    let root = fixtures().join("docs");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 30, "keep at least 30 docs fixtures, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let work = scratch(&format!("docs-{name}"));
        copy_tree(case, &work, &["verify.expected", "update.expected", "after"]);
        git_base(&work);
        let docs = docs_in(&work);
        let before: Vec<Vec<u8>> = docs.iter().map(|d| std::fs::read(work.join(d)).unwrap()).collect();

        let verify = closeout().arg("verify-docs").current_dir(&work).output().unwrap();
        failures.extend(expect_file(&case.join("verify.expected"), &outcome(&verify)));
        for (doc, bytes) in docs.iter().zip(&before) {
            if &std::fs::read(work.join(doc)).unwrap() != bytes {
                failures.push(format!("{name}: verify-docs wrote to {}", doc.display()));
            }
        }

        let update = closeout().arg("update-docs").current_dir(&work).output().unwrap();
        failures.extend(expect_file(&case.join("update.expected"), &outcome(&update)));
        for doc in &docs {
            let after = case.join("after").join(doc);
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                std::fs::create_dir_all(after.parent().unwrap()).unwrap();
            }
            let actual = std::fs::read(work.join(doc)).unwrap();
            if std::env::var_os("UPDATE_EXPECT").is_some() {
                std::fs::write(&after, &actual).unwrap();
            } else if std::fs::read(&after).ok().as_ref() != Some(&actual) {
                failures.push(format!(
                    "{name}: {} after update-docs differs from after/{}",
                    doc.display(),
                    doc.display()
                ));
            }
        }
        // After a successful update, the regions are in sync: only rule findings remain.
        if update.status.success() {
            let again =
                closeout().args(["verify-docs", "--format", "json"]).current_dir(&work).output().unwrap();
            let report: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
            let drifted: Vec<&serde_json::Value> =
                report["regions"].as_array().unwrap().iter().filter(|r| r["fails"] == true).collect();
            if !drifted.is_empty() {
                failures.push(format!("{name}: regions still drift after update-docs: {drifted:?}"));
            }
            let second = closeout().arg("update-docs").current_dir(&work).output().unwrap();
            if !text(&second.stdout).contains("nothing written") {
                failures.push(format!("{name}: update-docs is not idempotent: {}", outcome(&second)));
            }
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn an_unused_waiver_warns_and_fails_with_strict() {
    let work = scratch("docs-unused-waiver-strict");
    copy_tree(
        &fixtures().join("docs/rule-waiver-unused"),
        &work,
        &["verify.expected", "update.expected", "after"],
    );
    git_base(&work);

    let strict = closeout().args(["verify-docs", "--strict"]).current_dir(&work).output().unwrap();
    assert_eq!(strict.status.code(), Some(1), "{}", outcome(&strict));
    assert!(text(&strict.stdout).contains("1 unused waiver(s)\n"), "{}", outcome(&strict));

    let github = closeout().args(["verify-docs", "--format", "github"]).current_dir(&work).output().unwrap();
    assert_eq!(github.status.code(), Some(0), "{}", outcome(&github));
    assert!(
        text(&github.stdout).starts_with("::warning file=closeout.toml,line=95::[[waiver]] rule = \"done-open-box\" subject = \"00\" accepts no finding any more"),
        "{}",
        outcome(&github)
    );
    let github = closeout()
        .args(["verify-docs", "--format", "github", "--strict"])
        .current_dir(&work)
        .output()
        .unwrap();
    assert_eq!(github.status.code(), Some(1), "{}", outcome(&github));
    assert!(text(&github.stdout).starts_with("::error file=closeout.toml,line=95::"), "{}", outcome(&github));

    let json = closeout().args(["verify-docs", "--format", "json"]).current_dir(&work).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["unused_waivers"][0]["subject"], "00");
    assert_eq!(report["status"], "in_sync");
}

/// ../shared/repros/peer/03-bom-first-line: a UTF-8 byte-order mark before a marker or a
/// heading on line 1 hides nothing. Case A: the region on line 1 is found and written, the
/// BOM and CRLF kept (the doc is compared with tests/fixtures/peer/03-bom-first-line.md).
/// Case B: the heading on line 1 names the placeholder's subject, so its waiver applies.
#[test]
fn peer_repro_03_bom_first_line() {
    let repro = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/repros/peer/03-bom-first-line");
    if !repro.exists() {
        eprintln!("skipped: {} is absent (the shared repros are not beside this checkout)", repro.display());
        return;
    }
    let work = scratch("docs-peer-03");
    git_base(&work);
    let toml = std::fs::read_to_string(repro.join("files/closeout.toml")).unwrap();
    std::fs::write(work.join("closeout.toml"), &toml).unwrap();
    let doc = std::fs::read(repro.join("files/doc.md")).unwrap();
    assert!(
        doc.starts_with(b"\xef\xbb\xbf<!-- closeout:begin ledger -->"),
        "the repro's doc starts with a BOM"
    );
    // As the repro's case A, also with CRLF line endings.
    let crlf = String::from_utf8(doc).unwrap().replace('\n', "\r\n");
    std::fs::write(work.join("doc.md"), &crlf).unwrap();
    let update = closeout().arg("update-docs").current_dir(&work).output().unwrap();
    assert_eq!(update.status.code(), Some(0), "{}", outcome(&update));
    let after = std::fs::read_to_string(work.join("doc.md")).unwrap();
    if let Some(problem) = expect_file(&fixtures().join("peer/03-bom-first-line.md"), &after) {
        panic!("{problem}");
    }
    assert!(after.starts_with("\u{feff}<!-- closeout:begin ledger -->\r\n"), "the BOM is kept");
    let verify = closeout().args(["verify-docs", "--strict"]).current_dir(&work).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", outcome(&verify));

    // Case B: a heading on line 1 behind the BOM names the subject of a finding under it.
    std::fs::write(
        work.join("closeout.toml"),
        format!("{toml}\n[[waiver]]\nrule = \"placeholder\"\nsubject = \"doc.md#release-plan\"\nreason = \"accepted for the draft\"\n"),
    )
    .unwrap();
    std::fs::write(
        work.join("doc.md"),
        "\u{feff}# Release Plan\n\nCommit: (this commit)\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n",
    )
    .unwrap();
    let update = closeout().arg("update-docs").current_dir(&work).output().unwrap();
    assert_eq!(update.status.code(), Some(0), "{}", outcome(&update));
    let verify = closeout().arg("verify-docs").current_dir(&work).output().unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", outcome(&verify));
    assert!(text(&verify.stdout).contains("(waived: accepted for the draft)"), "{}", outcome(&verify));
}
