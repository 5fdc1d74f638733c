//! `closeout report`: write the certification report, one self-contained HTML file
//! ([`crate::report::html`]), from the same facts the verdict is computed from.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{Arg, Command, Context, Matches, UsageError};
use crate::docs::generate::KINDS;
use crate::error::Result;
use crate::evidence;
use crate::report::html;

/// Where the report goes without `--out`, relative to the program's root: closeout's
/// uncommitted output, so it leaves nothing untracked in the repository.
pub const DEFAULT_OUT: &str = "target/closeout/report.html";

/// `closeout report`'s flags.
pub const COMMAND: Command = Command::new(
    "report",
    "Write the certification report: one self-contained HTML file (verdict with its evidence, packet \
     board, run timeline, trends, open debt, perf envelope)",
)
.args(&[Arg::option(
    "out",
    "PATH",
    "Write the report to PATH, or to stdout with `-` (default: target/closeout/report.html under the \
     program's root)",
)]);

#[derive(Debug)]
pub struct ReportArgs {
    out: Option<PathBuf>,
}

impl ReportArgs {
    pub fn from_matches(m: &Matches) -> std::result::Result<Self, UsageError> {
        Ok(ReportArgs { out: m.path("out") })
    }
}

impl ReportArgs {
    pub fn run(self, ctx: &Context) -> Result<u8> {
        let (program, _lock) = ctx.load_locked(crate::lock::Mode::Shared)?;
        let root = &program.root;
        let gathered = crate::tasks::verdict::gather(&program)?;
        let verdict = crate::verdict::compute(&gathered.facts(&program, &ctx.bin_name));
        let recorded = crate::tasks::history::recorded_runs(root, &ctx.bin_name);
        recorded.warn();
        let runs = recorded.runs;
        let kinds: Vec<&str> = KINDS.iter().map(|(k, _, _)| *k).collect();
        let regions = if program.docs.is_empty() {
            Ok(Vec::new())
        } else {
            crate::tasks::verdict::regions(&program, &kinds)
        };
        let full_record_checked = gathered
            .latest
            .as_ref()
            .is_some_and(|l| root.join(evidence::RUNS_DIR).join(&l.run_id).join("run.json").is_file());
        let generated_at = evidence::timestamp(std::time::SystemTime::now());
        let page = html::build(&html::Input {
            program: &program,
            verdict: &verdict,
            latest: gathered.latest.as_ref(),
            runs: &runs,
            perf: &gathered.perf,
            reference: gathered.reference.as_ref().map(|r| r.run_id.as_str()),
            evidence_problems: &gathered.evidence_problems,
            full_record_checked,
            regions: regions.as_deref().map_err(String::as_str),
            head: gathered.head.as_deref(),
            generated_at: &generated_at,
        });
        // `--out -`: the page on stdout, the summary line on stderr.
        let to_stdout = self.out.as_deref() == Some(std::path::Path::new("-"));
        let shown = if to_stdout {
            let _ = crate::cli::stdout().write_all(page.as_bytes());
            "stdout".to_string()
        } else {
            let out = self.out.map_or_else(|| root.join(DEFAULT_OUT), |p| ctx.cwd.join(p));
            evidence::check_output_path(&out, "--out")?;
            evidence::write_atomic(&out, page.as_bytes())?;
            out.strip_prefix(&ctx.cwd).unwrap_or(&out).display().to_string()
        };
        let mut note: Box<dyn Write> =
            if to_stdout { Box::new(std::io::stderr().lock()) } else { Box::new(crate::cli::stdout()) };
        let _ = writeln!(
            note,
            "wrote {shown} ({} KiB): verdict {}, {} gate(s), {} recorded run(s)",
            page.len().div_ceil(1024),
            verdict.level,
            html::gate_count(&program, gathered.latest.as_ref()),
            runs.len()
        );
        Ok(crate::exit::SUCCESS)
    }
}
