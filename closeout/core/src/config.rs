//! Reading and validating `closeout.toml`.
//!
//! Parsing is pure: [`parse`] takes the file's text and a predicate for "does this repo
//! path exist", and returns either a [`Program`] or every problem found, each with its
//! line, column, the offending value and what would be accepted.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::duration;
use crate::keys::{self, Key, Kind, Required};
use crate::model::*;
use crate::vocab::{did_you_mean, Vocab};

/// One problem in `closeout.toml`, located at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Every problem found in one file, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    pub file: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{}:{}:{}: {}", self.file.display(), d.line, d.column, d.message)?;
        }
        let n = self.diagnostics.len();
        write!(
            f,
            "{} has {n} error{}; fix {} and run again (each error says what to change)",
            self.file.display(),
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        )
    }
}

impl std::error::Error for ConfigErrors {}

/// Parse and validate the text of a `closeout.toml` whose folder is `root`.
///
/// `exists` answers whether a path relative to `root` exists; it is how the `docs` check
/// reaches the file system without this function doing I/O.
pub fn parse(
    text: &str,
    file: &Path,
    root: &Path,
    exists: &dyn Fn(&Path) -> bool,
) -> Result<Program, ConfigErrors> {
    let line_starts =
        std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect::<Vec<_>>();
    let mut cx = Cx { text, diags: Vec::new(), line_starts };
    let program = cx.program(root, exists);
    let mut diags = cx.diags;
    diags.sort_by_key(|d| (d.line, d.column));
    diags.dedup();
    match program {
        Some(program) if diags.is_empty() => Ok(program),
        _ => Err(ConfigErrors { file: file.to_path_buf(), diagnostics: diags }),
    }
}

/// Most gates closeout runs at once (`[run] jobs`, `--jobs`); more threads buy nothing on
/// any machine closeout targets and unbounded values exhaust it.
pub const MAX_JOBS: usize = 256;

/// Most retries of one gate (`retries`, `--retries`): eleven attempts already say the gate
/// is broken, not unlucky, and more would hide it behind hours of reruns.
pub const MAX_RETRIES: u32 = 10;

/// A path from closeout.toml as a path inside the repository: relative, no `..`, `.`
/// components dropped (so `./docs/plan.md` and `docs/plan.md` are one file). The error
/// says what is wrong with it.
pub fn repo_path(path: &str) -> Result<PathBuf, String> {
    use std::path::Component;
    if let Some(c) = path.chars().find(|c| c.is_control() || crate::redact::is_bidi_control(*c)) {
        return Err(format!(
            "holds the control character U+{:04X} (paths are single-line plain text)",
            c as u32
        ));
    }
    let mut out = PathBuf::new();
    for c in Path::new(path).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("leaves the repository (`..`)".into()),
            Component::RootDir | Component::Prefix(_) => return Err("is absolute".into()),
        }
    }
    if out.as_os_str().is_empty() {
        return Err("names no file".into());
    }
    Ok(out)
}

/// Whether `id` can name a file in one folder: no path separator, not `.` or `..`.
fn is_file_stem(id: &str) -> bool {
    !id.contains(['/', '\\']) && id != "." && id != ".."
}

struct Cx<'t> {
    text: &'t str,
    diags: Vec<Diagnostic>,
    /// Byte offset of each line's start, so a line number is a binary search, not a scan
    /// from the top (which made loading quadratic in the number of gates).
    line_starts: Vec<usize>,
}

/// A reference from one item to another, checked once every table is read.
struct Reference {
    value: String,
    span: Range<usize>,
    from: String,
}

/// One table being read, with the name used for it in messages, like `[[gate]] "go-build"`.
struct Item<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    name: String,
    /// The keys its table accepts ([`keys`]).
    keys: &'static [Key],
}

impl<'t> Cx<'t> {
    fn error(&mut self, span: Range<usize>, message: String) {
        let line = self.line(&span);
        let start = self.line_starts[line - 1];
        let column = self.text[start..span.start.min(self.text.len()).max(start)].chars().count() + 1;
        self.diags.push(Diagnostic { line, column, message });
    }

    fn line(&self, span: &Range<usize>) -> usize {
        let offset = span.start.min(self.text.len());
        self.line_starts.partition_point(|&s| s <= offset)
    }

    fn program(&mut self, root: &Path, exists: &dyn Fn(&Path) -> bool) -> Option<Program> {
        let doc = match DeTable::parse(self.text) {
            Ok(doc) => doc,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = format!("invalid TOML: {}", e.message().trim_end_matches('\n'));
                self.error(span, message);
                return None;
            }
        };
        let top =
            Item { table: doc.get_ref(), span: doc.span(), name: "the top level".into(), keys: keys::TOP };
        self.unknown_keys(&top);

        let mut program_name = None;
        let mut docs = Vec::new();
        match self.sub_table(&top, "program") {
            Some(item) => {
                self.unknown_keys(&item);
                program_name = self.string(&item, "name");
                let mut seen: HashMap<PathBuf, (String, usize)> = HashMap::new();
                for (path, span) in self.string_list(&item, "docs") {
                    let shown = crate::redact::escape_controls(&path).into_owned();
                    let normal = match repo_path(&path) {
                        Ok(p) => p,
                        Err(why) => {
                            self.error(span, format!("docs file `{shown}` {why}; list docs relative to the folder holding closeout.toml, inside it"));
                            continue;
                        }
                    };
                    if let Some((first, line)) = seen.get(&normal) {
                        self.error(
                            span,
                            format!("docs file `{shown}` is listed twice (as `{}` on line {line}); remove one of them", crate::redact::escape_controls(first)),
                        );
                        continue;
                    }
                    seen.insert(normal.clone(), (path.clone(), self.line(&span)));
                    let path = normal.to_string_lossy().into_owned();
                    if !exists(Path::new(&path)) {
                        self.error(
                            span,
                            format!(
                                "docs file `{shown}` does not exist (paths are relative to the folder holding closeout.toml); create it or remove it from [program].docs"
                            ),
                        );
                    }
                    docs.push(PathBuf::from(path));
                }
            }
            None => self.error(0..0, "missing [program] table; add `[program]` with `name = \"...\"`".into()),
        }

        let mut run = RunSettings::default();
        if let Some(item) = self.sub_table(&top, "run") {
            self.unknown_keys(&item);
            if let Some(jobs) = self.integer(&item, "jobs") {
                if jobs > MAX_JOBS {
                    let span = item.table.get("jobs").map(|v| v.span()).unwrap_or(0..0);
                    self.error(span, format!("`jobs` in [run] is {jobs}, more than closeout runs at once ({MAX_JOBS}); use 0 for one per core, or a number up to {MAX_JOBS}"));
                } else {
                    run.jobs = jobs;
                }
            }
            if let Some(t) = self.duration(&item, "timeout") {
                run.timeout = t;
            }
            if let Some(g) = self.duration(&item, "grace") {
                run.grace = g;
            }
            if let Some((path, span)) = self.string_spanned(&item, "reference") {
                if let Err(why) = repo_path(&path) {
                    self.error(
                        span,
                        format!(
                            "reference run `{}` {why}; keep the accepted run record inside the repository",
                            crate::redact::escape_controls(&path)
                        ),
                    );
                } else if !exists(Path::new(&path)) {
                    self.error(span, format!("reference run `{path}` does not exist; commit the accepted run record there (a copy of .closeout/latest.json) or remove [run].reference"));
                }
                run.reference = Some(path);
            }
        }

        let mut refs: Vec<(&'static str, Reference)> = Vec::new();

        let gates: Vec<Gate> = self
            .array_of_tables(&top, "gate")
            .into_iter()
            .filter_map(|item| {
                self.unknown_keys(&item);
                let id = self.string(&item, "id");
                let run = self.string(&item, "run");
                let timeout = self.duration(&item, "timeout");
                let parser = self.vocab(&item, "parser").unwrap_or(ParserKind::Auto);
                let exclusive = self.string(&item, "exclusive");
                let known_failure = self.string_spanned(&item, "known_failure");
                declared(&item, "tolerance", "a percentage", &|k| *k == Kind::Percentage);
                let tolerance = self.string_spanned(&item, "tolerance").and_then(|(t, span)| {
                    if t == "off" {
                        return Some(None);
                    }
                    match t.strip_suffix('%').and_then(|n| n.trim().parse::<u32>().ok()) {
                        Some(n) => Some(Some(n)),
                        None => {
                            self.error(
                                span,
                                format!(
                                    "invalid `tolerance` `{t}` in {}; write a percentage like \"30%\", or \"off\" for a gate whose duration is no performance signal",
                                    item.name
                                ),
                            );
                            None
                        }
                    }
                });
                let count_decrease_reason = self.string(&item, "count_decrease_reason");
                let trusted = self.boolean(&item, "trusted").unwrap_or(true);
                let retries = self.retries(&item);
                if let Some((value, span)) = &known_failure {
                    refs.push((
                        "debt",
                        Reference { value: value.clone(), span: span.clone(), from: item.name.clone() },
                    ));
                }
                Some(Gate {
                    id: id?,
                    run: run?,
                    timeout,
                    parser,
                    exclusive,
                    known_failure: known_failure.map(|(v, _)| v),
                    tolerance,
                    count_decrease_reason,
                    when: self.string(&item, "when"),
                    trusted,
                    retries,
                    line: self.line(&item.span),
                })
            })
            .collect();

        let tracks: Vec<Track> = self
            .array_of_tables(&top, "track")
            .into_iter()
            .filter_map(|item| {
                self.unknown_keys(&item);
                let id = self.string(&item, "id");
                let name = self.string(&item, "name");
                let classification = self.vocab(&item, "classification");
                Some(Track {
                    id: id?,
                    name: name?,
                    plan: self.string(&item, "plan"),
                    progress: self.string(&item, "progress"),
                    plan_status: self.string(&item, "plan_status"),
                    progress_status: self.string(&item, "progress_status"),
                    classification: classification?,
                    checkpoint: self.string(&item, "checkpoint"),
                    notes: self.string(&item, "notes"),
                    columns: self.columns(&item),
                    line: self.line(&item.span),
                })
            })
            .collect();

        let packets: Vec<Packet> = self
            .array_of_tables(&top, "packet")
            .into_iter()
            .filter_map(|item| {
                self.unknown_keys(&item);
                let mut id = self.string(&item, "id");
                if let Some(bad) = id.as_deref().filter(|id| !is_file_stem(id)) {
                    let span = item.table.get("id").map_or(item.span.clone(), |v| v.span());
                    let message = format!(
                        "packet id `{}` names its review file (.closeout/packets/ID.json): it may not hold `/` or `\\` nor be `.` or `..`; rename the packet",
                        crate::redact::escape_controls(bad)
                    );
                    self.error(span, message);
                    id = None;
                }
                let title = self.string(&item, "title");
                let status = self.vocab(&item, "status").unwrap_or(PacketStatus::Todo);
                let review = self.vocab(&item, "review").unwrap_or(ReviewState::Pending);
                let tests: Vec<TestRef> = self
                    .string_list(&item, "tests")
                    .into_iter()
                    .map(|(spec, span)| {
                        let test = TestRef::from_spec(&spec);
                        if let TestRef::Gate(gate) = &test {
                            refs.push((
                                "gate",
                                Reference { value: gate.clone(), span, from: item.name.clone() },
                            ));
                        }
                        test
                    })
                    .collect();
                Some(Packet {
                    id: id?,
                    title: title?,
                    status,
                    review,
                    review_stated: item.table.contains_key("review"),
                    implementer: self.string(&item, "implementer"),
                    reviewer: self.string(&item, "reviewer"),
                    scope: self.string_list(&item, "scope").into_iter().map(|(s, _)| s).collect(),
                    tests,
                    commit: self.string(&item, "commit"),
                    residual_risk: self
                        .string_list(&item, "residual_risk")
                        .into_iter()
                        .map(|(s, _)| s)
                        .collect(),
                    rollback: self.string_list(&item, "rollback").into_iter().map(|(s, _)| s).collect(),
                    files: self
                        .table_list(&item, "files")
                        .into_iter()
                        .filter_map(|file| {
                            self.unknown_keys(&file);
                            let path = self.string(&file, "path")?;
                            Some(FileChange { path, reason: self.string(&file, "reason") })
                        })
                        .collect(),
                    p1: self.vocab(&item, "p1"),
                    p1_reason: self.string(&item, "p1_reason"),
                    checklist: self.string_list(&item, "checklist").into_iter().map(|(s, _)| s).collect(),
                    columns: self.columns(&item),
                    line: self.line(&item.span),
                })
            })
            .collect();

        let risks: Vec<Risk> = self
            .array_of_tables(&top, "risk")
            .into_iter()
            .filter_map(|item| {
                self.unknown_keys(&item);
                let id = self.string(&item, "id");
                let description = self.string(&item, "description");
                let severity = self.vocab(&item, "severity");
                let packets: Vec<String> = self
                    .string_list(&item, "packets")
                    .into_iter()
                    .map(|(p, span)| {
                        refs.push(("packet", Reference { value: p.clone(), span, from: item.name.clone() }));
                        p
                    })
                    .collect();
                Some(Risk {
                    id: id?,
                    surface: self.string(&item, "surface"),
                    description: description?,
                    severity,
                    packets,
                    listed: self
                        .string(&item, "form")
                        .is_some_and(|f| [Risk::FORM_LIST, Risk::FORM_EARLIER_TABLE].contains(&f.as_str())),
                    mitigation: self.string(&item, "mitigation"),
                    columns: self.columns(&item),
                    line: self.line(&item.span),
                })
            })
            .collect();

        let debts: Vec<Debt> = self
            .array_of_tables(&top, "debt")
            .into_iter()
            .filter_map(|item| {
                self.unknown_keys(&item);
                let id = self.string(&item, "id");
                let description = self.string(&item, "description");
                let status = self.vocab(&item, "status").unwrap_or(DebtStatus::Open);
                let resolution = self.string(&item, "resolution").filter(|r| !r.trim().is_empty());
                if resolution.is_none() && required_here(&item, "resolution") {
                    let span = item.table.get("status").map(|v| v.span()).unwrap_or(item.span.clone());
                    self.error(
                        span,
                        format!(
                            "{} is `resolved` but has no `resolution`; say how it was resolved in `resolution = \"...\"` or set `status = \"open\"`",
                            item.name
                        ),
                    );
                }
                let covers: Vec<Coverage> = self
                    .string_list(&item, "covers")
                    .into_iter()
                    .filter_map(|(target, span)| {
                        let (kind, value) = match target.split_once(':') {
                            Some(("track", v)) => ("track", v.to_string()),
                            Some(("packet", v)) => ("packet", v.to_string()),
                            _ => {
                                self.error(span, format!("invalid `covers` entry `{target}` in {}; write `track:ID` or `packet:ID`", item.name));
                                return None;
                            }
                        };
                        refs.push((kind, Reference { value: value.clone(), span, from: item.name.clone() }));
                        Some(if kind == "track" { Coverage::Track(value) } else { Coverage::Packet(value) })
                    })
                    .collect();
                Some(Debt {
                    covers,
                    id: id?,
                    description: description?,
                    severity: self.vocab(&item, "severity"),
                    owner: self.string(&item, "owner"),
                    milestone: self.string(&item, "milestone"),
                    source: self.string(&item, "source"),
                    blocks_release: self.boolean(&item, "blocks_release").unwrap_or(false),
                    status,
                    resolution,
                    columns: self.columns(&item),
                    line: self.line(&item.span),
                })
            })
            .collect();

        let mut paths = PathRules::default();
        if let Some(item) = self.sub_table(&top, "paths") {
            self.unknown_keys(&item);
            paths.removed = self.string_list(&item, "removed").into_iter().map(|(s, _)| s).collect();
            declared(&item, "moved", "old = new paths", &|k| *k == Kind::Moved);
            if let Some(value) = item.table.get("moved") {
                match value.get_ref() {
                    DeValue::Table(t) => {
                        for (old, new) in t.iter() {
                            let targets: Option<Vec<&str>> = match new.get_ref() {
                                DeValue::String(n) => Some(vec![n.as_ref()]),
                                DeValue::Array(a) if !a.is_empty() => {
                                    a.iter().map(|n| n.get_ref().as_str()).collect()
                                }
                                _ => None,
                            };
                            match targets {
                                Some(targets) => paths.moved.extend(
                                    targets.into_iter().map(|n| (old.get_ref().to_string(), n.to_string())),
                                ),
                                None => self.error(
                                    new.span(),
                                    format!(
                                        "`moved` entry `{}` in [paths] must be the new path, or a non-empty array of the paths its content now lives in",
                                        old.get_ref()
                                    ),
                                ),
                            }
                        }
                    }
                    other => {
                        let message =
                            wrong_type(&item, "moved", "a table of old = \"new\" paths", other, value);
                        self.error(value.span(), message);
                    }
                }
            }
        }

        let waivers: Vec<Waiver> = self
            .array_of_tables(&top, "waiver")
            .into_iter()
            .filter_map(|item| {
                self.unknown_keys(&item);
                let rule = self.string_spanned(&item, "rule");
                let Kind::OneOf(rules) =
                    declared(&item, "rule", "a rule id", &|k| matches!(k, Kind::OneOf(_))).kind
                else {
                    unreachable!("checked by `declared`")
                };
                if let Some((rule, span)) = &rule {
                    if !rules.contains(&rule.as_str()) {
                        let hint = did_you_mean(rule, rules.iter().copied())
                            .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
                        self.error(
                            span.clone(),
                            format!("unknown rule `{rule}` in [[waiver]]{hint}; rules: {}", rules.join(", ")),
                        );
                    }
                } else if !item.table.contains_key("rule") {
                    self.error(
                        item.span.clone(),
                        format!("{} is missing the required key `rule`", item.name),
                    );
                }
                let subject = self.string(&item, "subject");
                let reason = self.string(&item, "reason");
                Some(Waiver {
                    rule: rule?.0,
                    subject: subject?,
                    reason: reason?,
                    line: self.line(&item.span),
                })
            })
            .collect();

        let gate_ids = self.unique_ids(&top, "gate");
        let packet_ids = self.unique_ids(&top, "packet");
        let debt_ids = self.unique_ids(&top, "debt");
        let track_ids = self.unique_ids(&top, "track");
        self.unique_ids(&top, "risk");

        for (kind, r) in refs {
            let (known, table, key) = match kind {
                "gate" => (&gate_ids, "[[gate]]", "packet.tests"),
                "packet" if r.from.starts_with("[[debt]]") => (&packet_ids, "[[packet]]", "debt.covers"),
                "packet" => (&packet_ids, "[[packet]]", "risk.packets"),
                "track" => (&track_ids, "[[track]]", "debt.covers"),
                _ => (&debt_ids, "[[debt]]", "known_failure"),
            };
            if known.contains(&r.value) {
                continue;
            }
            let hint = match did_you_mean(&r.value, known.iter().map(String::as_str)) {
                Some(s) => format!(" (did you mean `{s}`?)"),
                None if known.is_empty() => format!("; there is no {table} yet"),
                None => format!("; known ids: {}", known.join(", ")),
            };
            let what = if kind == "gate" {
                format!("{key} in {} names gate `{}`, but no {table} has that id{hint}; a test with no space in it is a gate id, so add the gate or write the full command", r.from, r.value)
            } else {
                format!("{key} in {} names `{}`, but no {table} has that id{hint}", r.from, r.value)
            };
            self.error(r.span, what);
        }

        Some(Program {
            root: root.to_path_buf(),
            name: program_name?,
            docs,
            run,
            gates,
            tracks,
            packets,
            risks,
            debts,
            paths,
            waivers,
        })
    }

    /// The ids of one array of tables, reporting duplicates at their second occurrence.
    fn unique_ids(&mut self, top: &Item, key: &str) -> Vec<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut ids = Vec::new();
        let Some(DeValue::Array(items)) = top.table.get(key).map(|v| v.get_ref()) else { return ids };
        for entry in items {
            let Some(id) = entry.get_ref().as_table().and_then(|t| t.get("id")) else { continue };
            let Some(value) = id.get_ref().as_str() else { continue };
            if let Some(first) = seen.get(value) {
                let message = format!(
                    "duplicate id `{}` in [[{key}]]; the first is on line {first}, and each id must be unique",
                    crate::redact::escape_controls(value)
                );
                self.error(id.span(), message);
            } else {
                seen.insert(value.to_string(), self.line(&id.span()));
                ids.push(value.to_string());
            }
        }
        ids
    }

    fn unknown_keys(&mut self, item: &Item) {
        let allowed = keys::names(item.keys);
        for (key, _) in item.table.iter() {
            let k: &str = key.get_ref();
            if allowed.contains(&k) {
                continue;
            }
            let hint = match did_you_mean(k, allowed.iter().copied()) {
                Some(s) => format!("did you mean `{s}`? "),
                None => String::new(),
            };
            let message =
                format!("unknown key `{k}` in {}; {hint}accepted keys: {}", item.name, allowed.join(", "));
            self.error(key.span(), message);
        }
    }

    fn sub_table<'a, 'i>(&mut self, top: &Item<'a, 'i>, key: &str) -> Option<Item<'a, 'i>> {
        let Kind::Table(keys) = declared(top, key, "a table", &|k| matches!(k, Kind::Table(_))).kind else {
            unreachable!("checked by `declared`")
        };
        let value = top.table.get(key)?;
        match value.get_ref() {
            DeValue::Table(t) => Some(Item { table: t, span: value.span(), name: format!("[{key}]"), keys }),
            other => {
                self.error(
                    value.span(),
                    format!("`{key}` must be a table ([{key}]), found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn array_of_tables<'a, 'i>(&mut self, top: &Item<'a, 'i>, key: &str) -> Vec<Item<'a, 'i>> {
        let keys = tables_of(top, key);
        let Some(value) = top.table.get(key) else { return Vec::new() };
        let DeValue::Array(entries) = value.get_ref() else {
            self.error(
                value.span(),
                format!(
                    "`{key}` must be an array of tables, written `[[{key}]]`; found {}",
                    value.get_ref().type_str()
                ),
            );
            return Vec::new();
        };
        let mut items = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            match entry.get_ref() {
                DeValue::Table(t) => {
                    let name = match t.get("id").and_then(|v| v.get_ref().as_str()) {
                        // An id with control characters is reported, never echoed raw.
                        Some(id)
                            if id.chars().any(|c| c.is_control() || crate::redact::is_bidi_control(c)) =>
                        {
                            format!("[[{key}]] #{}", index + 1)
                        }
                        Some(id) => format!("[[{key}]] \"{id}\""),
                        None => format!("[[{key}]] #{}", index + 1),
                    };
                    items.push(Item { table: t, span: entry.span(), name, keys });
                }
                other => self.error(
                    entry.span(),
                    format!(
                        "`{key}` entries must be tables, written `[[{key}]]`; found {}",
                        other.type_str()
                    ),
                ),
            }
        }
        items
    }

    /// An array of tables inside an item, such as `files = [{ path = "…", reason = "…" }]`.
    fn table_list<'a, 'i>(&mut self, item: &Item<'a, 'i>, key: &str) -> Vec<Item<'a, 'i>> {
        let keys = tables_of(item, key);
        let Some(value) = item.table.get(key) else { return Vec::new() };
        let DeValue::Array(entries) = value.get_ref() else {
            let message = wrong_type(item, key, "an array of tables", value.get_ref(), value);
            self.error(value.span(), message);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            match entry.get_ref() {
                DeValue::Table(t) => out.push(Item {
                    table: t,
                    span: entry.span(),
                    name: format!("{}.{key}[{index}]", item.name),
                    keys,
                }),
                other => {
                    let message = wrong_type(item, key, "an array of tables", other, entry);
                    self.error(entry.span(), message);
                }
            }
        }
        out
    }

    fn string_spanned(&mut self, item: &Item, key: &str) -> Option<(String, Range<usize>)> {
        let single_line = keys::find(item.keys, key).kind == Kind::Id;
        let value = item.table.get(key)?;
        match value.get_ref() {
            DeValue::String(s) => {
                // Ids reach terminals, CI logs (where a newline starts a workflow command) and
                // file names: no control characters. Texts and `run` (a shell script may span
                // lines) may hold newlines and tabs, no other control characters (ESC, BEL);
                // outputs show a multi-line `run` on one line (`\x0a`). No string may hold a
                // bidirectional override or isolate, which makes text display in another
                // order than it runs or reads (Trojan Source).
                // A multi-line string in a file checked out with CRLF holds `\r\n`: a
                // newline, kept as `\n`; a lone `\r` is still refused.
                let owned;
                let s = if !single_line && s.contains("\r\n") {
                    owned = s.replace("\r\n", "\n");
                    owned.as_str()
                } else {
                    &**s
                };
                let allowed = |c: char| !single_line && (c == '\n' || c == '\t');
                if let Some(c) = s.chars().find(|c| c.is_control() && !allowed(*c)) {
                    self.error(
                        value.span(),
                        format!(
                            "`{key}` in {} holds the control character U+{:04X}; remove it ({})",
                            item.name,
                            c as u32,
                            if single_line {
                                "ids are single-line plain text"
                            } else {
                                "only newlines and tabs are allowed in texts and commands"
                            }
                        ),
                    );
                    return None;
                }
                // `::name ...` at the start of a line of output is a GitHub Actions workflow
                // command; closeout prints ids and texts at line starts (table rows, the
                // program's name), so none may begin a line with it. A `run` is a shell
                // script, always printed on one line with its newlines escaped.
                if key != "run" && s.lines().any(|l| l.trim_start().starts_with("::")) {
                    self.error(
                        value.span(),
                        format!(
                            "`{key}` in {} starts a line with `::`, which GitHub Actions reads as a workflow command when closeout prints it; reword it",
                            item.name
                        ),
                    );
                    return None;
                }
                if let Some(c) = s.chars().find(|c| crate::redact::is_bidi_control(*c)) {
                    self.error(
                        value.span(),
                        format!(
                            "`{key}` in {} holds the bidirectional control character U+{:04X}; remove it (it makes text display in another order than it is read)",
                            item.name,
                            c as u32
                        ),
                    );
                    return None;
                }
                Some((s.to_string(), value.span()))
            }
            other => {
                self.error(value.span(), wrong_type(item, key, "a string", other, value));
                None
            }
        }
    }

    fn string(&mut self, item: &Item, key: &str) -> Option<String> {
        let required = declared(item, key, "a string", &|k| matches!(k, Kind::Id | Kind::Text)).required
            == Required::Yes;
        match self.string_spanned(item, key) {
            Some((s, span)) => {
                if required && s.trim().is_empty() {
                    self.error(span, format!("`{key}` in {} must not be empty", item.name));
                    return None;
                }
                Some(s)
            }
            None => {
                if required && !item.table.contains_key(key) {
                    self.error(
                        item.span.clone(),
                        format!("{} is missing the required key `{key}`", item.name),
                    );
                }
                None
            }
        }
    }

    fn string_list(&mut self, item: &Item, key: &str) -> Vec<(String, Range<usize>)> {
        declared(item, key, "an array of strings", &|k| matches!(k, Kind::Texts | Kind::Covers));
        let Some(value) = item.table.get(key) else { return Vec::new() };
        let DeValue::Array(entries) = value.get_ref() else {
            let message = wrong_type(item, key, "an array of strings", value.get_ref(), value);
            self.error(value.span(), message);
            return Vec::new();
        };
        let mut out = Vec::new();
        for entry in entries {
            match entry.get_ref() {
                DeValue::String(s) => out.push((s.to_string(), entry.span())),
                other => {
                    let message = wrong_type(item, key, "an array of strings", other, entry);
                    self.error(entry.span(), message);
                }
            }
        }
        out
    }

    /// `columns = { "Evidence Link" = "…" }`: a doc table's own columns, header → markdown.
    fn columns(&mut self, item: &Item) -> Vec<(String, String)> {
        declared(item, "columns", "a table of strings", &|k| *k == Kind::Columns);
        let Some(value) = item.table.get("columns") else { return Vec::new() };
        let DeValue::Table(t) = value.get_ref() else {
            let message = wrong_type(item, "columns", "a table of strings", value.get_ref(), value);
            self.error(value.span(), message);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, v) in t.iter() {
            match v.get_ref() {
                DeValue::String(s) => out.push((key.get_ref().to_string(), s.to_string())),
                other => {
                    let message = wrong_type(item, "columns", "a table of strings", other, v);
                    self.error(v.span(), message);
                }
            }
        }
        out
    }

    /// A value of the vocabulary `T`; a required key (the declaration says) that is
    /// missing is reported with the vocabulary.
    fn vocab<T: Vocab>(&mut self, item: &Item, key: &str) -> Option<T> {
        let spec = declared(item, key, "a vocabulary", &|k| *k == Kind::OneOf(T::NAMES));
        if spec.required == Required::Yes && !item.table.contains_key(key) {
            self.error(
                item.span.clone(),
                format!("{} is missing the required key `{key}` (one of: {})", item.name, T::expected()),
            );
            return None;
        }
        let (text, span) = self.string_spanned(item, key)?;
        if let Some(v) = T::parse(&text) {
            return Some(v);
        }
        let hint = match did_you_mean(&text, T::ALL.iter().map(|(k, _)| *k)) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => String::new(),
        };
        self.error(
            span,
            format!("invalid `{key}` `{text}` in {}{hint}; expected one of: {}", item.name, T::expected()),
        );
        None
    }

    fn duration(&mut self, item: &Item, key: &str) -> Option<Duration> {
        let Kind::Duration { zero_ok } =
            declared(item, key, "a duration", &|k| matches!(k, Kind::Duration { .. })).kind
        else {
            unreachable!("checked by `declared`")
        };
        let (text, span) = self.string_spanned(item, key)?;
        match duration::parse(&text) {
            Ok(d) if d.is_zero() && !zero_ok => {
                self.error(
                    span,
                    format!("`{key}` in {} must be longer than zero, found `{text}`", item.name),
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.error(span, format!("invalid `{key}` in {}: {e}", item.name));
                None
            }
        }
    }

    fn integer(&mut self, item: &Item, key: &str) -> Option<usize> {
        declared(item, key, "a whole number", &|k| matches!(k, Kind::Count { .. }));
        let value = item.table.get(key)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok(),
            other => {
                self.error(value.span(), wrong_type(item, key, "a whole number", other, value));
                return None;
            }
        };
        match parsed.and_then(|n| usize::try_from(n).ok()) {
            Some(n) => Some(n),
            None if parsed.is_none() => {
                let text = &self.text[value.span()];
                self.error(value.span(), format!("`{key}` in {} is too large: `{text}`", item.name));
                None
            }
            None => {
                let text = &self.text[value.span()];
                self.error(
                    value.span(),
                    format!("`{key}` in {} must be 0 or more, found `{text}`", item.name),
                );
                None
            }
        }
    }

    /// A gate's `retries`: a whole number up to [`MAX_RETRIES`], 0 when absent or wrong
    /// (the error is recorded).
    fn retries(&mut self, item: &Item) -> u32 {
        let Some(n) = self.integer(item, "retries") else { return 0 };
        match u32::try_from(n).ok().filter(|n| *n <= MAX_RETRIES) {
            Some(n) => n,
            None => {
                let span = item.table.get("retries").map(|v| v.span()).unwrap_or(0..0);
                self.error(span, format!("`retries` in {} is {n}, more than {MAX_RETRIES}; a gate that needs more reruns than that is broken, not flaky: fix it, or set a number from 0 to {MAX_RETRIES}", item.name));
                0
            }
        }
    }

    fn boolean(&mut self, item: &Item, key: &str) -> Option<bool> {
        declared(item, key, "true or false", &|k| *k == Kind::Bool);
        let value = item.table.get(key)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(value.span(), wrong_type(item, key, "true or false", other, value));
                None
            }
        }
    }
}

/// The declaration of `key` in `item`'s table ([`keys`]), checked to be of the kind
/// being read. Reading an undeclared key, or a key as another kind, is a bug in closeout
/// and panics, so every test that loads that table catches it.
fn declared(item: &Item, key: &str, reading: &str, fits: &dyn Fn(&Kind) -> bool) -> &'static Key {
    let spec = keys::find(item.keys, key);
    assert!(
        fits(&spec.kind),
        "bug: `{key}` in {} is read as {reading} but declared {:?} in closeout/core/src/keys.rs",
        item.name,
        spec.kind
    );
    spec
}

/// The keys of the array of tables `key` of `item`.
fn tables_of(item: &Item, key: &str) -> &'static [Key] {
    match declared(item, key, "an array of tables", &|k| matches!(k, Kind::Tables(_))).kind {
        Kind::Tables(keys) => keys,
        _ => unreachable!("checked by `declared`"),
    }
}

/// Whether `key`, declared `Required::When(other, value)`, is required in `item` because
/// its `other` key holds `value`.
fn required_here(item: &Item, key: &str) -> bool {
    match keys::find(item.keys, key).required {
        Required::Yes => true,
        Required::When(other, value) => {
            item.table.get(other).and_then(|v| v.get_ref().as_str()) == Some(value)
        }
        Required::No => false,
    }
}

fn wrong_type(item: &Item, key: &str, expected: &str, found: &DeValue, _at: &Spanned<DeValue>) -> String {
    let shown = match found {
        DeValue::String(s) => format!("string \"{s}\""),
        DeValue::Integer(i) => format!("integer {}", i.as_str()),
        DeValue::Float(f) => format!("float {}", f.as_str()),
        DeValue::Boolean(b) => format!("boolean {b}"),
        other => other.type_str().to_string(),
    };
    format!("`{key}` in {} must be {expected}, found {shown}", item.name)
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Program {
        parse(text, Path::new("closeout.toml"), Path::new("/repo"), &|_| true).expect("valid")
    }

    #[test]
    fn a_crlf_checkout_keeps_multi_line_texts_and_a_lone_carriage_return_is_refused() {
        let text = "[program]\r\nname = \"x\"\r\n[[debt]]\r\nid = \"DL-1\"\r\ndescription = \"\"\"a\r\nb\"\"\"\r\nseverity = \"LOW\"\r\n[[gate]]\r\nid = \"g\"\r\nrun = \"printf 'a\\\\rb'\"\r\n";
        let p = parse_ok(text);
        assert_eq!(p.debts[0].description, "a\nb");
        // The shell's own escape, not a raw carriage return, which `run` refuses too.
        assert_eq!(p.gates[0].run, "printf 'a\\rb'");
        let raw = text.replace("\\\\r", "\\r");
        let errors = parse(&raw, Path::new("closeout.toml"), Path::new("/repo"), &|_| true).unwrap_err();
        assert!(
            format!("{errors:?}").contains("`run` in [[gate]] \\\"g\\\" holds the control character U+000D"),
            "{errors:?}"
        );
        let lone =
            "[program]\nname = \"x\"\n[[debt]]\nid = \"DL-1\"\ndescription = \"a\\rb\"\nseverity = \"LOW\"\n";
        let errors = parse(lone, Path::new("closeout.toml"), Path::new("/repo"), &|_| true).unwrap_err();
        assert!(format!("{errors:?}").contains("U+000D"), "{errors:?}");
    }

    #[test]
    fn minimal_program() {
        let p = parse_ok("[program]\nname = \"x\"\n");
        assert_eq!(p.name, "x");
        assert_eq!(p.run, RunSettings::default());
        assert!(p.gates.is_empty());
    }

    #[test]
    fn reads_every_table() {
        let p = parse_ok(
            r#"
[program]
name = "P"
docs = ["plan.md"]
[run]
jobs = 3
timeout = "1m"
grace = "0s"
[[gate]]
id = "build"
run = "cargo build"
parser = "cargo"
exclusive = "target"
known_failure = "DL-1"
retries = 2
[[track]]
id = "t"
name = "Track"
classification = "DEFERRED"
[[packet]]
id = "00"
title = "First"
status = "DONE"
review = "APPROVED"
tests = ["build", "cargo test -p x"]
[[risk]]
id = "R-1"
description = "d"
severity = "LOW"
packets = ["00"]
[[debt]]
id = "DL-1"
description = "d"
milestone = "Pre-release"
"#,
        );
        assert_eq!(p.run.jobs, 3);
        assert_eq!(p.run.grace, Duration::ZERO);
        assert_eq!(p.gates[0].parser, ParserKind::Cargo);
        assert_eq!(p.gates[0].line, 9);
        assert_eq!(p.gates[0].retries, 2);
        assert_eq!(p.tracks[0].classification, Classification::Deferred);
        assert_eq!(
            p.packets[0].tests,
            vec![TestRef::Gate("build".into()), TestRef::Command("cargo test -p x".into())]
        );
        assert!(p.debts[0].is_release_blocker());
    }

    #[test]
    #[should_panic(expected = "`name` in [program] is read as true or false but declared Text")]
    fn reading_a_key_as_another_kind_is_a_bug() {
        let doc = DeTable::parse("name = \"x\"").unwrap();
        let item = Item { table: doc.get_ref(), span: 0..0, name: "[program]".into(), keys: keys::PROGRAM };
        declared(&item, "name", "true or false", &|k| *k == Kind::Bool);
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 0), (1, 1));
    }

    #[test]
    fn ids_and_texts_cannot_start_a_workflow_command() {
        for text in [
            "[program]\nname = \"::error file=x::P\"\n",
            "[program]\nname = \"P\"\n[[gate]]\nid = \"::warning::G\"\nrun = \"true\"\n",
            "[program]\nname = \"P\"\n[[debt]]\nid = \"  ::error::D\"\ndescription = \"d\"\n",
            "[program]\nname = \"P\"\n[[debt]]\nid = \"D\"\ndescription = \"ok\\n::set-output name=x::y\"\n",
        ] {
            let errors = parse(text, Path::new("closeout.toml"), Path::new("/r"), &|_| true).unwrap_err();
            assert!(
                format!("{errors}").contains("GitHub Actions reads as a workflow command"),
                "{text}: {errors}"
            );
        }
        let fine = "[program]\nname = \"P\"\n[[debt]]\nid = \"D\"\ndescription = \"a::b, then std::fs\"\n";
        assert!(parse(fine, Path::new("closeout.toml"), Path::new("/r"), &|_| true).is_ok());
    }
}
