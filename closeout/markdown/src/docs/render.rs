//! Markdown rendering for generated regions, in the form prettier writes (so a formatter
//! leaves closeout's default layout alone). Tables are rendered here, not by a generic
//! printer: `|` and `\` escaped (also in code spans), a newline in a cell becomes `<br>`,
//! a lone carriage return `&#13;`, columns aligned as prettier aligns them (widths from
//! `docs::width`), no trailing spaces; lists have a blank line around them. Pure.

/// A piece of a table cell: plain text or a code span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Code(String),
    /// Struck-out text: `~~old~~`.
    Struck(String),
}

pub type Cell = Vec<Inline>;

use super::width::width;

pub fn text(s: impl Into<String>) -> Cell {
    vec![Inline::Text(s.into())]
}

pub fn code(s: impl Into<String>) -> Cell {
    vec![Inline::Code(s.into())]
}

/// Free text from closeout.toml, where `` `x` `` marks code as it does in markdown: the
/// code spans become code, the rest is text (an unmatched backtick stays text).
pub fn prose(s: &str) -> Cell {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('`') {
        let ticks = rest[open..].chars().take_while(|&c| c == '`').count();
        let fence = &rest[open..open + ticks];
        let after = &rest[open + ticks..];
        // The closing run must be exactly as long as the opening one.
        let close = after
            .match_indices(fence)
            .find(|(i, _)| !after[i + ticks..].starts_with('`') && (*i == 0 || !after[..*i].ends_with('`')));
        let Some((close, _)) = close else { break };
        if open > 0 {
            out.push(Inline::Text(rest[..open].to_string()));
        }
        let content = &after[..close];
        let content = if content.len() > 2 && content.starts_with(' ') && content.ends_with(' ') {
            &content[1..content.len() - 1]
        } else {
            content
        };
        out.push(Inline::Code(content.to_string()));
        rest = &after[close + ticks..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(Inline::Text(rest.to_string()));
    }
    out
}

/// A cell's pieces as one line of markdown outside a table (a list item): code spans
/// keep their pipes unescaped there.
pub fn line(pieces: &Cell) -> String {
    let mut out = String::new();
    for piece in &merged(pieces) {
        match piece {
            Inline::Text(t) => out.push_str(&escape_text_keep_spaces(t)),
            Inline::Code(c) => out.push_str(&code_spans(&escape_code_controls(c), false)),
            Inline::Struck(t) => out.push_str(&format!("~~{}~~", escape_text(t))),
        }
    }
    out.trim().to_string()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The header, the delimiter line and one line per row, every column padded to its
/// widest cell (at least 3) as prettier pads it: `| ID  | Note |`, `| --- | ---- |`.
/// LF line endings.
pub fn table(t: &Table) -> String {
    let header: Vec<String> = t.header.iter().map(|h| escape_text(h)).collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<String> = row.iter().map(cell).collect();
            cells.resize(header.len(), String::new());
            cells
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h).max(3)).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(c));
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(width(c)))))
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let mut out = line(&header);
    out.push_str(&line(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>()));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// Adjacent code spans cannot be written apart in markdown (their backticks run
/// together), so they are one span, as a markdown reader would make them.
pub fn merged(pieces: &Cell) -> Cell {
    let mut out: Cell = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(Inline::Code(prev)), Inline::Code(next)) => prev.push_str(next),
            (Some(Inline::Text(prev)), Inline::Text(next)) => prev.push_str(next),
            (_, Inline::Struck(t)) if t.trim().is_empty() => {}
            _ => out.push(piece.clone()),
        }
    }
    out
}

/// One cell's markdown.
pub fn cell(pieces: &Cell) -> String {
    let mut out = String::new();
    for piece in &merged(pieces) {
        match piece {
            Inline::Text(t) => out.push_str(&escape_text_keep_spaces(t)),
            Inline::Struck(t) => out.push_str(&format!("~~{}~~", escape_text(t))),
            Inline::Code(c) => {
                // Nothing can be escaped inside a code span: control characters other than
                // the line ending and tab are shown as `\xNN` (a doc never holds ESC or BEL).
                let c = escape_code_controls(c);
                let lines: Vec<&str> = c.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
                let spans: Vec<String> = lines.iter().map(|l| code_spans(l, true)).collect();
                out.push_str(&spans.join("<br>"));
            }
        }
    }
    out.trim().to_string()
}

/// Escape text so that markdown reads it back as exactly this text (trimmed).
/// Control characters but newline, carriage return and tab, and bidirectional controls,
/// as visible text (`\xNN`, `\u{NNNN}`).
fn escape_code_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let keep = |c: char| matches!(c, '\n' | '\r' | '\t');
    if !s.chars().any(|c| (c.is_control() && !keep(c)) || crate::redact::is_bidi_control(c)) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            out.push_str(&crate::redact::escape_controls(c.encode_utf8(&mut [0; 4])));
        }
    }
    std::borrow::Cow::Owned(out)
}

pub fn escape_text(s: &str) -> String {
    escape_text_keep_spaces(s.trim())
}

/// [`escape_text`] without trimming, for a piece between code spans.
fn escape_text_keep_spaces(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<&char>| j.is_some_and(|c| c.is_alphanumeric());
        match c {
            // A carriage return is a line ending to markdown: the one of a CRLF goes with
            // its `<br>`, a lone one is written as a character reference.
            '\r' if chars.get(i + 1) == Some(&'\n') => {}
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("<br>"),
            // Markdown shows a run of spaces and tabs as one space, and prettier writes it
            // so: a second one is not written.
            ' ' | '\t' if i > 0 && matches!(chars[i - 1], ' ' | '\t') => {}
            '\t' => out.push(' '),
            '\\' | '|' | '`' | '*' | '[' | ']' | '<' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // Only an entity-like `&name;` needs its ampersand escaped.
            '&' if looks_like_entity(&chars[i + 1..]) => out.push_str("\\&"),
            // Intraword underscores never make emphasis (`DRIFT_ACCEPTED` stays as is).
            '_' if !(word(i.checked_sub(1).and_then(|j| chars.get(j))) && word(chars.get(i + 1))) => {
                out.push_str("\\_");
            }
            // ESC, BEL and bidirectional controls never reach a doc raw: shown as `\xNN`
            // (its backslash escaped for markdown).
            c if c.is_control() || crate::redact::is_bidi_control(c) => {
                out.push('\\');
                out.push_str(&crate::redact::escape_controls(c.encode_utf8(&mut [0; 4])));
            }
            _ => out.push(c),
        }
    }
    out
}

fn looks_like_entity(rest: &[char]) -> bool {
    let name = rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '#').count();
    name > 0 && rest.get(name) == Some(&';')
}

/// A code span holding exactly `content` inside a table cell.
pub fn code_span(content: &str) -> String {
    code_span_with(content, true)
}

/// A code span outside a table, where `\|` would show literally.
pub fn code_span_plain(content: &str) -> String {
    code_span_with(content, false)
}

/// Code spans for `content`, a lone carriage return between them as `&#13;` (a code
/// span cannot hold a line ending).
fn code_spans(content: &str, in_table: bool) -> String {
    content.split('\r').map(|part| code_span_with(part, in_table)).collect::<Vec<_>>().join("&#13;")
}

fn code_span_with(content: &str, in_table: bool) -> String {
    if content.is_empty() {
        return String::new();
    }
    // As prettier writes it: the fewest backticks that no run in the content has.
    let runs: Vec<usize> = content.split(|c| c != '`').map(str::len).filter(|&n| n > 0).collect();
    let ticks = (1..).find(|n| !runs.contains(n)).unwrap_or(1);
    let fence = "`".repeat(ticks);
    let escaped = if in_table { content.replace('|', "\\|") } else { content.to_string() };
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && content.trim() != "");
    if pad {
        format!("{fence} {escaped} {fence}")
    } else {
        format!("{fence}{escaped}{fence}")
    }
}

/// Blank line, body, blank line: how every region's content is laid out, with a blank
/// line before and after each list (as prettier writes it and markdownlint's MD032 asks).
pub fn block(body: &str) -> String {
    let is_item = |l: &str| {
        l.starts_with("- ") || {
            let digits = l.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && l[digits..].starts_with(". ")
        }
    };
    let mut out = String::from("\n");
    let mut prev: Option<&str> = None;
    for l in body.trim_end_matches('\n').split('\n') {
        if let Some(p) = prev {
            if !p.is_empty() && !l.is_empty() && is_item(p) != is_item(l) {
                out.push('\n');
            }
        }
        out.push_str(l);
        out.push('\n');
        prev = Some(l);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_never_reach_a_doc_raw() {
        let raw = |s: &str| s.chars().any(|c| c == '\u{1b}' || c == '\u{7}' || c == '\u{202e}');
        let text = cell(&vec![Inline::Text("bell \u{7} esc \u{1b}[2J \u{202e}x".into())]);
        assert!(!raw(&text), "{text:?}");
        assert!(
            text.contains("\\\\x07") && text.contains("\\\\x1b") && text.contains("\\\\u{202e}"),
            "{text}"
        );
        for rendered in [cell(&code("printf '\u{1b}[31m' \u{7}")), line(&code("a\u{1b}b\u{202e}"))] {
            assert!(!raw(&rendered), "{rendered:?}");
            assert!(rendered.contains("\\x1b"), "{rendered}");
        }
        // Tabs and line endings keep their meaning.
        assert_eq!(cell(&code("a\nb")), "`a`<br>`b`");
    }

    #[test]
    fn escapes_markdown_in_text() {
        assert_eq!(escape_text("a|b"), "a\\|b");
        assert_eq!(escape_text("DRIFT_ACCEPTED"), "DRIFT_ACCEPTED");
        assert_eq!(escape_text("_x_ *y*"), "\\_x\\_ \\*y\\*");
        assert_eq!(escape_text("line\nnext"), "line<br>next");
        assert_eq!(escape_text("C:\\dir <br>"), "C:\\\\dir \\<br>");
        assert_eq!(escape_text("a -> b & c &amp;"), "a -> b & c \\&amp;");
    }

    #[test]
    fn runs_of_spaces_are_one_space_as_prettier_writes_them() {
        assert_eq!(escape_text("a  b\tc \t d"), "a b c d");
        assert_eq!(cell(&prose("x  `a  b`  y")), "x `a  b` y");
    }

    #[test]
    fn code_spans_hold_pipes_and_backticks() {
        assert_eq!(code_span("go test -run \"A|B\""), "`go test -run \"A\\|B\"`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("`x"), "`` `x ``");
    }

    #[test]
    fn prose_keeps_code_spans() {
        assert_eq!(
            prose("build failure: `backup_guard_test.go` fixed"),
            vec![
                Inline::Text("build failure: ".into()),
                Inline::Code("backup_guard_test.go".into()),
                Inline::Text(" fixed".into())
            ]
        );
        assert_eq!(
            prose("a ``x`y`` b"),
            vec![Inline::Text("a ".into()), Inline::Code("x`y".into()), Inline::Text(" b".into())]
        );
        assert_eq!(prose("odd ` tick"), vec![Inline::Text("odd ` tick".into())]);
        assert_eq!(line(&prose("`a|b` -> ok")), "`a|b` -> ok");
        assert_eq!(cell(&prose("`a|b` -> ok")), "`a\\|b` -> ok");
    }

    #[test]
    fn renders_tables_aligned_as_prettier_does() {
        let t = Table {
            header: vec!["ID".into(), "Note".into()],
            rows: vec![vec![code("x"), text("")], vec![text("中文"), text("a|b ✅")]],
        };
        assert_eq!(
            table(&t),
            "| ID   | Note    |\n| ---- | ------- |\n| `x`  |         |\n| 中文 | a\\|b ✅ |\n"
        );
    }

    #[test]
    fn a_lone_carriage_return_is_escaped_not_dropped() {
        assert_eq!(cell(&text("a\rb\r\nc")), "a&#13;b<br>c");
        assert_eq!(cell(&code("a\rb")), "`a`&#13;`b`");
        assert_eq!(line(&prose("x\ry")), "x&#13;y");
    }

    #[test]
    fn code_spans_take_the_fewest_backticks_prettier_would() {
        assert_eq!(code_span("a``b"), "`a``b`");
        assert_eq!(code_span("a`b``c"), "```a`b``c```");
    }

    #[test]
    fn blocks_put_blank_lines_around_lists() {
        assert_eq!(block("Label:\n- a\n- b\nAfter\n"), "\nLabel:\n\n- a\n- b\n\nAfter\n\n");
        assert_eq!(block("Run:\n1. x\n\nok\n"), "\nRun:\n\n1. x\n\nok\n\n");
    }
}
