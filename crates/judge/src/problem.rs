//! Problem packages in the ICPC/Kattis problem package format: `legacy`,
//! `2023-07-draft` and `2025-09`.
//!
//! Reads `problem.yaml` (unknown keys are warnings, not errors), the test
//! data tree (`data/sample`, `data/secret` and nested groups, with
//! `testdata.yaml` or, from 2025-09, `test_group.yaml` settings inherited
//! downwards), the output validator (`output_validators/` in legacy,
//! `output_validator/` later), and the statements, which are kept as
//! Markdown/LaTeX source.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde_norway::Value;
use sha2::{Digest, Sha256};

const MIB: u64 = 1024 * 1024;
/// The platform's default time limit when a package gives none.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);
/// The platform's default memory limit.
pub const DEFAULT_MEMORY_MIB: u64 = 256;

#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: invalid YAML: {1}")]
    Yaml(PathBuf, String),
    #[error("invalid problem package: {0}")]
    Invalid(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProblemError + '_ {
    move |source| ProblemError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FormatVersion {
    #[serde(rename = "legacy")]
    Legacy,
    #[serde(rename = "2023-07-draft")]
    Draft2023_07,
    #[serde(rename = "2025-09")]
    V2025_09,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemType {
    PassFail,
    Scoring,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemLimits {
    /// `None` when the package gives no time limit (see
    /// [`Problem::time_limit`]).
    pub time_limit: Option<Duration>,
    pub memory_bytes: u64,
    pub output_bytes: u64,
    pub code_bytes: u64,
    pub compilation_time: Duration,
    pub compilation_memory_bytes: u64,
    pub validation_time: Duration,
    pub validation_memory_bytes: u64,
    /// Multiplier from the slowest accepted submission to the time limit
    /// (legacy `time_multiplier`, later `ac_to_time_limit`).
    pub ac_to_time_limit: f64,
    pub time_resolution: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementFormat {
    Markdown,
    Latex,
    Pdf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub language: String,
    pub format: StatementFormat,
    pub path: PathBuf,
    /// The source text (Markdown or LaTeX); empty for PDF.
    #[serde(skip)]
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub enum OutputValidator {
    Default,
    /// A custom validator program: a directory (sources or `build`/`run`)
    /// or a single source file.
    Custom(PathBuf),
}

/// Settings of a test group, after inheritance from its parents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupSettings {
    pub output_validator_args: Vec<String>,
    /// Score of an accepted test case (legacy `accept_score`, default 1).
    pub accept_score: Option<f64>,
    /// `sum`, `min` or `pass-fail`.
    pub score_aggregation: Option<String>,
    pub max_score: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestCase {
    /// Name relative to `data/` without extension, e.g. `secret/group1/01`.
    pub name: String,
    pub input: PathBuf,
    pub answer: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub enum TestNode {
    Case(TestCase),
    Group(TestGroup),
}

#[derive(Debug, Clone, Serialize)]
pub struct TestGroup {
    /// Path relative to `data/`, e.g. `secret/group1`.
    pub name: String,
    pub settings: GroupSettings,
    /// Cases and subgroups in lexicographic order, as the format says.
    pub children: Vec<TestNode>,
}

impl TestGroup {
    /// Every test case below this group, in judging order, with its group.
    pub fn cases(&self) -> Vec<(&TestGroup, &TestCase)> {
        let mut out = Vec::new();
        for c in &self.children {
            match c {
                TestNode::Case(t) => out.push((self, t)),
                TestNode::Group(g) => out.extend(g.cases()),
            }
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub dir: PathBuf,
    /// The package directory's name.
    pub short_name: String,
    pub format: FormatVersion,
    pub name: String,
    pub uuid: Option<String>,
    pub problem_type: ProblemType,
    pub license: Option<String>,
    pub rights_owner: Option<String>,
    pub keywords: Vec<String>,
    /// CodeArena extension `codearena: {difficulty: ...}`.
    pub difficulty: Option<Difficulty>,
    pub limits: ProblemLimits,
    pub statements: Vec<Statement>,
    pub validator: OutputValidator,
    pub sample: Option<TestGroup>,
    pub secret: TestGroup,
    /// Things that are not fatal but worth telling (unknown keys...).
    pub warnings: Vec<String>,
}

fn yaml_file(path: &Path) -> Result<Option<Value>, ProblemError> {
    match std::fs::read_to_string(path) {
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

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list of words given as a YAML sequence or one space-separated string.
fn words(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(s) => s.iter().filter_map(as_string).collect(),
        other => as_string(other)
            .map(|s| s.split_whitespace().map(String::from).collect())
            .unwrap_or_default(),
    }
}

fn key<'a>(map: &'a Value, k: &str) -> Option<&'a Value> {
    map.as_mapping().and_then(|m| m.get(k))
}

fn known_keys(map: &Value, known: &[&str], what: &str, warnings: &mut Vec<String>) {
    if let Some(m) = map.as_mapping() {
        for k in m.keys() {
            let k = as_string(k).unwrap_or_default();
            if !known.contains(&k.as_str()) {
                warnings.push(format!("{what}: unknown key {k:?} ignored"));
            }
        }
    }
}

/// A limit must be a positive number no larger than `max`: zero, negative
/// and absurd limits are refused when the package loads, before anything
/// runs.
fn positive(v: Option<&Value>, what: &str, max: f64) -> Result<Option<f64>, ProblemError> {
    let Some(v) = v else { return Ok(None) };
    match as_f64(v) {
        Some(x) if x.is_finite() && x > 0.0 && x <= max => Ok(Some(x)),
        _ => Err(ProblemError::Invalid(format!(
            "{what} must be a number in (0, {max}]"
        ))),
    }
}

/// Upper bounds for limits (seconds, MiB, KiB).
fn limit_max(key: &str) -> f64 {
    match key {
        "time_limit" | "compilation_time" | "validation_time" => 3600.0,
        "memory" | "compilation_memory" | "validation_memory" => 65536.0,
        "output" | "validation_output" => 4096.0,
        "code" => 65536.0,
        _ => 1000.0,
    }
}

impl Problem {
    /// Loads and checks a package directory.
    pub fn load(dir: impl AsRef<Path>) -> Result<Problem, ProblemError> {
        let dir = dir.as_ref();
        let dir = std::fs::canonicalize(dir).map_err(io_err(dir))?;
        let short_name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("problem")
            .to_string();
        let yaml_path = dir.join("problem.yaml");
        let meta = yaml_file(&yaml_path)?
            .ok_or_else(|| ProblemError::Invalid(format!("{} is missing", yaml_path.display())))?;
        if !meta.is_mapping() {
            return Err(ProblemError::Invalid(
                "problem.yaml is not a mapping".into(),
            ));
        }
        let mut warnings = Vec::new();

        let format = match key(&meta, "problem_format_version")
            .and_then(as_string)
            .as_deref()
        {
            None | Some("legacy") | Some("legacy-icpc") => FormatVersion::Legacy,
            Some("2023-07-draft") | Some("2023-07") => FormatVersion::Draft2023_07,
            Some("2025-09") | Some("2025-09-draft") => FormatVersion::V2025_09,
            Some(other) => {
                return Err(ProblemError::Invalid(format!(
                    "unsupported problem_format_version {other:?}"
                )));
            }
        };
        let common = [
            "problem_format_version",
            "type",
            "name",
            "uuid",
            "license",
            "rights_owner",
            "limits",
            "keywords",
            "source",
            "source_url",
            "author",
            "credits",
            "languages",
            "codearena",
            "version",
            "embargo_until",
            "allow_file_writing",
            "constants",
        ];
        let legacy_only = ["validation", "validator_flags", "grading"];
        let known: Vec<&str> = if format == FormatVersion::Legacy {
            common.iter().chain(legacy_only.iter()).copied().collect()
        } else {
            common.to_vec()
        };
        known_keys(&meta, &known, "problem.yaml", &mut warnings);

        let name = match key(&meta, "name") {
            Some(Value::Mapping(m)) => m
                .get("en")
                .or_else(|| m.values().next())
                .and_then(as_string)
                .unwrap_or_else(|| short_name.clone()),
            Some(v) => as_string(v).unwrap_or_else(|| short_name.clone()),
            None => short_name.clone(),
        };
        let types = key(&meta, "type").map(words).unwrap_or_default();
        let problem_type = if types.iter().any(|t| t == "scoring") {
            ProblemType::Scoring
        } else {
            ProblemType::PassFail
        };
        for t in &types {
            if !["pass-fail", "scoring"].contains(&t.as_str()) {
                return Err(ProblemError::Invalid(format!(
                    "problem type {t:?} is not supported"
                )));
            }
        }
        let validation = key(&meta, "validation").map(words).unwrap_or_default();
        if validation.iter().any(|w| w == "interactive") {
            return Err(ProblemError::Invalid(
                "interactive problems are not supported".into(),
            ));
        }

        let limits_v = key(&meta, "limits").cloned().unwrap_or(Value::Null);
        known_keys(
            &limits_v,
            &[
                "time_multiplier",
                "time_safety_margin",
                "time_multipliers",
                "time_limit",
                "time_resolution",
                "memory",
                "output",
                "code",
                "compilation_time",
                "compilation_memory",
                "validation_time",
                "validation_memory",
                "validation_output",
                "validation_passes",
            ],
            "problem.yaml limits",
            &mut warnings,
        );
        let lim = |k: &str| positive(key(&limits_v, k), &format!("limits.{k}"), limit_max(k));
        let mut time_limit = lim("time_limit")?.map(Duration::from_secs_f64);
        if time_limit.is_none() {
            // problemtools and Kattis write the computed limit to .timelimit.
            if let Ok(t) = std::fs::read_to_string(dir.join(".timelimit")) {
                time_limit = t
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| *x > 0.0)
                    .map(Duration::from_secs_f64);
            }
        }
        let ac_to_time_limit = if format == FormatVersion::Legacy {
            lim("time_multiplier")?.unwrap_or(5.0)
        } else {
            key(&limits_v, "time_multipliers")
                .and_then(|m| key(m, "ac_to_time_limit"))
                .and_then(as_f64)
                .unwrap_or(2.0)
        };
        let mib = |k: &str, default: u64| -> Result<u64, ProblemError> {
            Ok(lim(k)?.map_or(default * MIB, |v| (v * MIB as f64) as u64))
        };
        let secs = |k: &str, default: u64| -> Result<Duration, ProblemError> {
            Ok(lim(k)?.map_or(Duration::from_secs(default), Duration::from_secs_f64))
        };
        let limits = ProblemLimits {
            time_limit,
            memory_bytes: mib("memory", DEFAULT_MEMORY_MIB)?,
            output_bytes: mib("output", 8)?,
            code_bytes: lim("code")?.map_or(128 * 1024, |k| (k * 1024.0) as u64),
            compilation_time: secs("compilation_time", 60)?,
            compilation_memory_bytes: mib("compilation_memory", 2048)?,
            validation_time: secs("validation_time", 60)?,
            validation_memory_bytes: mib("validation_memory", 2048)?,
            ac_to_time_limit,
            time_resolution: lim("time_resolution")?.unwrap_or(1.0),
        };
        if limits.memory_bytes < 16 * MIB {
            return Err(ProblemError::Invalid(
                "limits.memory must be at least 16 MiB".into(),
            ));
        }

        let difficulty = key(&meta, "codearena").and_then(|c| {
            known_keys(c, &["difficulty"], "problem.yaml codearena", &mut warnings);
            match key(c, "difficulty").and_then(as_string).as_deref() {
                Some("easy") => Some(Difficulty::Easy),
                Some("medium") => Some(Difficulty::Medium),
                Some("hard") => Some(Difficulty::Hard),
                Some(other) => {
                    warnings.push(format!(
                        "codearena.difficulty {other:?} is not easy|medium|hard; ignored"
                    ));
                    None
                }
                None => None,
            }
        });

        // Legacy problems put default-validator flags in problem.yaml.
        let root_args = if format == FormatVersion::Legacy {
            key(&meta, "validator_flags").map(words).unwrap_or_default()
        } else {
            Vec::new()
        };
        let validator = find_validator(&dir, format, &validation)?;
        let group_file = if format == FormatVersion::V2025_09 {
            "test_group.yaml"
        } else {
            "testdata.yaml"
        };
        let root_settings = GroupSettings {
            output_validator_args: root_args,
            ..Default::default()
        };
        let root_settings =
            read_settings(&dir.join("data"), group_file, &root_settings, &mut warnings)?;
        let data = dir.join("data");
        let sample = if data.join("sample").is_dir() {
            Some(load_group(
                &data,
                "sample",
                group_file,
                &root_settings,
                &mut warnings,
            )?)
        } else {
            None
        };
        if !data.join("secret").is_dir() {
            return Err(ProblemError::Invalid("data/secret is missing".into()));
        }
        let secret = load_group(&data, "secret", group_file, &root_settings, &mut warnings)?;
        if secret.cases().is_empty() {
            return Err(ProblemError::Invalid(
                "data/secret has no test cases".into(),
            ));
        }

        Ok(Problem {
            statements: load_statements(&dir, format)?,
            short_name,
            format,
            name,
            uuid: key(&meta, "uuid").and_then(as_string),
            problem_type,
            license: key(&meta, "license").and_then(as_string),
            rights_owner: key(&meta, "rights_owner").and_then(as_string),
            keywords: key(&meta, "keywords").map(words).unwrap_or_default(),
            difficulty,
            limits,
            validator,
            sample,
            secret,
            warnings,
            dir,
        })
    }

    /// Every test case in judging order: samples first, then secret data.
    pub fn test_cases(&self) -> Vec<(&TestGroup, &TestCase)> {
        let mut v = self
            .sample
            .as_ref()
            .map(TestGroup::cases)
            .unwrap_or_default();
        v.extend(self.secret.cases());
        v
    }

    /// The time limit from the package, or `None` when the format says to
    /// derive it from the accepted submissions.
    pub fn time_limit(&self) -> Option<Duration> {
        self.limits.time_limit
    }

    /// The time limit the format derives from the slowest accepted
    /// submission: the smallest multiple of the time resolution that is at
    /// least `slowest * ac_to_time_limit`.
    pub fn derived_time_limit(&self, slowest_accepted: Duration) -> Duration {
        let res = self.limits.time_resolution;
        let need = slowest_accepted.as_secs_f64() * self.limits.ac_to_time_limit;
        let steps = (need / res).ceil().max(1.0);
        Duration::from_secs_f64(steps * res)
    }

    /// A stable content hash (hex SHA-256) of what decides verdicts: the test
    /// data, the output validator and the limits. Metadata such as the name
    /// does not change it.
    pub fn content_hash(&self) -> Result<String, ProblemError> {
        let mut h = Sha256::new();
        let mut files = BTreeMap::new();
        for sub in ["data", "output_validator", "output_validators"] {
            collect_files(&self.dir, &self.dir.join(sub), &mut files)?;
        }
        for (rel, path) in files {
            let bytes = std::fs::read(&path).map_err(io_err(&path))?;
            h.update((rel.len() as u64).to_le_bytes());
            h.update(rel.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        let limits = serde_json::json!({
            "type": self.problem_type,
            "time_limit_ms": self.limits.time_limit.map(|t| t.as_millis() as u64),
            "memory_bytes": self.limits.memory_bytes,
            "output_bytes": self.limits.output_bytes,
            "ac_to_time_limit": self.limits.ac_to_time_limit,
            "time_resolution": self.limits.time_resolution,
            "root_validator_args": self.secret.settings.output_validator_args,
        });
        h.update(limits.to_string().as_bytes());
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, PathBuf>,
) -> Result<(), ProblemError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(ProblemError::Io {
                path: dir.to_path_buf(),
                source: e,
            });
        }
    };
    for e in entries {
        let e = e.map_err(io_err(dir))?;
        let path = e.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if path.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            out.insert(rel, path);
        }
    }
    Ok(())
}

fn find_validator(
    dir: &Path,
    format: FormatVersion,
    validation: &[String],
) -> Result<OutputValidator, ProblemError> {
    let custom_requested = validation.iter().any(|w| w == "custom");
    let candidates: &[&str] = match format {
        FormatVersion::Legacy => &["output_validators", "output_validator"],
        _ => &["output_validator", "output_validators"],
    };
    for c in candidates {
        let p = dir.join(c);
        if !p.is_dir() {
            continue;
        }
        // Legacy: output_validators/<name>/ or a single file inside.
        if *c == "output_validators" {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)
                .map_err(io_err(&p))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .collect();
            entries.sort();
            if let Some(first) = entries.into_iter().next() {
                return Ok(OutputValidator::Custom(first));
            }
            continue;
        }
        return Ok(OutputValidator::Custom(p));
    }
    if custom_requested {
        return Err(ProblemError::Invalid(
            "validation: custom, but there is no output validator".into(),
        ));
    }
    Ok(OutputValidator::Default)
}

fn read_settings(
    dir: &Path,
    file: &str,
    parent: &GroupSettings,
    warnings: &mut Vec<String>,
) -> Result<GroupSettings, ProblemError> {
    let mut s = parent.clone();
    // Scores and aggregation belong to one group; arguments are inherited.
    s.max_score = None;
    s.score_aggregation = None;
    // Drafts between 2023-07 and 2025-09 used both names; the version's own name wins,
    // and the other is read (with a warning) rather than silently ignored.
    let other = if file == "test_group.yaml" {
        "testdata.yaml"
    } else {
        "test_group.yaml"
    };
    let path = dir.join(file);
    let v = match yaml_file(&path)? {
        Some(v) => v,
        None => match yaml_file(&dir.join(other))? {
            Some(v) => {
                warnings.push(format!(
                    "{}: this package format calls the file {file}",
                    dir.join(other).display()
                ));
                v
            }
            None => return Ok(s),
        },
    };
    known_keys(
        &v,
        &[
            "output_validator_flags",
            "output_validator_args",
            "input_validator_flags",
            "input_validator_args",
            "grading",
            "grader_flags",
            "accept_score",
            "reject_score",
            "range",
            "on_reject",
            "max_score",
            "score_aggregation",
            "static_validation_score",
            "require_pass",
            "args",
            "full_feedback",
        ],
        &path.display().to_string(),
        warnings,
    );
    if let Some(a) = key(&v, "output_validator_args").or_else(|| key(&v, "output_validator_flags"))
    {
        s.output_validator_args = words(a);
    }
    if let Some(x) = key(&v, "accept_score").and_then(as_f64) {
        s.accept_score = Some(x);
    }
    if let Some(x) = key(&v, "max_score").and_then(as_f64) {
        s.max_score = Some(x);
    }
    if let Some(a) = key(&v, "score_aggregation").and_then(as_string) {
        s.score_aggregation = Some(a);
    } else if let Some(g) = key(&v, "grader_flags").map(words) {
        if g.iter().any(|w| w == "min") {
            s.score_aggregation = Some("min".into());
        } else if g.iter().any(|w| w == "sum") {
            s.score_aggregation = Some("sum".into());
        }
    }
    Ok(s)
}

fn load_group(
    data: &Path,
    rel: &str,
    group_file: &str,
    parent: &GroupSettings,
    warnings: &mut Vec<String>,
) -> Result<TestGroup, ProblemError> {
    let dir = data.join(rel);
    let settings = read_settings(&dir, group_file, parent, warnings)?;
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(io_err(&dir))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    names.sort();
    let mut children = Vec::new();
    for n in names {
        let p = dir.join(&n);
        if p.is_dir() {
            if n.ends_with(".files") {
                continue;
            }
            children.push(TestNode::Group(load_group(
                data,
                &format!("{rel}/{n}"),
                group_file,
                &settings,
                warnings,
            )?));
        } else if let Some(stem) = n.strip_suffix(".in") {
            let answer = dir.join(format!("{stem}.ans"));
            if !answer.is_file() {
                return Err(ProblemError::Invalid(format!(
                    "data/{rel}/{stem}.in has no .ans file"
                )));
            }
            children.push(TestNode::Case(TestCase {
                name: format!("{rel}/{stem}"),
                input: p,
                answer,
            }));
        }
    }
    Ok(TestGroup {
        name: rel.to_string(),
        settings,
        children,
    })
}

fn load_statements(dir: &Path, format: FormatVersion) -> Result<Vec<Statement>, ProblemError> {
    let mut out = Vec::new();
    let dirs: &[&str] = match format {
        FormatVersion::Legacy => &["problem_statement", "statement"],
        _ => &["statement", "problem_statement"],
    };
    for d in dirs {
        let p = dir.join(d);
        let Ok(entries) = std::fs::read_dir(&p) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let Some(name) = f.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let Some(rest) = name.strip_prefix("problem.") else {
                continue;
            };
            let (language, ext) = match rest.rsplit_once('.') {
                Some((lang, ext)) => (lang.to_string(), ext),
                None => ("en".to_string(), rest), // legacy problem.tex
            };
            let format = match ext {
                "md" => StatementFormat::Markdown,
                "tex" => StatementFormat::Latex,
                "pdf" => StatementFormat::Pdf,
                _ => continue,
            };
            let source = if format == StatementFormat::Pdf {
                String::new()
            } else {
                std::fs::read_to_string(&f).map_err(io_err(&f))?
            };
            out.push(Statement {
                language,
                format,
                path: f,
                source,
            });
        }
        if !out.is_empty() {
            break;
        }
    }
    Ok(out)
}
