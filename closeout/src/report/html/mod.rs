//! The certification report (`closeout report`): one self-contained HTML page built from
//! the model, the evidence and the run history. Pure: [`Input`] in, a `String` out; one
//! function per section. The page loads nothing: inline CSS and SVG only, under a
//! Content-Security-Policy that forbids every fetch, and every text from the program or
//! the evidence goes through [`escape`]: a tested function here rather than a crate
//! (`html-escape` added 1.2 s to a cold build of an empty crate, 0.2 s → 1.3 s, for what is
//! five replacements).

mod sections;
mod timeline;
mod trends;

use std::collections::HashSet;

use crate::docs::sync::DocRegion;
use crate::evidence::RunRecord;
use crate::history::RunSummary;
use crate::model::Program;
use crate::perf;
use crate::verdict::{Reference, Verdict};

/// The page's Content-Security-Policy: no script, no fetch, no frame; inline styles and
/// `data:` images only.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Everything the report shows, gathered by the caller.
pub struct Input<'a> {
    pub program: &'a Program,
    pub verdict: &'a Verdict,
    /// The latest baseline run (`.closeout/latest.json`), if one was recorded.
    pub latest: Option<&'a RunRecord>,
    /// The recorded runs, oldest first ([`crate::history`]).
    pub runs: &'a [RunSummary],
    /// The perf envelope of the latest run ([`perf::envelope`]).
    pub perf: &'a [perf::Row],
    /// The run id of the perf reference, when there is one.
    pub reference: Option<&'a str>,
    /// Why the latest record is not to be trusted (`verify-evidence`'s problems); empty
    /// when it verifies.
    pub evidence_problems: &'a [String],
    /// Whether the full record and logs were there to check (else only the compact record).
    pub full_record_checked: bool,
    /// The generated regions of the docs, or why they could not be read.
    pub regions: Result<&'a [DocRegion], &'a str>,
    /// HEAD now, when in git.
    pub head: Option<&'a str>,
    /// When the report was made, RFC 3339.
    pub generated_at: &'a str,
}

/// The whole page.
pub fn build(input: &Input) -> String {
    let targets = Targets::of(input);
    let title = format!("{} — certification report", input.program.name);
    let body = [
        sections::header(input),
        sections::contents(),
        sections::verdict(input, &targets),
        sections::provenance(input),
        sections::board(input.program),
        timeline::section(input),
        trends::section(input.runs),
        sections::debt(input.program),
        sections::perf(input.perf, input.reference),
        sections::docs(input),
    ]
    .concat();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(&title)
    )
}

/// How many gates the report lists: the latest run's and the program's others.
pub fn gate_count(program: &Program, latest: Option<&RunRecord>) -> usize {
    timeline::gate_ids(program, latest).len()
}

/// `text` safe in HTML text and in quoted attribute values: `& < > " '` as character
/// references; control characters but tab and newline shown as `\xNN` and bidirectional
/// controls as `\u{NNNN}`, as [`crate::redact::escape_controls`] shows them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if crate::redact::is_bidi_control(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `text` as HTML with its markdown code spans (`` `x` ``, or a longer run of backticks
/// closed by a run of the same length) as `<code>`, everything escaped ([`escape`]); a
/// backtick run without its closing run stays as written.
pub fn inline_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let ticks = rest[open..].bytes().take_while(|b| *b == b'`').count();
        let after = &rest[open + ticks..];
        // Char boundaries only: a span may hold `✓` or `ü`.
        let close = after.char_indices().map(|(i, _)| i).find(|&i| {
            after[i..].starts_with(&"`".repeat(ticks))
                && !after[i + ticks..].starts_with('`')
                && (i == 0 || !after[..i].ends_with('`'))
        });
        match close {
            Some(i) if i > 0 => {
                out.push_str(&escape(&rest[..open]));
                out.push_str(&format!("<code>{}</code>", escape(&after[..i])));
                rest = &after[i + ticks..];
            }
            _ => {
                out.push_str(&escape(&rest[..open + ticks]));
                rest = after;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

/// The id of the element that shows `id` of `kind` (`gate`, `packet`, `debt`, `region`,
/// `run`): the kind, a dash, and the id with every byte other than ASCII letters, digits,
/// `-` and `_` written as `.XX` (hex). Unique per (kind, id), valid as an HTML id and as a
/// URL fragment without further escaping.
pub fn anchor(kind: &str, id: &str) -> String {
    let mut out = format!("{kind}-");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(b as char);
        } else {
            out.push_str(&format!(".{b:02X}"));
        }
    }
    out
}

/// The elements the page holds an anchor for, so that a clause links only to what exists.
pub(crate) struct Targets {
    gates: HashSet<String>,
    packets: HashSet<String>,
    debts: HashSet<String>,
    regions: HashSet<String>,
    runs: HashSet<String>,
    latest_run: Option<String>,
    docs: HashSet<String>,
}

impl Targets {
    fn of(input: &Input) -> Targets {
        Targets {
            gates: timeline::gate_ids(input.program, input.latest).into_iter().collect(),
            packets: input.program.packets.iter().map(|p| p.id.clone()).collect(),
            debts: input.program.open_debt().iter().map(|d| d.id.clone()).collect(),
            regions: input.regions.unwrap_or(&[]).iter().map(DocRegion::reference).collect(),
            runs: input.runs.iter().map(|r| r.run_id.clone()).collect(),
            latest_run: input.latest.map(|r| r.run_id.clone()),
            docs: input.program.docs.iter().map(|d| d.display().to_string()).collect(),
        }
    }

    /// Where a clause's evidence entry links to, if the page shows it.
    pub(crate) fn href(&self, text: &str) -> Option<String> {
        match Reference::parse(text) {
            Reference::Gate(id) if self.gates.contains(id) => Some(anchor("gate", id)),
            Reference::Packet(id) if self.packets.contains(id) => Some(anchor("packet", id)),
            Reference::Debt(id) if self.debts.contains(id) => Some(anchor("debt", id)),
            Reference::Region { .. } if self.regions.contains(text) => Some(anchor("region", text)),
            Reference::Run(id) if self.latest_run.as_deref() == Some(id) => Some("timeline".into()),
            Reference::Run(id) if self.runs.contains(id) => Some(anchor("run", id)),
            Reference::Commit(_) => Some("provenance".into()),
            Reference::File(f) if f == crate::evidence::LATEST => Some("provenance".into()),
            Reference::File(f) if self.docs.contains(f) => Some("docs".into()),
            _ => None,
        }
    }
}

/// How an outcome is drawn: its CSS class (`pass`, `fail` or `other`) and a mark that
/// says it without colour. `FLAKY` (passed on a retry) is `other` marked `~`; a record that
/// contradicts itself (`INCONSISTENT …`) is a failure; any other
/// outcome but the listed failures (`NOT_RUN`, `INTERRUPTED`, one this version does not
/// know) is `other` marked `!`.
pub(crate) fn outcome_class(outcome: &str) -> (&'static str, &'static str) {
    match outcome {
        "PASS" => ("pass", "✓"),
        "FLAKY" => ("other", "~"),
        "FAIL" | "BUILD_FAILED" | "NO_TESTS" | "EMPTY_OUTPUT" | "TIMEOUT" | "TRUNCATED" | "SPAWN_FAILED" => {
            ("fail", "✗")
        }
        // A record that contradicts itself ([`crate::integrity::inconsistent_label`]).
        o if o.starts_with(crate::integrity::INCONSISTENT) => ("fail", "✗"),
        _ => ("other", "!"),
    }
}

/// An outcome as a table cell's content: its mark and its name, classed for colour.
pub(crate) fn outcome_cell(outcome: &str) -> String {
    let (class, mark) = outcome_class(outcome);
    format!("<span class=\"o o-{class}\">{mark} {}</span>", escape(outcome))
}

/// One row of a [`table`]: its element id, its header cell (already HTML) and its data
/// cells (already HTML).
pub(crate) struct Row {
    pub id: Option<String>,
    pub head: String,
    pub cells: Vec<String>,
}

/// A table with a caption, column headers (`scope="col"`) and rows whose first cell is
/// their header (`scope="row"`).
pub(crate) fn table(caption: &str, columns: &[&str], rows: &[Row]) -> String {
    let mut out = format!("<table>\n<caption>{}</caption>\n<thead><tr>", escape(caption));
    for c in columns {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(c)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        match &row.id {
            Some(id) => out.push_str(&format!("<tr id=\"{id}\">")),
            None => out.push_str("<tr>"),
        }
        out.push_str(&format!("<th scope=\"row\">{}</th>", row.head));
        for cell in &row.cells {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// Milliseconds as a short duration (`850ms`, `12.3s`, `4m05s`).
pub(crate) fn ms(ms: u64) -> String {
    crate::duration::human(std::time::Duration::from_millis(ms))
}

/// A change in percent as the page shows it: `+25%`, `0%`, `—` when unknown.
pub(crate) fn percent(change: Option<f64>) -> String {
    super::history::percent_or(change, "—")
}

/// The page's style: system fonts, outcomes by colour and by mark or pattern, and a
/// print layout without the navigation.
const CSS: &str = "
:root{--pass:#1b5e20;--fail:#b71c1c;--other:#8a5a00;--ink:#1a1a1a;--muted:#555;--rule:#ccc}
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--ink);margin:0 auto;max-width:1200px;padding:1rem 1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.25rem;border-bottom:2px solid var(--ink);padding-bottom:.2rem;margin-top:2rem}
nav ol{display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;list-style:none;padding:0}
table{border-collapse:collapse;width:100%;margin:.6rem 0;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid var(--rule);padding:.2rem .45rem;text-align:left;vertical-align:top}
thead th{background:#eee}tbody th{font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right}code{font-size:.9em;word-break:break-all}
.level{font-size:1.5rem;font-weight:700;display:inline-block;padding:.2rem .8rem;border:3px solid currentColor}
.level-go{color:var(--pass)}.level-cond{color:var(--other)}.level-nogo{color:var(--fail)}
.o{font-weight:600;white-space:nowrap}.o-pass{color:var(--pass)}.o-fail{color:var(--fail)}.o-other{color:var(--other)}
.clauses li{margin:.25rem 0}.refs a,.refs span{margin-left:.4rem;font-size:.9em}
.muted{color:var(--muted)}.bad{color:var(--fail);font-weight:600}.good{color:var(--pass);font-weight:600}
svg text{font:11px system-ui,sans-serif}svg .lane{fill:#f4f4f4}svg .bar-label{fill:#fff}
svg .bar-label.dark{fill:#000}svg .axis{stroke:#888}svg .bound{stroke:#000;stroke-dasharray:5 3;stroke-width:1.5}
.spark polyline,.spark path{fill:none;stroke:currentColor;stroke-width:1.5}
.legend{display:flex;gap:1rem;flex-wrap:wrap;margin:.3rem 0}
:target{outline:3px solid #1565c0}
@media print{nav{display:none}body{max-width:none;padding:0;font-size:10pt}a{color:inherit;text-decoration:none}
h2,h3,caption,thead,.legend{break-after:avoid}tr,li,svg,caption{break-inside:avoid}thead{display:table-header-group}
.level{border-width:2px}}
";

#[cfg(test)]
mod tests;
