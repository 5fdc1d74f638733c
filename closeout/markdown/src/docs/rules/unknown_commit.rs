//! `unknown-commit`: a DONE packet whose commit git does not know.

use super::{Context, Finding, Rule};
use crate::docs::generate;

pub static RULE: Rule = Rule {
    id: "unknown-commit",
    subject: "packet id",
    summary: "a `DONE` packet whose commit hash is not in git history, or cannot be checked because there is no history",
    doc: "A checkpoint commit that git does not know points nowhere: a typo, a rebased-away \
          commit, or a hash from another repository. Without git history (a shallow or missing \
          clone) the hash cannot be verified, which is reported too, so that CI fetches the \
          history. Placeholders are `done-commit`'s finding. Bad: `commit = \"deadbeef\"` that \
          `git cat-file` does not find. Good: a commit of this repository.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for packet in cx.done_packets() {
        let Some(c) = packet.commit.as_deref().filter(|c| !generate::is_placeholder_commit(c)) else {
            continue;
        };
        let problem = match (cx.oracle.commit_exists)(c) {
            Some(true) => continue,
            Some(false) => format!("names commit `{c}`, which is not in git history"),
            None => format!("names commit `{c}`, which cannot be verified: no git history here"),
        };
        let id = &packet.id;
        findings.push(cx.in_toml(
            RULE.id,
            id,
            packet.line,
            format!("packet {id} {problem}; record a commit of this repository (or fetch its history)"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    const PACKETS: &str = "[[packet]]\nid = \"01\"\ntitle = \"One\"\nstatus = \"DONE\"\ncommit = \"f718c9c3\"\n\n\
                           [[packet]]\nid = \"02\"\ntitle = \"Two\"\nstatus = \"DONE\"\ncommit = \"TBD\"\n\n\
                           [[packet]]\nid = \"03\"\ntitle = \"Three\"\nstatus = \"IN_PROGRESS\"\ncommit = \"0badc0de\"\n";

    #[test]
    fn a_hash_git_does_not_know() {
        assert_eq!(Fixture::new(PACKETS).found(&RULE), ["01@closeout.toml:4"]);
    }

    #[test]
    fn a_hash_that_cannot_be_verified() {
        let found = Fixture::new(PACKETS).no_history().check(&RULE);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("no git history"), "{}", found[0].message);
    }

    #[test]
    fn not_a_known_hash_a_placeholder_or_a_packet_not_done() {
        assert!(Fixture::new(PACKETS).commits(&["f718c9c3"]).found(&RULE).is_empty());
    }
}
