//! A new user's first hour, end to end with the real toolchain: `init`, `baseline`,
//! `verify-docs` and `verdict` in a fresh Go repository, and `init` to docs in sync in
//! Node and Python (pytest) ones; what is committed and what stays local; the README's
//! xtask recipe as written.

use std::path::Path;
use std::process::Command;

use crate::support::{closeout, commit, describe, git, scratch, text, workspace};

fn go_missing() -> bool {
    if Command::new("go").arg("version").output().is_ok() {
        return false;
    }
    assert!(
        std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_none(),
        "`go` is required when CLOSEOUT_REQUIRE_REAL_SUITES is set"
    );
    eprintln!("skipped: `go` is not installed (Debian: golang-go)");
    true
}

/// A Go module with one package and two passing tests (one with a subtest), committed.
fn go_repo(name: &str) -> std::path::PathBuf {
    let repo = scratch(name);
    std::fs::write(repo.join("go.mod"), "module example.com/demo\n\ngo 1.19\n").unwrap();
    std::fs::create_dir_all(repo.join("calc")).unwrap();
    std::fs::write(repo.join("calc/calc.go"), "package calc\n\nfunc Add(a, b int) int { return a + b }\n")
        .unwrap();
    std::fs::write(
        repo.join("calc/calc_test.go"),
        "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"1+2\")\n\t}\n}\n\n\
         func TestZero(t *testing.T) {\n\tt.Run(\"both\", func(t *testing.T) {})\n}\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a go module");
    repo
}

fn run(repo: &Path, args: &[&str]) -> std::process::Output {
    closeout().args(args).current_dir(repo).output().unwrap()
}

fn untracked(repo: &Path) -> String {
    let out = Command::new("git").args(["status", "--porcelain"]).current_dir(repo).output().unwrap();
    text(&out.stdout)
}

/// Only what is meant to be committed shows in git after a run: the evidence
/// (`.closeout/`) and the docs (`docs/closeout/`); closeout's local output never.
fn assert_only_committable_output(repo: &Path) {
    let status = untracked(repo);
    assert!(!status.contains("target"), "{status}");
    for line in status.lines() {
        let path = &line[3..];
        assert!(path.starts_with(".closeout/") || path.starts_with("docs/closeout/"), "{status}");
    }
}

#[test]
fn a_go_repository_goes_from_init_to_docs_in_sync_and_a_verdict() {
    if go_missing() {
        return;
    }
    let repo = go_repo("first-hour-go");
    let out = run(&repo, &["init"]);
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&repo);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("added /target/closeout/ to .gitignore"), "{stdout}");
    assert!(stdout.contains("commit: closeout.toml, docs/closeout/, .gitignore and"), "{stdout}");
    assert!(stdout.contains("`closeout baseline`"), "{stdout}");
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    assert!(toml.contains("run = \"go test -json ./...\"\nparser = \"go-json\""), "{toml}");
    commit(&repo, "closeout init");

    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    // Plain `go test` would name packages only; -json counts the two top-level tests.
    let test_row = stdout.lines().find(|l| l.starts_with("go-test ")).unwrap_or_default();
    assert!(test_row.contains("2 passed"), "{stdout}");
    assert!(stdout.contains("docs: updated verdict in docs/closeout/plan.md"), "{stdout}");
    // The verdict follows from the evidence: the one packet is still TODO.
    assert!(stdout.contains("verdict: NO-GO"), "{stdout}");
    assert!(stdout.contains("blocking: packet 00 is TODO / PENDING"), "{stdout}");

    let out = run(&repo, &["verify-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains("0 drifted; 0 consistency finding(s)"), "{}", describe(&out));

    assert_only_committable_output(&repo);
    commit(&repo, "closeout evidence");
    let out = run(&repo, &["verdict", "--json"]);
    let verdict = text(&out.stdout);
    assert!(!verdict.contains("stale evidence"), "{verdict}");
    assert!(!verdict.contains("target/closeout"), "{verdict}");

    // An edit of closeout.toml makes the recorded verdict stale; verify-docs says so and
    // names the one command that clears it.
    let out = run(&repo, &["ledger", "add", "--id", "DL-1", "--description", "flaky", "--severity", "LOW"]);
    assert_eq!(out.status.code(), Some(2), "--owner and --milestone are required: {}", describe(&out));
    let add = ["ledger", "add", "--id", "DL-1", "--description", "flaky", "--severity", "LOW"];
    let out = run(&repo, &[&add[..], &["--owner", "me", "--milestone", "Next"]].concat());
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&repo, &["verify-docs"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("region `verdict` does not show a current verdict; run `closeout verdict`"),
        "{stdout}"
    );
    assert!(stdout.ends_with("fix: run `closeout verdict`\n"), "{stdout}");
    assert!(run(&repo, &["verdict"]).status.code().is_some());
    let out = run(&repo, &["verify-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn committed_closeout_output_never_makes_the_verdict_no_go() {
    if go_missing() {
        return;
    }
    let repo = go_repo("first-hour-committed-output");
    // A repository that ignores nothing, and a user who commits everything.
    assert!(run(&repo, &["init"]).status.success());
    crate::support::assert_schema_accepts(&repo);
    std::fs::remove_file(repo.join(".gitignore")).unwrap();
    commit(&repo, "closeout init, everything added");
    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    commit(&repo, "baseline, target/closeout/ included");
    assert!(untracked(&repo).is_empty(), "{}", untracked(&repo));
    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    commit(&repo, "second baseline, target/closeout/ changed");
    // NO-GO only for what the evidence says (the packet is TODO), never for closeout's
    // own output changing.
    let out = run(&repo, &["verdict"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("baseline: 3/3 gates PASS"), "{}", describe(&out));
    assert!(!stdout.contains("stale evidence"), "{stdout}");
    assert!(!stdout.contains("target/closeout"), "{stdout}");
}

/// The README's "With a Cargo workspace" recipe: each code block, keyed by the path in
/// its first line (`# xtask/Cargo.toml`, `// xtask/src/main.rs`), with that line dropped.
fn readme_recipe() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let start = readme.find("**With a Cargo workspace**").expect("the recipe section");
    let end = start + readme[start..].find("\n## ").unwrap();
    let mut files = Vec::new();
    for block in readme[start..end].split("```").skip(1).step_by(2) {
        let body = block.split_once('\n').map_or("", |(_, b)| b);
        let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
        let path = first.trim_start_matches("# ").trim_start_matches("// ").trim();
        files.push((path.to_string(), rest.to_string()));
    }
    files
}

#[test]
fn the_readme_xtask_recipe_is_this_repositorys_xtask_and_fits_79_columns() {
    let recipe = readme_recipe();
    let paths: Vec<&str> = recipe.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["xtask/Cargo.toml", "xtask/src/main.rs", ".cargo/config.toml", "[workspace]"]);
    let main = &recipe[1].1;
    let ours = std::fs::read_to_string(workspace().join("xtask/src/main.rs")).unwrap();
    assert_eq!(main, &ours, "the README's main.rs is xtask/src/main.rs, verbatim");
    for (path, body) in &recipe {
        let long: Vec<&str> = body.lines().filter(|l| l.chars().count() > 79).collect();
        assert!(
            long.is_empty(),
            "README recipe {path}: lines over 79 columns break rustfmt at max_width = 79: {long:?}"
        );
    }
    // rustfmt-clean in a repository that sets max_width = 79 (and nothing else).
    let dir = scratch("xtask-fmt-79");
    std::fs::write(dir.join("main.rs"), main).unwrap();
    let out = Command::new("rustfmt")
        .args(["--check", "--edition", "2021", "--config", "max_width=79", "main.rs"])
        .current_dir(&dir)
        .output();
    match out {
        Ok(out) => assert!(out.status.success(), "{}", describe(&out)),
        Err(_) => eprintln!("skipped the rustfmt check: rustfmt is not installed"),
    }
}

/// Follows the recipe literally in a scratch workspace and runs the xtask. It builds
/// closeout from scratch, so it runs with `CLOSEOUT_SLOW_TESTS=1` (as in CI).
#[test]
fn the_readme_xtask_recipe_works_in_a_scratch_workspace() {
    if std::env::var_os("CLOSEOUT_SLOW_TESTS").is_none() {
        eprintln!("skipped: a cold build of closeout; set CLOSEOUT_SLOW_TESTS=1 to run it");
        return;
    }
    let ws = scratch("xtask-recipe");
    // A user's workspace: one member with a test, rustfmt at 79 columns.
    std::fs::write(ws.join("Cargo.toml"), "[workspace]\nresolver = \"2\"\nmembers = [\"calc\"]\n").unwrap();
    std::fs::write(ws.join("rustfmt.toml"), "max_width = 79\n").unwrap();
    std::fs::create_dir_all(ws.join("calc/src")).unwrap();
    std::fs::write(
        ws.join("calc/Cargo.toml"),
        "[package]\nname = \"calc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        ws.join("calc/src/lib.rs"),
        "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[test]\nfn adds() {\n    assert_eq!(add(1, 2), 3);\n}\n",
    )
    .unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
    git(&ws, &["init", "-q", "-b", "main"]);
    std::fs::write(ws.join(".gitignore"), "/target\n").unwrap();
    // The recipe, literally; the dependency points at this checkout instead of a git URL.
    let closeout_dir = workspace().join("closeout");
    for (path, body) in readme_recipe() {
        if path == "[workspace]" {
            let manifest = std::fs::read_to_string(ws.join("Cargo.toml")).unwrap();
            assert!(body.contains("members = [\"xtask\"]"), "{body}");
            std::fs::write(ws.join("Cargo.toml"), manifest.replace("[\"calc\"]", "[\"calc\", \"xtask\"]"))
                .unwrap();
            continue;
        }
        let body = body.replace(
            "git = \"https://example.invalid/closeout.git\"",
            &format!("path = {:?}", closeout_dir.display().to_string()),
        );
        std::fs::create_dir_all(ws.join(&path).parent().unwrap()).unwrap();
        std::fs::write(ws.join(&path), body).unwrap();
    }
    commit(&ws, "a workspace with the closeout xtask");
    let cargo = |args: &[&str]| {
        Command::new("cargo")
            .args(args)
            .current_dir(&ws)
            .env("CARGO_TARGET_DIR", ws.join("target"))
            .env_remove("RUSTFLAGS")
            .output()
            .unwrap()
    };
    let out = cargo(&["fmt", "--all", "--", "--check"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = cargo(&["xtask", "closeout", "init"]);
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&ws);
    assert!(text(&out.stdout).contains("`cargo xtask closeout baseline`"), "{}", describe(&out));
    commit(&ws, "closeout init");
    // Every gate init proposes but clippy, which would check closeout's whole tree again.
    let out = cargo(&["xtask", "closeout", "baseline", "--skip", "clippy"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("cargo-test ") && l.contains("1 passed")), "{stdout}");
}

#[test]
fn a_program_without_docs_gets_its_verdict_from_the_gates_alone() {
    let repo = scratch("no-docs-verdict");
    std::fs::write(
        repo.join("closeout.toml"),
        "[program]\nname = \"N\"\n\n[[gate]]\nid = \"ok\"\nrun = \"echo ok\"\nparser = \"none\"\n",
    )
    .unwrap();
    std::fs::write(repo.join(".gitignore"), "/target/closeout/\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a program without docs");
    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("verdict: GO ("), "{stdout}");
    assert!(!stdout.contains("docs could not be checked"), "{stdout}");
}

/// node's own summary figures (`# tests N`, `# pass N`, ...) from running `node --test`
/// in `repo` ourselves: the source of truth the gates' counts are checked against.
fn node_summary(repo: &Path) -> [u64; 6] {
    let out = Command::new("node").arg("--test").current_dir(repo).output().unwrap();
    let stdout = text(&out.stdout);
    ["tests", "pass", "fail", "cancelled", "skipped", "todo"].map(|key| {
        let line = stdout.lines().rev().find(|l| l.starts_with(&format!("# {key} "))).unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    })
}

#[test]
fn a_node_repository_goes_from_init_to_docs_in_sync() {
    if Command::new("node").arg("--version").output().is_err()
        || Command::new("npm").arg("--version").output().is_err()
    {
        assert!(
            std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_none(),
            "`node` and `npm` are required when CLOSEOUT_REQUIRE_REAL_SUITES is set"
        );
        eprintln!("skipped: `node` or `npm` is not installed");
        return;
    }
    let repo = scratch("first-hour-node");
    std::fs::write(
        repo.join("package.json"),
        r#"{ "name": "demo", "version": "1.0.0", "scripts": { "test": "node --test" } }"#,
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("test")).unwrap();
    std::fs::write(
        repo.join("test/add.test.js"),
        "const test = require('node:test');\nconst assert = require('node:assert');\n\
         test('adds', () => assert.strictEqual(1 + 2, 3));\n\
         test('nests', async (t) => { await t.test('inner', () => {}); });\n\
         test('later', { skip: 'not yet' }, () => {});\ntest('someday', { todo: true }, () => {});\n",
    )
    .unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a node package");
    let out = run(&repo, &["init"]);
    assert!(out.status.success(), "{}", describe(&out));
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    crate::support::assert_schema_accepts(&repo);
    assert!(toml.contains("run = \"npm test\"\nparser = \"node-test\""), "{toml}");
    // The same suite run by node directly, through the spec reporter.
    std::fs::write(
        repo.join("closeout.toml"),
        toml.replacen(
            "[[packet]]",
            "[[gate]]\nid = \"node-spec\"\nrun = \"node --test --test-reporter=spec\"\n\n[[packet]]",
            1,
        ),
    )
    .unwrap();
    commit(&repo, "closeout init");
    let out = run(&repo, &["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout).contains("2/2 gates passed"), "{}", describe(&out));
    let [tests, pass, fail, cancelled, skipped, todo] = node_summary(&repo);
    let latest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join(".closeout/latest.json")).unwrap()).unwrap();
    for gate in latest["gates"].as_array().unwrap() {
        assert_eq!(gate["parser"], "node-test", "{gate}");
        let c = &gate["counts"];
        assert_eq!(
            [&c["passed"], &c["failed"], &c["cancelled"], &c["skipped"], &c["todo"]]
                .map(|v| v.as_u64().unwrap()),
            [pass, fail, cancelled, skipped, todo],
            "{gate}"
        );
        assert_eq!(pass + fail + cancelled + skipped + todo, tests);
    }
    assert!(pass > 0);
    let out = run(&repo, &["verify-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(!untracked(&repo).contains("target"), "{}", untracked(&repo));
}

/// The venv `.ci/run` installs pytest 9.2.0 into (`target/e2e/py`), when it has pytest.
fn pytest_venv() -> Option<std::path::PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/py/bin");
    let ok = Command::new(bin.join("python3")).args(["-m", "pytest", "--version"]).output();
    if ok.is_ok_and(|o| o.status.success()) {
        return Some(bin);
    }
    assert!(
        std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_none(),
        "pytest is required in target/e2e/py when CLOSEOUT_REQUIRE_REAL_SUITES is set (.ci/run installs it)"
    );
    eprintln!("skipped: pytest is not installed in target/e2e/py (.ci/run installs it)");
    None
}

/// pytest's own closing line (`==== 3 passed, 1 skipped in 0.01s ====`) as (word, number)
/// pairs: `[("passed", 3), ("skipped", 1)]`.
fn pytest_summary(stdout: &str) -> Vec<(String, u64)> {
    let line = stdout.lines().rev().find(|l| l.starts_with('=') && l.contains(" in ")).unwrap();
    let inner = line.trim_matches(|c| c == '=' || c == ' ');
    let counts = inner.rsplit_once(" in ").unwrap().0;
    counts
        .split(", ")
        .map(|part| {
            let (n, word) = part.split_once(' ').unwrap();
            (word.to_string(), n.parse().unwrap())
        })
        .collect()
}

#[test]
fn a_python_repository_goes_from_init_to_docs_in_sync() {
    let Some(venv) = pytest_venv() else { return };
    // The venv as an activated one leaves it: its bin first on PATH.
    let path = std::env::join_paths(
        std::iter::once(venv.clone())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let repo = scratch("first-hour-python");
    std::fs::write(
        repo.join("pyproject.toml"),
        "[project]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[tool.pytest.ini_options]\ntestpaths = [\"tests\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("tests")).unwrap();
    std::fs::write(
        repo.join("tests/test_x.py"),
        "import pytest\n\n\ndef test_adds():\n    assert 1 + 2 == 3\n\n\n\
         @pytest.mark.parametrize(\"n\", [1, 2])\ndef test_positive(n):\n    assert n > 0\n\n\n\
         @pytest.mark.skip(reason=\"not yet\")\ndef test_later():\n    pass\n",
    )
    .unwrap();
    std::fs::write(repo.join(".gitignore"), "__pycache__/\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a python project");
    let run = |args: &[&str]| closeout().args(args).current_dir(&repo).env("PATH", &path).output().unwrap();

    let out = run(&["init"]);
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&repo);
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    // What init proposes runs the activated venv's interpreter, which has pytest.
    assert!(toml.contains("run = \"python3 -m pytest\"\nparser = \"pytest\""), "{toml}");
    commit(&repo, "closeout init");

    let out = run(&["baseline"]);
    assert!(out.status.success(), "{}", describe(&out));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1/1 gates passed"), "{stdout}");

    // pytest's own figures, from the same interpreter.
    let own = Command::new(venv.join("python3")).args(["-m", "pytest"]).current_dir(&repo).output().unwrap();
    let figures = pytest_summary(&text(&own.stdout));
    let figure = |word: &str| figures.iter().find(|(w, _)| w == word).map_or(0, |(_, n)| *n);
    assert!(figure("passed") > 0, "{figures:?}");
    let latest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join(".closeout/latest.json")).unwrap()).unwrap();
    let gate = &latest["gates"][0];
    assert_eq!(
        (&gate["id"], &gate["parser"], &gate["outcome"]),
        (&"pytest".into(), &"pytest".into(), &"PASS".into())
    );
    let c = &gate["counts"];
    assert_eq!(
        [&c["passed"], &c["failed"], &c["skipped"]].map(|v| v.as_u64().unwrap()),
        [figure("passed"), figure("failed"), figure("skipped")],
        "{gate}"
    );
    let row = stdout.lines().find(|l| l.starts_with("pytest ")).unwrap_or_default();
    assert!(row.contains(&format!("{} passed", figure("passed"))), "{stdout}");

    let out = run(&["verify-docs"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(text(&out.stdout).contains("0 drifted; 0 consistency finding(s)"), "{}", describe(&out));
    assert_only_committable_output(&repo);

    // Without the venv, where the interpreter on PATH has no pytest, the same gate is
    // SPAWN_FAILED naming the module and what to do, not a truncated pytest run.
    let plain = Command::new("python3").args(["-m", "pytest", "--version"]).current_dir(&repo).output();
    if plain.is_ok_and(|o| text(&o.stderr).contains(": No module named pytest")) {
        let out = closeout().args(["baseline", "--json"]).current_dir(&repo).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let gate = &record["gates"][0];
        assert_eq!(gate["outcome"], "SPAWN_FAILED", "{gate}");
        let reason = gate["reason"].as_str().unwrap();
        assert!(
            reason.starts_with(
                "`python3 -m pytest`: the module `pytest` is not installed for this interpreter"
            ),
            "{reason}"
        );
    }
}

/// Plain `go test ./...` (real go 1.19.8 output: two tests pass unseen, `TestFails`
/// fails): the run record has no `passed` key, and neither the docs regions, the summary
/// nor the JUnit report says "0 passed".
#[test]
fn plain_go_test_output_never_reads_0_passed_in_the_evidence() {
    let repo = scratch("first-hour-go-plain");
    std::fs::write(repo.join("go.mod"), "module example.com/fx\n\ngo 1.19\n").unwrap();
    let fixture = crate::support::fixtures().join("runner-output/real-go-plain-fail-counted.txt");
    std::fs::copy(fixture, repo.join("go-test.txt")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    commit(&repo, "a go module");
    assert!(run(&repo, &["init"]).status.success());
    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    let replayed = toml
        .replace("run = \"go build ./...\"", "run = \"true\"")
        .replace("run = \"go vet ./...\"", "run = \"true\"")
        .replace(
            "run = \"go test -json ./...\"\nparser = \"go-json\"",
            "run = \"cat go-test.txt; exit 1\"\nparser = \"go\"",
        );
    assert_ne!(toml, replayed, "{toml}");
    std::fs::write(repo.join("closeout.toml"), replayed).unwrap();
    commit(&repo, "closeout init");
    let out = run(&repo, &["baseline", "--junit", "junit.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let note = "1 failed, passing tests not counted (go test lists them with -v or -json)";
    let stdout = text(&out.stdout);
    assert!(stdout.contains(note), "{stdout}");
    let latest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join(".closeout/latest.json")).unwrap()).unwrap();
    let gate = latest["gates"].as_array().unwrap().iter().find(|g| g["id"] == "go-test").unwrap();
    assert!(gate["counts"].get("passed").is_none(), "{gate}");
    assert_eq!(gate["counts"]["failed"], 1, "{gate}");
    let mut docs = String::new();
    for entry in std::fs::read_dir(repo.join("docs/closeout")).unwrap() {
        docs.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(docs.contains(note), "{docs}");
    let junit = std::fs::read_to_string(repo.join("junit.xml")).unwrap();
    assert!(junit.contains("TestFails"), "{junit}");
    for (what, body) in [("summary", &stdout), ("docs", &docs), ("junit", &junit)] {
        assert!(!body.contains("0 passed"), "{what}: {body}");
    }
}
