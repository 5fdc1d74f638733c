//! The CI side of a run, shared by `baseline` and `merge`: the `--out` record, `--junit`
//! XML, and GitHub Actions output when `GITHUB_ACTIONS=true`.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::evidence::{self, GateRecord, RunRecord};

/// Whether this runs under GitHub Actions.
pub fn github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// Write `--out` (the full record) and `--junit`; append the job summary under GitHub.
pub fn write_outputs(record: &RunRecord, out: Option<&Path>, junit: Option<&Path>) -> Result<()> {
    check_outputs(out, junit)?;
    if let Some(path) = out {
        evidence::write_atomic(path, record.to_json().as_bytes())?;
    }
    if let Some(path) = junit {
        evidence::write_atomic(path, crate::report::junit::render(record).as_bytes())?;
    }
    if github_actions() {
        if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
            use std::io::Write;
            let path = std::path::PathBuf::from(path);
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|source| Error::Write { path: path.clone(), source })?;
            file.write_all(crate::report::github::summary(record).as_bytes())
                .map_err(|source| Error::Write { path, source })?;
        }
    }
    Ok(())
}

/// Refuse `--out` and `--junit` paths that are not regular files, before any work is done
/// ([`evidence::check_output_path`]).
pub fn check_outputs(out: Option<&Path>, junit: Option<&Path>) -> Result<()> {
    if let Some(path) = out {
        evidence::check_output_path(path, "--out")?;
    }
    if let Some(path) = junit {
        evidence::check_output_path(path, "--junit")?;
    }
    Ok(())
}

/// Annotations and log groups for the GitHub Actions log.
pub fn github_output(record: &RunRecord, root: &Path) -> String {
    let redactor = crate::redact::Redactor::from_env();
    let log_of = |g: &GateRecord| -> Option<String> {
        let path = root.join(g.log.as_ref()?.path.as_ref()?);
        // The log is raw; what closeout repeats of it in CI output is not.
        tail(&path, 64 * 1024).map(|t| redactor.text(&t).into_owned())
    };
    crate::report::github::output(record, &log_of)
}

/// The last `limit` bytes of a file, starting at a line boundary.
fn tail(path: &Path, limit: u64) -> Option<String> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(limit);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some(if start > 0 {
        text.split_once('\n').map_or(text.clone(), |(_, rest)| rest.to_string())
    } else {
        text
    })
}
