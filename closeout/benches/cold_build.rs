//! Cold build of `cargo xtask closeout --help` side by side with a crate that uses only
//! the design card's packages (xshell, serde, toml, anyhow, pulldown-cmark, similar,
//! rayon), each from an empty target directory, in turn, with the same dev profile.
//! Prints wall and CPU seconds (user + sys of the cargo process tree) per run, the
//! medians and the ratio. `COLD_BUILD_RUNS` sets the runs (default 3); a warm-up build
//! of each comes first, not counted. Needs the crates in cargo's cache or the network.
//!
//! It builds the committed tree (`git archive HEAD`), not the work tree.
//!
//! Reproduce: `cargo bench -p closeout --bench cold_build`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CARD_MANIFEST: &str = r#"[package]
name = "card"
version = "0.1.0"
edition = "2021"

[dependencies]
xshell = "0.2"
serde = { version = "1", features = ["derive"] }
toml = "1"
anyhow = "1"
pulldown-cmark = { version = "0.13", default-features = false }
similar = "2"
rayon = "1"

# The same dev profile as the closeout workspace.
[profile.dev]
debug = 0
"#;

const CARD_MAIN: &str = r##"use rayon::prelude::*;

#[derive(serde::Deserialize, Debug)]
struct Config {
    name: String,
}

fn main() -> anyhow::Result<()> {
    let config: Config = toml::from_str("name = \"x\"")?;
    let sh = xshell::Shell::new()?;
    let events = pulldown_cmark::Parser::new("# a").count();
    let diff = similar::TextDiff::from_lines("a\n", "b\n").unified_diff().to_string();
    let sum: usize = (0..10usize).into_par_iter().sum();
    if std::env::args().any(|a| a == "--help") {
        println!("{config:?} {events} {diff} {sum} {}", sh.current_dir().display());
    }
    Ok(())
}
"##;

/// CPU seconds (user + sys) used by finished children so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    secs(usage.ru_utime) + secs(usage.ru_stime)
}

/// Build and run `args` in `dir` from an empty `target`; (wall, cpu) seconds.
fn cold(dir: &Path, target: &Path, args: &[&str]) -> (f64, f64) {
    let _ = std::fs::remove_dir_all(target);
    let cpu = children_cpu();
    let start = Instant::now();
    let out = Command::new("cargo")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let wall = start.elapsed().as_secs_f64();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (wall, children_cpu() - cpu)
}

/// The median: the middle value, or the mean of the two middle ones.
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 0 {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    }
}

fn main() {
    let runs: usize = std::env::var("COLD_BUILD_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().unwrap();
    let scratch: PathBuf = std::env::temp_dir().join(format!("closeout-cold-build-{}", std::process::id()));
    // The committed tree (HEAD), not the work tree: edits in progress neither break nor
    // flatter the figures.
    let workspace = scratch.join("closeout");
    std::fs::create_dir_all(&workspace).unwrap();
    let archive = Command::new("sh")
        .arg("-c")
        .arg(format!("git -C '{}' archive HEAD | tar -x -C '{}'", checkout.display(), workspace.display()))
        .status()
        .unwrap();
    assert!(archive.success(), "git archive HEAD");
    let card = scratch.join("card");
    std::fs::create_dir_all(card.join("src")).unwrap();
    std::fs::write(card.join("Cargo.toml"), CARD_MANIFEST).unwrap();
    std::fs::write(card.join("src/main.rs"), CARD_MAIN).unwrap();
    // The packages both share resolve to the same versions.
    std::fs::copy(workspace.join("Cargo.lock"), card.join("Cargo.lock")).unwrap();
    for dir in [&workspace, &card] {
        let fetched = Command::new("cargo").arg("fetch").current_dir(dir).status().unwrap();
        assert!(fetched.success(), "cargo fetch in {}", dir.display());
    }
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let xtask = ["-q", "xtask", "closeout", "--help"];
    let card_run = ["run", "-q", "--", "--help"];
    let (xtask_target, card_target) = (scratch.join("target-xtask"), scratch.join("target-card"));
    eprintln!("warm-up: one cold build of each, not counted");
    cold(&workspace, &xtask_target, &xtask);
    cold(&card, &card_target, &card_run);

    println!("## Cold build: `cargo xtask closeout --help` against the design card's packages\n");
    println!("{jobs} cores; each build from an empty target directory, in turn; CPU is user + sys.\n");
    println!("| run | xtask wall | xtask CPU | card wall | card CPU | wall ratio | CPU ratio |");
    println!("|---|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    for run in 1..=runs {
        let (xw, xc) = cold(&workspace, &xtask_target, &xtask);
        let (cw, cc) = cold(&card, &card_target, &card_run);
        println!(
            "| {run} | {xw:.1} s | {xc:.1} s | {cw:.1} s | {cc:.1} s | {:.2} | {:.2} |",
            xw / cw,
            xc / cc
        );
        rows.push((xw, xc, cw, cc));
    }
    let col = |f: fn(&(f64, f64, f64, f64)) -> f64| median(rows.iter().map(f).collect());
    let (xw, xc, cw, cc) = (col(|r| r.0), col(|r| r.1), col(|r| r.2), col(|r| r.3));
    let ratio = col(|r| r.1 / r.3);
    println!(
        "| median | {xw:.1} s | {xc:.1} s | {cw:.1} s | {cc:.1} s | {:.2} | {ratio:.2} |",
        col(|r| r.0 / r.2)
    );
    let wall_ratio = col(|r| r.0 / r.2);
    println!(
        "\nRatios (medians of the pairs): wall {wall_ratio:.2}, CPU {ratio:.2}; the target is at most 1.3 ({}).",
        if wall_ratio <= 1.3 && ratio <= 1.3 { "met" } else { "not met" }
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
