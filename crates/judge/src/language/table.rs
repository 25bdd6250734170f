//! The language table: what each language is (names, extensions, the tools to look
//! for, how to compile and run it), read from TOML. The built-in table
//! (`crates/judge/languages.toml`) is compiled into the binary so that a judge works
//! without any file next to it; an operator's file (the `execution.languages_file`
//! setting) replaces entries with the same id and adds new ones, so a site can add a
//! language or change a flag without a new build. Every entry is checked when the
//! table is read, so a mistake fails at start-up with the language and the field
//! named, not at the first submission.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The built-in table's text.
pub const BUILTIN: &str = include_str!("../../languages.toml");

/// Placeholders every command and environment value may use.
const PLACEHOLDERS: [&str; 5] = ["tool", "runtime", "home", "source", "class"];
/// Known at run time only.
const RUN_PLACEHOLDERS: [&str; 1] = ["memory_mib"];

/// A language table that cannot be used, naming the file, language and field.
#[derive(Debug, thiserror::Error)]
pub enum LanguageTableError {
    #[error("cannot read the language table {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("language table {origin}: {source}")]
    Parse {
        origin: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("language table {origin}, language {id:?}, field `{field}`: {reason}")]
    Invalid {
        origin: String,
        id: String,
        field: &'static str,
        reason: String,
    },
    #[error("language table {origin}: language {id:?} is defined twice")]
    Duplicate { origin: String, id: String },
}

/// A tool to look for: fixed paths first (the sandbox mounts /usr), then `name` on
/// the host's `PATH`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ToolSpec {
    #[serde(default)]
    pub paths: Vec<PathBuf>,
    pub name: Option<String>,
    /// Use the path with symlinks resolved (what the sandbox must see). False keeps
    /// the path as found (rustup's proxies act by the name they are called by).
    #[serde(default = "yes")]
    pub canonical: bool,
    /// The toolchain's home is this many directories above the tool (1: the tool's
    /// own directory); it is mounted into the sandbox when outside /usr, /bin, /lib.
    #[serde(default = "one")]
    pub home_levels: usize,
    /// Ask the found tool for its sysroot; the real tool is `tool` below it and
    /// the sysroot is the toolchain's home.
    pub sysroot: Option<SysrootSpec>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SysrootSpec {
    pub args: Vec<String>,
    pub tool: PathBuf,
}

/// How to ask the tool for its version: the first line of its output (stdout, then
/// stderr) that contains `line_containing` (any line when unset), optionally only
/// its whitespace-separated word number `word` (from 0), put into `format`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VersionSpec {
    pub args: Vec<String>,
    pub line_containing: Option<String>,
    pub word: Option<usize>,
    #[serde(default = "version_only")]
    pub format: String,
}

/// One language of the table.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LanguageSpec {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// File extensions without the dot, lower case.
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Interpreter names a `#!` line may name (`#!/usr/bin/env ruby`).
    #[serde(default)]
    pub shebang: Vec<String>,
    pub tool: ToolSpec,
    pub runtime: Option<ToolSpec>,
    pub version: VersionSpec,
    /// The source's name in the work directory.
    pub source: String,
    /// The compile step (a syntax check for interpreted languages); none: the run
    /// starts from the source.
    #[serde(default)]
    pub compile: Vec<String>,
    #[serde(default)]
    pub compile_env: BTreeMap<String, String>,
    /// Files the compile step produces that the run needs (`*.ext` allowed).
    #[serde(default)]
    pub collect: Vec<String>,
    /// Give the run the source besides the collected files.
    #[serde(default)]
    pub run_keeps_source: bool,
    pub run: Vec<String>,
    #[serde(default)]
    pub run_env: BTreeMap<String, String>,
    /// Host paths outside the default read-only set the toolchain needs inside the
    /// sandbox (mounted read-only when they exist).
    #[serde(default)]
    pub readonly_paths: Vec<PathBuf>,
}

fn yes() -> bool {
    true
}

fn one() -> usize {
    1
}

fn version_only() -> String {
    "{version}".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    language: Vec<LanguageSpec>,
}

/// The languages the judge knows, in listing order (the first whose extension
/// matches a file is the file's language).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LanguageTable {
    pub languages: Vec<LanguageSpec>,
}

impl LanguageTable {
    /// The table shipped with the binary.
    pub fn builtin() -> LanguageTable {
        // The built-in text is fixed at build time and checked by a unit test.
        LanguageTable::parse(BUILTIN, "(built-in)")
            .unwrap_or_else(|e| panic!("the built-in language table is broken: {e}"))
    }

    /// The built-in table with the operator's file at `path` applied, if any.
    pub fn load(path: Option<&Path>) -> Result<LanguageTable, LanguageTableError> {
        let mut table = LanguageTable::builtin();
        if let Some(path) = path {
            let text =
                std::fs::read_to_string(path).map_err(|source| LanguageTableError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
            table.apply(LanguageTable::parse(&text, &path.display().to_string())?);
        }
        Ok(table)
    }

    /// Parses and checks a table; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<LanguageTable, LanguageTableError> {
        let file: TableFile = toml::from_str(text).map_err(|e| LanguageTableError::Parse {
            origin: origin.to_string(),
            source: Box::new(e),
        })?;
        let mut seen = std::collections::HashSet::new();
        for spec in &file.language {
            check(spec, origin)?;
            if !seen.insert(spec.id.clone()) {
                return Err(LanguageTableError::Duplicate {
                    origin: origin.to_string(),
                    id: spec.id.clone(),
                });
            }
        }
        Ok(LanguageTable {
            languages: file.language,
        })
    }

    /// An override: an entry replaces the one with its id in place, or is added at
    /// the end.
    pub fn apply(&mut self, other: LanguageTable) {
        for spec in other.languages {
            match self.languages.iter_mut().find(|l| l.id == spec.id) {
                Some(slot) => *slot = spec,
                None => self.languages.push(spec),
            }
        }
    }
}

fn check(spec: &LanguageSpec, origin: &str) -> Result<(), LanguageTableError> {
    let bad = |field: &'static str, reason: String| LanguageTableError::Invalid {
        origin: origin.to_string(),
        id: spec.id.clone(),
        field,
        reason,
    };
    let word = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-_#.".contains(c))
    };
    if !word(&spec.id) {
        return Err(bad(
            "id",
            "must be lower-case letters, digits or + - _ # . (from a letter or digit)".into(),
        ));
    }
    if spec.name.trim().is_empty() {
        return Err(bad("name", "must not be empty".into()));
    }
    for (field, list) in [
        ("aliases", &spec.aliases),
        ("extensions", &spec.extensions),
        ("shebang", &spec.shebang),
    ] {
        if let Some(w) = list.iter().find(|w| !word(w)) {
            return Err(bad(
                field,
                format!(
                    "{w:?} must be lower-case letters, digits or + - _ # ., from a letter or digit"
                ),
            ));
        }
    }
    for (field, tool) in [
        ("tool", Some(&spec.tool)),
        ("runtime", spec.runtime.as_ref()),
    ] {
        let Some(tool) = tool else { continue };
        if tool.paths.is_empty() && tool.name.is_none() {
            return Err(bad(field, "needs `paths` or `name`".into()));
        }
        if let Some(p) = tool.paths.iter().find(|p| !p.is_absolute()) {
            return Err(bad(field, format!("path {} is not absolute", p.display())));
        }
        if tool
            .name
            .as_deref()
            .is_some_and(|n| n.is_empty() || n.contains('/'))
        {
            return Err(bad(field, "`name` is a command name, without /".into()));
        }
        if tool.home_levels == 0 {
            return Err(bad(field, "`home_levels` is at least 1".into()));
        }
    }
    if !spec.version.format.contains("{version}") {
        return Err(bad("version", "`format` must contain {version}".into()));
    }
    let names_ok = !spec.source.is_empty() && !spec.source.contains('/');
    if !names_ok || spec.source.starts_with('.') {
        return Err(bad("source", "must be a plain file name".into()));
    }
    if spec.run.is_empty() {
        return Err(bad("run", "must name a command".into()));
    }
    if spec.compile.is_empty() && !spec.collect.is_empty() {
        return Err(bad("collect", "needs a `compile` command".into()));
    }
    if let Some(c) = spec
        .collect
        .iter()
        .find(|c| c.is_empty() || c.contains('/'))
    {
        return Err(bad("collect", format!("{c:?} is not a file name or *.ext")));
    }
    if let Some(p) = spec.readonly_paths.iter().find(|p| !p.is_absolute()) {
        return Err(bad(
            "readonly_paths",
            format!("{} is not absolute", p.display()),
        ));
    }
    let runtime = spec.runtime.is_some();
    let texts = |field: &'static str, run: bool, values: Vec<&String>| {
        for value in values {
            placeholders_ok(value, run, runtime).map_err(|reason| bad(field, reason))?;
        }
        Ok(())
    };
    texts("source", false, vec![&spec.source])?;
    texts("compile", false, spec.compile.iter().collect())?;
    texts("compile_env", false, spec.compile_env.values().collect())?;
    texts("run", true, spec.run.iter().collect())?;
    texts("run_env", true, spec.run_env.values().collect())?;
    if spec.source.contains("{source}") {
        return Err(bad("source", "cannot contain {source}".into()));
    }
    Ok(())
}

/// Every `{name}` in `text` is a placeholder this field may use.
fn placeholders_ok(text: &str, run: bool, runtime: bool) -> Result<(), String> {
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(format!("{text:?}: `{{` without `}}`"));
        };
        let name = &rest[start + 1..start + len];
        let known = PLACEHOLDERS.contains(&name) || (run && RUN_PLACEHOLDERS.contains(&name));
        if !known {
            return Err(format!("{text:?}: unknown placeholder {{{name}}}"));
        }
        if name == "runtime" && !runtime {
            return Err(format!("{text:?}: {{runtime}} needs a [runtime] tool"));
        }
        rest = &rest[start + len + 1..];
    }
    Ok(())
}

/// Replaces the placeholders of `text` (checked by [`LanguageTable::parse`]) in one
/// pass, so a value that itself contains braces is left as it is.
pub(super) fn expand(text: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('}').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (v.as_str(), end))
        });
        match value {
            Some((v, end)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}
