//! verify-docs engine time: the docs engine (region scan, generation, comparison and the
//! consistency rules) on the real 42 KB Pulse plan with its tables wrapped in regions,
//! and on generated 1, 10 and 50 MB documents (200 regions per MB). Run with
//! `cargo bench -p closeout --bench docs`; prints a markdown table for
//! docs/performance.md and exits 1 if a target is missed.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use closeout::docs::generate::Evidence;
use closeout::docs::rules::{self, Doc, Oracle};
use closeout::docs::sync;
use closeout::evidence::{GateRecord, Host, Outcome, RunRecord};
use closeout::model::Program;

fn pulse_program() -> Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pulse/closeout.toml");
    let text = std::fs::read_to_string(path).unwrap();
    closeout::config::parse(&text, Path::new("closeout.toml"), Path::new("/pulse"), &|_| true).unwrap()
}

/// A passing run of every gate, as evidence for the `baseline` region.
fn passing_run(program: &Program) -> RunRecord {
    RunRecord {
        schema: closeout::evidence::SCHEMA_VERSION,
        run_id: "bench".into(),
        program: program.name.clone(),
        started_at: "2026-02-08T14:55:00.000Z".into(),
        finished_at: "2026-02-08T14:56:00.000Z".into(),
        closeout_version: "bench".into(),
        host: Host::current(),
        jobs: 2,
        git: None,
        interrupted: false,
        lower_bound_ms: 1,
        makespan_ms: 1,
        program_hash: String::new(),
        shard: None,
        shards: vec![],
        gates: program
            .gates
            .iter()
            .map(|g| GateRecord {
                id: g.id.clone(),
                command: g.run.clone(),
                outcome: Outcome::Pass,
                reason: "exit 0".into(),
                exit_code: Some(0),
                signal: None,
                started_at: None,
                finished_at: None,
                duration_ms: 1,
                parser: "go".into(),
                counts: None,
                failing_tests: vec![],
                log: None,
                known_failure: None,
                tests: vec![],
                tests_omitted: 0,
                attempts: vec![],
            })
            .collect(),
    }
}

/// Time `f` `rounds` times; the median.
fn median(rounds: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..rounds)
        .map(|_| {
            let clock = Instant::now();
            f();
            clock.elapsed()
        })
        .collect();
    times.sort();
    times[rounds / 2]
}

fn verify(text: &str, program: &Program, evidence: Evidence) -> usize {
    let check = sync::check(text, program, evidence, false).expect("valid regions");
    let exists = |_: &str| true;
    let commits = |_: &str| Some(true);
    let oracle = Oracle { commit_exists: &commits, path_exists: &exists };
    let docs = [Doc { path: "plan.md", text }];
    let checked = rules::check(program, "closeout.toml", &docs, evidence, &oracle);
    check.regions.len() + checked.findings.len()
}

/// Wrap the table that follows each named heading in region markers, as `import` does.
fn wrap_tables(plan: &str, kinds: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut pending: Option<&str> = None;
    let mut in_table = false;
    for line in plan.lines() {
        if let Some((_, kind)) = kinds.iter().find(|(h, _)| line.starts_with('#') && line.contains(h)) {
            pending = Some(kind);
        }
        let is_row = line.starts_with('|');
        if is_row && !in_table {
            if let Some(kind) = pending.take() {
                out.push_str(&format!("<!-- closeout:begin {kind} -->\n"));
                in_table = true;
                out.push_str(line);
                out.push('\n');
                continue;
            }
        }
        if !is_row && in_table {
            let kind =
                out.rsplit("<!-- closeout:begin ").next().unwrap().split(' ').next().unwrap().to_string();
            out.push_str(&format!("<!-- closeout:end {kind} -->\n"));
            in_table = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn main() {
    let mut missed = Vec::new();
    let program = pulse_program();
    let latest = passing_run(&program);
    let packets = BTreeMap::new();
    let evidence = Evidence::new(Some(&latest), &packets);
    println!(
        "verify-docs engine benchmarks ({} cores)\n",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/pulse/program-closeout-certification-plan-2026-02.md");
    match std::fs::read_to_string(&corpus) {
        Err(_) => println!("skipped the real plan: {} is absent\n", corpus.display()),
        Ok(plan) => {
            let kinds = [
                ("Global Validation Baseline Results", "baseline"),
                ("Packet Evidence Completeness", "packet-completeness"),
                ("Appendix A", "risks"),
                ("Appendix B", "tracks"),
                ("Appendix I", "ledger"),
            ];
            let wrapped = wrap_tables(&plan, &kinds);
            let regions = closeout::docs::markers::find(&wrapped).unwrap().len();
            let time = median(201, || {
                std::hint::black_box(verify(&wrapped, &program, evidence));
            });
            println!("## The real plan\n");
            println!("| document | size | regions | engine time (median of 201) | target |");
            println!("|---|---|---|---|---|");
            println!(
                "| Pulse plan, tables wrapped in regions | {} KB | {regions} | {:.2} ms | 5 ms |\n",
                wrapped.len() / 1024,
                time.as_secs_f64() * 1e3
            );
            if time > Duration::from_millis(5) {
                missed.push(format!("real plan {:.2} ms (target 5 ms)", time.as_secs_f64() * 1e3));
            }
        }
    }

    // A 5 KB chunk: prose, a table and one packet's review block; one packet per region,
    // since regions do not repeat within a file. Regions are generated once so that the
    // measured run is the common case: everything in sync.
    let mut prose = String::new();
    while prose.len() < 4200 {
        prose.push_str(
            "Evidence-first closeout: every gate has an explicit exit code and `go test ./...` output. ",
        );
    }
    println!("## Generated documents (200 regions per MB, all in sync)\n");
    println!("| size | regions | engine time (median of 21, 11, 5 runs) | per MB | peer: pulldown-cmark parse alone, per MB |");
    println!("|---|---|---|---|---|");
    let mut per_mb = Vec::new();
    let mut parser_per_mb = Vec::new();
    for mb in [1usize, 10, 50] {
        let regions = mb * 200;
        let mut toml = String::from(
            "[program]\nname = \"generated\"\n\n[[gate]]\nid = \"build\"\nrun = \"go build ./...\"\n",
        );
        let mut doc = String::with_capacity(mb << 20);
        for i in 0..regions {
            toml.push_str(&format!(
                "\n[[packet]]\nid = \"P{i:05}\"\ntitle = \"Packet {i}\"\ntests = [\"build\"]\nresidual_risk = [\"None\"]\nrollback = [\"Revert the checkpoint commit\"]\n"
            ));
            doc.push_str(&format!(
                "## Packet P{i:05} Checklist\n\n{prose}\n\n| a | b |\n| --- | --- |\n| `x` | y |\n\n<!-- closeout:begin packet-evidence:P{i:05} -->\n<!-- closeout:end packet-evidence:P{i:05} -->\n\n"
            ));
        }
        let generated =
            closeout::config::parse(&toml, Path::new("closeout.toml"), Path::new("/g"), &|_| true).unwrap();
        let latest = passing_run(&generated);
        let evidence = Evidence::new(Some(&latest), &packets);
        let synced = sync::check(&doc, &generated, evidence, false).expect("valid").updated;
        let rounds = [21, 11, 5][[1, 10, 50].iter().position(|&m| m == mb).unwrap()];
        let time = median(rounds, || {
            std::hint::black_box(verify(&synced, &generated, evidence));
        });
        let parse = median(rounds, || {
            let parser = pulldown_cmark::Parser::new_ext(&synced, closeout::docs::markers::options());
            std::hint::black_box(parser.into_offset_iter().count());
        });
        let size = synced.len() as f64 / (1 << 20) as f64;
        per_mb.push(time.as_secs_f64() / size);
        parser_per_mb.push(parse.as_secs_f64() / size);
        println!(
            "| {size:.1} MB | {regions} | {:.0} ms | {:.1} ms | {:.1} ms |",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() * 1e3 / size,
            parse.as_secs_f64() * 1e3 / size
        );
        if mb == 50 && time > Duration::from_secs(1) {
            missed.push(format!("50 MB in {:.0} ms (target 1 s)", time.as_secs_f64() * 1e3));
        }
    }
    // Linear means no work that grows faster than the document: per-MB time may grow
    // from 1 to 50 MB only as much as the markdown parser's own per-MB time does (caches
    // and memory bandwidth), with 25% slack.
    let spread = per_mb[2] / per_mb[0];
    let parser_spread = parser_per_mb[2] / parser_per_mb[0];
    println!(
        "\nScaling from 1 to 50 MB: per-MB time grows {spread:.2}×; the parser alone grows {parser_spread:.2}× on the same documents."
    );
    if spread > parser_spread * 1.25 {
        missed.push(format!("per-MB time grows {spread:.2}×, parser {parser_spread:.2}× (superlinear work)"));
    }
    println!("Targets: the real plan under 5 ms; 50 MB with 10,000 regions under 1 s; per-MB growth within 1.25× of the parser's.");
    if missed.is_empty() {
        println!("\nall targets met");
    } else {
        println!("\ntargets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}
