//! The supported languages: how each is compiled and run, and which of them are
//! installed here (discovered at start-up with their versions).
//!
//! What a language is comes from a TOML [`table`] (built in, overridable by the
//! operator) rather than from code, so that adding a language or changing a flag is
//! a configuration change. [`discover`] finds each entry's tools; the commands are
//! the entry's templates with the placeholders filled in ([`Language::compile`],
//! [`Language::run`]). A file's language comes from its extension, or from the
//! interpreter its `#!` line names, as in problemtools.

mod discover;
pub mod table;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

pub use table::{LanguageSpec, LanguageTable, LanguageTableError};

/// How one installed language compiles and runs a submission.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// Stable identifier from the table: `c`, `cpp`, `python`, `java`, `kotlin`, ...
    pub id: String,
    pub name: String,
    pub version: String,
    pub extensions: Vec<String>,
    #[serde(skip)]
    spec: Arc<LanguageSpec>,
    #[serde(skip)]
    tool: PathBuf,
    /// The toolchain's home (`{home}`): see [`table::ToolSpec::home_levels`].
    #[serde(skip)]
    home: PathBuf,
    /// e.g. `java` next to `javac`.
    #[serde(skip)]
    runtime: Option<PathBuf>,
    /// Host directories the toolchain needs inside the sandbox (beyond /usr).
    #[serde(skip)]
    pub readonly_paths: Vec<PathBuf>,
}

/// A compile or run command inside the sandbox.
#[derive(Debug, Clone)]
pub struct SandboxCommand {
    pub argv: Vec<String>,
    pub env: Vec<(String, String)>,
}

fn base_env() -> Vec<(String, String)> {
    vec![
        ("PATH".into(), "/usr/bin:/bin".into()),
        ("HOME".into(), "/tmp".into()),
        ("TMPDIR".into(), "/tmp".into()),
        ("LANG".into(), "C.UTF-8".into()),
    ]
}

impl Language {
    /// The table entry this language was discovered from.
    pub fn spec(&self) -> &LanguageSpec {
        &self.spec
    }

    /// The file name the source gets in the work directory. Java-like languages
    /// need the public class name, which is the submitted file's stem.
    pub fn source_name(&self, original: &Path) -> String {
        let class = class_name(original);
        table::expand(&self.spec.source, &self.values("", &class, None))
    }

    /// The file name a source that comes without one (a job carries only its text) is
    /// judged as: Java's public class is then `Main`; the others ignore the name.
    pub fn unnamed_source(&self) -> PathBuf {
        if self.spec.source.contains("{class}") {
            let ext = self.extensions.first().map_or("src", String::as_str);
            PathBuf::from(format!("Main.{ext}"))
        } else {
            PathBuf::from("main")
        }
    }

    /// Whether a run gets the source file besides the files compiling produced
    /// (languages whose compile step produces nothing always run from the source).
    pub fn run_keeps_source(&self) -> bool {
        self.spec.run_keeps_source
    }

    /// The compile step (for interpreted languages a syntax check), and the files
    /// it produces that the run needs (`*.ext` patterns allowed); `None` when the
    /// language has no compile step.
    pub fn compile(&self, source: &str) -> Option<(SandboxCommand, Vec<String>)> {
        if self.spec.compile.is_empty() {
            return None;
        }
        let values = self.values(source, &stem(source), None);
        let mut env = base_env();
        env.extend(
            self.spec
                .compile_env
                .iter()
                .map(|(k, v)| (k.clone(), table::expand(v, &values))),
        );
        let argv = self
            .spec
            .compile
            .iter()
            .map(|a| table::expand(a, &values))
            .collect();
        Some((SandboxCommand { argv, env }, self.spec.collect.clone()))
    }

    /// The run step. `memory_mib` sizes the JVM heap and Node's old space so
    /// that they fail like a native program at the cgroup limit.
    pub fn run(&self, source: &str, memory_mib: u64) -> SandboxCommand {
        let memory = memory_mib.to_string();
        let values = self.values(source, &stem(source), Some(&memory));
        let mut env = base_env();
        env.extend(
            self.spec
                .run_env
                .iter()
                .map(|(k, v)| (k.clone(), table::expand(v, &values))),
        );
        SandboxCommand {
            argv: self
                .spec
                .run
                .iter()
                .map(|a| table::expand(a, &values))
                .collect(),
            env,
        }
    }

    fn values(
        &self,
        source: &str,
        class: &str,
        memory_mib: Option<&str>,
    ) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("tool", self.tool.display().to_string()),
            ("home", self.home.display().to_string()),
            ("source", source.to_string()),
            ("class", class.to_string()),
        ];
        if let Some(runtime) = &self.runtime {
            v.push(("runtime", runtime.display().to_string()));
        }
        if let Some(m) = memory_mib {
            v.push(("memory_mib", m.to_string()));
        }
        v
    }
}

/// The class name of a submitted file (Java's public class): its stem.
fn class_name(original: &Path) -> String {
    original
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("Main")
        .to_string()
}

fn stem(source: &str) -> String {
    Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(source)
        .to_string()
}

/// The installed languages.
#[derive(Debug, Clone, Serialize)]
pub struct Languages {
    pub languages: Vec<Language>,
}

impl Languages {
    /// The built-in table's languages that are installed here.
    pub fn discover() -> Languages {
        Languages::discover_table(&LanguageTable::builtin())
    }

    /// The built-in table with the operator's file (`execution.languages_file`)
    /// applied, then discovered.
    pub fn load(table_file: Option<&Path>) -> Result<Languages, LanguageTableError> {
        Ok(Languages::discover_table(&LanguageTable::load(table_file)?))
    }

    /// `table`'s languages that are installed here, in its order.
    pub fn discover_table(table: &LanguageTable) -> Languages {
        Languages {
            languages: discover::discover(table),
        }
    }

    /// A language by id or alias, case-insensitively.
    pub fn get(&self, id: &str) -> Option<&Language> {
        let id = id.to_ascii_lowercase();
        self.languages
            .iter()
            .find(|l| l.id == id)
            .or_else(|| self.languages.iter().find(|l| l.spec.aliases.contains(&id)))
    }

    /// The language a file's extension names, or else the interpreter its `#!`
    /// line names (the file is read for that).
    pub fn for_file(&self, path: &Path) -> Option<&Language> {
        self.by_extension(path).or_else(|| {
            let head = read_head(path)?;
            self.by_shebang(&head)
        })
    }

    /// [`Languages::for_file`] for a source held in memory.
    pub fn for_source(&self, path: &Path, code: &[u8]) -> Option<&Language> {
        self.by_extension(path).or_else(|| self.by_shebang(code))
    }

    fn by_extension(&self, path: &Path) -> Option<&Language> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        self.languages.iter().find(|l| l.extensions.contains(&ext))
    }

    /// The language whose interpreter a `#!` line names: `#!/usr/bin/python3`,
    /// `#!/usr/bin/env -S ruby -w`; a versioned name (`python3.11`) falls back
    /// to its unversioned forms (`python3`, `python`).
    pub fn by_shebang(&self, code: &[u8]) -> Option<&Language> {
        let name = shebang_interpreter(code)?;
        let mut candidates = vec![name.clone()];
        let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        if trimmed != name {
            let major = &name[..(trimmed.len() + 1).min(name.len())];
            candidates.extend([major.to_string(), trimmed.to_string()]);
        }
        candidates.iter().find_map(|c| {
            self.languages
                .iter()
                .find(|l| l.spec.shebang.iter().any(|s| s == c))
        })
    }

    /// Every extra host directory the installed toolchains need.
    pub fn readonly_paths(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .languages
            .iter()
            .flat_map(|l| l.readonly_paths.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// The first 256 bytes of a file, enough for its `#!` line.
fn read_head(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(256)
        .read_to_end(&mut head)
        .ok()?;
    Some(head)
}

/// The interpreter's base name a `#!` line names, through `env` and its options.
fn shebang_interpreter(code: &[u8]) -> Option<String> {
    let rest = code.strip_prefix(b"#!")?;
    let line = rest.split(|&b| b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let first = base(words.next()?);
    if first != "env" {
        return Some(first);
    }
    words
        .find(|w| !w.starts_with('-') && !w.contains('='))
        .map(base)
}

#[cfg(test)]
mod tests;
