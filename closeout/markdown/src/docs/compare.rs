//! Semantic comparison of a region's committed content with what closeout regenerates:
//! both are parsed with pulldown-cmark into blocks, tables cell by cell, so padding,
//! separator style and trailing whitespace are formatting, not drift. Drift is reported
//! per cell; every drifted region also gets a unified diff with invisible characters shown.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::markers::options;
use super::render::{Cell, Inline};

/// A block of markdown reduced to what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Table {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A paragraph, heading, list item, code block or HTML, as normalized text with a
    /// prefix saying which (`# `, `- `, `1. `, `[x] `).
    Text(String),
}

/// How a committed region relates to its regenerated content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    Identical,
    /// Same content, different bytes (padding, separators, blank lines, line endings).
    FormattingOnly,
    /// Different content, with one item per differing cell, row or block.
    Drift(Vec<Drift>),
}

/// One difference, with the table row (first cell) and column it is in, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub message: String,
    pub row: Option<String>,
    pub column: Option<String>,
}

impl Drift {
    fn block(message: String) -> Drift {
        Drift { message, row: None, column: None }
    }
}

/// What a cell's inline content means, as text: code spans keep their backticks,
/// `<br>` and hard breaks become newlines, whitespace runs become one space.
pub fn normalize_cell(cell: &Cell) -> String {
    let mut out = String::new();
    for piece in &super::render::merged(cell) {
        match piece {
            Inline::Text(t) => out.push_str(t),
            Inline::Struck(t) => {
                out.push_str("~~");
                out.push_str(t.trim());
                out.push_str("~~");
            }
            Inline::Code(c) => {
                let lines: Vec<String> =
                    c.split('\n').map(|l| format!("`{}`", l.trim_end_matches('\r'))).collect();
                out.push_str(&lines.join("\n"));
            }
        }
    }
    collapse(&out)
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.trim().chars() {
        if c == '\n' {
            while out.ends_with(' ') {
                out.pop();
            }
            out.push('\n');
            space = false;
        } else if c.is_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() && !out.ends_with('\n') {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    out
}

/// Parse markdown into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut table: Option<(Vec<String>, Vec<Vec<String>>)> = None;
    let mut row: Vec<String> = Vec::new();
    let mut in_head = false;
    let mut prefix = String::new();
    let mut list_stack: Vec<Option<u64>> = Vec::new();
    let mut link_dest: Vec<String> = Vec::new();

    let flush = |buf: &mut String, prefix: &mut String, out: &mut Vec<Block>| {
        let t = collapse(buf);
        if !t.is_empty() || !prefix.is_empty() {
            out.push(Block::Text(format!("{prefix}{t}")));
        }
        buf.clear();
        prefix.clear();
    };

    for event in Parser::new_ext(text, options()) {
        match event {
            Event::Start(Tag::Table(_)) => table = Some((Vec::new(), Vec::new())),
            Event::End(TagEnd::Table) => {
                if let Some((header, rows)) = table.take() {
                    out.push(Block::Table { header, rows });
                }
            }
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                if let Some((h, _)) = table.as_mut() {
                    *h = std::mem::take(&mut row);
                }
            }
            Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableRow) => {
                if let Some((_, rows)) = table.as_mut() {
                    rows.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => buf.clear(),
            Event::End(TagEnd::TableCell) => {
                row.push(collapse(&buf));
                buf.clear();
                let _ = in_head;
            }
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut buf, &mut prefix, &mut out);
                prefix = format!("{} ", "#".repeat(level as usize));
            }
            Event::Start(Tag::List(start)) => {
                flush(&mut buf, &mut prefix, &mut out);
                list_stack.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut buf, &mut prefix, &mut out);
                list_stack.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut buf, &mut prefix, &mut out);
                let depth = "  ".repeat(list_stack.len().saturating_sub(1));
                prefix = match list_stack.last_mut() {
                    Some(Some(n)) => {
                        let p = format!("{depth}{n}. ");
                        *n += 1;
                        p
                    }
                    _ => format!("{depth}- "),
                };
            }
            Event::TaskListMarker(done) => prefix.push_str(if done { "[x] " } else { "[ ] " }),
            Event::Start(Tag::CodeBlock(_)) => {
                flush(&mut buf, &mut prefix, &mut out);
                prefix = "```\n".into();
            }
            Event::End(TagEnd::CodeBlock) => {
                out.push(Block::Text(format!("{prefix}{buf}")));
                buf.clear();
                prefix.clear();
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::HtmlBlock) => {
                flush(&mut buf, &mut prefix, &mut out)
            }
            Event::Text(t) => buf.push_str(&t),
            Event::Code(c) => {
                buf.push('`');
                buf.push_str(&c);
                buf.push('`');
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                if h.trim().eq_ignore_ascii_case("<br>") || h.trim().eq_ignore_ascii_case("<br/>") {
                    buf.push('\n');
                } else {
                    buf.push_str(h.trim_end_matches('\n'));
                }
            }
            Event::SoftBreak => buf.push(' '),
            Event::HardBreak => buf.push('\n'),
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => buf.push('*'),
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => buf.push_str("**"),
            Event::Start(Tag::Strikethrough) | Event::End(TagEnd::Strikethrough) => buf.push_str("~~"),
            Event::Start(Tag::Link { dest_url, .. }) => {
                buf.push('[');
                link_dest.push(dest_url.to_string());
            }
            Event::End(TagEnd::Link) => {
                buf.push_str(&format!("]({})", link_dest.pop().unwrap_or_default()));
            }
            Event::Rule => {
                flush(&mut buf, &mut prefix, &mut out);
                out.push(Block::Text("---".into()));
            }
            _ => {}
        }
    }
    flush(&mut buf, &mut prefix, &mut out);
    out
}

/// Compare committed content with regenerated content of region `name`.
pub fn compare(name: &str, committed: &str, regenerated: &str) -> Comparison {
    if committed == regenerated {
        return Comparison::Identical;
    }
    let (old, new) = (blocks(committed), blocks(regenerated));
    if old == new {
        return Comparison::FormattingOnly;
    }
    let mut messages = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(Block::Table { header: h1, rows: r1 }), Some(Block::Table { header: h2, rows: r2 })) => {
                table_drift(name, h1, r1, h2, r2, &mut messages);
            }
            (Some(a), Some(b)) if a != b => messages.push(Drift::block(format!(
                "`{name}` block {}: committed {}, regenerated {}",
                j + 1,
                show(a),
                show(b)
            ))),
            (Some(_), Some(_)) => {}
            (Some(a), None) => {
                messages.push(Drift::block(format!("`{name}` committed has extra {}", show(a))))
            }
            (None, Some(b)) => messages.push(Drift::block(format!("`{name}` committed lacks {}", show(b)))),
            (None, None) => unreachable!(),
        }
        i += 1;
        j += 1;
    }
    Comparison::Drift(messages)
}

fn show(block: &Block) -> String {
    match block {
        Block::Table { header, rows } => format!("a table ({}; {} rows)", header.join(" | "), rows.len()),
        Block::Text(t) => format!("`{}`", t.replace('\n', "⏎")),
    }
}

fn table_drift(
    name: &str,
    h1: &[String],
    r1: &[Vec<String>],
    h2: &[String],
    r2: &[Vec<String>],
    messages: &mut Vec<Drift>,
) {
    if h1 != h2 {
        messages.push(Drift::block(format!(
            "`{name}` header: committed `{}`, regenerated `{}`",
            h1.join(" | "),
            h2.join(" | ")
        )));
        return;
    }
    let key = |row: &Vec<String>| row.first().cloned().unwrap_or_default();
    let committed_keys: Vec<String> = r1.iter().map(key).collect();
    let regenerated_keys: Vec<String> = r2.iter().map(key).collect();
    for row in r2 {
        let k = key(row);
        match r1.iter().find(|r| key(r) == k) {
            None => messages.push(Drift {
                message: format!("`{name}` row {k}: missing from the committed table"),
                row: Some(k.clone()),
                column: None,
            }),
            Some(old) => {
                for (c, column) in h2.iter().enumerate() {
                    let (a, b) =
                        (old.get(c).map_or("", String::as_str), row.get(c).map_or("", String::as_str));
                    if a != b {
                        messages.push(Drift {
                            message: format!(
                                "`{name}` row {k}, column {column}: committed `{}`, regenerated `{}`",
                                a.replace('\n', "<br>"),
                                b.replace('\n', "<br>")
                            ),
                            row: Some(k.clone()),
                            column: Some(column.clone()),
                        });
                    }
                }
            }
        }
    }
    for k in committed_keys.iter().filter(|k| !regenerated_keys.contains(k)) {
        messages.push(Drift {
            message: format!("`{name}` row {k}: in the committed table but not in closeout.toml"),
            row: Some(k.clone()),
            column: None,
        });
    }
    if messages.is_empty() && committed_keys != regenerated_keys {
        messages.push(Drift::block(format!("`{name}` rows are in a different order than closeout.toml's")));
    }
}

/// A unified diff (context 3) of committed and regenerated content, headed with the file
/// and region, with `␍` for carriage returns and `·` for trailing spaces.
pub fn unified_diff(file: &str, region: &str, committed: &str, regenerated: &str) -> String {
    let visible = |s: &str| -> String {
        s.split_inclusive('\n')
            .map(|line| {
                let (body, nl) = match line.strip_suffix('\n') {
                    Some(b) => (b, "\n"),
                    None => (line, ""),
                };
                let (body, cr) = match body.strip_suffix('\r') {
                    Some(b) => (b, "␍"),
                    None => (body, ""),
                };
                let trimmed = body.trim_end_matches(' ');
                let dots = "·".repeat(body.len() - trimmed.len());
                format!("{trimmed}{dots}{cr}{nl}")
            })
            .collect()
    };
    let (old, new) = (visible(committed), visible(regenerated));
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("{file} (region {region}, committed)"),
            &format!("{file} (region {region}, regenerated)"),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_and_separators_are_formatting() {
        let a = "\n| ID | Severity |\n| --- | --- |\n| DL-1 | LOW |\n\n";
        let b = "| ID   | Severity |\n|------|----------|\n| DL-1 | LOW      |   \n";
        assert_eq!(compare("ledger", a, b), Comparison::FormattingOnly);
        assert_eq!(compare("ledger", a, a), Comparison::Identical);
    }

    #[test]
    fn drift_is_reported_per_cell() {
        let a = "| ID | Severity |\n| --- | --- |\n| DL-011 | LOW |\n| DL-012 | LOW |\n";
        let b = "| ID | Severity |\n| --- | --- |\n| DL-011 | MEDIUM |\n| DL-013 | LOW |\n";
        let Comparison::Drift(drift) = compare("ledger", a, b) else { panic!() };
        let messages: Vec<&str> = drift.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(drift[0].column.as_deref(), Some("Severity"));
        assert_eq!(
            messages,
            vec![
                "`ledger` row DL-011, column Severity: committed `LOW`, regenerated `MEDIUM`",
                "`ledger` row DL-013: missing from the committed table",
                "`ledger` row DL-012: in the committed table but not in closeout.toml",
            ]
        );
    }

    #[test]
    fn lists_and_text() {
        let blocks = blocks("Files changed:\n- `a.rs`: why\n- [ ] open\n\n1. `x` -> exit 0\n");
        assert_eq!(
            blocks,
            vec![
                Block::Text("Files changed:".into()),
                Block::Text("- `a.rs`: why".into()),
                Block::Text("- [ ] open".into()),
                Block::Text("1. `x` -> exit 0".into()),
            ]
        );
    }

    #[test]
    fn diff_shows_invisible_characters() {
        let diff = unified_diff("plan.md", "ledger", "a\r\nb  \n", "a\nb\n");
        assert!(diff.contains("--- plan.md (region ledger, committed)"), "{diff}");
        assert!(diff.contains("-a␍"), "{diff}");
        assert!(diff.contains("-b··"), "{diff}");
    }
}
