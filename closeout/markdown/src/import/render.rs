//! closeout.toml as import writes it: every item under a comment saying where it came
//! from, values outside a vocabulary and rows that cannot be entries quoted in comments,
//! the doc's own columns as `columns = { … }`, and the waivers for findings already in the
//! docs. Pure.

use super::{Columns, Gate, Packet, Row, Unmapped};

/// The reason every waiver written by import carries.
pub const WAIVER_REASON: &str =
    "present in the docs when closeout import ran; fix the docs (or the data), then delete this waiver";

/// `[[waiver]]`s for the findings present at import, one per rule and subject, each under
/// comments quoting what it accepts, so that `verify-docs` starts green and fails on any
/// new finding while still listing these as waived.
pub fn waivers_toml(findings: &[crate::docs::rules::Finding]) -> String {
    let mut groups: Vec<(&str, &str, Vec<&crate::docs::rules::Finding>)> = Vec::new();
    for f in findings {
        match groups.iter_mut().find(|(r, s, _)| *r == f.rule && *s == f.subject) {
            Some((_, _, fs)) => fs.push(f),
            None => groups.push((f.rule, &f.subject, vec![f])),
        }
    }
    if groups.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n# Consistency findings already in the docs when `closeout import` ran. Each is\n\
         # accepted here so that `closeout verify-docs` passes from the start and fails on\n\
         # any new finding; verify-docs still lists these as waived on every run, and names\n\
         # a waiver that no longer accepts anything. Fix the docs, then delete the waiver.\n",
    );
    for (rule, subject, fs) in groups {
        out.push('\n');
        for f in fs {
            let message: String = f.message.chars().take(300).collect();
            out.push_str(&format!("# {}:{}: {}\n", f.file, f.line, message.replace('\n', " ")));
        }
        out.push_str(&format!(
            "[[waiver]]\nrule = {}\nsubject = {}\nreason = {}\n",
            q(rule),
            q(subject),
            q(WAIVER_REASON)
        ));
    }
    out
}

pub(super) fn q(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

fn inline_list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", "))
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    let body: Vec<String> = items.iter().map(|i| format!("  {},", q(i))).collect();
    format!("[\n{}\n]", body.join("\n"))
}

pub(super) const VOCAB: &[(&str, &[&str])] = &[
    ("status", &["TODO", "PENDING", "IN_PROGRESS", "IN_REVIEW", "CHANGES_REQUESTED", "BLOCKED", "DONE"]),
    ("review", &["PENDING", "IN_REVIEW", "APPROVED", "CHANGES_REQUESTED", "BLOCKED"]),
    ("severity", &["HIGH", "MEDIUM", "LOW"]),
    ("classification", &["MATCHED", "DRIFT_ACCEPTED", "DRIFT_FIX_REQUIRED", "DEFERRED"]),
];

/// A `key = value` line, or a comment quoting the value when it is not in the key's vocabulary.
fn field(out: &mut String, key: &str, value: &str) {
    if let Some((_, allowed)) = VOCAB.iter().find(|(k, _)| *k == key) {
        let v = value.trim().trim_matches('`');
        if !allowed.contains(&v) {
            out.push_str(&format!(
                "# closeout import: could not parse {key} {}: expected one of {}\n",
                q(value),
                allowed.join(", ")
            ));
            return;
        }
        out.push_str(&format!("{key} = {}\n", q(v)));
        return;
    }
    out.push_str(&format!("{key} = {}\n", q(value)));
}

/// `columns = { "Evidence Link" = "…" }` for an item that keeps cells as written.
fn own_columns(out: &mut String, columns: &Columns, table: &str, id: &str) {
    if let Some(cells) = columns.get(&(table.to_string(), id.to_string())) {
        let entries: Vec<String> = cells.iter().map(|(h, v)| format!("{} = {}", q(h), q(v))).collect();
        out.push_str(&format!("columns = {{ {} }}\n", entries.join(", ")));
    }
}

/// One `[[table]]` entry per row, under a comment; a rejected row is quoted instead.
fn render_rows(out: &mut String, table: &str, comment: &str, rows: &[Row], columns: &Columns) {
    if !rows.is_empty() {
        out.push_str(&format!("\n# {comment}\n"));
    }
    for row in rows {
        if let Some(why) = &row.rejected {
            rejected(out, table, row, why);
            continue;
        }
        out.push_str(&format!("\n[[{table}]]\n"));
        for (k, v) in &row.fields {
            match *k {
                // Lists are carried one entry per line.
                "packets" | "covers" => {
                    out.push_str(&format!("{k} = [{}]\n", v.lines().map(q).collect::<Vec<_>>().join(", ")))
                }
                "blocks_release" => out.push_str("blocks_release = true\n"),
                "form" => out.push_str(&format!("form = {}\n", q(v))),
                // A debt item's status (open/resolved) is set by import itself.
                "status" if table == "debt" => out.push_str(&format!("status = {}\n", q(v))),
                _ => field(out, k, v),
            }
        }
        own_columns(out, columns, table, row.get("id").unwrap_or_default());
        for n in &row.notes {
            out.push_str(&format!("# closeout import: could not parse {n} (line {})\n", row.line));
        }
    }
}

/// A row that cannot be an entry: the source row quoted in comments, nothing invented.
fn rejected(out: &mut String, table: &str, row: &Row, why: &str) {
    out.push_str(&format!("\n# closeout import: could not parse this {table} (line {}): {why}\n", row.line));
    out.push_str(&format!("# | {} |\n", row.cells.join(" | ")));
}

#[allow(clippy::too_many_arguments)]
pub(super) fn render_toml(
    name: &str,
    plan: &str,
    progress: Option<&str>,
    gates: &[Gate],
    tracks: &[Row],
    packets: &[Packet],
    risks: &[Row],
    debts: &[Row],
    moved: &[(String, Vec<String>, usize)],
    unmapped: &[Unmapped],
    columns: &Columns,
) -> String {
    let mut docs = vec![plan.to_string()];
    docs.extend(progress.map(String::from));
    let mut out = format!(
        "{}# Imported by `closeout import` from {}. Every key is documented in\n# docs/configuration.md of the closeout repository.\n\n[program]\nname = {}\ndocs = [{}]\n",
        crate::schema::DIRECTIVE,
        docs.join(" and "),
        q(name),
        docs.iter().map(|d| q(d)).collect::<Vec<_>>().join(", ")
    );
    if !gates.is_empty() {
        out.push_str("\n# The global validation baseline, in the plan's order.\n");
    }
    for g in gates {
        out.push_str(&format!("\n[[gate]]\nid = {}\nrun = {}\n", q(&g.id), q(&g.run)));
        if let Some(when) = &g.when {
            out.push_str(&format!("when = {}\n", q(when)));
        }
    }
    if !packets.is_empty() {
        out.push_str("\n# Packets: the plan's sections joined with the tracker's board and evidence.\n");
    }
    for p in packets {
        out.push_str(&format!("\n[[packet]]\nid = {}\ntitle = {}\n", q(&p.id), q(&p.title)));
        if let Some(s) = &p.status {
            field(&mut out, "status", s);
        }
        if let Some(s) = &p.review {
            field(&mut out, "review", s);
        }
        for (k, v) in [("implementer", &p.implementer), ("reviewer", &p.reviewer)] {
            if let Some(v) = v {
                field(&mut out, k, v);
            }
        }
        if !p.scope.is_empty() {
            out.push_str(&format!("scope = {}\n", list(&p.scope)));
        }
        if !p.tests.is_empty() {
            out.push_str(&format!("tests = {}\n", list(&p.tests)));
        }
        if let Some(c) = &p.commit {
            out.push_str(&format!("commit = {}\n", q(c)));
        }
        for (key, items) in
            [("residual_risk", &p.residual_risk), ("rollback", &p.rollback), ("checklist", &p.checklist)]
        {
            if !items.is_empty() {
                out.push_str(&format!("{key} = {}\n", list(items)));
            }
        }
        if !p.files.is_empty() {
            let entries: Vec<String> = p
                .files
                .iter()
                .map(|(path, reason)| match reason {
                    Some(r) => format!("  {{ path = {}, reason = {} }},", q(path), q(r)),
                    None => format!("  {{ path = {} }},", q(path)),
                })
                .collect();
            out.push_str(&format!("files = [\n{}\n]\n", entries.join("\n")));
        }
        own_columns(&mut out, columns, "packet", &p.id);
        for n in &p.notes {
            out.push_str(&format!("# closeout import: could not parse {n}\n"));
        }
    }
    render_rows(&mut out, "risk", "The risk register.", risks, columns);
    render_rows(
        &mut out,
        "track",
        "Upstream tracks: the status index joined with the drift classification.",
        tracks,
        columns,
    );
    render_rows(&mut out, "debt", "The debt ledger.", debts, columns);
    if !moved.is_empty() {
        out.push_str("\n# Paths the docs still name whose content now lives elsewhere (the plan's\n# normalization notes); `missing-path` accepts them while every new path exists.\n[paths.moved]\n");
        for (old, new, line) in moved {
            out.push_str(&format!("{} = {}  # {plan}:{line}\n", q(old), inline_list(new)));
        }
    }
    if !unmapped.is_empty() {
        out.push_str("\n# closeout import: not imported (see the import report):\n");
        for u in unmapped {
            out.push_str(&format!(
                "# closeout import: could not parse {}:{}: {}: {}\n",
                u.file, u.line, u.what, u.why
            ));
        }
    }
    out
}
