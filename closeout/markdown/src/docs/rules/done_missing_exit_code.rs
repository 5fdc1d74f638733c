//! `done-missing-exit-code`: a DONE packet's required test with no explicit exit code.

use super::{Context, Finding, Rule};
use crate::docs::exit_codes;
use crate::model::TestRef;

pub static RULE: Rule = Rule {
    id: "done-missing-exit-code",
    subject: "packet id",
    summary: "a `DONE` packet's required test without an explicit exit code, in the evidence or as `` `cmd` -> exit N `` in its review evidence",
    doc: "A required test counts as run when an exit code was recorded for it: in the packet's \
          evidence (`closeout packet ID`) or the latest run, or in the docs, in a section that \
          names the packet or its `packet-evidence` region, as the same command run from \
          anywhere (`cd web && npx vitest run a.test.ts` is `vitest run a.test.ts`). \"passed\" is not an exit code. A test whose box is \
          still open is `done-open-box`'s finding. Bad: `` `go test ./...` passed ``. Good: \
          `` `go test ./...` -> exit 0 ``.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    let evidence = cx.evidence;
    for packet in cx.done_packets() {
        let id = &packet.id;
        for test in &packet.tests {
            let (command, recorded) = match test {
                TestRef::Gate(gate) => {
                    let command = cx.program.gate(gate).map_or(gate.clone(), |g| g.run.clone());
                    let rec = evidence
                        .packets
                        .get(id)
                        .and_then(|r| r.run.gate(gate))
                        .or_else(|| evidence.latest.and_then(|r| r.gate(gate)))
                        .is_some_and(|g| g.exit_code.is_some() && g.command == command);
                    (command, rec)
                }
                TestRef::Command(c) => {
                    let rec = evidence.packets.get(id).is_some_and(|r| {
                        r.run.gates.iter().any(|g| &g.command == c && g.exit_code.is_some())
                    });
                    (c.clone(), rec)
                }
            };
            let in_docs = cx.outlines.iter().any(|o| {
                o.packet_sections(id, &cx.known)
                    .iter()
                    .chain(o.regions_named(&format!("packet-evidence:{id}")).iter())
                    .any(|s| has_exit_code(&o.text[s.clone()], &command))
            });
            // A test whose box is still open is done-open-box's finding, not this one's.
            let open_box = cx.outlines.iter().any(|o| {
                o.packet_sections(id, &cx.known).iter().any(|s| {
                    o.open_boxes(s.clone()).iter().any(|(_, line)| {
                        line.split('`').skip(1).step_by(2).any(|c| exit_codes::same_command(c, &command))
                    })
                })
            });
            if !recorded && !in_docs && !open_box {
                findings.push(cx.in_toml(
                    RULE.id,
                    id,
                    packet.line,
                    format!("packet {id} is DONE but required test `{command}` has no explicit exit code in the evidence; run `closeout packet {id}` or record `-> exit N`"),
                ));
            }
        }
    }
    findings
}

/// Whether `text` records an explicit exit code for `command` (see `exit_codes`).
fn has_exit_code(text: &str, command: &str) -> bool {
    exit_codes::recorded(text).iter().any(|c| exit_codes::same_command(c, command))
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::{has_exit_code, RULE};

    const PACKET: &str = r#"
[[gate]]
id = "build"
run = "go build ./..."

[[packet]]
id = "01"
title = "One"
status = "DONE"
tests = ["build", "go test ./internal/api/..."]
"#;

    #[test]
    fn exit_codes_in_evidence_lines() {
        assert!(has_exit_code("1. `go build ./...` -> exit 0", "go build ./..."));
        assert!(has_exit_code("- `x` → exit 1 (FAIL)", "x"));
        assert!(!has_exit_code("1. `go build ./...` passed", "go build ./..."));
        // As the rule's doc says.
        assert!(has_exit_code("`cd web && npx vitest run a.test.ts` -> exit 0", "vitest run a.test.ts"));
    }

    #[test]
    fn each_test_without_an_exit_code_in_the_packets_sections() {
        let doc = "## Packet 01 Review Evidence\n\n1. `go build ./...` passed\n2. `go test ./internal/api/...` -> exit 0\n\n## Notes\n\n`go build ./...` -> exit 0\n";
        let found = Fixture::new(PACKET).doc("plan.md", doc).check(&RULE);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`go build ./...`"), "{}", found[0].message);
    }

    #[test]
    fn not_when_recorded_from_elsewhere_or_left_to_an_open_box() {
        let doc = "## Packet 01 Review Evidence\n\n- `cd x && go build ./...` -> exit 0\n\n## Packet 01 Checklist\n\n- [ ] `go test ./internal/api/...`\n";
        assert!(Fixture::new(PACKET).doc("plan.md", doc).found(&RULE).is_empty());
    }
}
