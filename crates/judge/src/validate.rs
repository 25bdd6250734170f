//! The problem package format's default output validator.
//!
//! Compares the submission's output with the judge's answer token by token
//! (tokens are separated by whitespace), case-insensitively, with the flags
//! of the format:
//! - `case_sensitive`: tokens must match in case too;
//! - `space_change_sensitive`: whitespace must match exactly as well;
//! - `float_relative_tolerance ε`, `float_absolute_tolerance ε`,
//!   `float_tolerance ε` (both): a judge token that is a floating-point
//!   number accepts any number within the tolerance (either one suffices).

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValidatorFlags {
    pub case_sensitive: bool,
    pub space_change_sensitive: bool,
    pub float_absolute_tolerance: Option<f64>,
    pub float_relative_tolerance: Option<f64>,
}

impl ValidatorFlags {
    /// Parses the flag words of `validator_flags` / `output_validator_args`.
    pub fn parse(args: &[String]) -> Result<ValidatorFlags, String> {
        let mut f = ValidatorFlags::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut num = |name: &str| -> Result<f64, String> {
                it.next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| format!("{name} needs a non-negative number"))
            };
            match a.as_str() {
                "case_sensitive" => f.case_sensitive = true,
                "space_change_sensitive" => f.space_change_sensitive = true,
                "float_absolute_tolerance" => f.float_absolute_tolerance = Some(num(a)?),
                "float_relative_tolerance" => f.float_relative_tolerance = Some(num(a)?),
                "float_tolerance" => {
                    let v = num(a)?;
                    f.float_absolute_tolerance = Some(v);
                    f.float_relative_tolerance = Some(v);
                }
                other => return Err(format!("unknown default validator flag {other:?}")),
            }
        }
        Ok(f)
    }

    fn floats(&self) -> bool {
        self.float_absolute_tolerance.is_some() || self.float_relative_tolerance.is_some()
    }
}

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// Splits into tokens; with `keep_space`, whitespace runs are tokens too.
fn tokens(data: &[u8], keep_space: bool) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let space = is_space(data[i]);
        let start = i;
        while i < data.len() && is_space(data[i]) == space {
            i += 1;
        }
        if !space || keep_space {
            out.push(&data[start..i]);
        }
    }
    out
}

/// A number as the default validator reads it: the whole token must parse.
fn parse_float(t: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(t).ok()?;
    // Rust also accepts "inf"/"nan" words; contest answers are plain numbers.
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    s.parse::<f64>().ok()
}

fn show(t: &[u8]) -> String {
    let s = String::from_utf8_lossy(&t[..t.len().min(40)]).into_owned();
    if t.len() > 40 {
        format!("{s:?}…")
    } else {
        format!("{s:?}")
    }
}

/// Returns `Ok(())` when `team` is accepted against `judge`, else a message
/// saying where it differs.
pub fn validate(judge: &[u8], team: &[u8], flags: &ValidatorFlags) -> Result<(), String> {
    let j = tokens(judge, flags.space_change_sensitive);
    let t = tokens(team, flags.space_change_sensitive);
    for (i, jt) in j.iter().enumerate() {
        let Some(tt) = t.get(i) else {
            return Err(format!(
                "token {}: expected {}, output ended",
                i + 1,
                show(jt)
            ));
        };
        if flags.space_change_sensitive && (is_space(jt[0]) || is_space(tt[0])) {
            if jt != tt {
                return Err(format!("token {}: whitespace differs", i + 1));
            }
            continue;
        }
        if flags.floats()
            && let Some(jv) = parse_float(jt)
        {
            let Some(tv) = parse_float(tt) else {
                return Err(format!(
                    "token {}: expected a number like {}, got {}",
                    i + 1,
                    show(jt),
                    show(tt)
                ));
            };
            let diff = (jv - tv).abs();
            let abs_ok = flags.float_absolute_tolerance.is_some_and(|e| diff <= e);
            let rel_ok = flags
                .float_relative_tolerance
                .is_some_and(|e| diff <= e * jv.abs());
            // A token too large for an f64 reads as an infinity, which says nothing of its
            // value: it must then be the same token (letter case aside), and is within no
            // tolerance of anything else (`e * inf` would take any number).
            let within = if jv.is_finite() && tv.is_finite() {
                jv == tv || abs_ok || rel_ok
            } else {
                jt.eq_ignore_ascii_case(tt)
            };
            if !within {
                return Err(format!(
                    "token {}: {} is not within tolerance of {}",
                    i + 1,
                    show(tt),
                    show(jt)
                ));
            }
            continue;
        }
        let same = if flags.case_sensitive {
            jt == tt
        } else {
            jt.eq_ignore_ascii_case(tt)
        };
        if !same {
            return Err(format!(
                "token {}: expected {}, got {}",
                i + 1,
                show(jt),
                show(tt)
            ));
        }
    }
    if t.len() > j.len() {
        return Err(format!("trailing output: {}", show(t[j.len()])));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(s: &str) -> ValidatorFlags {
        ValidatorFlags::parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
            .unwrap_or_default()
    }

    #[test]
    fn tokens_whitespace_and_case() {
        let f = ValidatorFlags::default();
        assert!(validate(b"1 2\n3\n", b"1\n2 3", &f).is_ok());
        assert!(validate(b"Yes\n", b"yes\n", &f).is_ok());
        assert!(validate(b"Yes\n", b"yes\n", &flags("case_sensitive")).is_err());
        assert!(validate(b"1 2\n", b"1 2 3\n", &f).is_err());
        assert!(validate(b"1 2\n", b"1\n", &f).is_err());
        assert!(validate(b"", b"", &f).is_ok());
    }

    #[test]
    fn space_change_sensitive() {
        let f = flags("space_change_sensitive");
        assert!(validate(b"1 2\n", b"1 2\n", &f).is_ok());
        assert!(validate(b"1 2\n", b"1  2\n", &f).is_err());
        assert!(validate(b"1 2\n", b"1 2", &f).is_err());
    }

    #[test]
    fn float_tolerances() {
        let f = flags("float_tolerance 1e-6");
        assert!(validate(b"3.1415926\n", b"3.1415930\n", &f).is_ok());
        assert!(validate(b"3.1415926\n", b"3.1416\n", &f).is_err());
        assert!(
            validate(b"1000000\n", b"1000000.5\n", &f).is_ok(),
            "relative"
        );
        assert!(validate(b"2.5\n", b"abc\n", &f).is_err());
        let abs = flags("float_absolute_tolerance 0.01");
        assert!(validate(b"1000\n", b"1000.005\n", &abs).is_ok());
        assert!(validate(b"1000\n", b"1000.5\n", &abs).is_err());
        let rel = flags("float_relative_tolerance 0.01");
        assert!(validate(b"1000\n", b"1005\n", &rel).is_ok());
        assert!(validate(b"0\n", b"0.001\n", &rel).is_err());
        // Without float flags numbers are compared as text.
        assert!(validate(b"1.0\n", b"1.00\n", &ValidatorFlags::default()).is_err());
        // Non-number judge tokens still compare as text.
        assert!(validate(b"x 1.0\n", b"X 1.0000001\n", &f).is_ok());
    }

    /// Found by the `default_validator` fuzz target (`-3.E521` was refused against itself).
    #[test]
    fn numbers_beyond_f64_equal_themselves_and_nothing_else() {
        let rel = flags("float_relative_tolerance 0.01");
        let both = flags("float_tolerance 1e-6");
        for f in [&rel, &both, &flags("float_absolute_tolerance 1")] {
            assert!(validate(b"-3.E521\n", b"-3.E521\n", f).is_ok());
            assert!(validate(b"-3.E521\n", b"-3.e521\n", f).is_ok());
            assert!(
                validate(b"1e999\n", b"2e999\n", f).is_err(),
                "both +inf, not equal"
            );
            assert!(validate(b"1e999\n", b"-1e999\n", f).is_err());
            assert!(validate(b"1e999\n", b"5\n", f).is_err());
            assert!(validate(b"5\n", b"1e999\n", f).is_err());
        }
    }

    #[test]
    fn flag_parsing() {
        let f = flags("float_absolute_tolerance 1e-3 case_sensitive");
        assert_eq!(f.float_absolute_tolerance, Some(1e-3));
        assert!(f.case_sensitive);
        assert!(ValidatorFlags::parse(&["float_tolerance".into()]).is_err());
        assert!(ValidatorFlags::parse(&["bogus".into()]).is_err());
    }
}
