//! The package's example submissions and what each must get: the default rules of its
//! directory (`accepted`, `wrong_answer`, …) and the expectations of
//! `submissions/submissions.yaml` (2025-09): `permitted` and `required` verdicts, a
//! `score`, a judge `message`, per test group, for submissions matched by glob
//! patterns. A submission is a file or a directory of files (its `entrypoint`, or the
//! one file its language would start from).
//!
//! Verdict codes are the format's AC, WA, TLE, RTE; a memory or output limit counts as
//! RTE unless a list names MLE or OLE itself. `compile_error`, `memory_limit_exceeded`
//! and `output_limit_exceeded` directories (problemtools' and this judge's own) expect
//! exactly that verdict.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_norway::Value;

use crate::judge::Report;
use crate::problem::Problem;
use crate::verdict::{Verdict, expected_in_submission_dir};

#[derive(Debug, thiserror::Error)]
pub enum SubmissionsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("submissions/submissions.yaml: {0}")]
    Yaml(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SubmissionsError + '_ {
    move |source| SubmissionsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A file of a submission: its name and contents.
pub type NamedFile = (String, Vec<u8>);

/// One expectation: over the test cases a glob selects (all when `cases` is `None`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rule {
    pub cases: Option<String>,
    pub permitted: Option<Vec<String>>,
    pub required: Option<Vec<String>>,
    /// Inclusive range of the submission's score.
    pub score: Option<(f64, f64)>,
    pub message: Option<String>,
}

/// Whether a submission bounds the time limit from below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeLimitUse {
    Lower,
    Upper,
    No,
}

/// One example submission and what it must get.
#[derive(Debug, Clone, Serialize)]
pub struct ExampleSubmission {
    /// Path under `submissions/`, e.g. `accepted/sol.py` or `run_time_error/multi`.
    pub name: String,
    /// Its directory under `submissions/` (`accepted`, …).
    pub dir: String,
    /// The file judged as the program's entry point.
    pub entry: PathBuf,
    /// The submission's other files (a directory submission), beside the entry point.
    #[serde(skip)]
    pub others: Vec<NamedFile>,
    /// `language` from submissions.yaml.
    pub language: Option<String>,
    /// The exact verdict a problemtools-style directory expects.
    pub exact: Option<Verdict>,
    pub rules: Vec<Rule>,
    /// Some rule came from submissions.yaml: judge every test, not up to the first
    /// failure, since rules may speak of any test.
    pub explicit: bool,
    pub time_limit: TimeLimitUse,
}

/// Verdict codes a rule may name: the format's four, and this judge's own.
const CODES: &[&str] = &["AC", "WA", "TLE", "RTE", "MLE", "OLE", "CE"];

fn list(what: &str, v: &Value) -> Result<Vec<String>, SubmissionsError> {
    let items: Vec<&Value> = match v {
        Value::Sequence(s) => s.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .map(|x| match x.as_str().map(str::to_ascii_uppercase) {
            Some(code) if CODES.contains(&code.as_str()) => Ok(code),
            _ => Err(SubmissionsError::Yaml(format!(
                "{what}: {x:?} is not a verdict (AC, WA, TLE, RTE)"
            ))),
        })
        .collect()
}

/// The defaults of the format's directories.
fn default_rule(dir: &str) -> Option<Rule> {
    let l = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect());
    let (permitted, required) = match dir {
        "accepted" => (l(&["AC"]), None),
        "rejected" => (None, l(&["RTE", "TLE", "WA"])),
        "wrong_answer" => (l(&["AC", "WA"]), l(&["WA"])),
        "time_limit_exceeded" => (l(&["AC", "TLE"]), l(&["TLE"])),
        "run_time_error" => (l(&["AC", "RTE"]), l(&["RTE"])),
        "brute_force" => (l(&["AC", "RTE", "TLE"]), l(&["RTE", "TLE"])),
        _ => return None,
    };
    Some(Rule {
        permitted,
        required,
        ..Rule::default()
    })
}

/// `*` matches within one path component; `{a,b}` alternatives.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if let Some(open) = pattern.find('{')
        && let Some(close) = pattern[open..].find('}').map(|c| open + c)
    {
        let (head, alts, tail) = (
            &pattern[..open],
            &pattern[open + 1..close],
            &pattern[close + 1..],
        );
        return alts
            .split(',')
            .any(|a| glob_match(&format!("{head}{a}{tail}"), text));
    }
    fn star(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'*', rest)) => (0..=t.len())
                .take_while(|&i| i == 0 || t[i - 1] != b'/')
                .any(|i| star(rest, &t[i..])),
            Some((c, rest)) => t.first() == Some(c) && star(rest, &t[1..]),
        }
    }
    star(pattern.as_bytes(), text.as_bytes())
}

/// The pattern matches the path or one of its parent directories.
fn matches_path_or_parent(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    let mut prefix = String::new();
    for (i, part) in path.split('/').enumerate() {
        if i > 0 {
            prefix.push('/');
        }
        prefix.push_str(part);
        if glob_match(pattern, &prefix) {
            return true;
        }
    }
    false
}

const ENTRY_KEYS: &[&str] = &[
    "language",
    "entrypoint",
    "authors",
    "model_solution",
    "permitted",
    "required",
    "score",
    "message",
    "use_for_time_limit",
];

/// Keys of a rule (at the top of an entry or under a test group).
const RULE_KEYS: &[&str] = &[
    "permitted",
    "required",
    "score",
    "message",
    "use_for_time_limit",
];

fn rule_from(key: &str, map: &Value, cases: Option<String>) -> Result<Rule, SubmissionsError> {
    let bad = |why: String| SubmissionsError::Yaml(format!("{key}: {why}"));
    let m = map
        .as_mapping()
        .ok_or_else(|| bad("must be a map of expectations".into()))?;
    if cases.is_some() {
        for k in m.keys() {
            let k = k.as_str().unwrap_or_default();
            if !RULE_KEYS.contains(&k) {
                return Err(bad(format!("unknown key {k:?} under a test group")));
            }
        }
    }
    let get = |k: &str| m.get(k);
    let score = match get("score") {
        None => None,
        // The aggregated score of a group is not in the judge's report: refused rather
        // than compared with the whole submission's score.
        Some(_) if cases.is_some() => {
            return Err(bad("a score under a test group is not supported".into()));
        }
        Some(Value::Number(n)) => n.as_f64().map(|x| (x, x)),
        Some(Value::Sequence(s)) if s.len() == 2 => match (s[0].as_f64(), s[1].as_f64()) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => return Err(bad("score must be numbers".into())),
        },
        Some(_) => return Err(bad("score must be a number or a list of two numbers".into())),
    };
    let message = match get("message") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(bad("message must be a string".into())),
    };
    Ok(Rule {
        cases,
        permitted: get("permitted").map(|v| list(key, v)).transpose()?,
        required: get("required").map(|v| list(key, v)).transpose()?,
        score,
        message,
    })
}

/// A key under an entry that names test cases: a path under `data/` (or a glob).
fn names_test_cases(k: &str) -> bool {
    ["sample", "secret", "*", "{"]
        .iter()
        .any(|p| k.starts_with(p))
}

fn time_limit_use(v: Option<&Value>) -> Option<TimeLimitUse> {
    match v? {
        Value::String(s) if s == "lower" => Some(TimeLimitUse::Lower),
        Value::String(s) if s == "upper" => Some(TimeLimitUse::Upper),
        Value::Bool(false) => Some(TimeLimitUse::No),
        // `true`: as the rules say.
        _ => None,
    }
}

/// Every example submission of the package with its expectations.
pub fn discover(problem: &Problem) -> Result<Vec<ExampleSubmission>, SubmissionsError> {
    let root = problem.dir.join("submissions");
    let yaml_path = root.join("submissions.yaml");
    let yaml: Option<Value> = match std::fs::read_to_string(&yaml_path) {
        Ok(t) => {
            Some(serde_norway::from_str(&t).map_err(|e| SubmissionsError::Yaml(e.to_string()))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(&yaml_path)(e)),
    };
    let mut entries: Vec<(String, &Value)> = Vec::new();
    match yaml.as_ref() {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(m)) => {
            for (k, v) in m {
                let k = k.as_str().ok_or_else(|| {
                    SubmissionsError::Yaml(format!("{k:?}: keys are submission globs (strings)"))
                })?;
                entries.push((k.to_string(), v));
            }
        }
        Some(_) => {
            return Err(SubmissionsError::Yaml(
                "must be a map of submission globs to expectations".into(),
            ));
        }
    }
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(io(&root))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        let dir = file_name(&d);
        if dir.starts_with('.') {
            continue;
        }
        let mut items: Vec<PathBuf> = std::fs::read_dir(&d)
            .map_err(io(&d))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| !file_name(p).starts_with('.'))
            .collect();
        items.sort();
        for item in items {
            let name = format!("{dir}/{}", file_name(&item));
            out.push(example(problem, &dir, &name, &item, &entries)?);
        }
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string()
}

fn example(
    problem: &Problem,
    dir: &str,
    name: &str,
    item: &Path,
    entries: &[(String, &Value)],
) -> Result<ExampleSubmission, SubmissionsError> {
    let mut rules = Vec::new();
    let mut explicit = false;
    let mut language = None;
    let mut entrypoint = None;
    let mut time_limit = None;
    // A key that is exactly the directory's name replaces its defaults.
    let replaced = entries.iter().find(|(k, _)| k.trim_end_matches('/') == dir);
    match (replaced, default_rule(dir)) {
        (Some((k, v)), default) => {
            let mut r = rule_from(k, v, None)?;
            let d = default.unwrap_or_default();
            r.permitted = r.permitted.or(d.permitted);
            r.required = r.required.or(d.required);
            rules.push(r);
            explicit = true;
        }
        (None, Some(d)) => rules.push(d),
        (None, None) => {}
    }
    for (pattern, v) in entries {
        if !matches_path_or_parent(pattern, name) {
            continue;
        }
        let get = |k: &str| v.as_mapping().and_then(|m| m.get(k));
        language = get("language")
            .and_then(|l| l.as_str().map(String::from))
            .or(language);
        entrypoint = get("entrypoint")
            .and_then(|l| l.as_str().map(String::from))
            .or(entrypoint);
        time_limit = time_limit_use(get("use_for_time_limit")).or(time_limit);
        // A directory's own key replaced its defaults above (its top rule); its test
        // group rules still apply.
        let is_replacement = replaced.is_some_and(|(k, _)| k == pattern);
        if !is_replacement {
            let top = rule_from(pattern, v, None)?;
            if top.permitted.is_some()
                || top.required.is_some()
                || top.score.is_some()
                || top.message.is_some()
            {
                rules.push(top);
                explicit = true;
            }
        }
        for (k, group) in v.as_mapping().into_iter().flatten() {
            let k = k.as_str().unwrap_or_default();
            if ENTRY_KEYS.contains(&k) {
                continue;
            }
            if !names_test_cases(k) {
                return Err(SubmissionsError::Yaml(format!(
                    "{pattern}: unknown key {k:?} (neither an expectation nor a test group \
                     under data/)"
                )));
            }
            rules.push(rule_from(
                &format!("{pattern}: {k}"),
                group,
                Some(k.to_string()),
            )?);
            explicit = true;
        }
    }
    let (entry, others) = if item.is_dir() {
        directory_submission(problem, item, entrypoint.as_deref())?
    } else {
        (item.to_path_buf(), Vec::new())
    };
    Ok(ExampleSubmission {
        name: name.to_string(),
        dir: dir.to_string(),
        entry,
        others,
        language,
        exact: if rules.is_empty() {
            expected_in_submission_dir(dir)
        } else {
            None
        },
        rules,
        explicit,
        time_limit: time_limit.unwrap_or(if dir == "accepted" {
            TimeLimitUse::Lower
        } else {
            TimeLimitUse::No
        }),
    })
}

/// A submission given as a directory: its entry point (`entrypoint`, else a `main.*`,
/// `Main.*` or `__main__.py`, else its first file) and its other files.
fn directory_submission(
    problem: &Problem,
    dir: &Path,
    entrypoint: Option<&str>,
) -> Result<(PathBuf, Vec<NamedFile>), SubmissionsError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && !file_name(p).starts_with('.'))
        .collect();
    files.sort();
    let stem = |p: &Path| {
        p.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string()
    };
    let entry = match entrypoint {
        // Only a file of the submission: never a path out of it.
        Some(e) if e.contains('/') || e.contains('\\') || e.starts_with('.') => {
            return Err(SubmissionsError::Yaml(format!(
                "entrypoint {e:?} must name a file of the submission"
            )));
        }
        Some(e) => files
            .iter()
            .find(|p| file_name(p) == e || stem(p) == e)
            .cloned(),
        None => files
            .iter()
            .find(|p| ["main", "Main", "__main__"].contains(&stem(p).as_str()))
            .or(files.first())
            .cloned(),
    };
    let entry = entry.ok_or_else(|| {
        SubmissionsError::Yaml(format!(
            "{}: no file {} to start from",
            dir.display(),
            entrypoint.unwrap_or("at all")
        ))
    })?;
    let mut others = Vec::new();
    for f in files.iter().filter(|f| **f != entry) {
        let bytes = std::fs::read(f).map_err(io(f))?;
        others.push((file_name(f), problem.constants.substitute_bytes(bytes)));
    }
    Ok((entry, others))
}

fn verdict_in(v: Verdict, codes: &[String]) -> bool {
    let code = v.code();
    codes.iter().any(|c| c == code)
        || (matches!(
            v,
            Verdict::MemoryLimitExceeded | Verdict::OutputLimitExceeded
        ) && codes.iter().any(|c| c == "RTE"))
}

impl ExampleSubmission {
    /// What the report breaks of this submission's expectations (empty: as expected).
    pub fn check(&self, report: &Report) -> Vec<String> {
        if let Some(v) = self.exact {
            return if report.verdict == v {
                Vec::new()
            } else {
                vec![format!(
                    "expected {}, got {}",
                    v.code(),
                    report.verdict.code()
                )]
            };
        }
        if self.rules.is_empty() {
            return vec![format!(
                "no expectation: `{}` is not a known submissions directory and \
                 submissions.yaml says nothing of it",
                self.dir
            )];
        }
        if matches!(
            report.verdict,
            Verdict::CompileError | Verdict::InternalError
        ) && report.tests.is_empty()
        {
            return vec![format!("got {} before any test ran", report.verdict.code())];
        }
        let mut broken = Vec::new();
        for rule in &self.rules {
            let scope = rule.cases.as_deref().unwrap_or("all test cases");
            let tests: Vec<_> = report
                .tests
                .iter()
                .filter(|t| {
                    rule.cases
                        .as_deref()
                        .is_none_or(|p| matches_path_or_parent(p, &t.name))
                })
                .collect();
            if let Some(permitted) = &rule.permitted
                && let Some(t) = tests.iter().find(|t| !verdict_in(t.verdict, permitted))
            {
                broken.push(format!(
                    "{}: {} is not permitted ({scope}: {permitted:?})",
                    t.name,
                    t.verdict.code()
                ));
            }
            if let Some(required) = &rule.required
                && !tests.iter().any(|t| verdict_in(t.verdict, required))
            {
                broken.push(format!("{scope}: no test got one of {required:?}"));
            }
            if let Some((lo, hi)) = rule.score {
                match report.score {
                    Some(s) if s >= lo - 1e-9 && s <= hi + 1e-9 => {}
                    other => broken.push(format!("score {other:?} is not in [{lo}, {hi}]")),
                }
            }
            // Only what the output validator said (AC or WA tests): never a crash's
            // stderr, which the submission writes itself.
            if let Some(m) = &rule.message
                && !tests.iter().any(|t| {
                    matches!(t.verdict, Verdict::Accepted | Verdict::WrongAnswer)
                        && t.message.as_deref().is_some_and(|x| x.contains(m.as_str()))
                })
            {
                broken.push(format!("{scope}: no judge message contains {m:?}"));
            }
        }
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_within_components_and_expand_braces() {
        assert!(glob_match("accepted/*", "accepted/a.py"));
        assert!(!glob_match("accepted/*", "accepted/dir/a.py"));
        assert!(glob_match("secret/*-easy", "secret/03-easy"));
        assert!(glob_match(
            "accepted/author.{py,cpp}",
            "accepted/author.cpp"
        ));
        assert!(!glob_match(
            "accepted/author.{py,cpp}",
            "accepted/author.java"
        ));
        assert!(matches_path_or_parent("accepted", "accepted/a.py"));
        assert!(matches_path_or_parent("secret/group1", "secret/group1/01"));
        assert!(!matches_path_or_parent("secret/group", "secret/group1/01"));
    }

    #[test]
    fn memory_and_output_limits_count_as_run_time_errors() {
        let rte = vec!["RTE".to_string()];
        assert!(verdict_in(Verdict::MemoryLimitExceeded, &rte));
        assert!(!verdict_in(Verdict::WrongAnswer, &rte));
        assert!(verdict_in(
            Verdict::MemoryLimitExceeded,
            &["MLE".to_string()]
        ));
    }
}
