//! The package's `constants` (2025-09): named values written once in `problem.yaml`
//! and substituted where the format says — Markdown statements, input and output
//! validators, included code, the package's example submissions and `test_group.yaml`
//! (`{{name}}`), LaTeX statements (`\constant{name}`). Never into test data,
//! `problem.yaml` itself, or a player's submission.
//!
//! A value is a number or a string; it may also be a map of variants, whose `value`
//! entry is the plain `{{name}}` and whose other entries are `{{name.variant}}` (e.g.
//! `max_n: {value: 100000, latex: "10^5"}`). A sequence naming no constant is left as it
//! is, and reported once as a warning.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_norway::Value;

use super::ProblemError;
use super::yaml::as_string;

/// The constants of a package: `name` or `name.variant` to its text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Constants(BTreeMap<String, String>);

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Constants {
    /// Reads `problem.yaml`'s `constants` map; a bad name or value refuses the package.
    pub(super) fn parse(v: Option<&Value>) -> Result<Constants, ProblemError> {
        let mut out = BTreeMap::new();
        let Some(v) = v else {
            return Ok(Constants(out));
        };
        let map = v.as_mapping().ok_or_else(|| {
            ProblemError::Invalid("problem.yaml: constants must be a map of names to values".into())
        })?;
        let bad = |what: String| ProblemError::Invalid(format!("problem.yaml: constants: {what}"));
        for (k, value) in map {
            let name = as_string(k).unwrap_or_default();
            if !valid_name(&name) {
                return Err(bad(format!(
                    "{name:?} is not a name ([a-zA-Z_][a-zA-Z0-9_]*)"
                )));
            }
            match value {
                Value::Mapping(variants) => {
                    for (vk, vv) in variants {
                        let variant = as_string(vk).unwrap_or_default();
                        if !valid_name(&variant) {
                            return Err(bad(format!("{name}: variant {variant:?} is not a name")));
                        }
                        let text = as_string(vv).ok_or_else(|| {
                            bad(format!("{name}.{variant} must be a number or a string"))
                        })?;
                        let key = if variant == "value" {
                            name.clone()
                        } else {
                            format!("{name}.{variant}")
                        };
                        out.insert(key, text);
                    }
                    if !out.contains_key(&name) {
                        return Err(bad(format!("{name} has variants but no `value`")));
                    }
                }
                other => {
                    let text = as_string(other)
                        .ok_or_else(|| bad(format!("{name} must be a number or a string")))?;
                    out.insert(name, text);
                }
            }
        }
        Ok(Constants(out))
    }

    /// Some constant has variants (`{{name.variant}}`), beyond the format.
    pub fn has_variants(&self) -> bool {
        self.0.keys().any(|k| k.contains('.'))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Replaces every `{{name}}` / `{{name.variant}}` that names a constant. Returns the
    /// text and the sequences that named none (left in place).
    pub fn substitute(&self, text: &str) -> (String, Vec<String>) {
        self.replace(text, "{{", "}}")
    }

    /// [`Constants::substitute`] for LaTeX statements: `\constant{name}`, and the
    /// `{{name}}` sequences too.
    pub fn substitute_latex(&self, text: &str) -> (String, Vec<String>) {
        let (text, mut unknown) = self.replace(text, "\\constant{", "}");
        let (text, more) = self.replace(&text, "{{", "}}");
        unknown.extend(more);
        (text, unknown)
    }

    /// Substitutes in bytes that are UTF-8 text; anything else (a binary file) is
    /// returned unchanged.
    pub fn substitute_bytes(&self, bytes: Vec<u8>) -> Vec<u8> {
        if self.is_empty() {
            return bytes;
        }
        match String::from_utf8(bytes) {
            Ok(text) => self.substitute(&text).0.into_bytes(),
            Err(e) => e.into_bytes(),
        }
    }

    fn replace(&self, text: &str, open: &str, close: &str) -> (String, Vec<String>) {
        let mut out = String::with_capacity(text.len());
        let mut unknown = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            out.push_str(&rest[..start]);
            let after = &rest[start + open.len()..];
            let name_len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            let name = &after[..name_len];
            if !name.is_empty() && after[name_len..].starts_with(close) {
                match self.0.get(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        out.push_str(&rest[start..start + open.len() + name_len + close.len()]);
                        if !unknown.iter().any(|u| u == name) {
                            unknown.push(name.to_string());
                        }
                    }
                }
                rest = &after[name_len + close.len()..];
            } else {
                out.push_str(open);
                rest = after;
            }
        }
        out.push_str(rest);
        (out, unknown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn constants(yaml: &str) -> Result<Constants, ProblemError> {
        let v: Value = serde_norway::from_str(yaml).expect("yaml");
        Constants::parse(Some(&v))
    }

    #[test]
    fn names_and_variants_are_substituted_and_unknown_ones_kept() {
        let c =
            constants("max_n: 100000\neps: 0.5\nword: hello\nbig: {value: 1000000, latex: '10^6'}")
                .expect("parse");
        let (text, unknown) = c.substitute(
            "n <= {{max_n}}, {{eps}} {{word}}; {{big}} = ${{big.latex}}$ {{nope}} {{ max_n }} {{",
        );
        assert_eq!(
            text,
            "n <= 100000, 0.5 hello; 1000000 = $10^6$ {{nope}} {{ max_n }} {{"
        );
        assert_eq!(unknown, ["nope"]);
        let (tex, _) = c.substitute_latex("$n \\le \\constant{max_n}$ and {{word}}");
        assert_eq!(tex, "$n \\le 100000$ and hello");
    }

    #[test]
    fn bad_constants_refuse_the_package() {
        assert!(constants("1abc: 3").is_err());
        assert!(constants("a: [1, 2]").is_err());
        assert!(constants("a: {latex: x}").is_err());
        assert!(constants("[1]").is_err());
        assert!(constants("{}").is_ok_and(|c| c.is_empty()));
    }

    #[test]
    fn binary_files_pass_through() {
        let c = constants("a: 1").expect("parse");
        let bytes = vec![0xff, b'{', b'{', b'a', b'}', b'}'];
        assert_eq!(c.substitute_bytes(bytes.clone()), bytes);
        assert_eq!(c.substitute_bytes(b"x={{a}}".to_vec()), b"x=1");
    }
}
