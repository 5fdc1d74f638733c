//! A gate's output bytes cut into the lines its parser reads, as the runner cuts them and
//! as `verify-evidence` cuts a log again: split at `\n`, decoded lossily as UTF-8, a
//! trailing `\r` dropped, ANSI escapes stripped, each line capped at [`MAX_LINE`] bytes.
//! Pure; one chunk at a time, so memory stays bounded whatever the output's size.

/// Longest line handed to a parser, in bytes; the log keeps every byte.
pub const MAX_LINE: usize = 64 * 1024;

/// The line being assembled across chunks.
#[derive(Debug, Default)]
pub struct Lines {
    line: Vec<u8>,
    overflow: bool,
}

impl Lines {
    /// Hand every line that `chunk` completes to `take` (cleaned as the module says); keep
    /// the unfinished rest for the next chunk.
    pub fn feed(&mut self, chunk: &[u8], mut take: impl FnMut(&str)) {
        let mut rest = chunk;
        while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
            self.keep(&rest[..pos]);
            emit(&self.line, &mut take);
            self.line.clear();
            self.overflow = false;
            rest = &rest[pos + 1..];
        }
        self.keep(rest);
    }

    /// Add `part` to the line, up to [`MAX_LINE`] bytes whatever the chunking.
    fn keep(&mut self, part: &[u8]) {
        if !self.overflow {
            let room = MAX_LINE.saturating_sub(self.line.len());
            self.line.extend_from_slice(&part[..part.len().min(room)]);
            self.overflow = part.len() > room;
        }
    }

    /// Hand the last line, when the output did not end with `\n`, to `take`.
    pub fn finish(self, mut take: impl FnMut(&str)) {
        if !self.line.is_empty() {
            emit(&self.line, &mut take);
        }
    }
}

fn emit(line: &[u8], take: &mut impl FnMut(&str)) {
    let text = String::from_utf8_lossy(line);
    take(&super::strip_ansi(text.trim_end_matches('\r')));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(chunks: &[&[u8]]) -> Vec<String> {
        let mut lines = Lines::default();
        let mut out = Vec::new();
        for chunk in chunks {
            lines.feed(chunk, |l| out.push(l.to_string()));
        }
        lines.finish(|l| out.push(l.to_string()));
        out
    }

    #[test]
    fn lines_are_the_same_however_the_bytes_are_chunked() {
        let whole: &[u8] = b"ok\r\n\x1b[31mFAIL\x1b[0m x\n\nlast";
        let expected = ["ok", "FAIL x", "", "last"];
        assert_eq!(cut(&[whole]), expected);
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        assert_eq!(cut(&bytes), expected);
        assert_eq!(cut(&[b"\xffa\n"]), ["\u{fffd}a"]);
    }

    #[test]
    fn a_long_line_is_capped_and_the_next_line_is_whole() {
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.extend_from_slice(b"\nnext\n");
        for at in [1, MAX_LINE - 1, MAX_LINE, MAX_LINE + 5] {
            let lines = cut(&[&long[..at], &long[at..]]);
            assert_eq!(lines.len(), 2, "split at {at}");
            assert_eq!(lines[0].len(), MAX_LINE, "split at {at}");
            assert_eq!(lines[1], "next", "split at {at}");
        }
    }
}
