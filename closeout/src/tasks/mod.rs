//! One module per subcommand: its grammar (`COMMAND`, see [`crate::cli::spec`]), its flags
//! struct read `from_matches`, and a `run(self, ctx)` method.

pub mod baseline;
pub mod ci;
pub mod docs;
pub mod evidence;
pub mod generate;
pub mod history;
pub mod import;
pub mod init;
pub mod ledger;
pub mod merge;
pub mod packet;
pub mod report;
pub mod schema;
pub mod status;
pub mod verdict;
