//! Lenient reading of the package's YAML files: a missing file is `None`,
//! numbers may be strings, word lists may be one string, and unknown keys
//! become warnings.

use std::path::Path;

use serde_norway::Value;

use super::ProblemError;
use super::constants::Constants;

pub(super) fn yaml_file(path: &Path) -> Result<Option<Value>, ProblemError> {
    yaml_file_with(path, &Constants::default())
}

/// [`yaml_file`] with the package's constants substituted in the text first (the
/// format substitutes them in `test_group.yaml`).
pub(super) fn yaml_file_with(
    path: &Path,
    constants: &Constants,
) -> Result<Option<Value>, ProblemError> {
    let text = std::fs::read_to_string(path).map(|t| {
        if constants.is_empty() {
            t
        } else {
            constants.substitute(&t).0
        }
    });
    match text {
        Ok(text) if text.trim().is_empty() => Ok(Some(Value::Mapping(Default::default()))),
        Ok(text) => serde_norway::from_str(&text)
            .map(Some)
            .map_err(|e| ProblemError::Yaml(path.to_path_buf(), e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ProblemError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

pub(super) fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of words given as a YAML sequence or one space-separated string.
pub(super) fn words(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(s) => s.iter().filter_map(as_string).collect(),
        other => as_string(other)
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default(),
    }
}

pub(super) fn key<'a>(map: &'a Value, k: &str) -> Option<&'a Value> {
    map.as_mapping().and_then(|m| m.get(k))
}

pub(super) fn known_keys(map: &Value, known: &[&str], what: &str, warnings: &mut Vec<String>) {
    if let Some(m) = map.as_mapping() {
        for k in m.keys() {
            let k = as_string(k).unwrap_or_default();
            if !known.contains(&k.as_str()) {
                warnings.push(format!("{what}: unknown key {k:?} ignored"));
            }
        }
    }
}
