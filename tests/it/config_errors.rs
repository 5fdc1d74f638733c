//! Golden bad-input cases: each folder under tests/fixtures/config holds a bad
//! `closeout.toml` and the exact `expected.txt` that `closeout status` prints for it.

use crate::support::{closeout, describe, expect_file, fixtures, text};

#[test]
fn every_bad_config_exits_2_with_its_documented_message() {
    let root = fixtures().join("config");
    let mut cases: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    cases.sort();
    assert!(cases.len() >= 20, "keep at least 20 bad-input cases, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let out = closeout().arg("status").current_dir(case).output().unwrap();
        if out.status.code() != Some(2) || !out.stdout.is_empty() {
            failures.push(format!("{}: expected exit 2 and no stdout\n{}", case.display(), describe(&out)));
            continue;
        }
        // closeout's own docs are not in the user's repository: no error points there.
        for own in ["configuration.md", "regions.md", "docs/verdict.md"] {
            if text(&out.stderr).contains(own) {
                failures.push(format!("{}: names closeout's {own}\n{}", case.display(), describe(&out)));
            }
        }
        if let Some(diff) = expect_file(&case.join("expected.txt"), &text(&out.stderr)) {
            failures.push(diff);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
