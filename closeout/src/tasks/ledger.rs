//! `closeout ledger`: list the debt (pre-release blockers first), check it, and add,
//! resolve or reopen items in closeout.toml (keeping its comments), then regenerate the
//! `ledger`, `blockers` and `traceability` regions.

use std::io::Write;
use std::path::Path;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::files;
use crate::edit::{self, Value};
use crate::error::{Error, Result};
use crate::exit;
use crate::lock::Mode;
use crate::model::{DebtStatus, Program, Severity};
use crate::report::table;
use crate::vocab::Vocab;

const REGIONS: &[&str] = &["ledger", "blockers", "traceability"];

/// `closeout ledger`'s flags and actions.
pub const COMMAND: Command = Command::new(
    "ledger",
    "List the debt ledger (pre-release blockers first), check it, or add, resolve and reopen items",
)
.args(&[
    Arg::switch(
        "check",
        "Fail when an open item lacks an owner, milestone or severity, or evidence and the ledger disagree \
         about known failures",
    ),
    Arg::switch("json", "Print the ledger as JSON (blockers first, as listed)").conflicts(&["check"]),
])
.subcommands(
    &[
        Command::new("add", "Add a debt item").args(&[
            Arg::option("id", "ID", "A new id, like `DL-010`").required(),
            Arg::option("description", "TEXT", "What is owed, in one line").required(),
            Arg::option("severity", "HIGH|MEDIUM|LOW", "How bad it is: HIGH, MEDIUM or LOW (any case)")
                .required(),
            Arg::option("owner", "WHO", "Who pays it back (a person or a team)").required(),
            Arg::option(
                "milestone",
                "MILESTONE",
                "When it is due, like `Pre-release` or `v1.2`; `Pre-release` makes it a blocker",
            )
            .required(),
            Arg::option("source", "TEXT", "Where it was found (a packet, an issue, a review)"),
            Arg::switch("blocks-release", "The item blocks the release while open"),
            Arg::option("covers", "TARGET", "What it covers: `track:ID` or `packet:ID` (repeatable)")
                .repeated(),
        ]),
        Command::new("resolve", "Mark an item resolved, saying how").args(&[
            Arg::positional("ID", "The debt item's id"),
            Arg::option("resolution", "TEXT", "How it was resolved (a commit, a packet, a decision)")
                .required(),
        ]),
        Command::new("reopen", "Mark a resolved item open again")
            .args(&[Arg::positional("ID", "The debt item's id")]),
    ],
    false,
);

#[derive(Debug)]
pub struct LedgerArgs {
    check: bool,
    json: bool,
    action: Option<Action>,
}

/// An edit of the ledger.
#[derive(Debug)]
enum Action {
    Add {
        id: String,
        description: String,
        severity: String,
        owner: String,
        milestone: String,
        source: Option<String>,
        blocks_release: bool,
        covers: Vec<String>,
    },
    Resolve {
        id: String,
        resolution: String,
    },
    Reopen {
        id: String,
    },
}

impl LedgerArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        let action = match m.sub.as_deref() {
            None => None,
            Some(a) => Some(match a.command().name {
                "add" => Action::Add {
                    id: a.string("id")?.unwrap_or_default(),
                    description: a.string("description")?.unwrap_or_default(),
                    severity: a.parsed("severity", parse_severity)?.unwrap_or_default(),
                    owner: a.string("owner")?.unwrap_or_default(),
                    milestone: a.string("milestone")?.unwrap_or_default(),
                    source: a.string("source")?,
                    blocks_release: a.flag("blocks-release"),
                    covers: a.strings("covers")?,
                },
                "resolve" => Action::Resolve {
                    id: a.string("ID")?.unwrap_or_default(),
                    resolution: a.string("resolution")?.unwrap_or_default(),
                },
                _ => Action::Reopen { id: a.string("ID")?.unwrap_or_default() },
            }),
        };
        Ok(LedgerArgs { check: m.flag("check"), json: m.flag("json"), action })
    }
}

fn parse_severity(s: &str) -> std::result::Result<String, String> {
    Severity::parse(&s.trim().to_uppercase())
        .map(|v| v.as_str().to_string())
        .ok_or_else(|| format!("expected one of {}", Severity::expected()))
}

impl LedgerArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let mode = if self.action.is_some() { Mode::Exclusive } else { Mode::Shared };
        let (program, _lock) = ctx.load_locked(mode)?;
        let mut out = crate::cli::stdout();
        match self.action {
            None if self.check => {
                let problems = check(&program)?;
                for p in &problems {
                    let _ = writeln!(out, "{p}");
                }
                let line =
                    format!("ledger check: {} problem(s) in {} item(s)", problems.len(), program.debts.len());
                let line = if problems.is_empty() { ctx.style.green(&line) } else { ctx.style.red(&line) };
                let _ = writeln!(out, "{line}");
                Ok(if problems.is_empty() { exit::SUCCESS } else { exit::FAILED })
            }
            None if self.json => {
                let items: Vec<serde_json::Value> = sorted(&program).iter().map(|d| d.to_json()).collect();
                let json = serde_json::json!({ "items": items });
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&json).expect("json"));
                Ok(exit::SUCCESS)
            }
            None => {
                let _ = out.write_all(list(&program, ctx.style).as_bytes());
                Ok(exit::SUCCESS)
            }
            Some(action) => {
                let (text_of, message) = edit_for(&program, action)?;
                let file = files::read(&program.root, Path::new(crate::discover::FILE_NAME))?;
                let text = text_of(&file.text)?;
                let updated = edit::validate(&text, &program.root)?;
                files::write(&file, &text)?;
                let _ = writeln!(out, "{message}");
                let notes = crate::tasks::docs::refresh(&updated, Some(REGIONS));
                for note in &notes {
                    let _ = writeln!(out, "{note}");
                }
                // The edit is recorded; docs that could not follow make the command fail.
                if notes.iter().any(|n| !n.starts_with("docs: updated ")) {
                    let _ = writeln!(
                        out,
                        "closeout.toml was updated but the docs were not; fix the problem above and run `{} update-docs`",
                        ctx.bin_name
                    );
                    return Ok(exit::FAILED);
                }
                Ok(exit::SUCCESS)
            }
        }
    }
}

type Edit = Box<dyn Fn(&str) -> Result<String>>;

fn edit_for(program: &Program, action: Action) -> Result<(Edit, String)> {
    let known = |id: &str| {
        program.debt(id).ok_or_else(|| {
            let ids: Vec<&str> = program.debts.iter().map(|d| d.id.as_str()).collect();
            Error::Usage(if ids.is_empty() {
                format!("no [[debt]] with id `{id}` in closeout.toml: the ledger is empty; add one with `ledger add`")
            } else {
                format!("no [[debt]] with id `{id}` in closeout.toml; debt: {}", ids.join(", "))
            })
        })
    };
    Ok(match action {
        Action::Add { id, description, severity, owner, milestone, source, blocks_release, covers } => {
            if program.debt(&id).is_some() {
                return Err(Error::Usage(format!("[[debt]] `{id}` already exists; pick another id")));
            }
            let mut fields = vec![
                ("id", Value::Str(id.clone())),
                ("description", Value::Str(description)),
                ("severity", Value::Str(severity)),
                ("owner", Value::Str(owner)),
                ("milestone", Value::Str(milestone)),
            ];
            if let Some(s) = source {
                fields.push(("source", Value::Str(s)));
            }
            if blocks_release {
                fields.push(("blocks_release", Value::Bool(true)));
            }
            let message = format!("added {id}");
            let edit: Edit = Box::new(move |text| {
                let text = edit::append(text, "debt", &fields)?;
                if covers.is_empty() {
                    return Ok(text);
                }
                let mut doc: toml_edit::DocumentMut =
                    text.parse().map_err(|e| Error::Usage(format!("{e}")))?;
                let last = doc["debt"]
                    .as_array_of_tables_mut()
                    .and_then(|a| a.iter_mut().last())
                    .expect("just appended");
                last["covers"] =
                    toml_edit::value(covers.iter().map(String::as_str).collect::<toml_edit::Array>());
                Ok(doc.to_string())
            });
            (edit, message)
        }
        Action::Resolve { id, resolution } => {
            known(&id)?;
            if resolution.trim().is_empty() {
                return Err(Error::Usage("--resolution must say how the item was resolved".into()));
            }
            let message = format!("resolved {id}: {resolution}");
            let edit: Edit = Box::new(move |text| {
                edit::set(
                    text,
                    "debt",
                    &id,
                    &[
                        ("status", Value::Str("resolved".into())),
                        ("resolution", Value::Str(resolution.clone())),
                    ],
                )
            });
            (edit, message)
        }
        Action::Reopen { id } => {
            let debt = known(&id)?;
            if debt.status == DebtStatus::Open {
                return Err(Error::Usage(format!("{id} is already open")));
            }
            let message = format!("reopened {id}");
            let edit: Edit = Box::new(move |text| {
                edit::set(
                    text,
                    "debt",
                    &id,
                    &[("status", Value::Str("open".into())), ("resolution", Value::Remove)],
                )
            });
            (edit, message)
        }
    })
}

/// The debt: open pre-release blockers first, then the other open items, then resolved.
/// The debt in listing order: open pre-release blockers, other open items, resolved.
fn sorted(program: &Program) -> Vec<&crate::model::Debt> {
    let mut items: Vec<_> = program.debts.iter().collect();
    items.sort_by_key(|d| (d.status == DebtStatus::Resolved, !d.is_release_blocker()));
    items
}

pub fn list(program: &Program, style: crate::report::Style) -> String {
    let items = sorted(program);
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|d| {
            let state = match (d.status, d.is_release_blocker()) {
                (DebtStatus::Resolved, _) => style.green("resolved"),
                (_, true) => style.red("BLOCKER"),
                _ => style.yellow("open"),
            };
            let severity = match d.severity {
                Some(s @ Severity::High) => style.red(s.as_str()),
                Some(s @ Severity::Medium) => style.yellow(s.as_str()),
                Some(s) => s.to_string(),
                None => "-".into(),
            };
            vec![
                d.id.clone(),
                state,
                severity,
                d.owner.clone().unwrap_or_else(|| "-".into()),
                d.milestone.clone().unwrap_or_else(|| "-".into()),
                d.description.clone(),
            ]
        })
        .collect();
    let mut out = table::render(&["ID", "State", "Severity", "Owner", "Milestone", "Description"], &rows);
    let open = program.debts.iter().filter(|d| d.status == DebtStatus::Open).count();
    let blockers = program.debts.iter().filter(|d| d.is_release_blocker()).count();
    out.push_str(&format!(
        "{} item(s): {open} open, {blockers} pre-release blocker(s)\n",
        program.debts.len()
    ));
    out
}

/// The ledger's own consistency and its agreement with the latest evidence.
pub fn check(program: &Program) -> Result<Vec<String>> {
    let latest = crate::evidence::read_latest(&program.root)?;
    let mut problems = Vec::new();
    for d in program.debts.iter().filter(|d| d.status == DebtStatus::Open) {
        for (key, missing) in [
            ("owner", d.owner.is_none()),
            ("milestone", d.milestone.is_none()),
            ("severity", d.severity.is_none()),
        ] {
            if missing {
                problems.push(format!("closeout.toml:{}: open debt {} has no {key}", d.line, d.id));
            }
        }
    }
    if let Some(run) = &latest {
        for g in &run.gates {
            let Some(id) = &g.known_failure else { continue };
            let resolved = program.debt(id).is_some_and(|d| d.status == DebtStatus::Resolved);
            if resolved && !g.outcome.passed() {
                problems.push(format!(
                    "{}: gate `{}` fails ({}) as a known failure of {id}, but {id} is resolved; reopen it or fix the gate",
                    crate::evidence::LATEST,
                    g.id,
                    g.outcome
                ));
            } else if resolved {
                problems.push(format!(
                    "{}: the evidence records known failure {id} for gate `{}`, but {id} is resolved; remove known_failure from the gate and run the baseline",
                    crate::evidence::LATEST,
                    g.id
                ));
            }
        }
    }
    Ok(problems)
}
