//! `done-commit`: a DONE packet without a real checkpoint commit.

use super::{Context, Finding, Rule};
use crate::docs::generate;

pub static RULE: Rule = Rule {
    id: "done-commit",
    subject: "packet id",
    summary:
        "a `DONE` packet without a commit, or with a placeholder (`(this commit)`, `TBD`, `N/A`…) for it",
    doc: "A DONE packet names the commit that checkpoints it, so that a reader can find the \
          change. No `commit` at all, or a placeholder where the hash belongs (`(this commit)`, \
          `TBD`, `N/A`, `pending`, anything that is not a hash of at least 7 hex digits), is a \
          finding; whether the hash is in git history is `unknown-commit`'s question. Bad: \
          `commit = \"(this commit)\"`. Good: `commit = \"f718c9c3\"`.",
    check,
};

fn check(cx: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    for packet in cx.done_packets() {
        let problem = match &packet.commit {
            None => "has no checkpoint commit".to_string(),
            Some(c) if generate::is_placeholder_commit(c) => {
                format!("has the placeholder `{c}` for its commit")
            }
            Some(_) => continue,
        };
        let id = &packet.id;
        findings.push(cx.in_toml(
            RULE.id,
            id,
            packet.line,
            format!("packet {id} is DONE but {problem}; record the real checkpoint hash in closeout.toml"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::RULE;

    #[test]
    fn no_commit_or_a_placeholder() {
        let toml = "[[packet]]\nid = \"01\"\ntitle = \"One\"\nstatus = \"DONE\"\n\n\
                    [[packet]]\nid = \"02\"\ntitle = \"Two\"\nstatus = \"DONE\"\ncommit = \"(this commit)\"\n";
        let found = Fixture::new(toml).check(&RULE);
        assert_eq!(found.iter().map(|f| f.subject.as_str()).collect::<Vec<_>>(), ["01", "02"]);
        assert!(found[1].message.contains("placeholder `(this commit)`"), "{}", found[1].message);
    }

    #[test]
    fn not_a_hash_even_an_unknown_one_nor_a_packet_not_done() {
        let toml = "[[packet]]\nid = \"01\"\ntitle = \"One\"\nstatus = \"DONE\"\ncommit = \"f718c9c3\"\n\n\
                    [[packet]]\nid = \"02\"\ntitle = \"Two\"\nstatus = \"IN_PROGRESS\"\n";
        assert!(Fixture::new(toml).found(&RULE).is_empty());
    }
}
