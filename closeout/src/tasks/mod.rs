//! One module per subcommand; each task is a `run(self, ctx)` method on its flags struct.

pub mod baseline;
pub mod ci;
pub mod docs;
pub mod evidence;
pub mod import;
pub mod init;
pub mod ledger;
pub mod merge;
pub mod packet;
pub mod schema;
pub mod status;
pub mod verdict;
