//! `closeout import PLAN.md [PROGRESS.md]`: write closeout.toml from existing docs and
//! wrap the tables a generator reproduces in region markers, in place.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::generate::{self, Evidence};
use crate::docs::{files, layout, rules};
use crate::error::{Error, Result};
use crate::exit;
use crate::import::{self, Candidate, Source};

/// `closeout import`'s arguments.
pub const COMMAND: Command = Command::new(
    "import",
    "Adopt an existing plan and progress tracker: write closeout.toml from them and wrap the tables \
     closeout can regenerate in region markers",
)
.args(&[
    Arg::positional("PLAN", "The plan (global validation baseline, packets, risks, tracks, ledger)"),
    Arg::positional("PROGRESS", "The progress tracker (packet board, checklists, review evidence)")
        .optional(),
    Arg::switch("dry-run", "Print the report and the TOML; write nothing"),
    Arg::switch("force", "Overwrite an existing closeout.toml"),
    Arg::switch(
        "no-waivers",
        "Do not waive the consistency findings already in the docs (verify-docs then fails until they \
         are fixed or waived by hand)",
    ),
    Arg::switch(
        "json",
        "Print the report as JSON (what was imported, each table's region decision, the findings, the \
         gates and the closeout.toml text) instead of text",
    ),
]);

#[derive(Debug)]
pub struct ImportArgs {
    plan: PathBuf,
    progress: Option<PathBuf>,
    dry_run: bool,
    force: bool,
    no_waivers: bool,
    json: bool,
}

impl ImportArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(ImportArgs {
            plan: m.path("PLAN").unwrap_or_default(),
            progress: m.path("PROGRESS"),
            dry_run: m.flag("dry-run"),
            force: m.flag("force"),
            no_waivers: m.flag("no-waivers"),
            json: m.flag("json"),
        })
    }
}

/// A wrap decision for one candidate table.
struct Decision {
    candidate: Candidate,
    wrap: bool,
    why: Vec<String>,
    /// Not wrapped because its content differs from the data (import then exits 1); a
    /// second table of a kind already wrapped in the file is read, not dropped.
    dropped: bool,
}

impl ImportArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let root = ctx.root.clone().unwrap_or_else(|| ctx.cwd.clone());
        let _lock = ctx.lock_at(&root, crate::lock::Mode::Exclusive)?;
        let relative = |p: &Path| -> Result<String> {
            let full = std::fs::canonicalize(ctx.cwd.join(p))
                .map_err(|source| Error::Read { path: p.to_path_buf(), source })?;
            let root =
                std::fs::canonicalize(&root).map_err(|source| Error::Read { path: root.clone(), source })?;
            full.strip_prefix(&root).map(|r| r.to_string_lossy().into_owned()).map_err(|_| {
                Error::Usage(format!(
                    "{} is outside the repository root {}; run import from the root or pass --root",
                    p.display(),
                    root.display()
                ))
            })
        };
        let mut plan_path = relative(&self.plan)?;
        let mut progress_path = self.progress.as_deref().map(relative).transpose()?;
        let mut plan = files::read(&root, Path::new(&plan_path))?;
        let mut progress = progress_path.as_ref().map(|p| files::read(&root, Path::new(p))).transpose()?;
        // `import TRACKER PLAN`: the documents say which is which.
        let mut swapped = None;
        if let (Some(second), Some(second_path)) = (progress.take(), progress_path.take()) {
            if import::has_board(&plan.text) && !import::has_board(&second.text) {
                swapped = Some(format!(
                    "note: {plan_path} has the packet board, {second_path} has none: reading {second_path} as the plan and {plan_path} as the tracker\n"
                ));
                progress = Some(std::mem::replace(&mut plan, second));
                progress_path = Some(std::mem::replace(&mut plan_path, second_path));
            } else {
                progress = Some(second);
                progress_path = Some(second_path);
            }
        }
        let config = root.join(crate::discover::FILE_NAME);
        if config.exists() && !self.force && !self.dry_run {
            return Err(Error::AlreadyExists { path: config });
        }

        let plan_source = Source { path: &plan_path, text: &plan.text };
        let progress_source = progress
            .as_ref()
            .map(|p| Source { path: progress_path.as_deref().unwrap_or_default(), text: &p.text });
        let docs: Vec<(&str, &str)> = std::iter::once((plan_path.as_str(), plan.text.as_str()))
            .chain(progress.as_ref().map(|p| (progress_path.as_deref().unwrap_or_default(), p.text.as_str())))
            .collect();
        let packets = Default::default();
        let evidence = Evidence::new(None, &packets);
        // Map, lay each table out from the data, and keep as written what the data cannot
        // say (a doc's own columns and words) until every table regenerates as it stands.
        let mut columns = import::Columns::new();
        let (imported, program, decisions) = loop {
            let imported = import::import(
                Source { ..plan_source },
                progress_source.as_ref().map(|p| Source { ..*p }),
                &columns,
            );
            let program =
                crate::config::parse(&imported.toml, Path::new("closeout.toml (imported)"), &root, &|p| {
                    root.join(p).exists()
                })
                .map_err(|e| {
                    Error::Usage(format!("the imported program does not validate; nothing was written:\n{e}"))
                })?;
            let (decisions, carried) = decide(&imported.candidates, &docs, &program, evidence);
            let before = columns.values().map(Vec::len).sum::<usize>();
            for (key, cell) in carried {
                let cells = columns.entry(key).or_default();
                if !cells.iter().any(|(h, _)| *h == cell.0) {
                    cells.push(cell);
                }
            }
            if columns.values().map(Vec::len).sum::<usize>() == before {
                break (imported, program, decisions);
            }
        };
        if imported.progress_empty {
            return Err(Error::Usage(format!(
                "{} holds no tracker structure (no packet board, no section about a packet); nothing was written. Pass the program's progress tracker, or import the plan alone",
                progress_path.as_deref().unwrap_or_default()
            )));
        }
        if program.packets.is_empty()
            && program.gates.is_empty()
            && program.risks.is_empty()
            && program.debts.is_empty()
            && program.tracks.is_empty()
        {
            return Err(Error::Usage(format!(
                "{} {} no plan structure closeout can import: no packets (headings or a board naming packet ids), no validation baseline, no risk register, no debt ledger; nothing was written. Pass the program's plan and progress tracker",
                docs.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(" and "),
                if docs.len() > 1 { "have" } else { "has" }
            )));
        }

        // The docs as import leaves them, and the findings the rules make on them.
        let wrapped: Vec<(&files::DocFile, &String, String)> = std::iter::once((&plan, &plan_path))
            .chain(progress.iter().zip(progress_path.iter()))
            .map(|(doc, path)| {
                let wraps: Vec<&Candidate> = decisions
                    .iter()
                    .filter(|d| d.wrap && d.candidate.file == *path)
                    .map(|d| &d.candidate)
                    .collect();
                (doc, path, wrap(&doc.text, &wraps))
            })
            .collect();
        let rule_docs: Vec<rules::Doc> =
            wrapped.iter().map(|(_, path, text)| rules::Doc { path: path.as_str(), text }).collect();
        let findings = super::docs::check_rules(&program, &rule_docs, evidence).findings;
        let toml = if self.no_waivers {
            imported.toml.clone()
        } else {
            format!("{}{}", imported.toml, import::waivers_toml(&findings))
        };
        // Commands read from a document run only once the user has read them.
        let toml = crate::edit::set_all(
            &toml,
            "gate",
            "trusted",
            false,
            "imported from a document: read `run`, then delete this line to let closeout run it",
        )?;
        let adopted = crate::config::parse(&toml, Path::new("closeout.toml (imported)"), &root, &|p| {
            root.join(p).exists()
        })
        .map_err(|e| {
            Error::Usage(format!("the imported waivers do not validate; nothing was written:\n{e}"))
        })?;

        let mut out = crate::cli::stdout();
        // Something recognised but not mapped: written anyway, so the user can finish by hand.
        let dropped = !imported.unmapped.is_empty() || decisions.iter().any(|d| d.dropped);
        if !self.json {
            if let Some(note) = &swapped {
                let _ = out.write_all(note.as_bytes());
            }
            let _ = out.write_all(report(&imported, &decisions, &columns, ctx.style).as_bytes());
            let _ = out.write_all(findings_report(&findings, !self.no_waivers).as_bytes());
            let _ = out.write_all(commands_report(&adopted, &ctx.bin_name).as_bytes());
        }
        if !self.dry_run {
            crate::evidence::check_evidence_dir(&root)?;
            for (doc, _, text) in &wrapped {
                files::write(doc, text)?;
            }
            crate::evidence::write_atomic(&config, toml.as_bytes())?;
            super::schema::write_beside(&root)?;
        }
        let bin = &ctx.bin_name;
        if self.json {
            let facts =
                JsonFacts { written: !self.dry_run, waived: !self.no_waivers, swapped: swapped.is_some() };
            let json = report_json(&imported, &decisions, &findings, &adopted, &toml, facts);
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&json).expect("json"));
        } else if self.dry_run {
            let _ = writeln!(out, "\n--- closeout.toml (dry run: nothing written)\n{toml}");
            return Ok(exit::SUCCESS);
        } else {
            let line = format!(
                "wrote closeout.toml and {}; next: `{bin} status`, `{bin} verify-docs`, `{bin} baseline`",
                crate::schema::PATH
            );
            let _ =
                writeln!(out, "{}", if dropped { ctx.style.yellow(&line) } else { ctx.style.green(&line) });
        }
        if self.dry_run {
            return Ok(exit::SUCCESS);
        }
        Ok(if dropped { exit::FAILED } else { exit::SUCCESS })
    }
}

/// One carried cell: (item table, item id) and (column header, the cell as written).
type Carried = ((String, String), (String, String));

/// For each candidate table: wrap it when the data, laid out in the table's own layout,
/// reproduces it; else the cells the data cannot say, to carry as the items' own columns.
fn decide(
    candidates: &[Candidate],
    docs: &[(&str, &str)],
    program: &crate::model::Program,
    evidence: Evidence,
) -> (Vec<Decision>, Vec<Carried>) {
    let mut decisions: Vec<Decision> = Vec::new();
    let mut carried = Vec::new();
    for candidate in candidates {
        let text = docs.iter().find(|(p, _)| *p == candidate.file).map(|(_, t)| *t).unwrap_or_default();
        let already = decisions
            .iter()
            .any(|d| d.wrap && d.candidate.file == candidate.file && d.candidate.kind == candidate.kind);
        let inside = crate::docs::markers::find(text)
            .unwrap_or_default()
            .iter()
            .any(|r| r.begin_line < candidate.first && candidate.last < r.end_line);
        let table: String = text
            .split_inclusive('\n')
            .skip(candidate.first - 1)
            .take(candidate.last - candidate.first + 1)
            .map(|l| l.trim_end_matches(['\r', '\n']).to_string() + "\n")
            .collect();
        let decision = |wrap: bool, why| Decision { candidate: candidate.clone(), wrap, why, dropped: !wrap };
        if let Some(latest) = &candidate.superseded_by {
            decisions.push(Decision {
                dropped: false,
                ..decision(
                    false,
                    vec![format!(
                        "the register's later table at {latest} updates it; kept as written as the register's history, its rows read into the data (a later row wins, a risk only this table shows is `form = \"earlier-table\"`)"
                    )],
                )
            });
            continue;
        }
        if already || inside {
            decisions.push(Decision {
                dropped: false,
                ..decision(
                    false,
                    vec![if inside {
                        "already in a region".into()
                    } else {
                        format!("a `{}` region already wraps another table in this file; its rows were read into the data", candidate.kind)
                    }],
                )
            });
            continue;
        }
        let full = match generate::generate_for_layout(candidate.kind, None, program, evidence) {
            Ok(full) => full,
            Err(e) => {
                decisions.push(decision(false, vec![e]));
                continue;
            }
        };
        let extras = layout::extras(candidate.kind, program);
        let Some(laid) = layout::follow(candidate.kind, &full, &table, &extras) else {
            decisions.push(decision(false, vec!["no column of the table holds the item ids".into()]));
            continue;
        };
        if laid == table {
            decisions.push(decision(true, vec![]));
            continue;
        }
        let (Some(old), Some(new)) = (layout::raw_table(&table), layout::raw_table(&laid)) else {
            decisions.push(decision(false, vec!["the table could not be laid out again".into()]));
            continue;
        };
        let mut why = Vec::new();
        let meanings = layout::meanings(candidate.kind, &old.header);
        let id_col = meanings.iter().position(|m| m.is_some_and(|d| layout::is_id_column(candidate.kind, d)));
        for (_, cells) in &old.rows {
            let Some(key) = id_col.and_then(|c| cells.get(c)).map(|c| layout::id_key(c)) else { continue };
            let Some((table_name, id)) = item_of(candidate.kind, program, &key) else {
                why.push(format!("row `{key}` names no item of the data"));
                continue;
            };
            let Some((_, laid_cells)) = new
                .rows
                .iter()
                .find(|(_, c)| id_col.and_then(|i| c.get(i)).is_some_and(|c| layout::id_key(c) == key))
            else {
                continue;
            };
            for (j, header) in old.header.iter().enumerate() {
                let (was, now) = (
                    cells.get(j).cloned().unwrap_or_default(),
                    laid_cells.get(j).cloned().unwrap_or_default(),
                );
                if was == now || Some(j) == id_col {
                    continue;
                }
                let meaning = meanings[j];
                if meaning.is_some_and(layout::data_column) && !layout::is_blank(&now) {
                    // The data says something else than the doc (another table of the
                    // docs set it): say so, keep nothing that would hide it.
                    why.push(format!(
                        "`{}` of `{key}`: the table says `{was}`, the data `{now}` (another table or section of the docs says so); make them agree",
                        header.trim()
                    ));
                } else {
                    carried.push(((table_name.to_string(), id.clone()), (header.trim().to_string(), was)));
                }
            }
        }
        // Items of the data the table does not show (a plan packet missing from the board).
        for (_, cells) in &new.rows {
            let Some(key) = id_col.and_then(|c| cells.get(c)).map(|c| layout::id_key(c)) else { continue };
            let shown = old
                .rows
                .iter()
                .any(|(_, c)| id_col.and_then(|i| c.get(i)).is_some_and(|c| layout::id_key(c) == key));
            if !shown {
                why.push(format!(
                    "`{}` is in the data but not in this table; add its row, or remove it from closeout.toml",
                    cells[id_col.unwrap_or(0)]
                ));
            }
        }
        if why.is_empty() {
            why.push("the regenerated table differs in layout".into());
        }
        decisions.push(decision(false, why));
    }
    (decisions, carried)
}

/// The closeout.toml table and id of the item a row's id cell names.
fn item_of(kind: &str, program: &crate::model::Program, key: &str) -> Option<(&'static str, String)> {
    let hit = |id: &str| layout::id_key(id) == key;
    match kind {
        "packet-board" => program.packets.iter().find(|p| hit(&p.id)).map(|p| ("packet", p.id.clone())),
        "risks" => program.risks.iter().find(|r| hit(&r.id)).map(|r| ("risk", r.id.clone())),
        "ledger" => program.debts.iter().find(|d| hit(&d.id)).map(|d| ("debt", d.id.clone())),
        "tracks" | "drift" => program.tracks.iter().find(|t| hit(&t.name)).map(|t| ("track", t.id.clone())),
        _ => None,
    }
}

/// What `import --json` says besides its data: whether it wrote, waived, swapped.
struct JsonFacts {
    written: bool,
    waived: bool,
    swapped: bool,
}

/// `import --json`: `{written, swapped, imported: {table: count}, cells: {read, mapped},
/// regions: [{file, first, last, kind, wrapped, dropped, why}], not_imported: [{file, line,
/// what, why}], findings: [{rule, subject, file, line, message, waived}], gates: [{id,
/// run, line, trusted}], stated_verdict, toml}`. Lines are 1-based; `toml` is the
/// closeout.toml text written (or that would be, under `--dry-run`).
fn report_json(
    imported: &import::Imported,
    decisions: &[Decision],
    findings: &[rules::Finding],
    adopted: &crate::model::Program,
    toml: &str,
    facts: JsonFacts,
) -> serde_json::Value {
    use serde_json::json;
    json!({
        "written": facts.written,
        "swapped": facts.swapped,
        "imported": imported.counts,
        "cells": { "read": imported.cells_total, "mapped": imported.cells_mapped },
        "regions": decisions.iter().map(|d| json!({
            "file": d.candidate.file, "first": d.candidate.first, "last": d.candidate.last,
            "kind": d.candidate.kind, "wrapped": d.wrap, "dropped": d.dropped, "why": d.why,
        })).collect::<Vec<_>>(),
        "not_imported": imported.unmapped.iter().map(|u| json!({
            "file": u.file, "line": u.line, "what": u.what, "why": u.why,
        })).collect::<Vec<_>>(),
        "findings": findings.iter().map(|f| json!({
            "rule": f.rule, "subject": f.subject, "file": f.file, "line": f.line,
            "message": f.message, "waived": facts.waived,
        })).collect::<Vec<_>>(),
        "gates": adopted.gates.iter().map(|g| json!({
            "id": g.id, "run": g.run, "line": g.line, "trusted": g.trusted,
        })).collect::<Vec<_>>(),
        "stated_verdict": imported.stated_verdict,
        "toml": toml,
    })
}

/// Every command import turned into a gate, and what `baseline` will do with it.
fn commands_report(program: &crate::model::Program, bin: &str) -> String {
    if program.gates.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "commands: {} command(s) from the documents became gates; `{bin} baseline` runs them as shell commands, so each is written with `trusted = false` and refused until you read it and delete that line:\n",
        program.gates.len()
    );
    for g in &program.gates {
        out.push_str(&format!(
            "  closeout.toml:{}: gate `{}`: {}\n",
            g.line,
            crate::redact::escape_controls(&g.id),
            crate::redact::escape_controls(&g.run)
        ));
    }
    out
}

/// Insert begin and end markers around each table, keeping the file's line endings. A
/// blank line stands between each marker and the table, as prettier and markdownlint
/// (MD058) want it, so that wrapping leaves a formatted document formatted.
fn wrap(text: &str, tables: &[&Candidate]) -> String {
    let eol = crate::docs::sync::line_ending(text);
    let mut out = String::with_capacity(text.len() + tables.len() * 64);
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let number = n + 1;
        // A table inside a list item keeps its markers inside the item too.
        let indent: String = line.chars().take_while(|c| *c == ' ').collect();
        if let Some(t) = tables.iter().find(|t| t.first == number) {
            out.push_str(&format!("{indent}<!-- closeout:begin {} -->{eol}{eol}", t.kind));
        }
        out.push_str(line);
        if let Some(t) = tables.iter().find(|t| t.last == number) {
            if !line.ends_with('\n') {
                out.push_str(eol);
            }
            out.push_str(&format!("{eol}{indent}<!-- closeout:end {} -->{eol}", t.kind));
        }
    }
    out
}

/// The consistency findings in the imported docs, by rule, with their subjects.
fn findings_report(findings: &[rules::Finding], waived: bool) -> String {
    if findings.is_empty() {
        return "consistency rules: no findings in the imported docs\n".into();
    }
    let mut out = if waived {
        format!(
            "consistency findings already in the docs ({}), waived in closeout.toml so that `verify-docs` passes and fails on any new one (`--no-waivers` to keep them failing):\n",
            findings.len()
        )
    } else {
        format!(
            "consistency findings in the docs ({}), not waived (--no-waivers): `verify-docs` fails until they are fixed or waived:\n",
            findings.len()
        )
    };
    let mut rules: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    rules.sort();
    rules.dedup();
    for rule in rules {
        let of_rule: Vec<&rules::Finding> = findings.iter().filter(|f| f.rule == rule).collect();
        let mut subjects: Vec<&str> = Vec::new();
        for f in &of_rule {
            if !subjects.contains(&f.subject.as_str()) {
                subjects.push(&f.subject);
            }
        }
        out.push_str(&format!("  {rule} ({}): {}\n", of_rule.len(), subjects.join(", ")));
    }
    out
}

fn report(
    imported: &import::Imported,
    decisions: &[Decision],
    columns: &import::Columns,
    style: crate::report::Style,
) -> String {
    let mut out = String::from("imported:\n");
    for (table, n) in &imported.counts {
        match table.split_once('.') {
            Some((section, key)) => out.push_str(&format!("  {n} [{section}] {key} entries\n")),
            None => out.push_str(&format!("  {n} [[{table}]]\n")),
        }
    }
    // Never "N of N mapped" while something was dropped: the count of what was not
    // imported comes first.
    if imported.unmapped.is_empty() {
        out.push_str(&format!(
            "  {} table cells read, every one mapped into the data or kept as written\n",
            imported.cells_total
        ));
    } else {
        out.push_str(&format!(
            "  {} table cells read; {} thing(s) recognised but not imported, listed below (exit 1)\n",
            imported.cells_total,
            imported.unmapped.len()
        ));
    }
    let kept: usize = columns.values().map(Vec::len).sum();
    if kept > 0 {
        let mut headers: Vec<&str> = columns.values().flatten().map(|(h, _)| h.as_str()).collect();
        headers.sort();
        headers.dedup();
        out.push_str(&format!(
            "  {kept} cell(s) kept as written in the items' own `columns` (the data has no key for them, or words them differently): {}\n",
            headers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    out.push_str("regions:\n");
    for d in decisions {
        let c = &d.candidate;
        if d.wrap {
            out.push_str(&format!(
                "  {}:{}-{}: {} as `{}`\n",
                c.file,
                c.first,
                c.last,
                style.green("wrapped"),
                c.kind
            ));
        } else {
            out.push_str(&format!(
                "  {}:{}-{}: {} as `{}`: {}\n",
                c.file,
                c.first,
                c.last,
                style.yellow("not wrapped"),
                c.kind,
                d.why.join("; ")
            ));
        }
    }
    if !imported.unmapped.is_empty() {
        out.push_str(&style.red(&format!("not imported ({}):", imported.unmapped.len())));
        out.push('\n');
        for u in &imported.unmapped {
            out.push_str(&format!("  {}:{}: {}: {}\n", u.file, u.line, u.what, u.why));
        }
    }
    if let Some(v) = &imported.stated_verdict {
        out.push_str(&format!(
            "the plan states the verdict {v}; `closeout verdict` reproduces it from evidence only: run `closeout baseline` (and `closeout packet ID` per packet) first\n"
        ));
    }
    out
}
