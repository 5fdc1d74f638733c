//! The command-line grammar as data: every command, flag, value name, accepted value and
//! help line closeout understands. [`super::parse`] reads arguments against it,
//! [`super::help`] renders `--help` from it, and (with the `completions` feature) the clap
//! generators build shell completions and man pages from it, so the three never disagree.
//!
//! Each task declares its own [`Command`] beside its code (`tasks::baseline::COMMAND`, …);
//! [`ROOT`] gathers them.

/// One command: `closeout`, `closeout baseline`, `closeout ledger add`.
#[derive(Debug)]
pub struct Command {
    /// The word typed on the command line (`verify-docs`).
    pub name: &'static str,
    /// One line, shown in the parent's command list and atop `--help`.
    pub about: &'static str,
    /// Paragraphs after the options in `--help` (empty for none).
    pub after_help: &'static str,
    /// Flags and positional arguments, in help order.
    pub args: &'static [Arg],
    /// Subcommands, in help order.
    pub subcommands: &'static [Command],
    /// A subcommand must follow (the top level); else it is optional (`ledger`).
    pub subcommand_required: bool,
}

impl Command {
    /// A command with no flags, no subcommands and no text after the options.
    pub const fn new(name: &'static str, about: &'static str) -> Self {
        Command { name, about, after_help: "", args: &[], subcommands: &[], subcommand_required: false }
    }

    pub const fn args(self, args: &'static [Arg]) -> Self {
        Command { args, ..self }
    }

    pub const fn subcommands(self, subcommands: &'static [Command], required: bool) -> Self {
        Command { subcommands, subcommand_required: required, ..self }
    }

    pub const fn after_help(self, after_help: &'static str) -> Self {
        Command { after_help, ..self }
    }

    /// The subcommand named `name`.
    pub fn subcommand(&self, name: &str) -> Option<&'static Command> {
        let subs: &'static [Command] = self.subcommands;
        subs.iter().find(|c| c.name == name)
    }

    /// The flag `--long` (or a global flag).
    pub fn flag(&self, long: &str) -> Option<&'static Arg> {
        let args: &'static [Arg] = self.args;
        args.iter().chain(GLOBAL).find(|a| !a.positional && a.name == long)
    }

    /// The flag `-c` (or a global flag).
    pub fn short(&self, c: char) -> Option<&'static Arg> {
        let args: &'static [Arg] = self.args;
        args.iter().chain(GLOBAL).find(|a| a.short == Some(c))
    }

    /// The positional arguments, in order.
    pub fn positionals(&self) -> impl Iterator<Item = &'static Arg> {
        let args: &'static [Arg] = self.args;
        args.iter().filter(|a| a.positional)
    }
}

/// How often an argument may be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Many {
    /// At most once; twice is a usage error.
    Once,
    /// Once per occurrence, repeatable (`--when a --when b`).
    Repeated,
    /// One or more values after one flag, up to the next flag (`--only a b c`), repeatable.
    Greedy,
}

/// One flag (`--out PATH`, `--force`) or positional argument (`PLAN`).
#[derive(Debug)]
pub struct Arg {
    /// The long name without dashes (`dry-run`), or a positional's display name (`PLAN`).
    pub name: &'static str,
    pub short: Option<char>,
    /// The value's display name (`PATH`); `None` for a switch.
    pub value: Option<&'static str>,
    pub positional: bool,
    pub required: bool,
    pub many: Many,
    /// The values accepted, exactly as typed; empty for any value.
    pub values: &'static [&'static str],
    /// The value taken when the flag is absent.
    pub default: Option<&'static str>,
    /// Flags that cannot be given with this one (long names).
    pub conflicts: &'static [&'static str],
    /// One sentence or two; accepted values and the default are appended by `--help`.
    pub help: &'static str,
}

impl Arg {
    const BASE: Arg = Arg {
        name: "",
        short: None,
        value: None,
        positional: false,
        required: false,
        many: Many::Once,
        values: &[],
        default: None,
        conflicts: &[],
        help: "",
    };

    /// A switch: `--name`, no value.
    pub const fn switch(name: &'static str, help: &'static str) -> Self {
        Arg { name, help, ..Self::BASE }
    }

    /// An option taking one value: `--name VALUE`.
    pub const fn option(name: &'static str, value: &'static str, help: &'static str) -> Self {
        Arg { name, value: Some(value), help, ..Self::BASE }
    }

    /// A positional argument, required unless [`Arg::optional`].
    pub const fn positional(name: &'static str, help: &'static str) -> Self {
        Arg { name, value: Some(name), positional: true, required: true, help, ..Self::BASE }
    }

    pub const fn short(self, c: char) -> Self {
        Arg { short: Some(c), ..self }
    }

    pub const fn required(self) -> Self {
        Arg { required: true, ..self }
    }

    pub const fn optional(self) -> Self {
        Arg { required: false, ..self }
    }

    pub const fn repeated(self) -> Self {
        Arg { many: Many::Repeated, ..self }
    }

    pub const fn greedy(self) -> Self {
        Arg { many: Many::Greedy, ..self }
    }

    pub const fn values(self, values: &'static [&'static str]) -> Self {
        Arg { values, ..self }
    }

    pub const fn default(self, default: &'static str) -> Self {
        Arg { default: Some(default), ..self }
    }

    pub const fn conflicts(self, conflicts: &'static [&'static str]) -> Self {
        Arg { conflicts, ..self }
    }

    /// How the argument reads in usage lines: `--out <PATH>`, `<PLAN>`, `[PROGRESS]`, `<RECORD>...`.
    pub fn usage(&self) -> String {
        let dots = if self.many == Many::Once { "" } else { "..." };
        match (self.positional, self.value) {
            (true, _) if self.required => format!("<{}>{dots}", self.name),
            (true, _) => format!("[{}]{dots}", self.name),
            (false, Some(v)) => format!("--{} <{v}>{dots}", self.name),
            (false, None) => format!("--{}", self.name),
        }
    }
}

/// Flags every command accepts, before or after the command's name.
pub static GLOBAL: &[Arg] = &[
    Arg::option(
        "root",
        "DIR",
        "Folder holding closeout.toml (default: the nearest one at or above the current folder)",
    ),
    Arg::option(
        "color",
        "WHEN",
        "When to use colour: auto (on a terminal, unless NO_COLOR is set), always, never",
    )
    .values(&["auto", "always", "never"])
    .default("auto"),
];

/// The whole grammar: `closeout` and its commands.
pub static ROOT: Command =
    Command::new("closeout", "Make a release's closeout and certification program executable and checkable")
        .subcommands(
            &[
                crate::tasks::init::COMMAND,
                crate::tasks::baseline::COMMAND,
                crate::tasks::docs::VERIFY_DOCS,
                crate::tasks::docs::UPDATE_DOCS,
                crate::tasks::packet::COMMAND,
                crate::tasks::ledger::COMMAND,
                crate::tasks::verdict::COMMAND,
                crate::tasks::evidence::COMMAND,
                crate::tasks::merge::COMMAND,
                crate::tasks::import::COMMAND,
                crate::tasks::status::COMMAND,
                crate::tasks::history::COMMAND,
                crate::tasks::report::COMMAND,
                crate::tasks::schema::COMMAND,
                crate::tasks::generate::COMPLETIONS,
                crate::tasks::generate::MAN,
            ],
            true,
        )
        .after_help(
            "Exit codes: 0 success, 1 a gate or check failed, 2 bad input or usage, 130 interrupted.\n\
     The program is read from closeout.toml, found by walking up from the current folder.",
        );

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(cmd: &'static Command, out: &mut Vec<&'static Command>) {
        out.push(cmd);
        for sub in cmd.subcommands {
            walk(sub, out);
        }
    }

    fn all() -> Vec<&'static Command> {
        let mut out = Vec::new();
        walk(&ROOT, &mut out);
        out
    }

    #[test]
    fn every_command_and_flag_has_help_text() {
        for cmd in all() {
            assert!(!cmd.about.is_empty(), "{} has no about line", cmd.name);
            for arg in cmd.args.iter().chain(GLOBAL) {
                assert!(!arg.help.trim().is_empty(), "{} {} has no help", cmd.name, arg.name);
            }
        }
    }

    #[test]
    fn names_are_unique_and_do_not_shadow_global_or_builtin_flags() {
        for cmd in all() {
            let mut names: Vec<&str> = cmd.args.iter().filter(|a| !a.positional).map(|a| a.name).collect();
            names.extend(GLOBAL.iter().map(|a| a.name));
            names.extend(["help", "version"]);
            let mut sorted = names.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), names.len(), "{}: duplicate flag in {names:?}", cmd.name);
            let shorts: Vec<char> = cmd.args.iter().filter_map(|a| a.short).collect();
            assert!(!shorts.contains(&'h') && !shorts.contains(&'V'), "{}: -h/-V are built in", cmd.name);
            let subs: Vec<&str> = cmd.subcommands.iter().map(|c| c.name).collect();
            assert!(!subs.contains(&"help"), "{}: `help` is built in", cmd.name);
        }
    }

    #[test]
    fn defaults_are_accepted_values_and_conflicts_name_real_flags() {
        for cmd in all() {
            for arg in cmd.args.iter().chain(GLOBAL) {
                if let (Some(d), false) = (arg.default, arg.values.is_empty()) {
                    assert!(arg.values.contains(&d), "{} --{}: default {d} not accepted", cmd.name, arg.name);
                }
                for other in arg.conflicts {
                    assert!(
                        cmd.flag(other).is_some(),
                        "{} --{}: conflicts with unknown --{other}",
                        cmd.name,
                        arg.name
                    );
                }
                assert!(
                    arg.value.is_some() || arg.values.is_empty(),
                    "{}: a switch takes no values",
                    arg.name
                );
            }
            // Only the last positional may take many values, and required ones come first.
            let positionals: Vec<&Arg> = cmd.positionals().collect();
            for (i, p) in positionals.iter().enumerate() {
                assert!(
                    p.many == Many::Once || i + 1 == positionals.len(),
                    "{}: {} is not last",
                    cmd.name,
                    p.name
                );
                if i > 0 {
                    assert!(
                        !p.required || positionals[i - 1].required,
                        "{}: optional before required",
                        cmd.name
                    );
                }
            }
        }
    }

    #[test]
    fn lookups_find_command_flags_globals_and_subcommands() {
        let baseline = ROOT.subcommand("baseline").expect("baseline");
        assert_eq!(baseline.flag("jobs").map(|a| a.short), Some(Some('j')));
        assert_eq!(baseline.short('j').map(|a| a.name), Some("jobs"));
        assert_eq!(baseline.flag("color").map(|a| a.name), Some("color"));
        assert!(baseline.flag("nope").is_none());
        let ledger = ROOT.subcommand("ledger").expect("ledger");
        assert_eq!(ledger.subcommand("add").map(|c| c.name), Some("add"));
        assert_eq!(Arg::positional("PLAN", "x").usage(), "<PLAN>");
        assert_eq!(Arg::positional("RECORD", "x").greedy().usage(), "<RECORD>...");
        assert_eq!(Arg::option("out", "PATH", "x").usage(), "--out <PATH>");
    }
}
