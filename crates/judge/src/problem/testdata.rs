//! The test data tree: `data/sample` and `data/secret` with nested groups,
//! and each group's settings (`testdata.yaml`, or from 2025-09
//! `test_group.yaml`) inherited downwards.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::constants::Constants;
use super::yaml::{as_f64, as_string, key, known_keys, words, yaml_file_with};
use super::{ProblemError, io_err};

/// Settings of a test group, after inheritance from its parents.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupSettings {
    pub output_validator_args: Vec<String>,
    /// Arguments for the input validators (`input_validator_args`, legacy
    /// `input_validator_flags`); only `verify-problem` runs them.
    pub input_validator_args: Vec<String>,
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
pub(super) fn read_settings(
    dir: &Path,
    file: &str,
    parent: &GroupSettings,
    constants: &Constants,
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
    let v = match yaml_file_with(&path, constants)? {
        Some(v) => v,
        None => match yaml_file_with(&dir.join(other), constants)? {
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
    let (args, flags) = (
        key(&v, "output_validator_args").map(words),
        key(&v, "output_validator_flags").map(words),
    );
    // problemtools reads only the legacy `output_validator_flags` from testdata.yaml, even
    // for 2023-07 packages: arguments given only by the newer name are silently dropped
    // there, so a package meant for both tools gives both.
    match (&args, &flags) {
        (Some(_), None) if file == "testdata.yaml" => warnings.push(format!(
            "{}: output_validator_args without output_validator_flags: tools that read \
             the legacy key (problemtools) judge without these arguments",
            path.display()
        )),
        (Some(a), Some(f)) if a != f => warnings.push(format!(
            "{}: output_validator_args {a:?} and output_validator_flags {f:?} differ; \
             output_validator_args is used",
            path.display()
        )),
        _ => {}
    }
    if let Some(a) = args.or(flags) {
        s.output_validator_args = a;
    }
    if let Some(a) = key(&v, "input_validator_args").or_else(|| key(&v, "input_validator_flags")) {
        s.input_validator_args = words(a);
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

pub(super) fn load_group(
    data: &Path,
    rel: &str,
    group_file: &str,
    parent: &GroupSettings,
    constants: &Constants,
    warnings: &mut Vec<String>,
) -> Result<TestGroup, ProblemError> {
    let dir = data.join(rel);
    let settings = read_settings(&dir, group_file, parent, constants, warnings)?;
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
                constants,
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

/// Which validator-test group a [`ValidationCase`] is in, and what must happen to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationCaseKind {
    /// `data/invalid_input`: at least one input validator must reject the `.in`.
    InvalidInput,
    /// `data/invalid_answer`: an answer validator must reject the `.ans`.
    InvalidAnswer,
    /// `data/invalid_output`: the output validator must reject the `.out`.
    InvalidOutput,
    /// `data/valid_output`: the output validator must accept the `.out`.
    ValidOutput,
}

impl ValidationCaseKind {
    pub const ALL: [ValidationCaseKind; 4] = [
        ValidationCaseKind::InvalidInput,
        ValidationCaseKind::InvalidAnswer,
        ValidationCaseKind::InvalidOutput,
        ValidationCaseKind::ValidOutput,
    ];

    /// The directory under `data/`.
    pub fn dir(self) -> &'static str {
        match self {
            ValidationCaseKind::InvalidInput => "invalid_input",
            ValidationCaseKind::InvalidAnswer => "invalid_answer",
            ValidationCaseKind::InvalidOutput => "invalid_output",
            ValidationCaseKind::ValidOutput => "valid_output",
        }
    }
}

/// A case of a validator-test group.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationCase {
    pub kind: ValidationCaseKind,
    /// Name relative to `data/` without extension, e.g. `invalid_input/negative`.
    pub name: String,
    pub input: PathBuf,
    pub answer: Option<PathBuf>,
    pub output: Option<PathBuf>,
    pub settings: GroupSettings,
}

/// Every case of the validator-test groups that exist, with the files each kind needs.
pub(super) fn load_validation_cases(
    data: &Path,
    group_file: &str,
    root: &GroupSettings,
    constants: &Constants,
    warnings: &mut Vec<String>,
) -> Result<Vec<ValidationCase>, ProblemError> {
    let mut out = Vec::new();
    for kind in ValidationCaseKind::ALL {
        if data.join(kind.dir()).is_dir() {
            collect_validation_cases(
                data,
                kind.dir(),
                kind,
                group_file,
                root,
                constants,
                warnings,
                &mut out,
            )?;
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn collect_validation_cases(
    data: &Path,
    rel: &str,
    kind: ValidationCaseKind,
    group_file: &str,
    parent: &GroupSettings,
    constants: &Constants,
    warnings: &mut Vec<String>,
    out: &mut Vec<ValidationCase>,
) -> Result<(), ProblemError> {
    let dir = data.join(rel);
    let settings = read_settings(&dir, group_file, parent, constants, warnings)?;
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(io_err(&dir))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    names.sort();
    for n in names {
        let p = dir.join(&n);
        // A symbolic link to a directory is not followed (a loop would never end).
        let link = std::fs::symlink_metadata(&p)
            .map_err(io_err(&p))?
            .file_type()
            .is_symlink();
        if p.is_dir() {
            if !n.ends_with(".files") && !link {
                let sub = format!("{rel}/{n}");
                collect_validation_cases(
                    data, &sub, kind, group_file, &settings, constants, warnings, out,
                )?;
            }
            continue;
        }
        let Some(stem) = n.strip_suffix(".in") else {
            continue;
        };
        let sibling = |ext: &str| Some(dir.join(format!("{stem}.{ext}"))).filter(|p| p.is_file());
        let (answer, output) = (sibling("ans"), sibling("out"));
        let needs: &[(&str, bool)] = match kind {
            ValidationCaseKind::InvalidInput => &[],
            ValidationCaseKind::InvalidAnswer => &[("ans", answer.is_some())],
            ValidationCaseKind::InvalidOutput | ValidationCaseKind::ValidOutput => {
                &[("ans", answer.is_some()), ("out", output.is_some())]
            }
        };
        if let Some((ext, _)) = needs.iter().find(|(_, present)| !present) {
            return Err(ProblemError::Invalid(format!(
                "data/{rel}/{stem}.in has no .{ext} file"
            )));
        }
        out.push(ValidationCase {
            kind,
            name: format!("{rel}/{stem}"),
            input: p,
            answer,
            output,
            settings: settings.clone(),
        });
    }
    Ok(())
}
