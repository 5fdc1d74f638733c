//! Scheduling, pure: order gates longest-first by the median of their recorded durations
//! (gates never seen go first), and predict or bound a run's makespan.

use std::collections::BTreeMap;
use std::time::Duration;

/// `target/closeout/history.json`: durations recorded per gate id, newest last, at most
/// [`History::KEEP`] each, for scheduling; and a summary of each recorded run, oldest
/// first, at most [`crate::history::KEEP_RUNS`], for `closeout history` and the report.
/// A file written before `runs` existed loads with none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub gates: BTreeMap<String, Vec<u64>>,
    pub runs: Vec<crate::history::RunSummary>,
}
crate::json::json_object!(History { gates: required, runs: skip_empty });

impl History {
    pub const KEEP: usize = 10;

    pub fn record(&mut self, id: &str, duration: Duration) {
        let runs = self.gates.entry(id.to_string()).or_default();
        runs.push(duration.as_millis() as u64);
        if runs.len() > Self::KEEP {
            runs.drain(..runs.len() - Self::KEEP);
        }
    }

    /// `text` (the file's content) read as a history. Errors: when it is not one (not
    /// JSON, truncated, a value of the wrong kind), serde's message (with its line and
    /// column) and what could still be read of it: every gate under `gates` whose
    /// durations are a list of whole milliseconds, and every entry of `runs` that reads as
    /// a [`crate::history::RunSummary`], so that a damaged file loses no more than it must.
    pub fn read(text: &str) -> Result<History, (History, String)> {
        let problem = match serde_json::from_str::<History>(text) {
            Ok(history) => return Ok(history),
            Err(e) => e.to_string(),
        };
        let mut salvaged = History::default();
        let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
            return Err((salvaged, problem));
        };
        if let Some(serde_json::Value::Object(gates)) = top.get("gates") {
            for (id, durations) in gates {
                if let Ok(durations) = serde_json::from_value::<Vec<u64>>(durations.clone()) {
                    salvaged.gates.insert(id.clone(), durations);
                }
            }
        }
        if let Some(serde_json::Value::Array(runs)) = top.get("runs") {
            salvaged.runs = runs.iter().filter_map(|r| serde_json::from_value(r.clone()).ok()).collect();
        }
        Err((salvaged, problem))
    }

    /// How many durations the history holds, over every gate.
    pub fn durations(&self) -> usize {
        self.gates.values().map(Vec::len).sum()
    }

    /// The median recorded duration of a gate, if it has one.
    pub fn median(&self, id: &str) -> Option<Duration> {
        let runs = self.gates.get(id).filter(|r| !r.is_empty())?;
        let mut sorted = runs.clone();
        sorted.sort_unstable();
        let mid = sorted.len() / 2;
        let ms = if sorted.len() % 2 == 0 { (sorted[mid - 1] + sorted[mid]) / 2 } else { sorted[mid] };
        Some(Duration::from_millis(ms))
    }
}

/// One gate as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub exclusive: Option<String>,
    pub predicted: Option<Duration>,
}

/// Indices of `jobs` in run order: unseen gates first in input order, then the rest by
/// predicted duration, longest first (ties keep input order).
pub fn order(jobs: &[Job]) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..jobs.len()).collect();
    indices.sort_by_key(|&i| match jobs[i].predicted {
        None => (0, std::cmp::Reverse(Duration::ZERO)),
        Some(d) => (1, std::cmp::Reverse(d)),
    });
    indices
}

/// max(longest, total ÷ jobs): no schedule on `workers` can finish sooner.
pub fn lower_bound(durations: &[Duration], workers: usize) -> Duration {
    let total: Duration = durations.iter().sum();
    let longest = durations.iter().max().copied().unwrap_or_default();
    longest.max(total / workers.max(1) as u32)
}

/// The makespan of list-scheduling `order` on `workers`, as the runner does it: each free
/// worker takes the first queued job whose exclusive group is idle. Unknown durations count
/// as zero.
pub fn simulate(jobs: &[Job], order: &[usize], workers: usize) -> Duration {
    let workers = workers.max(1);
    let mut queue: Vec<usize> = order.to_vec();
    // (finish time, job index) of running jobs.
    let mut running: Vec<(Duration, usize)> = Vec::new();
    let mut now = Duration::ZERO;
    let mut makespan = Duration::ZERO;
    while !queue.is_empty() || !running.is_empty() {
        let mut started = true;
        while started && running.len() < workers {
            started = false;
            let busy = |group: &Option<String>| {
                group.is_some() && running.iter().any(|&(_, r)| jobs[r].exclusive == *group)
            };
            if let Some(pos) = queue.iter().position(|&j| !busy(&jobs[j].exclusive)) {
                let j = queue.remove(pos);
                let finish = now + jobs[j].predicted.unwrap_or_default();
                running.push((finish, j));
                makespan = makespan.max(finish);
                started = true;
            }
        }
        // Advance to the next finish.
        let Some(next) = running.iter().map(|&(f, _)| f).min() else { break };
        now = next;
        running.retain(|&(f, _)| f > now);
    }
    makespan
}

crate::vocab::vocab!(
    /// How `--shard` splits the gates.
    ShardBy {
        /// Longest-processing-time first over N bins by recorded durations; gates with
        /// no history are spread round-robin.
        Duration = "duration",
        /// A stable hash of the gate id (or its exclusive group): no history needed.
        Hash = "hash",
    }
);

/// The shard (0-based) of each job, for `shards` shares. Deterministic for the same
/// inputs, so every CI job computes the same split; exclusive groups stay together.
pub fn shard(jobs: &[Job], shards: usize, by: ShardBy) -> Vec<usize> {
    let shards = shards.max(1);
    // Units: an exclusive group is one unit, any other gate is its own.
    let mut units: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        match job.exclusive.as_ref().and_then(|g| units.iter().position(|(k, _)| k == &format!("group:{g}")))
        {
            Some(u) => units[u].1.push(i),
            None => {
                let key = match &job.exclusive {
                    Some(g) => format!("group:{g}"),
                    None => format!("gate:{}", job.id),
                };
                units.push((key, vec![i]));
            }
        }
    }
    let mut assignment = vec![0; jobs.len()];
    match by {
        ShardBy::Hash => {
            for (key, members) in &units {
                let digest = crate::sha256::Sha256::digest(key.as_bytes());
                let n = u64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
                for &m in members {
                    assignment[m] = (n % shards as u64) as usize;
                }
            }
        }
        ShardBy::Duration => {
            let known = |members: &[usize]| -> Option<Duration> {
                members.iter().map(|&m| jobs[m].predicted).sum::<Option<Duration>>()
            };
            let mut timed: Vec<(Duration, usize)> =
                units.iter().enumerate().filter_map(|(u, (_, m))| known(m).map(|d| (d, u))).collect();
            timed.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut load = vec![Duration::ZERO; shards];
            for (d, u) in timed {
                let lightest = (0..shards).min_by_key(|&s| (load[s], s)).expect("at least one shard");
                load[lightest] += d;
                for &m in &units[u].1 {
                    assignment[m] = lightest;
                }
            }
            for (n, (_, members)) in units.iter().filter(|(_, m)| known(m).is_none()).enumerate() {
                for &m in members {
                    assignment[m] = n % shards;
                }
            }
        }
    }
    assignment
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, secs: Option<u64>, exclusive: Option<&str>) -> Job {
        Job { id: id.into(), exclusive: exclusive.map(Into::into), predicted: secs.map(Duration::from_secs) }
    }

    #[test]
    fn unseen_first_then_longest_first() {
        let jobs =
            [job("a", Some(1), None), job("b", None, None), job("c", Some(5), None), job("d", Some(1), None)];
        assert_eq!(order(&jobs), vec![1, 2, 0, 3]);
    }

    #[test]
    fn median_of_recent_runs() {
        let mut h = History::default();
        for ms in [100, 300, 200] {
            h.record("g", Duration::from_millis(ms));
        }
        assert_eq!(h.median("g"), Some(Duration::from_millis(200)));
        h.record("g", Duration::from_millis(1000));
        assert_eq!(h.median("g"), Some(Duration::from_millis(250)));
        for _ in 0..20 {
            h.record("g", Duration::from_millis(1));
        }
        assert_eq!(h.gates["g"].len(), History::KEEP);
        assert_eq!(h.median("x"), None);
    }

    #[test]
    fn a_history_written_before_run_summaries_still_loads() {
        let old: History = serde_json::from_str(r#"{"gates": {"build": [1200, 1300]}}"#).unwrap();
        assert_eq!((old.median("build"), old.runs.len()), (Some(Duration::from_millis(1250)), 0));
        let text = serde_json::to_string(&History::default()).unwrap();
        assert_eq!(text, r#"{"gates":{}}"#, "no runs: the file keeps its old shape");
    }

    #[test]
    fn a_damaged_history_keeps_what_still_reads() {
        let good = r#"{"gates": {"build": [1200, 1300]}, "runs": []}"#;
        assert_eq!(History::read(good).unwrap().median("build"), Some(Duration::from_millis(1250)));
        // One gate's durations of the wrong kind, one run summary without its fields.
        let run = crate::history::fixtures::run("r1", 1, &[("build", "PASS", 1_200, None)]);
        let damaged = format!(
            r#"{{"gates": {{"build": [1200, 1300], "lint": "fast"}}, "runs": [{}, {{"run_id": "half"}}]}}"#,
            serde_json::to_string(&run).unwrap()
        );
        let (kept, problem) = History::read(&damaged).unwrap_err();
        assert!(problem.contains("invalid type: string \"fast\"") && problem.contains("line 1"), "{problem}");
        assert_eq!(kept.gates.keys().collect::<Vec<_>>(), ["build"]);
        assert_eq!((kept.durations(), kept.runs.clone()), (2, vec![run]));
        // Truncated: nothing reads.
        let (kept, problem) = History::read(&good[..20]).unwrap_err();
        assert_eq!(kept, History::default());
        assert!(problem.contains("EOF while parsing"), "{problem}");
    }

    #[test]
    fn longest_last_in_input_is_fixed_by_ordering() {
        // Input order puts the 8s gate last: on 2 workers, input order takes 4+8=12s.
        let jobs: Vec<Job> =
            [2, 2, 2, 2, 8].iter().enumerate().map(|(i, s)| job(&i.to_string(), Some(*s), None)).collect();
        let input: Vec<usize> = (0..jobs.len()).collect();
        assert_eq!(simulate(&jobs, &input, 2), Duration::from_secs(12));
        let planned = order(&jobs);
        assert_eq!(simulate(&jobs, &planned, 2), Duration::from_secs(8));
        let durations: Vec<Duration> = jobs.iter().map(|j| j.predicted.unwrap()).collect();
        assert_eq!(lower_bound(&durations, 2), Duration::from_secs(8));
    }

    #[test]
    fn exclusive_groups_never_overlap() {
        let jobs = [job("a", Some(3), Some("x")), job("b", Some(3), Some("x")), job("c", Some(1), None)];
        assert_eq!(simulate(&jobs, &[0, 1, 2], 3), Duration::from_secs(6));
    }

    #[test]
    fn lpt_shares_are_balanced_and_keep_groups_together() {
        // 200 gates with a spread of durations, as a real baseline has.
        let jobs: Vec<Job> = (0..200)
            .map(|i| {
                let secs = 1 + (i * 37 % 97) as u64 + if i % 50 == 0 { 200 } else { 0 };
                job(&format!("g{i}"), Some(secs), None)
            })
            .collect();
        let total: Duration = jobs.iter().map(|j| j.predicted.unwrap()).sum();
        let longest = jobs.iter().map(|j| j.predicted.unwrap()).max().unwrap();
        for n in [4, 8, 16] {
            let assignment = shard(&jobs, n, ShardBy::Duration);
            let mut load = vec![Duration::ZERO; n];
            for (i, s) in assignment.iter().enumerate() {
                load[*s] += jobs[i].predicted.unwrap();
            }
            let bound = (total / n as u32).max(longest);
            for l in &load {
                assert!(l.as_secs_f64() <= bound.as_secs_f64() * 1.1, "{n} shards: {load:?} vs {bound:?}");
            }
            assert_eq!(assignment, shard(&jobs, n, ShardBy::Duration), "deterministic");
        }
        let grouped = [
            job("a", Some(5), Some("db")),
            job("b", Some(5), Some("db")),
            job("c", Some(1), None),
            job("d", None, None),
        ];
        for by in [ShardBy::Duration, ShardBy::Hash] {
            let a = shard(&grouped, 3, by);
            assert_eq!(a[0], a[1], "{by:?}: an exclusive group stays in one share");
        }
    }

    #[test]
    fn gates_without_history_go_round_robin() {
        let jobs: Vec<Job> = (0..6).map(|i| job(&format!("n{i}"), None, None)).collect();
        assert_eq!(shard(&jobs, 4, ShardBy::Duration), vec![0, 1, 2, 3, 0, 1]);
    }
}
