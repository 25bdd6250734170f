//! Loading a package: `problem.yaml` (format version, type, limits, the
//! CodeArena extension), the output validator, and the test data and
//! statements, with limits checked before anything runs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_norway::Value;

use super::codearena;
use super::constants::Constants;
use super::statement::load_statements;
use super::testdata::{GroupSettings, load_group, load_validation_cases, read_settings};
use super::yaml::{as_f64, as_string, key, known_keys, words, yaml_file};
use super::{
    DEFAULT_MEMORY_MIB, FormatVersion, MIB, OutputValidator, Problem, ProblemError, ProblemLimits,
    ProblemType, StatementFormat, TestGroup, io_err,
};

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

/// The top-level `problem.yaml` keys a format version defines: what problemtools
/// accepts (it refuses any other key, legacy and 2023-07 alike).
fn spec_keys(format: FormatVersion) -> &'static [&'static str] {
    match format {
        FormatVersion::Legacy => &[
            "problem_format_version",
            "type",
            "name",
            "uuid",
            "author",
            "source",
            "source_url",
            "license",
            "rights_owner",
            "limits",
            "validation",
            "validator_flags",
            "grading",
            "keywords",
        ],
        FormatVersion::Draft2023_07 | FormatVersion::V2025_09 => &[
            "problem_format_version",
            "type",
            "name",
            "uuid",
            "version",
            "credits",
            "source",
            "license",
            "rights_owner",
            "embargo_until",
            "limits",
            "keywords",
            "languages",
            "allow_file_writing",
            "constants",
        ],
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
        // Keys the format version defines (problemtools refuses a package with any
        // other); `codearena` is CodeArena's old place for its metadata.
        let mut unknown_keys = Vec::new();
        if let Some(m) = meta.as_mapping() {
            for k in m.keys().filter_map(as_string) {
                if k != "codearena" && !spec_keys(format).contains(&k.as_str()) {
                    warnings.push(format!("problem.yaml: unknown key {k:?} ignored"));
                    unknown_keys.push(k);
                }
            }
        }

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
        let validation = key(&meta, "validation").map(words).unwrap_or_default();
        let kind = problem_kind(&types, &validation)?;
        let problem_type = if kind.scoring {
            ProblemType::Scoring
        } else {
            ProblemType::PassFail
        };

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
        let multi_pass = if kind.multi_pass {
            let passes = lim("validation_passes")?.unwrap_or(2.0);
            if passes < 2.0 || passes.fract() != 0.0 || passes > 100.0 {
                return Err(ProblemError::Invalid(
                    "limits.validation_passes must be an integer from 2 to 100".into(),
                ));
            }
            Some(passes as u32)
        } else {
            None
        };
        if limits.memory_bytes < 16 * MIB {
            return Err(ProblemError::Invalid(
                "limits.memory must be at least 16 MiB".into(),
            ));
        }

        let codearena = codearena::read(&dir, &meta, &mut warnings)?;
        let constants = Constants::parse(key(&meta, "constants"))?;
        if constants.has_variants() {
            warnings.push(
                "problem.yaml: constants with variants ({value: …, latex: …}) are CodeArena's \
                 extension; the format allows only numbers and strings, and other tools refuse \
                 them"
                    .into(),
            );
        }

        // Legacy problems put default-validator flags in problem.yaml.
        let root_args = if format == FormatVersion::Legacy {
            key(&meta, "validator_flags").map(words).unwrap_or_default()
        } else {
            Vec::new()
        };
        let validator = find_validator(&dir, format, &validation)?;
        if (kind.interactive || kind.multi_pass) && matches!(validator, OutputValidator::Default) {
            return Err(ProblemError::Invalid(
                "an interactive or multi-pass problem needs a custom output validator".into(),
            ));
        }
        let group_file = if format == FormatVersion::V2025_09 {
            "test_group.yaml"
        } else {
            "testdata.yaml"
        };
        let root_settings = GroupSettings {
            output_validator_args: root_args,
            ..Default::default()
        };
        let root_settings = read_settings(
            &dir.join("data"),
            group_file,
            &root_settings,
            &constants,
            &mut warnings,
        )?;
        let data = dir.join("data");
        let group = |name: &str, warnings: &mut Vec<String>| {
            if data.join(name).is_dir() {
                load_group(
                    &data,
                    name,
                    group_file,
                    &root_settings,
                    &constants,
                    warnings,
                )
                .map(Some)
            } else {
                Ok(None)
            }
        };
        let sample = group("sample", &mut warnings)?;
        // Secret data is required by the format, but problemtools and BAPCtools judge a
        // package that has only samples on its samples; so does this judge (the battle
        // catalogue still requires secret data).
        let secret = group("secret", &mut warnings)?.unwrap_or_else(|| TestGroup {
            name: "secret".into(),
            settings: root_settings.clone(),
            children: Vec::new(),
        });
        if secret.cases().is_empty() {
            if sample.as_ref().is_none_or(|s| s.cases().is_empty()) {
                return Err(ProblemError::Invalid(
                    "the package has no test cases (data/secret and data/sample are empty)".into(),
                ));
            }
            warnings.push(
                "data/secret has no test cases: submissions are judged on the samples only (the \
                 format requires secret data; the battle catalogue refuses the package)"
                    .into(),
            );
        }
        // Groups that exist to test the validators: never judged, only checked by
        // verify-problem.
        let validation_cases =
            load_validation_cases(&data, group_file, &root_settings, &constants, &mut warnings)?;
        let mut statements = load_statements(&dir, format)?;
        for st in &mut statements {
            let (text, unknown) = match st.format {
                StatementFormat::Markdown => constants.substitute(&st.source),
                StatementFormat::Latex => constants.substitute_latex(&st.source),
                StatementFormat::Pdf => continue,
            };
            st.source = text;
            // Statement commands, not constants.
            let unknown = unknown
                .into_iter()
                .filter(|u| u != "nextsample" && u != "remainingsamples");
            for u in unknown {
                warnings.push(format!(
                    "{}: {{{{{u}}}}} names no constant of problem.yaml",
                    st.path.strip_prefix(&dir).unwrap_or(&st.path).display()
                ));
            }
        }

        Ok(Problem {
            statements,
            include: super::include::load_include(&dir)?,
            constants,
            validation_cases,
            short_name,
            format,
            name,
            uuid: key(&meta, "uuid").and_then(as_string),
            problem_type,
            interactive: kind.interactive,
            multi_pass,
            license: key(&meta, "license").and_then(as_string),
            rights_owner: key(&meta, "rights_owner").and_then(as_string),
            keywords: key(&meta, "keywords").map(words).unwrap_or_default(),
            difficulty: codearena.difficulty,
            codearena_key_in_problem_yaml: codearena.in_problem_yaml,
            unknown_keys,
            limits,
            validator,
            sample,
            secret,
            warnings,
            dir,
        })
    }
}

/// What `type` (2023-07 and later: a string or a list) and legacy's
/// `validation` (`custom interactive`, BAPCtools' `custom multi-pass`) say.
struct ProblemKind {
    scoring: bool,
    interactive: bool,
    multi_pass: bool,
}

fn problem_kind(types: &[String], validation: &[String]) -> Result<ProblemKind, ProblemError> {
    for t in types {
        if !["pass-fail", "scoring", "interactive", "multi-pass"].contains(&t.as_str()) {
            return Err(ProblemError::Invalid(format!(
                "problem type {t:?} is not supported"
            )));
        }
    }
    let has = |w: &str| types.iter().any(|t| t == w);
    if has("pass-fail") && has("scoring") {
        return Err(ProblemError::Invalid(
            "problem type pass-fail and scoring together".into(),
        ));
    }
    let in_validation = |w: &str| validation.iter().any(|v| v == w);
    Ok(ProblemKind {
        scoring: has("scoring"),
        interactive: has("interactive") || in_validation("interactive"),
        multi_pass: has("multi-pass") || in_validation("multi-pass"),
    })
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
