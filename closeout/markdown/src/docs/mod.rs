//! Generated regions in the program's markdown docs: finding them (`markers`), rendering
//! them (`render`, `generate`), comparing committed with regenerated content (`compare`),
//! the consistency rules (`rules`), the in-place rewrite (`sync`), and display widths as
//! prettier counts them (`width`). All pure but
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
pub mod width;
mod width_table;
