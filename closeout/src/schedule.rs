//! Scheduling, pure: order gates longest-first by the median of their recorded durations
//! (gates never seen go first), and predict or bound a run's makespan.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Durations recorded per gate id, newest last, at most [`History::KEEP`] each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    pub gates: BTreeMap<String, Vec<u64>>,
}

impl History {
    pub const KEEP: usize = 10;

    pub fn record(&mut self, id: &str, duration: Duration) {
        let runs = self.gates.entry(id.to_string()).or_default();
        runs.push(duration.as_millis() as u64);
        if runs.len() > Self::KEEP {
            runs.drain(..runs.len() - Self::KEEP);
        }
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
}
