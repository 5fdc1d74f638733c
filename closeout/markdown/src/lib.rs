//! closeout-markdown: the program's markdown documents.
//!
//! The generated regions of the docs and their consistency rules ([`docs`]), and
//! `closeout import`, which reads an existing plan and tracker into a `closeout.toml`
//! ([`import`]). Pure but for `docs::files`, which reads and writes the docs. Built on
//! `closeout-core`, whose modules it re-exports so that `crate::model` names the same
//! module here as in the core. See ARCHITECTURE.md.

pub mod docs;
pub mod import;

// The engine (closeout/core).
pub use closeout_core::{
    classify, config, discover, duration, error, evidence, exit, glob, history, integrity, json, keys, lock,
    merge, model, parse, perf, redact, review, runner, schedule, schema, sha256, verdict, vocab,
};

pub use error::{Error, Result};
