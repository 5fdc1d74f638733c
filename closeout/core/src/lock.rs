//! Advisory locks (flock(2)) that serialise closeout's writers in one repository, so that
//! no read-modify-write of closeout.toml, the docs or the evidence is lost to another
//! closeout running at the same time.
//!
//! Two locks, both released when the process ends however it ends:
//! - the **repository lock**, on the folder holding closeout.toml (a folder is never
//!   replaced by a rename, unlike the files it guards). A writer holds it exclusively from
//!   before it reads until after its last rename; a reader (verify-docs, status) holds it
//!   shared, so it never sees closeout.toml from one writer and a doc from before it;
//! - the **run lock**, held by `baseline` for its whole run: a second baseline in the same
//!   repository refuses at once instead of racing on `.closeout/latest.json` and the run
//!   history. It lives in the git folder ([`run_lock_path`]), else in the user's lock
//!   folder ([`user_lock_dir`]), out of reach of a gate that cleans the work tree; it is a regular file
//!   opened without following symlinks or blocking, and the locked file is checked to be
//!   the one at the path (same device and inode) before the lock counts.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long a writer waits for another closeout before giving up (exit 2):
/// `CLOSEOUT_LOCK_TIMEOUT_SECS`, default 120.
fn wait_limit() -> Result<Duration> {
    match std::env::var("CLOSEOUT_LOCK_TIMEOUT_SECS") {
        Err(std::env::VarError::NotPresent) => Ok(Duration::from_secs(120)),
        Ok(text) => parse_wait_limit(&text),
        Err(std::env::VarError::NotUnicode(_)) => parse_wait_limit("(not UTF-8)"),
    }
}

/// `CLOSEOUT_LOCK_TIMEOUT_SECS`: seconds, 0 to 86400, fractions allowed.
fn parse_wait_limit(text: &str) -> Result<Duration> {
    match text.trim().parse::<f64>() {
        Ok(secs) if (0.0..=86_400.0).contains(&secs) => Ok(Duration::from_secs_f64(secs)),
        _ => Err(Error::Usage(format!(
            "CLOSEOUT_LOCK_TIMEOUT_SECS is `{}`, not a number of seconds from 0 to 86400; set it like CLOSEOUT_LOCK_TIMEOUT_SECS=300 or unset it (120 s)",
            crate::redact::escape_controls(text)
        ))),
    }
}

/// A held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct Lock {
    file: File,
    /// A run lock's file, removed on release while it is still the locked file (a
    /// process that opened it meanwhile finds it unlinked and locks a new one, see [`run`]).
    remove: Option<PathBuf>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(path) = &self.remove {
            if still_at(&self.file, path) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
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
    let limit = wait_limit()?;
    let file = File::open(root).map_err(|source| Error::Read { path: root.to_path_buf(), source })?;
    let err = |source| Error::Read { path: root.to_path_buf(), source };
    if try_flock(&file, mode).map_err(err)? {
        return Ok(Lock { file, remove: None });
    }
    waiting();
    let stop = StopSignals::install();
    let start = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(10));
        if try_flock(&file, mode).map_err(err)? {
            return Ok(Lock { file, remove: None });
        }
        if stop.raised() {
            return Err(Error::Interrupted(format!(
                "while waiting for another closeout writing in {}",
                root.display()
            )));
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

/// The signals that stop a run (SIGINT, SIGTERM, SIGHUP, SIGQUIT) turned into a flag while
/// a writer waits for the lock, so it ends with exit 130 like a run, not killed by the
/// signal (143, 129). The default dispositions come back when it is dropped.
struct StopSignals {
    raised: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    fn install() -> StopSignals {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
        let raised = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let ids = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]
            .into_iter()
            .filter_map(|sig| signal_hook::flag::register(sig, raised.clone()).ok())
            .collect();
        StopSignals { raised, ids }
    }

    fn raised(&self) -> bool {
        self.raised.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Where the run lock of the repository at `root` lives, out of reach of a gate that
/// cleans the work tree (`rm -rf target`, `cargo clean`, `git clean -xfd`) under a running
/// baseline: in its git folder when it has one (`.git/closeout-baseline-KEY.lock`), else
/// in the user's lock folder ([`user_lock_dir`]) as `baseline-KEY.lock`. KEY is the first
/// 16 hex digits of the sha256 of the program folder's canonical path, so two programs in
/// one repository do not exclude each other.
///
/// Errors: outside git, a lock folder that is not the user's own private folder
/// ([`user_lock_dir`]).
pub fn run_lock_path(root: &Path) -> Result<PathBuf> {
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let key = crate::sha256::hex(&crate::sha256::Sha256::digest(canonical.as_os_str().as_encoded_bytes()));
    if let Some(git_dir) = git_dir(root) {
        return Ok(git_dir.join(format!("closeout-baseline-{}.lock", &key[..16])));
    }
    Ok(user_lock_dir()?.join(format!("baseline-{}.lock", &key[..16])))
}

/// The folder for run locks of programs outside git: `$XDG_RUNTIME_DIR/closeout` when
/// `XDG_RUNTIME_DIR` is set, else `closeout-UID` in the temp folder (`$TMPDIR`, `/tmp`).
/// Created with mode 0700; it must be a folder (not a symlink) owned by this user and
/// writable by nobody else, or another user could delete or swap the lock (exit 2).
pub fn user_lock_dir() -> Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| Path::new(d).is_absolute()) {
        Some(runtime) => Path::new(&runtime).join("closeout"),
        None => std::env::temp_dir().join(format!("closeout-{uid}")),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(source) => return Err(Error::Write { path: dir, source }),
    }
    let meta = std::fs::symlink_metadata(&dir).map_err(|source| Error::Read { path: dir.clone(), source })?;
    if !is_private(&meta, uid) {
        return Err(Error::Usage(format!(
            "{} is not a private folder of this user (a folder owned by uid {uid}, writable by no one else); closeout keeps the run locks of programs outside git there: remove it, or set XDG_RUNTIME_DIR to a folder of your own",
            dir.display()
        )));
    }
    Ok(dir)
}

/// The git folder of the repository holding `root`: the first `.git` up from it, a folder,
/// or a file saying `gitdir: PATH` (a worktree, a submodule).
fn git_dir(root: &Path) -> Option<PathBuf> {
    for dir in root.ancestors() {
        let dot_git = dir.join(".git");
        let Ok(meta) = std::fs::metadata(&dot_git) else { continue };
        if meta.is_dir() {
            return Some(dot_git);
        }
        if meta.is_file() {
            let text = std::fs::read_to_string(&dot_git).ok()?;
            let target = text.strip_prefix("gitdir:")?.trim();
            let path = dir.join(target);
            return path.is_dir().then_some(path);
        }
        return None;
    }
    None
}

/// Whether `meta` (not followed through a symlink) is a folder owned by `uid` that no
/// one else may write.
fn is_private(meta: &std::fs::Metadata, uid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.is_dir() && meta.uid() == uid && meta.mode() & 0o022 == 0
}

/// Open (creating it) the lock file at `path`: only a regular file, never through a
/// symlink, never blocking (a FIFO put there would block `open` forever).
fn open_lock_file(path: &Path) -> Result<File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let not_a_file = |kind: &str| {
        Error::Usage(format!(
        "{} is {kind}, not a regular file; closeout keeps its run lock there: remove it and run baseline again",
        path.display()
    ))
    };
    let kind = |t: std::fs::FileType| {
        if t.is_fifo() {
            "a FIFO"
        } else if t.is_symlink() {
            "a symlink"
        } else if t.is_dir() {
            "a folder"
        } else if t.is_socket() {
            "a socket"
        } else {
            "a device"
        }
    };
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.is_file() {
            return Err(not_a_file(kind(meta.file_type())));
        }
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
        .map_err(|source| match source.raw_os_error() {
            Some(libc::ELOOP) => not_a_file("a symlink"),
            Some(libc::ENXIO) => not_a_file("a FIFO"),
            _ => Error::Write { path: path.to_path_buf(), source },
        })?;
    let meta = file.metadata().map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    if !meta.is_file() {
        return Err(not_a_file(kind(meta.file_type())));
    }
    Ok(file)
}

/// Whether `file` is still the file at `path` (not unlinked or replaced since it was opened).
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Take the run lock of the repository at `root`, or refuse when another baseline holds it.
pub fn run(root: &Path) -> Result<Lock> {
    let path = run_lock_path(root)?;
    let err = |source| Error::Write { path: path.clone(), source };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    // A lock on a file unlinked between our open and our flock (by a baseline's gate, or
    // by hand) excludes nobody: lock again until the locked file is the one at the path.
    for _ in 0..100 {
        let file = open_lock_file(&path)?;
        if !try_flock(&file, Mode::Exclusive).map_err(err)? {
            return Err(Error::Locked {
                what: format!(
                    "another `closeout baseline` is running in {} (it holds {})",
                    root.display(),
                    path.display()
                ),
                fix: "wait for it to finish, or stop it, and run baseline again".into(),
            });
        }
        if still_at(&file, &path) {
            return Ok(Lock { file, remove: Some(path) });
        }
    }
    Err(Error::Usage(format!("{} keeps being replaced; cannot take the run lock", path.display())))
}

/// Whether a baseline holds the run lock of the repository at `root` right now.
pub fn run_in_progress(root: &Path) -> bool {
    let Ok(path) = run_lock_path(root) else { return false };
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.is_file() => {}
        _ => return false,
    }
    let Ok(file) = File::open(path) else { return false };
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
    fn the_wait_limit_is_a_number_of_seconds_or_an_error() {
        assert_eq!(parse_wait_limit("300").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_wait_limit("0.5").unwrap(), Duration::from_millis(500));
        for bad in ["abc", "", "-1", "NaN", "inf", "86401", "1e99"] {
            let err = parse_wait_limit(bad).unwrap_err().to_string();
            assert!(err.contains("not a number of seconds from 0 to 86400"), "{bad}: {err}");
        }
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

    #[test]
    fn the_run_lock_lives_in_the_git_folder_when_there_is_one() {
        let d = dir("git");
        assert!(run_lock_path(&d).unwrap().starts_with(user_lock_dir().unwrap()));
        std::fs::create_dir_all(d.join(".git")).unwrap();
        std::fs::create_dir_all(d.join("sub")).unwrap();
        let top = run_lock_path(&d).unwrap();
        let sub = run_lock_path(&d.join("sub")).unwrap();
        assert!(top.starts_with(d.join(".git")) && sub.starts_with(d.join(".git")), "{top:?} {sub:?}");
        assert_ne!(top, sub, "two programs, two locks");
        // Deleting target/ under a holder does not let a second baseline in.
        let first = run(&d).unwrap();
        let _ = std::fs::remove_dir_all(d.join("target"));
        assert!(run(&d).is_err());
        drop(first);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn outside_git_the_run_lock_survives_a_gate_deleting_the_work_tree() {
        let d = dir("nogit");
        let first = run(&d).unwrap();
        for gone in ["target", "target/closeout", ".closeout"] {
            let _ = std::fs::remove_dir_all(d.join(gone));
        }
        assert!(run_in_progress(&d));
        let err = run(&d).unwrap_err().to_string();
        assert!(err.contains("another `closeout baseline` is running"), "{err}");
        drop(first);
        assert!(!run_in_progress(&d));
        run(&d).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn only_a_private_folder_of_the_user_holds_run_locks() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("private");
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(is_private(&std::fs::symlink_metadata(&d).unwrap(), uid));
        assert!(!is_private(&std::fs::symlink_metadata(&d).unwrap(), uid + 1), "another user's");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(!is_private(&std::fs::symlink_metadata(&d).unwrap(), uid), "writable by all");
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = d.join("link");
        std::os::unix::fs::symlink(&d, &link).unwrap();
        assert!(!is_private(&std::fs::symlink_metadata(&link).unwrap(), uid), "a symlink");
        assert!(user_lock_dir().unwrap().is_dir());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_lock_file_that_is_not_a_regular_file_is_refused_without_blocking() {
        let d = dir("fifo");
        let path = run_lock_path(&d).unwrap();
        let _ = std::fs::remove_file(&path);
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: mkfifo with a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = run(&d).unwrap_err().to_string();
        assert!(err.contains("is a FIFO, not a regular file"), "{err}");
        assert!(!run_in_progress(&d));
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &path).unwrap();
        let err = run(&d).unwrap_err().to_string();
        assert!(err.contains("is a symlink"), "{err}");
        std::fs::remove_file(&path).unwrap();
        std::fs::remove_dir_all(&d).unwrap();
    }
}
