//! Every parser on the real runner outputs in tests/fixtures/runner-output (copied from
//! shared/fixtures), plus cases of our own: `index.tsv` names each file's command and exit
//! code; `<file>.expected` holds what the parser and the classifier make of it.

use closeout::classify::{classify, Ending};
use closeout::model::ParserKind;
use closeout::parse::parse_text;

use crate::support::{expect_file, fixtures};

#[test]
fn parsers_and_classification_on_real_outputs() {
    let dir = fixtures().join("runner-output");
    let index = std::fs::read_to_string(dir.join("index.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for row in index.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, command, exit) = (cols[0], cols[1], cols[2].parse::<i32>().unwrap());
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let parsed = parse_text(ParserKind::Auto, command, &text);
        let ending = Ending::Exited(exit);
        let (outcome, reason) = classify(&ending, text.len() as u64, true, &parsed);
        let tests: Vec<String> = parsed
            .tests
            .iter()
            .map(|t| match &t.group {
                Some(group) => format!("[{group}] {}={:?}", t.name, t.status),
                None => format!("{}={:?}", t.name, t.status),
            })
            .collect();
        let excerpts: Vec<String> = parsed
            .tests
            .iter()
            .filter_map(|t| {
                Some(format!("  {}:\n    {}", t.name, t.excerpt.as_ref()?.replace('\n', "\n    ")))
            })
            .collect();
        let actual = format!(
            "command: {command}\nparser: {}{}\noutcome: {outcome}\nreason: {reason}\ncounts: {}\nfailing: {:?}\nclosing: {}\ntests: {tests:?}\nexcerpts:\n{}",
            parsed.parser,
            parsed.tool.map_or(String::new(), |t| format!(" ({t})")),
            parsed.counts.as_ref().map_or("none".into(), |c| serde_json::to_string(c).unwrap()),
            parsed.failing,
            parsed.closing,
            excerpts.iter().map(|e| format!("{e}\n")).collect::<String>(),
        );
        let expected = dir.join(format!("{file}.expected"));
        if let Some(diff) = expect_file(&expected, &actual) {
            failures.push(diff);
        }
        count += 1;
    }
    assert!(count >= 15, "index.tsv lists {count} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The real outputs of issue 14 against the runners' own figures (each from the README
/// that came with the output in shared/fixtures/runner-output/real), not against what
/// closeout printed: outcome, then passed / failed / skipped, subtests passed, suites
/// that failed to load, errors, lints, and how many failures are named.
#[test]
fn real_outputs_read_as_the_runners_own_figures() {
    type Figures = (&'static str, &'static str, i32, &'static str, [u64; 3], u64, u64, u64, u64, usize);
    let cases: [Figures; 20] = [
        (
            "real-vitest-filter-nomatch.txt",
            "npx vitest run parse -t zz_no_such_test",
            0,
            "NO_TESTS",
            [0, 0, 56],
            0,
            0,
            0,
            0,
            0,
        ),
        (
            "real-jest-filter-nomatch.txt",
            "npx jest 'tests/options\\.' -t zz_no_such_test",
            0,
            "NO_TESTS",
            [0, 0, 324],
            0,
            0,
            0,
            0,
            0,
        ),
        // Behind an opaque command, by its output alone.
        ("real-vitest-filter-nomatch.txt", "make test", 0, "NO_TESTS", [0, 0, 56], 0, 0, 0, 0, 0),
        ("real-ruff-fix.txt", ".venv/bin/ruff check --fix .", 0, "PASS", [0, 0, 0], 0, 0, 0, 0, 0),
        ("real-ruff-fix.txt", "make lint", 0, "PASS", [0, 0, 0], 0, 0, 0, 0, 0),
        ("real-pytest9-subtests-pass.txt", ".venv/bin/pytest -v t.py", 0, "PASS", [1, 0, 0], 3, 0, 0, 0, 0),
        ("real-pytest9-subtests-fail.txt", "make test", 1, "FAIL", [1, 2, 0], 2, 0, 0, 0, 2),
        (
            "real-pytest9-subtests-fail-quiet.txt",
            ".venv/bin/pytest t.py",
            1,
            "FAIL",
            [1, 2, 0],
            0,
            0,
            0,
            0,
            2,
        ),
        ("real-go-build-error.txt", "go build ./...", 2, "BUILD_FAILED", [0, 0, 0], 0, 0, 0, 0, 0),
        // go vet 1.19: one finding (one position line); by the command and by its wording.
        ("real-go-vet.txt", "go vet ./...", 2, "FAIL", [0, 0, 0], 0, 0, 0, 1, 0),
        ("real-go-vet.txt", "make vet", 2, "FAIL", [0, 0, 0], 0, 0, 0, 1, 0),
        // vet could not type-check a package (`vet: ` prefix): the code does not build.
        ("real-go-vet-build-error.txt", "go vet ./...", 2, "BUILD_FAILED", [0, 0, 0], 0, 0, 0, 0, 0),
        (
            "real-jest-suites-fail-all.txt",
            "npx jest 'tests/options\\.'",
            1,
            "FAIL",
            [0, 0, 0],
            0,
            24,
            0,
            0,
            24,
        ),
        ("real-jest-suites-fail-some.txt", "npx jest tests/help", 1, "FAIL", [11, 0, 0], 0, 23, 0, 0, 23),
        (
            "real-vitest-unhandled-error.txt",
            "npx vitest run --typecheck.only",
            1,
            "FAIL",
            [2, 0, 0],
            0,
            0,
            1,
            0,
            1,
        ),
        ("real-vitest-failed-suite.txt", "npx vitest run base", 1, "FAIL", [129, 0, 0], 0, 1, 0, 0, 1),
        ("real-vitest-one-failed.txt", "npx vitest run parse", 1, "FAIL", [310, 1, 0], 0, 0, 0, 0, 1),
        (
            "real-go-subtests.txt",
            "go test -count=1 -run TestToml -v ./...",
            0,
            "PASS",
            [3, 0, 0],
            2199,
            0,
            0,
            0,
            0,
        ),
        (
            "real-cargo-workspace.txt",
            "cargo test --workspace --exclude ripgrep --locked",
            0,
            "PASS",
            [722, 0, 3],
            0,
            0,
            0,
            0,
            0,
        ),
        (
            "real-clippy-denied.txt",
            "cargo clippy --workspace --locked -- -D warnings",
            101,
            "FAIL",
            [0, 0, 0],
            0,
            0,
            0,
            9,
            0,
        ),
    ];
    let dir = fixtures().join("runner-output");
    for (file, command, exit, outcome, [passed, failed, skipped], subtests, suites, errors, lints, named) in
        cases
    {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let parsed = parse_text(ParserKind::Auto, command, &text);
        let (got, reason) = classify(&Ending::Exited(exit), text.len() as u64, true, &parsed);
        let c = parsed.counts.clone().unwrap_or_default();
        let at = format!("{file} ({command}): {got} {reason:?} {c:?}");
        assert_eq!(got.to_string(), outcome, "{at}");
        assert_eq!(
            [c.passed, Some(c.failed), Some(c.skipped)],
            [Some(passed), Some(failed), Some(skipped)],
            "{at}"
        );
        assert_eq!(c.subtests.map_or(0, |s| s.passed), subtests, "{at}");
        assert_eq!(c.suites_failed.unwrap_or(0), suites, "{at}");
        assert_eq!(c.errors.unwrap_or(0), errors, "{at}");
        assert_eq!(c.lints.unwrap_or(0), lints, "{at}");
        assert_eq!(parsed.failing.len(), named, "{at}: {:?}", parsed.failing);
        assert!(!reason.contains("no tests ran") || outcome == "NO_TESTS", "{at}");
        assert!(!reason.contains("compile error") && !reason.contains("type error"), "{at}");
    }
}

/// Auto-detection never takes a tool's `Found N error` line for tsc.
#[test]
fn found_lines_of_other_tools_are_not_tsc() {
    let mypy = "src/a.py:3: error: Invalid syntax  [syntax]\nFound 3 errors in 1 file (errors prevented further checking)\n";
    for (text, command) in [
        (std::fs::read_to_string(fixtures().join("runner-output/real-ruff-fix.txt")).unwrap(), "make lint"),
        (mypy.to_string(), "make typecheck"),
        ("Found 2 errors.\n".to_string(), "./check.sh"),
    ] {
        let parsed = parse_text(ParserKind::Auto, command, &text);
        assert_eq!(parsed.parser, "none", "{text}");
        assert_ne!(parsed.tool, Some("tsc"), "{text}");
    }
}

/// node:test's real outputs (node v20.20.2; `tap`, the default when piped, and `spec`)
/// against node's own summary lines (`# tests`/`ℹ tests`, pass, fail, cancelled,
/// skipped, todo), written down by hand from each file, not from what closeout printed;
/// then the outcome the rules give and the failing tests named.
#[test]
fn node_test_outputs_read_as_nodes_own_summary() {
    // file stem, exit, outcome, [tests, pass, fail, cancelled, skipped, todo], failing named
    let cases: [(&str, i32, &str, [u64; 6], usize); 8] = [
        ("pass", 0, "PASS", [2, 2, 0, 0, 0, 0], 0),
        ("fail", 1, "FAIL", [2, 1, 1, 0, 0, 0], 1),
        ("skip", 0, "PASS", [4, 1, 0, 0, 2, 1], 0),
        ("nested", 1, "FAIL", [6, 5, 1, 0, 0, 0], 1),
        // Node 20 reports a file that defines no test as one passing entry.
        ("zero", 0, "NO_TESTS", [1, 1, 0, 0, 0, 0], 0),
        ("empty", 0, "NO_TESTS", [0, 0, 0, 0, 0, 0], 0),
        ("cancel", 1, "FAIL", [5, 1, 1, 2, 0, 1], 2),
        ("broken", 1, "FAIL", [2, 1, 1, 0, 0, 0], 1),
    ];
    let dir = fixtures().join("runner-output");
    for reporter in ["tap", "spec"] {
        for (stem, exit, outcome, [tests, pass, fail, cancelled, skipped, todo], named) in cases {
            let file = format!("real-node-{reporter}-{stem}.txt");
            let text = std::fs::read_to_string(dir.join(&file)).unwrap();
            // By the command's words, and behind `npm test` by the output alone.
            for command in ["node --test", "npm test"] {
                let parsed = parse_text(ParserKind::Auto, command, &text);
                let (got, reason) = classify(&Ending::Exited(exit), text.len() as u64, true, &parsed);
                let c = parsed.counts.clone().unwrap_or_default();
                let at = format!("{file} ({command}): {got} {reason:?} {c:?}");
                assert_eq!(parsed.parser, "node-test", "{at}");
                assert_eq!(got.to_string(), outcome, "{at}");
                assert_eq!(
                    [
                        c.total(),
                        c.passed.unwrap_or(0),
                        c.failed,
                        c.cancelled.unwrap_or(0),
                        c.skipped,
                        c.todo.unwrap_or(0)
                    ],
                    [tests, pass, fail, cancelled, skipped, todo],
                    "{at}"
                );
                // tap names the parent a failing subtest failed too; spec cannot tell it.
                let extra = usize::from(reporter == "tap" && stem == "cancel");
                assert_eq!(parsed.failing.len(), named + extra, "{at}: {:?}", parsed.failing);
            }
        }
    }
}

/// A node:test summary that is missing, cut short or at odds with the test lines is
/// never a pass.
#[test]
fn node_test_output_that_is_not_whole_is_not_a_pass() {
    let dir = fixtures().join("runner-output");
    let whole = std::fs::read_to_string(dir.join("real-node-tap-pass.txt")).unwrap();
    let cut = whole.split("# tests").next().unwrap();
    let edited = whole.replace("# pass 2", "# pass 3").replace("# tests 2", "# tests 3");
    for (text, outcome) in [(cut.to_string(), "TRUNCATED"), (edited, "TRUNCATED"), (whole, "PASS")] {
        let parsed = parse_text(ParserKind::NodeTest, "node --test", &text);
        let (got, reason) = classify(&Ending::Exited(0), text.len() as u64, true, &parsed);
        assert_eq!(got.to_string(), outcome, "{reason}\n{text}");
    }
}

/// `go test` without -v (real go 1.19.8 outputs): the summary counts packages and says
/// that passing tests went uncounted; it never reads "0 passed". The figures are go's
/// own package lines (`ok`, `FAIL`, `?`) and `--- FAIL:` markers in each file.
#[test]
fn go_without_v_says_what_it_counted() {
    let note = "passing tests not counted (go test lists them with -v or -json)";
    for (file, expected) in [
        ("real-go-plain-pass.txt", format!("1 package ok, {note}")),
        ("real-go-plain-fail.txt", format!("1 package ok, 1 package failed, 1 failed, {note}")),
        ("own-go-nonverbose-pass.txt", format!("2 packages ok, {note}")),
        ("real-go-plain-fail-counted.txt", format!("1 package failed, 1 failed, {note}")),
    ] {
        let text = std::fs::read_to_string(fixtures().join("runner-output").join(file)).unwrap();
        let summary = parse_text(ParserKind::Auto, "go test ./...", &text).counts.unwrap().summary();
        assert_eq!(summary, expected, "{file}");
        assert!(!summary.contains("0 passed"), "{file}: {summary}");
    }
    // The package of real-go-plain-fail-counted.txt under -v: go's own lines name two
    // passing tests and one failing; without -v the record has no `passed` key at all.
    let dir = fixtures().join("runner-output");
    let plain = std::fs::read_to_string(dir.join("real-go-plain-fail-counted.txt")).unwrap();
    let verbose = std::fs::read_to_string(dir.join("real-go-verbose-fail-counted.txt")).unwrap();
    let go_passed = verbose.lines().filter(|l| l.starts_with("--- PASS: ")).count() as u64;
    let go_failed = verbose.lines().filter(|l| l.starts_with("--- FAIL: ")).count() as u64;
    let v = parse_text(ParserKind::Auto, "go test -v ./...", &verbose).counts.unwrap();
    assert_eq!((v.passed, v.failed), (Some(go_passed), go_failed));
    assert_eq!(v.summary(), format!("{go_passed} passed, {go_failed} failed"));
    let p = parse_text(ParserKind::Auto, "go test ./...", &plain).counts.unwrap();
    assert_eq!((p.passed, p.failed), (None, go_failed));
    let json = serde_json::to_value(&p).unwrap();
    assert!(json.get("passed").is_none(), "{json}");
    // With -v the tests are counted as such.
    let text = std::fs::read_to_string(fixtures().join("runner-output/real-go-subtests.txt")).unwrap();
    let summary = parse_text(ParserKind::Auto, "go test -v ./...", &text).counts.unwrap().summary();
    assert!(summary.starts_with("3 passed"), "{summary}");
}

/// `python3 -m pytest` where the interpreter has no pytest (real Python 3.11.7 output:
/// runpy's `"%s: %s" % (sys.executable, "No module named %s" % mod_name)`, exit 1) is
/// SPAWN_FAILED naming the module, the interpreter and what to do, never TRUNCATED.
#[test]
fn a_python_module_that_is_not_installed_is_spawn_failed() {
    let dir = fixtures().join("runner-output");
    for (file, command, module) in [
        ("real-python-no-pytest.txt", "python3 -m pytest", "pytest"),
        ("real-python-no-package.txt", "python3 -m nosuch.sub", "nosuch"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let interpreter = text.split(": ").next().unwrap();
        let parsed = parse_text(ParserKind::Auto, command, &text);
        let (outcome, reason) = classify(&Ending::Exited(1), text.len() as u64, true, &parsed);
        assert_eq!(outcome.to_string(), "SPAWN_FAILED", "{file}: {reason}");
        for part in [
            format!(
                "`{command}`: the module `{module}` is not installed for this interpreter ({interpreter})"
            ),
            format!("pip install {module}"),
            "virtualenv".into(),
            "fix the gate's `run`".into(),
        ] {
            assert!(reason.contains(&part), "{file}: {part:?} not in {reason}");
        }
    }
    // The same line from a gate that runs no module that way changes nothing.
    let text = std::fs::read_to_string(dir.join("real-python-no-pytest.txt")).unwrap();
    let parsed = parse_text(ParserKind::Auto, "pytest", &text);
    assert_ne!(classify(&Ending::Exited(1), 9, true, &parsed).0.to_string(), "SPAWN_FAILED");
}

/// Outputs found by a fresh tester (tests/fixtures/runner-output/unseen/README.md), and
/// mocha's, which closeout now reads: what
/// each runner's own summary says, not what closeout printed. The cases behind `| cat`
/// exit 0 whatever the runner did.
#[test]
fn unseen_outputs_read_as_the_runners_own_figures() {
    // file, command, gate's exit code, outcome, passed, failed, skipped, todo; the runner's line.
    type Case = (&'static str, &'static str, i32, &'static str, Option<u64>, u64, u64, Option<u64>);
    let cases: [Case; 22] = [
        // `1 passed in 1.62s` then `!!! _pytest.outcomes.Exit: stop here !!!`: 1 of 3 ran.
        ("py-exit-mid.txt", "pytest exitmid", 0, "TRUNCATED", Some(1), 0, 0, None),
        // `!!! KeyboardInterrupt !!!`, `1 passed in 2.01s`; pytest exited 2.
        ("py-pipe-kbint.txt", "pytest kbint 2>&1 | cat", 0, "TRUNCATED", Some(1), 0, 0, None),
        // `FAIL rf.test/g/mainexit1` after `PASS`: TestMain exited 1.
        (
            "go-pipe-mainexit1-plain.txt",
            "go test -count=1 ./mainexit1 2>&1 | cat",
            0,
            "FAIL",
            None,
            0,
            0,
            None,
        ),
        (
            "go-pipe-json-mainexit1.txt",
            "go test -count=1 -json ./mainexit1 | cat",
            0,
            "FAIL",
            None,
            0,
            0,
            None,
        ),
        // `panic: test timed out after 1s`, `FAIL rf.test/g/timeout`.
        (
            "go-pipe-timeout-plain.txt",
            "go test -count=1 -timeout 1s ./timeout 2>&1 | cat",
            0,
            "FAIL",
            None,
            0,
            0,
            None,
        ),
        // `panic: late panic in goroutine`, `FAIL rf.test/g/fatalgoroutine`.
        (
            "go-pipe-lategoroutine.txt",
            "go test -count=1 ./fatalgoroutine 2>&1 | cat",
            0,
            "FAIL",
            None,
            0,
            0,
            None,
        ),
        // `signal: killed`, `FAIL rf.test/g/kill`.
        ("go-pipe-sigkill-plain.txt", "go test -count=1 ./kill 2>&1 | cat", 0, "FAIL", None, 0, 0, None),
        // `Jest: Coverage for functions (50%) does not meet "global" threshold (100%)`,
        // `Tests: 1 passed, 1 total`; jest exited 1.
        (
            "jest30-pipe-coverage-threshold.txt",
            "npx jest --coverage t/cov 2>&1 | cat",
            0,
            "FAIL",
            Some(1),
            0,
            0,
            None,
        ),
        // `1 failed, 1 passed, 1 xfailed, 1 xpassed in 0.67s`.
        ("py-xfail.txt", "pytest -rA xfail", 1, "FAIL", Some(1), 1, 0, None),
        // `1 failed, 1 passed, 1 skipped, 1 xfailed in 0.72s`.
        ("py-unittest.txt", "pytest -rA uni", 1, "FAIL", Some(1), 1, 1, None),
        // A test printed `test result: ok. 50 passed; ...`; libtest's own line is
        // `test result: FAILED. 0 passed; 1 failed; 0 ignored`.
        ("cargo-liar-nocapture.txt", "cargo test -p liar -- --nocapture", 101, "FAIL", Some(0), 1, 0, None),
        // `Tests  1 failed | 1 passed | 1 skipped | 1 todo (4)`.
        ("vitest4-basic.txt", "npx vitest run t/basic", 1, "FAIL", Some(1), 1, 1, Some(1)),
        // mocha 12: `1 passing (15ms)`, `2 pending`, `1 failing`.
        ("mocha-basic.txt", "mocha t/basic.spec.js", 1, "FAIL", Some(1), 1, 2, None),
        ("mocha-pipe-basic.txt", "mocha t/basic.spec.js 2>&1 | cat", 0, "FAIL", Some(1), 1, 2, None),
        // `process.exit(0)` in the first test: no `passing` line at all.
        ("mocha-exit0.txt", "mocha t/exit0.spec.js", 0, "TRUNCATED", None, 0, 0, None),
        // `0 passing (2ms)`.
        ("mocha-empty.txt", "mocha t/empty.spec.js", 0, "NO_TESTS", Some(0), 0, 0, None),
        // `2 passing (25ms)`, `1 failing` (a `before all` hook).
        ("mocha-hook.txt", "mocha t/hook.spec.js t/pass.spec.js", 1, "FAIL", Some(2), 1, 0, None),
        // Python 3.11 unittest: `Ran 6 tests`, `FAILED (failures=1, errors=1, skipped=1,
        // expected failures=1, unexpected successes=1)`: 1 passed.
        ("unittest-a.txt", "python3 -m unittest test_a", 1, "FAIL", Some(1), 2, 1, None),
        ("unittest-a.txt", "python3 -m unittest test_a | cat", 0, "FAIL", Some(1), 2, 1, None),
        ("unittest-av.txt", "python3 -m unittest -v test_a", 1, "FAIL", Some(1), 2, 1, None),
        // `Ran 2 tests`, `OK`.
        ("unittest-b.txt", "python3 -m unittest test_b", 0, "PASS", Some(2), 0, 0, None),
        // `Ran 0 tests`, `OK`.
        ("unittest-e.txt", "python3 -m unittest discover -s empty", 0, "NO_TESTS", Some(0), 0, 0, None),
    ];
    let dir = fixtures().join("runner-output/unseen");
    let mut wrong = Vec::new();
    for (file, command, exit, outcome, passed, failed, skipped, todo) in cases {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let parsed = parse_text(ParserKind::Auto, command, &text);
        let (got, reason) = classify(&Ending::Exited(exit), text.len() as u64, true, &parsed);
        let c = parsed.counts.clone().unwrap_or_default();
        let want = (outcome.to_string(), passed, failed, skipped, todo);
        let have = (got.to_string(), c.passed, c.failed, c.skipped, c.todo);
        // go without -v lists no passing tests: its passed count is not known.
        let have = if passed.is_none() { (have.0, None, have.2, have.3, have.4) } else { have };
        if want != have {
            wrong.push(format!("{file}: want {want:?}, got {have:?} ({reason})"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
