//! A coverage threshold the run did not meet, as the coverage tool says it: jest's
//! `Jest: "global" coverage threshold for lines (80%) not met: 50%` and `Jest: Coverage for
//! functions (50%) does not meet "global" threshold (100%)`, istanbul's (vitest, nyc, c8)
//! `ERROR: Coverage for lines (50%) does not meet global threshold (80%)`, pytest-cov's
//! `FAIL Required test coverage of 90% not reached. Total coverage: 50.00%` and
//! coverage.py's `Coverage failure: total of 50 is less than fail-under=90`. The runner
//! fails the run for it even when every test passed, so a gate whose exit code a pipe hid
//! must not pass. Read from every gate's output, whatever its parser.

use super::{Parsed, RunnerParser};

/// Whether `line` says a coverage threshold was not met, in the tool's own line: it starts
/// with the tool's word (`Jest:`, `ERROR: Coverage for`, `FAIL Required test coverage`,
/// `Coverage failure:`), so a test named after coverage is not one.
pub fn threshold_missed(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    let unmet = l.contains("not met") || l.contains("does not meet");
    (l.starts_with("jest:") && l.contains("threshold") && unmet)
        || (l.starts_with("error: coverage for") && l.contains("threshold") && unmet)
        || (l.starts_with("fail required test coverage of") && l.contains("not reached"))
        || (l.starts_with("coverage failure: total of") && l.contains("fail-under"))
}

/// Wraps a runner's parser and notes the first coverage threshold the run missed.
pub struct Coverage {
    pub inner: Box<dyn RunnerParser>,
    pub missed: Option<String>,
}

impl RunnerParser for Coverage {
    fn line(&mut self, line: &str) {
        if self.missed.is_none() && threshold_missed(line) {
            self.missed = Some(line.trim().to_string());
        }
        self.inner.line(line);
    }

    fn finish(&self) -> Parsed {
        Parsed { threshold_missed: self.missed.clone(), ..self.inner.finish() }
    }
}

#[cfg(test)]
mod tests {
    use super::threshold_missed;

    #[test]
    fn every_coverage_tool_in_its_own_words() {
        for line in [
            "Jest: \"global\" coverage threshold for functions (100%) not met: 50%",
            "Jest: Coverage for functions (50%) does not meet \"global\" threshold (100%)",
            "ERROR: Coverage for lines (50%) does not meet global threshold (80%)",
            "FAIL Required test coverage of 90% not reached. Total coverage: 50.00%",
            "Coverage failure: total of 50 is less than fail-under=90",
        ] {
            assert!(threshold_missed(line), "{line}");
        }
        for line in [
            "Required test coverage of 90% reached. Total coverage: 95.00%",
            "All files |     100 |      100 |     100 |     100 |",
            "coverage: 81.2% of statements",
            // Tests named after it: jest's and vitest's verbose lines.
            "✓ reports coverage threshold not met when below (3 ms)",
            "✓ ERROR: Coverage for lines (50%) does not meet global threshold (80%)",
        ] {
            assert!(!threshold_missed(line), "{line}");
        }
    }
}
