//! Advisory locks (flock(2)) that serialise closeout's writers in one repository, so that
//! no read-modify-write of closeout.toml, the docs or the evidence is lost to another
//! closeout running at the same time.
//!
//! Two locks, both released when the process ends however it ends:
//! - the **repository lock**, on the folder holding closeout.toml (a folder is never
//!   replaced by a rename, unlike the files it guards). A writer holds it exclusively from
//!   before it reads until after its last rename; a reader (verify-docs, status) holds it
//!   shared, so it never sees closeout.toml from one writer and a doc from before it;
//! - the **run lock**, on `target/closeout/baseline.lock`, held by `baseline` for its whole
//!   run: a second baseline in the same repository refuses at once instead of racing on
//!   `.closeout/latest.json` and the run history.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The run lock's file, relative to the repository root.
pub const RUN_LOCK: &str = "target/closeout/baseline.lock";

/// How long a writer waits for another closeout before giving up (exit 2):
/// `CLOSEOUT_LOCK_TIMEOUT_SECS`, default 120.
fn wait_limit() -> Duration {
    let secs = std::env::var("CLOSEOUT_LOCK_TIMEOUT_SECS").ok().and_then(|s| s.parse::<f64>().ok());
    Duration::from_secs_f64(secs.unwrap_or(120.0).clamp(0.0, 86_400.0))
}

/// A held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Readers: many at once, none while a writer holds it.
    Shared,
    /// Writers: one at a time.
    Exclusive,
}

fn try_flock(file: &File, mode: Mode) -> std::io::Result<bool> {
    let op = match mode {
        Mode::Shared => libc::LOCK_SH,
        Mode::Exclusive => libc::LOCK_EX,
    } | libc::LOCK_NB;
    // SAFETY: flock on a descriptor we own; no memory is passed.
    if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EWOULDBLOCK) => Ok(false),
        // A file system without locks (some network mounts): closeout still works there,
        // unserialised, as it did before locks existed (docs/reliability.md).
        Some(libc::ENOLCK | libc::EOPNOTSUPP | libc::ENOSYS) => Ok(true),
        _ => Err(e),
    }
}

/// Lock the repository at `root` in `mode`, waiting for other closeout processes up to the
/// wait limit. `waiting` is called once if the lock is busy (the task says so on stderr).
pub fn repository(root: &Path, mode: Mode, waiting: &dyn Fn()) -> Result<Lock> {
    let file = File::open(root).map_err(|source| Error::Read { path: root.to_path_buf(), source })?;
    let err = |source| Error::Read { path: root.to_path_buf(), source };
    if try_flock(&file, mode).map_err(err)? {
        return Ok(Lock { _file: file });
    }
    waiting();
    let limit = wait_limit();
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(10));
        if try_flock(&file, mode).map_err(err)? {
            return Ok(Lock { _file: file });
        }
        if start.elapsed() >= limit {
            return Err(Error::Locked {
                what: format!(
                    "another closeout has been writing in {} for more than {} s",
                    root.display(),
                    limit.as_secs()
                ),
                fix: "wait for it to finish and run the command again (CLOSEOUT_LOCK_TIMEOUT_SECS waits longer)"
                    .into(),
            });
        }
    }
}

/// Take the run lock of the repository at `root`, or refuse when another baseline holds it.
pub fn run(root: &Path) -> Result<Lock> {
    let path: PathBuf = root.join(RUN_LOCK);
    let err = |source| Error::Write { path: path.clone(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    let file =
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(err)?;
    if try_flock(&file, Mode::Exclusive).map_err(err)? {
        return Ok(Lock { _file: file });
    }
    Err(Error::Locked {
        what: format!("another `closeout baseline` is running in {} (it holds {RUN_LOCK})", root.display()),
        fix: "wait for it to finish, or stop it, and run baseline again".into(),
    })
}

/// Whether a baseline holds the run lock of the repository at `root` right now.
pub fn run_in_progress(root: &Path) -> bool {
    let Ok(file) = File::open(root.join(RUN_LOCK)) else { return false };
    !try_flock(&file, Mode::Shared).unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("closeout-lock-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn writers_exclude_each_other_and_readers() {
        let d = dir("repo");
        let held = repository(&d, Mode::Exclusive, &|| {}).unwrap();
        // A second open file description conflicts even within one process.
        let file = File::open(&d).unwrap();
        assert!(!try_flock(&file, Mode::Exclusive).unwrap());
        assert!(!try_flock(&file, Mode::Shared).unwrap());
        drop(held);
        assert!(try_flock(&file, Mode::Shared).unwrap());
        let other = File::open(&d).unwrap();
        assert!(try_flock(&other, Mode::Shared).unwrap(), "readers share");
        assert!(!try_flock(&File::open(&d).unwrap(), Mode::Exclusive).unwrap());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_second_baseline_is_refused() {
        let d = dir("run");
        let first = run(&d).unwrap();
        let err = run(&d).unwrap_err().to_string();
        assert!(err.contains("another `closeout baseline` is running"), "{err}");
        drop(first);
        run(&d).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }
}
