//! Durations as written in `closeout.toml`: `"500ms"`, `"10s"`, `"20m"`, `"1h30m"`.

use std::time::Duration;

/// Parse a compact duration: one or more `<digits><unit>` groups, units `ms`, `s`, `m`, `h`,
/// each unit at most once and from largest to smallest. No spaces, signs or fractions.
pub fn parse(text: &str) -> Result<Duration, String> {
    const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];
    let bad = || {
        format!(
            "`{text}` is not a duration; write it like \"90s\", \"10m\" or \"1h30m\" (units: h, m, s, ms)"
        )
    };
    if text.is_empty() {
        return Err(bad());
    }
    let too_large = || {
        format!(
            "`{text}` is out of range: a duration is at most {}h (about 584 million years); write a shorter one",
            u64::MAX / 3_600_000
        )
    };
    let mut rest = text;
    let mut millis: u64 = 0;
    let mut last_unit = None;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        // Only digits here, so a number that does not parse is too large.
        let number: Option<u64> = rest[..digits].parse().ok();
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        let index = UNITS.iter().position(|(u, _)| *u == unit).ok_or_else(bad)?;
        if last_unit.is_some_and(|last| index <= last) {
            return Err(bad());
        }
        last_unit = Some(index);
        millis = number
            .and_then(|n| n.checked_mul(UNITS[index].1))
            .and_then(|m| millis.checked_add(m))
            .ok_or_else(too_large)?;
        rest = &rest[unit_len..];
    }
    Ok(Duration::from_millis(millis))
}

/// The compact form of a duration, the inverse of [`parse`] for whole milliseconds.
pub fn format(d: Duration) -> String {
    let mut ms = d.as_millis() as u64;
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if ms >= size {
            out.push_str(&format!("{}{unit}", ms / size));
            ms %= size;
        }
    }
    out
}

/// A short human form for summaries: `850ms`, `12.3s`, `4m05s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        let s = d.as_secs();
        format!("{}m{:02}s", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_over_large_duration_is_out_of_range_not_malformed() {
        for text in
            ["99999999999999h", "5124095576031h", "99999999999999999999999s", "1h18446744073709551615ms"]
        {
            let err = parse(text).unwrap_err();
            assert!(err.contains("is out of range"), "{text}: {err}");
        }
        assert!(parse("5124095576030h").is_ok());
        assert!(parse("99999999999999x").unwrap_err().contains("is not a duration"));
    }

    #[test]
    fn accepts_compact_forms() {
        assert_eq!(parse("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "10",
            "10 minutes",
            "-1s",
            "1.5s",
            "s",
            "10m1h",
            "5m5m",
            "10d",
            " 10s",
            "99999999999999999999h",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn format_round_trips() {
        for text in ["10s", "20m", "1h30m", "1h0m5s250ms", "0s"] {
            let d = parse(text).unwrap();
            assert_eq!(parse(&format(d)), Ok(d));
        }
        assert_eq!(format(Duration::from_secs(5400)), "1h30m");
    }

    #[test]
    fn human_is_short() {
        assert_eq!(human(Duration::from_millis(850)), "850ms");
        assert_eq!(human(Duration::from_millis(12_340)), "12.3s");
        assert_eq!(human(Duration::from_secs(245)), "4m05s");
    }
}
