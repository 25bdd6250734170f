//! The legacy package format Kattis and problemtools read, in a directory named after
//! the package.

use serde_norway::{Mapping, Value};

use super::{Archive, ExportError, Exported, MIB, authors, latex, raw_metadata, seconds, source};
use crate::problem::{OutputValidator, Problem, ProblemType, StatementFormat, TestGroup, TestNode};

fn yaml(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::String(k.into()), v);
    }
    Value::Mapping(m)
}

fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

fn n(v: u64) -> Value {
    Value::Number(v.into())
}

fn to_text(v: &Value) -> Result<String, ExportError> {
    serde_norway::to_string(v).map_err(|e| ExportError::Yaml("problem.yaml".into(), e.to_string()))
}

/// The name an output validator gets under `output_validators/`.
pub(super) fn validator_name(path: &std::path::Path) -> String {
    let name = if path.is_dir() {
        path.file_name()
    } else {
        path.file_stem()
    };
    name.and_then(|n| n.to_str())
        .unwrap_or("validator")
        .to_string()
}

/// `validation:` of legacy `problem.yaml`.
pub(super) fn validation(problem: &Problem) -> String {
    let mut v = match &problem.validator {
        OutputValidator::Default => "default".to_string(),
        OutputValidator::Custom(_) if problem.problem_type == ProblemType::Scoring => {
            "custom score".into()
        }
        OutputValidator::Custom(_) => "custom".into(),
    };
    if problem.interactive {
        v.push_str(" interactive");
    }
    // Not legacy's own word, but what BAPCtools and DOMjudge read.
    if problem.multi_pass.is_some() {
        v.push_str(" multi-pass");
    }
    v
}

fn problem_yaml(problem: &Problem) -> Result<String, ExportError> {
    let meta = raw_metadata(problem)?;
    let l = &problem.limits;
    let mib = |b: u64| n(b.div_ceil(MIB));
    let mut pairs = vec![
        ("problem_format_version", s("legacy")),
        ("name", s(problem.name.clone())),
    ];
    if let Some(u) = &problem.uuid {
        pairs.push(("uuid", s(u.clone())));
    }
    if problem.problem_type == ProblemType::Scoring {
        pairs.push(("type", s("scoring")));
    }
    if let Some(a) = authors(&meta) {
        pairs.push(("author", s(a)));
    }
    let (src, url) = source(&meta);
    if let Some(src) = src {
        pairs.push(("source", s(src)));
    }
    if let Some(url) = url {
        pairs.push(("source_url", s(url)));
    }
    if let Some(lic) = &problem.license {
        pairs.push(("license", s(lic.clone())));
    }
    if let Some(r) = &problem.rights_owner {
        pairs.push(("rights_owner", s(r.clone())));
    }
    if !problem.keywords.is_empty() {
        // Legacy keywords are one space-separated string: "convex hull" → convex-hull.
        let words: Vec<String> = problem
            .keywords
            .iter()
            .map(|k| k.replace(' ', "-"))
            .collect();
        pairs.push(("keywords", s(words.join(" "))));
    }
    let time_multiplier = serde_norway::to_value(l.ac_to_time_limit).unwrap_or(n(2));
    pairs.push((
        "limits",
        yaml(vec![
            ("time_multiplier", time_multiplier),
            ("memory", mib(l.memory_bytes)),
            ("output", mib(l.output_bytes)),
            ("code", n(l.code_bytes.div_ceil(1024))),
            ("compilation_time", n(l.compilation_time.as_secs().max(1))),
            ("compilation_memory", mib(l.compilation_memory_bytes)),
            ("validation_time", n(l.validation_time.as_secs().max(1))),
            ("validation_memory", mib(l.validation_memory_bytes)),
        ]),
    ));
    // Validator arguments go into each group's testdata.yaml (with what the group
    // inherits), not into a problem-wide `validator_flags` that would be added twice.
    pairs.push(("validation", s(validation(problem))));
    to_text(&yaml(pairs))
}

/// A group's settings as legacy `testdata.yaml` (flags as strings), or `None` when it
/// has none to write.
fn testdata_yaml(group: &TestGroup) -> Result<Option<String>, ExportError> {
    let st = &group.settings;
    let mut pairs = Vec::new();
    if !st.output_validator_args.is_empty() {
        pairs.push((
            "output_validator_flags",
            s(st.output_validator_args.join(" ")),
        ));
    }
    if !st.input_validator_args.is_empty() {
        pairs.push((
            "input_validator_flags",
            s(st.input_validator_args.join(" ")),
        ));
    }
    if let Some(score) = st.accept_score {
        pairs.push((
            "accept_score",
            serde_norway::to_value(score).unwrap_or(n(1)),
        ));
    }
    match st.score_aggregation.as_deref() {
        Some("sum") => pairs.push(("grader_flags", s("sum"))),
        Some("min") => pairs.push(("grader_flags", s("min"))),
        _ => {}
    }
    if let Some(max) = st.max_score {
        pairs.push(("range", s(format!("0 {max}"))));
    }
    if pairs.is_empty() {
        return Ok(None);
    }
    to_text(&yaml(pairs)).map(Some)
}

/// A test case's files besides `.in` and `.ans` that the format defines.
const CASE_FILES: &[&str] = &[
    "interaction",
    "out",
    "in.statement",
    "ans.statement",
    "in.download",
    "ans.download",
    "hint",
    "desc",
    "yaml",
    "png",
    "jpg",
    "jpeg",
    "svg",
];

fn add_group(a: &mut Archive, group: &TestGroup) -> Result<(), ExportError> {
    if let Some(text) = testdata_yaml(group)? {
        a.add(
            &format!("data/{}/testdata.yaml", group.name),
            text.as_bytes(),
            false,
        )?;
    }
    for child in &group.children {
        match child {
            TestNode::Group(g) => add_group(a, g)?,
            TestNode::Case(c) => {
                for (path, ext) in [(&c.input, "in"), (&c.answer, "ans")] {
                    let bytes = std::fs::read(path).map_err(super::io_err(path))?;
                    a.add(&format!("data/{}.{ext}", c.name), &bytes, false)?;
                }
                // A case's `.files`, `.interaction`, illustrations and the like travel
                // with it.
                let dir = c.input.parent().map(std::path::Path::to_path_buf);
                if let (Some(dir), Some(stem)) = (dir, c.input.file_stem()) {
                    let stem = stem.to_string_lossy();
                    let files = dir.join(format!("{stem}.files"));
                    if files.is_dir() {
                        a.add_tree(&files, &format!("data/{}.files", c.name), None, &|_| true)?;
                    }
                    // Exactly `<stem>.<ext>`: a prefix would also take case `1.5`'s
                    // files for case `1`.
                    for ext in CASE_FILES {
                        let p = dir.join(format!("{stem}.{ext}"));
                        if !p.is_file() {
                            continue;
                        }
                        let bytes = std::fs::read(&p).map_err(super::io_err(&p))?;
                        a.add(&format!("data/{}.{ext}", c.name), &bytes, false)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// problemtools' language codes an `include/default/` is copied for (legacy has no
/// `default`).
const LEGACY_LANGUAGES: &[&str] = &[
    "c",
    "cpp",
    "csharp",
    "go",
    "haskell",
    "java",
    "javascript",
    "kotlin",
    "ocaml",
    "php",
    "python3",
    "ruby",
    "rust",
    "scala",
];

/// `include/<language>/` as is; `include/default/` copied into every legacy language
/// that has no directory of its own.
fn add_include(
    a: &mut Archive,
    problem: &Problem,
    notes: &mut Vec<String>,
) -> Result<(), ExportError> {
    let c = Some(&problem.constants);
    let root = problem.dir.join("include");
    for dir in problem.include.keys().filter(|d| d.as_str() != "default") {
        a.add_tree(&root.join(dir), &format!("include/{dir}"), c, &|_| true)?;
    }
    if problem.include.contains_key("default") {
        for lang in LEGACY_LANGUAGES {
            if !problem.include.contains_key(*lang) {
                a.add_tree(
                    &root.join("default"),
                    &format!("include/{lang}"),
                    c,
                    &|_| true,
                )?;
            }
        }
        notes.push(format!(
            "include/default/ is copied into include/<language>/ for {} (legacy has no default)",
            LEGACY_LANGUAGES.join(", ")
        ));
    }
    Ok(())
}

pub(super) fn export(problem: &Problem) -> Result<Exported, ExportError> {
    let mut notes = Vec::new();
    // Legacy short names are [a-z0-9]+ (problemtools refuses others).
    let short: String = problem
        .short_name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let short = if short.is_empty() {
        "problem".to_string()
    } else {
        short
    };
    if short != problem.short_name {
        notes.push(format!(
            "the package is named {short}: legacy names are lowercase letters and digits"
        ));
    }
    let mut a = Archive::new(&short);
    let c = Some(&problem.constants);
    a.add("problem.yaml", problem_yaml(problem)?.as_bytes(), false)?;
    if let Some(tl) = problem.time_limit() {
        a.add(".timelimit", format!("{}\n", seconds(tl)).as_bytes(), false)?;
    }
    if let Some(sample) = &problem.sample {
        add_group(&mut a, sample)?;
    }
    if problem.secret.cases().is_empty() {
        notes.push("the package has no secret data; Kattis requires some".into());
    }
    add_group(&mut a, &problem.secret)?;
    if !problem.validation_cases.is_empty() {
        notes.push(
            "data/invalid_input, invalid_output, valid_output and invalid_answer are left \
             out (the legacy format has no place for them)"
                .into(),
        );
    }
    // Legacy statements are LaTeX: Markdown ones are converted.
    for st in &problem.statements {
        let lang = &st.language;
        match st.format {
            StatementFormat::Markdown => {
                let tex = latex::markdown_to_latex(&problem.name, &st.source);
                a.add(
                    &format!("problem_statement/problem.{lang}.tex"),
                    tex.as_bytes(),
                    false,
                )?;
            }
            StatementFormat::Latex => {
                let mut tex = st.source.clone();
                if !tex.contains("\\problemname") {
                    tex = format!("\\problemname{{{}}}\n\n{tex}", problem.name);
                }
                a.add(
                    &format!("problem_statement/problem.{lang}.tex"),
                    tex.as_bytes(),
                    false,
                )?;
            }
            StatementFormat::Pdf => {
                notes.push(format!(
                    "the {lang} statement is a PDF: legacy needs LaTeX, it is left out"
                ));
                continue;
            }
        }
        // Pictures and other files the statement uses.
        if let Some(dir) = st.path.parent() {
            a.add_tree(dir, "problem_statement", None, &|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.starts_with("problem."))
            })?;
        }
    }
    if let OutputValidator::Custom(path) = &problem.validator {
        let dest = format!("output_validators/{}", validator_name(path));
        if path.is_dir() {
            a.add_tree(path, &dest, c, &|_| true)?;
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            let bytes = std::fs::read(path).map_err(super::io_err(path))?;
            a.add(
                &format!("{dest}/{name}"),
                &problem.constants.substitute_bytes(bytes),
                false,
            )?;
        }
    }
    add_include(&mut a, problem, &mut notes)?;
    for (dir, dest) in [
        ("input_validators", "input_validators"),
        ("input_validator", "input_validators/input_validator"),
        ("attachments", "attachments"),
    ] {
        let src = problem.dir.join(dir);
        if src.is_dir() {
            a.add_tree(&src, dest, c, &|_| true)?;
        }
    }
    let subs = problem.dir.join("submissions");
    if subs.is_dir() {
        a.add_tree(&subs, "submissions", c, &|p| {
            !p.ends_with("submissions.yaml")
        })?;
        if subs.join("submissions.yaml").is_file() {
            notes.push(
                "submissions/submissions.yaml is left out (legacy judges by directory)".into(),
            );
        }
    }
    Ok(Exported {
        bytes: a.finish()?,
        notes,
    })
}
