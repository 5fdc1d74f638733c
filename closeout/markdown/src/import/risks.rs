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

/// A section about risks, not a packet whose title mentions them ("Packet 00: Surface
/// Inventory and Risk Register").
fn is_risk_heading(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("risk")
        && !t.contains("debt")
        && !t.contains("mitigat")
        && super::ids::packet_heading(text).is_none()
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

/// A paragraph that names what follows: `=== X ===`, `**X**`, `X:`.
fn is_label(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("===") && t.ends_with("==="))
        || (t.starts_with("**") && t.ends_with("**") && t.len() < 80)
        || (t.ends_with(':') && t.len() < 80)
}

/// The numbered risks under risk headings (an ordered list directly in the section). A
/// section that keeps its risks in a table has its lists for something else.
pub fn read(blocks: &[Block]) -> Vec<ListRisk> {
    let mut out = Vec::new();
    let mut section: Vec<ListRisk> = Vec::new();
    let mut tabled = false;
    let mut inside: Option<u8> = None;
    let mut pseudo = false;
    let mut n = 0;
    for block in blocks {
        match block {
            Block::Heading { level, text, .. } if inside.is_none_or(|l| *level <= l) => {
                if !tabled {
                    out.append(&mut section);
                }
                section.clear();
                tabled = false;
                inside = is_risk_heading(text).then_some(*level);
                pseudo = false;
                n = 0;
            }
            Block::Table(_) if inside.is_some() => tabled = true,
            // Evidence kept in a fence is markdown too: its risk lists count.
            Block::Code { text, line } => {
                for mut r in read(&super::md::blocks(text)) {
                    r.line += line - 1;
                    n += 1;
                    r.id = n.to_string();
                    out.push(r);
                }
            }
            // "=== Accepted Residual Risks ===", "**Residual risks**", "Accepted risks:": a
            // label that starts a list of risks inside another section; another label ends it.
            Block::Paragraph { text, .. } if is_label(text) && (pseudo || inside.is_none()) => {
                // A packet's own "Residual risk:" (the review template) is not a register.
                let lower = text.to_lowercase();
                pseudo = is_risk_heading(text) && (lower.contains("risks") || lower.contains("register"));
                if pseudo {
                    n = 0;
                }
            }
            // "- Impact: LOW — …", "- Mitigation: …" under a numbered risk: its details.
            Block::Item { text, ordered: false, task: None, .. }
                if (inside.is_some() || pseudo) && !section.is_empty() && detail(text).is_some() =>
            {
                let (key, value) = detail(text).unwrap_or_default();
                let last = section.last_mut().expect("not empty");
                match key {
                    "mitigation" if last.mitigation.is_none() => last.mitigation = Some(value),
                    "severity" if last.severity.is_none() => {
                        let word =
                            crate::import::severity_word(value.split_whitespace().next().unwrap_or(""));
                        last.severity = ["HIGH", "MEDIUM", "LOW"].contains(&word.as_str()).then_some(word);
                    }
                    _ => {}
                }
            }
            Block::Item { text, ordered, task: None, line } if inside.is_some() || pseudo => {
                // A debt item is the ledger's, not a risk.
                if text
                    .split_whitespace()
                    .next()
                    .is_some_and(|w| w.trim_matches(['`', ':', '*']).starts_with("DL-"))
                {
                    continue;
                }
                // A bullet is a risk when it starts with its id: "- R-A (High): text".
                let own_id = (!ordered).then(|| bullet_id(text)).flatten();
                if !ordered && own_id.is_none() {
                    continue;
                }
                n += 1;
                let (id, text) = match &own_id {
                    Some((id, rest)) => (id.clone(), rest.as_str()),
                    None => (n.to_string(), text.as_str()),
                };
                let (description, mitigation) = match text.split_once("Mitigation:") {
                    Some((d, m)) => (d.trim().to_string(), Some(m.trim().to_string())),
                    None => (text.trim().to_string(), None),
                };
                section.push(ListRisk { id, severity: severity(text), description, mitigation, line: *line });
            }
            _ => {}
        }
    }
    if !tabled {
        out.append(&mut section);
    }
    out
}

/// `Impact: LOW — why`, `Severity: High`, `Mitigation: how`: a risk's detail line.
fn detail(text: &str) -> Option<(&'static str, String)> {
    let (head, rest) = text.split_once(':')?;
    let key = match head.trim().trim_matches('*').to_lowercase().as_str() {
        "impact" | "severity" => "severity",
        "mitigation" => "mitigation",
        _ => return None,
    };
    Some((key, rest.trim().to_string()))
}

/// `R-A (High): text`, `RK-1: text`: a bullet risk's id (and its text with the severity
/// note kept for `severity`).
fn bullet_id(text: &str) -> Option<(String, String)> {
    let t = text.trim().trim_start_matches("**");
    let end = t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))?;
    let id = &t[..end];
    let ok = (2..=12).contains(&id.len())
        && id.contains('-')
        && id.starts_with(|c: char| c.is_ascii_uppercase())
        && id.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    let rest = t[end..].trim_start_matches("**").trim_start();
    let rest = rest.strip_prefix(':').map(str::to_string).or_else(|| {
        let (note, after) = rest.strip_prefix('(')?.split_once(')')?;
        Some(format!("({note}) {}", after.trim_start().trim_start_matches(':').trim()))
    })?;
    ok.then(|| (id.to_string(), rest.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::md::blocks;

    #[test]
    fn bullets_with_ids_and_nested_details() {
        let doc = "## Risks\n\n- R-A (High): Third-party API rate limits. Packet 01.\n- not a risk\n\n## Residual risks\n\n1. CheckHost not wired.\n   - Impact: LOW — careful.\n   - Mitigation: later.\n";
        let got = read(&blocks(doc));
        let summary: Vec<(String, Option<String>, Option<String>)> =
            got.into_iter().map(|r| (r.id, r.severity, r.mitigation)).collect();
        assert_eq!(
            summary,
            vec![
                ("R-A".to_string(), Some("HIGH".to_string()), None),
                ("1".to_string(), Some("LOW".to_string()), Some("later.".to_string())),
            ]
        );
    }

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
