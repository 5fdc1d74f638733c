//! Node's built-in test runner, `node --test`, through its two text reporters (Node's
//! `lib/internal/test_runner/reporter/tap.js` and `spec.js`):
//!
//! - `tap`, the default when stdout is not a terminal on Node 18–22: `# Subtest: name`,
//!   then `ok N - name` / `not ok N - name` with ` # SKIP` / ` # TODO` directives, each
//!   followed by a YAML block (`type: 'suite'`, `failureType: …`); subtests indented by
//!   four spaces per level;
//! - `spec`, the default on newer Node even when piped: `✔ name (1.2ms)`, `✖ name`,
//!   `﹣ name # reason` (skipped), `▶ name` for a parent (opening, and on newer Node its
//!   closing line); two spaces per level; after the summary, a `✖ failing tests:` recap.
//!
//! Both end with the same summary, the counts this parser reports: `tests`, `suites`,
//! `pass`, `fail`, `cancelled`, `skipped`, `todo`, `duration_ms` (after `# ` or `ℹ `).
//! Node counts every test at any depth in `tests` (not suites), and exactly one of
//! pass, fail, cancelled (a timeout or a test its parent abandoned), skipped or todo each.
//! The test lines are counted too, and a summary that disagrees with them is reported as
//! a disagreement: the output is not whole, or not one run's.

use super::{Parsed, RunnerParser, TestStatus};
use crate::evidence::TestCounts;

/// The summary's figures, each the last one seen (a test's own output could print an
/// earlier `# tests 3` line through the tap reporter's `# ` comments).
#[derive(Default, Clone, Copy)]
struct Summary {
    tests: Option<u64>,
    suites: Option<u64>,
    pass: Option<u64>,
    fail: Option<u64>,
    cancelled: Option<u64>,
    skipped: Option<u64>,
    todo: Option<u64>,
}

impl Summary {
    /// Read `tests 6` (the text after `# ` or `ℹ `) into its field.
    fn read(&mut self, text: &str) -> bool {
        let Some((key, value)) = text.split_once(' ') else { return false };
        let Ok(n) = value.trim().parse::<u64>() else { return false };
        let field = match key {
            "tests" => &mut self.tests,
            "suites" => &mut self.suites,
            "pass" => &mut self.pass,
            "fail" => &mut self.fail,
            "cancelled" => &mut self.cancelled,
            "skipped" => &mut self.skipped,
            "todo" => &mut self.todo,
            _ => return false,
        };
        *field = Some(n);
        true
    }

    /// Every figure a Node 18+ summary prints (`suites` came later, so it is optional).
    fn complete(&self) -> bool {
        [self.tests, self.pass, self.fail, self.cancelled, self.skipped, self.todo]
            .iter()
            .all(Option::is_some)
    }
}

/// What the test lines themselves showed.
#[derive(Default, Clone)]
struct Lines {
    passed: u64,
    failed: u64,
    cancelled: u64,
    skipped: u64,
    todo: u64,
    /// spec: every result line (tests and suites together; Node 20's spec does not tell
    /// them apart).
    results: u64,
    /// A passing top-level entry named by a test file's path, with no tests under it:
    /// how Node 20 reports a file that defines no test.
    empty_files: u64,
}

/// A tap test point waiting for its YAML block.
#[derive(Clone)]
struct Point {
    nesting: usize,
    ok: bool,
    name: String,
    directive: Directive,
    suite: bool,
    failure_type: Option<String>,
    /// Another test point nested under this one was seen first.
    parent: bool,
    yaml: Vec<String>,
    in_yaml: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Directive {
    None,
    Skip,
    Todo,
}

#[derive(Default, Clone)]
pub struct NodeTest {
    summary: Summary,
    lines: Lines,
    tap: bool,
    /// Names of the tests open at each depth (`# Subtest:` or `▶`).
    stack: Vec<String>,
    /// tap: the last test point, until its YAML block ends.
    pending: Option<Point>,
    /// tap: at each depth, whether a test point was seen there since the `# Subtest:`
    /// one level up began (a point with points nested before it is a parent).
    child_seen: Vec<bool>,
    /// spec: the failing leaf whose error lines follow, with its depth.
    spec_excerpt: Option<(String, usize, Vec<String>)>,
    /// spec: inside the `✖ failing tests:` recap, which repeats failures already counted.
    recap: bool,
    failing: Parsed,
}

/// A test file's path as Node 20 names a file's own entry (`/repo/test/a.test.js`).
fn is_test_file_path(name: &str) -> bool {
    let absolute = name.starts_with('/') || name.get(1..3) == Some(":\\");
    absolute
        && ["js", "mjs", "cjs", "ts", "mts", "cts", "jsx", "tsx"]
            .iter()
            .any(|ext| name.rsplit_once('.').is_some_and(|(_, e)| e == *ext))
}

/// Undo tap.js's `tapEscape` for names: `\#` and `\\`.
fn unescape(name: &str) -> String {
    name.replace("\\#", "#").replace("\\\\", "\\")
}

/// The split of a tap point's text after `N`: `- name # SKIP reason` → name, directive.
/// The directive starts at the first ` # ` that tapEscape did not escape.
fn tap_title(text: &str) -> (String, Directive) {
    let text = text.strip_prefix("- ").unwrap_or(text);
    let bytes = text.as_bytes();
    let mut at = None;
    for (i, _) in text.match_indices(" # ") {
        if i == 0 || bytes[i - 1] != b'\\' {
            at = Some(i);
            break;
        }
    }
    let Some(i) = at else { return (unescape(text), Directive::None) };
    let directive = &text[i + 3..];
    let kind = if directive.starts_with("SKIP") {
        Directive::Skip
    } else if directive.starts_with("TODO") {
        Directive::Todo
    } else {
        // `# EXPECTED FAILURE`, `# FLAKY 1 re-try`: counted as the status says.
        Directive::None
    };
    (unescape(&text[..i]), kind)
}

/// A spec title `name (1.23ms) # reason` → name, whether it carried a duration, and
/// whether a ` # reason` followed the duration (skip or todo: `formatTestReport`).
fn spec_title(text: &str) -> (&str, bool, bool) {
    let mut search = text.len();
    while let Some(open) = text[..search].rfind(" (") {
        let rest = &text[open + 2..];
        if let Some(close) = rest.find("ms)") {
            if rest[..close].parse::<f64>().is_ok() {
                let after = &rest[close + 3..];
                return (&text[..open], true, after.starts_with(" # "));
            }
        }
        search = open;
    }
    (text, false, false)
}

impl NodeTest {
    fn path(&self, nesting: usize, name: &str) -> String {
        let mut parts: Vec<&str> = self.stack.iter().take(nesting).map(String::as_str).collect();
        parts.push(name);
        parts.join(" > ")
    }

    /// Count a finished tap point, as Node's harness counts a completed test.
    fn close_point(&mut self) {
        let Some(point) = self.pending.take() else { return };
        if point.suite {
            return;
        }
        let cancelled =
            matches!(point.failure_type.as_deref(), Some("cancelledByParent" | "testTimeoutFailure"));
        let name = self.path(point.nesting, &point.name);
        let status = match (point.directive, point.ok) {
            (Directive::Skip, _) => {
                self.lines.skipped += 1;
                TestStatus::Skip
            }
            (Directive::Todo, _) => {
                self.lines.todo += 1;
                TestStatus::Skip
            }
            (Directive::None, false) if cancelled => {
                self.lines.cancelled += 1;
                TestStatus::Fail
            }
            (Directive::None, false) => {
                self.lines.failed += 1;
                TestStatus::Fail
            }
            (Directive::None, true) => {
                self.lines.passed += 1;
                if point.nesting == 0 && !point.parent && is_test_file_path(&point.name) {
                    self.lines.empty_files += 1;
                }
                TestStatus::Pass
            }
        };
        self.failing.add_test(&name, status);
        if status == TestStatus::Fail {
            self.failing.set_excerpt(&name, &point.yaml);
        }
    }

    fn tap_line(&mut self, line: &str) -> bool {
        let body = line.trim_start_matches(' ');
        let nesting = (line.len() - body.len()) / 4;
        if let Some(point) = self.pending.as_mut() {
            if point.in_yaml {
                if body == "..." {
                    point.in_yaml = false;
                    self.close_point();
                } else if let Some(kind) = body.strip_prefix("type: ") {
                    point.suite = kind.trim_matches('\'') == "suite";
                } else if let Some(kind) = body.strip_prefix("failureType: ") {
                    point.failure_type = Some(kind.trim_matches('\'').to_string());
                    point.yaml.push(body.to_string());
                } else if !body.starts_with("duration_ms:") && point.yaml.len() < super::EXCERPT_LINES {
                    // Kept with its indentation inside the block (`error: |-` and its lines).
                    let block = " ".repeat(point.nesting * 4 + 2);
                    point.yaml.push(line.strip_prefix(block.as_str()).unwrap_or(body).to_string());
                }
                return true;
            }
            if body == "---" {
                point.in_yaml = true;
                return true;
            }
            self.close_point();
        }
        if let Some(name) = body.strip_prefix("# Subtest: ") {
            self.stack.truncate(nesting);
            self.stack.push(unescape(name));
            self.child_seen.truncate(nesting + 1);
            return true;
        }
        let (ok, rest) = if let Some(rest) = body.strip_prefix("ok ") {
            (true, rest)
        } else if let Some(rest) = body.strip_prefix("not ok ") {
            (false, rest)
        } else {
            return false;
        };
        let (number, title) = rest.split_once(' ').unwrap_or((rest, ""));
        if number.parse::<u64>().is_err() {
            return false;
        }
        let (name, directive) = tap_title(title);
        let parent = self.child_seen.get(nesting + 1) == Some(&true);
        self.child_seen.resize(nesting + 1, false);
        self.child_seen[nesting] = true;
        self.stack.truncate(nesting);
        self.pending = Some(Point {
            nesting,
            ok,
            name,
            directive,
            suite: false,
            failure_type: None,
            parent,
            yaml: Vec::new(),
            in_yaml: false,
        });
        true
    }

    fn close_spec_excerpt(&mut self) {
        if let Some((name, _, lines)) = self.spec_excerpt.take() {
            self.failing.set_excerpt(&name, &lines);
        }
    }

    fn spec_line(&mut self, line: &str) {
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        if let Some((_, depth, lines)) = self.spec_excerpt.as_mut() {
            if !body.is_empty() && indent > *depth * 2 {
                if lines.len() < super::EXCERPT_LINES {
                    lines.push(line[(*depth * 2 + 2).min(indent)..].to_string());
                }
                return;
            }
            if body.is_empty() {
                return;
            }
            self.close_spec_excerpt();
        }
        if self.recap {
            return;
        }
        let nesting = indent / 2;
        let (symbol, text) = match body.chars().next() {
            Some(c @ ('✔' | '✖' | '﹣' | '▶')) => (c, body[c.len_utf8()..].trim_start()),
            _ => return,
        };
        if symbol == '✖' && nesting == 0 && text == "failing tests:" {
            self.recap = true;
            return;
        }
        let (name, timed, marked) = spec_title(text);
        if symbol == '▶' && !timed {
            self.stack.truncate(nesting);
            self.stack.push(name.to_string());
            return;
        }
        self.lines.results += 1;
        // A result at a depth where a `▶` opened the same name closes a parent.
        let parent = self.stack.len() > nesting && self.stack[nesting] == name;
        self.stack.truncate(nesting);
        if parent || symbol == '▶' {
            return;
        }
        let path = self.path(nesting, name);
        match symbol {
            '﹣' => {
                self.lines.skipped += 1;
                self.failing.add_test(&path, TestStatus::Skip);
            }
            // `✔ name (1ms) # reason` / `✖ …`: a todo test, whose result fails nothing.
            _ if marked => self.failing.add_test(&path, TestStatus::Skip),
            '✖' => {
                self.failing.add_test(&path, TestStatus::Fail);
                self.spec_excerpt = Some((path, nesting, Vec::new()));
            }
            _ => {
                if nesting == 0 && is_test_file_path(name) {
                    self.lines.empty_files += 1;
                }
                self.failing.add_test(&path, TestStatus::Pass);
            }
        }
    }

    /// Where the summary and the lines disagree, what each says.
    fn disagreement(&self) -> Option<String> {
        let s = &self.summary;
        let figure = |n: Option<u64>| n.unwrap_or(0);
        let sum = figure(s.pass) + figure(s.fail) + figure(s.cancelled) + figure(s.skipped) + figure(s.todo);
        if figure(s.tests) != sum {
            return Some(format!(
                "the summary's tests {} is not pass + fail + cancelled + skipped + todo = {sum}",
                figure(s.tests)
            ));
        }
        let l = &self.lines;
        let (said, seen) = if self.tap {
            (
                [s.pass, s.fail, s.cancelled, s.skipped, s.todo].map(figure),
                [l.passed, l.failed, l.cancelled, l.skipped, l.todo],
            )
        } else if let Some(suites) = s.suites {
            // spec: tests and suites each have a result line; only skips are marked apart.
            ([figure(s.tests) + suites, figure(s.skipped), 0, 0, 0], [l.results, l.skipped, 0, 0, 0])
        } else {
            return None;
        };
        (said != seen).then(|| {
            let names = ["pass", "fail", "cancelled", "skipped", "todo"];
            let names = if self.tap { names } else { ["tests + suites", "skipped", "", "", ""] };
            let parts: Vec<String> = names
                .iter()
                .zip(said.iter().zip(seen.iter()))
                .filter(|(_, (a, b))| a != b)
                .map(|(name, (a, b))| format!("{name} {a} in the summary, {b} in the test lines"))
                .collect();
            parts.join("; ")
        })
    }
}

impl RunnerParser for NodeTest {
    fn line(&mut self, line: &str) {
        if line == "TAP version 13" || line == "TAP version 14" {
            self.tap = true;
            return;
        }
        // The summary sits at depth 0: `# tests 6` (tap) or `ℹ tests 6` (spec).
        if let Some(rest) = line.strip_prefix("# ").or_else(|| line.strip_prefix("ℹ ")) {
            if !matches!(&self.pending, Some(p) if p.in_yaml) && self.summary.read(rest) {
                self.close_point();
                self.close_spec_excerpt();
                return;
            }
        }
        if self.tap && self.tap_line(line) {
            return;
        }
        if !self.tap {
            self.spec_line(line);
        }
    }

    fn finish(&self) -> Parsed {
        let mut this = self.clone();
        this.close_point();
        this.close_spec_excerpt();
        let s = this.summary;
        let closing = s.complete();
        let figure = |n: Option<u64>| n.unwrap_or(0);
        let (pass, fail, cancelled) = (figure(s.pass), figure(s.fail), figure(s.cancelled));
        let disagreement = if closing { this.disagreement() } else { None };
        let failing = this.failing;
        Parsed {
            parser: "node-test",
            // `cancelled` is node:test's own word; other TAP producers (tape) print none.
            recognised: s.tests.is_some() && s.cancelled.is_some(),
            closing,
            closing_required: true,
            counts: closing.then(|| TestCounts {
                passed: Some(pass),
                failed: fail,
                skipped: figure(s.skipped),
                todo: Some(figure(s.todo)),
                cancelled: Some(cancelled),
                ..TestCounts::default()
            }),
            failing: failing.failing,
            failing_omitted: failing.failing_omitted,
            tests: failing.tests,
            tests_omitted: failing.tests_omitted,
            // No test ran: none at all, all skipped or todo, or (Node 20) only the entries
            // of files that define no test.
            no_tests: closing && fail + cancelled == 0 && pass == this.lines.empty_files,
            disagreement,
            ..Parsed::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tap_titles_split_at_the_first_unescaped_directive() {
        assert_eq!(tap_title("- a \\# b # SKIP later").0, "a # b");
        assert!(tap_title("- a # SKIP later").1 == Directive::Skip);
        assert!(tap_title("- a # TODO").1 == Directive::Todo);
        assert!(tap_title("- a # EXPECTED FAILURE").1 == Directive::None);
        assert_eq!(tap_title("- path\\\\to").0, "path\\to");
    }

    #[test]
    fn spec_titles_drop_the_duration_and_see_a_reason() {
        assert_eq!(spec_title("adds (36.1ms)"), ("adds", true, false));
        assert_eq!(spec_title("f (x) (0.1ms) # later"), ("f (x)", true, true));
        assert_eq!(spec_title("math"), ("math", false, false));
    }

    #[test]
    fn a_file_entry_is_an_absolute_script_path() {
        assert!(is_test_file_path("/r/test/a.test.js"));
        assert!(is_test_file_path("C:\\r\\a.test.mjs"));
        assert!(!is_test_file_path("adds"));
        assert!(!is_test_file_path("/api/users"));
    }

    /// Newer Node's spec closes a parent with `▶ name (4.1ms)` instead of `✔`/`✖`
    /// (spec.js: a test that had children is reported with the `arrow:right` symbol).
    #[test]
    fn spec_parents_closed_by_an_arrow_are_parents() {
        let text = "▶ math\n  ✔ adds (0.9ms)\n  ✖ fails (1.3ms)\n    AssertionError: 1 !== 2\n\n▶ math (4.1ms)\n\n\
                    ℹ tests 2\nℹ suites 1\nℹ pass 1\nℹ fail 1\nℹ cancelled 0\nℹ skipped 0\nℹ todo 0\nℹ duration_ms 10\n";
        let mut p = NodeTest::default();
        text.lines().for_each(|l| p.line(l));
        let parsed = p.finish();
        assert_eq!(parsed.disagreement, None);
        assert_eq!(parsed.failing, ["math > fails"]);
        assert_eq!(parsed.tests.len(), 2);
        assert_eq!(parsed.tests[1].excerpt.as_deref(), Some("AssertionError: 1 !== 2"));
    }

    #[test]
    fn a_test_printing_a_summary_line_does_not_set_the_figures() {
        // The tap reporter shows a test's stdout as `# ` comments; the real summary is last.
        let text =
            "TAP version 13\n# tests 9\n# Subtest: a\nok 1 - a\n  ---\n  duration_ms: 1\n  ...\n1..1\n\
                    # tests 1\n# suites 0\n# pass 1\n# fail 0\n# cancelled 0\n# skipped 0\n# todo 0\n";
        let mut p = NodeTest::default();
        text.lines().for_each(|l| p.line(l));
        let parsed = p.finish();
        assert_eq!(parsed.counts.map(|c| c.total()), Some(1));
        assert_eq!(parsed.disagreement, None);
    }
}
