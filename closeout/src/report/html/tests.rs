//! The report page as a whole: escaping, anchors, links, sections, self-containment.

use std::collections::HashSet;
use std::path::Path;

use super::*;
use crate::docs::sync::RegionState;
use crate::evidence::{fixtures, GitState, Outcome};
use crate::history::fixtures::run as summary;
use crate::verdict::{Clause, Level};

const HOSTILE: &str = "<script>alert('x')</script> & \"q\"";

fn program() -> Program {
    let text = "[program]\nname = \"P <&> 'n'\"\ndocs = [\"docs/plan.md\"]\n\
        [[gate]]\nid = \"build\"\nrun = '''make \"all\" && echo <done>'''\n\
        [[gate]]\nid = \"unit.test\"\nrun = \"make test\"\n\
        [[gate]]\nid = \"later\"\nrun = \"make later\"\n\
        [[packet]]\nid = \"01\"\ntitle = \"<b>bold</b> & co\"\nstatus = \"DONE\"\nreview = \"APPROVED\"\n\
        [[debt]]\nid = \"DL-2\"\ndescription = \"later <i>\"\nmilestone = \"Next\"\n\
        [[debt]]\nid = \"DL-1\"\ndescription = \"<script>alert('x')</script> & \\\"q\\\"\"\nmilestone = \"Pre-release\"\n";
    crate::config::parse(text, Path::new("c.toml"), Path::new("/r"), &|_| true).unwrap()
}

fn latest() -> RunRecord {
    let gate = |id: &str, cmd: &str, outcome: Outcome, start: u64, ms: u64| {
        let mut g = fixtures::gate(id, cmd, outcome, Some(if outcome == Outcome::Pass { 0 } else { 1 }));
        g.started_at = Some(format!("2026-11-30T12:00:0{}.000Z", start));
        g.duration_ms = ms;
        g.reason = HOSTILE.into();
        g
    };
    let mut run = fixtures::run(vec![
        gate("build", "make \"all\" && echo <done>", Outcome::Pass, 0, 4_000),
        gate("unit.test", "make test", Outcome::Fail, 0, 2_000),
    ]);
    run.run_id = "run-9".into();
    run.started_at = "2026-11-30T12:00:00.000Z".into();
    run.makespan_ms = 4_000;
    run.lower_bound_ms = 4_000;
    run.git = Some(GitState { head: "abc123".into(), dirty: true });
    run
}

fn verdict() -> Verdict {
    let clause = |text: &str, evidence: &[&str]| Clause {
        text: text.into(),
        evidence: evidence.iter().map(|e| e.to_string()).collect(),
    };
    Verdict {
        schema: 1,
        level: Level::NoGo,
        run_id: Some("run-9".into()),
        head: Some("abc123".into()),
        blockers: vec![
            clause("gate `unit.test` failed: <FAIL>", &["run run-9", "gate unit.test"]),
            clause("gate `later` has no evidence", &["run run-9", "gate later"]),
            clause("stale evidence: the run was recorded on a dirty tree", &["run run-9", "commit abc123"]),
            clause("the docs are out of sync", &["docs/plan.md:3 `ledger`"]),
            clause("gone", &["gate nowhere", "debt DL-2"]),
        ],
        conditions: vec![clause("DL-1: open pre-release blocker: <script>", &["debt DL-1"])],
        justification: vec![
            clause("1/1 packets DONE and APPROVED", &["packet 01"]),
            clause("every generated region of the docs is in sync", &["docs/plan.md"]),
        ],
        program: String::new(),
    }
}

fn page() -> String {
    let program = program();
    let latest = latest();
    let runs = vec![
        summary("run-8", 1, &[("build", "PASS", 3_000, None), ("unit.test", "PASS", 2_000, Some(10))]),
        summary("run-9", 2, &[("build", "PASS", 4_000, None), ("unit.test", "FAIL", 2_000, Some(9))]),
    ];
    let regions = vec![DocRegion {
        doc: "docs/plan.md".into(),
        line: 3,
        name: "ledger".into(),
        state: RegionState::ContentDrift,
    }];
    let perf = crate::perf::envelope(&program, &latest, None);
    let problems = vec![HOSTILE.to_string()];
    build(&Input {
        program: &program,
        verdict: &verdict(),
        latest: Some(&latest),
        runs: &runs,
        perf: &perf,
        reference: None,
        evidence_problems: &problems,
        full_record_checked: true,
        regions: Ok(&regions),
        head: Some("def456"),
        generated_at: "2026-11-30T12:01:00.000Z",
    })
}

/// Every value of `attr="…"` in `html`.
fn attributes<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!(" {attr}=\"");
    html.match_indices(&key)
        .map(|(i, _)| {
            let rest = &html[i + key.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn escape_covers_markup_quotes_and_controls() {
    assert_eq!(escape(HOSTILE), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    assert_eq!(escape("a\tb\nc\x1b[31m\r"), "a\tb\nc\\x1b[31m\\x0d");
    assert_eq!(escape("\u{202E}evil"), "\\u{202e}evil", "a bidi override is shown, not obeyed");
    assert_eq!(escape("plain — ü"), "plain — ü");
}

#[test]
fn anchors_are_unique_valid_ids_for_any_text() {
    assert_eq!(anchor("gate", "go-build_1"), "gate-go-build_1");
    assert_eq!(anchor("gate", "a.b"), "gate-a.2Eb");
    assert_eq!(anchor("region", "docs/plan.md:3 `ledger`"), "region-docs.2Fplan.2Emd.3A3.20.60ledger.60");
    assert_ne!(anchor("gate", "a.b"), anchor("gate", "a_b"));
    assert_eq!(
        (anchor("gate", "a b"), anchor("gate", "a.20b")),
        ("gate-a.20b".into(), "gate-a.2E20b".into())
    );
    assert!(anchor("debt", "ü <x>").bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)));
}

#[test]
fn every_text_from_the_program_and_evidence_is_escaped() {
    let html = page();
    assert!(!html.contains("<script"), "no markup from data reaches the page");
    assert!(!html.contains("<b>bold") && !html.contains("<i>"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
    assert!(html.contains("<code>make &quot;all&quot; &amp;&amp; echo &lt;done&gt;</code>"));
    assert!(html.contains("<title>P &lt;&amp;&gt; &#39;n&#39; — certification report</title>"));
}

#[test]
fn the_page_loads_nothing() {
    let html = page();
    assert!(html.contains(&format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">")));
    let csp = html.find("Content-Security-Policy").unwrap();
    assert!(
        csp < html.find("<style>").unwrap() && csp < html.find("<body>").unwrap(),
        "the policy comes first"
    );
    for href in attributes(&html, "href") {
        assert!(href.starts_with('#'), "an in-page link only: {href}");
    }
    assert!(attributes(&html, "src").is_empty(), "no src attribute");
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("@import"));
    for (i, _) in html.match_indices("url(") {
        assert!(html[i..].starts_with("url(#"), "only in-document references: {}", &html[i..i + 20]);
    }
}

#[test]
fn every_link_lands_on_an_element_of_the_page() {
    let html = page();
    let ids: HashSet<&str> = attributes(&html, "id").into_iter().collect();
    let mut hrefs = attributes(&html, "href");
    assert!(hrefs.len() > 10);
    hrefs.retain(|h| !ids.contains(&h[1..]));
    assert_eq!(hrefs, Vec::<&str>::new(), "links without a target");
    let doubled = attributes(&html, "id").len() - ids.len();
    assert_eq!(doubled, 0, "ids are unique");
}

#[test]
fn verdict_clauses_link_to_gates_packets_debt_regions_runs_and_the_commit() {
    let html = page();
    let clause = |start: &str| {
        let i = html.find(start).unwrap_or_else(|| panic!("no clause {start}"));
        &html[i..i + html[i..].find("</li>").unwrap()]
    };
    let failed = clause("gate <code>unit.test</code> failed");
    assert!(failed.contains("&lt;FAIL&gt;"));
    assert!(
        failed.contains("href=\"#timeline\">run run-9</a>") && failed.contains("href=\"#gate-unit.2Etest\"")
    );
    assert!(
        clause("gate <code>later</code> has no evidence").contains("href=\"#gate-later\""),
        "a gate without evidence has a row"
    );
    assert!(clause("stale evidence").contains("href=\"#provenance\">commit abc123</a>"));
    assert!(clause("the docs are out of sync")
        .contains(&format!("href=\"#{}\"", anchor("region", "docs/plan.md:3 `ledger`"))));
    assert!(clause("DL-1: open").contains("href=\"#debt-DL-1\""));
    assert!(clause("1/1 packets").contains("href=\"#packet-01\""));
    assert!(clause("every generated region").contains("href=\"#docs\""));
    let gone = clause("gone");
    assert!(gone.contains("<span>gate nowhere</span>"), "nothing to show: plain text, not a dead link");
    assert!(gone.contains("href=\"#debt-DL-2\""));
    assert!(html.contains("<span class=\"level level-nogo\" id=\"verdict-level\">NO-GO</span>"));
}

#[test]
fn sections_show_provenance_timeline_trends_debt_and_docs() {
    let html = page();
    // Provenance: the record's commit, the dirty flag, HEAD now, the problems found.
    assert!(html.contains("<code>abc123</code>") && html.contains("recorded on a dirty tree"));
    assert!(html.contains("<code>def456</code>") && html.contains("no: 1 problem(s)"));
    // Timeline: both gates started at 0 on two lanes; the lower bound is marked.
    let chart = &html[html.find("<svg id=\"timeline-chart\"").unwrap()..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    assert_eq!(chart.matches("<g class=\"bar ").count(), 2);
    assert!(chart.contains("fill=\"url(#p-fail)\"") && chart.contains("fill=\"url(#p-pass)\""));
    assert!(chart.contains(">✗ unit.test FAIL<") || chart.contains(">✗ unit.test…"), "labelled: {chart}");
    assert!(chart.contains("class=\"bound\"") && chart.contains("lower bound 4.0s"));
    assert!(chart.contains(">job 2<") && !chart.contains(">job 3<"));
    // Gate table: scope attributes for screen readers; the gate without evidence is listed.
    assert!(html.contains("<tr id=\"gate-later\"><th scope=\"row\">later</th><td>no evidence</td>"));
    assert!(html.contains("<th scope=\"col\">Gate</th>") && html.matches("<caption>").count() >= 7);
    // Trends: unit.test went PASS → FAIL: one flip; its tests 10 → 9.
    assert!(html.contains("<td>1/2</td><td>0</td><td>1 (100%)</td>"), "flips");
    assert!(html.contains("aria-label=\"test count over 2 runs: from 9 tests to 10 tests, latest 9 tests\""));
    // Debt: the pre-release blocker first.
    assert!(html.find("id=\"debt-DL-1\"").unwrap() < html.find("id=\"debt-DL-2\"").unwrap());
    // Docs: the drifted region.
    assert!(html.contains("<span class=\"bad\">drift</span>"));
    assert!(html.contains("@media print"));
}

#[test]
fn clause_code_spans_are_code_and_stay_escaped() {
    assert_eq!(
        inline_code("gate `unit.test` failed: <FAIL>"),
        "gate <code>unit.test</code> failed: &lt;FAIL&gt;"
    );
    assert_eq!(inline_code("`<b>` and `a&b`"), "<code>&lt;b&gt;</code> and <code>a&amp;b</code>");
    assert_eq!(
        inline_code("``a`b`` then `"),
        "<code>a`b</code> then `",
        "longer runs; an unclosed tick stays"
    );
    assert_eq!(inline_code("no ticks"), "no ticks");
    // Spans that start or hold characters of several bytes.
    assert_eq!(inline_code("gate `ünit` failed"), "gate <code>ünit</code> failed");
    assert_eq!(inline_code("`✓ reports` and `€`"), "<code>✓ reports</code> and <code>€</code>");
    assert_eq!(inline_code("`ü unclosed"), "`ü unclosed");
    let html = page();
    assert!(html.contains("gate <code>unit.test</code> failed: &lt;FAIL&gt;"), "in the verdict");
    assert!(!html.contains("gate `unit.test`"));
}

#[test]
fn missing_changes_are_dashes_and_no_change_is_never_minus_zero() {
    assert_eq!(
        (percent(None), percent(Some(-0.2)), percent(Some(12.4))),
        ("—".into(), "0%".into(), "+12%".into())
    );
    let html = page();
    let perf = &html[html.find("id=\"perf\"").unwrap()..];
    assert!(perf.contains("<td>—</td>") && !perf.contains("<td>-</td>"), "{perf}");
}

#[test]
fn printing_keeps_headings_and_captions_with_their_tables() {
    let print = &CSS[CSS.find("@media print").unwrap()..];
    let rule = |selectors: &str| {
        print.find(&format!("{selectors}{{")).map(|i| &print[i..i + print[i..].find('}').unwrap()])
    };
    let after = rule("h2,h3,caption,thead,.legend").expect(print);
    assert!(after.contains("break-after:avoid"), "{after}");
    assert!(rule("tr,li,svg,caption").expect(print).contains("break-inside:avoid"));
}

#[test]
fn flaky_reads_as_its_own_mark_not_as_a_pass_or_a_failure() {
    assert_eq!(super::outcome_class("FLAKY"), ("other", "~"));
    assert_eq!(super::outcome_class("PASS").0, "pass");
    assert_eq!(super::outcome_class("TIMEOUT").0, "fail");
    assert_eq!(super::outcome_class("SOMETHING_NEW"), ("other", "!"));
}
