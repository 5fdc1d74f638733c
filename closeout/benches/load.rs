//! Loading is linear in the number of gates: `closeout status` on programs of 1,000 and
//! 10,000 gates, timed in one run (median of 3). Run with `cargo bench -p closeout --bench
//! load`; exits 1 if 10,000 gates take more than 13 times as long as 1,000 (issue #12).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_closeout");

fn program(dir: &Path, gates: usize) {
    let mut toml = String::from("[program]\nname = \"load\"\n\n");
    for i in 0..gates {
        toml.push_str(&format!("[[gate]]\nid = \"gate-{i}\"\nrun = \"true\"\nparser = \"none\"\n\n"));
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
}

fn status(dir: &Path) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            let out = Command::new(BIN).arg("status").current_dir(dir).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            start.elapsed()
        })
        .collect();
    times.sort();
    times[1]
}

fn main() {
    let base: PathBuf = std::env::temp_dir().join(format!("closeout-bench-load-{}", std::process::id()));
    println!("| gates | status (median of 3) |\n|---|---|");
    let mut measured = Vec::new();
    for gates in [1_000usize, 10_000] {
        let dir = base.join(gates.to_string());
        program(&dir, gates);
        let t = status(&dir);
        println!("| {gates} | {:.3} s |", t.as_secs_f64());
        measured.push(t);
    }
    let ratio = measured[1].as_secs_f64() / measured[0].as_secs_f64();
    println!("\n10,000 ÷ 1,000 gates: {ratio:.1}x (target: at most 13x)");
    let _ = std::fs::remove_dir_all(&base);
    if ratio > 13.0 {
        std::process::exit(1);
    }
}
