//! Gates die with closeout. A SIGKILLed closeout cannot end its gates, so a small guard
//! process (`sh`, in its own session, deaf to terminal signals) is told every gate's
//! process group as it starts and ends. When closeout's end of the pipe closes without
//! the groups having been released (closeout was killed, crashed, or lost its final write),
//! the guard sends SIGTERM to every group still listed, then SIGKILL after `grace`.
//!
//! On Linux each gate's leader also gets a parent-death signal (in `process.rs`), so the
//! leader dies at once even if the guard itself was killed.

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
        Some(Watchdog { child, stdin: Mutex::new(stdin) })
    }

    fn send(&self, line: String) {
        if let Some(stdin) = self.stdin.lock().unwrap().as_mut() {
            let _ = stdin.write_all(line.as_bytes());
            let _ = stdin.flush();
        }
    }

    /// A gate's process group started.
    pub fn watch(&self, pgid: i32) {
        self.send(format!("+ {pgid}\n"));
    }

    /// A gate's process group is gone.
    pub fn release(&self, pgid: i32) {
        self.send(format!("- {pgid}\n"));
    }

    /// The run ended normally: close the pipe and reap the guard, which has nothing to end.
    pub fn finish(mut self) {
        self.stdin.lock().unwrap().take();
        let _ = self.child.wait();
    }
}
