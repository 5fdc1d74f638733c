//! What the shell itself says when a gate's command is not installed: `sh: 1: pytest: not
//! found` (dash), `bash: line 1: pytest: command not found` / `bash: pytest: command not
//! found` (bash), `zsh: command not found: pytest`, and the same from a script an npm
//! script runs. Read from every gate's output, whatever its parser.

use super::{Parsed, RunnerParser};

/// The command a shell's "not found" line names, if `line` is one.
pub fn missing_command(line: &str) -> Option<&str> {
    let line = line.trim();
    if let Some(name) = line.strip_prefix("zsh: command not found: ") {
        return Some(name.trim()).filter(|n| !n.is_empty());
    }
    let rest = line.strip_suffix(": command not found").or_else(|| line.strip_suffix(": not found"))?;
    // `sh: 1: pytest`, `bash: line 1: pytest`, `bash: pytest`, `./run.sh: 3: pytest`.
    let (shell, name) = rest.rsplit_once(": ")?;
    let shell_word = shell.split(':').next().unwrap_or(shell);
    let shell_name = shell_word.rsplit('/').next().unwrap_or(shell_word);
    let by_shell = ["sh", "bash", "dash", "ash", "ksh"].contains(&shell_name) || shell_name.ends_with(".sh");
    (by_shell && !name.is_empty() && !name.contains(' ')).then_some(name)
}

/// Wraps a runner's parser and notes the first command the shell could not find.
pub struct Shell {
    pub inner: Box<dyn RunnerParser>,
    pub missing: Option<String>,
}

impl RunnerParser for Shell {
    fn line(&mut self, line: &str) {
        if self.missing.is_none() {
            self.missing = missing_command(line).map(str::to_string);
        }
        self.inner.line(line);
    }

    fn finish(&self) -> Parsed {
        Parsed { missing_command: self.missing.clone(), ..self.inner.finish() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_shells_wording() {
        for (line, name) in [
            ("sh: 1: pytest: not found", Some("pytest")),
            ("bash: line 1: pytest: command not found", Some("pytest")),
            ("bash: pytest: command not found", Some("pytest")),
            ("/bin/sh: 1: mocha: not found", Some("mocha")),
            ("zsh: command not found: pytest", Some("pytest")),
            ("./scripts/check.sh: 3: tox: not found", Some("tox")),
            ("error: file not found", None),
            ("Error: module foo: not found", None),
            ("test_lookup: key: not found", None),
        ] {
            assert_eq!(missing_command(line), name, "{line}");
        }
    }
}
