//! Layered configuration: built-in defaults < a TOML file < `CODEARENA_*` environment.
//!
//! A service describes its settings as a `serde` struct whose fields all have defaults.
//! [`load`] reads the optional TOML file, lays the environment over it and deserialises the
//! result. Environment names map onto the TOML tree with `__` between levels:
//! `CODEARENA_HTTP__PORT=9000` sets `[http] port = 9000`. Values are read as TOML when they
//! parse as a TOML value (numbers, booleans, arrays) and as strings otherwise.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use toml::{Table, Value};

/// Prefix of the environment variables that configure CodeArena.
pub const ENV_PREFIX: &str = "CODEARENA_";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid TOML: {source}")]
    Parse {
        path: String,
        source: Box<toml::de::Error>,
    },
    #[error("environment variable {name} cannot be placed: {reason}")]
    Env { name: String, reason: String },
    #[error("invalid configuration: {0}")]
    Invalid(Box<toml::de::Error>),
}

/// A setting whose value would make a service useless or unsafe.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingError {
    #[error("{0} must be greater than 0")]
    NotPositive(&'static str),
    #[error("{name} must be at least {min}")]
    TooSmall { name: &'static str, min: u64 },
    #[error("{name} must be at most {max}")]
    TooLarge { name: &'static str, max: u64 },
}

/// Refuses the first of `settings` (name, value, largest allowed) that is larger.
pub fn require_at_most(settings: &[(&'static str, u64, u64)]) -> Result<(), SettingError> {
    match settings.iter().find(|(_, value, max)| value > max) {
        Some((name, _, max)) => Err(SettingError::TooLarge { name, max: *max }),
        None => Ok(()),
    }
}

/// Refuses the first of `settings` (name, value) that is 0.
pub fn require_positive(settings: &[(&'static str, u64)]) -> Result<(), SettingError> {
    match settings.iter().find(|(_, value)| *value == 0) {
        Some((name, _)) => Err(SettingError::NotPositive(name)),
        None => Ok(()),
    }
}

/// Loads settings from the optional file at `path` and the process environment.
pub fn load<T: DeserializeOwned>(path: Option<&Path>) -> Result<T, ConfigError> {
    load_from(path, std::env::vars())
}

/// [`load`] with an explicit environment, for tests.
pub fn load_from<T: DeserializeOwned>(
    path: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<T, ConfigError> {
    let mut root = match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            text.parse::<Table>().map_err(|source| ConfigError::Parse {
                path: path.display().to_string(),
                source: Box::new(source),
            })?
        }
        None => Table::new(),
    };
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(name, _)| name.starts_with(ENV_PREFIX) && name != "CODEARENA_CONFIG")
        .collect();
    // Deterministic order, so a conflict (`A` and `A__B`) always resolves the same way.
    vars.sort();
    for (name, raw) in vars {
        let path: Vec<String> = name[ENV_PREFIX.len()..]
            .split("__")
            .map(str::to_ascii_lowercase)
            .collect();
        set_path(&mut root, &path, env_value(&raw)).map_err(|reason| ConfigError::Env {
            name: name.clone(),
            reason,
        })?;
    }
    T::deserialize(Value::Table(root)).map_err(|e| ConfigError::Invalid(Box::new(e)))
}

fn env_value(raw: &str) -> Value {
    // `key = <raw>` parses only when raw is a TOML value: 42, true, 1.5, [1, 2], "quoted".
    match format!("v = {raw}").parse::<Table>() {
        Ok(mut table) => table
            .remove("v")
            .unwrap_or_else(|| Value::String(raw.to_owned())),
        Err(_) => Value::String(raw.to_owned()),
    }
}

fn set_path(table: &mut Table, path: &[String], value: Value) -> Result<(), String> {
    match path {
        [] => Err("empty name".into()),
        [leaf] if leaf.is_empty() => Err("empty name segment".into()),
        [leaf] => {
            table.insert(leaf.clone(), value);
            Ok(())
        }
        [head, rest @ ..] => {
            let entry = table
                .entry(head.clone())
                .or_insert_with(|| Value::Table(Table::new()));
            match entry {
                Value::Table(inner) => set_path(inner, rest, value),
                _ => Err(format!("`{head}` is a value, not a section")),
            }
        }
    }
}

/// Where a service listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSettings {
    pub host: String,
    /// `None` means the service's own default port (8083 embedded, 3001 auth, ...).
    pub port: Option<u16>,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: None,
            trust_forwarded_for: false,
        }
    }
}

/// Logs and traces.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TelemetrySettings {
    /// `tracing` filter directive, e.g. `info` or `info,sqlx=warn`.
    pub log_filter: String,
    /// `json` (default) or `pretty`.
    pub log_format: LogFormat,
    /// OTLP/HTTP endpoint for traces, e.g. `http://127.0.0.1:4318/v1/traces`; off when unset.
    pub otlp_endpoint: Option<String>,
}

impl Default for TelemetrySettings {
    fn default() -> Self {
        Self {
            log_filter: "info".into(),
            log_format: LogFormat::Json,
            otlp_endpoint: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Json,
    Pretty,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct Sample {
        http: HttpSettings,
        name: String,
        nested: Nested,
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct Nested {
        count: u32,
        flag: bool,
        words: Vec<String>,
    }

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let s: Sample = load_from(None, env(&[])).unwrap();
        assert_eq!(s.http.host, "0.0.0.0");
        assert_eq!(s.http.port, None);
        assert_eq!(s.nested.count, 0);
    }

    #[test]
    fn file_overrides_defaults_and_environment_overrides_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "name = \"from-file\"\n[http]\nport = 1234\n[nested]\ncount = 3\n",
        )
        .unwrap();
        let s: Sample = load_from(
            Some(&file),
            env(&[
                ("CODEARENA_HTTP__PORT", "9000"),
                ("CODEARENA_NESTED__FLAG", "true"),
                ("CODEARENA_NESTED__WORDS", "[\"a\", \"b\"]"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(s.name, "from-file");
        assert_eq!(s.http.port, Some(9000));
        assert_eq!(s.nested.count, 3);
        assert!(s.nested.flag);
        assert_eq!(s.nested.words, vec!["a", "b"]);
    }

    #[test]
    fn unquoted_text_in_the_environment_is_a_string() {
        let s: Sample = load_from(None, env(&[("CODEARENA_NAME", "postgres://x/y")])).unwrap();
        assert_eq!(s.name, "postgres://x/y");
    }

    #[test]
    fn a_wrongly_typed_value_is_an_error_not_a_default() {
        let err = load_from::<Sample>(None, env(&[("CODEARENA_HTTP__PORT", "lots")])).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
        let err = load_from::<Sample>(None, env(&[("CODEARENA_HTTP__PORT", "70000")])).unwrap_err();
        assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
    }

    #[test]
    fn unknown_keys_in_a_strict_section_are_reported() {
        let err = load_from::<Sample>(None, env(&[("CODEARENA_HTTP__PROT", "9000")])).unwrap_err();
        assert!(err.to_string().contains("prot"), "{err}");
    }

    #[test]
    fn a_broken_file_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, "[http\n").unwrap();
        let err = load_from::<Sample>(Some(&file), env(&[])).unwrap_err();
        assert!(err.to_string().contains("bad.toml"), "{err}");
    }
}
