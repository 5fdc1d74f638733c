//! Closed vocabularies of the program model (statuses, severities, parsers) and
//! the "did you mean" suggestion used when a value falls outside one.

/// A value drawn from a fixed set of spellings, as written in `closeout.toml`.
pub trait Vocab: Sized + Copy + 'static {
    /// Every accepted spelling with its value, in documentation order.
    const ALL: &'static [(&'static str, Self)];

    /// Every accepted spelling alone, in documentation order (the key tables of
    /// `crate::keys` and the JSON Schema's `enum`s read it).
    const NAMES: &'static [&'static str];

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
    }

    fn as_str(self) -> &'static str;

    fn expected() -> String {
        let names: Vec<&str> = Self::ALL.iter().map(|(k, _)| *k).collect();
        names.join(" | ")
    }
}

macro_rules! vocab {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $crate::vocab::Vocab for $name {
            const ALL: &'static [(&'static str, Self)] = &[$(($text, $name::$variant)),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::vocab::Vocab::as_str(*self))
            }
        }

        impl serde_core::Serialize for $name {
            fn serialize<S: serde_core::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::vocab::Vocab::as_str(*self))
            }
        }

        impl<'de> serde_core::Deserialize<'de> for $name {
            fn deserialize<D: serde_core::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$name as $crate::vocab::Vocab>::parse(&s).ok_or_else(|| {
                    serde_core::de::Error::custom(format!(
                        "unknown value `{s}`, expected {}",
                        <$name as $crate::vocab::Vocab>::expected()
                    ))
                })
            }
        }
    };
}
pub(crate) use vocab;

/// The closest candidate to `value`, if one is close enough to be a likely typo:
/// the same word in another case, or within a small edit distance.
pub fn did_you_mean<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = value.to_lowercase();
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        if c.to_lowercase() == lower {
            return Some(c);
        }
        let lc = c.to_lowercase();
        // `gotest` names `go`, `cargo-nextest` names `nextest`: one word inside the other.
        let within = lc.len() >= 2 && (lower.contains(&lc) || lc.contains(&lower));
        // The longest such word wins (`cargo-nextest` holds both `go` and `nextest`).
        let score = if within {
            0.98 + lc.len().min(100) as f64 / 10_000.0
        } else {
            strsim::jaro_winkler(&lower, &lc)
        };
        let close = within || strsim::levenshtein(&lower, &lc) <= 2.max(c.len() / 4);
        if (score > 0.85 || close) && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_case_and_typos() {
        let statuses = ["TODO", "IN_PROGRESS", "DONE"];
        assert_eq!(did_you_mean("Done", statuses), Some("DONE"));
        assert_eq!(did_you_mean("in_progres", statuses), Some("IN_PROGRESS"));
        assert_eq!(did_you_mean("APROVED", ["PENDING", "APPROVED"]), Some("APPROVED"));
        assert_eq!(did_you_mean("zzzzzz", statuses), None);
        // One word inside the other: `gotest` is `go`, not the nearer-spelled `vitest`.
        let parsers = ["auto", "go", "go-json", "vitest", "jest", "nextest", "none"];
        assert_eq!(did_you_mean("gotest", parsers), Some("go"));
        assert_eq!(did_you_mean("cargo-nextest", parsers), Some("nextest"));
        assert_eq!(did_you_mean("timout", ["timeout", "run", "id"]), Some("timeout"));
    }
}
