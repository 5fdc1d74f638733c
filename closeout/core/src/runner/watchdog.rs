//! Gates die with closeout. A SIGKILLed closeout cannot end its gates, so a small guard
//! process (`sh`, in its own session, deaf to terminal signals) is told every gate's
//! process group as it starts and ends. When closeout's end of the pipe closes without
//! closeout having said the run is over (closeout was killed, crashed, or lost its final
//! write), the guard sends SIGTERM to every group still listed, then SIGKILL after `grace`.
//!
//! Every gate also carries the run's token in its environment ([`TOKEN_VAR`]), and every
//! process it starts inherits it, whatever its session, group or parent. The guard sweeps
//! `/proc/*/environ` for the token (Linux) with the same signals, and after `grace` sweeps
//! with SIGKILL until no process carries it: a daemon a gate starts while it is being
//! ended (a SIGTERM handler running `setsid … &`), or one reparented to PID 1 before
//! anyone saw it, is found. Unprivileged and cgroup-free; a process that clears its
//! environment (`env -i`) and leaves the gate's group is not found.
//!
//! On Linux each gate's leader also gets a parent-death signal (in `process.rs`), so the
//! leader dies at once even if the guard itself was killed. A daemon that left its gate's
//! process group (`setsid`) is reparented to closeout (the run's subreaper); the
//! checkpointer hands its group to the guard too ([`Watchdog::adopt_orphans`]).

use std::collections::HashSet;
use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// The environment variable that carries the run tokens of every closeout run a process
/// descends from, separated by spaces (a closeout run inside a gate adds its own).
pub const TOKEN_VAR: &str = "CLOSEOUT_RUN_TOKEN";

/// The guard's script: read `+ PGID` / `- PGID` lines and `.` (the run is over); at EOF
/// without `.`, end the listed groups and every process carrying the token (`$2`).
const SCRIPT: &str = r#"trap '' HUP INT QUIT TERM PIPE
live=' '
over=
while read -r op g; do
  case $op in
    +) live="$live$g " ;;
    -) n=' '; for x in $live; do [ "$x" = "$g" ] || n="$n$x "; done; live=$n ;;
    .) over=1 ;;
  esac
done
[ -n "$over" ] && exit 0
sweep() {
  hit=1
  for f in $(grep -l -s -F -e "$2" /proc/[0-9]*/environ 2>/dev/null); do
    p=${f#/proc/}; p=${p%/environ}
    kill -s "$1" "$p" 2>/dev/null && hit=0
  done
  return $hit
}
for g in $live; do kill -s TERM -- "-$g" 2>/dev/null; done
sweep TERM "$2"
sleep "$1"
for g in $live; do kill -s KILL -- "-$g" 2>/dev/null; done
n=0
while sweep KILL "$2" && [ $n -lt 200 ]; do n=$((n+1)); sleep 0.05; done
"#;

/// A token no other run shares: closeout's pid, the time in nanoseconds, and the address
/// of a fresh allocation.
fn new_token() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let salt = Box::new(0u8);
    format!("closeout-run-{}-{nanos}-{:x}", std::process::id(), &*salt as *const u8 as usize)
}

pub struct Watchdog {
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    /// Process groups the guard was told about: gates, and adopted orphans' groups.
    listed: Mutex<HashSet<i32>>,
    token: String,
}

impl Watchdog {
    /// Start the guard. `None` when it cannot start: the run goes on, unguarded.
    pub fn start(grace: Duration) -> Option<Watchdog> {
        use std::os::unix::process::CommandExt;
        let token = new_token();
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(SCRIPT)
            .arg("closeout-watchdog")
            .arg(format!("{:.3}", grace.as_secs_f64()))
            .arg(&token)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: setsid is async-signal-safe; the guard leaves closeout's session so a
        // hangup or Ctrl-C on closeout's terminal does not reach it.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = cmd.spawn().ok()?;
        let stdin = child.stdin.take();
        Some(Watchdog { child, stdin: Mutex::new(stdin), listed: Mutex::new(HashSet::new()), token })
    }

    /// The value of [`TOKEN_VAR`] for a gate of this run: the tokens of the runs closeout
    /// itself descends from (`inherited`, closeout's own value), then this run's.
    pub fn gate_tokens(&self, inherited: Option<&std::ffi::OsStr>) -> std::ffi::OsString {
        join_tokens(inherited, &self.token)
    }

    fn send(&self, line: String) {
        if let Some(stdin) = self.stdin.lock().unwrap().as_mut() {
            let _ = stdin.write_all(line.as_bytes());
            let _ = stdin.flush();
        }
    }

    /// A gate's process group started.
    pub fn watch(&self, pgid: i32) {
        if self.listed.lock().unwrap().insert(pgid) {
            self.send(format!("+ {pgid}\n"));
        }
    }

    /// A gate's process group is gone.
    pub fn release(&self, pgid: i32) {
        if self.listed.lock().unwrap().remove(&pgid) {
            self.send(format!("- {pgid}\n"));
        }
    }

    /// The guard's pid, which is closeout's child but no orphan.
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Hand the guard the process group of every descendant of closeout (a daemon that
    /// left its gate's group with `setsid`), and drop groups that no longer exist. Never
    /// closeout's own group nor the guard's.
    pub fn adopt_orphans(&self) {
        // SAFETY: getpgid(0) reads this process's own group.
        let own = unsafe { libc::getpgid(0) };
        for pgid in super::orphans::descendant_groups() {
            if pgid > 1 && pgid != own && pgid != self.pid() {
                self.watch(pgid);
            }
        }
        let gone: Vec<i32> = self
            .listed
            .lock()
            .unwrap()
            .iter()
            .copied()
            // SAFETY: signal 0 only checks that the group exists.
            .filter(|g| unsafe { libc::kill(-g, 0) } != 0)
            .collect();
        for g in gone {
            self.release(g);
        }
    }

    /// The run ended and closeout ended what was left: close the pipe and reap the guard.
    pub fn finish(mut self) {
        let listed: Vec<i32> = self.listed.lock().unwrap().drain().collect();
        for g in listed {
            self.send(format!("- {g}\n"));
        }
        self.send(".\n".into());
        self.stdin.lock().unwrap().take();
        let _ = self.child.wait();
    }
}

/// `inherited` (the tokens of the runs closeout descends from), a space, then `own`.
fn join_tokens(inherited: Option<&std::ffi::OsStr>, own: &str) -> std::ffi::OsString {
    let mut value = std::ffi::OsString::new();
    if let Some(outer) = inherited.filter(|v| !v.is_empty()) {
        value.push(outer);
        value.push(" ");
    }
    value.push(own);
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn a_gate_carries_the_tokens_of_every_run_it_descends_from() {
        assert_eq!(join_tokens(None, "t2"), "t2");
        assert_eq!(join_tokens(Some(OsStr::new("")), "t2"), "t2");
        assert_eq!(join_tokens(Some(OsStr::new("t0 t1")), "t2"), "t0 t1 t2");
    }

    #[test]
    fn tokens_differ_between_runs() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("closeout-run-{}-", std::process::id())), "{a}");
    }
}
