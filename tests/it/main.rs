//! End-to-end tests of the `closeout` binary: one test binary, one module per area.

mod adoption;
mod baseline;
mod ci;
mod cli;
mod config_errors;
mod conformance;
mod docs;
mod docs_props;
mod dogfood;
mod first_hour;
mod formatters;
mod hostile;
mod import;
mod ledger;
mod packet;
mod parsers;
mod real_suites;
mod repros;
mod scenarios;
mod schema;
mod support;
mod tidy;
