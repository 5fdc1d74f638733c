//! tsc: `file(line,col): error TSnnnn:` lines; `Found N errors` when pretty. A clean
//! typecheck prints nothing, so no closing line is required. Only the error lines
//! recognise tsc: ruff and mypy print `Found N error...` lines too.

use super::{Parsed, RunnerParser};
use crate::evidence::TestCounts;

#[derive(Default)]
pub struct Tsc {
    errors: u64,
    found: Option<u64>,
    files: Parsed,
}

/// `src/a.ts(2,25): error TS2307: ...` or pretty `src/a.ts:2:25 - error TS2307: ...`.
pub fn is_error_line(line: &str) -> bool {
    line.split_once("error TS").is_some_and(|(before, after)| {
        (before.ends_with("): ") || before.ends_with(" - ") || before.is_empty())
            && after.chars().next().is_some_and(|c| c.is_ascii_digit())
    })
}

/// tsc's closing line in its own wordings: `Found 1 error.`, `Found 2 errors.`,
/// `Found 1 error in src/a.ts:3`, `Found 2 errors in the same file, starting at: src/a.ts:3`,
/// `Found 3 errors in 2 files.` Not ruff's `Found 1 error (1 fixed, 0 remaining).` nor
/// mypy's `Found 3 errors in 1 file (checked 8 source files)`.
fn found_line(line: &str) -> Option<u64> {
    let rest = line.trim_end().strip_prefix("Found ")?;
    let (n, rest) = rest.split_once(' ')?;
    let n: u64 = n.parse().ok()?;
    let rest = rest.strip_prefix("errors").or_else(|| rest.strip_prefix("error"))?;
    let tsc = rest == "."
        || rest.starts_with(" in the same file, starting at: ")
        || rest.strip_prefix(" in ").is_some_and(|r| {
            r.strip_suffix(" files.").is_some_and(|m| m.parse::<u64>().is_ok())
                || (!r.contains(' ') && r.contains(':'))
        });
    tsc.then_some(n)
}

impl RunnerParser for Tsc {
    fn line(&mut self, line: &str) {
        if is_error_line(line) {
            self.errors += 1;
            let file = line.split(['(', ':']).next().unwrap_or("").trim();
            if !file.is_empty() && !file.starts_with("error TS") {
                self.files.add_failing(file);
            }
        } else if let Some(found) = found_line(line) {
            self.found = Some(found);
        }
    }

    fn finish(&self) -> Parsed {
        let errors = self.found.unwrap_or(0).max(self.errors);
        Parsed {
            parser: "tsc",
            recognised: self.errors > 0,
            closing: self.found.is_some(),
            closing_required: false,
            counts: Some(TestCounts { errors: Some(errors), ..TestCounts::default() }),
            failing: self.files.failing.clone(),
            failing_omitted: self.files.failing_omitted,
            build_failed: errors > 0,
            tests: Vec::new(),
            tests_omitted: 0,
            no_tests: false,
            tool: Some("tsc"),
            ..Parsed::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_lines_in_tsc_wording_only() {
        assert_eq!(found_line("Found 1 error."), Some(1));
        assert_eq!(found_line("Found 12 errors."), Some(12));
        assert_eq!(found_line("Found 1 error in src/a.ts:3"), Some(1));
        assert_eq!(found_line("Found 2 errors in the same file, starting at: src/a.ts:3"), Some(2));
        assert_eq!(found_line("Found 3 errors in 2 files."), Some(3));
        assert_eq!(found_line("Found 1 error (1 fixed, 0 remaining)."), None, "ruff");
        assert_eq!(found_line("Found 3 errors in 1 file (errors prevented further checking)"), None, "mypy");
        assert_eq!(found_line("Found 3 errors in 1 file (checked 8 source files)"), None, "mypy");
    }

    #[test]
    fn only_error_lines_recognise_tsc() {
        let mut t = Tsc::default();
        t.line("Found 2 errors.");
        assert!(!t.finish().recognised);
        t.line("src/a.ts(2,25): error TS2307: Cannot find module 'x'.");
        let p = t.finish();
        assert!(p.recognised && p.build_failed);
        assert_eq!(p.counts.unwrap().errors, Some(2));
    }
}
