//! closeout-core: the engine of closeout, the part every command needs.
//!
//! The program model ([`model`]) read from `closeout.toml` ([`config`], [`keys`]), the
//! evidence a baseline leaves ([`evidence`], [`history`], [`integrity`]), the gate runner
//! ([`runner`], the only code that spawns processes) and its output parsers ([`parse`]),
//! and the verdict computed from them ([`verdict`]). `closeout-markdown` builds the
//! documents on it, and `closeout` the reports, tasks and command line. See ARCHITECTURE.md.

pub mod classify;
pub mod config;
pub mod discover;
pub mod duration;
pub mod error;
pub mod evidence;
pub mod exit;
pub mod glob;
pub mod history;
pub mod integrity;
pub mod json;
pub mod keys;
pub mod lock;
pub mod merge;
pub mod model;
pub mod parse;
pub mod perf;
pub mod redact;
pub mod review;
pub mod runner;
pub mod schedule;
pub mod schema;
pub mod sha256;
pub mod verdict;
pub mod vocab;

pub use error::{Error, Result};
