//! Generated regions in the program's markdown docs: finding them (`markers`), rendering
//! them (`render`, `generate`), comparing committed with regenerated content (`compare`),
//! the consistency rules (`rules`), and the in-place rewrite (`sync`). All pure but
//! `files`, the thin layer that reads and atomically writes documents.

pub mod compare;
pub mod exit_codes;
pub mod files;
pub mod generate;
pub mod layout;
pub mod markers;
pub mod render;
pub mod rules;
pub mod sync;
