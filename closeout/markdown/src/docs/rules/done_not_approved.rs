//! `done-not-approved`: a DONE packet whose stated review is not APPROVED.

use super::{Context, Finding, Rule};
use crate::model::ReviewState;

pub static RULE: Rule = Rule {
    id: "done-not-approved",
    subject: "packet id",
    summary: "a `DONE` packet whose review is not `APPROVED`",
    doc: "A packet is done when its review approved it. A packet whose closeout.toml entry says \
          `status = \"DONE\"` and states a review other than `APPROVED` (`CHANGES_REQUESTED`, \
          `PENDING`) contradicts itself; a packet that states no review is not checked. Bad: \
          `status = \"DONE\"` with `review = \"CHANGES_REQUESTED\"`. Good: `review = \"APPROVED\"`, \
          or the status it really has.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    cx.done_packets()
        .filter(|p| p.review_stated && p.review != ReviewState::Approved)
        .map(|packet| {
            let id = &packet.id;
            cx.in_toml(
                RULE.id,
                id,
                packet.line,
                format!(
                    "packet {id} is DONE but its review is {}; a DONE packet needs review = \"APPROVED\"",
                    packet.review
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    #[test]
    fn done_with_changes_requested() {
        let toml =
            "[[packet]]\nid = \"01\"\ntitle = \"One\"\nstatus = \"DONE\"\nreview = \"CHANGES_REQUESTED\"\n";
        assert_eq!(Fixture::new(toml).found(&RULE), ["01@closeout.toml:4"]);
    }

    #[test]
    fn approved_unstated_or_not_done() {
        let toml = "[[packet]]\nid = \"01\"\ntitle = \"One\"\nstatus = \"DONE\"\nreview = \"APPROVED\"\n\n\
                    [[packet]]\nid = \"02\"\ntitle = \"Two\"\nstatus = \"DONE\"\n\n\
                    [[packet]]\nid = \"03\"\ntitle = \"Three\"\nstatus = \"IN_PROGRESS\"\nreview = \"CHANGES_REQUESTED\"\n";
        assert!(Fixture::new(toml).found(&RULE).is_empty());
    }
}
