//! `closeout import`: read an existing plan and progress tracker (GFM, through
//! pulldown-cmark) into closeout.toml, and find the tables a generator can own. A pipeline:
//! **read** each document into blocks (`md`), **recognise** what they hold by meaning
//! (`plan`, `tracker`, `board`, `gates`, `risks`, `tables`, with `ids` and `placeholder`),
//! **map** it onto the model (`map`), **render** the commented closeout.toml (`render`).
//! Pure: text in, TOML text, region candidates and a report out. Nothing is invented: what
//! cannot be mapped is written as a `# closeout import: could not parse …` comment and
//! listed in the report with its file and line.

pub mod board;
pub mod gates;
pub mod ids;
mod map;
pub mod md;
pub mod placeholder;
mod plan;
mod render;
pub mod risks;
mod tables;
mod tracker;

pub use plan::moved_note;
pub use render::{waivers_toml, WAIVER_REASON};
pub use tables::severity_word;
pub use tracker::has_board;

use std::collections::BTreeMap;

use md::{Block, Table};

/// A document to import.
pub struct Source<'a> {
    /// As the docs list will name it, relative to the repository root.
    pub path: &'a str,
    pub text: &'a str,
}

/// Something import could not map, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub file: String,
    pub line: usize,
    pub what: String,
    pub why: String,
}

/// A table that a generator may own, by its lines in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub file: String,
    pub kind: &'static str,
    pub first: usize,
    pub last: usize,
    /// An earlier table of the risk register that a later one updates: it stays as written,
    /// unwrapped, as the register's history. Says where the later table is (`file:first-last`).
    pub superseded_by: Option<String>,
}

impl Candidate {
    /// The table `t` of `file`, to be wrapped as a `kind` region.
    fn table(file: &str, kind: &'static str, t: &Table) -> Candidate {
        Candidate { file: file.into(), kind, first: t.first, last: t.last, superseded_by: None }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub toml: String,
    /// Items imported per table (`gate`, `packet`, …).
    pub counts: BTreeMap<&'static str, usize>,
    pub unmapped: Vec<Unmapped>,
    /// Every cell of every table import read, and how many went into the data.
    pub cells_total: usize,
    pub cells_mapped: usize,
    pub candidates: Vec<Candidate>,
    /// The verdict line the plan states, if it states one.
    pub stated_verdict: Option<String>,
    /// A progress tracker was given, but it holds nothing a tracker holds (no board, no
    /// packet's section): the import task refuses it.
    pub progress_empty: bool,
}

#[derive(Debug, Default, Clone)]
struct Gate {
    id: String,
    run: String,
    when: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Packet {
    /// Where the packet was found (plan heading or board row), for its report lines.
    #[allow(dead_code)]
    line: usize,
    id: String,
    title: String,
    status: Option<String>,
    review: Option<String>,
    implementer: Option<String>,
    reviewer: Option<String>,
    scope: Vec<String>,
    tests: Vec<String>,
    commit: Option<String>,
    residual_risk: Vec<String>,
    rollback: Vec<String>,
    files: Vec<(String, Option<String>)>,
    checklist: Vec<String>,
    notes: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct Row {
    /// The document and line the row is on.
    file: String,
    line: usize,
    fields: Vec<(&'static str, String)>,
    notes: Vec<String>,
    /// The source row's cells, quoted when the row cannot be imported.
    cells: Vec<String>,
    /// The non-empty cells a key took (reported one by one if the row is rejected).
    taken: Vec<String>,
    /// Why the row cannot be imported; then it is written as comments.
    rejected: Option<String>,
}

impl Row {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }
}

/// An id from a name: lower-case ASCII words joined by `-` (`Storage + Backups V2` →
/// `storage-backups-v2`).
pub(crate) fn slug(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A gate id from its command: `go build ./...` → `go-build`, `go test ./internal/api/...`
/// → `go-test-api`, `…/tsc --noEmit` → `tsc`, `… vitest run a/settingsRouting.test.ts` →
/// `vitest-settingsrouting`.
/// The words of a command that say what it runs: without leading `cd DIR &&` steps,
/// `VAR=value` assignments and `env`/`time`/`timeout N` wrappers.
fn command_words(command: &str) -> Vec<&str> {
    // The first step that is not a `cd`: `cd web && npm test` runs `npm test`.
    let step = command
        .split("&&")
        .map(str::trim)
        .find(|step| !step.starts_with("cd ") && !step.is_empty())
        .unwrap_or(command);
    let mut words: Vec<&str> = step.split_whitespace().collect();
    loop {
        match words.first() {
            Some(w) if w.contains('=') && !w.starts_with('-') => {
                words.remove(0);
            }
            Some(&"env") | Some(&"time") => {
                words.remove(0);
            }
            Some(&"timeout") => {
                words.drain(..words.len().min(2));
            }
            _ => break,
        }
    }
    words
}

pub fn gate_id(command: &str) -> String {
    let words = command_words(command);
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let tool = words.first().map(|w| base(w)).unwrap_or_default();
    // The first word after `at` that is neither a flag nor a flag's value (`--prefix web`).
    const VALUED: &[&str] = &[
        "--prefix",
        "-C",
        "--dir",
        "--cwd",
        "--filter",
        "-w",
        "--workspace",
        "--manifest-path",
        "-f",
        "--file",
    ];
    let arg = |at: usize| {
        let mut skip = false;
        for w in words.iter().skip(at) {
            if std::mem::take(&mut skip) {
                continue;
            }
            if w.starts_with('-') {
                skip = VALUED.contains(w);
                continue;
            }
            return Some(base(w));
        }
        None
    };
    let id = if tool == "go" && words.len() > 1 {
        let target = words.iter().skip(2).find(|w| w.starts_with("./")).map(|w| {
            let parts: Vec<&str> = w.trim_start_matches("./").split('/').filter(|p| *p != "...").collect();
            parts.last().copied().unwrap_or("all").to_string()
        });
        // `go build ./...` is plainly `go-build`; `go test ./...` is `go-test-all`.
        let target = target.map(|t| if t.is_empty() { "all".to_string() } else { t });
        match target.as_deref() {
            Some("all") if words[1] != "test" => format!("go-{}", words[1]),
            Some(t) => format!("go-{}-{t}", words[1]),
            None => format!("go-{}", words[1]),
        }
    } else if let Some(i) = words.iter().position(|w| base(w) == "vitest" || base(w) == "jest") {
        let runner = base(words[i]);
        let file = words[i + 1..]
            .iter()
            .find(|w| w.contains('.'))
            .map(|w| base(w).split('.').next().unwrap_or("").to_string());
        match file {
            Some(f) => format!("{runner}-{f}"),
            None => runner,
        }
    } else if ["bash", "sh", "zsh"].contains(&tool.as_str()) {
        // `bash scripts/conformance-smoke.sh`: the script's name.
        let script = arg(1).unwrap_or_else(|| tool.clone());
        script.rsplit_once('.').map_or(script.clone(), |(stem, _)| stem.to_string())
    } else if ["npm", "pnpm", "yarn", "bun", "cargo", "make", "dotnet", "mvn", "gradle", "docker"]
        .contains(&tool.as_str())
    {
        // `npm test`, `npm run lint`, `cargo clippy`: the tool and what it is asked to do.
        match arg(1) {
            Some(sub) if ["run", "exec", "x", "dlx"].contains(&sub.as_str()) => {
                let at = words.iter().position(|w| base(w) == sub).map_or(2, |i| i + 1);
                arg(at).map_or(format!("{tool}-{sub}"), |w| format!("{tool}-{w}"))
            }
            Some(sub) => format!("{tool}-{sub}"),
            None => tool,
        }
    } else {
        tool
    };
    let id = slug(&id);
    if id.is_empty() {
        "gate".into()
    } else {
        id
    }
}

/// Cells of the docs' own tables that closeout.toml keeps as written, per item:
/// (`packet`/`risk`/`debt`/`track`, item id) → (column header, cell markdown).
pub type Columns = BTreeMap<(String, String), Vec<(String, String)>>;
/// Read a plan (and its tracker) into closeout.toml text, the tables a generator can own,
/// and what could not be mapped. `columns` are the cells to keep as written (see
/// [`Columns`]); the import task finds them by laying the data out in each table.
pub fn import(plan: Source, progress: Option<Source>, columns: &Columns) -> Imported {
    let mut out = Imported::default();
    // Read.
    let plan_blocks = md::blocks(plan.text);
    let progress_blocks = progress.as_ref().map(|p| md::blocks(p.text)).unwrap_or_default();

    // Recognise: the plan's packets and tables, the baseline, the tracker's boards,
    // sections and risk tables (a tracker imported alone is read as the tracker it is),
    // list-form risks.
    let mut found = plan::walk(&plan, &plan_blocks, &mut out);
    let gates = baseline(&plan_blocks);
    match &progress {
        Some(progress) => {
            out.progress_empty = !tracker::read(progress, &progress_blocks, &mut found.packets, &mut out);
            found.risk_tables.extend(plan::risk_tables(progress, &progress_blocks, &mut out));
        }
        None => {
            tracker::read(&plan, &plan_blocks, &mut found.packets, &mut out);
        }
    }
    let progress_path = progress.as_ref().map_or("", |p| p.path);
    let lists: Vec<(&str, risks::ListRisk)> = risks::read(&plan_blocks)
        .into_iter()
        .map(|r| (plan.path, r))
        .chain(risks::read(&progress_blocks).into_iter().map(|r| (progress_path, r)))
        .collect();

    // Map.
    map::join_drift(&mut found, &plan, &mut out);
    map::register(&mut found, &mut out);
    map::list_risks(&mut found, lists);
    tables::check_rows(&mut found.risks, "risk", &["id", "description"], &mut out);
    map::risk_packets(&mut found, &mut out);
    tables::check_rows(&mut found.tracks, "track", &["id", "name", "classification"], &mut out);
    tables::check_rows(&mut found.debts, "debt", &["id", "description"], &mut out);
    map::link_ledger(&mut found);
    map::tests_to_gates(&mut found, &gates);

    // Render.
    out.stated_verdict = found.stated_verdict.take();
    out.counts.insert("gate", gates.len());
    out.counts.insert("packet", found.packets.len());
    out.counts.insert("risk", found.risks.len());
    out.counts.insert("track", found.tracks.len());
    out.counts.insert("debt", found.debts.len());
    if !found.moved.is_empty() {
        out.counts.insert("paths.moved", found.moved.len());
    }
    out.toml = render::render_toml(
        &found.name,
        plan.path,
        progress.as_ref().map(|p| p.path),
        &gates,
        &found.tracks,
        &found.packets,
        &found.risks,
        &found.debts,
        &found.moved,
        &out.unmapped,
        columns,
    );
    out
}

/// The validation baseline's commands as gates, each with a unique id.
fn baseline(blocks: &[Block]) -> Vec<Gate> {
    let mut gates: Vec<Gate> = Vec::new();
    for command in gates::read(blocks) {
        let mut id = gate_id(&command.run);
        let base = id.clone();
        let mut n = 2;
        while gates.iter().any(|g| g.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        gates.push(Gate { id, run: command.run, when: command.when });
    }
    gates
}

#[cfg(test)]
mod tests {
    use super::ids::packet_heading;
    use super::*;

    /// The program `import` makes of a plan (and tracker), read back as closeout.toml.
    fn imported(plan: &str, progress: Option<&str>) -> (Imported, crate::model::Program) {
        let out = import(
            Source { path: "plan.md", text: plan },
            progress.map(|text| Source { path: "progress.md", text }),
            &Columns::new(),
        );
        let file = std::path::Path::new("closeout.toml");
        let program = crate::config::parse(&out.toml, file, std::path::Path::new("."), &|_| true)
            .unwrap_or_else(|e| panic!("{e}\n{}", out.toml));
        (out, program)
    }

    /// Each risk as (id, description, severity, packets, shown in the `risks` region).
    fn risks(program: &crate::model::Program) -> Vec<(&str, &str, &str, Vec<&str>, bool)> {
        use crate::vocab::Vocab;
        program
            .risks
            .iter()
            .map(|r| {
                (
                    r.id.as_str(),
                    r.description.as_str(),
                    r.severity.map_or("", |s| s.as_str()),
                    r.packets.iter().map(String::as_str).collect(),
                    !r.listed,
                )
            })
            .collect()
    }

    /// Where each candidate `risks` region is, and the table that supersedes it.
    fn risk_regions(out: &Imported) -> Vec<(String, usize, Option<String>)> {
        out.candidates
            .iter()
            .filter(|c| c.kind == "risks")
            .map(|c| (c.file.clone(), c.first, c.superseded_by.clone()))
            .collect()
    }

    #[test]
    fn a_risk_table_restated_later_is_one_register_and_the_latest_is_its_region() {
        let plan = "### Residual Risks\n| # | Risk | Severity | Owner |\n|---|---|---|---|\n| 1 | Flaky poller test | P2 | Eng |\n| 2 | Slow CI | P3 | Eng |\n### Residual Risks (updated)\n| # | Risk | Severity | Owner |\n|---|---|---|---|\n| 1 | Flaky poller test (rerun green) | P2 | Eng |\n";
        let (out, program) = imported(plan, None);
        assert_eq!(
            risks(&program),
            vec![
                ("1", "Flaky poller test (rerun green)", "MEDIUM", vec![], true),
                ("2", "Slow CI", "LOW", vec![], false),
            ]
        );
        assert_eq!(
            risk_regions(&out),
            vec![("plan.md".into(), 2, Some("plan.md:7-9".into())), ("plan.md".into(), 7, None)]
        );
        assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
        // A third table updates the second: the later row wins wherever it is.
        let third = format!("{plan}### Residual Risks (final)\n| # | Risk | Severity |\n|---|---|---|\n| 2 | Slow CI (cached) | P2 |\n| 3 | New | P1 |\n");
        let (out, program) = imported(&third, None);
        assert_eq!(
            risks(&program),
            vec![
                ("1", "Flaky poller test (rerun green)", "MEDIUM", vec![], false),
                ("2", "Slow CI (cached)", "MEDIUM", vec![], true),
                ("3", "New", "HIGH", vec![], true),
            ]
        );
        let superseded: Vec<_> = risk_regions(&out).into_iter().map(|(_, _, by)| by).collect();
        assert_eq!(superseded, [Some("plan.md:11-14".to_string()), Some("plan.md:11-14".into()), None]);
        // One table repeating an id is still a duplicate, not an update.
        let twice = "## Risks\n| # | Risk | Severity |\n|---|---|---|\n| 1 | a | P2 |\n| 1 | b | P3 |\n";
        let out = import(Source { path: "plan.md", text: twice }, None, &Columns::new());
        assert_eq!(out.toml.matches("id = \"1\"").count(), 2, "{}", out.toml);
    }

    #[test]
    fn a_struck_through_risk_row_is_its_risk_as_written() {
        let plan = "## Risks\n| # | Risk | Severity | Owner |\n|---|---|---|---|\n| ~~1~~ | ~~Old risk~~ — **RESOLVED** | ~~P2~~ | ~~Eng~~ |\n| 2 | Slow CI | ~~P1~~ P3 | Eng |\n";
        let (out, program) = imported(plan, None);
        assert_eq!(
            risks(&program),
            vec![
                ("1", "~~Old risk~~ — **RESOLVED**", "MEDIUM", vec![], true),
                ("2", "Slow CI", "LOW", vec![], true)
            ]
        );
        assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
        assert_eq!(severity_word("~~P2~~"), "MEDIUM");
        assert_eq!(severity_word("~~HIGH~~ LOW"), "LOW");
    }

    #[test]
    fn the_trackers_risk_tables_are_read_beside_the_plans() {
        let plan = "# P\n\n### Packet 01: Poller\n\n### Packet 02: CI\n\n## Risk Register\n\n| ID | Risk | Severity | Mapped Packet |\n|---|---|---|---|\n| R1 | Flaky poller test | P2 | 01 |\n| R2 | Slow CI | P3 | 02 |\n";
        let progress = "# Progress\n\n## Packet Board\n\n| Packet | Status |\n|---|---|\n| 01 | DONE |\n| 02 | TODO |\n\n## Residual Risks\n\n| ID | Risk | Severity | Mapped Packet |\n|---|---|---|---|\n| R1 | Flaky poller test (rerun green) | P3 | 01 |\n| R3 | Token leak | P1 | 09 |\n";
        let (out, program) = imported(plan, Some(progress));
        // The tracker is the newer document: its row wins.
        assert_eq!(
            risks(&program),
            vec![
                ("R1", "Flaky poller test (rerun green)", "LOW", vec!["01"], true),
                ("R2", "Slow CI", "LOW", vec!["02"], false),
                ("R3", "Token leak", "HIGH", vec![], true),
            ]
        );
        assert_eq!(
            risk_regions(&out),
            vec![("plan.md".into(), 9, Some("progress.md:12-15".into())), ("progress.md".into(), 12, None)]
        );
        // What the tracker's table says wrongly is reported where it is.
        let lines: Vec<(&str, usize)> = out.unmapped.iter().map(|u| (u.file.as_str(), u.line)).collect();
        assert_eq!(lines, [("progress.md", 15)], "{:?}", out.unmapped);
        // The board is the tracker's, not a risk table.
        assert_eq!(program.packets.len(), 2);
    }

    #[test]
    fn a_risk_column_about_packets_gives_the_risks_packets() {
        let plan = "# P\n\n### Packet 01: One\n\n### Packet 02: Two\n\n## Risks\n\n| ID | Risk | Packet Owner | Related Packets |\n|---|---|---|---|\n| R1 | Flaky | Packet 01 | 02 |\n";
        let (out, program) = imported(plan, None);
        assert_eq!(risks(&program), vec![("R1", "Flaky", "", vec!["01"], true)]);
        assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
    }

    #[test]
    fn a_plans_files_changed_are_kept_beside_a_trackers() {
        let plan = "# P\n\n### Packet 00: Start\n\nFiles changed:\n- `src/main.go`: entry point\n- `docs/x.md` (new): notes\n";
        let progress = "# P Progress\n\n## Packet Board\n\n| Packet | Title | Status |\n|---|---|---|\n| 00 | Start | TODO |\n\n## Packet 00 Checklist\n\nFiles changed:\n- `src/main.go`: entry point, rewritten\n- `go.mod`: module\n";
        let (_, program) = imported(plan, Some(progress));
        let files: Vec<(String, Option<String>)> =
            program.packets[0].files.iter().map(|f| (f.path.clone(), f.reason.clone())).collect();
        assert_eq!(
            files,
            [
                ("src/main.go".to_string(), Some("entry point".to_string())),
                ("docs/x.md".to_string(), Some("(new) notes".to_string())),
                ("go.mod".to_string(), Some("module".to_string())),
            ]
        );
    }

    #[test]
    fn a_findings_column_is_the_risk_in_a_register_not_in_an_audit() {
        let register = "# P\n\n### Packet 01: One\n\n## Risk Register\n\n| ID | Severity | Finding | Evidence |\n|---|---|---|---|\n| R-001 | High | Alerts couple to legacy arrays. | `a.tsx:1` |\n";
        let (out, program) = imported(register, None);
        assert_eq!(program.risks.len(), 1, "{:?}", out.unmapped);
        assert_eq!(program.risks[0].description, "Alerts couple to legacy arrays.");
        assert!(out.unmapped.is_empty(), "{:?}", out.unmapped);
        // The same columns under an audit's heading are findings, not risks.
        let audit = register.replace("## Risk Register", "## Audit Findings");
        let (_, program) = imported(&audit, None);
        assert!(program.risks.is_empty());
    }

    #[test]
    fn normalization_notes_are_moves() {
        assert_eq!(
            moved_note("`internal/api/tenant_scoping_test.go` evidence now lives in `internal/api/tenant_org_binding_test.go` and `internal/api/tenant_org_ids_binding_test.go`."),
            Some((
                "internal/api/tenant_scoping_test.go".into(),
                vec!["internal/api/tenant_org_binding_test.go".into(), "internal/api/tenant_org_ids_binding_test.go".into()]
            ))
        );
        assert_eq!(
            moved_note("`internal/alerts/canonical_resource_type_test.go` evidence now lives in `internal/alerts/utility_test.go` (`TestCanonicalResourceTypeKeys`)."),
            Some(("internal/alerts/canonical_resource_type_test.go".into(), vec!["internal/alerts/utility_test.go".into()]))
        );
        assert_eq!(
            moved_note("`docs/a.md` was renamed to `docs/b.md`"),
            Some(("docs/a.md".into(), vec!["docs/b.md".into()]))
        );
        assert_eq!(moved_note("The runbook now lives in the wiki"), None);
        assert_eq!(moved_note("`docs/a.md` moved to the wiki"), None);
    }

    #[test]
    fn one_waiver_per_rule_and_subject_quoting_each_finding() {
        use crate::docs::rules::Finding;
        let finding = |rule, subject: &str, line, message: &str| Finding {
            rule,
            subject: subject.into(),
            file: "docs/progress.md".into(),
            line,
            message: message.into(),
        };
        let toml = waivers_toml(&[
            finding("done-open-box", "07", 392, "packet 07 is DONE but its checklist has an open box: `a`"),
            finding("missing-path", "docs/API.md", 10, "`docs/API.md` does not exist"),
            finding("done-open-box", "07", 393, "packet 07 is DONE but its checklist has an open box: `b`"),
        ]);
        assert_eq!(toml.matches("[[waiver]]\n").count(), 2, "{toml}");
        assert!(toml.contains(
            "# docs/progress.md:392: packet 07 is DONE but its checklist has an open box: `a`\n\
             # docs/progress.md:393: packet 07 is DONE but its checklist has an open box: `b`\n\
             [[waiver]]\nrule = \"done-open-box\"\nsubject = \"07\"\n"
        ));
        let parsed: toml_edit::DocumentMut = toml.parse().unwrap();
        let waivers = parsed["waiver"].as_array_of_tables().unwrap();
        let second = waivers.get(1).unwrap();
        assert_eq!(second["subject"].as_str(), Some("docs/API.md"));
        assert_eq!(second["reason"].as_str(), Some(WAIVER_REASON));
        assert_eq!(waivers_toml(&[]), "");
    }

    #[test]
    fn gate_ids_from_commands() {
        assert_eq!(gate_id("go build ./..."), "go-build");
        assert_eq!(gate_id("go test ./internal/api/... -run \"Contract\" -v"), "go-test-api");
        assert_eq!(gate_id("go test ./..."), "go-test-all");
        assert_eq!(gate_id("frontend-modern/node_modules/.bin/tsc --noEmit -p x"), "tsc");
        assert_eq!(
            gate_id(
                "npm --prefix frontend-modern exec -- vitest run src/a/settingsRouting.test.ts b.test.ts"
            ),
            "vitest-settingsrouting"
        );
        assert_eq!(gate_id("cd frontend-modern && npm audit --omit=dev"), "npm-audit");
        assert_eq!(gate_id("bash scripts/conformance-smoke.sh"), "conformance-smoke");
        assert_eq!(gate_id("npm run lint"), "npm-lint");
        assert_eq!(gate_id("npm --prefix web test"), "npm-test");
        assert_eq!(gate_id("make -C docs check"), "make-check");
        assert_eq!(gate_id("CI=1 npm test"), "npm-test");
        assert_eq!(gate_id("timeout 600 cargo clippy --all-targets"), "cargo-clippy");
    }

    #[test]
    fn packet_headings_in_several_shapes() {
        assert_eq!(
            packet_heading("Packet 00: Artifact Freeze"),
            Some(("00".into(), "Artifact Freeze".into()))
        );
        assert_eq!(packet_heading("DOC-01: Docs"), Some(("DOC-01".into(), "Docs".into())));
        assert_eq!(packet_heading("Packet SEC-02 — Security"), Some(("SEC-02".into(), "Security".into())));
        assert_eq!(packet_heading("Appendix A: Risks"), None);
        assert_eq!(ids::packet_ref("Packet 07").as_deref(), Some("07"));
    }
}
