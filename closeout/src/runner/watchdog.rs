//! Gates die with closeout. A SIGKILLed closeout cannot end its gates, so a small guard
//! process (`sh`, in its own session, deaf to terminal signals) is told every gate's
//! process group as it starts and ends. When closeout's end of the pipe closes without
//! the groups having been released (closeout was killed, crashed, or lost its final write),
//! the guard sends SIGTERM to every group still listed, then SIGKILL after `grace`.
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

/// The guard's script: read `+ PGID` / `- PGID` lines; at EOF end what is still listed.
const SCRIPT: &str = r#"trap '' HUP INT QUIT TERM PIPE
live=' '
while read -r op g; do
  case $op in
    +) live="$live$g " ;;
    -) n=' '; for x in $live; do [ "$x" = "$g" ] || n="$n$x "; done; live=$n ;;
  esac
done
[ "$live" = ' ' ] && exit 0
for g in $live; do kill -s TERM -- "-$g" 2>/dev/null; done
sleep "$1"
for g in $live; do kill -s KILL -- "-$g" 2>/dev/null; done
"#;

pub struct Watchdog {
    child: Child,
    stdin: Mutex<Option<ChildStdin>>,
    /// Process groups the guard was told about: gates, and adopted orphans' groups.
    listed: Mutex<HashSet<i32>>,
}

impl Watchdog {
    /// Start the guard. `None` when it cannot start: the run goes on, unguarded.
    pub fn start(grace: Duration) -> Option<Watchdog> {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(SCRIPT)
            .arg("closeout-watchdog")
            .arg(format!("{:.3}", grace.as_secs_f64()))
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
        Some(Watchdog { child, stdin: Mutex::new(stdin), listed: Mutex::new(HashSet::new()) })
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
        self.stdin.lock().unwrap().take();
        let _ = self.child.wait();
    }
}
