//! Test-runner output parsers. Each reads a gate's output line by line (ANSI codes
//! already stripped) and reports counts, failing tests, and the markers classification
//! needs: a closing line, a build failure, a run of zero tests. Pure; fed by the runner.

mod build;
mod cargo;
mod coverage;
mod go;
mod jest;
pub mod lines;
mod mocha;
mod nextest;
mod node;
mod pytest;
mod python;
mod shell;
mod tsc;
mod unittest;
mod vitest;

use crate::evidence::TestCounts;
use crate::model::ParserKind;

/// Failing test names kept per gate; the rest are counted in `failing_omitted`.
pub const MAX_FAILING: usize = 500;
/// Individual test results kept per gate (for JUnit); the rest are counted.
pub const MAX_TESTS: usize = 5_000;
/// Lines of a failing test's own output kept as its excerpt.
pub const EXCERPT_LINES: usize = 40;

/// One test the runner reported by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub name: String,
    pub status: TestStatus,
    /// What holds the test, when the output says: a go package, a cargo test binary, a
    /// nextest binary id, a test file. JUnit's classname, so that one test path in two
    /// crates or files stays two tests.
    pub group: Option<String>,
    /// The failing test's own output, when the runner prints it apart.
    pub excerpt: Option<String>,
}
crate::json::json_object!(TestResult {
    name: required,
    status: required,
    group: skip_none,
    excerpt: skip_none,
});

crate::vocab::vocab!(TestStatus {
    Pass = "pass",
    Fail = "fail",
    Skip = "skip",
});

/// What a parser learned from a whole output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The parser that produced this (after `auto` resolved), as written in closeout.toml.
    pub parser: &'static str,
    /// The output had lines that only this runner prints.
    pub recognised: bool,
    /// The runner's closing summary line was seen.
    pub closing: bool,
    /// Whether this runner always prints a closing line (tsc does not).
    pub closing_required: bool,
    pub counts: Option<TestCounts>,
    pub failing: Vec<String>,
    pub failing_omitted: usize,
    pub build_failed: bool,
    pub no_tests: bool,
    /// Every test reported by name, in order (go, cargo and nextest report passing tests
    /// too; other runners only their failures).
    pub tests: Vec<TestResult>,
    pub tests_omitted: usize,
    /// The build, typecheck or lint tool a `none` gate's output came from, when its
    /// output or command says (`clippy`, `rustc`, `go build`, `go vet`, `ruff`, `mypy`,
    /// `eslint`).
    pub tool: Option<&'static str>,
    /// Lint findings failed the gate (`counts.lints` holds how many): a failed gate,
    /// not a build failure.
    pub lint_failed: bool,
    /// The runner's own summary disagrees with the test lines it printed (node:test's
    /// `# pass 3` over two passing lines): what each says. The output is not one whole
    /// run's, so the gate is not a pass.
    pub disagreement: Option<String>,
    /// The command the shell could not find (`sh: 1: pytest: not found`,
    /// `bash: pytest: command not found`), from any gate's output.
    pub missing_command: Option<String>,
    /// The module a `python -m X` gate runs, when the interpreter said it has no such
    /// module (`/usr/bin/python3: No module named pytest`).
    pub missing_module: Option<MissingModule>,
    /// The runner said the run stopped before its end (pytest's `!!! KeyboardInterrupt !!!`
    /// or `pytest.exit()`): its words. Not a whole run, so never a pass.
    pub stopped: Option<String>,
    /// The coverage tool's line saying a threshold was not met: the runner fails the run
    /// for it, whatever the tests did.
    pub threshold_missed: Option<String>,
}

/// A `python -m X` gate whose interpreter has no module `X`, as CPython's runpy reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingModule {
    /// The gate's invocation, interpreter to module: `python3 -m pytest`.
    pub invocation: String,
    /// The interpreter that looked, as it names itself (`sys.executable`): `/usr/bin/python3`.
    pub interpreter: String,
    /// The module not found: `pytest`; for `-m a.b` with no package `a`, `a`.
    pub module: String,
}

impl Parsed {
    pub(crate) fn add_test(&mut self, name: &str, status: TestStatus) {
        self.add_test_in(name, status, None);
    }

    /// Record a test held by `group` (its package, binary or file).
    pub(crate) fn add_test_in(&mut self, name: &str, status: TestStatus, group: Option<&str>) {
        if status == TestStatus::Fail {
            self.add_failing(name);
        }
        if self.tests.len() < MAX_TESTS {
            self.tests.push(TestResult {
                name: name.to_string(),
                status,
                group: group.map(str::to_string),
                excerpt: None,
            });
        } else {
            self.tests_omitted += 1;
        }
    }

    /// Attach an excerpt to the last failing test of that name.
    pub(crate) fn set_excerpt(&mut self, name: &str, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        if let Some(t) = self.tests.iter_mut().rev().find(|t| t.name == name && t.status == TestStatus::Fail)
        {
            let mut text = lines.join("\n");
            text.truncate(8 * 1024);
            t.excerpt = Some(text);
        }
    }

    pub(crate) fn add_failing(&mut self, name: &str) {
        if self.failing.iter().any(|f| f == name) {
            return;
        }
        if self.failing.len() < MAX_FAILING {
            self.failing.push(name.to_string());
        } else {
            self.failing_omitted += 1;
        }
    }
}

/// A line-fed parser for one runner.
pub trait RunnerParser: Send {
    fn line(&mut self, line: &str);
    fn finish(&self) -> Parsed;
}

/// `auto` when the command did not say: every parser reads the output, and the first
/// that recognised it wins.
struct Sniff {
    candidates: Vec<Box<dyn RunnerParser>>,
    /// Build, typecheck and lint output, when no test runner recognised the output.
    fallback: build::Build,
}

impl RunnerParser for Sniff {
    fn line(&mut self, line: &str) {
        for c in &mut self.candidates {
            c.line(line);
        }
        self.fallback.line(line);
    }
    fn finish(&self) -> Parsed {
        self.candidates
            .iter()
            .map(|c| c.finish())
            .find(|p| p.recognised)
            .unwrap_or_else(|| self.fallback.finish())
    }
}

/// The parser `kind` names; `auto` picks by the command, else by the output. Every
/// parser also notes a command the shell could not find, a coverage threshold the run
/// missed, and, for a `python -m X` command, the interpreter saying it has no module `X`.
pub fn for_gate(kind: ParserKind, command: &str) -> Box<dyn RunnerParser> {
    let mut inner = runner_for(kind, command);
    if let Some(run) = python::module_run(command) {
        inner = Box::new(python::Module { inner, run, missing: None });
    }
    let inner = Box::new(coverage::Coverage { inner, missed: None });
    Box::new(shell::Shell { inner, missing: None })
}

fn runner_for(kind: ParserKind, command: &str) -> Box<dyn RunnerParser> {
    let kind = if kind == ParserKind::Auto { detect(command) } else { Some(kind) };
    match kind {
        Some(ParserKind::Go) => Box::new(go::Go::default()),
        Some(ParserKind::GoJson) => Box::new(go::GoJson::default()),
        Some(ParserKind::Cargo) => Box::new(cargo::Cargo::default()),
        Some(ParserKind::Nextest) => Box::new(nextest::Nextest::default()),
        Some(ParserKind::Vitest) => Box::new(vitest::Vitest::default()),
        Some(ParserKind::Jest) => Box::new(jest::Jest::default()),
        Some(ParserKind::Pytest) => Box::new(pytest::Pytest::default()),
        Some(ParserKind::Tsc) => Box::new(tsc::Tsc::default()),
        Some(ParserKind::NodeTest) => Box::new(node::NodeTest::default()),
        Some(ParserKind::Mocha) => Box::new(mocha::Mocha::default()),
        Some(ParserKind::Unittest) => Box::new(unittest::Unittest::default()),
        Some(ParserKind::None) => Box::new(build::Build::for_command(command)),
        Some(ParserKind::Auto) | None => Box::new(Sniff {
            candidates: vec![
                Box::new(nextest::Nextest::default()),
                Box::new(cargo::Cargo::default()),
                Box::new(go::GoJson::default()),
                Box::new(go::Go::default()),
                Box::new(vitest::Vitest::default()),
                Box::new(jest::Jest::default()),
                Box::new(pytest::Pytest::default()),
                Box::new(mocha::Mocha::default()),
                Box::new(unittest::Unittest::default()),
                Box::new(node::NodeTest::default()),
                Box::new(tsc::Tsc::default()),
            ],
            fallback: build::Build::for_command(command),
        }),
    }
}

/// The runner a command line invokes, when its words say so. `None` for build commands
/// (`go build`, `cargo clippy`): they get compile-error detection only.
pub fn detect(command: &str) -> Option<ParserKind> {
    let words: Vec<&str> = command.split_whitespace().collect();
    let has = |w: &str| words.iter().any(|x| *x == w || x.ends_with(&format!("/{w}")));
    let pair = |a: &str, b: &str| {
        words.windows(2).any(|p| (p[0] == a || p[0].ends_with(&format!("/{a}"))) && p[1] == b)
    };
    if pair("go", "test") || has("gotestsum") {
        return Some(if has("-json") { ParserKind::GoJson } else { ParserKind::Go });
    }
    if has("nextest") {
        return Some(ParserKind::Nextest);
    }
    if pair("cargo", "test") {
        return Some(ParserKind::Cargo);
    }
    if has("vitest") {
        return Some(ParserKind::Vitest);
    }
    if has("jest") {
        return Some(ParserKind::Jest);
    }
    if has("pytest") {
        return Some(ParserKind::Pytest);
    }
    if has("mocha") || has("_mocha") {
        return Some(ParserKind::Mocha);
    }
    // `python -m unittest`, `python3 -m unittest discover -s tests`.
    if has("unittest") {
        return Some(ParserKind::Unittest);
    }
    // `node --test`, `node --test --test-reporter=spec test/`.
    if words
        .iter()
        .position(|w| *w == "node" || w.ends_with("/node"))
        .is_some_and(|at| words[at + 1..].iter().any(|w| *w == "--test" || w.starts_with("--test-reporter")))
    {
        return Some(ParserKind::NodeTest);
    }
    if has("tsc") || has("vue-tsc") {
        return Some(ParserKind::Tsc);
    }
    let build = ["build", "vet", "check", "clippy", "fmt", "lint"];
    if words.windows(2).any(|p| ["go", "cargo"].contains(&p[0]) && build.contains(&p[1])) {
        return Some(ParserKind::None);
    }
    if build::tool_of_command(command).is_some() {
        return Some(ParserKind::None);
    }
    None
}

/// Remove ANSI escape sequences (CSI and OSC) from a line.
pub fn strip_ansi(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains('\x1b') {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            // Character set designation: `ESC ( B` and friends.
            Some('(' | ')' | '*' | '+') => {
                chars.next();
                chars.next();
            }
            _ => {}
        }
    }
    out.into()
}

/// Parse "N word" groups, e.g. `2 failed | 1 passed (3)` or `1 failed, 2 passed in 0.1s`,
/// into (number, word) pairs.
pub(crate) fn number_words(text: &str) -> Vec<(u64, String)> {
    let tokens: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ',' || c == '|').filter(|t| !t.is_empty()).collect();
    tokens
        .windows(2)
        .filter_map(|w| {
            let n = w[0].parse::<u64>().ok()?;
            let word: String = w[1].chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            (!word.is_empty()).then_some((n, word.to_ascii_lowercase()))
        })
        .collect()
}

/// The counts of a jest `Tests:` or vitest `Tests` summary line (`1 failed | 2 passed | 1
/// skipped | 1 todo (5)`, `1 failed, 1 skipped, 1 todo, 2 passed, 5 total`), as the runner
/// gives them: a todo is not a skipped test; jest's `pending` is.
pub(crate) fn tests_line(rest: &str) -> TestCounts {
    let mut counts = TestCounts::default();
    for (n, word) in number_words(rest) {
        match word.as_str() {
            "passed" => counts.add_passed(n),
            "failed" => counts.failed += n,
            "skipped" | "pending" => counts.skipped += n,
            "todo" => *counts.todo.get_or_insert(0) += n,
            _ => {}
        }
    }
    counts
}

/// Parse a whole text with one parser (for tests and for re-reading logs).
pub fn parse_text(kind: ParserKind, command: &str, text: &str) -> Parsed {
    let mut parser = for_gate(kind, command);
    for line in text.lines() {
        parser.line(&strip_ansi(line));
    }
    parser.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_runner_from_command() {
        let cases = [
            ("go test ./internal/api/... -run \"Contract\" -v", Some(ParserKind::Go)),
            ("go test ./... -json", Some(ParserKind::GoJson)),
            ("cargo nextest run", Some(ParserKind::Nextest)),
            ("cargo test --workspace", Some(ParserKind::Cargo)),
            ("npm --prefix frontend-modern exec -- vitest run src/a.test.ts", Some(ParserKind::Vitest)),
            ("npx jest --ci", Some(ParserKind::Jest)),
            ("python3 -m pytest -q", Some(ParserKind::Pytest)),
            ("frontend-modern/node_modules/.bin/tsc --noEmit -p x", Some(ParserKind::Tsc)),
            ("go build ./...", Some(ParserKind::None)),
            ("cargo clippy --all-targets -- -D warnings", Some(ParserKind::None)),
            ("node --test", Some(ParserKind::NodeTest)),
            ("node --test --test-reporter=spec test/", Some(ParserKind::NodeTest)),
            ("/usr/bin/node --test-only --test", Some(ParserKind::NodeTest)),
            ("node scripts/build.js", None),
            ("npm test", None),
            ("./scripts/check.sh", None),
        ];
        for (command, expected) in cases {
            assert_eq!(detect(command), expected, "{command}");
        }
    }

    #[test]
    fn strips_ansi() {
        assert_eq!(strip_ansi("\x1b[32m- Expected\x1b[39m"), "- Expected");
        assert_eq!(strip_ansi("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ ok"), "link ok");
        assert_eq!(strip_ansi("plain"), "plain");
        assert_eq!(strip_ansi("\x1b(B+ added\x1b[m"), "+ added");
    }

    #[test]
    fn number_words_reads_any_order() {
        assert_eq!(
            number_words("Tests  1 failed | 3 passed | 1 skipped (5)"),
            vec![(1, "failed".into()), (3, "passed".into()), (1, "skipped".into())]
        );
        assert_eq!(
            number_words("1 failed, 2 passed in 0.03s"),
            vec![(1, "failed".into()), (2, "passed".into())]
        );
    }

    #[test]
    fn auto_sniffs_output_when_command_is_opaque() {
        let text = "running 1 test\ntest a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n";
        let parsed = parse_text(ParserKind::Auto, "make test", text);
        assert_eq!(parsed.parser, "cargo");
        assert_eq!(parsed.counts.unwrap().passed, Some(1));
        let parsed = parse_text(ParserKind::Auto, "make", "all good\n");
        assert_eq!(parsed.parser, "none");
        assert!(!parsed.recognised);
        // One line any tool may print names no runner.
        for line in ["Tests: 3 passed", "Tests  done", "Found 2 errors.", "1 error"] {
            let parsed = parse_text(ParserKind::Auto, "./check.sh", line);
            assert_eq!((parsed.parser, parsed.tool), ("none", None), "{line}");
        }
    }
}
