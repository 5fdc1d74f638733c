//! Secrets never reach what closeout writes: the values of environment variables whose
//! names look secret (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`, `DB_PASSWORD`…) and
//! well-known token shapes (GitHub, AWS access key ids, Slack, private-key blocks) are
//! replaced by `[REDACTED]` in run records, docs regions, JUnit, annotations and the job
//! summary. Raw gate logs are kept as the gate printed them (docs/evidence.md). Pure apart
//! from [`Redactor::from_env`].

use std::borrow::Cow;

use crate::evidence::{GateRecord, RunRecord};

/// Parts of a variable name that mark its value as secret.
const SECRET_NAMES: &[&str] = &[
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "PRIVATE",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "_KEY",
];
/// Shorter values are not redacted: `1`, `true` or `dev` would blot out ordinary text.
const MIN_SECRET_LEN: usize = 8;

/// What to redact: secret values by variable name, and the token shapes.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// (value, variable name), longest value first.
    values: Vec<(String, String)>,
}

/// Whether a variable called `name` holds a secret.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_NAMES.iter().any(|s| upper.contains(s)) || upper.ends_with("KEY") || upper.ends_with("AUTH")
}

impl Redactor {
    /// The secrets of this process's environment.
    pub fn from_env() -> Redactor {
        Redactor::from_vars(
            std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Redactor {
        let mut values: Vec<(String, String)> = vars
            .into_iter()
            .filter(|(name, value)| secret_name(name) && value.trim().len() >= MIN_SECRET_LEN)
            .map(|(name, value)| (value, name))
            .collect();
        values.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.1.cmp(&b.1)));
        values.dedup_by(|a, b| a.0 == b.0);
        Redactor { values }
    }

    /// `text` with every secret replaced.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for (value, name) in &self.values {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), &format!("[REDACTED:{name}]")));
            }
        }
        match shapes(&out) {
            Some(clean) => Cow::Owned(clean),
            None => out,
        }
    }

    /// The last lines of a gate's output with every secret replaced, read as one text so
    /// that a private-key block spanning lines goes whole; a tail that begins inside a
    /// block (its `-----BEGIN` line cut off) loses everything up to the block's end marker.
    /// Each line is then shown with its control characters escaped.
    pub fn lines(&self, lines: &[String]) -> Vec<String> {
        let joined = lines.join("\n");
        let mut text = self.text(&joined).into_owned();
        if let Some(end) = text.find("-----END ").filter(|&end| !text[..end].contains("-----BEGIN ")) {
            if let Some(k) = text[end..].find("PRIVATE KEY-----") {
                text.replace_range(..end + k + "PRIVATE KEY-----".len(), "[REDACTED]");
            }
        }
        text.split('\n').map(|l| escape_controls(l).into_owned()).collect()
    }

    fn string(&self, s: &mut String) {
        if let Cow::Owned(clean) = self.text(s) {
            *s = clean;
        }
        if let Cow::Owned(clean) = escape_controls(s) {
            *s = clean;
        }
    }

    /// Redact every text a gate record carries from the gate's output, and show its control
    /// characters as `\xNN` (a test name with ESC must not drive a terminal or a doc). The
    /// command is closeout.toml's own text (already committed) and is how evidence is
    /// matched to gates.
    pub fn gate(&self, g: &mut GateRecord) {
        self.string(&mut g.reason);
        for t in &mut g.failing_tests {
            self.string(t);
        }
        for a in &mut g.attempts {
            self.string(&mut a.reason);
            for t in &mut a.failing_tests {
                self.string(t);
            }
        }
        for t in &mut g.tests {
            self.string(&mut t.name);
            if let Some(e) = &mut t.excerpt {
                // An excerpt is output, lines and all: only secrets go.
                if let Cow::Owned(clean) = self.text(e) {
                    *e = clean;
                }
            }
        }
    }

    pub fn record(&self, r: &mut RunRecord) {
        for g in &mut r.gates {
            self.gate(g);
        }
    }
}

/// Bidirectional embeddings, overrides and isolates: they make text display in another
/// order than it is stored (Trojan Source, CVE-2021-42574). The marks (U+200E, U+200F,
/// U+061C) reorder nothing and right-to-left prose needs them: they are allowed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control characters (other than tab) shown as `\xNN` and bidirectional
/// controls as `\u{NNNN}`, so gate output or a command repeated in a summary cannot move
/// the cursor, ring, hide text behind `\r`, reorder what is shown, or start a line (a
/// newline is `\x0a`: nothing printed this way starts a CI workflow command).
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| (c.is_control() && c != '\t') || is_bidi_control(c);
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_bidi_control(c) {
                    format!("\\u{{{:04x}}}", c as u32)
                } else if escaped(c) {
                    format!("\\x{:02x}", c as u32)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Replace token shapes; `None` when there is none.
fn shapes(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut last = 0;
    let mut i = 0;
    let mut found = false;
    while i < bytes.len() {
        if let Some(len) = token_at(text, i) {
            out.push_str(&text[last..i]);
            out.push_str("[REDACTED]");
            i += len;
            last = i;
            found = true;
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    found.then(|| {
        out.push_str(&text[last..]);
        out
    })
}

/// The length of a token starting at byte `i` of `text`, if one does.
fn token_at(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    // Tokens start at a word boundary.
    if i > 0 && text.as_bytes()[i - 1].is_ascii_alphanumeric() {
        return None;
    }
    let run =
        |from: usize, ok: &dyn Fn(u8) -> bool| rest.as_bytes()[from..].iter().take_while(|b| ok(**b)).count();
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        if rest.starts_with(prefix) {
            let n = run(prefix.len(), &alnum);
            return (n >= 20).then_some(prefix.len() + n);
        }
    }
    if rest.starts_with("github_pat_") {
        let n = run(11, &|b| alnum(b) || b == b'_');
        return (n >= 20).then_some(11 + n);
    }
    for prefix in ["AKIA", "ASIA"] {
        if rest.starts_with(prefix) {
            let n = run(4, &|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            return (n == 16).then_some(20);
        }
    }
    for prefix in ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"] {
        if rest.starts_with(prefix) {
            let n = run(5, &|b| alnum(b) || b == b'-');
            return (n >= 10).then_some(5 + n);
        }
    }
    // GitLab personal tokens, Stripe live keys, Google API keys.
    if rest.starts_with("glpat-") {
        let n = run(6, &|b| alnum(b) || b == b'-' || b == b'_');
        return (n >= 20).then_some(6 + n);
    }
    for prefix in ["sk_live_", "rk_live_"] {
        if rest.starts_with(prefix) {
            let n = run(prefix.len(), &alnum);
            return (n >= 24).then_some(prefix.len() + n);
        }
    }
    if rest.starts_with("AIza") {
        let n = run(4, &|b| alnum(b) || b == b'-' || b == b'_');
        return (n == 35).then_some(39);
    }
    if rest.starts_with("-----BEGIN ") {
        let header_end = rest.find("-----\n").or_else(|| rest[11..].find("-----").map(|p| p + 11))?;
        if !rest[..header_end].ends_with("PRIVATE KEY") {
            return None;
        }
        // The whole block, up to the end marker (or the end of the text).
        return Some(match rest.find("-----END ") {
            Some(end) => rest[end..].find("KEY-----").map_or(rest.len(), |k| end + k + "KEY-----".len()),
            None => rest.len(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_shown_escaped_on_one_line() {
        assert_eq!(escape_controls("a\tb"), "a\tb");
        assert_eq!(escape_controls("x\n::warning::y"), "x\\x0a::warning::y");
        assert_eq!(escape_controls("\u{1b}[2J\u{7}"), "\\x1b[2J\\x07");
        assert_eq!(escape_controls("id\u{202e}exe.txt"), "id\\u{202e}exe.txt");
        assert!(is_bidi_control('\u{2066}') && !is_bidi_control('\u{200f}') && !is_bidi_control('é'));
    }

    fn redactor() -> Redactor {
        Redactor::from_vars([
            ("GITHUB_TOKEN".to_string(), "s3cr3t-value-123".to_string()),
            ("DB_PASSWORD".to_string(), "hunter2hunter2".to_string()),
            ("SHORT_TOKEN".to_string(), "1".to_string()),
            ("HOME".to_string(), "/home/someone".to_string()),
        ])
    }

    #[test]
    fn secret_env_values_are_replaced_by_their_name() {
        let r = redactor();
        assert_eq!(r.text("test_login[s3cr3t-value-123]"), "test_login[[REDACTED:GITHUB_TOKEN]]");
        assert_eq!(
            r.text("pw=hunter2hunter2 home=/home/someone"),
            "pw=[REDACTED:DB_PASSWORD] home=/home/someone"
        );
        assert_eq!(r.text("exit 1"), "exit 1", "short values stay");
    }

    #[test]
    fn token_shapes_are_replaced() {
        let r = Redactor::default();
        let cases = [
            ("token ghp_0123456789abcdefghijABCDEFGHIJ0123 end", "token [REDACTED] end"),
            ("github_pat_11ABCDEFG0123456789_abcdefghijKLMNOP", "[REDACTED]"),
            ("key=AKIAIOSFODNN7EXAMPLE;", "key=[REDACTED];"),
            ("xoxb-123456789012-abcdefABCDEF", "[REDACTED]"),
            ("a -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- b", "a [REDACTED] b"),
            ("ghp_short", "ghp_short"),
            ("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----"),
            ("nightly_ghp_0123456789abcdefghijABCDEFGHIJ", "nightly_[REDACTED]"),
        ];
        for (input, expected) in cases {
            assert_eq!(r.text(input), expected, "{input}");
        }
    }

    #[test]
    fn gate_records_lose_secrets_and_control_characters() {
        let mut g = crate::evidence::fixtures::gate("a", "true", crate::evidence::Outcome::Fail, Some(1));
        g.failing_tests = vec!["t\u{1b}[31m_s3cr3t-value-123".into()];
        redactor().gate(&mut g);
        assert_eq!(g.failing_tests, ["t\\x1b[31m_[REDACTED:GITHUB_TOKEN]"]);
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(escape_controls("a\tb"), "a\tb");
        assert_eq!(escape_controls("ok\r\u{1b}[2Jx\0"), "ok\\x0d\\x1b[2Jx\\x00");
    }

    #[test]
    fn secret_names() {
        for name in ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "NPM_AUTH", "db_password", "SSH_KEY"] {
            assert!(secret_name(name), "{name}");
        }
        for name in ["HOME", "PATH", "KEYBOARD_LAYOUT", "CARGO_TARGET_DIR", "GIT_AUTHOR_NAME"] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn a_tail_loses_private_key_blocks_whole_even_cut_at_the_top() {
        let r = Redactor::from_vars([]);
        let tail: Vec<String> = [
            "before",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "b3BlbnNzaC1rZXkt",
            "-----END OPENSSH PRIVATE KEY-----",
            "after",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let out = r.lines(&tail).join("\n");
        assert!(
            !out.contains("b3BlbnNzaC1rZXkt") && out.starts_with("before") && out.ends_with("after"),
            "{out}"
        );
        let cut: Vec<String> = tail[2..].to_vec();
        let out = r.lines(&cut).join("\n");
        assert!(!out.contains("b3BlbnNzaC1rZXkt") && out.ends_with("after"), "{out}");
        assert_eq!(r.lines(&["a\u{1b}b".to_string()]), ["a\\x1bb"]);
    }

    #[test]
    fn more_token_shapes_are_redacted() {
        let r = Redactor::from_vars([]);
        for token in [
            "glpat-abcdefghij0123456789",
            "sk_live_abcdefghijklmnopqrstuvwx",
            "AIzaSyA1234567890abcdefghijklmnopqrstuv",
        ] {
            assert_eq!(r.text(&format!("key {token} end")), "key [REDACTED] end", "{token}");
        }
    }
}
