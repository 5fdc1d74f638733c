//! End-to-end tests of the `closeout` binary: one test binary, one module per area.

mod adoption;
mod baseline;
mod ci;
mod cli;
mod color;
mod config_errors;
mod conformance;
mod docs;
mod docs_props;
mod dogfood;
mod first_hour;
mod flaky;
mod formatters;
mod generate;
mod hostile;
mod import;
mod ledger;
mod packet;
mod parsers;
mod real_suites;
mod report;
mod repros;
mod scenarios;
mod schema;
mod support;
mod tidy;
