//! closeout's docs under the real formatters: prettier and markdownlint-cli2 (installed by
//! .ci/run into target/e2e/fmt, pinned). What `init` writes and every region closeout
//! generates in its default layout pass `prettier --check` and `markdownlint-cli2` with
//! their default configs; a document formatted by prettier stays formatted after
//! `update-docs` rewrites its regions; the peer repro 08-formatter-repads (read from
//! ../shared) is a golden test. Without the tools each test prints why and skips, unless
//! `CLOSEOUT_REQUIRE_REAL_SUITES=1` (as in CI) makes that a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{closeout, commit, describe, expect_file, fixtures, git, scratch, text};

/// `target/e2e/fmt/node_modules/.bin`, when both tools are there.
fn tools() -> Option<PathBuf> {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/fmt/node_modules/.bin");
    if bin.join("prettier").exists() && bin.join("markdownlint-cli2").exists() {
        return Some(bin);
    }
    let message =
        "skipped formatter test: prettier and markdownlint-cli2 are not installed in target/e2e/fmt (.ci/run installs them)";
    if std::env::var_os("CLOSEOUT_REQUIRE_REAL_SUITES").is_some() {
        panic!("{message}, and CLOSEOUT_REQUIRE_REAL_SUITES is set");
    }
    eprintln!("{message}");
    None
}

/// A tool from `bin` run in `dir`, with no configuration of its own (defaults only).
fn tool(bin: &Path, name: &str, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin.join(name));
    if name == "prettier" {
        cmd.args(["--no-config", "--no-editorconfig"]);
    }
    cmd.args(args).current_dir(dir).output().unwrap()
}

/// `prettier --check` and `markdownlint-cli2` on `docs`: the problems each reports. Both
/// run with their default configuration, except that with `long_lines` markdownlint's
/// MD013 (lines of at most 80 columns) is off: a table row is as long as its widest
/// cells and a generated list item as long as its text, and closeout wraps neither
/// (prettier, with its default `proseWrap: preserve`, does not either).
fn lint(bin: &Path, dir: &Path, docs: &[&str], long_lines: bool) -> Vec<String> {
    let config = dir.join(".markdownlint-cli2.jsonc");
    if long_lines {
        std::fs::write(&config, r#"{ "config": { "MD013": false } }"#).unwrap();
    } else {
        let _ = std::fs::remove_file(&config);
    }
    let mut problems = Vec::new();
    let mut args = vec!["--check"];
    args.extend(docs);
    let out = tool(bin, "prettier", dir, &args);
    if !out.status.success() {
        let mut diffs = String::new();
        for doc in docs {
            let formatted = tool(bin, "prettier", dir, &[doc]);
            let before = std::fs::read_to_string(dir.join(doc)).unwrap();
            diffs.push_str(&format!(
                "{doc}:\n{}\n",
                similar::TextDiff::from_lines(&before, &text(&formatted.stdout)).unified_diff()
            ));
        }
        problems.push(format!("prettier --check: {}\n{diffs}", describe(&out)));
    }
    let out = tool(bin, "markdownlint-cli2", dir, docs);
    if !out.status.success() {
        problems.push(format!("markdownlint-cli2: {}", describe(&out)));
    }
    problems
}

fn run(dir: &Path, args: &[&str]) -> Output {
    closeout().args(args).current_dir(dir).output().unwrap()
}

#[test]
fn init_docs_pass_prettier_and_markdownlint() {
    let Some(bin) = tools() else { return };
    let dir = scratch("fmt-init");
    git(&dir, &["init", "-q"]);
    let out = run(&dir, &["init", "--name", "Demo"]);
    assert!(out.status.success(), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let docs = ["docs/closeout/plan.md", "docs/closeout/progress.md"];
    let problems = lint(&bin, &dir, &docs, false);
    assert!(problems.is_empty(), "init's docs:\n{}", problems.join("\n"));

    // Regions filled for the first time use closeout's default layout.
    let toml = std::fs::read_to_string(dir.join("closeout.toml")).unwrap();
    std::fs::write(dir.join("closeout.toml"), format!("{toml}\n{DATA}")).unwrap();
    commit(&dir, "program");
    let out = run(&dir, &["baseline"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    let problems = lint(&bin, &dir, &docs, true);
    assert!(problems.is_empty(), "init's docs after update-docs:\n{}", problems.join("\n"));
}

/// Data that exercises the table padding: CJK, emoji, a pipe in a command, escapes,
/// an alignment-sensitive empty cell, a release blocker (a list) and traceability.
const DATA: &str = r#"[[gate]]
id = "pipe"
run = '''printf 'ok | done\n' | cat'''
parser = "none"

[[track]]
id = "storage"
name = "存储 Storage ✅"
plan = "doc.md"
classification = "DEFERRED"
notes = "No packet execution started 🚀"

[[risk]]
id = "CR-1"
surface = "Cross-track"
description = "Routes drift: `a|b` and *stars* and <html>"
severity = "HIGH"
packets = ["00"]
mitigation = "Reconciliation tests ⚠️"

[[debt]]
id = "DL-1"
description = "路径匹配 失败 (CJK)"
severity = "MEDIUM"
owner = "チーム"
milestone = "Pre-release"
covers = ["track:storage"]

[[debt]]
id = "DL-3"
description = "spaces  and\ttabs, *stars* **bold** _under_ a_b __d__ <b>x</b> &amp; & ~t~ ~~s~~ [r](u) # + - 1. \\ end"
severity = "LOW"
owner = "o"
milestone = "Pre-release"

[[debt]]
id = "DL-2"
description = "Emoji 👍🏽 and 🇺🇸 and a_b_c"
severity = "LOW"
owner = "Team B"
milestone = "Later"
"#;

#[test]
fn a_prettier_formatted_doc_stays_formatted_after_update_docs() {
    let Some(bin) = tools() else { return };
    let dir = scratch("fmt-roundtrip");
    git(&dir, &["init", "-q"]);
    let program = format!(
        "[program]\nname = \"P\"\ndocs = [\"doc.md\", \"hand.md\"]\n\n[[packet]]\nid = \"00\"\ntitle = \"Baseline | setup\"\nstatus = \"IN_PROGRESS\"\nimplementer = \"Codex\"\ntests = [\"pipe\"]\n\n{DATA}"
    );
    std::fs::write(dir.join("closeout.toml"), &program).unwrap();
    let kinds = [
        "packet-board",
        "packet-completeness",
        "packet-evidence:00",
        "tracks",
        "drift",
        "risks",
        "ledger",
        "blockers",
        "traceability",
        "baseline",
        "perf",
        "verdict",
    ];
    let mut doc = String::from("# Doc\n");
    for kind in kinds {
        doc.push_str(&format!(
            "\n## {kind}\n\n<!-- closeout:begin {kind} -->\n<!-- closeout:end {kind} -->\n"
        ));
    }
    std::fs::write(dir.join("doc.md"), &doc).unwrap();
    // A hand-kept document with compact tables of its own, formatted by prettier (which
    // aligns them) before closeout first updates it.
    std::fs::write(
        dir.join("hand.md"),
        "# Hand\n\n<!-- closeout:begin ledger -->\n|ID|Description|Severity|Status|\n|:--|---|--:|:-:|\n|DL-1|路径匹配 失败 (CJK)|MEDIUM|open|\n|DL-2|Emoji 👍🏽 and 🇺🇸 and a_b_c|LOW|open|\n<!-- closeout:end ledger -->\n",
    )
    .unwrap();
    let out = tool(&bin, "prettier", &dir, &["--write", "hand.md"]);
    assert!(out.status.success(), "{}", describe(&out));
    commit(&dir, "program");
    let out = run(&dir, &["baseline"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let out = run(&dir, &["verdict"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout).contains("updated hand.md"), "DL-3 is added: {}", describe(&out));
    let problems = lint(&bin, &dir, &["doc.md", "hand.md"], true);
    assert!(problems.is_empty(), "closeout's default layout:\n{}", problems.join("\n"));

    let out = tool(&bin, "prettier", &dir, &["--write", "doc.md", "hand.md"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&dir, &["verify-docs", "--strict"]);
    assert!(out.status.success(), "prettier's form is in sync: {}", describe(&out));

    // A data change rewrites the regions; the document stays formatted.
    let changed = program
        .replace("status = \"IN_PROGRESS\"", "status = \"IN_PROGRESS\"\nreviewer = \"レビュー担当\"")
        .replace(
            "description = \"路径匹配 失败 (CJK)\"",
            "description = \"路径匹配 失败 (CJK), now with a much longer description ✅\"",
        )
        .replace(
            "severity = \"LOW\"",
            "severity = \"HIGH\"\nstatus = \"resolved\"\nresolution = \"fixed | done\"",
        );
    std::fs::write(dir.join("closeout.toml"), changed).unwrap();
    let out = run(&dir, &["verdict"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout).contains("updated doc.md"), "{}", describe(&out));
    assert!(text(&out.stdout).contains("updated hand.md"), "{}", describe(&out));
    let problems = lint(&bin, &dir, &["doc.md", "hand.md"], true);
    assert!(problems.is_empty(), "after update-docs:\n{}", problems.join("\n"));
    let out = run(&dir, &["verify-docs", "--strict"]);
    assert!(out.status.success(), "{}", describe(&out));
}

/// ../shared/repros/peer/08-formatter-repads: closeout's output passes prettier and
/// markdownlint as it is, and a prettier-formatted doc stays in sync (`--strict`) and
/// unchanged by update-docs. The regenerated doc is compared with
/// tests/fixtures/formatters/08-formatter-repads.md.
#[test]
fn peer_repro_08_formatter_repads() {
    let repro = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/repros/peer/08-formatter-repads");
    if !repro.exists() {
        eprintln!("skipped: {} is absent (the shared repros are not beside this checkout)", repro.display());
        return;
    }
    let Some(bin) = tools() else { return };
    let dir = scratch("fmt-repro-08");
    git(&dir, &["init", "-q"]);
    std::fs::copy(repro.join("files/closeout.toml"), dir.join("closeout.toml")).unwrap();
    std::fs::write(
        dir.join("doc.md"),
        "# Doc\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n\n<!-- closeout:begin blockers -->\n<!-- closeout:end blockers -->\n",
    )
    .unwrap();
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    let doc = std::fs::read_to_string(dir.join("doc.md")).unwrap();
    let expected = fixtures().join("formatters/08-formatter-repads.md");
    if let Some(problem) = expect_file(&expected, &doc) {
        panic!("{problem}");
    }
    let problems = lint(&bin, &dir, &["doc.md"], true);
    assert!(problems.is_empty(), "closeout's output:\n{}", problems.join("\n"));

    // The repro's own doc.md holds closeout's earlier, compact output. Once prettier has
    // formatted it, closeout keeps prettier's form: update-docs refreshes the checksums
    // (they were taken of the compact form) and nothing else, and the doc is then in sync
    // under --strict.
    std::fs::copy(repro.join("files/doc.md"), dir.join("doc.md")).unwrap();
    let out = tool(&bin, "prettier", &dir, &["--write", "doc.md"]);
    assert!(out.status.success(), "{}", describe(&out));
    let formatted = std::fs::read_to_string(dir.join("doc.md")).unwrap();
    let out = run(&dir, &["verify-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    let updated = std::fs::read_to_string(dir.join("doc.md")).unwrap();
    let without_checksums =
        |s: &str| s.lines().filter(|l| !l.contains("checksum=")).collect::<Vec<_>>().join("\n");
    assert_eq!(
        without_checksums(&updated),
        without_checksums(&formatted),
        "update-docs keeps prettier's form"
    );
    let out = run(&dir, &["verify-docs", "--strict"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert!(text(&out.stdout).contains("nothing written"), "{}", describe(&out));
    let problems = lint(&bin, &dir, &["doc.md"], true);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// closeout's display widths (`docs::width`) equal prettier's on characters and emoji
/// sequences, measured by the installed prettier.
#[test]
fn widths_equal_prettiers() {
    let Some(bin) = tools() else { return };
    let samples = [
        "ab",
        "中文",
        "e\u{301}",
        "✅",
        "⚠",
        "⚠\u{fe0f}",
        "©",
        "©\u{fe0f}",
        "👍🏽",
        "👍🏽🏽",
        "🇺🇸",
        "🇺🇸🇺",
        "1\u{fe0f}\u{20e3}",
        "👨\u{200d}👩\u{200d}👧",
        "🧑\u{200d}💻",
        "❤\u{fe0f}\u{200d}🔥",
        "a\u{200d}b",
        "x\u{200d}🚀",
        "a\u{fe0f}",
        "チーム",
        "한국어",
        "ｆｕｌｌ",
        "Ω≈ç√",
        "—–",
        "\u{e9}",
        "🚀 launch",
        "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}",
    ];
    let modules = bin.parent().unwrap();
    let script = "import(process.argv[1]).then(p => { for (const s of JSON.parse(process.argv[2])) console.log(p.util.getStringWidth(s)); })";
    let out = Command::new("node")
        .args([
            "-e",
            script,
            &modules.join("prettier/index.mjs").to_string_lossy(),
            &serde_json::to_string(&samples).unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let theirs: Vec<usize> = text(&out.stdout).lines().map(|l| l.parse().unwrap()).collect();
    let ours: Vec<usize> = samples.iter().map(|s| closeout::docs::width::width(s)).collect();
    let differ: Vec<String> = samples
        .iter()
        .zip(ours.iter().zip(&theirs))
        .filter(|(_, (a, b))| a != b)
        .map(|(s, (a, b))| format!("{s:?}: closeout {a}, prettier {b}"))
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
}

/// Writes closeout/markdown/src/docs/width_table.rs from prettier's `util.getStringWidth`, one code
/// point at a time. Run by [`width_table_is_prettiers`].
const WIDTH_TABLE_SCRIPT: &str = r#"
const p = await import(process.argv[1]);
const w = p.util.getStringWidth;
const zero = [], wide = [], vs = [];
const push = (list, cp) => { const l = list[list.length - 1]; if (l && l[1] === cp - 1) l[1] = cp; else list.push([cp, cp]); };
for (let cp = 0x80; cp <= 0x10FFFF; cp++) {
  if (cp >= 0xD800 && cp <= 0xDFFF) continue;
  const s = String.fromCodePoint(cp);
  const x = w(s);
  if (x === 0) push(zero, cp); else if (x === 2) push(wide, cp);
  if (x === 1 && w(s + "\uFE0F") === 2) push(vs, cp);
}
const hex = (n) => "0x" + n.toString(16).toUpperCase();
const fmt = (name, doc, list) => `/// ${doc}\npub(super) const ${name}: &[(u32, u32)] = &[\n` + list.map(([a, b]) => `    (${hex(a)}, ${hex(b)}),`).join("\n") + "\n];\n";
console.log(`//! Generated from prettier ${p.version}'s \`util.getStringWidth\`, one code point at a time
//! (\`node\` over every code point from U+0080; see \`docs::width\`). Do not edit by hand.
`);
console.log(fmt("ZERO", "Code points prettier counts as zero columns (controls, nonspacing and enclosing marks).", zero));
console.log(fmt("WIDE", "Code points prettier counts as two columns (East Asian wide and fullwidth, emoji).", wide));
process.stdout.write(fmt("EMOJI_WITH_VS16", "Code points of one column that an emoji variation selector (U+FE0F) makes two.", vs));
"#;

/// closeout/markdown/src/docs/width_table.rs is what the installed prettier says, code point by
/// code point (`UPDATE_EXPECT=1` regenerates it after a prettier upgrade).
#[test]
fn width_table_is_prettiers() {
    let Some(bin) = tools() else { return };
    let index = bin.parent().unwrap().join("prettier/index.mjs");
    let out = Command::new("node")
        .args(["--input-type=module", "-e", WIDTH_TABLE_SCRIPT, &index.to_string_lossy()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let table = Path::new(env!("CARGO_MANIFEST_DIR")).join("markdown/src/docs/width_table.rs");
    if let Some(problem) = expect_file(&table, &text(&out.stdout)) {
        panic!("{problem}");
    }
}

/// A real plan and tracker (../shared/corpus/pulse) formatted by prettier: `import` wraps
/// their tables, and the docs stay formatted, in sync under `--strict`, and unchanged by
/// `update-docs`.
#[test]
fn import_keeps_a_prettier_formatted_plan_formatted() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/pulse");
    if !corpus.exists() {
        eprintln!("skipped: {} is absent (the shared corpus is not beside this checkout)", corpus.display());
        return;
    }
    let Some(bin) = tools() else { return };
    let dir = scratch("fmt-import");
    git(&dir, &["init", "-q"]);
    for (from, to) in [
        ("program-closeout-certification-plan-2026-02.md", "plan.md"),
        ("program-closeout-certification-progress-2026-02.md", "progress.md"),
    ] {
        std::fs::write(dir.join(to), std::fs::read(corpus.join(from)).unwrap()).unwrap();
    }
    let out = tool(&bin, "prettier", &dir, &["--write", "plan.md", "progress.md"]);
    assert!(out.status.success(), "{}", describe(&out));
    commit(&dir, "docs");
    let out = run(&dir, &["import", "plan.md", "progress.md"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    crate::support::assert_schema_accepts(&dir);
    let wrapped = std::fs::read_to_string(dir.join("plan.md")).unwrap();
    assert!(wrapped.contains("<!-- closeout:begin risks -->\n\n| Risk ID |"), "{wrapped}");
    let out = run(&dir, &["verify-docs", "--strict"]);
    assert!(out.status.success(), "{}", describe(&out));
    let out = run(&dir, &["update-docs"]);
    assert!(text(&out.stdout).contains("nothing written"), "{}", describe(&out));
    let out = tool(&bin, "prettier", &dir, &["--check", "plan.md", "progress.md"]);
    assert!(out.status.success(), "import leaves prettier's form: {}", describe(&out));
}

/// An empty ledger is a header and a delimiter line; the first item added to it is laid
/// out aligned with them, as prettier would.
#[test]
fn the_first_row_of_an_empty_table_stays_formatted() {
    let Some(bin) = tools() else { return };
    let dir = scratch("fmt-first-row");
    git(&dir, &["init", "-q"]);
    let program = "[program]\nname = \"P\"\ndocs = [\"doc.md\"]\n";
    std::fs::write(dir.join("closeout.toml"), program).unwrap();
    std::fs::write(
        dir.join("doc.md"),
        "# Doc\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n",
    )
    .unwrap();
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    let problems = lint(&bin, &dir, &["doc.md"], false);
    assert!(problems.is_empty(), "an empty ledger:\n{}", problems.join("\n"));
    std::fs::write(
        dir.join("closeout.toml"),
        format!("{program}\n[[debt]]\nid = \"DL-1\"\ndescription = \"A longer description\"\nseverity = \"LOW\"\nowner = \"o\"\nmilestone = \"m\"\n"),
    )
    .unwrap();
    let out = run(&dir, &["update-docs"]);
    assert!(out.status.success(), "{}", describe(&out));
    let problems = lint(&bin, &dir, &["doc.md"], false);
    assert!(problems.is_empty(), "the first row:\n{}", problems.join("\n"));
}
