//! Finding generated regions in a markdown file: the text between
//! `<!-- closeout:begin KIND[:ARG] -->` and `<!-- closeout:end KIND[:ARG] checksum=… -->`,
//! each marker alone on its line. Markers are found with pulldown-cmark, so one inside a
//! code block, inline code or a raw HTML block (`<pre>`, `<div>`: a marker must be an HTML
//! block of its own) is not a marker. A UTF-8 byte-order mark hides nothing on line 1.
//! A marker may be indented (inside a list item): the region's content is indented with
//! it. Pure.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// One generated region of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub kind: String,
    pub arg: Option<String>,
    /// 1-based lines of the begin and end markers.
    pub begin_line: usize,
    pub end_line: usize,
    /// Bytes of the begin marker line and of the end marker line, newline included.
    pub begin: Range<usize>,
    pub end: Range<usize>,
    /// Bytes between the markers: what closeout owns.
    pub content: Range<usize>,
    /// The checksum recorded in the end marker, if any.
    pub checksum: Option<String>,
    /// The whitespace before the begin marker (a marker in a list item): the content
    /// is indented with it.
    pub indent: String,
}

impl Region {
    /// `ledger` or `packet-evidence:03`.
    pub fn name(&self) -> String {
        match &self.arg {
            Some(arg) => format!("{}:{arg}", self.kind),
            None => self.kind.clone(),
        }
    }
}

/// A marker problem, at a 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, PartialEq, Eq)]
enum Marker {
    Begin { kind: String, arg: Option<String> },
    End { kind: String, arg: Option<String>, checksum: Option<String> },
}

type OpenMarker = (String, Option<String>, usize, Range<usize>, String);

/// Markdown options closeout reads documents with.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The events of `text` with byte ranges into `text`: a leading byte-order mark is not
/// part of the first line's markdown, so a heading or a marker on line 1 is seen.
pub fn events(text: &str) -> impl Iterator<Item = (Event<'_>, Range<usize>)> {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    Parser::new_ext(&text[bom..], options())
        .into_offset_iter()
        .map(move |(event, range)| (event, range.start + bom..range.end + bom))
}

/// Every region of `text`, or every marker problem found.
pub fn find(text: &str) -> Result<Vec<Region>, Vec<MarkerError>> {
    let line_starts = line_starts(text);
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);
    let mut errors = Vec::new();
    let mut regions: Vec<Region> = Vec::new();
    // The open begin marker: kind, argument, line, bytes and indentation.
    let mut open: Option<OpenMarker> = None;
    let mut seen_lines = std::collections::HashSet::new();
    let mut names: std::collections::HashMap<(String, Option<String>), usize> =
        std::collections::HashMap::new();

    // Only the first line of an HTML block can be a marker: a comment that opens its own
    // block. A marker line inside `<pre>`, `<div>` or another raw HTML block is that
    // block's text.
    let mut block_first = false;
    for (event, range) in events(text) {
        match event {
            Event::Start(Tag::HtmlBlock) => {
                block_first = true;
                continue;
            }
            Event::End(TagEnd::HtmlBlock) => {
                block_first = false;
                continue;
            }
            Event::Html(_) if block_first => block_first = false,
            _ => continue,
        }
        // The block's first line, whole (with the indentation before the event).
        for current in [line_of(range.start)] {
            let start = line_starts[current - 1];
            let end = line_starts.get(current).copied().unwrap_or(text.len());
            let line_text = text[start..end].trim_start_matches('\u{feff}');
            if !seen_lines.insert(current) {
                continue;
            }
            let marker = match parse_marker(line_text) {
                None => continue,
                Some(Err(message)) => {
                    errors.push(MarkerError { line: current, message });
                    continue;
                }
                Some(Ok(marker)) => marker,
            };
            match marker {
                Marker::Begin { kind, arg } => {
                    if let Some((open_kind, open_arg, open_line, _, _)) = &open {
                        errors.push(MarkerError {
                            line: current,
                            message: format!(
                                "region `{}` begins inside region `{}` (line {open_line}); regions must not nest: end the first one before",
                                join(&kind, &arg),
                                join(open_kind, open_arg)
                            ),
                        });
                        continue;
                    }
                    let indent: String = line_text.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
                    open = Some((kind, arg, current, start..end, indent));
                }
                Marker::End { kind, arg, checksum } => match open.take() {
                    None => errors.push(MarkerError {
                        line: current,
                        message: format!(
                            "end marker for `{}` has no begin marker; add `<!-- closeout:begin {} -->` above it or remove it",
                            join(&kind, &arg),
                            join(&kind, &arg)
                        ),
                    }),
                    Some((open_kind, open_arg, open_line, begin, indent)) => {
                        if open_kind != kind || open_arg != arg {
                            errors.push(MarkerError {
                                line: current,
                                message: format!(
                                    "end marker `{}` does not match the begin marker `{}` on line {open_line}",
                                    join(&kind, &arg),
                                    join(&open_kind, &open_arg)
                                ),
                            });
                            continue;
                        }
                        if let Some(first) = names.get(&(kind.clone(), arg.clone())) {
                            errors.push(MarkerError {
                                line: open_line,
                                message: format!(
                                    "region `{}` appears twice (first on line {first}); keep one",
                                    join(&kind, &arg)
                                ),
                            });
                            continue;
                        }
                        names.insert((kind.clone(), arg.clone()), open_line);
                        regions.push(Region {
                            kind,
                            arg,
                            begin_line: open_line,
                            end_line: current,
                            content: begin.end..start,
                            begin,
                            end: start..end,
                            checksum,
                            indent,
                        });
                    }
                },
            }
        }
    }
    if let Some((kind, arg, line, _, _)) = open {
        errors.push(MarkerError {
            line,
            message: format!(
                "region `{}` has no end marker; add `<!-- closeout:end {} -->` after it",
                join(&kind, &arg),
                join(&kind, &arg)
            ),
        });
    }
    if errors.is_empty() {
        Ok(regions)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

fn join(kind: &str, arg: &Option<String>) -> String {
    match arg {
        Some(a) => format!("{kind}:{a}"),
        None => kind.to_string(),
    }
}

/// Byte offsets at which each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1).filter(|&i| i < text.len()))
        .collect()
}

/// `Some(Ok)` for a marker, `Some(Err)` for a line that means to be one but is malformed,
/// `None` for any other line.
fn parse_marker(line: &str) -> Option<Result<Marker, String>> {
    let trimmed = line.trim_end_matches(['\n', '\r']).trim().trim_start_matches('\u{feff}');
    let inner = trimmed.strip_prefix("<!--")?.trim_start();
    let body = inner.strip_prefix("closeout:")?;
    let Some(body) = body.trim_end().strip_suffix("-->") else {
        return Some(Err(format!("marker `{trimmed}` must end with `-->` on the same line")));
    };
    let mut words = body.split_whitespace();
    let verb = words.next().unwrap_or("");
    let Some(target) = words.next() else {
        return Some(Err(format!(
            "marker `{trimmed}` names no region kind; write `<!-- closeout:{verb} KIND -->`"
        )));
    };
    let (kind, arg) = match target.split_once(':') {
        Some((k, a)) => (k.to_string(), Some(a.to_string())),
        None => (target.to_string(), None),
    };
    let valid_kind = kind.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && kind.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let valid_arg = arg
        .as_ref()
        .is_none_or(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)));
    if !valid_kind || !valid_arg {
        return Some(Err(format!("`{target}` is not a region name; write KIND or KIND:ARG (lowercase kind, such as `packet-evidence:03`)")));
    }
    let rest: Vec<&str> = words.collect();
    match verb {
        "begin" if rest.is_empty() => Some(Ok(Marker::Begin { kind, arg })),
        "end" => {
            let mut checksum = None;
            for word in rest {
                match word.strip_prefix("checksum=") {
                    Some(hex) if !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                        checksum = Some(hex.to_string())
                    }
                    _ => {
                        return Some(Err(format!(
                            "unexpected `{word}` in end marker; only `checksum=HEX` may follow the name"
                        )))
                    }
                }
            }
            Some(Ok(Marker::End { kind, arg, checksum }))
        }
        "begin" => {
            Some(Err(format!("unexpected `{}` in begin marker; nothing may follow the name", rest.join(" "))))
        }
        other => {
            Some(Err(format!("unknown marker verb `{other}`; write `closeout:begin` or `closeout:end`")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_regions_and_content() {
        let text = "# T\n\n<!-- closeout:begin ledger -->\n| a |\n| --- |\n\n<!-- closeout:end ledger checksum=abc123 -->\ntail\n";
        let regions = find(text).unwrap();
        assert_eq!(regions.len(), 1);
        let r = &regions[0];
        assert_eq!((r.kind.as_str(), r.arg.as_deref(), r.begin_line, r.end_line), ("ledger", None, 3, 7));
        assert_eq!(&text[r.content.clone()], "| a |\n| --- |\n\n");
        assert_eq!(r.checksum.as_deref(), Some("abc123"));
    }

    #[test]
    fn end_marker_right_after_a_table_row_still_ends_the_region() {
        let text = "<!-- closeout:begin risks -->\n| a |\n| --- |\n| x |\n<!-- closeout:end risks -->\n";
        let regions = find(text).unwrap();
        assert_eq!(&text[regions[0].content.clone()], "| a |\n| --- |\n| x |\n");
    }

    #[test]
    fn markers_in_code_are_not_markers() {
        let text = "```\n<!-- closeout:begin ledger -->\n```\n\n`<!-- closeout:end ledger -->`\n\n    <!-- closeout:begin x -->\n";
        assert_eq!(find(text).unwrap(), vec![]);
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_a_fence() {
        let text = "\u{feff}```\n<!-- closeout:begin ledger -->\n```\n\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n";
        let regions = find(text).unwrap();
        assert_eq!((regions.len(), regions[0].begin_line), (1, 5));
    }

    #[test]
    fn a_byte_order_mark_does_not_hide_a_marker_on_line_1() {
        let text = "\u{feff}<!-- closeout:begin ledger -->\r\n<!-- closeout:end ledger -->\r\n";
        let r = &find(text).unwrap()[0];
        assert_eq!((r.begin_line, r.end_line, r.begin.start), (1, 2, 0));
    }

    #[test]
    fn markers_inside_a_raw_html_block_are_its_text() {
        let text = "<pre>\n<!-- closeout:begin ledger -->\n<!-- closeout:end ledger -->\n</pre>\n\n<div>\n<!-- closeout:begin risks -->\n</div>\n";
        assert_eq!(find(text).unwrap(), vec![]);
    }

    #[test]
    fn a_marker_in_a_list_item_keeps_its_indentation() {
        let text = "- Ledger:\n\n  <!-- closeout:begin ledger -->\n  x\n  <!-- closeout:end ledger -->\n";
        let r = &find(text).unwrap()[0];
        assert_eq!((r.indent.as_str(), &text[r.content.clone()]), ("  ", "  x\n"));
    }

    #[test]
    fn crlf_and_args() {
        let text =
            "<!-- closeout:begin packet-evidence:03 -->\r\nx\r\n<!-- closeout:end packet-evidence:03 -->\r\n";
        let r = &find(text).unwrap()[0];
        assert_eq!(r.name(), "packet-evidence:03");
        assert_eq!(&text[r.content.clone()], "x\r\n");
    }

    #[test]
    fn reports_every_marker_problem() {
        let text = "<!-- closeout:begin a -->\n\n<!-- closeout:begin b -->\n\n<!-- closeout:end a -->\n\n<!-- closeout:end c -->\n\n<!-- closeout:begin a -->\n\n<!-- closeout:end a -->\n\n<!-- closeout:bgin d -->\n\n<!-- closeout:begin e -->\n";
        let errors = find(text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 7, 9, 13, 15], "{errors:#?}");
    }
}
