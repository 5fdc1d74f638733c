//! Reads command-line arguments against the grammar in [`super::spec`]: tokens come from
//! lexopt (`--long`, `--long=value`, `-j4`, `--` and non-UTF-8 values handled the usual
//! way); which flags exist, how many values they take and which values they accept comes
//! from the spec. Pure: no printing, no exit; errors are [`UsageError`]s (exit 2).

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use super::spec::{Arg, Command, Many, GLOBAL};

/// What the arguments ask for.
#[derive(Debug)]
pub enum Parsed {
    /// Run the command the matches name.
    Run(Matches),
    /// `--help`, `-h` or `help [COMMAND]...`: the help of the command at the end of the path.
    Help(Vec<&'static Command>),
    /// `--version` or `-V` at the top level.
    Version,
}

/// A usage error: what is wrong, a tip when there is one, and the command it is about
/// (its usage line is shown with the error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError {
    pub message: String,
    pub tip: Option<String>,
    /// From the top-level command to the one being parsed.
    pub path: Vec<&'static str>,
}

/// The arguments given to one command, with the subcommand's below it.
#[derive(Debug)]
pub struct Matches {
    /// From the top-level command to this one.
    pub path: Vec<&'static Command>,
    /// (argument name, value) in the order given; a switch's value is empty.
    values: Vec<(&'static str, OsString)>,
    pub sub: Option<Box<Matches>>,
}

impl Matches {
    pub fn command(&self) -> &'static Command {
        self.path[self.path.len() - 1]
    }

    fn given(&self, name: &str) -> impl Iterator<Item = &OsStr> {
        let name = self.spec(name).name;
        self.values.iter().filter(move |(n, _)| *n == name).map(|(_, v)| v.as_os_str())
    }

    fn spec(&self, name: &str) -> &'static Arg {
        let cmd = self.command();
        cmd.flag(name)
            .or_else(|| cmd.positionals().find(|a| a.name == name))
            .unwrap_or_else(|| panic!("`{name}` is not an argument of `{}`", cmd.name))
    }

    /// Whether the switch `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.spec(name);
        self.given(name).next().is_some()
    }

    /// The value of `name` as given, else its default.
    pub fn os(&self, name: &str) -> Option<&OsStr> {
        let spec = self.spec(name);
        self.given(name).last().or(spec.default.map(OsStr::new))
    }

    /// The value of `name` as text. Errors: the value is not UTF-8.
    pub fn string(&self, name: &str) -> Result<Option<String>, UsageError> {
        self.os(name).map(|v| self.utf8(name, v)).transpose()
    }

    /// Every value given for `name`, as text, in order.
    pub fn strings(&self, name: &str) -> Result<Vec<String>, UsageError> {
        self.spec(name);
        self.given(name).map(|v| self.utf8(name, v)).collect()
    }

    /// The value of `name` as a path (any bytes).
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.os(name).map(PathBuf::from)
    }

    /// Every value given for `name`, as paths.
    pub fn paths(&self, name: &str) -> Vec<PathBuf> {
        self.spec(name);
        self.given(name).map(PathBuf::from).collect()
    }

    /// The value of `name` read by `read`, whose error says what is wrong with the text.
    pub fn parsed<T>(
        &self,
        name: &str,
        read: fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, UsageError> {
        let Some(text) = self.string(name)? else { return Ok(None) };
        read(&text).map(Some).map_err(|why| {
            self.error(format!("invalid value '{text}' for '{}': {why}", self.spec(name).usage()), None)
        })
    }

    fn utf8(&self, name: &str, v: &OsStr) -> Result<String, UsageError> {
        v.to_str().map(str::to_string).ok_or_else(|| {
            self.error(
                format!(
                    "invalid value '{}' for '{}': not UTF-8",
                    v.to_string_lossy(),
                    self.spec(name).usage()
                ),
                None,
            )
        })
    }

    /// A usage error about this command.
    pub fn error(&self, message: String, tip: Option<String>) -> UsageError {
        UsageError { message, tip, path: self.path.iter().map(|c| c.name).collect() }
    }
}

/// Parse `args` (the first is the program's name, ignored) against `root`.
pub fn parse(root: &'static Command, args: impl IntoIterator<Item = OsString>) -> Result<Parsed, UsageError> {
    let mut parser = lexopt::Parser::from_iter(args);
    let mut state = State { path: vec![root], levels: vec![Vec::new()], positional: 0 };
    while let Some(token) = parser.next().map_err(|e| state.error(e.to_string(), None))? {
        let cmd = state.command();
        match token {
            lexopt::Arg::Short('h') | lexopt::Arg::Long("help") => return Ok(Parsed::Help(state.path)),
            lexopt::Arg::Short('V') | lexopt::Arg::Long("version") if state.path.len() == 1 => {
                return Ok(Parsed::Version)
            }
            lexopt::Arg::Long(long) => {
                let shown = format!("--{long}");
                let spec = cmd.flag(long).ok_or_else(|| state.unknown_flag(&shown))?;
                state.take(&mut parser, spec, &shown)?;
            }
            lexopt::Arg::Short(c) => {
                let shown = format!("-{c}");
                let spec = cmd.short(c).ok_or_else(|| state.unknown_flag(&shown))?;
                state.take(&mut parser, spec, &shown)?;
            }
            lexopt::Arg::Value(value) => {
                if state.positional == 0 && !cmd.subcommands.is_empty() {
                    if value == "help" {
                        return state.help_for(&mut parser);
                    }
                    state.descend(&value)?;
                    continue;
                }
                state.positional(value)?;
            }
        }
    }
    state.finish().map(Parsed::Run)
}

struct State {
    path: Vec<&'static Command>,
    /// Values per level of `path`; global flags go to the top level.
    levels: Vec<Vec<(&'static str, OsString)>>,
    /// Positional arguments taken at the current level.
    positional: usize,
}

impl State {
    fn command(&self) -> &'static Command {
        self.path[self.path.len() - 1]
    }

    fn error(&self, message: String, tip: Option<String>) -> UsageError {
        UsageError { message, tip, path: self.path.iter().map(|c| c.name).collect() }
    }

    fn unknown_flag(&self, shown: &str) -> UsageError {
        let cmd = self.command();
        let known = cmd.args.iter().chain(GLOBAL).filter(|a| !a.positional).map(|a| format!("--{}", a.name));
        let tip = closest(shown, known).map(|s| format!("a similar argument exists: '{s}'"));
        self.error(format!("unexpected argument '{shown}' found"), tip)
    }

    /// Take `spec`'s value(s) from `parser` and store them.
    fn take(
        &mut self,
        parser: &mut lexopt::Parser,
        spec: &'static Arg,
        shown: &str,
    ) -> Result<(), UsageError> {
        let values: Vec<OsString> = match (spec.value, spec.many) {
            (None, _) => match parser.optional_value() {
                Some(v) => {
                    let v = v.to_string_lossy().into_owned();
                    return Err(self
                        .error(format!("unexpected value '{v}' for '{shown}' found; it takes none"), None));
                }
                None => vec![OsString::new()],
            },
            (Some(_), Many::Greedy) => match parser.values() {
                Ok(values) => values.collect(),
                Err(_) => return Err(self.missing_value(spec)),
            },
            (Some(_), _) => vec![parser.value().map_err(|_| self.missing_value(spec))?],
        };
        for value in values {
            self.store(spec, value)?;
        }
        Ok(())
    }

    fn missing_value(&self, spec: &Arg) -> UsageError {
        let tip = accepted(spec);
        self.error(format!("a value is required for '{}' but none was supplied", spec.usage()), tip)
    }

    /// Store one value, checking it is accepted and not given twice.
    fn store(&mut self, spec: &'static Arg, value: OsString) -> Result<(), UsageError> {
        if !spec.values.is_empty() && !value.to_str().is_some_and(|v| spec.values.contains(&v)) {
            let shown = value.to_string_lossy().into_owned();
            let mut tip = accepted(spec);
            if let Some(near) = closest(&shown, spec.values.iter().map(|v| v.to_string())) {
                tip = Some(format!("a similar value exists: '{near}'; {}", tip.unwrap_or_default()));
            }
            return Err(self.error(format!("invalid value '{shown}' for '{}'", spec.usage()), tip));
        }
        let global = GLOBAL.iter().any(|g| std::ptr::eq(g, spec));
        let level = if global { 0 } else { self.levels.len() - 1 };
        if spec.many == Many::Once && self.levels[level].iter().any(|(n, _)| *n == spec.name) {
            return Err(
                self.error(format!("the argument '{}' cannot be used multiple times", spec.usage()), None)
            );
        }
        self.levels[level].push((spec.name, value));
        Ok(())
    }

    fn descend(&mut self, value: &OsStr) -> Result<(), UsageError> {
        let cmd = self.command();
        let name = value.to_string_lossy();
        match cmd.subcommand(&name) {
            Some(sub) => {
                self.path.push(sub);
                self.levels.push(Vec::new());
                self.positional = 0;
                Ok(())
            }
            None if cmd.positionals().next().is_some() => self.positional(value.to_os_string()),
            None => {
                let names = cmd.subcommands.iter().map(|c| c.name.to_string());
                let tip = closest(&name, names).map(|s| format!("a similar command exists: '{s}'"));
                Err(self.error(format!("unrecognized command '{name}'"), tip))
            }
        }
    }

    /// `help [COMMAND]...`: the path of the command whose help is asked for.
    fn help_for(mut self, parser: &mut lexopt::Parser) -> Result<Parsed, UsageError> {
        while let Ok(Some(lexopt::Arg::Value(value))) = parser.next() {
            let name = value.to_string_lossy();
            let sub = self.command().subcommand(&name);
            let sub = sub.ok_or_else(|| self.error(format!("unrecognized command '{name}'"), None))?;
            self.path.push(sub);
        }
        Ok(Parsed::Help(self.path))
    }

    fn positional(&mut self, value: OsString) -> Result<(), UsageError> {
        let positionals: Vec<&'static Arg> = self.command().positionals().collect();
        let spec = match positionals.get(self.positional) {
            Some(spec) => spec,
            None => match positionals.last() {
                Some(last) if last.many != Many::Once => last,
                _ => {
                    let shown = value.to_string_lossy().into_owned();
                    return Err(self.error(format!("unexpected argument '{shown}' found"), None));
                }
            },
        };
        self.positional += 1;
        self.store(spec, value)
    }

    /// Check required arguments, conflicts and the required command; build the matches.
    fn finish(self) -> Result<Matches, UsageError> {
        let last = self.command();
        if last.subcommand_required {
            let names: Vec<&str> = last.subcommands.iter().map(|c| c.name).collect();
            return Err(self.error(
                format!(
                    "'{}' requires a command",
                    self.path.iter().map(|c| c.name).collect::<Vec<_>>().join(" ")
                ),
                Some(format!("commands: {}", names.join(", "))),
            ));
        }
        for (depth, values) in self.levels.iter().enumerate() {
            check_level(self.path[depth], values, &self.path[..=depth])?;
        }
        let mut matches: Option<Matches> = None;
        for (depth, values) in self.levels.into_iter().enumerate().rev() {
            let path = self.path[..=depth].to_vec();
            matches = Some(Matches { path, values, sub: matches.map(Box::new) });
        }
        Ok(matches.expect("the top level is always there"))
    }
}

/// Required arguments present and no two conflicting flags, at one level.
fn check_level(
    cmd: &'static Command,
    values: &[(&'static str, OsString)],
    path: &[&'static Command],
) -> Result<(), UsageError> {
    let error =
        |message: String| UsageError { message, tip: None, path: path.iter().map(|c| c.name).collect() };
    let given = |name: &str| values.iter().any(|(n, _)| *n == name);
    let missing: Vec<String> =
        cmd.args.iter().filter(|a| a.required && !given(a.name)).map(Arg::usage).collect();
    if !missing.is_empty() {
        return Err(error(format!(
            "the following required arguments were not provided: {}",
            missing.join(" ")
        )));
    }
    for arg in cmd.args.iter().filter(|a| given(a.name)) {
        if let Some(other) = arg.conflicts.iter().find(|c| given(c)) {
            return Err(error(format!("the argument '--{}' cannot be used with '--{other}'", arg.name)));
        }
    }
    Ok(())
}

/// "[possible values: a, b]" for an argument with a fixed set of values.
fn accepted(spec: &Arg) -> Option<String> {
    (!spec.values.is_empty()).then(|| format!("[possible values: {}]", spec.values.join(", ")))
}

/// The candidate nearest to `typed`, when it is near enough to be a typo.
fn closest(typed: &str, candidates: impl Iterator<Item = String>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro(typed, &c), c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::super::spec::ROOT;
    use super::*;

    fn run(args: &[&str]) -> Result<Parsed, UsageError> {
        parse(&ROOT, std::iter::once("closeout").chain(args.iter().copied()).map(OsString::from))
    }

    fn matches(args: &[&str]) -> Matches {
        match run(args) {
            Ok(Parsed::Run(m)) => m,
            other => panic!("{args:?}: {other:?}"),
        }
    }

    fn error(args: &[&str]) -> UsageError {
        match run(args) {
            Err(e) => e,
            other => panic!("{args:?} should be a usage error: {other:?}"),
        }
    }

    #[test]
    fn flags_values_and_positionals_reach_their_command() {
        let m = matches(&["baseline", "-j4", "--only", "a", "b", "--when=ui", "--when", "db", "--dry-run"]);
        let sub = m.sub.as_deref().expect("baseline");
        assert_eq!(sub.command().name, "baseline");
        assert_eq!(sub.string("jobs").unwrap().as_deref(), Some("4"));
        assert_eq!(sub.strings("only").unwrap(), ["a", "b"]);
        assert_eq!(sub.strings("when").unwrap(), ["ui", "db"]);
        assert!(sub.flag("dry-run") && !sub.flag("all"));
        assert_eq!(sub.string("shard-by").unwrap().as_deref(), Some("duration"), "the default");
        let m = matches(&["import", "plan.md", "progress.md", "--dry-run"]);
        let sub = m.sub.as_deref().unwrap();
        assert_eq!(sub.paths("PLAN"), [PathBuf::from("plan.md")]);
        assert_eq!(sub.path("PROGRESS"), Some(PathBuf::from("progress.md")));
    }

    #[test]
    fn global_flags_are_read_before_or_after_the_command() {
        for args in [
            &["--color", "never", "status"][..],
            &["status", "--color=never"],
            &["status", "--root", "x", "--color", "never"],
        ] {
            let m = matches(args);
            assert_eq!(m.string("color").unwrap().as_deref(), Some("never"), "{args:?}");
        }
        assert_eq!(matches(&["status"]).string("color").unwrap().as_deref(), Some("auto"));
        assert_eq!(matches(&["status", "--root", "sub"]).path("root"), Some(PathBuf::from("sub")));
    }

    #[test]
    fn nested_subcommands_and_their_required_flags() {
        let m = matches(&["ledger", "resolve", "DL-1", "--resolution", "fixed in abc"]);
        let resolve = m.sub.as_deref().and_then(|l| l.sub.as_deref()).expect("ledger resolve");
        assert_eq!(resolve.string("ID").unwrap().as_deref(), Some("DL-1"));
        assert_eq!(resolve.string("resolution").unwrap().as_deref(), Some("fixed in abc"));
        let e = error(&["ledger", "resolve", "DL-1"]);
        assert!(e.message.contains("--resolution <TEXT>"), "{e:?}");
        assert_eq!(e.path, ["closeout", "ledger", "resolve"]);
        assert!(
            matches(&["ledger"]).sub.as_deref().is_some_and(|l| l.sub.is_none()),
            "the action is optional"
        );
    }

    #[test]
    fn typos_get_a_tip_and_bad_values_list_the_accepted_ones() {
        let e = error(&["baseline", "--dry-rn"]);
        assert_eq!(e.message, "unexpected argument '--dry-rn' found");
        assert_eq!(e.tip.as_deref(), Some("a similar argument exists: '--dry-run'"));
        let e = error(&["baselin"]);
        assert_eq!(e.tip.as_deref(), Some("a similar command exists: 'baseline'"));
        let e = error(&["verify-docs", "--format", "jsn"]);
        assert!(e.tip.as_deref().unwrap().contains("'json'"), "{e:?}");
        assert!(e.tip.as_deref().unwrap().contains("[possible values: human, json, github]"), "{e:?}");
        let e = error(&["--color", "sometimes", "status"]);
        assert!(e.message.starts_with("invalid value 'sometimes' for '--color <WHEN>'"), "{e:?}");
    }

    #[test]
    fn misuse_is_a_usage_error() {
        assert!(error(&[]).message.contains("requires a command"));
        assert!(error(&["status", "--json", "--json"]).message.contains("cannot be used multiple times"));
        assert!(error(&["status", "--json=yes"]).message.contains("it takes none"));
        assert!(error(&["baseline", "--out"]).message.contains("a value is required for '--out <PATH>'"));
        assert!(error(&["baseline", "--only"]).message.contains("a value is required"));
        assert!(error(&["status", "extra"]).message.contains("unexpected argument 'extra'"));
        assert!(error(&["merge"]).message.contains("<RECORD>..."));
        assert!(error(&["ledger", "--check", "--json"]).message.contains("cannot be used with"));
        assert!(error(&["--nope"]).message.contains("'--nope'"));
    }

    #[test]
    fn help_and_version_are_requests_not_errors() {
        let path = |args: &[&str]| match run(args) {
            Ok(Parsed::Help(path)) => path.iter().map(|c| c.name).collect::<Vec<_>>(),
            other => panic!("{args:?}: {other:?}"),
        };
        assert_eq!(path(&["--help"]), ["closeout"]);
        assert_eq!(path(&["baseline", "-h"]), ["closeout", "baseline"]);
        assert_eq!(path(&["help", "ledger", "add"]), ["closeout", "ledger", "add"]);
        assert_eq!(path(&["ledger", "add", "--help", "--id"]), ["closeout", "ledger", "add"]);
        assert!(matches!(run(&["--version"]), Ok(Parsed::Version)));
        assert!(matches!(run(&["-V"]), Ok(Parsed::Version)));
        assert!(error(&["status", "--version"]).message.contains("'--version'"));
    }

    #[test]
    fn values_after_double_dash_and_values_that_look_like_flags() {
        let m = matches(&[
            "ledger",
            "add",
            "--id",
            "DL-9",
            "--description",
            "-j is broken",
            "--severity",
            "LOW",
            "--owner",
            "me",
            "--milestone",
            "v1",
        ]);
        let add = m.sub.as_deref().and_then(|l| l.sub.as_deref()).unwrap();
        assert_eq!(add.string("description").unwrap().as_deref(), Some("-j is broken"));
        let m = matches(&["import", "--", "--weird-name.md"]);
        assert_eq!(m.sub.as_deref().unwrap().path("PLAN"), Some(PathBuf::from("--weird-name.md")));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_pass_and_non_utf8_text_is_an_error() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![b'p', 0xff, b'.', b'm', b'd']);
        let args = ["closeout".into(), "import".into(), bad.clone()];
        let Ok(Parsed::Run(m)) = parse(&ROOT, args) else { panic!("non-UTF-8 path refused") };
        assert_eq!(m.sub.as_deref().unwrap().path("PLAN"), Some(PathBuf::from(bad.clone())));
        let args = ["closeout".into(), "init".into(), "--name".into(), bad];
        let Ok(Parsed::Run(m)) = parse(&ROOT, args) else { panic!("parse") };
        let e = m.sub.as_deref().unwrap().string("name").unwrap_err();
        assert!(e.message.contains("not UTF-8"), "{e:?}");
    }
}
