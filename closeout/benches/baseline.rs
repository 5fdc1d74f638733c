//! The baseline runner's performance targets, measured against the tools people use
//! today. Run with `cargo bench -p closeout --bench baseline`; it prints a markdown table
//! for docs/performance.md and exits 1 if a target is missed.
//!
//! - overhead per gate over a bare `sh -c true`, on 200 trivial gates (vs xargs -P, GNU parallel)
//! - makespan against the lower bound on three sleep workloads (vs xargs -P in input order)
//! - peak RSS while a gate prints 1 GiB, with the log's size and sha256 checked
//! - time to report a timed-out gate whose grandchild holds the pipe, and survivors

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use closeout::evidence::RunRecord;
use sha2::Digest;

const BIN: &str = env!("CARGO_BIN_EXE_closeout");

fn main() {
    let work = std::env::temp_dir().join(format!("closeout-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut missed = Vec::new();
    println!(
        "closeout baseline benchmarks ({} cores)\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    overhead(&work, &mut missed);
    makespan(&work, &mut missed);
    memory(&work, &mut missed);
    timeout(&work, &mut missed);

    let _ = std::fs::remove_dir_all(&work);
    if missed.is_empty() {
        println!("\nall targets met");
    } else {
        println!("\ntargets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}

fn program(dir: &Path, run: &str, gates: &[(String, String, &str)]) {
    std::fs::create_dir_all(dir).unwrap();
    let mut text = format!("[program]\nname = \"bench\"\n[run]\n{run}\n");
    for (id, cmd, extra) in gates {
        text.push_str(&format!("\n[[gate]]\nid = \"{id}\"\nrun = '''{cmd}'''\nparser = \"none\"\n{extra}\n"));
    }
    std::fs::write(dir.join("closeout.toml"), text).unwrap();
}

fn run_closeout(dir: &Path, args: &[&str]) -> (Duration, RunRecord) {
    let clock = Instant::now();
    let out = Command::new(BIN).arg("baseline").arg("--json").args(args).current_dir(dir).output().unwrap();
    let wall = clock.elapsed();
    let text = String::from_utf8(out.stdout).unwrap();
    (wall, RunRecord::from_json(&text, Path::new("stdout")).unwrap())
}

fn shell(script: &str) -> Duration {
    let clock = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
    clock.elapsed()
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn overhead(work: &Path, missed: &mut Vec<String>) {
    const GATES: usize = 200;
    const ROUNDS: usize = 7;
    println!("## Overhead: {GATES} gates of `true`, median of {ROUNDS} rounds\n");
    println!("| jobs | bare `sh -c true` loop | closeout | per-gate overhead | xargs -P | GNU parallel |");
    println!("|---|---|---|---|---|---|");
    let gates: Vec<_> = (0..GATES).map(|i| (format!("g{i}"), "true".to_string(), "")).collect();
    for jobs in [1, 2] {
        let dir = work.join(format!("overhead-{jobs}"));
        program(&dir, &format!("jobs = {jobs}"), &gates);
        let bare = median(
            (0..ROUNDS)
                .map(|_| {
                    // The floor: spawn and wait for `sh -c true` from Rust, `jobs` at a time.
                    let clock = Instant::now();
                    std::thread::scope(|s| {
                        for w in 0..jobs {
                            s.spawn(move || {
                                for _ in (w..GATES).step_by(jobs) {
                                    Command::new("sh").args(["-c", "true"]).status().unwrap();
                                }
                            });
                        }
                    });
                    clock.elapsed()
                })
                .collect(),
        );
        let closeout = median((0..ROUNDS).map(|_| run_closeout(&dir, &[]).0).collect());
        let xargs = median(
            (0..ROUNDS).map(|_| shell(&format!("seq {GATES} | xargs -P{jobs} -I{{}} sh -c true"))).collect(),
        );
        let parallel = if have("parallel") {
            ms(median(
                (0..3).map(|_| shell(&format!("seq {GATES} | parallel -j{jobs} sh -c true"))).collect(),
            ))
        } else {
            "not installed".into()
        };
        let per_gate = closeout.saturating_sub(bare) / GATES as u32;
        println!(
            "| {jobs} | {} | {} | {} | {} | {parallel} |",
            ms(bare),
            ms(closeout),
            ms(per_gate),
            ms(xargs)
        );
        if per_gate > Duration::from_millis(2) {
            missed.push(format!("overhead {} per gate at -j{jobs} (target 2 ms)", ms(per_gate)));
        }
    }
    println!("\nTarget: at most 2 ms per gate over the bare loop.\n");
}

fn makespan(work: &Path, missed: &mut Vec<String>) {
    const JOBS: usize = 2;
    let workloads: [(&str, Vec<f64>); 3] = [
        ("longest listed last", vec![0.3, 0.3, 0.3, 0.3, 0.3, 1.5]),
        ("mixed", vec![0.8, 0.2, 0.6, 0.1, 0.5, 0.3, 0.4, 0.2, 0.4, 0.3]),
        ("two long, many short", vec![0.15, 0.15, 0.15, 0.15, 1.0, 0.15, 0.15, 0.15, 0.15, 1.0, 0.15, 0.15]),
    ];
    println!("## Makespan on {JOBS} jobs: sleep workloads, second run (durations recorded by the first)\n");
    println!("| workload | gates | lower bound | closeout makespan | ratio | xargs -P{JOBS} (input order) |");
    println!("|---|---|---|---|---|---|");
    for (i, (name, sleeps)) in workloads.iter().enumerate() {
        let dir = work.join(format!("makespan-{i}"));
        let gates: Vec<_> =
            sleeps.iter().enumerate().map(|(j, s)| (format!("s{j}"), format!("sleep {s}"), "")).collect();
        program(&dir, &format!("jobs = {JOBS}"), &gates);
        run_closeout(&dir, &[]);
        let (_, record) = run_closeout(&dir, &[]);
        let ratio = record.makespan_ms as f64 / record.lower_bound_ms as f64;
        let list: Vec<String> = sleeps.iter().map(|s| s.to_string()).collect();
        let xargs = shell(&format!("printf '%s\\n' {} | xargs -P{JOBS} -I{{}} sleep {{}}", list.join(" ")));
        println!(
            "| {name} | {} | {} ms | {} ms | {ratio:.3} | {} |",
            sleeps.len(),
            record.lower_bound_ms,
            record.makespan_ms,
            ms(xargs)
        );
        if ratio > 1.05 {
            missed.push(format!("makespan ratio {ratio:.3} on `{name}` (target 1.05)"));
        }
        if Duration::from_millis(record.makespan_ms) > xargs + Duration::from_millis(50) {
            missed.push(format!("makespan on `{name}` worse than input order"));
        }
    }
    println!(
        "\nTarget: makespan at most 1.05 × max(longest gate, total ÷ jobs), never worse than input order.\n"
    );
}

/// Peak RSS of a child, from wait4(2), in KiB.
#[allow(clippy::zombie_processes, reason = "wait4 reaps the child")]
fn run_with_peak_rss(dir: &Path) -> (Duration, u64, RunRecord) {
    let clock = Instant::now();
    let mut child = Command::new(BIN)
        .args(["baseline", "--json"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let mut status = 0;
    // SAFETY: rusage is plain data written by wait4 for our own child.
    let rusage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(child.id() as i32, &mut status, 0, &mut usage);
        usage
    };
    (clock.elapsed(), rusage.ru_maxrss as u64, RunRecord::from_json(&stdout, Path::new("stdout")).unwrap())
}

fn memory(work: &Path, missed: &mut Vec<String>) {
    const GIB: u64 = 1 << 30;
    let dir = work.join("memory");
    program(
        &dir,
        "",
        &[("loud".into(), format!("yes 'closeout memory benchmark line' | head -c {GIB}"), "")],
    );
    let (wall, peak_kib, record) = run_with_peak_rss(&dir);
    let log = record.gates[0].log.clone().unwrap();
    let path: PathBuf = dir.join(log.path.unwrap());
    let mut file = std::fs::File::open(&path).unwrap();
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    let sha = closeout::runner::process::hex(&hasher.finalize());
    std::fs::remove_file(&path).unwrap();
    let whole = size == GIB && log.bytes == GIB && sha == log.sha256;
    println!("## Memory: one gate prints 1 GiB\n");
    println!("| output | peak RSS (closeout) | wall | log size on disk | sha256 matches |");
    println!("|---|---|---|---|---|");
    println!(
        "| {GIB} bytes | {:.1} MiB | {:.2} s | {size} bytes | {} |",
        peak_kib as f64 / 1024.0,
        wall.as_secs_f64(),
        if sha == log.sha256 { "yes" } else { "NO" }
    );
    println!("\nTarget: peak RSS at most 32 MiB; the log complete and its sha256 correct.\n");
    if peak_kib > 32 * 1024 {
        missed.push(format!("peak RSS {:.1} MiB (target 32 MiB)", peak_kib as f64 / 1024.0));
    }
    if !whole {
        missed.push("1 GiB log incomplete or hash mismatch".into());
    }
}

fn timeout(work: &Path, missed: &mut Vec<String>) {
    let dir = work.join("timeout");
    let pids = dir.join("pids");
    std::fs::create_dir_all(&dir).unwrap();
    let cmd = format!(
        "(trap '' TERM; sleep 300) & echo $! >> {}; echo $$ >> {}; sleep 300",
        pids.display(),
        pids.display()
    );
    program(&dir, "grace = \"1s\"", &[("hang".into(), cmd, "timeout = \"1s\"")]);
    let (wall, record) = run_closeout(&dir, &[]);
    let survivors: Vec<String> = std::fs::read_to_string(&pids)
        .unwrap_or_default()
        .split_whitespace()
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| !s.rsplit(')').next().unwrap_or("").trim_start().starts_with('Z'))
        })
        .map(String::from)
        .collect();
    println!("## Timeout: grandchild ignores SIGTERM and holds the pipe (timeout 1 s, grace 1 s)\n");
    println!("| outcome | reported after | limit | survivors |");
    println!("|---|---|---|---|");
    println!("| {} | {:.2} s | 3.00 s | {} |", record.gates[0].outcome, wall.as_secs_f64(), survivors.len());
    println!("\nTarget: TIMEOUT within timeout + grace + 1 s, no process left alive.");
    if record.gates[0].outcome.to_string() != "TIMEOUT"
        || wall > Duration::from_secs(3)
        || !survivors.is_empty()
    {
        missed.push("timeout target".into());
    }
}
