//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `closeout` binary under test.
pub fn closeout() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_closeout"));
    cmd.env_remove("NO_COLOR").env_remove("GITHUB_ACTIONS");
    cmd
}

/// The workspace's tests/fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

/// A fresh empty folder outside any repository (so closeout.toml discovery cannot walk up
/// into this one), removed and recreated on each call. They live under
/// `$TMPDIR/closeout-it-<pid>/`; the first call of a test run removes the folders of runs
/// whose process is gone, so at most the last run's scratch stays behind.
pub fn scratch(name: &str) -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_finished_runs);
    let dir = std::env::temp_dir().join(format!("closeout-it-{}", std::process::id())).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Remove `$TMPDIR/closeout-it-<pid>` folders whose test process no longer runs.
fn sweep_finished_runs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) =
            name.to_str().and_then(|n| n.strip_prefix("closeout-it-")).and_then(|p| p.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: kill with signal 0 only asks whether the process exists.
        let gone = pid > 0
            && unsafe { libc::kill(pid, 0) } != 0
            && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
        if gone {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Compare `actual` with the content of `path`; with `UPDATE_EXPECT=1`, rewrite the file
/// instead. Returns a description of the mismatch, if any.
pub fn expect_file(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{}: expected\n{expected}\n--- actual\n{actual}\n(run with UPDATE_EXPECT=1 to accept)",
            path.display()
        )
    })
}

pub fn describe(out: &Output) -> String {
    format!("status {:?}\nstdout:\n{}\nstderr:\n{}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// Run git in `dir` with a fixed identity; panics with git's message on failure.
pub fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

/// Stage everything and commit.
pub fn commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// This workspace's root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap()
}

/// A clone of this repository with the working tree's files (tracked, and new ones not
/// ignored) on top, so tests that
/// run closeout on the repository itself never write into it (its `target/closeout/`,
/// `.closeout/` or docs).
pub fn workspace_copy(name: &str) -> PathBuf {
    let root = workspace();
    let copy = scratch(name);
    let cloned = Command::new("git").args(["clone", "-q"]).arg(&root).arg(&copy).output().unwrap();
    assert!(cloned.status.success(), "{}", text(&cloned.stderr));
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(&root)
        .output()
        .unwrap();
    for file in text(&listed.stdout).split('\0').filter(|f| !f.is_empty()) {
        let from = root.join(file);
        if from.is_file() {
            let to = copy.join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
    copy
}

/// `toml`'s document as JSON, the way taplo hands a TOML document to a JSON Schema
/// validator: tables are objects, arrays arrays, dates their RFC 3339 text. `Err` is the
/// TOML parser's message.
pub fn toml_to_json(toml: &str) -> Result<serde_json::Value, String> {
    use toml::de::{DeTable, DeValue};
    fn value(v: &DeValue) -> serde_json::Value {
        match v {
            DeValue::String(s) => serde_json::Value::from(s.as_ref()),
            DeValue::Integer(i) => {
                serde_json::Value::from(i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).unwrap())
            }
            DeValue::Float(f) => serde_json::Value::from(f.as_str().replace('_', "").parse::<f64>().unwrap()),
            DeValue::Boolean(b) => serde_json::Value::from(*b),
            DeValue::Datetime(d) => serde_json::Value::from(d.to_string()),
            DeValue::Array(a) => a.iter().map(|e| value(e.get_ref())).collect(),
            DeValue::Table(t) => table(t),
        }
    }
    fn table(t: &DeTable) -> serde_json::Value {
        t.iter().map(|(k, v)| (k.get_ref().to_string(), value(v.get_ref()))).collect()
    }
    let doc = DeTable::parse(toml).map_err(|e| e.to_string())?;
    Ok(table(doc.get_ref()))
}

/// Validate `toml` against `schema` with a real JSON Schema validator (boon, draft-07, which
/// also checks the schema against the draft's meta-schema). `Err` is the validator's report.
pub fn schema_verdict(schema: &serde_json::Value, toml: &str) -> Result<(), String> {
    let instance = toml_to_json(toml)?;
    let mut compiler = boon::Compiler::new();
    compiler.set_default_draft(boon::Draft::V7);
    compiler.add_resource("closeout.schema.json", schema.clone()).map_err(|e| format!("{e:#}"))?;
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile("closeout.schema.json", &mut schemas).map_err(|e| format!("{e:#}"))?;
    schemas.validate(&instance, index).map_err(|e| format!("{e}"))
}

/// The closeout.toml in `repo` (as `init` or `import` wrote it) starts with taplo's
/// `#:schema` directive, the schema it names exists relative to it, and that schema —
/// the very file written there — accepts it.
pub fn assert_schema_accepts(repo: &Path) {
    let file = repo.join("closeout.toml");
    let toml = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let first = toml.lines().next().unwrap_or_default();
    let Some(named) = first.strip_prefix("#:schema ") else {
        panic!("{}: the first line is not a `#:schema` directive: {first:?}", file.display())
    };
    let schema_file = repo.join(named.trim());
    let schema = std::fs::read_to_string(&schema_file)
        .unwrap_or_else(|e| panic!("{}: the directive names {}: {e}", file.display(), schema_file.display()));
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    if let Err(report) = schema_verdict(&schema, &toml) {
        panic!(
            "{} is rejected by {}:\n{report}\n--- closeout.toml\n{toml}",
            file.display(),
            schema_file.display()
        );
    }
}
