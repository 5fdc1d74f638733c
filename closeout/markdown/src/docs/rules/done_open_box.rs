//! `done-open-box`: a DONE packet over an open checklist box.

use super::{Context, Finding, Rule};
use crate::model::DebtStatus;

pub static RULE: Rule = Rule {
    id: "done-open-box",
    subject: "packet id",
    summary: "a `DONE` packet with an open `- [ ]` box in a section whose heading names the packet, on a line that names no open debt id",
    doc: "A packet marked `DONE` whose checklist still has an open box claims work that was not \
          checked off. Sections belong to a packet when their heading names its id in any form \
          (`Packet 01 Checklist`, `DCC-01 Review Evidence`, `Checkpoint Commit (Packets 00-02)`). \
          Bad: `- [ ] race tests pass` under `## Packet 01 Checklist` with packet 01 DONE. Good: \
          `- [x] race tests pass`, or `- [ ] race tests pass (DL-004)` while open debt DL-004 carries it.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for packet in cx.done_packets() {
        let id = &packet.id;
        for outline in &cx.outlines {
            for section in outline.packet_sections(id, &cx.known) {
                for (line, text) in outline.open_boxes(section.clone()) {
                    let names_open_debt =
                        cx.program.debts.iter().any(|d| d.status == DebtStatus::Open && text.contains(&d.id));
                    if !names_open_debt {
                        findings.push(Finding {
                            rule: RULE.id,
                            subject: id.clone(),
                            file: outline.path.to_string(),
                            line,
                            message: format!(
                                "packet {id} is DONE but its checklist has an open box: `{}`; check it, or name the open debt item that carries it",
                                text.trim()
                            ),
                        });
                    }
                }
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    const PACKETS: &str = r#"
[[packet]]
id = "01"
title = "One"
status = "DONE"

[[packet]]
id = "02"
title = "Two"
status = "IN_PROGRESS"

[[debt]]
id = "DL-004"
description = "race tests"
severity = "LOW"
owner = "core"
milestone = "Pre-release"
"#;

    #[test]
    fn an_open_box_under_a_done_packet() {
        let doc = "# Plan\n\n## Packet 01 Checklist\n\n- [x] build\n- [ ] race tests pass\n\n## Packet 02 Checklist\n\n- [ ] later\n";
        assert_eq!(Fixture::new(PACKETS).doc("plan.md", doc).found(&RULE), ["01@plan.md:6"]);
    }

    #[test]
    fn any_heading_that_names_the_packet_holds_its_boxes() {
        let doc = "## Review Evidence (Packet 01)\n\n- [ ] reviewed\n";
        assert_eq!(Fixture::new(PACKETS).doc("plan.md", doc).found(&RULE), ["01@plan.md:3"]);
    }

    #[test]
    fn not_checked_boxes_open_debt_or_packets_not_done() {
        let doc = "## Packet 01 Checklist\n\n- [x] build\n- [ ] race tests (DL-004)\n\n## Packet 02\n\n- [ ] later\n\n## Notes\n\n- [ ] anything\n";
        assert!(Fixture::new(PACKETS).doc("plan.md", doc).found(&RULE).is_empty());
    }
}
