//! Ctrl-C: SIGINT, SIGTERM, SIGHUP (a closed terminal, a dropped SSH session) or SIGQUIT
//! to closeout asks running gates to stop (the signal is forwarded to their process
//! groups); a second one kills them at once.

use std::sync::atomic::{AtomicI32, AtomicU8, Ordering};
use std::sync::Arc;

/// Shared stop request, read by every gate's controller.
#[derive(Debug, Default)]
pub struct Cancel {
    level: AtomicU8,
    signal: AtomicI32,
}

impl Cancel {
    /// 0: keep going; 1: stop gracefully (forward [`Cancel::signal`]); 2: kill now.
    pub fn level(&self) -> u8 {
        self.level.load(Ordering::SeqCst)
    }

    pub fn signal(&self) -> i32 {
        match self.signal.load(Ordering::SeqCst) {
            0 => libc::SIGTERM,
            s => s,
        }
    }

    /// Record one more stop request carrying `signal`.
    pub fn request(&self, signal: i32) {
        self.signal.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst).ok();
        let _ = self.level.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| Some((l + 1).min(2)));
    }
}

/// The signals that stop a run.
pub const STOP_SIGNALS: [i32; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Routes the [`STOP_SIGNALS`] to a [`Cancel`] while alive.
pub struct SignalGuard {
    handle: signal_hook::iterator::Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SignalGuard {
    pub fn install(cancel: Arc<Cancel>) -> std::io::Result<SignalGuard> {
        let mut signals = signal_hook::iterator::Signals::new(STOP_SIGNALS)?;
        let handle = signals.handle();
        let thread = std::thread::spawn(move || {
            for signal in signals.forever() {
                cancel.request(signal);
            }
        });
        Ok(SignalGuard { handle, thread: Some(thread) })
    }
}

impl Drop for SignalGuard {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_request_escalates_and_keeps_first_signal() {
        let c = Cancel::default();
        assert_eq!(c.level(), 0);
        c.request(libc::SIGINT);
        assert_eq!((c.level(), c.signal()), (1, libc::SIGINT));
        c.request(libc::SIGTERM);
        c.request(libc::SIGTERM);
        assert_eq!((c.level(), c.signal()), (2, libc::SIGINT));
    }
}
