//! Sharding a baseline across a CI matrix, simulated: how evenly 200 gates with recorded
//! durations split into 4, 8 and 16 shares (by duration and, as the stateless peer, by
//! hash), and four shard processes against one machine on a sleep workload. Run with
//! `cargo bench -p closeout --bench shards`; exits 1 if a target is missed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use closeout::schedule::{shard, Job, ShardBy};

const BIN: &str = env!("CARGO_BIN_EXE_closeout");

fn main() {
    let mut missed = Vec::new();
    // 200 gates: mostly 1–100 s, a few 200–300 s, as a Go + TypeScript baseline has.
    let mut seed: u64 = 0x5eed;
    let jobs: Vec<Job> = (0..200)
        .map(|i| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let secs = 1 + (seed >> 33) % 100 + if i % 40 == 0 { 200 } else { 0 };
            Job { id: format!("gate-{i:03}"), exclusive: None, predicted: Some(Duration::from_secs(secs)) }
        })
        .collect();
    let total: Duration = jobs.iter().map(|j| j.predicted.unwrap()).sum();
    let longest = jobs.iter().map(|j| j.predicted.unwrap()).max().unwrap();
    println!(
        "## Split quality: 200 gates, {} s of work, longest gate {} s\n",
        total.as_secs(),
        longest.as_secs()
    );
    println!(
        "| shards | total ÷ N | by duration: largest share | ratio | by hash (peer): largest share | ratio |"
    );
    println!("|---|---|---|---|---|---|");
    for n in [4usize, 8, 16] {
        let bound = (total / n as u32).max(longest);
        let largest = |by| {
            let mut load = vec![Duration::ZERO; n];
            for (i, s) in shard(&jobs, n, by).into_iter().enumerate() {
                load[s] += jobs[i].predicted.unwrap();
            }
            load.into_iter().max().unwrap()
        };
        let (d, h) = (largest(ShardBy::Duration), largest(ShardBy::Hash));
        let ratio = |x: Duration| x.as_secs_f64() / bound.as_secs_f64();
        println!(
            "| {n} | {} s | {} s | {:.3} | {} s | {:.3} |",
            (total / n as u32).as_secs(),
            d.as_secs(),
            ratio(d),
            h.as_secs(),
            ratio(h)
        );
        if ratio(d) > 1.1 {
            missed.push(format!("{n} shards: largest share {:.3}× the bound", ratio(d)));
        }
    }
    println!("\nTarget: by duration, every share within 1.1× of max(total ÷ N, longest gate).\n");

    // Four shard processes against one machine: 24 sleep gates, one job per process.
    let dir = std::env::temp_dir().join(format!("closeout-bench-shards-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sleeps: Vec<f64> = (0..24).map(|i| 0.1 + (i % 5) as f64 * 0.1).collect();
    let mut toml = String::from("[program]\nname = \"shards\"\n[run]\njobs = 1\n");
    for (i, s) in sleeps.iter().enumerate() {
        toml.push_str(&format!("\n[[gate]]\nid = \"s{i:02}\"\nrun = \"sleep {s}\"\nparser = \"none\"\n"));
    }
    std::fs::write(dir.join("closeout.toml"), toml).unwrap();
    let baseline = |args: &[&str], cwd: &Path| {
        Command::new(BIN).arg("baseline").args(args).current_dir(cwd).output().unwrap()
    };
    // The split reads the durations of the run record committed at HEAD.
    std::fs::write(dir.join(".gitignore"), "target/\nshard-*.json\n").unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=bench", "-c", "user.email=bench@example.invalid"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    baseline(&[], &dir); // warm up
    let clock = Instant::now();
    baseline(&[], &dir);
    let single = clock.elapsed();
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "durations"]);
    let clock = Instant::now();
    let children: Vec<_> = (1..=4)
        .map(|k| {
            Command::new(BIN)
                .args(["baseline", "--shard", &format!("{k}/4"), "--out", &format!("shard-{k}.json")])
                .current_dir(&dir)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        c.wait().unwrap();
    }
    let sharded = clock.elapsed();
    let clock = Instant::now();
    let records: Vec<String> = (1..=4).map(|k| format!("shard-{k}.json")).collect();
    let merge = Command::new(BIN).arg("merge").args(&records).current_dir(&dir).output().unwrap();
    let merge_time = clock.elapsed();
    let work: f64 = sleeps.iter().sum();
    println!(
        "## Four shard processes against one machine: 24 sleep gates, {work:.1} s of work, 1 job each\n"
    );
    println!("| one process | four shard processes | ideal (work ÷ 4) | merge |");
    println!("|---|---|---|---|");
    println!(
        "| {:.2} s | {:.2} s | {:.2} s | {:.0} ms |",
        single.as_secs_f64(),
        sharded.as_secs_f64(),
        work / 4.0,
        merge_time.as_secs_f64() * 1e3
    );
    if !merge.status.success() {
        missed.push("merge failed".into());
    }
    if sharded.as_secs_f64() > work / 4.0 * 1.25 + 0.3 {
        missed.push(format!("four shards took {:.2} s", sharded.as_secs_f64()));
    }
    let _ = std::fs::remove_dir_all(&dir);
    if missed.is_empty() {
        println!("\nall targets met");
    } else {
        println!("\ntargets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}
