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
fn children() -> Vec<i32> {
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
pub fn end_all(grace: Duration) -> usize {
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
        if Instant::now() >= term_until {
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
