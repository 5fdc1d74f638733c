//! Gates with no test runner (`parser = "none"`, `go build`, `cargo clippy`, `ruff`):
//! compile and typecheck errors, which are `BUILD_FAILED`, apart from lint findings,
//! which fail the gate as lints. Each tool is told by lines only it prints, or by the
//! command's words; a lone `Found N errors` line names no tool.

use super::{tsc, Parsed, RunnerParser};
use crate::evidence::TestCounts;

/// The build or lint tool a command line runs, when its words say so.
pub fn tool_of_command(command: &str) -> Option<&'static str> {
    let words: Vec<&str> = command.split_whitespace().map(|w| w.rsplit('/').next().unwrap_or(w)).collect();
    let pair = |a: &str, b: &str| words.windows(2).any(|p| p[0] == a && p[1] == b);
    if words.contains(&"clippy") || words.contains(&"cargo-clippy") {
        Some("clippy")
    } else if pair("go", "vet") {
        Some("go vet")
    } else if pair("go", "build") {
        Some("go build")
    } else if words.contains(&"ruff") {
        Some("ruff")
    } else if words.contains(&"mypy") {
        Some("mypy")
    } else if words.contains(&"eslint") {
        Some("eslint")
    } else if words.windows(2).any(|p| p[0] == "cargo" && ["build", "check"].contains(&p[1])) {
        Some("rustc")
    } else {
        None
    }
}

#[derive(Default)]
pub struct Build {
    /// The tool the command names, if any.
    hint: Option<&'static str>,
    /// rustc: `error[E0308]` diagnostics (the code does not compile).
    rust_coded: u64,
    /// rustc: `error: ...` diagnostics without a code (lints under `deny`, syntax errors).
    rust_uncoded: u64,
    /// rustc or cargo gave up: `could not compile`, `aborting due to`.
    rust_gave_up: bool,
    /// rustc: `due to N previous errors`, summed over crates.
    rust_previous: u64,
    /// rustc: a note or link that only lints carry.
    rust_lint_marks: bool,
    clippy_marks: bool,
    /// go: the `# package` line just read, waiting for its first position line.
    go_header: bool,
    /// A `# package` line was read: position lines after it are go's.
    go_package_seen: bool,
    go_vet_mode: bool,
    go_build_packages: u64,
    go_vet_findings: u64,
    go_failed_markers: bool,
    tsc_errors: u64,
    ruff_seen: bool,
    ruff_found: Option<u64>,
    ruff_remaining: Option<u64>,
    mypy_errors: Option<u64>,
    eslint_errors: Option<u64>,
}

impl Build {
    pub fn for_command(command: &str) -> Self {
        Build { hint: tool_of_command(command), ..Build::default() }
    }
}

/// A test runner's build failure that was only denied lints (`RUSTFLAGS=-D warnings`)
/// becomes a lint failure: the code compiled.
pub fn lints_not_compile_errors(parsed: &mut Parsed, diagnostics: &Build) {
    if !parsed.build_failed {
        return;
    }
    let read = diagnostics.finish();
    if read.lint_failed {
        parsed.build_failed = false;
        parsed.lint_failed = true;
        parsed.tool = read.tool;
        parsed.counts.get_or_insert_with(TestCounts::default).lints = read.counts.and_then(|c| c.lints);
    }
}

/// `./decode.go:614:30: cannot use ...` (the column is optional).
fn is_go_position(line: &str) -> bool {
    let mut parts = line.splitn(3, ':');
    let (Some(file), Some(row)) = (parts.next(), parts.next()) else { return false };
    file.ends_with(".go")
        && !file.contains(' ')
        && !row.is_empty()
        && row.chars().all(|c| c.is_ascii_digit())
        && parts.next().is_some()
}

/// The Go compiler's wordings (gc and go/types, Go 1.19–1.23) for a position line's
/// message: under a `# package` line from an unnamed command, these make it a build
/// failure; any other message there is a `go vet` finding (`fmt.Printf format %d has
/// arg s of wrong type string`), since both tools print the same layout.
const GO_COMPILER_WORDS: &[&str] = &[
    "undefined: ",
    "undeclared name: ",
    "cannot use ",
    "cannot convert ",
    "cannot assign ",
    "cannot call ",
    "cannot range ",
    "cannot infer ",
    "cannot find package",
    "could not import ",
    "declared but not used",
    "declared and not used",
    "imported and not used",
    "imported but not used",
    "syntax error",
    "missing return",
    "missing function body",
    "too many arguments",
    "not enough arguments",
    "too many return values",
    "not enough return values",
    "too many errors",
    "invalid operation",
    "invalid argument",
    "invalid composite literal",
    "mismatched types",
    "assignment mismatch",
    "no new variables",
    "redeclared",
    "is not a type",
    "is not used",
    "has no field or method",
    "does not implement",
    "non-boolean condition",
    "unexpected ",
    "expected ",
    "no required module",
    "use of package ",
    "non-name ",
    "label ",
    "duplicate ",
];

/// The message of a Go position line (`path.go:l:c: message`).
fn go_message(line: &str) -> &str {
    line.splitn(4, ':').nth(3).or_else(|| line.splitn(3, ':').nth(2)).unwrap_or("").trim()
}

fn is_go_compiler_message(message: &str) -> bool {
    GO_COMPILER_WORDS.iter().any(|w| message.starts_with(w) || message.contains(&format!(" {w}")))
}

/// `src/a.py:1:8: F401 [*] ...`: ruff's default output, a rule code after the position.
fn is_ruff_diagnostic(line: &str) -> bool {
    let mut parts = line.splitn(4, ':');
    let (Some(_), Some(row), Some(col), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let code = rest.split_whitespace().next().unwrap_or("");
    let digits = code.trim_start_matches(|c: char| c.is_ascii_uppercase());
    [row, col].iter().all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && digits.len() < code.len()
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
}

/// The first number in `text`.
fn first_number(text: &str) -> Option<u64> {
    text.split(|c: char| !c.is_ascii_digit()).find(|t| !t.is_empty()).and_then(|n| n.parse().ok())
}

impl RunnerParser for Build {
    fn line(&mut self, line: &str) {
        let go_header = std::mem::take(&mut self.go_header);
        if let Some(rest) = line.strip_prefix("# ") {
            if rest.starts_with('[') {
                self.go_vet_mode = true;
            } else if !rest.contains(' ') {
                self.go_header = true;
                self.go_package_seen = true;
            }
            return;
        }
        if let Some(position) = line.strip_prefix("vet: ") {
            // vet could not type-check the package: it does not compile.
            if is_go_position(position.trim_start()) {
                self.go_build_packages += 1;
                return;
            }
        }
        if is_go_position(line) {
            // `go build` names a build; `go vet` (or its `# [package]` line) a vet run;
            // an unnamed command is told by the compiler's wording.
            let compiler = is_go_compiler_message(go_message(line));
            let vet = self.go_vet_mode
                || self.hint == Some("go vet")
                || self.hint.is_none() && self.go_package_seen && !compiler;
            if vet {
                self.go_vet_findings += 1;
            } else if go_header {
                self.go_build_packages += 1;
            }
            return;
        }
        if line.contains("[build failed]") || line.contains("[setup failed]") {
            self.go_failed_markers = true;
        }
        if tsc::is_error_line(line) {
            self.tsc_errors += 1;
            return;
        }
        if line.starts_with("error[E") {
            self.rust_coded += 1;
        } else if let Some(rest) = line.strip_prefix("error: ") {
            if rest.starts_with("could not compile") {
                // `... due to 9 previous errors` / `due to 1 previous error; 2 warnings emitted`
                if let Some((_, n)) = rest.split_once(" due to ") {
                    self.rust_previous += first_number(n).unwrap_or(0);
                }
                self.rust_gave_up = true;
            } else if rest.starts_with("aborting due to") {
                self.rust_gave_up = true;
            } else {
                self.rust_uncoded += 1;
            }
        } else if line.contains("rust-lang.github.io/rust-clippy") || line.contains("`-D clippy::") {
            self.clippy_marks = true;
            self.rust_lint_marks = true;
        } else if line.contains("implied by `-D warnings`")
            || line.contains("`#[deny(")
            || line.contains("`#[forbid(")
        {
            self.rust_lint_marks = true;
        }
        if is_ruff_diagnostic(line)
            || line.starts_with("All checks passed!")
            || line.starts_with("[*] ") && line.contains("fixable with the `--fix` option")
            || line.starts_with("Fixed ") && line.trim_end().ends_with(':')
        {
            self.ruff_seen = true;
        }
        if let Some(rest) = line.strip_prefix("Found ") {
            if rest.contains(" in ") && rest.contains(" file") && rest.contains(" (") {
                // mypy: `Found 3 errors in 1 file (checked 8 source files)`.
                self.mypy_errors = first_number(rest);
            } else if rest.split_whitespace().nth(1).is_some_and(|w| w.starts_with("error")) {
                // ruff: `Found 3 errors.` or `Found 1 error (1 fixed, 0 remaining).`
                self.ruff_found = first_number(rest);
                self.ruff_remaining = rest
                    .split_once(" fixed, ")
                    .map(|(_, r)| first_number(r).unwrap_or(0))
                    .or(self.ruff_found);
            }
        } else if line.starts_with("Success: no issues found") {
            self.mypy_errors = Some(0);
        } else if let Some(rest) = line.strip_prefix("✖ ") {
            // eslint: `✖ 3 problems (2 errors, 1 warning)`
            if let Some((_, detail)) = rest.split_once(" (") {
                self.eslint_errors = detail.split(", ").find_map(|part| {
                    let (n, word) = part.split_once(' ')?;
                    word.starts_with("error").then(|| n.parse().ok()).flatten()
                });
            }
        }
    }

    fn finish(&self) -> Parsed {
        let mut parsed = Parsed { parser: "none", ..Parsed::default() };
        let mut counts = TestCounts::default();
        // Any tool may print `error: ...`; only rustc gives up with `could not compile`.
        let rust = self.rust_coded > 0 || self.rust_gave_up;
        let ruff = self.ruff_seen || self.hint == Some("ruff");
        if self.tsc_errors > 0 {
            parsed.tool = Some("tsc");
            parsed.build_failed = true;
            counts.errors = Some(self.tsc_errors);
        } else if rust && (self.rust_coded > 0 || !self.rust_lint_marks) {
            parsed.tool = Some("rustc");
            parsed.build_failed = true;
        } else if rust {
            // Every diagnostic is a lint the flags or attributes deny: the code compiles.
            let clippy = self.clippy_marks || self.hint == Some("clippy");
            parsed.tool = Some(if clippy { "clippy" } else { "rustc" });
            parsed.lint_failed = true;
            counts.lints =
                Some(if self.rust_previous > 0 { self.rust_previous } else { self.rust_uncoded.max(1) });
        } else if self.go_build_packages > 0 || self.go_failed_markers {
            parsed.tool = Some("go build");
            parsed.build_failed = true;
            counts.packages_build_failed = Some(self.go_build_packages.max(1));
        } else if self.go_vet_findings > 0 {
            parsed.tool = Some("go vet");
            parsed.lint_failed = true;
            counts.lints = Some(self.go_vet_findings);
        } else if let Some(n) = self.mypy_errors {
            parsed.tool = Some("mypy");
            parsed.build_failed = n > 0;
            counts.errors = Some(n);
        } else if let (true, Some(n)) = (ruff, self.ruff_remaining) {
            parsed.tool = Some("ruff");
            parsed.lint_failed = n > 0;
            counts.lints = Some(n);
        } else if let Some(n) = self.eslint_errors {
            parsed.tool = Some("eslint");
            parsed.lint_failed = n > 0;
            counts.lints = Some(n);
        } else {
            parsed.tool = self.hint.or(ruff.then_some("ruff"));
            return parsed;
        }
        parsed.counts = Some(counts);
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(command: &str, text: &str) -> Parsed {
        let mut p = Build::for_command(command);
        for line in text.lines() {
            p.line(line);
        }
        p.finish()
    }

    #[test]
    fn tools_from_command_words() {
        assert_eq!(tool_of_command("cargo clippy --workspace -- -D warnings"), Some("clippy"));
        assert_eq!(tool_of_command("go vet ./..."), Some("go vet"));
        assert_eq!(tool_of_command("go build ./..."), Some("go build"));
        assert_eq!(tool_of_command(".venv/bin/ruff check --fix ."), Some("ruff"));
        assert_eq!(tool_of_command(".venv/bin/mypy"), Some("mypy"));
        assert_eq!(tool_of_command("npx eslint src"), Some("eslint"));
        assert_eq!(tool_of_command("make"), None);
    }

    #[test]
    fn rust_compile_error_is_a_build_failure() {
        let p = read(
            "cargo build",
            "error[E0308]: mismatched types\n --> src/lib.rs:1:1\nerror: could not compile `x` (lib) due to 1 previous error\n",
        );
        assert!(p.build_failed && !p.lint_failed);
        assert_eq!(p.tool, Some("rustc"));
        // A syntax error has no code and no lint note: still a build failure.
        let p = read(
            "cargo clippy",
            "error: expected one of `;`\nerror: could not compile `x` (lib) due to 1 previous error\n",
        );
        assert!(p.build_failed);
    }

    #[test]
    fn rust_lints_denied_are_lints() {
        let text = "error: the following explicit lifetimes could be elided: 'a\n  = help: for further information visit https://rust-lang.github.io/rust-clippy/master/index.html#needless_lifetimes\n  = note: `-D clippy::needless-lifetimes` implied by `-D warnings`\nerror: unused variable: `x`\nerror: could not compile `m` (lib) due to 2 previous errors\n";
        let p = read("make lint", text);
        assert!(p.lint_failed && !p.build_failed);
        assert_eq!((p.tool, p.counts.unwrap().lints), (Some("clippy"), Some(2)));
        let rustc = "error: unused variable: `x`\n  = note: `-D unused-variables` implied by `-D warnings`\nerror: could not compile `m` (lib) due to 1 previous error\n";
        let p = read("cargo build", rustc);
        assert!(p.lint_failed);
        assert_eq!(p.tool, Some("rustc"));
    }

    #[test]
    fn go_build_and_go_vet() {
        let build = "# github.com/BurntSushi/toml\n./decode.go:614:30: cannot use \"x\" as int value\n";
        let p = read("make", build);
        assert!(p.build_failed);
        assert_eq!(p.counts.unwrap().packages_build_failed, Some(1));
        let vet = "# example.com/m\n# [example.com/m]\n./main.go:6:2: fmt.Printf format %d has arg x of wrong type string\n";
        let p = read("go vet ./...", vet);
        assert!(p.lint_failed && !p.build_failed);
        assert_eq!(p.counts.unwrap().lints, Some(1));
        let p = read("go vet ./...", "# example.com/m\nvet: ./main.go:6:2: undefined: x\n");
        assert!(p.build_failed, "vet could not type-check: a build failure");
        // Behind a command that names neither tool, the message tells them apart.
        let finding = "# example.com/m\nm/m.go:6:2: fmt.Printf format %d has arg s of wrong type string\n";
        let p = read("make check", finding);
        assert!(p.lint_failed && !p.build_failed, "{p:?}");
        assert_eq!(p.tool, Some("go vet"));
        let p =
            read("make check", "# example.com/m\nm/m.go:3:23: undefined: x\nm/m.go:4:1: missing return\n");
        assert!(p.build_failed && !p.lint_failed, "{p:?}");
        assert_eq!(p.counts.unwrap().packages_build_failed, Some(1));
        assert!(read("go build ./...", finding).build_failed, "go build's output is a build's");
    }

    #[test]
    fn ruff_mypy_eslint() {
        let fixed = "Fixed 1 error:\n- src/a.py:\n    1 × F401 (unused-import)\n\nFound 1 error (1 fixed, 0 remaining).\n";
        let p = read("make", fixed);
        assert_eq!((p.tool, p.lint_failed), (Some("ruff"), false));
        let p = read("ruff check .", "src/a.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.\n[*] 1 fixable with the `--fix` option.\n");
        assert!(p.lint_failed);
        assert_eq!(p.counts.unwrap().lints, Some(1));
        // A lone `Found N errors.` names no tool.
        let p = read("make", "Found 2 errors.\n");
        assert!(!p.lint_failed && !p.build_failed && p.tool.is_none());
        let p = read(
            "mypy",
            "src/a.py:3: error: x  [misc]\nFound 3 errors in 1 file (errors prevented further checking)\n",
        );
        assert_eq!((p.tool, p.build_failed), (Some("mypy"), true));
        assert_eq!(p.counts.unwrap().errors, Some(3));
        let p = read("mypy", "Success: no issues found in 8 source files\n");
        assert!(!p.build_failed);
        let p = read("npx eslint .", "\n✖ 3 problems (2 errors, 1 warning)\n");
        assert_eq!((p.tool, p.counts.unwrap().lints), (Some("eslint"), Some(2)));
        let p = read("npx eslint .", "\n✖ 1 problem (0 errors, 1 warning)\n");
        assert!(!p.lint_failed);
    }
}
