//! Property tests of the docs engine: rendered tables parse back to exactly their data,
//! and on arbitrary markdown with regions spliced in, `update` then `verify` is clean,
//! `update` is idempotent, bytes outside regions are kept, and nothing panics.

use std::collections::BTreeMap;
use std::path::Path;

use closeout::docs::compare::{blocks, normalize_cell, Block};
use closeout::docs::generate::Evidence;
use closeout::docs::markers;
use closeout::docs::render::{self, Inline, Table};
use closeout::docs::sync::{self, RegionState};
use closeout::model::Program;
use proptest::prelude::*;

fn program() -> Program {
    let text = r#"
[program]
name = "props"

[[track]]
id = "storage"
name = "Storage | Backups *V2*"
classification = "DEFERRED"
notes = "a \\ backslash, a `code|span` and <html>"

[[packet]]
id = "00"
title = "First_packet [x] & more"
status = "DONE"
review = "APPROVED"
residual_risk = ["line one\nline two"]

[[risk]]
id = "R-1"
description = "~~struck~~ **bold** _under_"
severity = "LOW"
packets = ["00"]

[[debt]]
id = "DL-1"
description = "`a|b` -> c &amp; d"
severity = "HIGH"
owner = "Team # one"
milestone = "Pre-release"
covers = ["track:storage", "packet:00"]
"#;
    closeout::config::parse(text, Path::new("closeout.toml"), Path::new("/r"), &|_| true).unwrap()
}

fn piece() -> impl Strategy<Value = Inline> {
    let text = "[ a-zA-Z0-9|\\\\`*_\\[\\]<>&~#!:;.,()\\-é→\n]{0,12}";
    let code = "[a-zA-Z0-9|*_<>&~#!:;.,()\\- \\\\]{1,10}";
    prop_oneof![
        text.prop_map(Inline::Text),
        code.prop_filter("code has a non-space", |c: &String| c.trim() != "" && !c.contains("\\|"))
            .prop_map(Inline::Code),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rendered_tables_parse_back_to_their_data(
        header in prop::collection::vec("[A-Za-z][A-Za-z ]{0,8}[A-Za-z]", 1..4),
        rows in prop::collection::vec(prop::collection::vec(prop::collection::vec(piece(), 0..3), 1..4), 0..4),
    ) {
        let width = header.len();
        let rows: Vec<Vec<Vec<Inline>>> = rows.into_iter().map(|mut r| { r.resize(width, Vec::new()); r.truncate(width); r }).collect();
        let table = Table { header: header.clone(), rows: rows.clone() };
        let markdown = render::table(&table);
        let parsed = blocks(&markdown);
        let expected_rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(normalize_cell).collect()).collect();
        let expected_header: Vec<String> = header.iter().map(|h| h.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        prop_assert_eq!(parsed, vec![Block::Table { header: expected_header, rows: expected_rows }], "markdown:\n{}", markdown);
    }
}

/// Pieces of markdown that may surround regions.
fn filler() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ,.|*_`]{0,40}".prop_map(|s| format!("{s}\n")),
        "[a-zA-Z ]{1,20}".prop_map(|s| format!("## {s}\n")),
        Just("```\n<!-- closeout:begin ledger -->\nnot a marker\n```\n".to_string()),
        Just("| a | b |\n|---|---|\n| 1 | 2 |\n".to_string()),
        Just("- [ ] open box\n- [x] done box\n".to_string()),
        Just("trailing spaces   \n".to_string()),
        Just("\n".to_string()),
        Just("Inline `<!-- closeout:end ledger -->` is code.\n".to_string()),
    ]
}

/// What a region holds before closeout rewrites it.
fn stale() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("\n| ID | Severity |\n| --- | --- |\n| DL-1 | LOW |\n\n".to_string()),
        "[a-zA-Z |]{0,30}".prop_map(|s| format!("{s}\n")),
        Just("<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n".to_string()),
    ]
}

fn kind() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("ledger"),
        Just("risks"),
        Just("blockers"),
        Just("drift"),
        Just("tracks"),
        Just("traceability"),
        Just("packet-board"),
        Just("packet-completeness"),
        Just("packet-evidence:00"),
    ]
}

fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((prop::collection::vec(filler(), 0..4), kind(), stale()), 0..5),
        prop::collection::vec(filler(), 0..3),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(sections, tail, crlf, bom, final_newline)| {
            let mut used = std::collections::HashSet::new();
            let mut text = String::new();
            for (before, kind, content) in sections {
                text.extend(before);
                if used.insert(kind) {
                    text.push_str(&format!(
                        "\n<!-- closeout:begin {kind} -->\n{content}<!-- closeout:end {kind} -->\n"
                    ));
                }
            }
            text.extend(tail);
            if !final_newline {
                while text.ends_with('\n') {
                    text.pop();
                }
            }
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            if bom {
                text.insert(0, '\u{feff}');
            }
            text
        })
}

/// Everything but region content and end-marker lines.
fn outside(text: &str) -> Vec<String> {
    let regions = markers::find(text).expect("markers stay valid");
    let mut out = Vec::new();
    let mut cursor = 0;
    for r in &regions {
        out.push(text[cursor..r.content.start].to_string());
        cursor = r.end.end;
    }
    out.push(text[cursor..].to_string());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn update_is_clean_idempotent_and_keeps_outside_bytes(doc in document()) {
        let program = program();
        let packets = BTreeMap::new();
        let evidence = Evidence::new(None, &packets);
        let Ok(first) = sync::check(&doc, &program, evidence, false) else {
            // Only well-formed markers are generated, so a failure here is a bug.
            return Err(TestCaseError::fail(format!("check failed on:\n{doc:?}")));
        };
        let updated = first.updated.clone();
        let second = sync::check(&updated, &program, evidence, false).unwrap();
        prop_assert!(second.regions.iter().all(|r| r.state == RegionState::InSync), "{:?}", second.regions.iter().map(|r| r.state).collect::<Vec<_>>());
        prop_assert_eq!(&second.updated, &updated);
        prop_assert_eq!(outside(&doc), outside(&updated));
        if doc.contains("\r\n") {
            prop_assert!(!updated.replace("\r\n", "").contains('\n'), "CRLF kept");
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(<!-- closeout:(begin|end) [a-z:0-9-]{0,12}( checksum=[0-9a-f]{0,6})? -->\n|[a-z |`\n#-]{0,20}|```\n){0,12}") {
        let program = program();
        let packets = BTreeMap::new();
        let evidence = Evidence::new(None, &packets);
        if let Ok(check) = sync::check(&text, &program, evidence, false) {
            let again = sync::check(&check.updated, &program, evidence, false).unwrap();
            prop_assert_eq!(again.updated, check.updated);
        }
    }
}
