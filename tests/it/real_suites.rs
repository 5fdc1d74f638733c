//! closeout on real `go test` and vitest suites (tests/fixtures/real-suites): a failing
//! test, a build failure, a zero-match `-run` filter, a hanging test, a suite that fails to
//! import, no test files; go subtests, a result marker glued to output, `go build` and
//! `go vet` gates. Needs `go` and vitest (installed by .ci/run into
//! target/e2e/node); without them the test prints why and skips, unless
//! `CLOSEOUT_REQUIRE_REAL_SUITES=1` (as in CI) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

use closeout::evidence::{GateRecord, RunRecord};

use crate::support::{closeout, describe, fixtures, scratch};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn missing(what: &str) -> bool {
    let message = format!("skipped real-suite test: {what}");
    if std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_some() {
        panic!("{message}, and CLOSEOUT_REQUIRE_REAL_SUITES is set");
    }
    eprintln!("{message}");
    true
}

fn run(dir: &Path) -> (std::process::Output, RunRecord) {
    let out = closeout().args(["baseline", "--json"]).current_dir(dir).output().unwrap();
    let record = RunRecord::from_json(&String::from_utf8_lossy(&out.stdout), Path::new("stdout"))
        .unwrap_or_else(|e| panic!("{e}\n{}", describe(&out)));
    (out, record)
}

fn gate<'a>(record: &'a RunRecord, id: &str) -> &'a GateRecord {
    record.gates.iter().find(|g| g.id == id).unwrap()
}

fn check(g: &GateRecord, outcome: &str, passed: u64, failed: u64, skipped: u64, failing: &[&str]) {
    assert_eq!(g.outcome.to_string(), outcome, "{}: {g:#?}", g.id);
    let c = g.counts.clone().unwrap_or_default();
    // `go test -v` of a package that did not build, or ran no test, lists no test.
    assert_eq!((c.passed.unwrap_or(0), c.failed, c.skipped), (passed, failed, skipped), "{}: {g:#?}", g.id);
    assert_eq!(g.failing_tests, failing, "{}", g.id);
    let log = g.log.as_ref().unwrap();
    assert!(log.bytes > 0 && log.sha256.len() == 64, "{}", g.id);
}

#[test]
fn real_go_test_suites() {
    if Command::new("go").arg("version").output().is_err() && missing("`go` is not installed") {
        return;
    }
    let dir = scratch("real-go");
    copy_dir(&fixtures().join("real-suites/go"), &dir);
    let cache = dir.join(".gocache");
    let gates = [
        ("go-build", "go build ./...", ""),
        ("go-api", "go test ./internal/api/... -v", ""),
        ("go-alerts", "go test ./internal/alerts/... -v", ""),
        ("go-monitoring", "go test ./internal/monitoring/... -v", ""),
        ("go-nomatch", "go test ./internal/api/... -run Nope -v", ""),
        // Runs beside the others on the second worker; the cache is warm, so its timeout
        // measures the hanging test rather than compilation.
        ("go-hang", "go test ./internal/hang/... -v", "timeout = \"8s\""),
        ("go-json", "go test ./internal/api/... ./internal/alerts/... ./internal/monitoring/... -json", ""),
        ("go-all", "go test ./internal/api/... ./internal/alerts/... ./internal/monitoring/...", ""),
        ("go-table", "go test ./internal/table/... -v", ""),
        ("go-table-pass", "go test ./internal/table/... -run TestTable -v", ""),
        ("go-build-broken", "go build ./testdata/broken/...", ""),
        ("go-vet", "go vet ./testdata/vetme/...", ""),
        ("go-vet-broken", "go vet ./internal/monitoring/...", ""),
    ];
    let mut toml = String::from("[program]\nname = \"pulse-lite\"\n[run]\njobs = 2\ngrace = \"2s\"\n");
    for (id, run, extra) in gates {
        toml.push_str(&format!("\n[[gate]]\nid = \"{id}\"\nrun = '''{run}'''\n{extra}\n"));
    }
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let env = |cmd: &mut Command| {
        cmd.env("GOCACHE", &cache)
            .env("GOPATH", dir.join(".gopath"))
            .env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off");
    };
    let mut warm = Command::new("go");
    warm.args(["test", "-count=1", "-run", "^$", "./internal/api/...", "./internal/hang/..."])
        .current_dir(&dir);
    env(&mut warm);
    warm.output().unwrap();

    let mut cmd = closeout();
    cmd.args(["baseline", "--json"]).current_dir(&dir);
    env(&mut cmd);
    let out = cmd.output().unwrap();
    let record = RunRecord::from_json(&String::from_utf8_lossy(&out.stdout), Path::new("stdout"))
        .unwrap_or_else(|e| panic!("{e}\n{}", describe(&out)));
    assert_eq!(out.status.code(), Some(1));

    assert_eq!(gate(&record, "go-build").outcome.to_string(), "PASS");
    check(gate(&record, "go-api"), "PASS", 2, 0, 1, &[]);
    check(gate(&record, "go-alerts"), "FAIL", 1, 1, 0, &["TestCanonicalResourceTypeKeys"]);
    check(
        gate(&record, "go-monitoring"),
        "BUILD_FAILED",
        0,
        0,
        0,
        &["example.com/pulse-lite/internal/monitoring [build failed]"],
    );
    check(gate(&record, "go-nomatch"), "NO_TESTS", 0, 0, 0, &[]);
    let hang = gate(&record, "go-hang");
    assert_eq!(hang.outcome.to_string(), "TIMEOUT", "{hang:#?}");
    assert!(hang.duration_ms < 8_000 + 2_000 + 1_000, "{hang:#?}");
    check(
        gate(&record, "go-json"),
        "BUILD_FAILED",
        3,
        1,
        1,
        &["TestCanonicalResourceTypeKeys", "example.com/pulse-lite/internal/monitoring [build failed]"],
    );
    let json = gate(&record, "go-json").counts.clone().unwrap();
    assert_eq!(
        (json.packages_ok, json.packages_failed, json.packages_build_failed),
        (Some(1), Some(1), Some(1))
    );
    let all = gate(&record, "go-all");
    assert_eq!(all.outcome.to_string(), "BUILD_FAILED");
    // The package that did not build is named beside the failing test.
    assert_eq!(
        all.failing_tests,
        ["TestCanonicalResourceTypeKeys", "example.com/pulse-lite/internal/monitoring [build failed]"]
    );

    // Subtests are counted apart; a marker glued to output is still a failing test.
    let subtests = |id: &str| gate(&record, id).counts.clone().unwrap().subtests.map(|s| s.passed);
    check(gate(&record, "go-table"), "FAIL", 1, 1, 0, &["TestGlued"]);
    assert_eq!(subtests("go-table"), Some(3));
    check(gate(&record, "go-table-pass"), "PASS", 1, 0, 0, &[]);
    assert_eq!(subtests("go-table-pass"), Some(3));
    // Build and lint gates: a compile error is a build failure, a vet finding a lint.
    let broken = gate(&record, "go-build-broken");
    assert_eq!(
        (broken.outcome.to_string(), broken.reason.as_str()),
        ("BUILD_FAILED".into(), "exit 2, 1 package(s) failed to build"),
        "{broken:#?}"
    );
    let vet = gate(&record, "go-vet");
    assert_eq!(vet.outcome.to_string(), "FAIL", "{vet:#?}");
    assert!(vet.reason.ends_with("1 go vet finding(s)"), "{vet:#?}");
    assert_eq!(gate(&record, "go-vet-broken").outcome.to_string(), "BUILD_FAILED");
}

fn vitest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/node/node_modules")
}

#[test]
fn real_vitest_suites() {
    let modules = vitest_dir();
    if !modules.join(".bin/vitest").exists()
        && missing("vitest is not installed in target/e2e/node (.ci/run installs it)")
    {
        return;
    }
    let dir = scratch("real-vitest");
    copy_dir(&fixtures().join("real-suites/node"), &dir);
    std::os::unix::fs::symlink(modules.canonicalize().unwrap(), dir.join("node_modules")).unwrap();
    let gates = [
        ("vitest-pass", "node_modules/.bin/vitest run src/pass.test.ts"),
        ("vitest-fail", "node_modules/.bin/vitest run src/fail.test.ts"),
        ("vitest-broken", "node_modules/.bin/vitest run src/broken.test.ts"),
        ("vitest-nofiles", "node_modules/.bin/vitest run src/nothing.test.ts"),
    ];
    let mut toml = String::from("[program]\nname = \"frontend-lite\"\n[run]\njobs = 2\n");
    for (id, run) in gates {
        toml.push_str(&format!("\n[[gate]]\nid = \"{id}\"\nrun = '''{run}'''\n"));
    }
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let (out, record) = run(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    check(gate(&record, "vitest-pass"), "PASS", 2, 0, 1, &[]);
    check(
        gate(&record, "vitest-fail"),
        "FAIL",
        1,
        1,
        0,
        &["src/fail.test.ts > covers every legacy redirect definition"],
    );
    let broken = gate(&record, "vitest-broken");
    assert_eq!(broken.outcome.to_string(), "FAIL", "{broken:#?}");
    assert_eq!(broken.failing_tests, ["src/broken.test.ts"]);
    assert_eq!(gate(&record, "vitest-nofiles").outcome.to_string(), "NO_TESTS");
}

/// vitest 4 and jest 30, installed by .ci/run into target/e2e/node4.
fn node4_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/node4/node_modules")
}

/// A scratch copy of a real-suite fixture with `modules` linked in and these gates.
fn suite(fixture: &str, modules: Option<&Path>, gates: &[(&str, &str)]) -> PathBuf {
    let dir = scratch(&format!("real-{fixture}-{}", gates.len()));
    copy_dir(&fixtures().join("real-suites").join(fixture), &dir);
    if let Some(modules) = modules {
        std::os::unix::fs::symlink(modules.canonicalize().unwrap(), dir.join("node_modules")).unwrap();
    }
    let mut toml = format!("[program]\nname = \"{fixture}\"\n[run]\njobs = 2\n");
    for (id, run) in gates {
        toml.push_str(&format!("\n[[gate]]\nid = \"{id}\"\nrun = '''{run}'''\n"));
    }
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    dir
}

fn named(g: &GateRecord) -> Vec<(String, String)> {
    g.tests.iter().map(|t| (t.group.clone().unwrap_or_default(), t.name.clone())).collect()
}

#[test]
fn real_vitest4_suites() {
    let modules = node4_dir();
    if !modules.join(".bin/vitest").exists()
        && missing("vitest 4 is not installed in target/e2e/node4 (.ci/run installs it)")
    {
        return;
    }
    let dir = suite(
        "node",
        Some(&modules),
        &[
            ("pass", "node_modules/.bin/vitest run src/pass.test.ts"),
            ("fail", "node_modules/.bin/vitest run src/fail.test.ts"),
            ("nomatch", "node_modules/.bin/vitest run src/pass.test.ts -t zz_no_such_test"),
            ("broken", "node_modules/.bin/vitest run src/broken.test.ts src/pass.test.ts"),
            ("unhandled", "node_modules/.bin/vitest run src/unhandled.test.ts"),
            ("verbose", "node_modules/.bin/vitest run src/fail.test.ts --reporter=verbose"),
        ],
    );
    let (out, record) = run(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    check(gate(&record, "pass"), "PASS", 2, 0, 1, &[]);
    check(
        gate(&record, "fail"),
        "FAIL",
        1,
        1,
        0,
        &["src/fail.test.ts > covers every legacy redirect definition"],
    );
    // A name filter that matches nothing skips every test: no test ran, not a pass.
    check(gate(&record, "nomatch"), "NO_TESTS", 0, 0, 3, &[]);
    let broken = gate(&record, "broken");
    check(broken, "FAIL", 2, 0, 1, &["src/broken.test.ts"]);
    assert_eq!(broken.reason, "exit 1, 1 suite(s) failed to load", "{broken:#?}");
    let unhandled = gate(&record, "unhandled");
    assert_eq!(unhandled.outcome.to_string(), "FAIL", "{unhandled:#?}");
    assert_eq!(unhandled.counts.as_ref().unwrap().errors, Some(1), "{unhandled:#?}");
    assert!(unhandled.reason.ends_with("1 unhandled error(s)"), "{unhandled:#?}");
    let verbose = gate(&record, "verbose");
    assert_eq!(
        named(verbose),
        [
            ("src/fail.test.ts".into(), "src/fail.test.ts > covers every legacy redirect definition".into()),
            ("src/fail.test.ts".into(), "src/fail.test.ts > preserves migration metadata".into())
        ],
        "{verbose:#?}"
    );
}

#[test]
fn real_jest30_suites() {
    let modules = node4_dir();
    if !modules.join(".bin/jest").exists()
        && missing("jest 30 is not installed in target/e2e/node4 (.ci/run installs it)")
    {
        return;
    }
    let dir = suite(
        "jest",
        Some(&modules),
        &[
            ("pass", "node_modules/.bin/jest src/pass"),
            ("fail", "node_modules/.bin/jest src/fail"),
            ("nomatch", "node_modules/.bin/jest src/pass -t zz_no_such_test"),
            ("nofiles", "node_modules/.bin/jest zz_no_such_file"),
            ("broken", "node_modules/.bin/jest broken"),
            ("some-broken", "node_modules/.bin/jest broken src/pass"),
            ("verbose", "node_modules/.bin/jest src/fail --verbose"),
        ],
    );
    let (out, record) = run(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    check(gate(&record, "pass"), "PASS", 2, 0, 1, &[]);
    check(gate(&record, "fail"), "FAIL", 1, 1, 0, &["routes › covers every legacy redirect"]);
    check(gate(&record, "nomatch"), "NO_TESTS", 0, 0, 3, &[]);
    assert_eq!(gate(&record, "nofiles").outcome.to_string(), "NO_TESTS");
    // Every suite failed to load: a failure of the suites, not an empty run.
    let broken = gate(&record, "broken");
    check(broken, "FAIL", 0, 0, 0, &["broken/broken.test.js"]);
    assert_eq!(broken.reason, "exit 1, 1 suite(s) failed to load", "{broken:#?}");
    let some = gate(&record, "some-broken");
    check(some, "FAIL", 2, 0, 1, &["broken/broken.test.js"]);
    assert_eq!(some.counts.as_ref().unwrap().suites_failed, Some(1));
    let verbose = gate(&record, "verbose");
    assert_eq!(
        named(verbose),
        [
            ("src/fail.test.js".into(), "routes › covers every legacy redirect".into()),
            ("src/fail.test.js".into(), "routes › keeps metadata".into())
        ],
        "{verbose:#?}"
    );
}

#[test]
fn real_pytest9_suites() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/py/bin/python");
    if !python.exists() && missing("pytest 9 is not installed in target/e2e/py (.ci/run installs it)") {
        return;
    }
    let python = python.display().to_string();
    let pytest = format!("{python} -m pytest -p no:cacheprovider");
    let dir = suite(
        "python",
        None,
        &[
            ("pass", &format!("{pytest} test_pass.py")),
            ("fail", &format!("{pytest} test_fail.py")),
            ("nomatch", &format!("{pytest} test_pass.py -k zz_no_such_test")),
            ("subtests", &format!("{pytest} -v test_subtests.py")),
            ("broken", &format!("{pytest} broken")),
            ("verbose", &format!("{pytest} -v test_fail.py")),
        ],
    );
    let (out, record) = run(&dir);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    check(gate(&record, "pass"), "PASS", 2, 0, 1, &[]);
    check(gate(&record, "fail"), "FAIL", 1, 1, 0, &["test_fail.py::test_bad"]);
    check(gate(&record, "nomatch"), "NO_TESTS", 0, 0, 0, &[]);
    let subtests = gate(&record, "subtests");
    check(subtests, "PASS", 1, 0, 0, &[]);
    assert_eq!(subtests.counts.as_ref().unwrap().subtests.as_ref().map(|s| s.passed), Some(3));
    // A module that cannot be collected is an error of the run, not an empty run.
    let broken = gate(&record, "broken");
    assert_eq!(broken.outcome.to_string(), "FAIL", "{broken:#?}");
    assert_eq!(broken.counts.as_ref().unwrap().errors, Some(1), "{broken:#?}");
    assert_eq!(broken.failing_tests, ["broken/test_broken.py"], "{broken:#?}");
    let verbose = gate(&record, "verbose");
    assert_eq!(
        named(verbose),
        [
            ("test_fail.py".into(), "test_fail.py::test_bad".into()),
            ("test_fail.py".into(), "test_fail.py::test_good".into())
        ],
        "{verbose:#?}"
    );
}
