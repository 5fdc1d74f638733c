//! Packet ids wherever a plan or tracker writes them: `Packet 00`, `Packet RC-00`,
//! `HOP-00`, `SB5-05`, `(Packet 03)`, `(Packets 00-02)`, `` `01` ``. Pure.

/// A packet id on its own: `00`, `RC-00`, `SB5-05`, `TN-11`, `01a`.
pub fn is_packet_id(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 {
        return false;
    }
    // `1.1`, `2.10`: numbered within a phase.
    if s.contains('.') {
        return s.split('.').count() >= 2
            && s.split('.').all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()));
    }
    let (prefix, number) = match s.rsplit_once('-') {
        Some((p, n)) => (p, n),
        None => ("", s),
    };
    let digits = number.trim_end_matches(|c: char| c.is_ascii_lowercase());
    let number_ok = !digits.is_empty() && digits.len() <= 3 && digits.chars().all(|c| c.is_ascii_digit());
    let prefix_ok = prefix.is_empty()
        || (prefix.len() <= 6
            && prefix.starts_with(|c: char| c.is_ascii_uppercase())
            && prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    number_ok && prefix_ok
}

/// A coded id without the word "Packet" (`HOP-00`, not `00`): only these stand alone.
fn is_coded(s: &str) -> bool {
    is_packet_id(s) && s.contains('-')
}

/// The packet a reference names: `Packet 00`, `` `HOP-00` ``, `00` → the id.
pub fn packet_ref(s: &str) -> Option<String> {
    let s = s.trim().trim_matches(['`', '*']).trim();
    let rest = strip_word(s, "packet").unwrap_or(s).trim();
    is_packet_id(rest).then(|| rest.to_string())
}

fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    (head.eq_ignore_ascii_case(word) && s[word.len()..].starts_with(char::is_whitespace))
        .then(|| &s[word.len()..])
}

/// A heading that starts a packet: `Packet 00: Title`, `RBO-00: Title`, `Packet RC-00 —
/// Title`, `DCC-00 Checklist: Title`, `Packet 00 Checklist: Title`. The id and the title.
pub fn packet_heading(text: &str) -> Option<(String, String)> {
    let t = text.trim().trim_matches('*').trim();
    let (named, rest) = match strip_word(t, "packet") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.')).unwrap_or(rest.len());
    let id = rest[..end].trim_end_matches('.');
    let end = id.len();
    if !(if named { is_packet_id(id) } else { is_coded(id) }) {
        return None;
    }
    let after = rest[end..].trim_start();
    let after = after.strip_prefix("Checklist").map(str::trim_start).unwrap_or(after);
    let title = after
        .strip_prefix(':')
        .or_else(|| after.strip_prefix('—'))
        .or_else(|| after.strip_prefix('–'))
        .or_else(|| after.strip_prefix("- "))?;
    Some((id.to_string(), title.trim().to_string()))
}

/// A heading that names its packet after the title, inside a section about packets:
/// `Token rotation (PH-04)`, `Storage cleanup — PH-05`. The id and the title.
pub fn titled_packet_heading(text: &str) -> Option<(String, String)> {
    let t = text.trim().trim_matches('*').trim();
    let (title, id) = if let Some(inner) = t.strip_suffix(')') {
        let (title, id) = inner.rsplit_once('(')?;
        (title, id)
    } else {
        let (title, id) = t.rsplit_once(" — ").or_else(|| t.rsplit_once(" – "))?;
        (title, id)
    };
    let id = id.trim().trim_start_matches("Packet ").trim();
    (is_coded(id) && !title.trim().is_empty()).then(|| (id.to_string(), title.trim().to_string()))
}

/// The packets a heading is about: `Review Evidence (Packet 01)`, `DCC-00 Review
/// Evidence`, `Packet 03 Checklist`, `Checkpoint Commit (Packets 00-02)`, `HOP-06: Title`.
/// `known` are the program's packet ids; a range names the known ids inside it.
pub fn heading_packets(text: &str, known: &[String]) -> Vec<String> {
    if let Some((id, _)) = packet_heading(text) {
        return vec![id];
    }
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "()[],:;`*".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let push = |id: &str, out: &mut Vec<String>| {
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    };
    for (i, w) in words.iter().enumerate() {
        let after_packet = i > 0
            && (words[i - 1].eq_ignore_ascii_case("packet") || words[i - 1].eq_ignore_ascii_case("packets"));
        if after_packet {
            // `Packets 00-02`: a range of plain numbers.
            if let Some((a, b)) = w.split_once('-').filter(|(a, b)| {
                !a.is_empty()
                    && a.chars().all(|c| c.is_ascii_digit())
                    && b.chars().all(|c| c.is_ascii_digit())
            }) {
                let (lo, hi) = (a.parse::<u32>().unwrap_or(0), b.parse::<u32>().unwrap_or(0));
                for k in known {
                    if k.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n)) {
                        push(k, &mut out);
                    }
                }
                continue;
            }
            if is_packet_id(w) {
                push(w, &mut out);
            }
        } else if known.iter().any(|k| k == w) && is_coded(w) {
            push(w, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_every_form() {
        for id in ["00", "01", "RC-00", "SB5-05", "TN-11", "DCC-10"] {
            assert!(is_packet_id(id), "{id}");
        }
        for id in ["", "Packet", "GO", "v2", "2026-02", "abc-01", "1.", "1.2.x"] {
            assert!(!is_packet_id(id), "{id}");
        }
        assert_eq!(packet_ref("Packet 01").as_deref(), Some("01"));
        assert_eq!(packet_ref("`HOP-00`").as_deref(), Some("HOP-00"));
    }

    #[test]
    fn headings_that_start_packets() {
        let h = |t: &str| packet_heading(t).map(|(i, t)| format!("{i}|{t}"));
        assert_eq!(h("Packet 00: Surface Inventory").as_deref(), Some("00|Surface Inventory"));
        assert_eq!(h("RBO-00: Scope Freeze").as_deref(), Some("RBO-00|Scope Freeze"));
        assert_eq!(h("Packet RC-00 — Title").as_deref(), Some("RC-00|Title"));
        assert_eq!(h("DCC-00 Checklist: Scope").as_deref(), Some("DCC-00|Scope"));
        assert_eq!(h("Packet 03 Checklist: Storage").as_deref(), Some("03|Storage"));
        assert_eq!(h("HW-08 Verdict: GO_WITH_CONDITIONS"), None);
        assert_eq!(h("00: not a packet without the word"), None);
        assert_eq!(h("Phase 1: Scope"), None);
        assert_eq!(h("Packet 1.1: Inventory").as_deref(), Some("1.1|Inventory"));
        let t = |t: &str| titled_packet_heading(t).map(|(i, t)| format!("{i}|{t}"));
        assert_eq!(t("Token rotation (PH-04)").as_deref(), Some("PH-04|Token rotation"));
        assert_eq!(t("Storage cleanup — PH-05").as_deref(), Some("PH-05|Storage cleanup"));
        assert_eq!(t("Appendix (v2)"), None);
    }

    #[test]
    fn headings_about_packets() {
        let known: Vec<String> = ["00", "01", "02", "03", "DCC-00"].iter().map(|s| s.to_string()).collect();
        assert_eq!(heading_packets("Review Evidence (Packet 01)", &known), ["01"]);
        assert_eq!(heading_packets("Checkpoint Commit (Packets 00-02)", &known), ["00", "01", "02"]);
        assert_eq!(heading_packets("DCC-00 Review Evidence", &known), ["DCC-00"]);
        assert!(heading_packets("Review Evidence", &known).is_empty());
    }
}
