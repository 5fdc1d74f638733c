//! `closeout schema [--out PATH]`: print the JSON Schema of closeout.toml, or write it.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::error::Result;

/// `closeout schema`'s flags.
pub const COMMAND: Command = Command::new(
    "schema",
    "Print the JSON Schema of closeout.toml (for editors using taplo / Even Better TOML), or write it \
     with --out",
)
.args(&[Arg::option(
    "out",
    "PATH",
    "Write the schema to PATH (atomically) instead of printing it; `init` and `import` write it to \
     .closeout/closeout.schema.json",
)]);

#[derive(Debug)]
pub struct SchemaArgs {
    out: Option<PathBuf>,
}

impl SchemaArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(SchemaArgs { out: m.path("out") })
    }

    pub fn run(self, ctx: &Context) -> Result<u8> {
        write(ctx, self.out)
    }
}

/// Print the schema, or write it to `out` (relative to the current folder) under the
/// repository lock when a closeout.toml is found at or above it.
fn write(ctx: &Context, out: Option<PathBuf>) -> Result<u8> {
    let text = crate::schema::text();
    let Some(out) = out.filter(|o| o.as_os_str() != "-") else {
        let _ = crate::cli::stdout().write_all(text.as_bytes());
        return Ok(crate::exit::SUCCESS);
    };
    let path = ctx.cwd.join(out);
    crate::evidence::check_output_path(&path, "--out")?;
    let _lock = match ctx.program_root() {
        Ok(root) => Some(ctx.lock_at(&root, crate::lock::Mode::Exclusive)?),
        Err(_) => None,
    };
    crate::evidence::write_atomic(&path, text.as_bytes())?;
    let _ = writeln!(crate::cli::stdout(), "wrote {}", crate::discover::display_path(&path).display());
    Ok(crate::exit::SUCCESS)
}

/// Write the schema where the directive of the closeout.toml in `root` points
/// ([`crate::schema::PATH`]), replacing what was there: it is closeout's own output.
/// Callers hold the repository lock and have checked `.closeout/`
/// ([`crate::evidence::check_evidence_dir`]) before their first write.
pub fn write_beside(root: &std::path::Path) -> Result<()> {
    crate::evidence::write_atomic(&root.join(crate::schema::PATH), crate::schema::text().as_bytes())
}
