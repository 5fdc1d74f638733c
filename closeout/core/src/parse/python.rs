//! What CPython itself says when `python -m X` names a module the interpreter cannot
//! find. `runpy._run_module_as_main` exits 1 with `"%s: %s" % (sys.executable, exc)`,
//! where `exc` is `_get_module_details`'s `"No module named %s" % mod_name`, or, for a
//! dotted name whose package is missing, `"Error while finding module specification for
//! {!r} ({}: {})"` around the `ModuleNotFoundError` (`No module named 'pkg'`). Read from
//! the output of every gate whose command runs a module that way.

use super::{MissingModule, Parsed, RunnerParser};

/// The interpreter words that run a module with `-m`: `python`, `python3`, `python3.12`,
/// `pythonw` and the Windows launcher `py`, bare or as a path.
fn is_interpreter(word: &str) -> bool {
    let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
    let name = name.strip_suffix(".exe").unwrap_or(name);
    name == "py"
        || name.strip_prefix("python").is_some_and(|rest| {
            rest.is_empty() || rest == "w" || rest.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
}

/// The invocation and the module of the first `python -m X` in `command`: for
/// `cd app && python3 -u -m pytest -q`, `("python3 -u -m pytest", "pytest")`. Interpreter
/// options before `-m` are skipped (`-W`/`-X` with their value); a script or `-c` ends
/// the search for that interpreter.
pub fn module_run(command: &str) -> Option<(String, String)> {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.iter().enumerate().filter(|(_, w)| is_interpreter(w)).find_map(|(at, _)| {
        let mut i = at + 1;
        while let Some(word) = words.get(i) {
            let module = match *word {
                "-m" => words.get(i + 1).copied(),
                w if w.starts_with("-m") => Some(&w[2..]),
                "-W" | "-X" => {
                    i += 2;
                    continue;
                }
                w if w.starts_with('-') && w != "-c" && w != "-" => {
                    i += 1;
                    continue;
                }
                _ => return None,
            };
            let module = module?.trim_matches(['"', '\'']);
            let end = if *word == "-m" { i + 2 } else { i + 1 };
            return (!module.is_empty()).then(|| (words[at..end].join(" "), module.to_string()));
        }
        None
    })
}

/// The interpreter path and missing module, if `line` is CPython's report that `module`
/// (the gate's `-m` module) cannot be found: `/usr/bin/python3: No module named pytest`,
/// or `…: Error while finding module specification for 'a.b' (ModuleNotFoundError: No
/// module named 'a')`, which names `a`.
pub fn missing_module<'a>(line: &'a str, module: &str) -> Option<(&'a str, &'a str)> {
    let line = line.trim_end();
    if let Some(executable) = line.strip_suffix(&format!(": No module named {module}")) {
        let name = &line[line.len() - module.len()..];
        return (!executable.is_empty()).then_some((executable, name));
    }
    let spec = format!(": Error while finding module specification for '{module}' (ModuleNotFoundError: ");
    let at = line.find(&spec)?;
    let rest = line[at + spec.len()..].strip_prefix("No module named '")?.strip_suffix("')")?;
    let package_of_module = module == rest || module.starts_with(&format!("{rest}."));
    (at > 0 && package_of_module).then_some((&line[..at], rest))
}

/// Wraps a runner's parser and notes the first line saying the gate's `-m` module is missing.
pub struct Module {
    pub inner: Box<dyn RunnerParser>,
    /// The gate's `python -m X` invocation and its module.
    pub run: (String, String),
    pub missing: Option<MissingModule>,
}

impl RunnerParser for Module {
    fn line(&mut self, line: &str) {
        if self.missing.is_none() {
            self.missing = missing_module(line, &self.run.1).map(|(interpreter, module)| MissingModule {
                invocation: self.run.0.clone(),
                interpreter: interpreter.to_string(),
                module: module.to_string(),
            });
        }
        self.inner.line(line);
    }

    fn finish(&self) -> Parsed {
        Parsed { missing_module: self.missing.clone(), ..self.inner.finish() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_module_a_command_runs() {
        for (command, expected) in [
            ("python3 -m pytest -q", Some(("python3 -m pytest", "pytest"))),
            ("python -m pytest", Some(("python -m pytest", "pytest"))),
            ("py -m pytest tests/", Some(("py -m pytest", "pytest"))),
            (
                "cd app && .venv/bin/python3.12 -u -W error -m mypy src",
                Some((".venv/bin/python3.12 -u -W error -m mypy", "mypy")),
            ),
            ("python3 -mpytest", Some(("python3 -mpytest", "pytest"))),
            ("python3 -m unittest discover", Some(("python3 -m unittest", "unittest"))),
            ("python3 scripts/check.py -m x", None),
            ("python3 -c 'import x' -m y", None),
            ("pytest -m slow", None),
            ("pyright -m x", None),
            ("python3 -m", None),
        ] {
            let got = module_run(command);
            assert_eq!(got.as_ref().map(|(i, m)| (i.as_str(), m.as_str())), expected, "{command}");
        }
    }

    #[test]
    fn reads_cpythons_wording_for_the_gates_module_only() {
        for (line, module, expected) in [
            ("/usr/bin/python3: No module named pytest", "pytest", Some(("/usr/bin/python3", "pytest"))),
            (
                "/root/.pyenv/versions/3.11.7/bin/python3: Error while finding module specification for 'nosuch.sub' (ModuleNotFoundError: No module named 'nosuch')",
                "nosuch.sub",
                Some(("/root/.pyenv/versions/3.11.7/bin/python3", "nosuch")),
            ),
            ("/usr/bin/python3: No module named pytest", "mypy", None),
            ("ModuleNotFoundError: No module named 'pytest'", "pytest", None),
            ("No module named pytest", "pytest", None),
            ("E   ModuleNotFoundError: No module named 'requests'", "pytest", None),
        ] {
            assert_eq!(missing_module(line, module), expected, "{line}");
        }
    }
}
