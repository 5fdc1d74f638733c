//! The keys of `closeout.toml`, table by table: each key's name, kind, whether it is
//! required and what it means. The single source of truth for the file's shape: `config`
//! validates against these tables (it cannot read a key that is not in them, nor read one
//! as another kind), and `schema` turns them into the JSON Schema editors use.

use crate::model::{
    Classification, DebtStatus, Judgement, PacketStatus, ParserKind, ReviewState, Severity, RULES,
};
use crate::vocab::Vocab;

/// One key of one table.
#[derive(Debug, PartialEq, Eq)]
pub struct Key {
    /// The key as written in `closeout.toml`.
    pub name: &'static str,
    pub kind: Kind,
    pub required: Required,
    /// What the key means, one or two sentences of markdown (the schema's `description`,
    /// which editors show on hover).
    pub doc: &'static str,
}

/// Whether a key must be present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    No,
    /// Present, and (for texts) not blank.
    Yes,
    /// Present and not blank when the key `.0` of the same table has the value `.1`
    /// (a debt item's `resolution` when its `status` is `resolved`).
    When(&'static str, &'static str),
}

/// What a key's value must be.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// A single-line string: no control character, no bidirectional control.
    Id,
    /// A string that may hold newlines and tabs, no other control character and no
    /// bidirectional control.
    Text,
    /// A duration string (`"90s"`, `"1h30m"`, [`crate::duration::parse`]); `zero_ok`
    /// says whether `"0s"` is accepted.
    Duration {
        zero_ok: bool,
    },
    /// `"30%"` or `"off"`.
    Percentage,
    /// A whole number from 0 to `max`.
    Count {
        max: usize,
    },
    Bool,
    /// One of a closed vocabulary's spellings.
    OneOf(&'static [&'static str]),
    /// An array of strings.
    Texts,
    /// An array of `"track:ID"` or `"packet:ID"`.
    Covers,
    /// A table of strings: a doc table's own columns, header → cell markdown. Free-form.
    Columns,
    /// `[paths].moved`: old path → new path, or → a non-empty array of new paths.
    Moved,
    /// A table (`[program]`) with these keys.
    Table(&'static [Key]),
    /// An array of tables (`[[gate]]`, `files = [{ … }]`) with these keys.
    Tables(&'static [Key]),
}

const fn key(name: &'static str, kind: Kind, required: Required, doc: &'static str) -> Key {
    Key { name, kind, required, doc }
}

use Kind::*;
use Required::{No, Yes};

const COLUMNS_DOC: &str = "The doc table's own columns for this item, header → cell markdown, as `closeout import` keeps them (`columns = { \"Evidence\" = \"…\" }`); the item's row regenerates them as written.";

/// The top level of `closeout.toml`.
pub const TOP: &[Key] = &[
    key(
        "program",
        Table(PROGRAM),
        Yes,
        "The program: its name and the markdown docs holding closeout's generated regions.",
    ),
    key("run", Table(RUN), No, "How `closeout baseline` runs the gates."),
    key("gate", Tables(GATE), No, "The global validation baseline, one `[[gate]]` per command, in order."),
    key("track", Tables(TRACK), No, "Upstream plans being certified."),
    key("packet", Tables(PACKET), No, "Units of closeout work: the packet board."),
    key("risk", Tables(RISK), No, "The risk register."),
    key("debt", Tables(DEBT), No, "The debt ledger."),
    key("paths", Table(PATHS), No, "Paths the docs still name that moved or were removed on purpose."),
    key("waiver", Tables(WAIVER), No, "Accepted consistency findings, each with its reason."),
];

/// `[program]`.
pub const PROGRAM: &[Key] = &[
    key("name", Text, Yes, "The program's name, shown in every report."),
    key("docs", Texts, No, "Markdown files holding closeout's generated regions, relative to the folder holding closeout.toml; each must exist inside the repository."),
];

/// `[run]`.
pub const RUN: &[Key] = &[
    key("jobs", Count { max: crate::config::MAX_JOBS }, No, "Gates run at once; `0` (the default) means every available core. `-j` overrides it."),
    key("timeout", Duration { zero_ok: false }, No, "A gate's time limit unless it sets its own (default `\"20m\"`), such as `\"90s\"` or `\"1h30m\"`."),
    key("grace", Duration { zero_ok: true }, No, "After a timeout or Ctrl-C, the time between SIGTERM and SIGKILL (default `\"10s\"`)."),
    key("reference", Text, No, "A committed run record accepted as the performance reference, a path inside the repository; otherwise the previous passing run on the main branch is."),
];

/// `[[gate]]`.
pub const GATE: &[Key] = &[
    key("id", Id, Yes, "Unique gate id; packets' `tests` refer to it."),
    key("run", Text, Yes, "The command, run as `sh -c <run>` in the repository root, stdin closed."),
    key("timeout", Duration { zero_ok: false }, No, "This gate's time limit, such as `\"10m\"`."),
    key("parser", OneOf(ParserKind::NAMES), No, "How to read the gate's output (default `auto`: by the command, then by the output)."),
    key("exclusive", Text, No, "Gates sharing a value never run at the same time (a shared build directory, a database)."),
    key("known_failure", Id, No, "The `[[debt]]` id tracking a pre-existing failure of this gate; it must exist."),
    key("tolerance", Percentage, No, "Allowed slowdown against the reference run, such as `\"30%\"`, or `\"off\"` for a gate whose duration is no performance signal."),
    key("count_decrease_reason", Text, No, "Why a lower test count than the reference's is intended (otherwise it is a regression)."),
    key("when", Text, No, "Makes the gate conditional: the condition as the plan words it. `baseline` runs it only with `--when TEXT`, `--all` or `--only ID`."),
    key("trusted", Bool, No, "`false` marks a command `closeout import` read from a document: `baseline` refuses to run it. Read the command, then delete the line."),
    key("retries", Count { max: crate::config::MAX_RETRIES as usize }, No, "Run a failed attempt again up to this many times (0 to 10, default 0); a gate that fails and then passes is `FLAKY`, a condition of the verdict. `baseline --retries N` overrides it for a run."),
];

/// `[[track]]`.
pub const TRACK: &[Key] = &[
    key("id", Id, Yes, "Unique track id."),
    key("name", Text, Yes, "The track's name."),
    key("plan", Text, No, "The track's plan file."),
    key("progress", Text, No, "The track's progress file."),
    key("plan_status", Text, No, "The plan's status, as the track's documents state it."),
    key("progress_status", Text, No, "The progress's status, as the track's documents state it."),
    key("classification", OneOf(Classification::NAMES), Yes, "The drift taxonomy."),
    key("checkpoint", Text, No, "The track's final checkpoint commit(s)."),
    key("notes", Text, No, "Free text."),
    key("columns", Columns, No, COLUMNS_DOC),
];

/// `[[packet]]`.
pub const PACKET: &[Key] = &[
    key("id", Id, Yes, "Unique packet id, such as `\"00\"`."),
    key("title", Text, Yes, "The packet's title."),
    key("status", OneOf(PacketStatus::NAMES), No, "Board status (default `TODO`)."),
    key("review", OneOf(ReviewState::NAMES), No, "Review state (default `PENDING`); a DONE packet whose review is stated must be `APPROVED`."),
    key("implementer", Text, No, "Who does the packet."),
    key("reviewer", Text, No, "Who reviews the packet."),
    key("scope", Texts, No, "Globs of the files the packet may change."),
    key("tests", Texts, No, "Required tests: a gate id, or a command (any string with a space is a command); gate ids must exist."),
    key("commit", Text, No, "The checkpoint commit."),
    key("residual_risk", Texts, No, "Residual risks as recorded in the review evidence; \"None\" is no risk."),
    key("rollback", Texts, No, "The rollback steps as recorded in the review evidence."),
    key("files", Tables(FILE), No, "Files changed, each with why: `[{ path = \"…\", reason = \"…\" }]`."),
    key("p1", OneOf(Judgement::NAMES), No, "The reviewer's behavioural judgement (gate P1); never invented."),
    key("p1_reason", Text, No, "Why the P1 judgement."),
    key("checklist", Texts, No, "The tracker's checklist boxes as imported, `\"[x] text\"` or `\"[ ] text\"`."),
    key("columns", Columns, No, COLUMNS_DOC),
];

/// A packet's `files` entry.
pub const FILE: &[Key] = &[
    key("path", Text, Yes, "The changed file."),
    key("reason", Text, No, "Why it changed; a missing reason fails P2."),
];

/// `[[risk]]`.
pub const RISK: &[Key] = &[
    key("id", Id, Yes, "Unique risk id."),
    key("surface", Text, No, "Where the risk lives."),
    key("description", Text, Yes, "The risk."),
    key("severity", OneOf(Severity::NAMES), No, "Absent when the register has no severity."),
    key("packets", Texts, No, "Ids of the packets that address the risk; each must exist."),
    key("mitigation", Text, No, "How the risk is mitigated."),
    key("columns", Columns, No, COLUMNS_DOC),
    key("form", Text, No, "`\"list\"`: the docs keep this risk in a numbered list, not in the risk table; `\"earlier-table\"`: only in an earlier table of the register, which a later table updates and which stays unwrapped as history. Either way the `risks` region does not show it."),
];

/// `[[debt]]`.
pub const DEBT: &[Key] = &[
    key("id", Id, Yes, "Unique debt id, such as `\"DL-009\"`."),
    key("description", Text, Yes, "The debt."),
    key("severity", OneOf(Severity::NAMES), No, "How much it weighs."),
    key("owner", Text, No, "Who owns it."),
    key("milestone", Text, No, "Target milestone; `Pre-release` makes an open item a release blocker."),
    key("source", Text, No, "Where the item came from."),
    key("blocks_release", Bool, No, "An open item with `true` is a pre-release blocker (default `false`)."),
    key("status", OneOf(DebtStatus::NAMES), No, "Whether it is still owed (default `open`)."),
    key("resolution", Text, Required::When("status", "resolved"), "How it was resolved; required when `status = \"resolved\"`."),
    key("covers", Covers, No, "The deferred tracks and packet residual risks this item carries, `\"track:ID\"` or `\"packet:ID\"`; each id must exist."),
    key("columns", Columns, No, COLUMNS_DOC),
];

/// `[paths]`.
pub const PATHS: &[Key] = &[
    key("moved", Moved, No, "Paths the docs still name whose content moved: `\"old/path\" = \"new/path\"` or `= [\"new/a\", \"new/b\"]`; accepted while every new path exists. A folder (both ending in `/`) moves every path under it."),
    key("removed", Texts, No, "Paths the docs still name that were removed on purpose."),
];

/// `[[waiver]]`.
pub const WAIVER: &[Key] = &[
    key("rule", OneOf(RULES), Yes, "The consistency rule whose finding is accepted."),
    key("subject", Text, Yes, "What the finding is about, as `verify-docs` prints it."),
    key("reason", Text, Yes, "Why the finding is accepted."),
];

/// The key `name` of `table`. A key that validation reads must be in its table: a
/// missing one is a bug in closeout, and panics (every test that loads such a table).
pub fn find(table: &'static [Key], name: &str) -> &'static Key {
    table.iter().find(|k| k.name == name).unwrap_or_else(|| {
        panic!(
            "bug: closeout.toml's key `{name}` is read but not declared in its table in closeout/core/src/keys.rs ({})",
            table.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
        )
    })
}

/// The names of `table`'s keys, in declaration order.
pub fn names(table: &[Key]) -> Vec<&'static str> {
    table.iter().map(|k| k.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> Vec<(&'static str, &'static [Key])> {
        let mut out = vec![("the top level", TOP)];
        let mut i = 0;
        while i < out.len() {
            for k in out[i].1 {
                if let Table(t) | Tables(t) = k.kind {
                    out.push((k.name, t));
                }
            }
            i += 1;
        }
        out
    }

    #[test]
    fn every_table_is_reachable_with_unique_documented_keys() {
        let all = tables();
        assert_eq!(all.len(), 11, "{:?}", all.iter().map(|(n, _)| n).collect::<Vec<_>>());
        for (name, table) in all {
            let mut seen = std::collections::HashSet::new();
            for k in table {
                assert!(seen.insert(k.name), "{name}: `{}` declared twice", k.name);
                assert!(k.doc.ends_with('.') && k.doc.len() > 8, "{name}.{}: document it", k.name);
                if let Required::When(other, value) = k.required {
                    let other = find(table, other);
                    assert!(matches!(other.kind, OneOf(v) if v.contains(&value)), "{name}.{}", k.name);
                }
            }
        }
    }

    #[test]
    fn ids_are_single_line() {
        for (name, table) in tables() {
            if let Some(id) = table.iter().find(|k| k.name == "id") {
                assert_eq!(id.kind, Id, "{name}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "`nmae` is read but not declared")]
    fn reading_an_undeclared_key_is_a_bug() {
        find(PROGRAM, "nmae");
    }
}
