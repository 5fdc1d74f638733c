//! A plain aligned text table for terminal summaries (not markdown; docs tables are
//! rendered by the docs module).

/// Render rows under a header, columns separated by two spaces. Cells may hold ANSI
/// colour codes; widths are measured without them.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(visible_width(cell));
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                out.push_str(&" ".repeat(widths[i] - visible_width(cell) + 2));
            }
        }
        out.push('\n');
    };
    line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        line(row.clone());
    }
    out
}

/// Width in characters, not counting ANSI escape sequences.
pub fn visible_width(text: &str) -> usize {
    let mut width = 0;
    let mut in_escape = false;
    for c in text.chars() {
        match (in_escape, c) {
            (false, '\x1b') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => width += 1,
        }
    }
    width
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_columns_ignoring_colour() {
        let rows =
            vec![vec!["\x1b[32mok\x1b[0m".to_string(), "x".to_string()], vec!["long".into(), "y".into()]];
        let text = render(&["A", "B"], &rows);
        let plain: Vec<String> =
            text.lines().map(|l| l.replace("\x1b[32m", "").replace("\x1b[0m", "")).collect();
        assert_eq!(plain, vec!["A     B", "ok    x", "long  y"]);
    }
}
