//! The thin file layer for docs: read a document whole, and write it back atomically
//! (temp file beside the target, fsync, rename), keeping its permissions, following a
//! symlink to its target, and refusing when the file changed since it was read.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::evidence;
use crate::review::PacketReview;

/// A document as read from disk.
#[derive(Debug, Clone)]
pub struct DocFile {
    /// As written in closeout.toml, for messages.
    pub shown: String,
    /// The file written to: the symlink's target when the path is a symlink.
    pub real: PathBuf,
    pub bytes: Vec<u8>,
    pub text: String,
}

/// Largest document closeout reads (128 MiB): far above any plan, far below what would
/// exhaust memory.
pub const MAX_DOC_BYTES: u64 = 128 * 1024 * 1024;

/// Read `relative` under `root`. Refused (before anything is opened): a path that resolves
/// outside the repository (through a symlink), anything but a regular file (a FIFO would
/// block, a device would never end), and files over [`MAX_DOC_BYTES`].
pub fn read(root: &Path, relative: &Path) -> Result<DocFile> {
    let path = root.join(relative);
    let shown = relative.display().to_string();
    let real = std::fs::canonicalize(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
    let refuse = |why: String| Error::Docs { problems: vec![format!("{shown}: {why}")] };
    let inside = std::fs::canonicalize(root).map(|r| real.starts_with(r)).unwrap_or(false);
    if !inside {
        return Err(refuse(format!(
            "resolves to {}, outside the repository {}; closeout reads and writes only inside it: replace the symlink with the file, or remove it from closeout.toml",
            real.display(),
            root.display()
        )));
    }
    let meta = std::fs::metadata(&real).map_err(|source| Error::Read { path: path.clone(), source })?;
    if !meta.is_file() {
        return Err(refuse(format!(
            "is not a regular file ({}); list only markdown files",
            kind(&meta.file_type())
        )));
    }
    if meta.len() > MAX_DOC_BYTES {
        return Err(refuse(format!(
            "is {} bytes, more than closeout reads ({MAX_DOC_BYTES}); split it or remove it from closeout.toml",
            meta.len()
        )));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(&real).map_err(|source| Error::Read { path: path.clone(), source })?,
            MAX_DOC_BYTES + 1,
        ),
        &mut bytes,
    )
    .map_err(|source| Error::Read { path: path.clone(), source })?;
    if bytes.len() as u64 > MAX_DOC_BYTES {
        return Err(refuse(format!("grew past {MAX_DOC_BYTES} bytes while being read; try again")));
    }
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::Docs {
        problems: vec![format!(
            "{shown}: not UTF-8 (invalid byte at offset {}); closeout reads markdown as UTF-8",
            e.utf8_error().valid_up_to()
        )],
    })?;
    Ok(DocFile { shown, real, bytes, text })
}

fn kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// Replace the document's content with `text`, atomically. Writes nothing when the
/// content would not change, and fails if the file changed since it was read.
pub fn write(doc: &DocFile, text: &str) -> Result<bool> {
    if text.as_bytes() == doc.bytes.as_slice() {
        return Ok(false);
    }
    let current =
        std::fs::read(&doc.real).map_err(|source| Error::Read { path: doc.real.clone(), source })?;
    if current != doc.bytes {
        return Err(Error::ChangedDuringWrite { path: doc.real.clone() });
    }
    let err = |source| Error::Write { path: doc.real.clone(), source };
    let permissions = std::fs::metadata(&doc.real).map_err(err)?.permissions();
    let dir = doc.real.parent().unwrap_or(Path::new("."));
    let name = doc.real.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    evidence::remove_stale_temps(dir, &name);
    let tmp = evidence::temp_path(dir, &name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&tmp, permissions)?;
        std::fs::rename(&tmp, &doc.real)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)?;
    Ok(true)
}

/// Every packet review under `.closeout/packets/`, by packet id.
pub fn packet_records(root: &Path) -> Result<std::collections::BTreeMap<String, PacketReview>> {
    let dir = root.join(evidence::PACKETS_DIR);
    let mut out = std::collections::BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(out) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text =
            crate::evidence::read_file(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
        let id = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        let review: PacketReview = serde_json::from_str(&text)
            .map_err(|e| Error::BadEvidence { path: path.clone(), message: e.to_string() })?;
        if review.schema != crate::review::SCHEMA_VERSION
            || review.run.schema != crate::evidence::SCHEMA_VERSION
        {
            return Err(Error::BadEvidence { path: path.clone(), message: "unknown schema version".into() });
        }
        out.insert(id, review);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("closeout-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn keeps_permissions_and_leaves_no_temp_files() {
        let d = dir("perm");
        std::fs::write(d.join("plan.md"), "old").unwrap();
        std::fs::set_permissions(d.join("plan.md"), std::fs::Permissions::from_mode(0o640)).unwrap();
        let doc = read(&d, Path::new("plan.md")).unwrap();
        assert!(write(&doc, "new").unwrap());
        assert_eq!(std::fs::read_to_string(d.join("plan.md")).unwrap(), "new");
        let mode = std::fs::metadata(d.join("plan.md")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1, "no temp file left");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn follows_symlinks_to_write_the_target() {
        let d = dir("link");
        std::fs::create_dir_all(d.join("real")).unwrap();
        std::fs::write(d.join("real/plan.md"), "old").unwrap();
        std::os::unix::fs::symlink("real/plan.md", d.join("plan.md")).unwrap();
        let doc = read(&d, Path::new("plan.md")).unwrap();
        write(&doc, "new").unwrap();
        assert!(
            std::fs::symlink_metadata(d.join("plan.md")).unwrap().file_type().is_symlink(),
            "the link stays a link"
        );
        assert_eq!(std::fs::read_to_string(d.join("real/plan.md")).unwrap(), "new");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn refuses_a_file_changed_since_it_was_read() {
        let d = dir("race");
        std::fs::write(d.join("plan.md"), "old").unwrap();
        let doc = read(&d, Path::new("plan.md")).unwrap();
        std::fs::write(d.join("plan.md"), "someone else's edit").unwrap();
        assert!(matches!(write(&doc, "new"), Err(Error::ChangedDuringWrite { .. })));
        assert_eq!(std::fs::read_to_string(d.join("plan.md")).unwrap(), "someone else's edit");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn unchanged_content_is_not_written() {
        let d = dir("same");
        std::fs::write(d.join("plan.md"), "same").unwrap();
        std::fs::set_permissions(d.join("plan.md"), std::fs::Permissions::from_mode(0o444)).unwrap();
        let doc = read(&d, Path::new("plan.md")).unwrap();
        // A read-only file proves no write was attempted: writing would have replaced it.
        let before = std::fs::metadata(d.join("plan.md")).unwrap().modified().unwrap();
        assert!(!write(&doc, "same").unwrap());
        assert_eq!(std::fs::metadata(d.join("plan.md")).unwrap().modified().unwrap(), before);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn rejects_non_utf8_documents() {
        let d = dir("utf8");
        std::fs::write(d.join("plan.md"), b"ok\n\xff").unwrap();
        let err = read(&d, Path::new("plan.md")).unwrap_err().to_string();
        assert!(err.contains("plan.md: not UTF-8 (invalid byte at offset 3)"), "{err}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
