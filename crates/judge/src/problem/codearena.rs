//! CodeArena's own metadata (the difficulty), kept in `codearena.yaml` beside
//! `problem.yaml`: the problem package format has no place for it, and its
//! 2023-07 and later versions make unknown `problem.yaml` keys an error, so other
//! tools refuse a package that carries it there. Packages written before keep
//! working: a `codearena:` key in `problem.yaml` is still read (verify-problem
//! warns about it).

use std::path::Path;

use serde_norway::Value;

use super::yaml::{as_string, key, known_keys, yaml_file};
use super::{Difficulty, ProblemError};

/// The file CodeArena's metadata lives in, next to `problem.yaml`.
pub const CODEARENA_FILE: &str = "codearena.yaml";

/// What the package says about itself for CodeArena.
pub(super) struct CodeArenaMeta {
    pub difficulty: Option<Difficulty>,
    /// The old place: a `codearena:` key in `problem.yaml`.
    pub in_problem_yaml: bool,
}

pub(super) fn read(
    dir: &Path,
    problem_yaml: &Value,
    warnings: &mut Vec<String>,
) -> Result<CodeArenaMeta, ProblemError> {
    let old = key(problem_yaml, "codearena");
    let file = yaml_file(&dir.join(CODEARENA_FILE))?;
    if file.as_ref().is_some_and(|f| !f.is_mapping()) {
        return Err(ProblemError::Invalid(format!(
            "{CODEARENA_FILE} is not a mapping"
        )));
    }
    if file.is_some() && old.is_some() {
        warnings.push(format!(
            "problem.yaml's `codearena:` key is ignored: {CODEARENA_FILE} is used"
        ));
    }
    let (meta, what) = match (&file, old) {
        (Some(f), _) => (Some(f), CODEARENA_FILE),
        (None, Some(o)) => (Some(o), "problem.yaml codearena"),
        (None, None) => (None, ""),
    };
    let difficulty = match meta {
        Some(m) => {
            known_keys(m, &["difficulty"], what, warnings);
            difficulty(m, what, warnings)
        }
        None => None,
    };
    Ok(CodeArenaMeta {
        difficulty,
        in_problem_yaml: old.is_some(),
    })
}

fn difficulty(meta: &Value, what: &str, warnings: &mut Vec<String>) -> Option<Difficulty> {
    match key(meta, "difficulty").and_then(as_string).as_deref() {
        Some("easy") => Some(Difficulty::Easy),
        Some("medium") => Some(Difficulty::Medium),
        Some("hard") => Some(Difficulty::Hard),
        Some(other) => {
            warnings.push(format!(
                "{what}: difficulty {other:?} is not easy|medium|hard; ignored"
            ));
            None
        }
        None => None,
    }
}
