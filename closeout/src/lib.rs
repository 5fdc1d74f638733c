//! closeout: a release's closeout and certification program, made executable.
//!
//! `closeout.toml` is the source of truth ([`config`] reads it into a [`model::Program`]).
//! The engine modules are pure or do narrow I/O; [`report`] renders; [`cli`] is the front
//! end shared by the `closeout` binary and `cargo xtask closeout`. See ARCHITECTURE.md.

pub mod classify;
pub mod cli;
pub mod config;
pub mod discover;
pub mod docs;
pub mod duration;
pub mod edit;
pub mod error;
pub mod evidence;
pub mod exit;
pub mod glob;
pub mod history;
pub mod import;
pub mod init;
pub mod integrity;
pub mod json;
pub mod keys;
pub mod lock;
pub mod merge;
pub mod model;
pub mod parse;
pub mod perf;
pub mod redact;
pub mod report;
pub mod review;
pub mod runner;
pub mod schedule;
pub mod schema;
pub mod sha256;
pub mod tasks;
pub mod verdict;
pub mod vocab;

pub use error::{Error, Result};
