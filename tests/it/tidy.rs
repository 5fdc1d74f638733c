//! The repository's own conventions, checked like rust-analyzer's tidy test: module docs,
//! no ignored tests, README examples that work, this repository's program valid.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_says_what_it_is_for_and_no_test_is_ignored() {
    let root = workspace();
    let mut files = Vec::new();
    for dir in [
        "closeout/src",
        "closeout/core/src",
        "closeout/markdown/src",
        "closeout/benches",
        "xtask/src",
        "tests/it",
    ] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let shown = file.strip_prefix(&root).unwrap().display();
        if !text.starts_with("//!") {
            problems.push(format!("{shown}:1: add a `//!` module doc saying what the module is for"));
        }
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("#[ignore") {
                problems.push(format!(
                    "{shown}:{}: remove #[ignore]; gate slow tests behind an environment variable",
                    n + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The ```toml blocks of README.md that hold a `[program]` are valid programs.
#[test]
fn readme_configuration_example_is_valid() {
    let root = workspace();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks: Vec<&str> = readme.split("```toml\n").skip(1).filter_map(|b| b.split("```").next()).collect();
    let programs: Vec<&str> = blocks.into_iter().filter(|b| b.contains("[program]")).collect();
    assert!(!programs.is_empty(), "README.md shows a closeout.toml");
    for program in programs {
        let parsed = closeout::config::parse(program, Path::new("README.md"), &root, &|_| true);
        assert!(parsed.is_ok(), "{}", parsed.unwrap_err());
    }
}

#[test]
fn this_repository_certifies_itself() {
    let program = closeout::discover::load(&workspace()).unwrap_or_else(|e| panic!("{e}"));
    let gates: Vec<&str> = program.gates.iter().map(|g| g.run.as_str()).collect();
    for needed in ["cargo build", "cargo test --workspace", "cargo clippy", "cargo fmt"] {
        assert!(gates.iter().any(|g| g.contains(needed)), "closeout.toml's baseline lacks `{needed}`");
    }
    assert!(!program.packets.is_empty() && !program.risks.is_empty());
}

/// docs/regions.md lists the consistency rules from `rules::REGISTRY`: ids, subjects,
/// one-line summaries and one-paragraph docs, between its `rules:begin`/`rules:end`
/// comments. `UPDATE_EXPECT=1` rewrites the list from the registry.
#[test]
fn regions_md_lists_the_rules_of_the_registry() {
    const BEGIN: &str = "<!-- rules:begin: generated from closeout/markdown/src/docs/rules/ (UPDATE_EXPECT=1 cargo test -p closeout --test it regions_md) -->\n";
    const END: &str = "<!-- rules:end -->\n";
    let path = workspace().join("docs/regions.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(begin), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!(
            "{}: keep the `{}` and `{}` lines around the rule list",
            path.display(),
            BEGIN.trim(),
            END.trim()
        );
    };
    let mut list = String::from("\n| rule | subject | finds |\n|---|---|---|\n");
    for rule in closeout::docs::rules::REGISTRY {
        list.push_str(&format!("| `{}` | {} | {} |\n", rule.id, rule.subject, rule.summary));
    }
    list.push('\n');
    for rule in closeout::docs::rules::REGISTRY {
        list.push_str(&format!("- `{}`: {}\n", rule.id, rule.doc));
    }
    list.push('\n');
    let updated = format!("{}{BEGIN}{list}{}", &text[..begin], &text[end..]);
    if let Some(mismatch) = crate::support::expect_file(&path, &updated) {
        panic!("docs/regions.md's rule list differs from rules::REGISTRY\n{mismatch}");
    }
}
