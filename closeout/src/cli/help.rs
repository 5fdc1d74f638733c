//! `--help`, usage lines and usage errors, rendered from the grammar in [`super::spec`].
//! Pure: returns text; the front end prints it.

use super::parse::UsageError;
use super::spec::{Arg, Command, Many, GLOBAL, ROOT};

/// Help lines wrap here (columns).
const WIDTH: usize = 100;

/// `Usage: BIN [SUB]... [OPTIONS] <ARGS>... [COMMAND]` for the command at the end of `path`.
pub fn usage(bin: &str, path: &[&'static Command]) -> String {
    let mut words = vec![bin.to_string()];
    words.extend(path.iter().skip(1).map(|c| c.name.to_string()));
    let cmd = path[path.len() - 1];
    words.push("[OPTIONS]".into());
    words.extend(cmd.args.iter().filter(|a| !a.positional && a.required).map(Arg::usage));
    words.extend(cmd.positionals().map(Arg::usage));
    if !cmd.subcommands.is_empty() {
        words.push(if cmd.subcommand_required { "<COMMAND>" } else { "[COMMAND]" }.into());
    }
    format!("Usage: {}", words.join(" "))
}

/// The whole `--help` text of the command at the end of `path`.
pub fn help(bin: &str, path: &[&'static Command]) -> String {
    let cmd = path[path.len() - 1];
    let mut out = format!("{}\n\n{}\n", wrap(cmd.about, WIDTH).join("\n"), usage(bin, path));
    if !cmd.subcommands.is_empty() {
        let mut rows: Vec<(String, String)> =
            cmd.subcommands.iter().map(|c| (c.name.to_string(), c.about.to_string())).collect();
        rows.push(("help".into(), "Print this message or the help of the given command(s)".into()));
        out.push_str(&section("Commands", &rows));
    }
    let positionals: Vec<(String, String)> = cmd.positionals().map(|a| (a.usage(), describe(a))).collect();
    if !positionals.is_empty() {
        out.push_str(&section("Arguments", &positionals));
    }
    let mut options: Vec<(String, String)> = cmd
        .args
        .iter()
        .chain(GLOBAL)
        .filter(|a| !a.positional)
        .map(|a| (flag_column(a), describe(a)))
        .collect();
    options.push(("-h, --help".into(), "Print help".into()));
    if path.len() == 1 {
        options.push(("-V, --version".into(), "Print version".into()));
    }
    out.push_str(&section("Options", &options));
    if !cmd.after_help.is_empty() {
        out.push('\n');
        out.push_str(cmd.after_help);
        out.push('\n');
    }
    out
}

/// The text a usage error prints on stderr.
pub fn error(bin: &str, e: &UsageError) -> String {
    let mut out = format!("error: {}\n", e.message);
    if let Some(tip) = &e.tip {
        out.push_str(&format!("\n  tip: {tip}\n"));
    }
    let path = resolve(&e.path);
    out.push_str(&format!("\n{}\n\nFor more information, try '--help'.\n", usage(bin, &path)));
    out
}

/// `closeout VERSION`.
pub fn version() -> String {
    format!("{} {}\n", ROOT.name, env!("CARGO_PKG_VERSION"))
}

/// The commands named by `names` (from the top); stops at the first unknown name.
fn resolve(names: &[&str]) -> Vec<&'static Command> {
    let mut path: Vec<&'static Command> = vec![&ROOT];
    for name in names.iter().skip(1) {
        match path[path.len() - 1].subcommand(name) {
            Some(sub) => path.push(sub),
            None => break,
        }
    }
    path
}

/// `-j, --jobs <JOBS>` or `    --out <PATH>`.
fn flag_column(a: &Arg) -> String {
    let short = a.short.map_or("    ".to_string(), |c| format!("-{c}, "));
    let dots = if a.many == Many::Once { "" } else { "..." };
    match a.value {
        Some(v) => format!("{short}--{} <{v}>{dots}", a.name),
        None => format!("{short}--{}", a.name),
    }
}

/// The help text with its accepted values and default.
fn describe(a: &Arg) -> String {
    let mut text = a.help.to_string();
    if let Some(d) = a.default {
        text.push_str(&format!(" [default: {d}]"));
    }
    if !a.values.is_empty() {
        text.push_str(&format!(" [possible values: {}]", a.values.join(", ")));
    }
    text
}

/// A titled two-column section; the second column wraps at [`WIDTH`].
fn section(title: &str, rows: &[(String, String)]) -> String {
    let left = rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0).min(32);
    let mut out = format!("\n{title}:\n");
    for (l, r) in rows {
        let pad = left.saturating_sub(l.chars().count());
        let indent = 2 + left + 2;
        let mut lines = wrap(r, WIDTH.saturating_sub(indent).max(30)).into_iter();
        if l.chars().count() > left {
            out.push_str(&format!("  {l}\n"));
        } else {
            out.push_str(&format!("  {l}{}  {}\n", " ".repeat(pad), lines.next().unwrap_or_default()));
        }
        for line in lines {
            out.push_str(&format!("{}{line}\n", " ".repeat(indent)));
        }
    }
    out
}

/// Greedy word wrap at `width` columns.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(names: &[&str]) -> Vec<&'static Command> {
        let mut names = names.to_vec();
        names.insert(0, "closeout");
        resolve(&names)
    }

    #[test]
    fn top_level_help_lists_every_command_the_globals_and_the_exit_codes() {
        let text = help("closeout", &path(&[]));
        assert!(text.starts_with(&wrap(ROOT.about, WIDTH).join("\n")));
        assert!(text.contains("Usage: closeout [OPTIONS] <COMMAND>"), "{text}");
        for cmd in ROOT.subcommands {
            assert!(text.contains(&format!("\n  {}", cmd.name)), "{} missing:\n{text}", cmd.name);
        }
        assert!(text.contains("--color <WHEN>") && text.contains("[possible values: auto, always, never]"));
        assert!(text.contains("-V, --version") && text.contains("Exit codes: 0 success"));
    }

    #[test]
    fn command_help_shows_usage_values_and_defaults() {
        let text = help("cargo xtask closeout", &path(&["baseline"]));
        assert!(text.contains("Usage: cargo xtask closeout baseline [OPTIONS]\n"), "{text}");
        assert!(text.contains("-j, --jobs <JOBS>"), "{text}");
        assert!(text.contains("--only <ID>..."), "{text}");
        assert!(text.contains("[default: duration] [possible values: duration, hash]"), "{text}");
        assert!(!text.contains("--version"), "only the top level has --version");
        let text = help("closeout", &path(&["ledger", "add"]));
        assert!(
            text.contains("Usage: closeout ledger add [OPTIONS] --id <ID> --description <TEXT>"),
            "{text}"
        );
        assert!(text.contains("HIGH, MEDIUM or LOW (any case)"), "{text}");
        let text = help("closeout", &path(&["merge"]));
        assert!(
            text.contains("Usage: closeout merge [OPTIONS] <RECORD>...") && text.contains("Arguments:"),
            "{text}"
        );
    }

    #[test]
    fn help_lines_wrap_under_the_width() {
        for cmd in ROOT.subcommands {
            for line in help("closeout", &path(&[cmd.name])).lines().filter(|l| !l.starts_with("Usage:")) {
                assert!(line.chars().count() <= WIDTH, "{}: {line}", cmd.name);
            }
        }
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
    }

    #[test]
    fn errors_show_the_tip_and_the_usage_of_the_command_they_are_about() {
        let e = UsageError {
            message: "unexpected argument '--dry-rn' found".into(),
            tip: Some("a similar argument exists: '--dry-run'".into()),
            path: vec!["closeout", "baseline"],
        };
        assert_eq!(
            error("closeout", &e),
            "error: unexpected argument '--dry-rn' found\n\n  tip: a similar argument exists: '--dry-run'\n\n\
             Usage: closeout baseline [OPTIONS]\n\nFor more information, try '--help'.\n"
        );
        assert!(version().starts_with("closeout 0."));
    }
}
