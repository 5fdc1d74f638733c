//! Processes that escape a gate's process group (`setsid`, a double fork into a new
//! session) would outlive the gate. closeout makes itself their subreaper (Linux), so they
//! are reparented to it instead of init, and ends them when the run ends: SIGTERM, then
//! SIGKILL after `grace`.

use std::time::{Duration, Instant};

/// Become the subreaper of every process this run starts. A no-op off Linux.
pub fn adopt() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes plain integers.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Processes whose parent is this process (reparented orphans; gate leaders are reaped
/// before this is called).
pub fn children() -> Vec<i32> {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()))
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| s.lines().find(|l| l.starts_with("PPid:")).map(|l| l[5..].trim() == me))
                .unwrap_or(false)
        })
        .collect()
}

/// The process groups of every descendant of this process (Linux; empty elsewhere), read
/// from /proc: a daemon that called `setsid` under a gate is found while its gate runs.
pub fn descendant_groups() -> std::collections::HashSet<i32> {
    let mut parent_of = std::collections::HashMap::new();
    let mut group_of = std::collections::HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Default::default() };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
        let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, r)| r).split_whitespace().collect();
        if let (Some(ppid), Some(pgrp)) = (
            fields.get(1).and_then(|f| f.parse::<i32>().ok()),
            fields.get(2).and_then(|f| f.parse::<i32>().ok()),
        ) {
            parent_of.insert(pid, ppid);
            group_of.insert(pid, pgrp);
        }
    }
    let me = std::process::id() as i32;
    let mut groups = std::collections::HashSet::new();
    for &pid in parent_of.keys() {
        let mut p = pid;
        // Walk up at most 64 generations: a descendant reaches closeout.
        for _ in 0..64 {
            match parent_of.get(&p) {
                Some(&pp) if pp == me => {
                    if let Some(&g) = group_of.get(&pid) {
                        groups.insert(g);
                    }
                    break;
                }
                Some(&pp) if pp > 1 => p = pp,
                _ => break,
            }
        }
    }
    groups
}

fn reap_exited() {
    loop {
        // SAFETY: non-blocking wait for any child; no memory is involved beyond `status`.
        let pid = unsafe {
            let mut status = 0;
            libc::waitpid(-1, &mut status, libc::WNOHANG)
        };
        if pid <= 0 {
            return;
        }
    }
}

/// Signal `pid` and, when it leads a process group (a `setsid` daemon does), its group.
fn signal(pid: i32, sig: i32) {
    // SAFETY: signalling processes that are our own children, and their groups.
    unsafe {
        if libc::getpgid(pid) == pid {
            libc::kill(-pid, sig);
        }
        libc::kill(pid, sig);
    }
}

/// End every orphan a gate left behind: SIGTERM to each (and its group), again to those
/// reparented meanwhile, then after `grace` SIGKILL, repeated until none is left (a dying
/// orphan's own children are reparented to closeout in turn). Returns how many there were.
/// Once `kill_now` says so (a second SIGINT/SIGTERM), SIGKILL at once, without the grace.
pub fn end_all(grace: Duration, keep: Option<i32>, kill_now: &dyn Fn() -> bool) -> usize {
    let children = || -> Vec<i32> { children().into_iter().filter(|p| Some(*p) != keep).collect() };
    reap_exited();
    let mut seen = std::collections::HashSet::new();
    let term_until = Instant::now() + grace;
    loop {
        reap_exited();
        let orphans = children();
        if orphans.is_empty() {
            return seen.len();
        }
        for pid in orphans {
            if seen.insert(pid) {
                signal(pid, libc::SIGTERM);
            }
        }
        if Instant::now() >= term_until || kill_now() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill_until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < kill_until {
        reap_exited();
        let orphans = children();
        if orphans.is_empty() {
            break;
        }
        for pid in orphans {
            seen.insert(pid);
            signal(pid, libc::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    seen.len()
}
