//! The `codearena judge` and `codearena verify-problem` commands. The
//! `codearena` binary wires these in; `codearena-judge` (this crate's binary)
//! exposes the same functions.
//!
//! Exit codes: 0 accepted / all submissions as expected; 1 a rejection or a
//! mismatch; 2 an error before judging (bad package, unknown language,
//! sandbox unavailable).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;

use crate::submissions::{self, ExampleSubmission, TimeLimitUse};
use crate::verify::{self, Severity};
use crate::{
    DEFAULT_TIME_LIMIT, Judge, JudgeError, JudgeOptions, Languages, Problem, Report, Verdict,
};

#[derive(clap::Args, Debug, Clone)]
pub struct JudgeArgs {
    /// The problem package directory.
    pub problem_dir: PathBuf,
    /// The source file to judge.
    pub source: PathBuf,
    /// Language id or alias (see `codearena languages`); by default from the file
    /// extension or its `#!` line.
    #[arg(long)]
    pub language: Option<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub table: LanguageTableArgs,
}

/// Where the language table comes from: the built-in one, with an operator's file
/// over it (the same variable the execution service reads as
/// `execution.languages_file`).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct LanguageTableArgs {
    /// A TOML language table whose entries replace the built-in ones with the same
    /// id and add new ones.
    #[arg(long = "languages", value_name = "FILE", env = LANGUAGES_FILE_ENV)]
    pub languages_file: Option<PathBuf>,
}

/// The environment variable naming the operator's language table; the service's
/// configuration reads it as `execution.languages_file`.
pub const LANGUAGES_FILE_ENV: &str = "CODEARENA_EXECUTION__LANGUAGES_FILE";

impl LanguageTableArgs {
    /// The built-in table with the file applied, discovered.
    pub fn languages(&self) -> anyhow::Result<Languages> {
        Ok(Languages::load(self.languages_file.as_deref())?)
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct VerifyProblemArgs {
    /// The problem package directory.
    pub problem_dir: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub table: LanguageTableArgs,
}

fn load(dir: &Path) -> anyhow::Result<Problem> {
    let p = Problem::load(dir).with_context(|| format!("loading {}", dir.display()))?;
    for w in &p.warnings {
        tracing::warn!("{}: {w}", p.short_name);
        eprintln!("warning: {w}");
    }
    Ok(p)
}

/// Loads without printing the warnings: verify-problem reports them with its findings.
fn load_quietly(dir: &Path) -> anyhow::Result<Problem> {
    Problem::load(dir).with_context(|| format!("loading {}", dir.display()))
}

fn print_report(r: &Report) {
    println!(
        "{}  {} in {} (time limit {:.2} s)",
        r.verdict,
        r.problem,
        r.language,
        r.time_limit_ms as f64 / 1000.0
    );
    if let Some(m) = &r.message {
        println!("  {m}");
    }
    if let Some(c) = &r.compile
        && !c.success
        && !c.output.is_empty()
    {
        println!("{}", c.output);
    }
    for t in &r.tests {
        println!(
            "  {:<32} {:<4} {:>7.3} s {:>8.1} MiB{}",
            t.name,
            t.verdict.code(),
            t.time_ms as f64 / 1000.0,
            t.memory_bytes as f64 / 1048576.0,
            t.message
                .as_deref()
                .map(|m| format!("  {}", m.lines().next().unwrap_or("")))
                .unwrap_or_default()
        );
    }
    if let Some(s) = r.score {
        println!("score: {s}");
    }
}

/// `codearena judge PROBLEM_DIR SOURCE [--language L] [--json]`.
pub fn judge(args: JudgeArgs) -> anyhow::Result<ExitCode> {
    let problem = load(&args.problem_dir)?;
    let judge = Judge::new(args.table.languages()?).context("starting the sandbox")?;
    let report = judge.judge_file(&problem, &args.source, args.language.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report);
    }
    Ok(if report.verdict == Verdict::Accepted {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `codearena languages`: the installed toolchains.
pub fn languages(args: LanguageTableArgs) -> anyhow::Result<ExitCode> {
    for l in args.languages()?.languages {
        println!(
            "{:<11} {:<11} {:<24} .{}",
            l.id,
            l.name,
            l.version,
            l.extensions.join(" .")
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(serde::Serialize)]
struct SubmissionCheck {
    submission: String,
    /// The submission's directory (`accepted`, `wrong_answer`, …).
    expected: String,
    verdict: Verdict,
    ok: bool,
    max_time_ms: u64,
    /// Used for the time limit's lower bound.
    #[serde(skip)]
    lower_bound: bool,
    /// The language it was judged as, with its version (none when there was none).
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

/// Judges one example submission (constants substituted, its other files and the
/// package's include files beside it); every test when its expectations need them.
fn judge_example(
    judge: &Judge,
    problem: &Problem,
    sub: &ExampleSubmission,
    time_limit: Duration,
) -> Result<Report, JudgeError> {
    let lang = judge.language_for(&sub.entry, sub.language.as_deref())?;
    let code = std::fs::read(&sub.entry).map_err(|e| JudgeError::Source {
        path: sub.entry.clone(),
        source: e,
    })?;
    let code = problem.constants.substitute_bytes(code);
    let options = JudgeOptions {
        all_tests: sub.explicit,
    };
    Ok(judge.judge_submission(
        problem,
        lang,
        &sub.entry,
        &code,
        &sub.others,
        time_limit,
        options,
    ))
}

/// `codearena verify-problem PROBLEM_DIR`: judges every submission under
/// `submissions/<dir>/` (a file or a directory) and reports those that break what
/// their directory and `submissions.yaml` expect ([`crate::submissions`]). When the
/// package has no time limit, it is derived from the accepted submissions as the
/// format prescribes. Also reports what problemtools would ([`crate::verify`]); an
/// error fails it like a mismatch.
pub fn verify_problem(args: VerifyProblemArgs) -> anyhow::Result<ExitCode> {
    let problem = load_quietly(&args.problem_dir)?;
    let mut findings = verify::package_findings(&problem);
    let judge = Judge::new(args.table.languages()?).context("starting the sandbox")?;
    let found = submissions::discover(&problem)?;
    if found.is_empty() {
        anyhow::bail!(
            "{} has no submissions",
            problem.dir.join("submissions").display()
        );
    }

    let mut reports: Vec<Option<Report>> = vec![None; found.len()];
    let time_limit = match problem.time_limit() {
        Some(t) => t,
        None => {
            // Judge the submissions that bound it from below with the platform default.
            let mut slowest = Duration::ZERO;
            for (i, sub) in found.iter().enumerate() {
                if sub.time_limit != TimeLimitUse::Lower {
                    continue;
                }
                // One that cannot be judged is reported with the others below.
                let Ok(r) = judge_example(&judge, &problem, sub, DEFAULT_TIME_LIMIT) else {
                    continue;
                };
                if r.verdict == Verdict::Accepted {
                    slowest = slowest.max(Duration::from_millis(r.max_time_ms));
                }
                reports[i] = Some(r);
            }
            let tl = problem.derived_time_limit(slowest);
            eprintln!(
                "time limit derived from accepted submissions: {:.2} s",
                tl.as_secs_f64()
            );
            tl
        }
    };

    let mut checks = Vec::new();
    for (i, sub) in found.iter().enumerate() {
        let report = match reports[i].take() {
            Some(r) => r,
            None => match judge_example(&judge, &problem, sub, time_limit) {
                Ok(r) => r,
                Err(e) => {
                    checks.push(SubmissionCheck {
                        submission: format!("submissions/{}", sub.name),
                        expected: sub.dir.clone(),
                        verdict: Verdict::InternalError,
                        ok: false,
                        max_time_ms: 0,
                        lower_bound: false,
                        language: None,
                        message: Some(e.to_string()),
                    });
                    continue;
                }
            },
        };
        let broken = sub.check(&report);
        let message = broken
            .first()
            .cloned()
            .or_else(|| report.message.clone())
            .or_else(|| report.tests.iter().find_map(|t| t.message.clone()));
        checks.push(SubmissionCheck {
            submission: format!("submissions/{}", sub.name),
            expected: sub.dir.clone(),
            verdict: report.verdict,
            ok: broken.is_empty(),
            max_time_ms: report.max_time_ms,
            lower_bound: sub.time_limit == TimeLimitUse::Lower,
            language: Some(report.language.clone()),
            message,
        });
    }
    // The slowest accepted submission sets the margin. A run slowed by a busy machine is
    // not the submission's speed: when the margin fails, the slowest is judged again (up
    // to twice) and keeps its fastest run.
    let slowest_index = |checks: &[SubmissionCheck]| {
        checks
            .iter()
            .enumerate()
            .filter(|(_, c)| c.lower_bound && c.verdict == Verdict::Accepted)
            .max_by_key(|(_, c)| c.max_time_ms)
            .map(|(i, _)| i)
    };
    let at = |checks: &[SubmissionCheck], i: usize| {
        (
            checks[i].submission.clone(),
            Duration::from_millis(checks[i].max_time_ms),
        )
    };
    for _ in 0..2 {
        let Some(i) = slowest_index(&checks) else {
            break;
        };
        let (name, t) = at(&checks, i);
        if verify::time_limit_margin(&problem, Some((&name, t))).is_none() {
            break;
        }
        let Some(sub) = found
            .iter()
            .find(|s| format!("submissions/{}", s.name) == name)
        else {
            break;
        };
        let Ok(again) = judge_example(&judge, &problem, sub, time_limit) else {
            break;
        };
        if again.verdict == Verdict::Accepted {
            checks[i].max_time_ms = checks[i].max_time_ms.min(again.max_time_ms);
        }
    }
    let slowest = slowest_index(&checks).map(|i| at(&checks, i));
    let slowest = slowest.as_ref().map(|(n, t)| (n.as_str(), *t));
    findings.extend(verify::time_limit_margin(&problem, slowest));
    findings.extend(verify::input_findings(&judge.validate_inputs(&problem)));
    findings.extend(verify::validation_case_findings(
        &judge.check_validation_cases(&problem),
    ));
    let failures = checks.iter().filter(|c| !c.ok).count();
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "problem": problem.short_name,
                "time_limit_ms": time_limit.as_millis() as u64,
                "slowest_accepted_ms": slowest.map(|(_, t)| t.as_millis() as u64),
                "submissions": checks,
                "failures": failures,
                "findings": findings,
                "errors": errors,
                "warnings": warnings,
            })
        );
    } else {
        for c in &checks {
            println!(
                "{} {:<48} {:<22} got {:<4} {:>7.3} s{}",
                if c.ok { "ok  " } else { "FAIL" },
                c.submission,
                c.expected,
                c.verdict.code(),
                c.max_time_ms as f64 / 1000.0,
                if c.ok {
                    String::new()
                } else {
                    c.message
                        .as_deref()
                        .map(|m| format!("  ({})", m.lines().next().unwrap_or("")))
                        .unwrap_or_default()
                }
            );
        }
        if let Some((name, t)) = slowest {
            println!(
                "slowest accepted: {name} {:.3} s; time limit {:.3} s ({:.1} x)",
                t.as_secs_f64(),
                time_limit.as_secs_f64(),
                time_limit.as_secs_f64() / t.as_secs_f64().max(0.001)
            );
        }
        for f in &findings {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            println!("{level}: [{}] {}", f.check, f.message);
        }
        println!(
            "{}: {} submissions, {} failed; {} errors, {} warnings",
            problem.short_name,
            checks.len(),
            failures,
            errors,
            warnings
        );
    }
    Ok(if failures == 0 && errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
