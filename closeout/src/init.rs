//! `closeout init`: the files that start a program in a repository, chosen from what
//! the repository already has (Cargo, Go, npm, Python). Pure; the CLI writes what it returns.

use std::path::{Path, PathBuf};

/// Build systems whose usual baseline `init` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ecosystem {
    Cargo,
    Go,
    Npm,
    Python,
}

impl Ecosystem {
    /// The ecosystems present at a repository root, judged by their manifest files.
    pub fn detect(exists: &dyn Fn(&Path) -> bool) -> Vec<Ecosystem> {
        let mut found: Vec<Ecosystem> =
            [("Cargo.toml", Ecosystem::Cargo), ("go.mod", Ecosystem::Go), ("package.json", Ecosystem::Npm)]
                .into_iter()
                .filter(|(file, _)| exists(Path::new(file)))
                .map(|(_, e)| e)
                .collect();
        if ["pyproject.toml", "setup.py", "setup.cfg", "requirements.txt"]
            .iter()
            .any(|f| exists(Path::new(f)))
        {
            found.push(Ecosystem::Python);
        }
        found
    }

    fn gates(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Ecosystem::Cargo => &[
                ("cargo-build", "cargo build --workspace --all-targets", "none"),
                ("cargo-test", "cargo test --workspace", "cargo"),
                ("clippy", "cargo clippy --workspace --all-targets -- -D warnings", "none"),
                ("fmt", "cargo fmt --all -- --check", "none"),
            ],
            Ecosystem::Go => &[
                ("go-build", "go build ./...", "none"),
                ("go-vet", "go vet ./...", "none"),
                // -json: counts per test (plain `go test` names packages only).
                ("go-test", "go test -json ./...", "go-json"),
            ],
            // The parser follows the `test` script (`npm_test_parser`).
            Ecosystem::Npm => &[("npm-test", "npm test", "auto")],
            Ecosystem::Python => &[("pytest", "python3 -m pytest", "pytest")],
        }
    }
}

/// The parser for `npm test`, from package.json's `test` script: `node-test` for
/// `node --test`, `vitest`, `jest`, `mocha`, else `auto` (read by the output). A named parser
/// fails closed when its runner's summary is missing; `auto` would fall back to the exit
/// code. `package_json` is the file's text; unreadable JSON gives `auto`.
pub fn npm_test_parser(package_json: Option<&str>) -> &'static str {
    let script = package_json
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .and_then(|v| v.get("scripts")?.get("test")?.as_str().map(str::to_string));
    match script.as_deref().and_then(crate::parse::detect) {
        Some(crate::model::ParserKind::NodeTest) => "node-test",
        Some(crate::model::ParserKind::Vitest) => "vitest",
        Some(crate::model::ParserKind::Jest) => "jest",
        Some(crate::model::ParserKind::Mocha) => "mocha",
        _ => "auto",
    }
}

/// What `init` adds to `.gitignore`: closeout's local output (full run records, logs,
/// duration history). Its committed evidence lives in `.closeout/`.
pub const IGNORE: &str = "/target/closeout/";

/// The `.gitignore` with closeout's local output ignored, or `None` when a line of
/// `existing` already ignores it (`target`, `/target/`, `target/closeout`, ...).
pub fn gitignore(existing: Option<&str>) -> Option<String> {
    let covered = existing.is_some_and(|text| {
        text.lines().map(str::trim).any(|line| {
            let line = line.trim_start_matches('/').trim_end_matches('/');
            matches!(line, "target" | "target/closeout" | "target/*" | "target/**")
        })
    });
    if covered {
        return None;
    }
    let mut text = existing.unwrap_or_default().to_string();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "# closeout's local output (run records, logs); its evidence in .closeout/ is committed\n{IGNORE}\n"
    ));
    Some(text)
}

/// Where `init` puts the plan and the progress tracker.
pub const DOCS_DIR: &str = "docs/closeout/";
pub const PLAN: &str = "docs/closeout/plan.md";
pub const PROGRESS: &str = "docs/closeout/progress.md";

/// The files `init` writes, relative to the repository root, with their content.
/// `package_json` is the text of the repository's package.json, if any (it picks the
/// `npm test` gate's parser).
pub fn scaffold(name: &str, ecosystems: &[Ecosystem], package_json: Option<&str>) -> Vec<(PathBuf, String)> {
    let mut toml = format!(
        "{directive}# closeout program: the source of truth for the plan and progress docs.\n\
         # Every key is documented in docs/configuration.md of the closeout repository.\n\n\
         [program]\nname = {name:?}\ndocs = [{PLAN:?}, {PROGRESS:?}]\n\n\
         [run]\njobs = 0          # 0 = all available cores\ntimeout = \"20m\"   # default per gate\n\
         grace = \"10s\"     # SIGTERM, then SIGKILL after this long\n",
        directive = crate::schema::DIRECTIVE
    );
    let gates: Vec<_> = ecosystems.iter().flat_map(|e| e.gates()).collect();
    if gates.is_empty() {
        toml.push_str(
            "\n# The global validation baseline: add one [[gate]] per command, in order.\n\
             # [[gate]]\n# id = \"build\"\n# run = \"make\"\n",
        );
    }
    for (id, run, parser) in gates {
        let parser = if *id == "npm-test" { npm_test_parser(package_json) } else { parser };
        toml.push_str(&format!("\n[[gate]]\nid = {id:?}\nrun = {run:?}\nparser = {parser:?}\n"));
    }
    // Packet 00 adopts closeout: every file adopting it touches is in its scope, with a
    // reason, so recording it (`packet 00 --record`) passes P0 and P2 as `init` advises.
    toml.push_str(&format!(
        "\n[[packet]]\nid = \"00\"\ntitle = \"Closeout Baseline\"\nstatus = \"TODO\"\nreview = \"PENDING\"\n\
         scope = [\"closeout.toml\", \".closeout/**\", \".gitignore\", {PLAN:?}, {PROGRESS:?}]\ntests = [{}]\n\
         files = [\n  {{ path = \"closeout.toml\", reason = \"the program: gates, packets, ledger\" }},\n  \
         {{ path = \".closeout/**\", reason = \"committed evidence: the latest run record and the verdict\" }},\n  \
         {{ path = \".gitignore\", reason = \"closeout's local output stays out of git\" }},\n  \
         {{ path = {PLAN:?}, reason = \"the plan; its regions are generated from closeout.toml\" }},\n  \
         {{ path = {PROGRESS:?}, reason = \"the progress tracker\" }},\n]\n",
        ecosystems.first().map_or(String::new(), |e| format!("{:?}", e.gates()[0].0))
    ));
    vec![
        (PathBuf::from(crate::discover::FILE_NAME), toml),
        (PathBuf::from(PLAN), include_str!("../templates/plan.md").replace("{name}", name)),
        (PathBuf::from(PROGRESS), include_str!("../templates/progress.md").replace("{name}", name)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaffold_validates() {
        for ecosystems in
            [vec![], vec![Ecosystem::Cargo], vec![Ecosystem::Go, Ecosystem::Npm], vec![Ecosystem::Python]]
        {
            let files = scaffold("Demo", &ecosystems, None);
            let program =
                crate::config::parse(&files[0].1, Path::new("closeout.toml"), Path::new("/r"), &|_| true)
                    .unwrap_or_else(|e| panic!("{e}\n{}", files[0].1));
            assert_eq!(program.name, "Demo");
            assert_eq!(program.docs.len(), 2);
            let expected: usize = ecosystems.iter().map(|e| e.gates().len()).sum();
            assert_eq!(program.gates.len(), expected);
        }
    }

    #[test]
    fn gitignore_gains_closeouts_output_unless_already_ignored() {
        assert_eq!(gitignore(None).unwrap().lines().last(), Some(IGNORE));
        assert_eq!(gitignore(Some("node_modules")).unwrap().lines().collect::<Vec<_>>()[0], "node_modules");
        assert!(gitignore(Some("node_modules")).unwrap().ends_with("/target/closeout/\n"));
        for covered in ["/target", "target/\n", "x\n/target/\n", "target/closeout/"] {
            assert_eq!(gitignore(Some(covered)), None, "{covered}");
        }
    }

    #[test]
    fn npm_test_gets_the_parser_its_script_runs() {
        let with = |script: &str| format!(r#"{{ "name": "d", "scripts": {{ "test": "{script}" }} }}"#);
        assert_eq!(npm_test_parser(Some(&with("node --test"))), "node-test");
        assert_eq!(npm_test_parser(Some(&with("node --test --test-reporter=spec test/"))), "node-test");
        assert_eq!(npm_test_parser(Some(&with("vitest run"))), "vitest");
        assert_eq!(npm_test_parser(Some(&with("jest --ci"))), "jest");
        assert_eq!(npm_test_parser(Some(&with("make test"))), "auto");
        assert_eq!(npm_test_parser(Some("{ not json")), "auto");
        assert_eq!(npm_test_parser(None), "auto");
        let files = scaffold("Node", &[Ecosystem::Npm], Some(&with("node --test")));
        assert!(files[0].1.contains("run = \"npm test\"\nparser = \"node-test\""), "{}", files[0].1);
    }

    #[test]
    fn detects_manifests() {
        let found = Ecosystem::detect(&|p| p == Path::new("go.mod") || p == Path::new("package.json"));
        assert_eq!(found, vec![Ecosystem::Go, Ecosystem::Npm]);
        let python = Ecosystem::detect(&|p| p == Path::new("pyproject.toml"));
        assert_eq!(python, vec![Ecosystem::Python]);
        let files = scaffold("Py", &python, None);
        assert!(files[0].1.contains("run = \"python3 -m pytest\"\nparser = \"pytest\""), "{}", files[0].1);
    }
}
