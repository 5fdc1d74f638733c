//! Consistency rules: the docs checked against the data and the repository, by rules
//! that real trackers break (DONE over open boxes, `(this commit)` placeholders, deferred
//! work nobody owns, paths that never existed). Each rule is one unit in its own file
//! (an id, a doc, a check over one shared [`Context`], its own fixtures), listed in
//! [`REGISTRY`], the way clippy, ruff and markdownlint keep theirs. Each finding has a rule
//! id, a subject it can be waived by in closeout.toml, and a location. Pure: git and the
//! file system come in as closures.

pub mod outline;
mod waivers;

mod coverage_mismatch;
mod debt_incomplete;
mod deferred_uncovered;
mod done_commit;
mod done_missing_exit_code;
mod done_not_approved;
mod done_open_box;
mod missing_path;
mod placeholder;
mod residual_risk_uncovered;
mod unknown_commit;
mod verdict_current;

#[cfg(test)]
mod fixture;

use self::outline::Outline;
pub use self::outline::{looks_like_repo_path, slug};
use super::generate::Evidence;
use crate::model::{Packet, PacketStatus, Program, Waiver};

/// One consistency rule: what it is called, what it finds and why, and the check.
pub struct Rule {
    /// The id findings carry and `[[waiver]] rule` names.
    pub id: &'static str,
    /// What a finding is about: what `[[waiver]] subject` names to accept it.
    pub subject: &'static str,
    /// One line: what the rule finds (the table in docs/regions.md).
    pub summary: &'static str,
    /// One paragraph: what the rule finds, why it matters and how to fix it.
    pub doc: &'static str,
    /// The check: every finding of this rule in the docs and the program.
    pub check: fn(&Context) -> Vec<Finding>,
}

/// Every rule `verify-docs` checks, in the order `model::RULES` lists them.
pub static REGISTRY: &[&Rule] = &[
    &done_open_box::RULE,
    &done_not_approved::RULE,
    &done_missing_exit_code::RULE,
    &done_commit::RULE,
    &unknown_commit::RULE,
    &placeholder::RULE,
    &deferred_uncovered::RULE,
    &residual_risk_uncovered::RULE,
    &coverage_mismatch::RULE,
    &debt_incomplete::RULE,
    &missing_path::RULE,
    &verdict_current::RULE,
];

/// One consistency problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    /// What a `[[waiver]]` names to accept this finding.
    pub subject: String,
    /// The file and 1-based line the finding points at.
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// A document as the rules see it.
pub struct Doc<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

/// What the rules need from outside: does a commit exist (`None` when there is no git
/// history to ask), does a repo path exist.
pub struct Oracle<'a> {
    pub commit_exists: &'a dyn Fn(&str) -> Option<bool>,
    pub path_exists: &'a dyn Fn(&str) -> bool,
}

/// What the rules found: findings that fail, findings a `[[waiver]]` accepts (with its
/// reason), and waivers that accept nothing any more (the doc was fixed; delete them).
#[derive(Debug, Default)]
pub struct Checked {
    pub findings: Vec<Finding>,
    pub waived: Vec<(Finding, String)>,
    pub unused: Vec<Waiver>,
}

/// What every rule reads: the program, the docs read once, the evidence and the oracle.
pub struct Context<'a> {
    pub program: &'a Program,
    /// closeout.toml as findings about the program name it.
    pub config_file: &'a str,
    pub outlines: Vec<Outline<'a>>,
    pub evidence: Evidence<'a>,
    pub oracle: &'a Oracle<'a>,
    /// The program's packet ids, by which headings are tied to packets.
    pub known: Vec<String>,
}

impl<'a> Context<'a> {
    pub fn new(
        program: &'a Program,
        config_file: &'a str,
        docs: &[Doc<'a>],
        evidence: Evidence<'a>,
        oracle: &'a Oracle<'a>,
    ) -> Context<'a> {
        Context {
            program,
            config_file,
            outlines: docs.iter().map(Outline::read).collect(),
            evidence,
            oracle,
            known: program.packets.iter().map(|p| p.id.clone()).collect(),
        }
    }

    /// The packets that say they are DONE, in program order.
    pub fn done_packets(&self) -> impl Iterator<Item = &'a Packet> {
        self.program.packets.iter().filter(|p| p.status == PacketStatus::Done)
    }

    /// A finding of `rule` about `subject` at a line of closeout.toml.
    pub fn in_toml(&self, rule: &'static str, subject: &str, line: usize, message: String) -> Finding {
        Finding { rule, subject: subject.to_string(), file: self.config_file.to_string(), line, message }
    }
}

/// Run every rule of the registry and apply the program's waivers.
pub fn check(
    program: &Program,
    config_file: &str,
    docs: &[Doc],
    evidence: Evidence,
    oracle: &Oracle,
) -> Checked {
    let cx = Context::new(program, config_file, docs, evidence, oracle);
    let findings = REGISTRY.iter().flat_map(|rule| (rule.check)(&cx)).collect();
    waivers::apply(program, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_the_list_waivers_are_validated_against() {
        let ids: Vec<&str> = REGISTRY.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            crate::model::RULES,
            "model::RULES and rules::REGISTRY list the same rules in one order"
        );
    }

    #[test]
    fn every_rule_has_a_one_line_summary_and_a_one_paragraph_doc() {
        for rule in REGISTRY {
            for (what, text) in [("subject", rule.subject), ("summary", rule.summary)] {
                assert!(
                    !text.is_empty() && !text.contains(['\n', '|']),
                    "{}: {what} is one table cell",
                    rule.id
                );
            }
            assert!(!rule.doc.is_empty() && !rule.doc.contains("\n\n"), "{}: doc is one paragraph", rule.id);
        }
    }
}
