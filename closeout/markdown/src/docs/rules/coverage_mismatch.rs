//! `coverage-mismatch`: a debt item said to cover a track that is not deferred.

use super::{Context, Finding, Rule};
use crate::model::{Classification, Coverage};

pub static RULE: Rule = Rule {
    id: "coverage-mismatch",
    subject: "debt id",
    summary: "a debt item said to cover a track that is not `DEFERRED`",
    doc: "Debt covers deferred work. A debt item whose `covers` names a track classified \
          anything but `DEFERRED` says one of the two is wrong: the track was deferred after \
          all, or the debt is stale. Bad: `covers = [\"track:alerts\"]` while alerts is \
          `MATCHED`. Good: the coverage removed, or the track classified `DEFERRED`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let program = cx.program;
    let mut findings = Vec::new();
    for debt in &program.debts {
        for target in &debt.covers {
            let Coverage::Track(t) = target else { continue };
            if let Some(track) = program.track(t).filter(|t| t.classification != Classification::Deferred) {
                findings.push(cx.in_toml(
                    RULE.id,
                    &debt.id,
                    debt.line,
                    format!(
                        "{} is said to cover deferred track `{}`, but that track is classified {}; fix the classification or the coverage",
                        debt.id, track.name, track.classification
                    ),
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    fn program(classification: &str) -> String {
        format!(
            "[[track]]\nid = \"alerts\"\nname = \"Alerts\"\nplan = \"a.md\"\nclassification = \"{classification}\"\n\n\
             [[debt]]\nid = \"DL-001\"\ndescription = \"alerts\"\nseverity = \"LOW\"\nowner = \"x\"\nmilestone = \"Next\"\ncovers = [\"track:alerts\"]\n"
        )
    }

    #[test]
    fn covering_a_track_that_is_not_deferred() {
        assert_eq!(Fixture::new(&program("MATCHED")).found(&RULE), ["DL-001@closeout.toml:10"]);
    }

    #[test]
    fn not_covering_a_deferred_track() {
        assert!(Fixture::new(&program("DEFERRED")).found(&RULE).is_empty());
    }
}
