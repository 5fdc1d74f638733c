//! `deferred-uncovered`: deferred work no debt item owns.

use super::{Context, Finding, Rule};
use crate::model::{Classification, Coverage};

pub static RULE: Rule = Rule {
    id: "deferred-uncovered",
    subject: "track id",
    summary: "a `DEFERRED` track no debt item `covers`",
    doc: "A track classified `DEFERRED` is work the program chose not to do now; unless a debt \
          item owns it, nobody will. Bad: `[[track]] id = \"storage\"` with \
          `classification = \"DEFERRED\"` and no debt naming it. Good: a `[[debt]]` with \
          `covers = [\"track:storage\"]`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let program = cx.program;
    let mut findings = Vec::new();
    for track in &program.tracks {
        let covered = program.debts.iter().any(|d| d.covers.contains(&Coverage::Track(track.id.clone())));
        if track.classification == Classification::Deferred && !covered {
            findings.push(cx.in_toml(
                RULE.id,
                &track.id,
                track.line,
                format!("track `{}` is DEFERRED but no debt item covers it; add `covers = [\"track:{}\"]` to the [[debt]] that owns it", track.name, track.id),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    const TRACKS: &str = "[[track]]\nid = \"storage\"\nname = \"Storage\"\nplan = \"s.md\"\nclassification = \"DEFERRED\"\n\n\
                          [[track]]\nid = \"alerts\"\nname = \"Alerts\"\nplan = \"a.md\"\nclassification = \"MATCHED\"\n";

    #[test]
    fn a_deferred_track_nobody_owns() {
        assert_eq!(Fixture::new(TRACKS).found(&RULE), ["storage@closeout.toml:4"]);
    }

    #[test]
    fn not_when_a_debt_item_covers_it() {
        let debt = "\n[[debt]]\nid = \"DL-001\"\ndescription = \"storage\"\nseverity = \"HIGH\"\nowner = \"x\"\nmilestone = \"Next\"\ncovers = [\"track:storage\"]\n";
        assert!(Fixture::new(&format!("{TRACKS}{debt}")).found(&RULE).is_empty());
    }
}
