//! Expected errors: bad input, missing files, failed writes. Each carries a message a
//! user can act on and maps to exit code 2, but an interruption (130). Gate failures and
//! verdicts are not errors.

use std::io;
use std::path::PathBuf;

use crate::config::ConfigErrors;

#[derive(Debug)]
pub enum Error {
    Config(ConfigErrors),
    NotFound {
        start: PathBuf,
    },
    Read {
        path: PathBuf,
        source: io::Error,
    },
    Write {
        path: PathBuf,
        source: io::Error,
    },
    AlreadyExists {
        path: PathBuf,
    },
    BadEvidence {
        path: PathBuf,
        message: String,
    },
    Usage(String),
    /// Problems in the program's docs (markers, region names, missing evidence), each
    /// already located as `file:line: message`.
    Docs {
        problems: Vec<String>,
    },
    /// Another closeout holds a lock this command needs.
    Locked {
        what: String,
        fix: String,
    },
    ChangedDuringWrite {
        path: PathBuf,
    },
    /// A signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) stopped the command before it wrote
    /// anything: what it was doing. Exit 130.
    Interrupted(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Config(e) => write!(f, "{e}"),
            Error::NotFound { start } => write!(
                f,
                "no closeout.toml in {} or any folder above it; run `closeout init` there, or pass --root DIR",
                start.display()
            ),
            Error::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Error::Write { path, source } => write!(f, "cannot write {}: {source}", path.display()),
            Error::AlreadyExists { path } => {
                write!(f, "{} already exists; pass --force to overwrite it", path.display())
            }
            Error::BadEvidence { path, message } => {
                // The command that writes this file again.
                let shown = path.to_string_lossy();
                let again = if shown.contains(".closeout/packets") {
                    "`closeout packet ID`"
                } else if shown.ends_with("verdict.json") {
                    "`closeout verdict`"
                } else {
                    "`closeout baseline`"
                };
                write!(f, "{} is not valid evidence: {message}; regenerate it with {again}", path.display())
            }
            Error::Usage(message) => f.write_str(message),
            Error::Docs { problems } => f.write_str(&problems.join("\n")),
            Error::Locked { what, fix } => write!(f, "{what}; {fix}"),
            Error::ChangedDuringWrite { path } => write!(
                f,
                "{} changed while closeout was updating it; nothing was written to it. Run the command again",
                path.display()
            ),
            Error::Interrupted(what) => write!(f, "interrupted {what}; nothing was written"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Config(e) => Some(e),
            Error::Read { source, .. } | Error::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<ConfigErrors> for Error {
    fn from(e: ConfigErrors) -> Error {
        Error::Config(e)
    }
}

impl Error {
    /// Every expected error is bad input or environment, exit code 2; an interruption, 130.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Interrupted(_) => crate::exit::INTERRUPTED,
            _ => crate::exit::USAGE,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
