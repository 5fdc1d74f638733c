//! Finding and loading the program: walk up from the current folder to `closeout.toml`.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::Program;

pub const FILE_NAME: &str = "closeout.toml";

/// The folder holding `closeout.toml`: `root` when given, else the nearest of `start`
/// and its ancestors that has one.
pub fn find_root(start: &Path, root: Option<&Path>) -> Result<PathBuf> {
    if let Some(root) = root {
        // --root names the folder itself: no walk up, and the message says so.
        return match root.metadata() {
            _ if root.join(FILE_NAME).symlink_metadata().is_ok() => Ok(root.to_path_buf()),
            Ok(meta) if !meta.is_dir() => Err(Error::Usage(format!(
                "--root {} is not a folder; pass the folder that holds closeout.toml",
                display_path(root).display()
            ))),
            Ok(_) => Err(Error::Usage(format!(
                "--root {} holds no closeout.toml (--root names the program's folder itself; nothing above it is searched); run `closeout init` there, or pass the folder that holds closeout.toml",
                display_path(root).display()
            ))),
            Err(e) => Err(Error::Usage(format!("--root {}: {e}", display_path(root).display()))),
        };
    }
    // The caller's fallback when the current folder cannot be read: say why, rather than
    // that no folder above "." holds a program.
    if start == Path::new(".") && std::env::current_dir().is_err() {
        return Err(Error::Usage(
            "the current folder no longer exists (it was deleted or moved); cd into the repository again, or pass --root DIR".into(),
        ));
    }
    start
        .ancestors()
        // Anything named closeout.toml stops the walk (a folder or a dangling link is then
        // reported), so a broken program never falls through to a parent's.
        .find(|dir| dir.join(FILE_NAME).symlink_metadata().is_ok())
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::NotFound { start: start.to_path_buf() })
}

/// Read and validate `root/closeout.toml`.
pub fn load(root: &Path) -> Result<Program> {
    let file = root.join(FILE_NAME);
    if !file.is_file() {
        return Err(Error::Usage(format!(
            "{} is not a regular file (a folder, a dangling symlink or a device); make it the program's TOML file",
            display_path(&file).display()
        )));
    }
    let bytes = std::fs::read(&file).map_err(|source| Error::Read { path: file.clone(), source })?;
    let shown = display_path(&file);
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = crate::config::line_col(valid, valid.len());
        Error::Usage(format!(
            "{}:{line}:{column}: not UTF-8 (byte 0x{:02x}); save closeout.toml as UTF-8",
            shown.display(),
            e.as_bytes()[e.utf8_error().valid_up_to()]
        ))
    })?;
    let program = crate::config::parse(&text, &shown, root, &|p| root.join(p).exists())?;
    same_docs(&program, &text, &shown)?;
    Ok(program)
}

/// Refuse two `docs` entries that are one file on disk (a symlink to another entry, a hard
/// link): closeout would write the file twice and then find it "changed while updating".
/// Compared by device and inode, through symlinks. `text` is closeout.toml, for the lines.
pub fn same_docs(program: &Program, text: &str, shown: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut seen: Vec<((u64, u64), &Path)> = Vec::new();
    let mut problems = Vec::new();
    let line_of = |doc: &Path| {
        let quoted = format!("\"{}\"", doc.display());
        text.find(&quoted).map(|at| crate::config::line_col(text, at).0)
    };
    for doc in &program.docs {
        let Ok(meta) = std::fs::metadata(program.root.join(doc)) else { continue };
        let id = (meta.dev(), meta.ino());
        if let Some((_, first)) = seen.iter().find(|(seen_id, _)| *seen_id == id) {
            let at = line_of(doc).map(|l| format!(":{l}")).unwrap_or_default();
            problems.push(format!(
                "{}{at}: docs files `{}` and `{}` are the same file (a symlink or a hard link to it); list it once",
                shown.display(),
                first.display(),
                doc.display()
            ));
            continue;
        }
        seen.push((id, doc));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Usage(problems.join("\n")))
    }
}

/// A path as a user would type it: relative to the current folder when it is below it.
pub fn display_path(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_to_the_nearest_program() {
        let dir = std::env::temp_dir().join(format!("closeout-discover-{}", std::process::id()));
        let deep = dir.join("a/b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(dir.join(FILE_NAME), "").unwrap();
        assert_eq!(find_root(&deep, None).unwrap(), dir);
        let err = find_root(&deep, Some(&deep)).unwrap_err().to_string();
        assert!(err.contains("holds no closeout.toml (--root names the program's folder itself"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
