//! The JSON Schema of closeout.toml (`closeout schema`, `.closeout/closeout.schema.json`)
//! against a real validator: the committed copy is the generated one, and the schema
//! accepts what closeout accepts and rejects what it rejects.

use std::path::Path;

use crate::support::{closeout, describe, expect_file, fixtures, schema_verdict, scratch, workspace};

fn generated() -> serde_json::Value {
    closeout::schema::schema()
}

fn closeout_accepts(toml: &str) -> Result<(), String> {
    closeout::config::parse(toml, Path::new("closeout.toml"), Path::new("/repo"), &|_| true)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The committed schema is the one the key tables generate; `UPDATE_EXPECT=1` rewrites it.
#[test]
fn the_committed_schema_is_generated_from_the_key_tables() {
    let path = workspace().join(closeout::schema::PATH);
    if let Some(diff) = expect_file(&path, &closeout::schema::text()) {
        panic!(
            "{} differs from what closeout/core/src/keys.rs generates; refresh it with\n  cargo run -p closeout -- schema --out {}\n(or UPDATE_EXPECT=1 cargo test -p closeout --test it schema) and commit it\n{diff}",
            closeout::schema::PATH,
            closeout::schema::PATH
        );
    }
}

/// `closeout schema` prints the schema; `--out` writes the same bytes.
#[test]
fn the_schema_command_prints_it_and_writes_it() {
    let out = closeout().arg("schema").current_dir(std::env::temp_dir()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), closeout::schema::text());
    let dir = scratch("schema-out");
    let out = closeout().args(["schema", "--out", "sub/s.json"]).current_dir(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(std::fs::read_to_string(dir.join("sub/s.json")).unwrap(), closeout::schema::text());
}

/// The committed schema accepts this repository's own closeout.toml. (Its first line is not
/// the directive yet: a line added at the top moves every item's line, which the recorded
/// verdict's program fingerprint includes, so it waits for the next recorded verdict.)
#[test]
fn this_repositorys_program_validates() {
    let root = workspace();
    let schema = std::fs::read_to_string(root.join(closeout::schema::PATH)).unwrap();
    let toml = std::fs::read_to_string(root.join("closeout.toml")).unwrap();
    if let Err(report) = schema_verdict(&serde_json::from_str(&schema).unwrap(), &toml) {
        panic!("closeout.toml is rejected by {}:\n{report}", closeout::schema::PATH);
    }
}

/// The bad configs of `tests/fixtures/config/` that closeout rejects for their shape
/// (unknown keys, wrong types, values outside a vocabulary, missing keys, bad durations)
/// are rejected by the schema too. The others need the file system, other tables or
/// arithmetic, which a JSON Schema cannot express; each is named with why.
#[test]
fn the_schema_rejects_the_bad_configs_closeout_rejects_for_their_shape() {
    const NOT_SHAPE: &[(&str, &str)] = &[
        ("docs-duplicate", "two spellings of one path"),
        ("docs-missing", "the file system"),
        ("docs-outside-repo", "a path's meaning"),
        ("duplicate-debt-id", "uniqueness across items"),
        ("duplicate-gate-id", "uniqueness across items"),
        ("known-failure-missing-debt", "a reference to another table"),
        ("packet-test-missing-gate", "a reference to another table"),
        ("risk-missing-packet", "a reference to another table"),
        ("duration-too-large", "arithmetic: more than u64 milliseconds"),
        ("invalid-toml", "not TOML, so no JSON to validate"),
    ];
    let schema = generated();
    let root = fixtures().join("config");
    let mut cases: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    for (name, _) in NOT_SHAPE {
        assert!(root.join(name).is_dir(), "tests/fixtures/config/{name} is gone: drop it from NOT_SHAPE");
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let toml = std::fs::read_to_string(case.join("closeout.toml")).unwrap();
        let exists = |p: &Path| case.join(p).exists();
        let parsed = closeout::config::parse(&toml, Path::new("closeout.toml"), &case, &exists);
        assert!(parsed.is_err(), "{name}: closeout accepts it");
        if NOT_SHAPE.iter().any(|(n, _)| *n == name) {
            continue;
        }
        checked += 1;
        if schema_verdict(&schema, &toml).is_ok() {
            failures.push(name);
        }
    }
    assert!(checked >= 20, "only {checked} shape cases");
    assert!(failures.is_empty(), "the schema accepts configs closeout rejects: {failures:?}");
}

/// More configs closeout rejects for their shape, one problem each, rejected by both.
#[test]
fn the_schema_rejects_each_shape_problem_closeout_rejects() {
    const BASE: &str = "[program]\nname = \"P\"\n";
    let cases = [
        "unknown = 1\n",
        "[run]\njobs = \"4\"\n",
        "[run]\njobs = 257\n",
        "[run]\ntimeout = \"0s\"\n",
        "[run]\ngrace = \"5 minutes\"\n",
        "[run]\nspeed = 1\n",
        "[[gate]]\nid = \"g\"\n",
        "[[gate]]\nid = \"g\"\nrun = \"make\"\nparser = \"junit\"\n",
        "[[gate]]\nid = \"g\"\nrun = \"make\"\ntolerance = \"fast\"\n",
        "[[gate]]\nid = \"g\"\nrun = \"make\"\ntrusted = \"no\"\n",
        "[[gate]]\nid = \"a\\nb\"\nrun = \"make\"\n",
        "[[gate]]\nid = \"  \"\nrun = \"make\"\n",
        "[[gate]]\nid = \"g\"\nrun = \"printf '\\u001b[31m'\"\n",
        "[[packet]]\nid = \"00\"\ntitle = \"T\"\nstatus = \"Done\"\n",
        "[[packet]]\nid = \"00\"\ntitle = \"T\"\nreview = \"APROVED\"\n",
        "[[packet]]\nid = \"00\"\ntitle = \"T\"\nscope = \"src/**\"\n",
        "[[packet]]\nid = \"00\"\ntitle = \"T\"\nfiles = [{ reason = \"r\" }]\n",
        "[[packet]]\nid = \"00\"\ntitle = \"T\"\ncolumns = { Evidence = 3 }\n",
        "[[packet]]\nid = \"00\"\ntitle = \"T\"\np1 = \"OK\"\n",
        "[[risk]]\nid = \"R\"\ndescription = \"d\"\nseverity = \"high\"\n",
        "[[debt]]\nid = \"D\"\ndescription = \"d\"\nstatus = \"closed\"\n",
        "[[debt]]\nid = \"D\"\ndescription = \"d\"\nstatus = \"resolved\"\n",
        "[[debt]]\nid = \"D\"\ndescription = \"d\"\nblocks_release = \"yes\"\n",
        "[[debt]]\nid = \"D\"\ndescription = \"d\"\ncovers = [\"module:x\"]\n",
        "[[track]]\nid = \"t\"\nname = \"T\"\n",
        "[paths]\nmoved = { \"a.md\" = [] }\n",
        "[[waiver]]\nrule = \"no-such-rule\"\nsubject = \"s\"\nreason = \"r\"\n",
        "[[waiver]]\nrule = \"done-open-box\"\nsubject = \"s\"\n",
        "gate = { id = \"g\", run = \"make\" }\n",
    ];
    let schema = generated();
    for case in cases {
        let toml = format!("{BASE}{case}");
        assert!(closeout_accepts(&toml).is_err(), "closeout accepts:\n{toml}");
        assert!(schema_verdict(&schema, &toml).is_err(), "the schema accepts what closeout rejects:\n{toml}");
    }
    assert!(schema_verdict(&schema, "[run]\njobs = 2\n").is_err(), "[program] is required");
}

/// Durations: the schema's pattern accepts exactly what `duration::parse` does.
#[test]
fn the_schema_reads_durations_as_closeout_does() {
    let schema = generated();
    for d in [
        "90s",
        "10m",
        "1h30m",
        "500ms",
        "1h2m3s4ms",
        "5m5ms",
        "0s",
        "",
        "1m1h",
        "1.5s",
        "-1s",
        "1 s",
        "1d",
        "ms",
        "1s1s",
    ] {
        let toml = format!("[program]\nname = \"P\"\n[run]\ngrace = {d:?}\n");
        let closeout = closeout::duration::parse(d).is_ok();
        assert_eq!(
            schema_verdict(&schema, &toml).is_ok(),
            closeout,
            "duration {d:?}: closeout says {closeout}"
        );
        assert_eq!(closeout_accepts(&toml).is_ok(), closeout, "{d:?}");
    }
}

/// Every closeout.toml example in the docs (README.md, docs/*.md) is accepted by closeout
/// and by the schema. A fragment without `[program]` gets one.
#[test]
fn the_docs_examples_are_valid_for_closeout_and_the_schema() {
    let schema = generated();
    let top: Vec<&str> = closeout::keys::names(closeout::keys::TOP);
    let mut files = vec![workspace().join("README.md")];
    for entry in std::fs::read_dir(workspace().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    let mut examples = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for block in text.split("```toml\n").skip(1).filter_map(|b| b.split("```").next()) {
            let headers: Vec<&str> = block
                .lines()
                .filter_map(|l| l.trim().strip_prefix('['))
                .map(|h| h.trim_start_matches('[').split(']').next().unwrap_or_default())
                .collect();
            if headers.is_empty() || !headers.iter().all(|h| top.contains(h)) {
                continue; // Cargo's manifests and config, not closeout.toml
            }
            let toml = if headers.contains(&"program") {
                block.to_string()
            } else {
                format!("[program]\nname = \"P\"\n{block}")
            };
            examples += 1;
            let shown = file.display();
            closeout_accepts(&toml).unwrap_or_else(|e| panic!("{shown}: closeout rejects\n{toml}\n{e}"));
            schema_verdict(&schema, &toml)
                .unwrap_or_else(|e| panic!("{shown}: the schema rejects\n{toml}\n{e}"));
        }
    }
    assert!(examples >= 4, "found {examples} closeout.toml examples in the docs");
}

/// taplo itself, installed by .ci/run into target/e2e/fmt (`@taplo/cli`, the build of
/// the same engine Even Better TOML runs).
fn taplo() -> Option<std::path::PathBuf> {
    let bin = workspace().join("target/e2e/fmt/node_modules/.bin/taplo");
    if bin.is_file() {
        return Some(bin);
    }
    let message = "skipped taplo test: taplo is not installed in target/e2e/fmt (.ci/run installs it)";
    if std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_some() {
        panic!("{message}, and CLOSEOUT_REQUIRE_REAL_SUITES is set");
    }
    eprintln!("{message}");
    None
}

/// What an editor sees: taplo follows the `#:schema` directive `init` writes to the schema
/// `init` wrote, accepts the file, and flags a wrong type, a value outside a vocabulary
/// and an unknown table at their lines.
#[test]
fn taplo_follows_the_directive_init_writes() {
    let Some(taplo) = taplo() else { return };
    let repo = scratch("schema-taplo");
    std::fs::write(repo.join("go.mod"), "module example.com/demo\n").unwrap();
    let out = closeout().arg("init").current_dir(&repo).output().unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let check = |file: &str| {
        std::process::Command::new(&taplo)
            .args(["check", "--no-auto-config", file])
            .current_dir(&repo)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let out = check("closeout.toml");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    let toml = std::fs::read_to_string(repo.join("closeout.toml")).unwrap();
    let bad = toml.replacen("jobs = 0 ", "jobs = \"4\" ", 1)
        + "\n[[risk]]\nid = \"R-1\"\ndescription = \"d\"\nseverity = \"high\"\n\n[runs]\njobs = 2\n";
    assert!(closeout_accepts(&bad).is_err());
    std::fs::write(repo.join("bad.toml"), &bad).unwrap();
    let out = check("bad.toml");
    assert_ne!(out.status.code(), Some(0), "{}", describe(&out));
    let report = crate::support::text(&out.stderr);
    for expected in [
        "\"4\" is not of type \"integer\"",
        "\"high\" is not one of [\"HIGH\",\"MEDIUM\",\"LOW\"]",
        "'runs' was unexpected",
    ] {
        assert!(report.contains(expected), "taplo does not report {expected}\n{report}");
    }
}

/// docs/configuration.md has a section for every table of the key tables, and its table of
/// keys names exactly the keys validation accepts (a packet's `files` entries are described
/// in the `files` row).
#[test]
fn configuration_md_documents_exactly_the_keys_closeout_accepts() {
    let text = std::fs::read_to_string(workspace().join("docs/configuration.md")).unwrap();
    let mut problems = Vec::new();
    for top in closeout::keys::TOP {
        let (heading, keys) = match top.kind {
            closeout::keys::Kind::Table(keys) => (format!("[{}]", top.name), keys),
            closeout::keys::Kind::Tables(keys) => (format!("[[{}]]", top.name), keys),
            _ => unreachable!("the top level holds tables"),
        };
        let marker = "\n## `";
        let Some(start) = text.find(&format!("{marker}{heading}`")) else {
            problems.push(format!("no `## `{heading}`` section"));
            continue;
        };
        let section = &text[start + 1..];
        let section = &section[..section.find(marker).unwrap_or(section.len())];
        let mut documented: Vec<&str> = section
            .lines()
            .filter(|l| l.starts_with("| `"))
            .flat_map(|l| l.split('|').nth(1).unwrap().split(',').map(|k| k.trim().trim_matches('`')))
            .collect();
        documented.sort();
        let mut accepted = closeout::keys::names(keys);
        accepted.sort();
        if documented != accepted {
            problems.push(format!("{heading}: documented {documented:?}, accepted {accepted:?}"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/configuration.md and closeout/core/src/keys.rs differ:\n{}",
        problems.join("\n")
    );
}
