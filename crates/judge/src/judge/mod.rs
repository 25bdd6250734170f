//! Judging one submission against one problem package: compile in the
//! sandbox, run every test case in the sandbox, check each output (default
//! validator or the package's custom one, also sandboxed), and decide.
//!
//! The verdict rules are in [`crate::verdict`].
//!
//! The steps, one file each: [`compile`] the submission, run each
//! [`test_case`] and check it with the default validator or the package's
//! custom [`validator`], [`score`] scoring problems, and write the
//! [`report`]. Interactive and multi-pass problems run each test case as
//! [`interactive`] passes. A player's own "Run" on their input is [`custom`]; `verify-problem`
//! runs the package's [`input_validator`]s.

mod compile;
mod custom;
mod input_validator;
mod interactive;
mod package_program;
mod report;
mod score;
mod test_case;
mod validation_cases;
mod validator;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sandbox::{BoxFile, Limits, RunOutcome, Sandbox, SandboxConfig, Source};

pub use custom::{CustomLimits, CustomRun};
pub use input_validator::InputValidation;
pub use package_program::PackageProgramError;
pub use report::{CompileResult, Report, TestResult};
pub use validation_cases::ValidationCaseCheck;

use crate::language::{Language, Languages};
use crate::problem::{DEFAULT_TIME_LIMIT, OutputValidator, Problem, ProblemType};
use crate::verdict::{SubmissionVerdict, Verdict};

const MIB: u64 = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("unknown or uninstalled language {0:?}")]
    UnknownLanguage(String),
    #[error("cannot tell the language of {0}; pass --language")]
    NoLanguage(PathBuf),
    #[error("cannot read {path}: {source}")]
    Source {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Sandbox(#[from] sandbox::SandboxError),
}
/// A compiled program ready to run: its work files and command.
#[derive(Debug, Clone)]
struct Program {
    files: Vec<BoxFile>,
    argv: Vec<String>,
    env: Vec<(String, String)>,
}
/// How a submission is judged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JudgeOptions {
    /// Run every test even after one failed (the verdict is still the first failure's);
    /// battles score by tests passed.
    pub all_tests: bool,
}

/// Judges submissions; holds one sandbox (runs are sequential per `Judge`;
/// create one per worker), and a second one, created on first use, for the
/// interactor of an interactive problem (it runs at the same time as the
/// submission, so it needs its own zygote).
pub struct Judge {
    sandbox: Sandbox,
    config: SandboxConfig,
    second: Mutex<Option<Sandbox>>,
    languages: Languages,
    validators: Mutex<HashMap<PathBuf, Arc<Result<Program, PackageProgramError>>>>,
}

/// The limits a submitted program runs under: the time and memory it is given, stdout up
/// to `output_bytes`, a little stderr, one CPU.
fn program_limits(time: Duration, memory_bytes: u64, output_bytes: u64) -> Limits {
    Limits {
        cpu_time: time,
        wall_time: time * 2 + Duration::from_secs(1),
        memory_bytes,
        max_processes: 64,
        stdout_bytes: output_bytes,
        stderr_bytes: 64 * 1024,
        file_size_bytes: output_bytes.max(MIB),
        open_files: 256,
        stack_bytes: memory_bytes,
        work_dir_bytes: memory_bytes.max(16 * MIB),
        collect_bytes: 0,
        cpus: 1,
    }
}

fn truncate(bytes: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(&bytes[..bytes.len().min(max)]).into_owned();
    if bytes.len() > max {
        s + "\n[truncated]"
    } else {
        s
    }
}

fn collected_files(out: &RunOutcome) -> Vec<BoxFile> {
    out.collected
        .iter()
        .map(|c| BoxFile {
            name: c.name.clone(),
            source: Source::Shared(c.contents.clone()),
            executable: c.executable,
        })
        .collect()
}

impl Judge {
    /// A judge with [`Judge::sandbox_config`].
    pub fn new(languages: Languages) -> Result<Judge, JudgeError> {
        let config = Judge::sandbox_config(&languages);
        Judge::with_sandbox_config(languages, config)
    }

    /// The default sandbox configuration plus the toolchain paths the
    /// discovered languages need.
    pub fn sandbox_config(languages: &Languages) -> SandboxConfig {
        let mut config = SandboxConfig::default();
        config.readonly_paths.extend(languages.readonly_paths());
        config
    }

    pub fn with_sandbox_config(
        languages: Languages,
        config: SandboxConfig,
    ) -> Result<Judge, JudgeError> {
        Ok(Judge {
            sandbox: Sandbox::new(config.clone())?,
            config,
            second: Mutex::new(None),
            languages,
            validators: Mutex::new(HashMap::new()),
        })
    }

    pub fn languages(&self) -> &Languages {
        &self.languages
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Judges a source file; the language comes from `language` or else the
    /// file extension. Uses the package's time limit, or the platform default
    /// when the package has none.
    pub fn judge_file(
        &self,
        problem: &Problem,
        source: &Path,
        language: Option<&str>,
    ) -> Result<Report, JudgeError> {
        let code = std::fs::read(source).map_err(|e| JudgeError::Source {
            path: source.to_path_buf(),
            source: e,
        })?;
        let lang = self.language_for_code(source, language, &code)?;
        let tl = problem.time_limit().unwrap_or(DEFAULT_TIME_LIMIT);
        Ok(self.judge(problem, lang, source, &code, tl))
    }

    /// Judges source code given as text, as the services receive it:
    /// `file_name` is the submitted file's name (Java's class name is its
    /// stem); `language` is a language id, or `None` to go by the extension.
    pub fn judge_code(
        &self,
        problem: &Problem,
        language: Option<&str>,
        file_name: &str,
        code: &[u8],
    ) -> Result<Report, JudgeError> {
        let path = Path::new(file_name);
        let lang = self.language_for_code(path, language, code)?;
        let tl = problem.time_limit().unwrap_or(DEFAULT_TIME_LIMIT);
        Ok(self.judge(problem, lang, path, code, tl))
    }

    /// The language `language` names, or else the one of the file at `source` (its
    /// extension, or the interpreter its `#!` line names).
    pub fn language_for(
        &self,
        source: &Path,
        language: Option<&str>,
    ) -> Result<&Language, JudgeError> {
        match language {
            Some(l) => self
                .languages
                .get(l)
                .ok_or_else(|| JudgeError::UnknownLanguage(l.to_string())),
            None => self
                .languages
                .for_file(source)
                .ok_or_else(|| JudgeError::NoLanguage(source.to_path_buf())),
        }
    }

    /// [`Judge::language_for`] for a source held in memory as `code`.
    pub fn language_for_code(
        &self,
        source: &Path,
        language: Option<&str>,
        code: &[u8],
    ) -> Result<&Language, JudgeError> {
        match language {
            Some(_) => self.language_for(source, language),
            None => self
                .languages
                .for_source(source, code)
                .ok_or_else(|| JudgeError::NoLanguage(source.to_path_buf())),
        }
    }

    /// Judges `code` (named like `original`, which matters for Java), stopping at the
    /// first failed test as contests do.
    pub fn judge(
        &self,
        problem: &Problem,
        lang: &Language,
        original: &Path,
        code: &[u8],
        time_limit: Duration,
    ) -> Report {
        self.judge_with(
            problem,
            lang,
            original,
            code,
            time_limit,
            JudgeOptions::default(),
        )
    }

    /// [`Judge::judge`] with options.
    pub fn judge_with(
        &self,
        problem: &Problem,
        lang: &Language,
        original: &Path,
        code: &[u8],
        time_limit: Duration,
        options: JudgeOptions,
    ) -> Report {
        self.judge_submission(problem, lang, original, code, &[], time_limit, options)
    }

    /// [`Judge::judge_with`] for a submission of several files: `code` is its entry
    /// point (named like `original`), `others` the rest (name, contents), placed beside
    /// it for compiling and running. The package's `include/` files for the language
    /// are added too, replacing a submitted file of the same name.
    #[allow(clippy::too_many_arguments)]
    pub fn judge_submission(
        &self,
        problem: &Problem,
        lang: &Language,
        original: &Path,
        code: &[u8],
        others: &[(String, Vec<u8>)],
        time_limit: Duration,
        options: JudgeOptions,
    ) -> Report {
        let language = format!("{} ({})", lang.name, lang.version);
        // Every submitted file counts toward the code limit.
        let size = code.len() as u64 + others.iter().map(|(_, b)| b.len() as u64).sum::<u64>();
        if size > problem.limits.code_bytes {
            let msg = format!(
                "source is {size} bytes; the limit is {}",
                problem.limits.code_bytes
            );
            return Report::failed(
                problem,
                &language,
                Verdict::CompileError,
                msg,
                None,
                time_limit,
            );
        }
        let source_name = lang.source_name(original);
        let (entry, extra) =
            match self.assemble(problem, lang, original, &source_name, code, others) {
                Ok(a) => a,
                Err(e) => {
                    let msg = format!("included files: {e}");
                    return Report::failed(
                        problem,
                        &language,
                        Verdict::InternalError,
                        msg,
                        None,
                        time_limit,
                    );
                }
            };
        let (program, compile) =
            match self.compile(&problem.limits, lang, &source_name, &entry, &extra) {
                Ok(p) => p,
                Err((verdict, msg, compile)) => {
                    return Report::failed(problem, &language, verdict, msg, compile, time_limit);
                }
            };
        let validator = match &problem.validator {
            OutputValidator::Default => None,
            OutputValidator::Custom(path) => match &*self.validator(problem, path) {
                Ok(v) => Some(v.clone()),
                Err(e) => {
                    let msg = format!("output validator: {e}");
                    return Report::failed(
                        problem,
                        &language,
                        Verdict::InternalError,
                        msg,
                        Some(compile),
                        time_limit,
                    );
                }
            },
        };

        let scoring = problem.problem_type == ProblemType::Scoring;
        let mut tests = Vec::new();
        let mut verdict = SubmissionVerdict::new(scoring);
        for (group, case) in problem.test_cases() {
            let result = self.run_test(
                problem,
                &program,
                validator.as_ref(),
                group,
                case,
                time_limit,
            );
            let internal = result.verdict == Verdict::InternalError;
            let judge_on = verdict.record(result.verdict);
            tests.push(result);
            // An internal error stops judging in every mode: the platform is at fault.
            if !judge_on && (!options.all_tests || internal) {
                break;
            }
        }
        let score = scoring.then(|| score::score(problem, &tests));
        Report {
            verdict: verdict.verdict(),
            score,
            problem: problem.short_name.clone(),
            language,
            time_limit_ms: time_limit.as_millis() as u64,
            memory_limit_bytes: problem.limits.memory_bytes,
            max_time_ms: tests.iter().map(|t| t.time_ms).max().unwrap_or(0),
            max_memory_bytes: tests.iter().map(|t| t.memory_bytes).max().unwrap_or(0),
            compile: Some(compile),
            tests,
            message: None,
        }
    }
}
