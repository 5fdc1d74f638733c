//! Merging shard run records into one run, pure: the shards must come from the same
//! commit and the same program, and no gate may be in two of them; gates no shard ran
//! are `NOT_RUN`.

use std::time::{Duration, SystemTime};

use crate::evidence::{self, GateRecord, RunRecord, SCHEMA_VERSION};
use crate::model::Program;
use crate::vocab::Vocab;

/// Why records cannot be merged (exit 2).
pub fn merge(
    program: &Program,
    records: &[(String, RunRecord)],
    now: SystemTime,
) -> Result<RunRecord, String> {
    let Some((first_name, first)) = records.first() else {
        return Err(
            "no records to merge; pass the shard records (from `closeout baseline --shard K/N --out PATH`)"
                .into(),
        );
    };
    let hash = evidence::program_hash(program);
    for (name, r) in records {
        if r.program_hash != hash {
            return Err(format!(
                "{name} is from a different program: its gates hash to `{}`, closeout.toml's to `{hash}`; rerun the shard with this closeout.toml",
                if r.program_hash.is_empty() { "none" } else { &r.program_hash }
            ));
        }
        let head = |r: &RunRecord| r.git.as_ref().map(|g| g.head.clone());
        if head(r) != head(first) {
            return Err(format!(
                "{name} was recorded on commit {} but {first_name} on {}; every shard must run the same commit",
                head(r).as_deref().unwrap_or("(no git)"),
                head(first).as_deref().unwrap_or("(no git)")
            ));
        }
        if let Some(g) = r.gates.iter().find(|g| program.gate(&g.id).is_none()) {
            return Err(format!(
                "{name} holds gate `{}`, which closeout.toml does not have; nothing was merged: rerun the shard with this closeout.toml",
                g.id
            ));
        }
        if let Some(problem) = crate::integrity::record_problems(r).into_iter().next() {
            return Err(format!("{name} does not verify: {problem}; nothing was merged"));
        }
    }
    let mut gates: Vec<GateRecord> = Vec::new();
    for gate in &program.gates {
        let mut found: Option<(&str, &GateRecord)> = None;
        for (name, r) in records {
            if let Some(g) = r.gate(&gate.id) {
                if let Some((other, _)) = found {
                    return Err(format!(
                        "gate `{}` is in both {other} and {name}; each gate must run in exactly one shard",
                        gate.id
                    ));
                }
                found = Some((name, g));
            }
        }
        gates.push(match found {
            Some((_, g)) => g.clone(),
            None => GateRecord::not_run(
                &gate.id,
                &gate.run,
                gate.parser.as_str(),
                gate.known_failure.clone(),
                "no shard ran it",
            ),
        });
    }
    let jobs: usize = records.iter().map(|(_, r)| r.jobs).sum();
    let durations: Vec<Duration> = gates.iter().map(|g| Duration::from_millis(g.duration_ms)).collect();
    let run_id = format!(
        "{}-merged",
        evidence::timestamp(now).chars().filter(|c| !matches!(c, '-' | ':')).collect::<String>()
    );
    Ok(RunRecord {
        schema: SCHEMA_VERSION,
        run_id,
        program: program.name.clone(),
        started_at: records.iter().map(|(_, r)| r.started_at.clone()).min().unwrap_or_default(),
        finished_at: records.iter().map(|(_, r)| r.finished_at.clone()).max().unwrap_or_default(),
        closeout_version: env!("CARGO_PKG_VERSION").into(),
        host: first.host.clone(),
        jobs,
        git: first.git.as_ref().map(|g| evidence::GitState {
            head: g.head.clone(),
            dirty: records.iter().any(|(_, r)| r.git.as_ref().is_some_and(|g| g.dirty)),
        }),
        interrupted: records.iter().any(|(_, r)| r.interrupted),
        lower_bound_ms: crate::schedule::lower_bound(&durations, jobs).as_millis() as u64,
        makespan_ms: records.iter().map(|(_, r)| r.makespan_ms).max().unwrap_or(0),
        gates,
        program_hash: hash,
        shard: None,
        shards: records.iter().map(|(_, r)| r.run_id.clone()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{fixtures, LogRecord, Outcome};

    fn program() -> Program {
        let text = "[program]\nname = \"p\"\n[[gate]]\nid = \"unit\"\nrun = \"make test\"\nretries = 1\n[[gate]]\nid = \"lint\"\nrun = \"make lint\"\n";
        crate::config::parse(text, std::path::Path::new("c.toml"), std::path::Path::new("/r"), &|_| true)
            .unwrap()
    }

    /// A gate record as the runner writes it: times, a log.
    fn ran(id: &str, command: &str, outcome: Outcome, exit: i32, log: &str) -> GateRecord {
        let mut g = fixtures::gate(id, command, outcome, Some(exit));
        g.started_at = Some("2026-01-01T00:00:00.000Z".into());
        g.finished_at = Some("2026-01-01T00:00:01.000Z".into());
        g.duration_ms = 1_000;
        g.log = Some(LogRecord { path: Some(log.into()), sha256: "ab".repeat(32), bytes: 3 });
        g
    }

    fn shard(gates: Vec<GateRecord>) -> RunRecord {
        let mut r = fixtures::run(gates);
        r.program_hash = evidence::program_hash(&program());
        r
    }

    #[test]
    fn a_flaky_gate_keeps_its_outcome_and_attempts_through_a_merge() {
        let flaky = crate::classify::over_attempts(vec![
            ran("unit", "make test", Outcome::Fail, 1, "r/000-unit.log"),
            ran("unit", "make test", Outcome::Pass, 0, "r/000-unit.attempt-2.log"),
        ]);
        let shards = [
            ("a.json".to_string(), shard(vec![flaky.clone()])),
            ("b.json".to_string(), shard(vec![ran("lint", "make lint", Outcome::Pass, 0, "r/000-lint.log")])),
        ];
        let merged = merge(&program(), &shards, std::time::UNIX_EPOCH).unwrap();
        assert_eq!(merged.gate("unit"), Some(&flaky), "attempts, logs and FLAKY kept as recorded");
        assert!(merged.succeeded() && !merged.passed());
        assert_eq!(crate::integrity::record_problems(&merged), Vec::<String>::new());

        // A shard whose FLAKY gate has no failed attempt does not verify, and is refused.
        let mut forged = flaky;
        forged.attempts[0].outcome = Outcome::Pass;
        let shards = [("a.json".to_string(), shard(vec![forged]))];
        let refused = merge(&program(), &shards, std::time::UNIX_EPOCH).unwrap_err();
        assert!(
            refused.contains("a.json does not verify: gate `unit`: is FLAKY but no attempt failed"),
            "{refused}"
        );
    }
}
