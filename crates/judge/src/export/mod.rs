//! `codearena problem export PKG --format kattis|domjudge`: a package written here as a
//! zip archive another system imports, so problems are not locked in.
//!
//! - [`kattis`]: the legacy package format (what Kattis and problemtools' legacy
//!   mode read): `problem.yaml` with legacy keys, `.timelimit`, `testdata.yaml`,
//!   `problem_statement/` in LaTeX ([`latex`] converts Markdown),
//!   `output_validators/<name>/`, in a directory named after the package.
//! - [`domjudge`]: DOMjudge's problem import: `problem.yaml`, `domjudge-problem.ini`
//!   (time limit), flat `data/sample` and `data/secret`, the statement rendered to
//!   `problem.html` with its samples.
//!
//! Both substitute the package's `constants` (neither format has them) and leave out
//! what the target cannot read (submissions.yaml, the validator-test groups); what is
//! left out is said in [`Exported::notes`].

mod archive;
mod domjudge;
mod kattis;
mod latex;

use std::path::PathBuf;

use serde_norway::Value;

use crate::problem::Problem;

pub use archive::Archive;

const MIB: u64 = 1024 * 1024;

/// The systems a package can be exported for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Kattis / problemtools, legacy package format.
    Kattis,
    /// DOMjudge's problem zip.
    Domjudge,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("writing the archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{0}: invalid YAML: {1}")]
    Yaml(PathBuf, String),
    #[error("cannot be exported for {format}: {why}")]
    Unsupported { format: &'static str, why: String },
}

fn io_err(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An exported archive and what did not make it across.
#[derive(Debug)]
pub struct Exported {
    /// The zip archive.
    pub bytes: Vec<u8>,
    /// Parts of the package the target format has no place for.
    pub notes: Vec<String>,
}

/// Exports `problem` as a zip archive for `format`.
pub fn export(problem: &Problem, format: ExportFormat) -> Result<Exported, ExportError> {
    match format {
        ExportFormat::Kattis => kattis::export(problem),
        ExportFormat::Domjudge => domjudge::export(problem),
    }
}

/// `problem.yaml` as written (for what [`Problem`] does not keep: credits, source).
fn raw_metadata(problem: &Problem) -> Result<Value, ExportError> {
    let path = problem.dir.join("problem.yaml");
    let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
    serde_norway::from_str(&text).map_err(|e| ExportError::Yaml(path, e.to_string()))
}

/// People named in `credits` (2023-07+) or `author` (legacy), as one string.
fn authors(meta: &Value) -> Option<String> {
    let person = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Mapping(m) => m.get("name").and_then(|n| n.as_str()).map(String::from),
        _ => None,
    };
    let people = |v: &Value| -> Vec<String> {
        match v {
            Value::Sequence(s) => s.iter().filter_map(person).collect(),
            other => person(other).into_iter().collect(),
        }
    };
    let map = meta.as_mapping()?;
    if let Some(a) = map.get("author").and_then(|a| a.as_str()) {
        return Some(a.to_string());
    }
    let names = match map.get("credits")? {
        Value::Mapping(c) => c.get("authors").map(people).unwrap_or_default(),
        other => people(other),
    };
    (!names.is_empty()).then(|| names.join(", "))
}

/// `source` as a name and an address (a string, a map, or the first of a list).
fn source(meta: &Value) -> (Option<String>, Option<String>) {
    let map = meta.as_mapping();
    let url = map
        .and_then(|m| m.get("source_url"))
        .and_then(|u| u.as_str())
        .map(String::from);
    let entry = |v: &Value| match v {
        Value::String(s) => (Some(s.clone()), None),
        Value::Mapping(m) => (
            m.get("name").and_then(|n| n.as_str()).map(String::from),
            m.get("url").and_then(|n| n.as_str()).map(String::from),
        ),
        _ => (None, None),
    };
    let (name, entry_url) = match map.and_then(|m| m.get("source")) {
        Some(Value::Sequence(s)) => s.first().map(entry).unwrap_or((None, None)),
        Some(v) => entry(v),
        None => (None, None),
    };
    (name, url.or(entry_url))
}

/// Seconds as YAML/INI want them: `2`, `1.5`.
fn seconds(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{s}")
    }
}
