//! Risks kept as a list rather than a table: the numbered items under a "Risk register"
//! or "Residual risks" heading, each an id (its number), a description, an optional
//! "Mitigation:" line and a severity from its prose ("Low risk", "High"). Pure.

use super::md::Block;

/// One list-form risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRisk {
    pub id: String,
    pub description: String,
    pub mitigation: Option<String>,
    pub severity: Option<String>,
    pub line: usize,
}

fn is_risk_heading(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("risk") && !t.contains("debt") && !t.contains("mitigat")
}

fn severity(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    ["high", "medium", "low"]
        .iter()
        .find(|w| {
            lower.contains(&format!("{w} risk"))
                || lower.contains(&format!("severity: {w}"))
                || lower.contains(&format!("({w})"))
        })
        .map(|w| w.to_uppercase())
}

/// The numbered risks under risk headings (an ordered list directly in the section).
pub fn read(blocks: &[Block]) -> Vec<ListRisk> {
    let mut out = Vec::new();
    let mut inside: Option<u8> = None;
    let mut n = 0;
    for block in blocks {
        match block {
            Block::Heading { level, text, .. } if inside.is_none_or(|l| *level <= l) => {
                inside = is_risk_heading(text).then_some(*level);
                n = 0;
            }
            Block::Item { text, ordered: true, task: None, line } if inside.is_some() => {
                // A debt item is the ledger's, not a risk.
                if text
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.trim_matches(['`', ':', '*']).starts_with("DL-"))
                {
                    continue;
                }
                n += 1;
                let (description, mitigation) = match text.split_once("Mitigation:") {
                    Some((d, m)) => (d.trim().to_string(), Some(m.trim().to_string())),
                    None => (text.trim().to_string(), None),
                };
                out.push(ListRisk {
                    id: n.to_string(),
                    severity: severity(text),
                    description,
                    mitigation,
                    line: *line,
                });
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::md::blocks;

    #[test]
    fn numbered_risks_with_mitigations() {
        let doc = "## Risk register\n1. Mixed-source mismatch\nMitigation: central map.\n\n2. Silent fallback (Low risk)\n\n## Decision log\n1. Not a risk\n";
        let got = read(&blocks(doc));
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "1");
        assert_eq!(got[0].description, "Mixed-source mismatch");
        assert_eq!(got[0].mitigation.as_deref(), Some("central map."));
        assert_eq!(got[1].severity.as_deref(), Some("LOW"));
    }
}
