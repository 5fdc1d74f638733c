//! Expected errors: bad input, missing files, failed writes. Each carries a message a
//! user can act on and maps to exit code 2. Gate failures and verdicts are not errors.

use std::io;
use std::path::PathBuf;

use crate::config::ConfigErrors;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    #[error("no closeout.toml in {} or any folder above it; run `closeout init` there, or pass --root DIR", start.display())]
    NotFound { start: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{} already exists; pass --force to overwrite it", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("{} is not valid evidence: {message}; regenerate it with `closeout baseline` (or `closeout packet ID` for .closeout/packets)", path.display())]
    BadEvidence { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
    /// Problems in the program's docs (markers, region names, missing evidence), each
    /// already located as `file:line: message`.
    #[error("{}", problems.join("\n"))]
    Docs { problems: Vec<String> },
    /// Another closeout holds a lock this command needs.
    #[error("{what}; {fix}")]
    Locked { what: String, fix: String },
    #[error("{} changed while closeout was updating it; nothing was written to it. Run the command again", path.display())]
    ChangedDuringWrite { path: PathBuf },
}

impl Error {
    /// Every expected error is bad input or environment, exit code 2.
    pub fn exit_code(&self) -> u8 {
        crate::exit::USAGE
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
