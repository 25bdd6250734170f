//! What `verify-problem` reports besides the verdicts of the submissions: what
//! Kattis problemtools' `verifyproblem` reports, so that a package that passes here
//! also loads there. Errors fail `verify-problem`; warnings are printed.
//!
//! - `metadata`: `problem.yaml` keys the format version does not define (an error:
//!   problemtools refuses the package at load), CodeArena's old `codearena:` key
//!   there (a warning: it belongs in `codearena.yaml`);
//! - `time-limit`: a fixed time limit below `ac_to_time_limit` × the slowest accepted
//!   submission (an error, as in problemtools), or not a multiple of the time
//!   resolution (a warning);
//! - `input-validators`: every input validator accepts every test input (errors),
//!   a package without one (a warning);
//! - `duplicate-inputs`: test inputs with identical bytes (a warning);
//! - `validation-cases`: `data/invalid_input` rejected by an input validator,
//!   `data/invalid_output` rejected and `data/valid_output` accepted by the output
//!   validator (errors); `invalid_answer`, which needs answer validators, not checked (a
//!   warning).
//!
//! Load warnings (unknown keys elsewhere, validator arguments only one tool reads…)
//! come out as warnings of the `load` check.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::judge::{InputValidation, ValidationCaseCheck};
use crate::problem::{CODEARENA_FILE, Problem};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One thing `verify-problem` found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// `load`, `metadata`, `time-limit`, `input-validators`, `duplicate-inputs` or
    /// `validation-cases`.
    pub check: &'static str,
    pub message: String,
}

impl Finding {
    fn warning(check: &'static str, message: String) -> Finding {
        Finding {
            severity: Severity::Warning,
            check,
            message,
        }
    }
    fn error(check: &'static str, message: String) -> Finding {
        Finding {
            severity: Severity::Error,
            check,
            message,
        }
    }
}

/// What can be told from the package without running anything: load warnings,
/// metadata, the time limit's resolution, duplicate inputs.
pub fn package_findings(problem: &Problem) -> Vec<Finding> {
    let mut out: Vec<Finding> = problem
        .warnings
        .iter()
        .filter(|w| !w.starts_with("problem.yaml: unknown key"))
        .map(|w| Finding::warning("load", w.clone()))
        .collect();
    let format = serde_json::to_value(problem.format)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    for k in &problem.unknown_keys {
        out.push(Finding::error(
            "metadata",
            format!(
                "problem.yaml: unknown key {k:?}: the {format} format does not define it, \
                 and problemtools refuses the package"
            ),
        ));
    }
    if problem.codearena_key_in_problem_yaml {
        out.push(Finding::warning(
            "metadata",
            format!(
                "problem.yaml: the `codearena:` key is CodeArena's, not the format's \
                 (problemtools refuses the package); move it to {CODEARENA_FILE}"
            ),
        ));
    }
    if let Some(tl) = problem.time_limit() {
        let res = problem.limits.time_resolution;
        let steps = tl.as_secs_f64() / res;
        if (steps - steps.round()).abs() > 1e-6 {
            out.push(Finding::warning(
                "time-limit",
                format!(
                    "the time limit {} s is not a multiple of the time resolution ({res} s), \
                     the step in which the format computes limits",
                    tl.as_secs_f64()
                ),
            ));
        }
    }
    out.extend(duplicate_inputs(problem));
    out
}

fn duplicate_inputs(problem: &Problem) -> Vec<Finding> {
    let mut by_hash: BTreeMap<Vec<u8>, Vec<String>> = BTreeMap::new();
    for (_, case) in problem.test_cases() {
        let Ok(bytes) = std::fs::read(&case.input) else {
            continue;
        };
        by_hash
            .entry(Sha256::digest(&bytes).to_vec())
            .or_default()
            .push(case.name.clone());
    }
    let mut out: Vec<Finding> = by_hash
        .into_values()
        .filter(|names| names.len() > 1)
        .map(|names| {
            Finding::warning(
                "duplicate-inputs",
                format!("identical inputs: {}", names.join(", ")),
            )
        })
        .collect();
    out.sort_by(|a, b| a.message.cmp(&b.message));
    out
}

/// The slowest accepted submission against a time limit the package fixes: the
/// format wants the limit at least `ac_to_time_limit` times it.
pub fn time_limit_margin(problem: &Problem, slowest: Option<(&str, Duration)>) -> Option<Finding> {
    let tl = problem.time_limit()?;
    let (name, t) = slowest?;
    let factor = problem.limits.ac_to_time_limit;
    (t.as_secs_f64() * factor > tl.as_secs_f64()).then(|| {
        Finding::error(
            "time-limit",
            format!(
                "the time limit {} s is less than {factor} x the slowest accepted submission \
                 ({name}: {:.3} s); problemtools refuses it",
                tl.as_secs_f64(),
                t.as_secs_f64()
            ),
        )
    })
}

/// The input validators' results as findings.
pub fn input_findings(v: &InputValidation) -> Vec<Finding> {
    let mut out = Vec::new();
    if v.validators.is_empty() {
        out.push(Finding::warning(
            "input-validators",
            "no input validator that can be run here (problemtools requires one)".into(),
        ));
    }
    for s in &v.skipped {
        out.push(Finding::warning(
            "input-validators",
            format!("{s}: not run (only C, C++ and Python validators are)"),
        ));
    }
    for f in &v.failures {
        out.push(Finding::error("input-validators", f.clone()));
    }
    out
}

/// The validator-test groups' results as findings: a case its validator treats the
/// wrong way is an error, one that cannot be checked here a warning.
pub fn validation_case_findings(v: &ValidationCaseCheck) -> Vec<Finding> {
    let mut out: Vec<Finding> = v
        .failures
        .iter()
        .map(|f| Finding::error("validation-cases", f.clone()))
        .collect();
    out.extend(
        v.skipped
            .iter()
            .map(|s| Finding::warning("validation-cases", format!("{s}: not checked"))),
    );
    out
}
