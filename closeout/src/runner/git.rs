//! Git glue for evidence: HEAD and whether the tree is dirty. Absent outside a repository.

use std::path::Path;

use crate::evidence::{GitState, LATEST};

/// HEAD and dirtiness of the work tree at `root`, ignoring closeout's own committed
/// evidence file (it changes on every run).
pub fn state(root: &Path) -> Option<GitState> {
    let sh = xshell::Shell::new().ok()?;
    sh.change_dir(root);
    let head = xshell::cmd!(sh, "git rev-parse HEAD").quiet().ignore_stderr().read().ok()?;
    let exclude = format!(":(exclude){LATEST}");
    let status =
        xshell::cmd!(sh, "git status --porcelain -- . {exclude}").quiet().ignore_stderr().read().ok()?;
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
