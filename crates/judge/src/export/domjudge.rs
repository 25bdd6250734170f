//! DOMjudge's problem zip: `problem.yaml` (legacy keys DOMjudge reads: name, limits,
//! validation, validator_flags), `domjudge-problem.ini` (name and time limit), test
//! cases flat in `data/sample` and `data/secret`, `output_validators/<name>/`,
//! `submissions/<verdict>/`, and the statement rendered to `problem.html` with its
//! samples, since DOMjudge shows HTML, PDF or text.

use std::fmt::Write as _;

use pulldown_cmark::{Options, Parser, html};
use serde_norway::{Mapping, Value};

use super::kattis::{validation, validator_name};
use super::{Archive, ExportError, Exported, MIB, seconds};
use crate::problem::{OutputValidator, Problem, ProblemType, StatementFormat, TestCase};

const FORMAT: &str = "DOMjudge";

fn unsupported(why: impl Into<String>) -> ExportError {
    ExportError::Unsupported {
        format: FORMAT,
        why: why.into(),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A flat name for a case of a nested group: `secret/group1/01` → `group1-01`.
fn flat_name(case: &TestCase, top: &str) -> String {
    case.name
        .strip_prefix(top)
        .unwrap_or(&case.name)
        .trim_start_matches('/')
        .replace('/', "-")
}

/// The statement and its samples as one HTML page.
fn statement_html(problem: &Problem) -> Result<String, ExportError> {
    let st = problem
        .statements
        .iter()
        .find(|s| s.language == "en")
        .or(problem.statements.first())
        .ok_or_else(|| unsupported("the package has no statement"))?;
    let body = match st.format {
        StatementFormat::Markdown => {
            let mut out = String::new();
            let options = Options::ENABLE_TABLES | Options::ENABLE_MATH;
            html::push_html(&mut out, Parser::new_ext(&st.source, options));
            out
        }
        StatementFormat::Latex => format!("<pre class=\"latex\">{}</pre>", escape(&st.source)),
        StatementFormat::Pdf => {
            return Err(unsupported(
                "the statement is a PDF: give DOMjudge the PDF itself",
            ));
        }
    };
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head><meta charset=\"utf-8\"><title>{}</title>\
         <style>body{{font-family:sans-serif;max-width:50em;margin:auto}}\
         pre{{background:#f4f4f4;padding:.5em}}table.sample td{{vertical-align:top}}</style>\
         </head>\n<body>\n<h1>{}</h1>\n{body}",
        escape(&st.language),
        escape(&problem.name),
        escape(&problem.name)
    );
    let cases = problem
        .sample
        .as_ref()
        .map(|s| s.cases())
        .unwrap_or_default();
    for (i, (_, case)) in cases.iter().enumerate() {
        let read = |p: &std::path::Path| {
            std::fs::read(p)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(super::io_err(p))
        };
        let (input, answer) = (read(&case.input)?, read(&case.answer)?);
        let _ = write!(
            page,
            "<h2>Sample {}</h2>\n<table class=\"sample\"><tr><th>Input</th><th>Output</th></tr>\
             <tr><td><pre>{}</pre></td><td><pre>{}</pre></td></tr></table>\n",
            i + 1,
            escape(&input),
            escape(&answer)
        );
    }
    page.push_str("</body>\n</html>\n");
    Ok(page)
}

fn problem_yaml(problem: &Problem) -> Result<String, ExportError> {
    let mut m = Mapping::new();
    let mut put = |k: &str, v: Value| {
        m.insert(Value::String(k.into()), v);
    };
    put("name", Value::String(problem.name.clone()));
    let mut limits = Mapping::new();
    limits.insert(
        Value::String("memory".into()),
        Value::Number(problem.limits.memory_bytes.div_ceil(MIB).into()),
    );
    limits.insert(
        Value::String("output".into()),
        Value::Number(problem.limits.output_bytes.div_ceil(MIB).into()),
    );
    put("limits", Value::Mapping(limits));
    put("validation", Value::String(validation(problem)));
    // DOMjudge takes one set of validator flags per problem.
    let mut args: Vec<&Vec<String>> = problem
        .test_cases()
        .iter()
        .map(|(g, _)| &g.settings.output_validator_args)
        .collect();
    args.sort();
    args.dedup();
    match args.as_slice() {
        [] => {}
        [one] if one.is_empty() => {}
        [one] => put("validator_flags", Value::String(one.join(" "))),
        _ => {
            return Err(unsupported(
                "test groups give the output validator different arguments; DOMjudge takes \
                 one set per problem",
            ));
        }
    }
    serde_norway::to_string(&Value::Mapping(m))
        .map_err(|e| ExportError::Yaml("problem.yaml".into(), e.to_string()))
}

pub(super) fn export(problem: &Problem) -> Result<Exported, ExportError> {
    let mut notes = Vec::new();
    let tl = problem.time_limit().ok_or_else(|| {
        unsupported(
            "the package has no time limit (DOMjudge needs one): set limits.time_limit, or \
             write the derived one to .timelimit",
        )
    })?;
    if problem.secret.cases().is_empty() {
        return Err(unsupported("the package has no secret data"));
    }
    if problem.problem_type == ProblemType::Scoring {
        notes.push("DOMjudge judges pass-fail: the scores are left out".into());
    }
    let mut a = Archive::new("");
    a.add("problem.yaml", problem_yaml(problem)?.as_bytes(), false)?;
    let ini = format!(
        "name = '{}'\ntimelimit = '{}'\n",
        problem.name.replace('\'', "\\'"),
        seconds(tl)
    );
    a.add("domjudge-problem.ini", ini.as_bytes(), false)?;
    a.add("problem.html", statement_html(problem)?.as_bytes(), false)?;
    let groups = [
        ("sample", problem.sample.as_ref()),
        ("secret", Some(&problem.secret)),
    ];
    for (top, group) in groups {
        let Some(group) = group else { continue };
        let mut seen = std::collections::HashSet::new();
        for (_, case) in group.cases() {
            let name = flat_name(case, top);
            if !seen.insert(name.clone()) {
                return Err(unsupported(format!(
                    "two test cases flatten to data/{top}/{name}"
                )));
            }
            for (path, ext) in [(&case.input, "in"), (&case.answer, "ans")] {
                let bytes = std::fs::read(path).map_err(super::io_err(path))?;
                a.add(&format!("data/{top}/{name}.{ext}"), &bytes, false)?;
            }
        }
    }
    let c = Some(&problem.constants);
    if let OutputValidator::Custom(path) = &problem.validator {
        let dest = format!("output_validators/{}", validator_name(path));
        if path.is_dir() {
            a.add_tree(path, &dest, c, &|_| true)?;
        } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            let bytes = std::fs::read(path).map_err(super::io_err(path))?;
            let bytes = problem.constants.substitute_bytes(bytes);
            a.add(&format!("{dest}/{name}"), &bytes, false)?;
        }
    }
    let subs = problem.dir.join("submissions");
    if subs.is_dir() {
        a.add_tree(&subs, "submissions", c, &|p| {
            !p.ends_with("submissions.yaml")
        })?;
    }
    if problem.dir.join("include").is_dir() {
        notes.push("include/ is left out: DOMjudge has no included files".into());
    }
    if !problem.validation_cases.is_empty() {
        notes.push(
            "the validator-test groups (data/invalid_* and valid_output) are left out".into(),
        );
    }
    Ok(Exported {
        bytes: a.finish()?,
        notes,
    })
}
