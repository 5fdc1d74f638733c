//! Explicit exit codes as trackers record them: "`go build ./...` -> exit 0", "`x` → exit
//! 1 (FAIL)", "`x` (exit 0)", "`x`: exit code 0". A recorded command stands for a required
//! test when it is the same command as run from elsewhere: wrappers (`cd dir &&`, `npx`,
//! `npm --prefix dir exec --`) and the tool's folder do not matter, and a reviewer who reran
//! part of the test's files ran that test. "passed", "ok" or a duration are not exit codes.
//! Pure.

/// The commands of `text` that have an explicit exit code recorded after them.
pub fn recorded(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line;
        while let Some(open) = rest.find('`') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('`') else { break };
            let code = &after[..close];
            // The words after the span, up to the next span: "-> exit 0", "passed. (exit 0)".
            let tail = &after[close + 1..];
            let tail = &tail[..tail.find('`').unwrap_or(tail.len())];
            let tail = tail
                .find("exit")
                .map(|at| {
                    let t = &tail[at + 4..];
                    let t = t.trim_start().strip_prefix("code").unwrap_or(t);
                    t.trim_start().trim_start_matches([':', '=']).trim_start()
                })
                .unwrap_or("");
            if tail.starts_with(|c: char| c.is_ascii_digit()) && !code.trim().is_empty() {
                out.push(code.trim().to_string());
            }
            rest = &after[close + 1..];
        }
    }
    out
}

/// The tool and its arguments, without wrappers and the tool's folder.
fn core(command: &str) -> Vec<String> {
    let command = command.rsplit("&&").next().unwrap_or(command);
    let mut words: Vec<&str> = command.split_whitespace().collect();
    loop {
        match words.as_slice() {
            ["npx" | "pnpx" | "bunx", ..] => {
                words.remove(0);
            }
            ["npm" | "pnpm" | "yarn", ..] => {
                // `npm --prefix dir exec --`, `pnpm exec`, `yarn`.
                let cut =
                    words.iter().position(|w| *w == "--").or_else(|| words.iter().position(|w| *w == "exec"));
                match cut {
                    Some(i) => {
                        words.drain(..=i);
                    }
                    None => break,
                }
            }
            _ => break,
        }
    }
    let mut out: Vec<String> = words.iter().map(|w| w.trim_matches(['"', '\'']).to_string()).collect();
    if let Some(tool) = out.first_mut() {
        *tool = tool.rsplit('/').next().unwrap_or(tool).to_string();
    }
    out
}

/// Test-name filters (`-run`, `-t`, `-k`, `--testNamePattern`, `--filter`) choose tests
/// inside the same suite: a rerun with another filter ran the same command on that suite.
/// Output flags (`-v`, `--verbose`) change what is printed, not what runs.
fn without_filters(words: Vec<String>) -> Vec<String> {
    const FILTERS: &[&str] = &["-run", "-t", "-k", "--testNamePattern", "--filter", "-testNamePattern"];
    // How much the runner prints does not change what it runs.
    const OUTPUT: &[&str] = &["-v", "--verbose", "-benchmem", "--color", "--no-color"];
    let mut out = Vec::new();
    let mut skip = false;
    for w in words {
        if skip {
            skip = false;
            continue;
        }
        if FILTERS.contains(&w.as_str()) {
            skip = true;
            continue;
        }
        if OUTPUT.contains(&w.as_str()) || FILTERS.iter().any(|f| w.starts_with(&format!("{f}="))) {
            continue;
        }
        out.push(w);
    }
    out
}

/// Whether a recorded command ran the required test `required`.
pub fn same_command(recorded: &str, required: &str) -> bool {
    if recorded.trim() == required.trim() {
        return true;
    }
    let (r, q) = (without_filters(core(recorded)), without_filters(core(required)));
    if r.is_empty() || q.is_empty() || r[0] != q[0] {
        return false;
    }
    if r == q {
        return true;
    }
    // The same flags, and the reviewer's files among the test's (or the other way round).
    let flags = |c: &[String]| -> Vec<String> { c.iter().filter(|w| w.starts_with('-')).cloned().collect() };
    // A `-run "A|B|C"` pattern is a set of names: a rerun of `A|C` ran part of it.
    let args = |c: &[String]| -> Vec<String> {
        c[1..].iter().filter(|w| !w.starts_with('-')).flat_map(|w| w.split('|').map(String::from)).collect()
    };
    let (ra, qa) = (args(&r), args(&q));
    let subset = |a: &[String], b: &[String]| !a.is_empty() && a.iter().all(|x| b.contains(x));
    flags(&r) == flags(&q) && (subset(&ra, &qa) || subset(&qa, &ra))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_in_the_ways_trackers_write_them() {
        let text = "1. `go build ./...` -> exit 0\n- [x] `x` → exit 1 (FAIL)\n- `y` (exit 0)\n- `z` passed\n- `w` -> ok (64.3s)\n- `v`: exit code 2\n- [x] `u` passed. (exit 0)\n- `t` passed; `s` exit 0\n";
        assert_eq!(recorded(text), ["go build ./...", "x", "y", "v", "u", "s"]);
    }

    #[test]
    fn the_same_command_from_elsewhere() {
        assert!(same_command(
            "tsc --noEmit -p frontend-modern/tsconfig.json",
            "frontend-modern/node_modules/.bin/tsc --noEmit -p frontend-modern/tsconfig.json"
        ));
        assert!(same_command(
            "vitest run src/a.test.ts",
            "npm --prefix frontend-modern exec -- vitest run src/a.test.ts"
        ));
        assert!(same_command(
            "cd frontend-modern && npx vitest run src/a.test.ts",
            "cd frontend-modern && npx vitest run src/a.test.ts src/b.test.ts"
        ));
        assert!(same_command(
            "go test ./internal/api/... -run \"AlertsEndpoints|Incident\" -v",
            "go test ./internal/api/... -run \"AlertsEndpoints|Contract|Incident\" -v"
        ));
        assert!(same_command(
            "go test ./internal/ai/unified/... -run \"DetermineResourceType\" -v",
            "go test ./internal/ai/unified/... -run \"Alert|Adapter\" -v"
        ));
        assert!(!same_command("go test ./a/...", "go test ./b/..."));
        assert!(same_command("go test ./a/... -v", "go test ./a/..."));
        assert!(!same_command("go test ./a/... -race", "go test ./a/..."));
        assert!(!same_command("go build ./...", "go test ./..."));
    }
}
