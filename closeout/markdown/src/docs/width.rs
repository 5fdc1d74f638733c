//! Display width as prettier measures it (`getStringWidth`), so that closeout pads table
//! columns exactly as prettier does: East Asian wide and fullwidth characters and emoji
//! take two columns; controls, nonspacing and enclosing marks (variation selectors,
//! combining accents) none; an emoji sequence (a variation selector, a skin tone, a ZWJ
//! sequence, a flag, a keycap, a tag sequence) two in all. The per-character tables in
//! `width_table.rs` are generated from prettier itself; `tests/it/formatters.rs` checks
//! them, and sequences, against the real tool. Pure.

use super::width_table::{EMOJI_WITH_VS16, WIDE, ZERO};

/// Columns `s` takes in a prettier-formatted table.
pub fn width(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..=0x7f).contains(&b)) {
        return s.len();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut total = 0;
    let mut i = 0;
    while i < chars.len() {
        match emoji_sequence(&chars[i..]) {
            Some(len) => {
                total += 2;
                i += len;
            }
            None => {
                total += single(chars[i]);
                i += 1;
            }
        }
    }
    total
}

fn within(table: &[(u32, u32)], c: char) -> bool {
    let c = c as u32;
    let at = table.partition_point(|&(_, hi)| hi < c);
    table.get(at).is_some_and(|&(lo, _)| lo <= c)
}

fn single(c: char) -> usize {
    match c as u32 {
        0..=0x1f | 0x7f..=0x9f => 0,
        0x20..=0x7e => 1,
        _ if within(ZERO, c) => 0,
        _ if within(WIDE, c) => 2,
        _ => 1,
    }
}

fn is_emoji(c: char) -> bool {
    within(WIDE, c) || within(EMOJI_WITH_VS16, c)
}

const VS16: char = '\u{fe0f}';
const ZWJ: char = '\u{200d}';

/// The length in chars of a multi-character emoji sequence at the start of `chars`.
fn emoji_sequence(chars: &[char]) -> Option<usize> {
    let regional = |c: Option<&char>| c.is_some_and(|c| ('\u{1f1e6}'..='\u{1f1ff}').contains(c));
    if regional(chars.first()) && regional(chars.get(1)) {
        return Some(2);
    }
    let first = *chars.first()?;
    if (first.is_ascii_digit() || first == '#' || first == '*')
        && chars.get(1) == Some(&VS16)
        && chars.get(2) == Some(&'\u{20e3}')
    {
        return Some(3);
    }
    if !is_emoji(first) {
        return None;
    }
    let mut j = 1;
    loop {
        if chars.get(j) == Some(&VS16) {
            j += 1;
        }
        if chars.get(j).is_some_and(|c| ('\u{1f3fb}'..='\u{1f3ff}').contains(c)) {
            j += 1;
        }
        if chars.get(j).is_some_and(|c| ('\u{e0020}'..='\u{e007e}').contains(c)) {
            while chars.get(j).is_some_and(|c| ('\u{e0020}'..='\u{e007e}').contains(c)) {
                j += 1;
            }
            if chars.get(j) == Some(&'\u{e007f}') {
                j += 1;
            }
        }
        if chars.get(j) == Some(&ZWJ) && chars.get(j + 1).is_some_and(|&c| is_emoji(c)) {
            j += 2;
            continue;
        }
        break;
    }
    (j > 1).then_some(j)
}

#[cfg(test)]
mod tests {
    use super::width;

    #[test]
    fn widths_as_prettier_counts_them() {
        // Measured with prettier 3.10.1's `util.getStringWidth`.
        let cases = [
            ("ab", 2),
            ("a\\|b", 4),
            ("中文", 4),
            ("e\u{301}", 1),
            ("✅", 2),
            ("⚠", 1),
            ("⚠\u{fe0f}", 2),
            ("©", 1),
            ("👍🏽", 2),
            ("👍🏽🏽", 4),
            ("🇺🇸", 2),
            ("🇺🇸🇺", 3),
            ("1\u{fe0f}\u{20e3}", 2),
            ("👨\u{200d}👩\u{200d}👧", 2),
            ("❤\u{fe0f}\u{200d}🔥", 2),
            ("🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}", 2),
            ("a\u{200d}b", 3),
            ("x\u{200d}🚀", 4),
            ("a\u{fe0f}", 1),
            ("チーム", 6),
        ];
        for (s, w) in cases {
            assert_eq!(width(s), w, "{s:?}");
        }
    }
}
