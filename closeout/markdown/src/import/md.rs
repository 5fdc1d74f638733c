//! A markdown document as import reads it: headings, tables, lists, paragraphs and code
//! blocks with their 1-based lines, inline content kept as markdown-ish text (code spans
//! in backticks, strikethrough in `~~`). Parsed with pulldown-cmark.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::docs::markers::options;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: u8,
        text: String,
        line: usize,
    },
    Table(Table),
    /// One list item: its text, whether ordered, its task box if any, its line.
    Item {
        text: String,
        ordered: bool,
        task: Option<bool>,
        line: usize,
    },
    Paragraph {
        text: String,
        line: usize,
    },
    Code {
        text: String,
        line: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Lines of the header and of each row; the table spans `first..=last`.
    pub first: usize,
    pub last: usize,
    pub row_lines: Vec<usize>,
}

impl Table {
    /// The column whose header matches one of `names` (case-insensitive, by words).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let h = h.to_lowercase();
            names.iter().any(|n| h == *n || h.replace('-', " ") == *n)
        })
    }
}

pub fn blocks(text: &str) -> Vec<Block> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line = |offset: usize| starts.partition_point(|&s| s <= offset + bom);
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut cur: Option<(usize, &'static str, u8)> = None; // line, kind, level
    let mut table: Option<Table> = None;
    let mut row: Vec<String> = Vec::new();
    let mut list: Vec<bool> = Vec::new();
    let mut task: Option<bool> = None;
    let mut item_line = 0;
    let mut item_depth = 0;
    for (event, range) in Parser::new_ext(&text[bom..], options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                buf.clear();
                cur = Some((line(range.start), "h", level as u8));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((l, _, level)) = cur.take() {
                    out.push(Block::Heading { level, text: buf.trim().to_string(), line: l });
                }
                buf.clear();
            }
            Event::Start(Tag::Table(_)) => {
                let l = line(range.start);
                table = Some(Table {
                    header: vec![],
                    rows: vec![],
                    first: l,
                    last: line(range.end.saturating_sub(1)),
                    row_lines: vec![],
                });
            }
            Event::End(TagEnd::Table) => out.extend(table.take().map(Block::Table)),
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                row.clear();
                if let Some(t) = table.as_mut() {
                    t.row_lines.push(line(range.start));
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.header = std::mem::take(&mut row);
                    t.row_lines.pop();
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    t.rows.push(std::mem::take(&mut row));
                }
            }
            Event::Start(Tag::TableCell) => buf.clear(),
            Event::End(TagEnd::TableCell) => {
                row.push(buf.trim().to_string());
                buf.clear();
            }
            Event::Start(Tag::List(start)) => list.push(start.is_some()),
            Event::End(TagEnd::List(_)) => {
                list.pop();
            }
            Event::Start(Tag::Item) => {
                if item_depth > 0 && !buf.trim().is_empty() {
                    // A nested list ends the parent item's own text.
                    out.push(Block::Item {
                        text: buf.trim().to_string(),
                        ordered: list.get(list.len().saturating_sub(2)).copied().unwrap_or(false),
                        task,
                        line: item_line,
                    });
                }
                buf.clear();
                task = None;
                item_line = line(range.start);
                item_depth += 1;
            }
            Event::End(TagEnd::Item) => {
                item_depth -= 1;
                if !buf.trim().is_empty() || task.is_some() {
                    out.push(Block::Item {
                        text: buf.trim().to_string(),
                        ordered: list.last().copied().unwrap_or(false),
                        task,
                        line: item_line,
                    });
                }
                buf.clear();
                task = None;
            }
            Event::TaskListMarker(done) => task = Some(done),
            Event::Start(Tag::Paragraph) if item_depth == 0 => {
                buf.clear();
                cur = Some((line(range.start), "p", 0));
            }
            Event::End(TagEnd::Paragraph) => {
                if item_depth == 0 {
                    if let Some((l, _, _)) = cur.take() {
                        out.push(Block::Paragraph { text: buf.trim().to_string(), line: l });
                    }
                    buf.clear();
                } else {
                    buf.push(' ');
                }
            }
            Event::Start(Tag::CodeBlock(_)) => {
                buf.clear();
                cur = Some((line(range.start), "c", 0));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((l, _, _)) = cur.take() {
                    out.push(Block::Code { text: buf.clone(), line: l + 1 });
                }
                buf.clear();
            }
            Event::Text(t) => buf.push_str(&t),
            Event::Code(c) => {
                buf.push('`');
                buf.push_str(&c);
                buf.push('`');
            }
            Event::Start(Tag::Strikethrough) | Event::End(TagEnd::Strikethrough) => buf.push_str("~~"),
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => buf.push_str("**"),
            Event::Start(Tag::Emphasis) | Event::End(TagEnd::Emphasis) => buf.push('*'),
            Event::SoftBreak => buf.push(' '),
            Event::HardBreak => buf.push('\n'),
            Event::InlineHtml(h) if h.trim().eq_ignore_ascii_case("<br>") => buf.push('\n'),
            _ => {}
        }
    }
    out
}

/// `~~old~~ new`: the effective value (after the last `~~`) and the struck-out one.
pub fn effective(cell: &str) -> (String, Option<String>) {
    if !cell.contains("~~") {
        return (cell.trim().to_string(), None);
    }
    let parts: Vec<&str> = cell.split("~~").collect();
    let after = parts.last().copied().unwrap_or("").trim().to_string();
    let struck = parts.get(1).map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if after.is_empty() {
        (struck.clone().unwrap_or_default(), struck)
    } else {
        (after, struck)
    }
}

/// The text of the first code span in `s`, if any.
pub fn first_code(s: &str) -> Option<String> {
    let start = s.find('`')?;
    let ticks = s[start..].chars().take_while(|&c| c == '`').count();
    let fence = &s[start..start + ticks];
    let rest = &s[start + ticks..];
    let end = rest.find(fence)?;
    Some(rest[..end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_blocks_with_lines() {
        let text = "# Title\n\n| A | B |\n|---|---|\n| `x\\|y` | ~~old~~ new |\n\n1. `go build ./...`\n- [ ] open\n\n```\ncode\n```\n";
        let b = blocks(text);
        assert_eq!(b[0], Block::Heading { level: 1, text: "Title".into(), line: 1 });
        let Block::Table(t) = &b[1] else { panic!("{b:?}") };
        assert_eq!(t.rows, vec![vec!["`x|y`".to_string(), "~~old~~ new".to_string()]]);
        assert_eq!((t.first, t.last, t.row_lines.clone()), (3, 5, vec![5]));
        assert_eq!(b[2], Block::Item { text: "`go build ./...`".into(), ordered: true, task: None, line: 7 });
        assert_eq!(b[3], Block::Item { text: "open".into(), ordered: false, task: Some(false), line: 8 });
        assert_eq!(b[4], Block::Code { text: "code\n".into(), line: 11 });
    }

    #[test]
    fn strikethrough_keeps_the_value_after_the_last_marker() {
        assert_eq!(effective("~~MEDIUM~~ CLOSED"), ("CLOSED".into(), Some("MEDIUM".into())));
        assert_eq!(effective("~~gone~~"), ("gone".into(), Some("gone".into())));
        assert_eq!(effective("plain"), ("plain".into(), None));
        assert_eq!(first_code("1. `go test ./... -v` -> exit 0"), Some("go test ./... -v".into()));
    }
}
