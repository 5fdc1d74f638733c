//! `missing-path`: a repository path in the docs that does not exist.

use std::collections::BTreeSet;

use super::{Context, Finding, Rule};

pub static RULE: Rule = Rule {
    id: "missing-path",
    subject: "the path",
    summary: "a repository path in backticks that does not exist, unless declared under `[paths] moved` or `removed`",
    doc: "A code span that looks like a repository path (a folder and a file with an \
          extension, or a folder with a trailing slash; no spaces, globs or URLs) must exist, \
          or be declared under `[paths] moved` (then its new path must exist; a folder ending \
          in `/` moves every path under it) or `removed`. Each \
          path is reported once per doc. Bad: `` `internal/api/old_test.go` `` after a rename. \
          Good: the new path, or `moved = { \"internal/api/old_test.go\" = \"internal/api/new_test.go\" }`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let program = cx.program;
    let exists = cx.oracle.path_exists;
    let mut findings = Vec::new();
    for outline in &cx.outlines {
        let mut seen = BTreeSet::new();
        for (line, path) in outline.code_paths() {
            if !seen.insert(path.clone()) || exists(&path) {
                continue;
            }
            let targets = moved_to(&program.paths.moved, &path);
            let gone: Vec<&str> = targets.iter().map(String::as_str).filter(|new| !exists(new)).collect();
            if program.paths.removed.contains(&path) || (!targets.is_empty() && gone.is_empty()) {
                continue;
            }
            let message = if targets.is_empty() {
                format!("`{path}` does not exist in the repository; fix the path, or declare it under [paths] moved or removed")
            } else {
                format!(
                    "`{path}` does not exist and is declared under [paths] moved, but its new path(s) {} do not exist either; fix the paths in closeout.toml or in the doc",
                    gone.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ")
                )
            };
            findings.push(Finding {
                rule: RULE.id,
                subject: path,
                file: outline.path.to_string(),
                line,
                message,
            });
        }
    }
    findings
}

/// Where `path` moved to under `moved` (old, new): the entries for the path itself, else
/// the folder entry with the longest old folder holding it (old and new ending in `/`:
/// `a/src/x.rs` under `"a/src/" = "a/core/src/"` moved to `a/core/src/x.rs`).
fn moved_to(moved: &[(String, String)], path: &str) -> Vec<String> {
    let exact: Vec<String> =
        moved.iter().filter(|(old, _)| old == path).map(|(_, new)| new.clone()).collect();
    if !exact.is_empty() {
        return exact;
    }
    let folder = moved
        .iter()
        .filter(|(old, new)| old.ends_with('/') && new.ends_with('/') && path.starts_with(old.as_str()))
        .max_by_key(|(old, _)| old.len());
    folder.map(|(old, new)| format!("{new}{}", &path[old.len()..])).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    const DOC: &str = "See `internal/api/old_test.go` and `docs/plan.md`.\n\nAgain `internal/api/old_test.go`, and `gone/x.go`, `moved/a.go`.\n";

    #[test]
    fn a_path_that_does_not_exist_once_per_doc() {
        let found = Fixture::new("").doc("plan.md", DOC).paths(&["docs/plan.md", "moved/a.go"]).found(&RULE);
        assert_eq!(found, ["internal/api/old_test.go@plan.md:1", "gone/x.go@plan.md:3"]);
    }

    #[test]
    fn not_paths_declared_moved_or_removed() {
        let toml = "[paths]\nmoved = { \"internal/api/old_test.go\" = \"internal/api/new_test.go\" }\nremoved = [\"gone/x.go\"]\n";
        let fixture = Fixture::new(toml).doc("plan.md", DOC).paths(&[
            "docs/plan.md",
            "moved/a.go",
            "internal/api/new_test.go",
        ]);
        assert!(fixture.found(&RULE).is_empty());
    }

    #[test]
    fn a_move_to_a_path_that_does_not_exist_either() {
        let toml = "[paths]\nmoved = { \"internal/api/old_test.go\" = \"internal/api/new_test.go\" }\n";
        let found = Fixture::new(toml).doc("plan.md", "`internal/api/old_test.go`\n").check(&RULE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`internal/api/new_test.go`"), "{}", found[0].message);
    }

    #[test]
    fn a_folder_move_covers_every_path_under_it() {
        let toml = "[paths]\nmoved = { \"crate/src/\" = \"crate/core/src/\" }\n";
        let doc = "`crate/src/a.rs`, `crate/src/parse/b.rs`, `crate/src/gone.rs`, `crate/srcx/c.rs`\n";
        let fixture = Fixture::new(toml)
            .doc("plan.md", doc)
            .paths(&["crate/core/src/a.rs", "crate/core/src/parse/b.rs"]);
        let found = fixture.check(&RULE);
        let subjects: Vec<&str> = found.iter().map(|f| f.subject.as_str()).collect();
        assert_eq!(subjects, ["crate/src/gone.rs", "crate/srcx/c.rs"]);
        assert!(found[0].message.contains("`crate/core/src/gone.rs`"), "{}", found[0].message);
        // A path's own entry comes before its folder's, the deepest folder before others.
        let toml = "[paths]\nmoved = { \"crate/src/\" = \"crate/core/src/\", \"crate/src/x.rs\" = \"crate/src/x/mod.rs\", \"crate/src/p/\" = \"crate/p/\" }\n";
        let doc = "`crate/src/x.rs`, `crate/src/p/q.rs`\n";
        let fixture = Fixture::new(toml).doc("plan.md", doc).paths(&["crate/src/x/mod.rs", "crate/p/q.rs"]);
        assert!(fixture.check(&RULE).is_empty());
        // Only a folder (ending in `/`) moves what is under it.
        let toml = "[paths]\nmoved = { \"crate/src\" = \"crate/core/src\" }\n";
        let fixture = Fixture::new(toml).doc("plan.md", "`crate/src/a.rs`\n").paths(&["crate/core/src/a.rs"]);
        assert_eq!(fixture.check(&RULE).len(), 1);
    }
}
