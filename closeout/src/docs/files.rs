//! The thin file layer for docs: read a document whole, and write it back atomically
//! (temp file beside the target, fsync, rename), keeping its permissions, following a
//! symlink to its target, and refusing when the file changed since it was read.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::evidence::{self, RunRecord};

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

pub fn read(root: &Path, relative: &Path) -> Result<DocFile> {
    let path = root.join(relative);
    let shown = relative.display().to_string();
    let real = std::fs::canonicalize(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
    let bytes = std::fs::read(&real).map_err(|source| Error::Read { path: path.clone(), source })?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| Error::Docs {
        problems: vec![format!(
            "{shown}: not UTF-8 (invalid byte at offset {}); closeout reads markdown as UTF-8",
            e.utf8_error().valid_up_to()
        )],
    })?;
    Ok(DocFile { shown, real, bytes, text })
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
    let tmp = dir.join(format!(".{name}.closeout-{}.tmp", std::process::id()));
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

/// Every packet review record under `.closeout/packets/`, by packet id.
pub fn packet_records(root: &Path) -> Result<std::collections::BTreeMap<String, RunRecord>> {
    let dir = root.join(evidence::PACKETS_DIR);
    let mut out = std::collections::BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(out) };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
        let id = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
        out.insert(id, RunRecord::from_json(&text, &path)?);
    }
    Ok(out)
}
