//! Unfilled template values: `<hash>`, `<path>`, `<risk or none>`, `<steps>`, `TBD`,
//! `(this commit)`, `(pending)`. Trackers copy a review template into every packet and fill
//! it when the packet is done; until then these are not values and are never imported.
//! Pure.

/// HTML tags that may stand alone in a cell; `<br>` is a line break, not a template.
const TAGS: &[&str] =
    &["br", "br/", "p", "b", "i", "em", "strong", "code", "sup", "sub", "details", "summary"];

/// Whether `value` (a cell, a list item, a code span) is an unfilled template value.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(['`', '*', '_']).trim();
    let lower = v.to_lowercase();
    if matches!(
        lower.as_str(),
        "tbd" | "tba" | "(this commit)" | "(pending)" | "(tbd)" | "todo" | "xxx" | "..."
    ) {
        return true;
    }
    // `<hash>`, `<risk or none>`, `<command> -> exit <code>`: every word in angle brackets.
    if let Some(inner) = lower.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        return !inner.is_empty()
            && !TAGS.contains(&inner)
            && !inner.contains(['<', '>'])
            && inner.chars().all(|c| c.is_alphanumeric() || " _-/.,|".contains(c));
    }
    false
}

/// Whether `value` holds a template slot anywhere (`` `<command>` -> exit <code> ``), so the
/// line as a whole is unfilled. A slot that is a segment of a path (`data/orgs/<id>/`,
/// `/api/<version>`) is the path's parameter, not a slot.
pub fn has_placeholder(value: &str) -> bool {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let before = rest[..open].chars().next_back();
        let after = &rest[open..];
        match after.find('>') {
            Some(close) => {
                let next = after[close + 1..].chars().next();
                let in_path = before == Some('/') || next == Some('/');
                if !in_path && is_placeholder(&after[..=close]) {
                    return true;
                }
                rest = &after[close + 1..];
            }
            None => return false,
        }
    }
    is_placeholder(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_values_are_placeholders() {
        for v in [
            "<hash>",
            "`<hash>`",
            "<risk or none>",
            "<path>",
            "<steps>",
            "TBD",
            "(this commit)",
            "(pending)",
            "TODO",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["<br>", "abc1234", "none", "`go test ./...`", "<a href=x>", "DONE"] {
            assert!(!is_placeholder(v), "{v}");
        }
        assert!(has_placeholder("`<command>` -> exit <code>"));
        assert!(has_placeholder("- Commit: `<hash>`"));
        assert!(!has_placeholder("line<br>two"));
        // A path's parameter is not a slot; a slot beside a path still is.
        assert!(!has_placeholder("2. File-based tenant isolation (data/orgs/<id>/)."));
        assert!(!has_placeholder("`GET /api/<version>/health`"));
        assert!(has_placeholder("`<path>`: <reason>"));
    }
}
