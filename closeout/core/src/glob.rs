//! Path globs for packet scopes and file lists (`closeout/src/**`, `docs/*.md`,
//! `{README,ARCHITECTURE}.md`), with globset's default semantics: `*` and `?` also match
//! `/`, `**/` matches any number of folders (none included), `[a-z]`/`[!a-z]` classes,
//! `{a,b}` alternatives (not nested) and `\` escapes. Patterns are a few characters long,
//! so a backtracking matcher over the expanded alternatives is all it takes.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `*`: any run of characters.
    Star,
    /// `**/`: nothing, or any run of characters ending in `/`.
    Folders,
    /// `?`: one character.
    One,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A compiled glob: one token list per alternative.
#[derive(Debug, Clone)]
pub struct Glob {
    alternatives: Vec<Vec<Token>>,
}

impl Glob {
    /// Compile `pattern`; the error says what is wrong with it.
    pub fn new(pattern: &str) -> Result<Glob, String> {
        let mut alternatives = vec![Vec::new()];
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '\\' => {
                    let escaped = *chars.get(i).ok_or("a `\\` at the end escapes nothing")?;
                    i += 1;
                    push(&mut alternatives, Token::Literal(escaped));
                }
                '*' if chars.get(i) == Some(&'*') => {
                    i += 1;
                    let starts_component = i == 2 || chars[i - 3] == '/';
                    if starts_component && chars.get(i) == Some(&'/') {
                        i += 1;
                        push(&mut alternatives, Token::Folders);
                    } else {
                        push(&mut alternatives, Token::Star);
                    }
                }
                '*' => push(&mut alternatives, Token::Star),
                '?' => push(&mut alternatives, Token::One),
                '[' => {
                    let (token, next) = class(&chars, i)?;
                    i = next;
                    push(&mut alternatives, token);
                }
                '{' => {
                    let close = chars[i..].iter().position(|&c| c == '}').ok_or("`{` is never closed")? + i;
                    let inner: String = chars[i..close].iter().collect();
                    if inner.contains('{') {
                        return Err("alternatives `{...}` cannot be nested".into());
                    }
                    let mut expanded = Vec::new();
                    for option in inner.split(',') {
                        let tail = Glob::new(option)?;
                        for head in &alternatives {
                            for t in &tail.alternatives {
                                expanded.push(head.iter().chain(t).cloned().collect());
                            }
                        }
                    }
                    alternatives = expanded;
                    i = close + 1;
                }
                '}' => return Err("`}` closes no `{`".into()),
                c => push(&mut alternatives, Token::Literal(c)),
            }
        }
        Ok(Glob { alternatives })
    }

    pub fn is_match(&self, path: &str) -> bool {
        let path: Vec<char> = path.chars().collect();
        self.alternatives.iter().any(|tokens| matches(tokens, &path))
    }
}

/// A set of globs matching a path when any of them does.
#[derive(Debug, Clone, Default)]
pub struct GlobSet {
    globs: Vec<Glob>,
}

impl GlobSet {
    pub fn new(globs: Vec<Glob>) -> GlobSet {
        GlobSet { globs }
    }

    pub fn is_match(&self, path: &str) -> bool {
        self.globs.iter().any(|g| g.is_match(path))
    }
}

fn push(alternatives: &mut [Vec<Token>], token: Token) {
    for a in alternatives {
        a.push(token.clone());
    }
}

/// The class starting after `[` at `start`; returns it and the index after its `]`.
fn class(chars: &[char], start: usize) -> Result<(Token, usize), String> {
    let mut i = start;
    let negated = matches!(chars.get(i), Some('!' | '^'));
    if negated {
        i += 1;
    }
    let mut ranges = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i).ok_or("`[` is never closed")?;
        if c == ']' && !first {
            return Ok((Token::Class { negated, ranges }, i + 1));
        }
        first = false;
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&e| e != ']') {
            let end = chars[i + 2];
            if end < c {
                return Err(format!("range `{c}-{end}` is backwards"));
            }
            ranges.push((c, end));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
}

fn matches(tokens: &[Token], path: &[char]) -> bool {
    let Some((token, rest)) = tokens.split_first() else { return path.is_empty() };
    match token {
        Token::Star => (0..=path.len()).any(|i| matches(rest, &path[i..])),
        Token::Folders => {
            matches(rest, path) || (0..path.len()).any(|i| path[i] == '/' && matches(rest, &path[i + 1..]))
        }
        Token::One => !path.is_empty() && matches(rest, &path[1..]),
        Token::Literal(c) => path.first() == Some(c) && matches(rest, &path[1..]),
        Token::Class { negated, ranges } => path.first().is_some_and(|&c| {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated && matches(rest, &path[1..])
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(pattern: &str, yes: &[&str], no: &[&str]) {
        let glob = Glob::new(pattern).unwrap();
        for path in yes {
            assert!(glob.is_match(path), "{pattern} should match {path}");
        }
        for path in no {
            assert!(!glob.is_match(path), "{pattern} should not match {path}");
        }
    }

    #[test]
    fn stars_questions_and_folders() {
        check("README.md", &["README.md"], &["README.mdx", "docs/README.md"]);
        check("closeout/**", &["closeout/src/a.rs", "closeout/x"], &["closeout", "xtask/a.rs"]);
        check("**/*.rs", &["a.rs", "src/a.rs", "a/b/c.rs"], &["a.rs.bak"]);
        check("docs/**/plan.md", &["docs/plan.md", "docs/a/b/plan.md"], &["docs/xplan.md"]);
        // As in globset's default, `*` and `?` also match `/`.
        check(
            "internal/api/*_test.go",
            &["internal/api/a_test.go", "internal/api/v2/a_test.go"],
            &["internal/a_test.go"],
        );
        check("src/?.rs", &["src/a.rs"], &["src/ab.rs", "src/.rs"]);
        check("a**b", &["ab", "a/x/b"], &["a"]);
    }

    #[test]
    fn classes_alternatives_and_escapes() {
        check("v[0-9].txt", &["v1.txt"], &["va.txt"]);
        check("v[!0-9].txt", &["va.txt"], &["v1.txt"]);
        check("[]]", &["]"], &["a"]);
        check("{README,ARCHITECTURE}.md", &["README.md", "ARCHITECTURE.md"], &["CHANGES.md"]);
        check("src/{a,b/**}", &["src/a", "src/b/c/d"], &["src/c"]);
        check(r"a\*b", &["a*b"], &["axb"]);
    }

    #[test]
    fn malformed_patterns_say_why() {
        assert_eq!(Glob::new("a[bc").unwrap_err(), "`[` is never closed");
        assert_eq!(Glob::new("{a,b").unwrap_err(), "`{` is never closed");
        assert_eq!(Glob::new("{a,{b,c}}").unwrap_err(), "alternatives `{...}` cannot be nested");
        assert_eq!(Glob::new("[z-a]").unwrap_err(), "range `z-a` is backwards");
        assert!(GlobSet::new(vec![Glob::new("a").unwrap(), Glob::new("b/*").unwrap()]).is_match("b/c"));
    }
}
