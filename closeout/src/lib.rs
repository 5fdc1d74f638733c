//! closeout: a release's closeout and certification program, made executable.
//!
//! `closeout.toml` is the source of truth ([`config`] reads it into a [`model::Program`]).
//! This crate holds the reports ([`report`]), the tasks and the command line ([`cli`],
//! shared by the `closeout` binary and `cargo xtask closeout`). The engine (model, config,
//! evidence, runner, verdict) is `closeout-core` and the documents ([`docs`], [`import`])
//! are `closeout-markdown`; both are re-exported here module by module, so
//! `closeout::evidence` and `crate::evidence` name the same thing. See ARCHITECTURE.md.

pub mod cli;
pub mod edit;
pub mod init;
pub mod report;
pub mod tasks;

// The program's markdown documents (closeout/markdown).
pub use closeout_markdown::{docs, import};

// The engine (closeout/core).
pub use closeout_core::{
    classify, config, discover, duration, error, evidence, exit, glob, history, integrity, json, keys, lock,
    merge, model, parse, perf, redact, review, runner, schedule, schema, sha256, verdict, vocab,
};

pub use error::{Error, Result};
