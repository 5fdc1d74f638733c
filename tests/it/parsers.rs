//! Every parser on the real runner outputs in tests/fixtures/runner-output (copied from
//! shared/fixtures), plus cases of our own: `index.tsv` names each file's command and exit
//! code; `<file>.expected` holds what the parser and the classifier make of it.

use closeout::classify::{classify, Ending};
use closeout::model::ParserKind;
use closeout::parse::parse_text;

use crate::support::{expect_file, fixtures};

#[test]
fn parsers_and_classification_on_real_outputs() {
    let dir = fixtures().join("runner-output");
    let index = std::fs::read_to_string(dir.join("index.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for row in index.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (file, command, exit) = (cols[0], cols[1], cols[2].parse::<i32>().unwrap());
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let parsed = parse_text(ParserKind::Auto, command, &text);
        let ending = Ending::Exited(exit);
        let (outcome, reason) = classify(&ending, text.len() as u64, true, &parsed);
        let tests: Vec<String> = parsed.tests.iter().map(|t| format!("{}={:?}", t.name, t.status)).collect();
        let excerpts: Vec<String> = parsed
            .tests
            .iter()
            .filter_map(|t| {
                Some(format!("  {}:\n    {}", t.name, t.excerpt.as_ref()?.replace('\n', "\n    ")))
            })
            .collect();
        let actual = format!(
            "command: {command}\nparser: {}\noutcome: {outcome}\nreason: {reason}\ncounts: {}\nfailing: {:?}\nclosing: {}\ntests: {tests:?}\nexcerpts:\n{}",
            parsed.parser,
            parsed.counts.as_ref().map_or("none".into(), |c| serde_json::to_string(c).unwrap()),
            parsed.failing,
            parsed.closing,
            excerpts.iter().map(|e| format!("{e}\n")).collect::<String>(),
        );
        let expected = dir.join(format!("{file}.expected"));
        if let Some(diff) = expect_file(&expected, &actual) {
            failures.push(diff);
        }
        count += 1;
    }
    assert!(count >= 15, "index.tsv lists {count} fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
