//! `residual-risk-uncovered`: a packet's residual risk no debt item owns.

use super::{Context, Finding, Rule};
use crate::model::Coverage;

pub static RULE: Rule = Rule {
    id: "residual-risk-uncovered",
    subject: "packet id",
    summary: "a packet with residual risk (other than \"None\") no debt item `covers`",
    doc: "A packet that ships with residual risk leaves work behind; in a program that keeps a \
          debt ledger, a debt item must own it, whatever the packet's status (a program without \
          `[[debt]]` tracks residual risk in its packets alone). \"None\" is no risk. Bad: `residual_risk = [\"Browser \
          history is untested\"]` with no debt naming the packet. Good: a `[[debt]]` with \
          `covers = [\"packet:01\"]`, or `residual_risk = [\"None\"]`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let program = cx.program;
    let mut findings = Vec::new();
    if program.debts.is_empty() {
        return findings;
    }
    for packet in &program.packets {
        let covered = program.debts.iter().any(|d| d.covers.contains(&Coverage::Packet(packet.id.clone())));
        if !packet.open_residual_risks().is_empty() && !covered {
            findings.push(cx.in_toml(
                RULE.id,
                &packet.id,
                packet.line,
                format!("packet {} has residual risk but no debt item covers it; add `covers = [\"packet:{}\"]` to a [[debt]]", packet.id, packet.id),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    const PACKETS: &str = "[[packet]]\nid = \"01\"\ntitle = \"One\"\nstatus = \"IN_PROGRESS\"\nresidual_risk = [\"history untested\"]\n\n\
                           [[packet]]\nid = \"02\"\ntitle = \"Two\"\nstatus = \"DONE\"\nresidual_risk = [\"None\"]\n";

    const LEDGER: &str = "\n[[debt]]\nid = \"DL-009\"\ndescription = \"other\"\nseverity = \"LOW\"\nowner = \"x\"\nmilestone = \"Next\"\n";

    #[test]
    fn a_residual_risk_nobody_owns() {
        assert_eq!(Fixture::new(&format!("{PACKETS}{LEDGER}")).found(&RULE), ["01@closeout.toml:4"]);
    }

    #[test]
    fn not_in_a_program_without_a_ledger() {
        assert!(Fixture::new(PACKETS).found(&RULE).is_empty());
    }

    #[test]
    fn not_when_covered() {
        let debt = "\n[[debt]]\nid = \"DL-001\"\ndescription = \"history\"\nseverity = \"LOW\"\nowner = \"x\"\nmilestone = \"Next\"\ncovers = [\"packet:01\"]\n";
        assert!(Fixture::new(&format!("{PACKETS}{debt}")).found(&RULE).is_empty());
    }
}
