//! A gate's output bytes cut into the lines its parser reads, as the runner cuts them and
//! as `verify-evidence` cuts a log again: split at `\n`, decoded lossily as UTF-8, a
//! trailing `\r` dropped, ANSI escapes stripped, each line capped at [`MAX_LINE`] bytes;
//! of a longer line, its last [`TAIL`] bytes follow as a line of their own, so a marker a
//! runner printed at the end of a long unterminated line (`--- FAIL: TestBig`) is read.
//! Pure; one chunk at a time, so memory stays bounded whatever the output's size.

/// Longest line handed to a parser, in bytes; the log keeps every byte.
pub const MAX_LINE: usize = 64 * 1024;

/// How much of the end of an over-long line is handed on after its first [`MAX_LINE`] bytes.
pub const TAIL: usize = 4 * 1024;

/// The line being assembled across chunks.
#[derive(Debug, Default)]
pub struct Lines {
    line: Vec<u8>,
    overflow: bool,
    /// The last [`TAIL`] bytes of the line past [`MAX_LINE`].
    tail: Vec<u8>,
}

impl Lines {
    /// Hand every line that `chunk` completes to `take` (cleaned as the module says); keep
    /// the unfinished rest for the next chunk.
    pub fn feed(&mut self, chunk: &[u8], mut take: impl FnMut(&str)) {
        let mut rest = chunk;
        while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
            self.keep(&rest[..pos]);
            self.end(&mut take);
            rest = &rest[pos + 1..];
        }
        self.keep(rest);
    }

    /// Add `part` to the line, up to [`MAX_LINE`] bytes whatever the chunking; past that,
    /// keep its last [`TAIL`] bytes.
    fn keep(&mut self, part: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
        if part.len() > room {
            self.overflow = true;
            let past = &part[room..];
            self.tail.extend_from_slice(&past[past.len().saturating_sub(TAIL)..]);
            let extra = self.tail.len().saturating_sub(TAIL);
            self.tail.drain(..extra);
        }
    }

    /// Hand the line (and the end of an over-long one) to `take`, and start the next.
    fn end(&mut self, take: &mut impl FnMut(&str)) {
        emit(&self.line, take);
        if self.overflow {
            emit(&self.tail, take);
        }
        self.line.clear();
        self.tail.clear();
        self.overflow = false;
    }

    /// Hand the last line, when the output did not end with `\n`, to `take`.
    pub fn finish(mut self, mut take: impl FnMut(&str)) {
        if !self.line.is_empty() {
            self.end(&mut take);
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
    fn a_long_line_is_capped_its_end_follows_and_the_next_line_is_whole() {
        let mut long = vec![b'x'; MAX_LINE + 10];
        long.extend_from_slice(b"\nnext\n");
        for at in [1, MAX_LINE - 1, MAX_LINE, MAX_LINE + 5] {
            let lines = cut(&[&long[..at], &long[at..]]);
            assert_eq!(lines.len(), 3, "split at {at}");
            assert_eq!(lines[0].len(), MAX_LINE, "split at {at}");
            assert_eq!(lines[1], "x".repeat(10), "split at {at}");
            assert_eq!(lines[2], "next", "split at {at}");
        }
        // go's `--- FAIL` at the end of a test's long unterminated output is read.
        let mut big = vec![b'y'; 3 * MAX_LINE];
        big.extend_from_slice(b"--- FAIL: TestBig (0.00s)\n");
        for chunk in [1000, MAX_LINE, 7 * 1024] {
            let chunks: Vec<&[u8]> = big.chunks(chunk).collect();
            let lines = cut(&chunks);
            assert_eq!(lines.len(), 2, "chunks of {chunk}");
            assert_eq!(lines[1].len(), TAIL, "chunks of {chunk}");
            assert!(lines[1].ends_with("--- FAIL: TestBig (0.00s)"), "chunks of {chunk}");
        }
    }
}
