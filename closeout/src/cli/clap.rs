//! The grammar in [`super::spec`] as a `clap::Command`, for clap's generators (shell
//! completions, man pages). closeout parses its arguments itself ([`super::parse`]); a test
//! here checks that clap, given the same grammar, accepts and rejects the same command lines.

use clap::builder::{PossibleValuesParser, ValueHint};
use clap::ArgAction;

use super::spec::{Arg, Command, Many, GLOBAL, ROOT};

/// `cmd` and its subcommands as clap sees them; the top level gets the global flags and
/// `--version`.
pub fn command(cmd: &'static Command) -> clap::Command {
    let mut c = clap::Command::new(cmd.name).about(cmd.about).subcommand_required(cmd.subcommand_required);
    if !cmd.after_help.is_empty() {
        c = c.after_help(cmd.after_help);
    }
    if std::ptr::eq(cmd, &ROOT) {
        c = c.version(env!("CARGO_PKG_VERSION"));
        for a in GLOBAL {
            c = c.arg(arg(a).global(true));
        }
    }
    let mut index = 1;
    for a in cmd.args {
        let mut x = arg(a);
        if a.positional {
            x = x.index(index);
            index += 1;
        }
        c = c.arg(x);
    }
    for sub in cmd.subcommands {
        c = c.subcommand(command(sub));
    }
    c
}

fn arg(a: &'static Arg) -> clap::Arg {
    let mut x = clap::Arg::new(a.name).help(a.help).required(a.required);
    if !a.positional {
        x = x.long(a.name);
    }
    if let Some(c) = a.short {
        x = x.short(c);
    }
    x = match (a.value, a.many) {
        (None, _) => x.action(ArgAction::SetTrue),
        (Some(v), Many::Once) => x.value_name(v).action(ArgAction::Set),
        (Some(v), Many::Repeated) => x.value_name(v).action(ArgAction::Append),
        (Some(v), Many::Greedy) => x.value_name(v).action(ArgAction::Append).num_args(1..),
    };
    if let Some(v) = a.value {
        x = x.value_hint(hint(v));
    }
    if !a.values.is_empty() {
        x = x.value_parser(PossibleValuesParser::new(a.values.iter().copied()));
    }
    if let Some(d) = a.default {
        x = x.default_value(d);
    }
    for other in a.conflicts {
        x = x.conflicts_with(*other);
    }
    x
}

/// What a shell should offer for a value, from its display name.
fn hint(value: &str) -> ValueHint {
    match value {
        "PATH" | "RECORD" | "PLAN" | "PROGRESS" => ValueHint::FilePath,
        "DIR" => ValueHint::DirPath,
        _ => ValueHint::Other,
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::super::parse::{parse, Parsed};
    use super::*;

    #[test]
    fn clap_finds_the_grammar_consistent() {
        command(&ROOT).debug_assert();
    }

    /// (argument name, values) per level, as clap matched them.
    fn clap_values(m: &clap::ArgMatches, cmd: &'static Command, out: &mut Vec<String>) {
        let globals = if std::ptr::eq(cmd, &ROOT) { GLOBAL } else { &[] };
        for a in cmd.args.iter().chain(globals) {
            if m.value_source(a.name) != Some(clap::parser::ValueSource::CommandLine) {
                continue;
            }
            if a.value.is_none() {
                out.push(a.name.to_string());
            } else {
                let values: Vec<String> =
                    m.get_many::<String>(a.name).into_iter().flatten().cloned().collect();
                out.push(format!("{}={}", a.name, values.join(",")));
            }
        }
        if let Some((name, sub)) = m.subcommand() {
            out.push(format!("[{name}]"));
            clap_values(sub, cmd.subcommand(name).expect("known"), out);
        }
    }

    /// The same, as closeout's parser matched them.
    fn own_values(m: &super::super::parse::Matches, out: &mut Vec<String>) {
        let cmd = m.command();
        for a in cmd.args.iter().chain(if m.path.len() == 1 { GLOBAL } else { &[] }) {
            let given = if a.positional || a.value.is_some() { m.strings(a.name).unwrap() } else { vec![] };
            if a.value.is_none() && m.flag(a.name) {
                out.push(a.name.to_string());
            } else if !given.is_empty() {
                out.push(format!("{}={}", a.name, given.join(",")));
            }
        }
        if let Some(sub) = m.sub.as_deref() {
            out.push(format!("[{}]", sub.command().name));
            own_values(sub, out);
        }
    }

    #[test]
    fn clap_and_closeout_read_the_same_command_lines_the_same_way() {
        let lines: &[&str] = &[
            "status",
            "status --json",
            "history --json",
            "report --out r.html",
            "schema --out s.json",
            "baseline -j 3 --only a b --skip c --when ui --when db --all --shard 1/2 --shard-by hash --retries 2",
            "baseline --junit out.xml --out run.json --dry-run --json",
            "verify-docs --format github --strict",
            "verify-docs --json",
            "verify-docs --json --format json",
            "update-docs --force",
            "packet P1 --base HEAD~1 --record -j2",
            "ledger",
            "ledger --json",
            "ledger add --id D1 --description x --severity LOW --owner me --milestone v1 --covers track:a --covers packet:b --blocks-release",
            "ledger resolve D1 --resolution fixed",
            "ledger reopen D1",
            "verdict --strict --json",
            "verify-evidence",
            "verify-evidence --json --require-full-record",
            "import plan.md --json",
            "merge a.json b.json --out m.json --junit m.xml",
            "import plan.md progress.md --dry-run --force --no-waivers",
            "init --name x --force",
            "completions bash",
            "man baseline",
            "--color never status",
            "status --root sub --color always",
            // Usage errors, for both.
            "",
            "nope",
            "status --nope",
            "status --json --json",
            "baseline --shard-by size",
            "ledger resolve D1",
            "ledger --check --json",
            "merge",
            "import",
            "import a b c",
            "completions tcsh",
            "baseline --out",
        ];
        for line in lines {
            let argv: Vec<OsString> =
                std::iter::once("closeout").chain(line.split_whitespace()).map(OsString::from).collect();
            let theirs = command(&ROOT).try_get_matches_from(argv.clone());
            let ours = parse(&ROOT, argv);
            match (theirs, ours) {
                (Ok(theirs), Ok(Parsed::Run(ours))) => {
                    let (mut a, mut b) = (Vec::new(), Vec::new());
                    clap_values(&theirs, &ROOT, &mut a);
                    own_values(&ours, &mut b);
                    assert_eq!(a, b, "`{line}`");
                }
                (Err(_), Err(_)) => {}
                (theirs, ours) => {
                    panic!("`{line}`: clap {:?}, closeout {:?}", theirs.map(|_| "ok"), ours.map(|_| "ok"))
                }
            }
        }
    }
}
