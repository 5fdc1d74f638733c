//! What `verify-docs` and `update-docs` print: human text with per-cell drift, unified
//! diffs and the fix command; JSON; or GitHub Actions annotations.

use super::Style;
use crate::docs::compare::unified_diff;
use crate::docs::generate::{key_for, source_of};
use crate::docs::rules::Finding;
use crate::docs::sync::{RegionReport, RegionState};
use crate::model::Waiver;

/// Everything `verify-docs` found.
pub struct Verification<'a> {
    /// Each document, as written in closeout.toml, with its regions.
    pub files: &'a [(String, Vec<RegionReport>)],
    pub findings: &'a [Finding],
    pub waived: &'a [(Finding, String)],
    /// Waivers no finding matches any more: the doc was fixed, the waiver should go.
    pub unused: &'a [Waiver],
    pub strict: bool,
    /// The command that fixes drift, as the user invokes closeout.
    pub fix: String,
    /// The command that records a new verdict, when the recorded one is not current: only
    /// it (not `fix`) clears a stale `verdict` region.
    pub verdict_fix: Option<String>,
}

impl Verification<'_> {
    pub fn region_fails(&self, r: &RegionReport) -> bool {
        match r.state {
            RegionState::InSync => false,
            RegionState::FormattingOnly => self.strict,
            _ => true,
        }
    }

    pub fn failed(&self) -> bool {
        !self.findings.is_empty()
            || (self.strict && !self.unused.is_empty())
            || self.files.iter().flat_map(|(_, rs)| rs).any(|r| self.region_fails(r))
    }

    fn unused_message(w: &Waiver) -> String {
        format!(
            "[[waiver]] rule = \"{}\" subject = \"{}\" accepts no finding any more; delete it from closeout.toml",
            w.rule, w.subject
        )
    }

    /// A failing `verdict` region whose verdict is not current: `fix` would only rewrite it
    /// as "not current".
    fn stale_verdict_region(&self, r: &RegionReport) -> bool {
        r.kind == "verdict" && self.verdict_fix.is_some() && self.region_fails(r)
    }

    /// The commands that fix what failed, in the order to run them.
    pub fn fix_commands(&self) -> Vec<&str> {
        let regions = self.files.iter().flat_map(|(_, rs)| rs);
        let mut commands = Vec::new();
        if regions.clone().any(|r| self.region_fails(r) && !self.stale_verdict_region(r)) {
            commands.push(self.fix.as_str());
        }
        let stale = regions.clone().any(|r| self.stale_verdict_region(r))
            || self.findings.iter().any(|f| f.rule == "verdict-current");
        if let (true, Some(verdict)) = (stale, &self.verdict_fix) {
            commands.push(verdict.as_str());
        }
        commands
    }

    fn region_message(&self, r: &RegionReport) -> String {
        let fix = &self.fix;
        if let (true, Some(verdict)) = (self.stale_verdict_region(r), &self.verdict_fix) {
            return format!(
                "region `{}` does not show a current verdict; run `{verdict}` (update-docs cannot compute one)",
                r.name
            );
        }
        match r.state {
            RegionState::InSync => format!("region `{}` is in sync", r.name),
            RegionState::FormattingOnly => format!(
                "region `{}` differs only in formatting{}; `{fix}` normalises it",
                r.name,
                if self.strict { " (--strict)" } else { "" }
            ),
            RegionState::ContentDrift => {
                let source = if crate::docs::generate::FROM_EVIDENCE.contains(&r.kind.as_str()) {
                    "closeout.toml or the evidence"
                } else {
                    "closeout.toml"
                };
                format!("region `{}` is out of date with {source}; run `{fix}`", r.name)
            }
            RegionState::HandEdited => {
                let key = r
                    .drift
                    .iter()
                    .find_map(|d| key_for(&r.kind, d.row.as_deref()?, d.column.as_deref()?))
                    .unwrap_or_else(|| source_of(&r.kind).to_string());
                format!(
                    "region `{}` was edited by hand: edit closeout.toml ({key}) instead, then run `{fix}` (or `{fix} --force` to discard the edit)",
                    r.name
                )
            }
            RegionState::Conflict => {
                format!(
                    "region `{}` holds git conflict markers; run `{fix}` to rebuild it from closeout.toml",
                    r.name
                )
            }
        }
    }

    /// All problems as (file, line, message), regions first, for annotations.
    fn problems(&self) -> Vec<(String, usize, String)> {
        let mut out = Vec::new();
        for (file, regions) in self.files {
            for r in regions.iter().filter(|r| self.region_fails(r)) {
                let mut message = self.region_message(r);
                if !r.drift.is_empty() {
                    let messages: Vec<&str> = r.drift.iter().map(|d| d.message.as_str()).collect();
                    message.push_str(&format!(": {}", messages.join("; ")));
                }
                out.push((file.clone(), r.begin_line, message));
            }
        }
        for f in self.findings {
            out.push((f.file.clone(), f.line, format!("[{}] {}", f.rule, f.message)));
        }
        if self.strict {
            for w in self.unused {
                out.push((crate::discover::FILE_NAME.into(), w.line, Self::unused_message(w)));
            }
        }
        out
    }
}

pub fn human(v: &Verification, style: Style) -> String {
    let mut out = String::new();
    let mut in_sync = 0;
    let mut formatting = 0;
    for (file, regions) in v.files {
        for r in regions {
            match r.state {
                RegionState::InSync => in_sync += 1,
                RegionState::FormattingOnly if !v.strict => formatting += 1,
                _ => {}
            }
            if r.state == RegionState::InSync || (r.state == RegionState::FormattingOnly && !v.strict) {
                continue;
            }
            let head = format!("{file}:{}: {}", r.begin_line, v.region_message(r));
            out.push_str(&style.red(&head));
            out.push('\n');
            for d in &r.drift {
                out.push_str(&format!("  {}\n", d.message));
            }
            out.push_str(&unified_diff(file, &r.name, &r.committed, &r.regenerated));
            out.push('\n');
        }
    }
    for f in v.findings {
        out.push_str(&format!(
            "{}:{}: {} {}\n",
            f.file,
            f.line,
            style.red(&format!("[{}]", f.rule)),
            f.message
        ));
        out.push_str(&format!(
            "  to accept it: add [[waiver]] rule = \"{}\" subject = \"{}\" reason = \"...\" to closeout.toml\n",
            f.rule, f.subject
        ));
    }
    for (f, reason) in v.waived {
        out.push_str(
            &style.dim(&format!("{}:{}: [{}] {} (waived: {reason})\n", f.file, f.line, f.rule, f.message)),
        );
    }
    for w in v.unused {
        let line = format!("{}:{}: {}", crate::discover::FILE_NAME, w.line, Verification::unused_message(w));
        out.push_str(&if v.strict { style.red(&line) } else { style.yellow(&line) });
        out.push('\n');
    }
    let regions: usize = v.files.iter().map(|(_, r)| r.len()).sum();
    let failing = v.files.iter().flat_map(|(_, r)| r).filter(|r| v.region_fails(r)).count();
    let unused = match v.unused.len() {
        0 => String::new(),
        n => format!(", {n} unused waiver(s){}", if v.strict { "" } else { " (fail with --strict)" }),
    };
    let summary = format!(
        "{regions} region(s) in {} doc(s): {in_sync} in sync, {formatting} formatting-only, {failing} drifted; {} consistency finding(s), {} waived{unused}",
        v.files.len(),
        v.findings.len(),
        v.waived.len()
    );
    out.push_str(&if v.failed() { style.red(&summary) } else { style.green(&summary) });
    out.push('\n');
    let commands = v.fix_commands();
    if !commands.is_empty() {
        let quoted: Vec<String> = commands.iter().map(|c| format!("`{c}`")).collect();
        out.push_str(&format!("fix: run {}\n", quoted.join(", then ")));
    }
    out
}

pub fn json(v: &Verification) -> String {
    let regions: Vec<serde_json::Value> = v
        .files
        .iter()
        .flat_map(|(file, regions)| {
            regions.iter().map(move |r| {
                serde_json::json!({
                    "file": file,
                    "line": r.begin_line,
                    "region": r.name,
                    "state": format!("{:?}", r.state),
                    "fails": v.region_fails(r),
                    "messages": r.drift.iter().map(|d| d.message.clone()).collect::<Vec<_>>(),
                    "diff": if v.region_fails(r) { unified_diff(file, &r.name, &r.committed, &r.regenerated) } else { String::new() },
                })
            })
        })
        .collect();
    let finding = |f: &Finding| serde_json::json!({"rule": f.rule, "subject": f.subject, "file": f.file, "line": f.line, "message": f.message});
    let value = serde_json::json!({
        "status": if v.failed() { "drift" } else { "in_sync" },
        "fix": v.fix,
        "regions": regions,
        "findings": v.findings.iter().map(finding).collect::<Vec<_>>(),
        "waived": v.waived.iter().map(|(f, reason)| { let mut j = finding(f); j["reason"] = reason.clone().into(); j }).collect::<Vec<_>>(),
        "unused_waivers": v.unused.iter().map(|w| serde_json::json!({"rule": w.rule, "subject": w.subject, "file": crate::discover::FILE_NAME, "line": w.line})).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).expect("json") + "\n"
}

/// At most `MAX_ANNOTATIONS` `::error` lines, then one with the count of the rest.
pub const MAX_ANNOTATIONS: usize = 10;

pub fn github(v: &Verification) -> String {
    let escape = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let problems = v.problems();
    let mut out = String::new();
    for (file, line, message) in problems.iter().take(MAX_ANNOTATIONS) {
        out.push_str(&format!(
            "::error file={},line={line}::{}\n",
            escape(file).replace(',', "%2C"),
            escape(message)
        ));
    }
    if problems.len() > MAX_ANNOTATIONS {
        out.push_str(&format!(
            "::error::{} more problem(s) not annotated; run `{}` locally to see them all\n",
            problems.len() - MAX_ANNOTATIONS,
            v.fix.replace("update-docs", "verify-docs")
        ));
    }
    if !v.strict {
        for w in v.unused {
            out.push_str(&format!(
                "::warning file={},line={}::{}\n",
                crate::discover::FILE_NAME,
                w.line,
                escape(&Verification::unused_message(w))
            ));
        }
    }
    if problems.is_empty() {
        out.push_str("docs in sync\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(kind: &str, state: RegionState) -> RegionReport {
        RegionReport {
            name: kind.into(),
            kind: kind.into(),
            begin_line: 1,
            end_line: 2,
            state,
            drift: Vec::new(),
            committed: String::new(),
            regenerated: String::new(),
        }
    }

    fn fix(regions: Vec<RegionReport>, verdict_stale: bool) -> (Vec<String>, String) {
        let files = vec![("plan.md".to_string(), regions)];
        let v = Verification {
            files: &files,
            findings: &[],
            waived: &[],
            unused: &[],
            strict: false,
            fix: "closeout update-docs".into(),
            verdict_fix: verdict_stale.then(|| "closeout verdict".into()),
        };
        let messages = files[0].1.iter().map(|r| v.region_message(r)).collect();
        (messages, v.fix_commands().join(", then "))
    }

    #[test]
    fn a_stale_verdict_region_is_fixed_by_verdict_after_update_docs() {
        let (messages, commands) = fix(vec![region("verdict", RegionState::ContentDrift)], true);
        assert_eq!(commands, "closeout verdict");
        assert!(
            messages[0].contains("does not show a current verdict; run `closeout verdict`"),
            "{messages:?}"
        );
        let (_, commands) = fix(
            vec![region("ledger", RegionState::ContentDrift), region("verdict", RegionState::ContentDrift)],
            true,
        );
        assert_eq!(commands, "closeout update-docs, then closeout verdict");
        // A current verdict whose region only needs re-rendering: update-docs fixes it.
        let (messages, commands) = fix(vec![region("verdict", RegionState::ContentDrift)], false);
        assert_eq!(commands, "closeout update-docs");
        assert!(messages[0].contains("run `closeout update-docs`"), "{messages:?}");
        let (messages, _) = fix(vec![region("baseline", RegionState::ContentDrift)], false);
        assert!(messages[0].contains("out of date with closeout.toml or the evidence"), "{messages:?}");
    }
}
