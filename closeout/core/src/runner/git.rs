//! Git glue for evidence: HEAD and whether the tree is dirty. Absent outside a repository.

use std::path::Path;

use crate::evidence::{GitState, EVIDENCE_DIR, OUTPUT_DIR};

/// HEAD and dirtiness of the work tree at `root`, ignoring what closeout itself writes:
/// its committed evidence (`.closeout/`, rewritten by every run, review and verdict) and
/// its run logs under `target/closeout/`, which a repository without a Cargo `target/`
/// in its .gitignore (a Go repo) would otherwise see as untracked files.
pub fn state(root: &Path) -> Option<GitState> {
    let sh = xshell::Shell::new().ok()?;
    sh.change_dir(root);
    let head = xshell::cmd!(sh, "git rev-parse HEAD").quiet().ignore_stderr().read().ok()?;
    let evidence = format!(":(exclude){EVIDENCE_DIR}");
    let runs = format!(":(exclude){OUTPUT_DIR}");
    let status = xshell::cmd!(sh, "git status --porcelain -- . {evidence} {runs}")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()?;
    Some(GitState { head: head.trim().to_string(), dirty: !status.trim().is_empty() })
}

/// Whether `commit` names a commit in the repository at `root`; `None` outside git.
pub fn commit_exists(root: &Path, commit: &str) -> Option<bool> {
    let sh = xshell::Shell::new().ok()?;
    sh.change_dir(root);
    xshell::cmd!(sh, "git rev-parse --git-dir").quiet().ignore_stdout().ignore_stderr().run().ok()?;
    let object = format!("{commit}^{{commit}}");
    Some(xshell::cmd!(sh, "git cat-file -e {object}").quiet().ignore_stderr().run().is_ok())
}

fn shell(root: &Path) -> Option<xshell::Shell> {
    let sh = xshell::Shell::new().ok()?;
    sh.change_dir(root);
    Some(sh)
}

/// `git rev-parse REV`, full hash.
pub fn rev_parse(root: &Path, rev: &str) -> Option<String> {
    let sh = shell(root)?;
    let object = format!("{rev}^{{commit}}");
    xshell::cmd!(sh, "git rev-parse --verify --quiet {object}")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()
        .map(|s| s.trim().to_string())
}

/// The merge-base of HEAD with the main branch (`main`, `master`, or their origin copies).
pub fn merge_base_with_main(root: &Path) -> Option<String> {
    let sh = shell(root)?;
    for branch in ["main", "master", "origin/main", "origin/master"] {
        if let Ok(base) = xshell::cmd!(sh, "git merge-base HEAD {branch}").quiet().ignore_stderr().read() {
            return Some(base.trim().to_string());
        }
    }
    None
}

/// Files changed from `base` to HEAD, plus uncommitted and untracked (not ignored) files,
/// sorted and unique; closeout's own output (`target/closeout/`) never, even where a user
/// committed it.
pub fn changed_files(root: &Path, base: &str) -> Result<Vec<String>, String> {
    let sh = shell(root).ok_or("cannot start a shell for git")?;
    let committed =
        xshell::cmd!(sh, "git diff --name-only {base} HEAD").quiet().ignore_stderr().read().map_err(
            |_| format!("git cannot diff `{base}` against HEAD; is `{base}` a commit of this repository?"),
        )?;
    let uncommitted =
        xshell::cmd!(sh, "git diff --name-only HEAD").quiet().ignore_stderr().read().unwrap_or_default();
    // closeout's own run logs are never part of a change, ignored or not.
    let runs = format!(":(exclude){OUTPUT_DIR}");
    let untracked = xshell::cmd!(sh, "git ls-files --others --exclude-standard -- . {runs}")
        .quiet()
        .ignore_stderr()
        .read()
        .unwrap_or_default();
    let mut files: Vec<String> = committed
        .lines()
        .chain(uncommitted.lines())
        .chain(untracked.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        // Run logs and history, even where a repository commits them.
        .filter(|l| !crate::evidence::is_under(l, OUTPUT_DIR))
        // Another closeout's write in progress (`.closeout.toml.closeout-PID.tmp`).
        .filter(|l| !crate::evidence::is_temp_file(l))
        .map(String::from)
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// The content of `path` at each commit that changed it on `branch`, newest first.
pub fn file_history(root: &Path, branch: &str, path: &str, limit: usize) -> Vec<(String, String)> {
    let Some(sh) = shell(root) else { return Vec::new() };
    let n = limit.to_string();
    let Ok(revs) =
        xshell::cmd!(sh, "git log -n {n} --format=%H {branch} -- {path}").quiet().ignore_stderr().read()
    else {
        return Vec::new();
    };
    revs.lines()
        .filter_map(|rev| {
            let spec = format!("{rev}:{path}");
            let text = xshell::cmd!(sh, "git show {spec}").quiet().ignore_stderr().read().ok()?;
            Some((rev.to_string(), text))
        })
        .collect()
}

/// The content of `path` (relative to `root`) as committed at HEAD; `None` outside git or
/// when HEAD has no such file. What the work tree holds does not matter.
pub fn committed_file(root: &Path, path: &str) -> Option<String> {
    let sh = shell(root)?;
    let spec = format!("HEAD:./{path}");
    xshell::cmd!(sh, "git show {spec}").quiet().ignore_stderr().read().ok()
}

/// The name of the main branch, if there is one.
pub fn main_branch(root: &Path) -> Option<String> {
    ["main", "master"].into_iter().find(|b| rev_parse(root, b).is_some()).map(String::from)
}

/// The committer time (unix seconds) of `commit`: `None` outside git, `Some(None)` when git
/// does not know the commit.
pub fn commit_time(root: &Path, commit: &str) -> Option<Option<i64>> {
    commit_exists(root, commit)?;
    let sh = shell(root)?;
    let object = format!("{commit}^{{commit}}");
    Some(
        xshell::cmd!(sh, "git show -s --format=%ct {object}")
            .quiet()
            .ignore_stderr()
            .read()
            .ok()
            .and_then(|s| s.trim().parse().ok()),
    )
}

/// The commit that last changed `path`, when the work tree's `path` is that committed
/// version (tracked and unmodified); `None` otherwise.
pub fn recorded_in(root: &Path, path: &str) -> Option<String> {
    let sh = shell(root)?;
    xshell::cmd!(sh, "git ls-files --error-unmatch -- {path}")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .ok()?;
    xshell::cmd!(sh, "git diff --quiet HEAD -- {path}").quiet().ignore_stderr().run().ok()?;
    let rev = xshell::cmd!(sh, "git log -n 1 --format=%H -- {path}").quiet().ignore_stderr().read().ok()?;
    Some(rev.trim().to_string()).filter(|r| !r.is_empty())
}

/// The commits (at most 20, newest first) in which the number of occurrences of `needle`
/// in `path` changed (git's pickaxe, `git log -S`), each with the text of `path` at that
/// commit; commits where `path` no longer exists are left out. Empty outside git.
pub fn versions_mentioning(root: &Path, path: &str, needle: &str) -> Vec<(String, String)> {
    let Some(sh) = shell(root) else { return Vec::new() };
    let pickaxe = format!("-S{needle}");
    let Ok(log) =
        xshell::cmd!(sh, "git log -n 20 --format=%H {pickaxe} -- {path}").quiet().ignore_stderr().read()
    else {
        return Vec::new();
    };
    log.lines()
        .filter_map(|commit| {
            let spec = format!("{commit}:./{path}");
            let text = xshell::cmd!(sh, "git show {spec}").quiet().ignore_stderr().read().ok()?;
            Some((commit.to_string(), text))
        })
        .collect()
}

/// Whether `ancestor` is `commit` or one of its ancestors.
pub fn is_ancestor(root: &Path, ancestor: &str, commit: &str) -> Option<bool> {
    let sh = shell(root)?;
    Some(
        xshell::cmd!(sh, "git merge-base --is-ancestor {ancestor} {commit}")
            .quiet()
            .ignore_stderr()
            .run()
            .is_ok(),
    )
}
