//! The plan's validation baseline: the commands under a heading that introduces them
//! ("Global Validation Baseline", "Global Command Set", "Certification Baseline
//! Commands", …), each list item's first code span. A label such as "When API handlers are
//! touched, additionally run:" or "Milestone boundary baselines (TN-06):", or a trailing
//! "(for packets touching AI)", makes the commands under it conditional: their gate gets
//! `when = "<the condition as written>"`. Notes lists are not commands. Pure.

use super::md::{first_code, Block};

/// One baseline command, with its condition when it is conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub run: String,
    pub when: Option<String>,
    pub line: usize,
}

/// Whether a heading introduces the always-run commands (not a "Code-Derived Baseline"
/// describing the code as it stands).
pub fn is_baseline_heading(text: &str) -> bool {
    let t = text.to_lowercase();
    let about_commands = t.contains("validation") || t.contains("command") || t.contains("gate");
    let a_set = t.contains("baseline") || t.contains("command set") || t.contains("commands");
    // "Replay Commands + Exit Codes", "Command Results": what one run printed, not the set.
    about_commands && a_set && !t.contains("evidence") && !t.contains("result") && !t.contains("exit code")
}

/// A label's condition, if it makes the commands under it conditional.
fn condition(label: &str) -> Option<String> {
    let l = label.to_lowercase();
    const WORDS: &[&str] = &[
        "when ",
        "if ",
        "milestone",
        "touching",
        "touched",
        "only",
        "additionally",
        "boundar",
        "nightly",
        "weekly",
        "daily",
        "release candidate",
        "before tagging",
        "before release",
        "optional",
        "on demand",
        "on-demand",
        "manual",
        "pre-release",
        "periodic",
        // "On packets that change X, also run:", "After backend packets, also run:".
        "also ",
        "in addition",
        "that change",
        "that touch",
        "changing ",
        "affecting",
        "impacting",
        "before merg",
        "pre-merge",
        "as needed",
        "where applicable",
        "when applicable",
    ];
    let conditional = WORDS.iter().any(|w| l.contains(w))
        && !l.contains("every packet")
        && !l.contains("after every")
        && !l.contains("always");
    conditional.then(|| {
        let t = label.replace('`', "");
        let t = t.trim().trim_end_matches(':').trim();
        t.to_string()
    })
}

/// A trailing `(for packets touching AI/push/contracts)`, `(optional)` or `— release
/// candidates only` after an item's command.
fn trailing_condition(item: &str) -> Option<String> {
    let after = item.rsplit_once('`').map(|(_, a)| a.trim())?;
    let inner = match after.strip_prefix('(').and_then(|a| a.strip_suffix(')')) {
        Some(inner) => inner,
        None => after.trim_start_matches(['—', '–', '-', ':']).trim(),
    };
    condition(inner).map(|_| inner.trim().to_string())
}

/// Whether a code span reads as a command rather than a name (`go build ./...`, not `go build`
/// in a note, which the notes label already excludes).
fn is_command(code: &str) -> bool {
    let first = code.split_whitespace().next().unwrap_or("");
    !code.is_empty() && !first.starts_with('<') && (code.contains(' ') || first.contains('/'))
}

/// The baseline commands of a plan, in order.
pub fn read(blocks: &[Block]) -> Vec<Command> {
    let mut out = Vec::new();
    // The level of the baseline heading while inside its section.
    let mut inside: Option<u8> = None;
    let mut when: Option<String> = None;
    let mut notes = false;
    // The level of the packet heading whose section we are in: commands there are the
    // packet's own ("Required Commands"), not the baseline.
    let mut packet: Option<u8> = None;
    for block in blocks {
        match block {
            Block::Heading { level, text, .. } => {
                if packet.is_some_and(|l| *level <= l) {
                    packet = None;
                }
                if super::ids::packet_heading(text).is_some() {
                    packet = Some(*level);
                }
                if inside.is_some_and(|l| *level <= l) || inside.is_none() {
                    inside = (is_baseline_heading(text) && packet.is_none()).then_some(*level);
                    when = None;
                    notes = false;
                }
            }
            Block::Paragraph { text, .. } if inside.is_some() => {
                let label = text.trim();
                if label.ends_with(':') || label.ends_with(":**") {
                    let lower = label.to_lowercase();
                    notes = lower.starts_with("note") || lower.starts_with("**note");
                    when = condition(label);
                }
            }
            // ```sh … ``` under the heading: one command a line (comments and blanks skipped).
            Block::Code { text, line } if inside.is_some() && !notes => {
                for (n, l) in text.lines().enumerate() {
                    let run = l.trim().trim_start_matches("$ ").trim();
                    if run.is_empty() || run.starts_with('#') {
                        continue;
                    }
                    out.push(Command { run: run.to_string(), when: when.clone(), line: line + n });
                }
            }
            // | # | Command | When |: the code span of the command column, conditional when
            // the condition column says so.
            Block::Table(t) if inside.is_some() && !notes => {
                let Some(c) = t.column(&["command", "commands", "run", "gate"]) else { continue };
                let w = t.column(&["when", "condition", "run when", "trigger"]);
                for (r, row) in t.rows.iter().enumerate() {
                    let Some(run) = row.get(c).and_then(|v| first_code(v)).filter(|v| is_command(v)) else {
                        continue;
                    };
                    let row_when = w.and_then(|w| row.get(w)).and_then(|v| {
                        condition(v).or_else(|| {
                            let v = v.trim().to_lowercase();
                            (!v.is_empty() && v != "always" && v != "—" && v != "-")
                                .then(|| row[w.unwrap()].trim().to_string())
                        })
                    });
                    out.push(Command { run, when: row_when.or_else(|| when.clone()), line: t.row_lines[r] });
                }
            }
            Block::Item { text, line, .. } if inside.is_some() && !notes => {
                let Some(code) = first_code(text) else { continue };
                if !is_command(&code) || !text.trim_start().starts_with('`') {
                    continue;
                }
                let when = trailing_condition(text).or_else(|| when.clone());
                out.push(Command { run: code, when, line: *line });
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::md::blocks;

    #[test]
    fn unconditional_and_conditional_commands() {
        let plan = "# P\n\n## Global Validation Baseline\n\nRun after every packet:\n\n1. `go build ./...`\n2. `go test ./a/... -v` (for packets touching AI/push)\n\nWhen API handlers are touched, additionally run:\n\n3. `go test ./api/...`\n\nNotes:\n- `go build` alone is never sufficient.\n\n## Code-Derived Baseline\n\n1. `internal/x.go`: 9 LOC.\n";
        let got = read(&blocks(plan));
        let summary: Vec<(String, Option<String>)> = got.into_iter().map(|c| (c.run, c.when)).collect();
        assert_eq!(
            summary,
            vec![
                ("go build ./...".to_string(), None),
                ("go test ./a/... -v".to_string(), Some("for packets touching AI/push".to_string())),
                (
                    "go test ./api/...".to_string(),
                    Some("When API handlers are touched, additionally run".to_string())
                ),
            ]
        );
    }

    #[test]
    fn baseline_headings_by_meaning() {
        for h in [
            "Global Validation Baseline",
            "Global Command Set",
            "Certification Baseline Commands",
            "Validation Commands",
        ] {
            assert!(is_baseline_heading(h), "{h}");
        }
        for h in [
            "Code-Derived Baseline (Current State)",
            "Current Baseline (Code-Derived)",
            "Packet 00: Inventory",
        ] {
            assert!(!is_baseline_heading(h), "{h}");
        }
        assert!(!is_baseline_heading("Replay Commands + Exit Codes"));
    }

    #[test]
    fn fences_tables_and_other_condition_words() {
        let plan = "## Global Validation Baseline\n\n```bash\ngo build ./...\n# comment\ngo test ./... -count=1\n```\n\nNightly:\n\n1. `go test -race ./...`\n2. `npm run e2e` (optional)\n\n## Release Validation Commands\n\n| # | Command | When |\n|---|---|---|\n| 1 | `make lint` | always |\n| 2 | `npm test` | frontend touched |\n";
        let got: Vec<(String, Option<String>)> =
            read(&blocks(plan)).into_iter().map(|c| (c.run, c.when)).collect();
        assert_eq!(
            got,
            vec![
                ("go build ./...".to_string(), None),
                ("go test ./... -count=1".to_string(), None),
                ("go test -race ./...".to_string(), Some("Nightly".to_string())),
                ("npm run e2e".to_string(), Some("optional".to_string())),
                ("make lint".to_string(), None),
                ("npm test".to_string(), Some("frontend touched".to_string())),
            ]
        );
    }

    #[test]
    fn additional_command_labels_are_conditions() {
        for label in [
            "On packets that change backend contracts, also run:",
            "For packets that change X, also run:",
            "After backend packets, also run:",
            "Before merge, also run:",
            "Packets affecting the UI:",
        ] {
            assert_eq!(condition(label).as_deref(), Some(label.trim_end_matches(':')), "{label}");
        }
        for label in ["Run after every packet:", "Always run:", "Run these commands:"] {
            assert_eq!(condition(label), None, "{label}");
        }
    }

    #[test]
    fn milestone_labels_are_conditions() {
        let plan = "## Global Validation Baseline\n\nRun at milestone boundaries (`SB5-02`, `SB5-05`):\n\n1. `npx tsc --noEmit`\n";
        let got = read(&blocks(plan));
        assert_eq!(got[0].when.as_deref(), Some("Run at milestone boundaries (SB5-02, SB5-05)"));
    }
}
