//! Judging one submission against one problem package: compile in the
//! sandbox, run every test case in the sandbox, check each output (default
//! validator or the package's custom one, also sandboxed), and decide.
//!
//! Verdict rules: the first failing test case decides, in judging order
//! (samples, then secret data, groups in lexicographic order). Pass-fail
//! problems stop there; scoring problems run every test case to compute
//! the score. Per test: time or wall limit → TLE; the cgroup's OOM killer
//! fired → MLE; stdout or file size limit → OLE; any other non-zero exit or
//! signal → RTE; otherwise the validator says AC or WA. A sandbox failure or
//! a broken validator is IE.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sandbox::{
    BoxFile, ExitStatus, LimitKind, Limits, RunOutcome, RunSpec, Sandbox, SandboxConfig, Source,
};
use serde::Serialize;

use crate::language::{Language, Languages};
use crate::problem::ProblemLimits;
use crate::problem::{
    DEFAULT_TIME_LIMIT, FormatVersion, OutputValidator, Problem, ProblemType, TestGroup, TestNode,
};
use crate::validate::{self, ValidatorFlags};
use crate::verdict::Verdict;

const MIB: u64 = 1024 * 1024;
/// Compiler diagnostics kept for the report.
const COMPILE_OUTPUT_BYTES: u64 = 64 * 1024;

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

#[derive(Debug, Clone, Serialize)]
pub struct CompileResult {
    pub success: bool,
    pub time_ms: u64,
    /// Compiler output (truncated).
    pub output: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// `secret/group1/01`.
    pub name: String,
    /// The group the test case belongs to, e.g. `secret/group1`.
    pub group: String,
    pub verdict: Verdict,
    /// CPU time.
    pub time_ms: u64,
    pub wall_ms: u64,
    pub memory_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The outcome of judging one submission.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    /// For scoring problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub problem: String,
    pub language: String,
    pub time_limit_ms: u64,
    pub memory_limit_bytes: u64,
    pub max_time_ms: u64,
    pub max_memory_bytes: u64,
    pub compile: Option<CompileResult>,
    pub tests: Vec<TestResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Report {
    fn failed(
        problem: &Problem,
        language: &str,
        verdict: Verdict,
        message: String,
        compile: Option<CompileResult>,
        tl: Duration,
    ) -> Report {
        Report {
            verdict,
            score: (problem.problem_type == ProblemType::Scoring).then_some(0.0),
            problem: problem.short_name.clone(),
            language: language.to_string(),
            time_limit_ms: tl.as_millis() as u64,
            memory_limit_bytes: problem.limits.memory_bytes,
            max_time_ms: 0,
            max_memory_bytes: 0,
            compile,
            tests: Vec::new(),
            message: Some(message),
        }
    }
}

/// A compiled program ready to run: its work files and command.
#[derive(Debug, Clone)]
struct Program {
    files: Vec<BoxFile>,
    argv: Vec<String>,
    env: Vec<(String, String)>,
}

/// Limits of a custom run (a player's "Run" on their own input).
#[derive(Debug, Clone, Copy)]
pub struct CustomLimits {
    pub time: Duration,
    pub memory_bytes: u64,
    /// Largest stdout (and stderr) kept; more is cut off, not an error.
    pub output_bytes: u64,
}

/// What a custom run did. `verdict` is AC when the program ran and exited 0, CE when it
/// did not compile, TLE/MLE/OLE when it hit a limit, RTE for any other failure, IE when the
/// sandbox failed.
#[derive(Debug, Clone, Serialize)]
pub struct CustomRun {
    pub verdict: Verdict,
    pub compile: Option<CompileResult>,
    #[serde(skip)]
    pub stdout: Vec<u8>,
    #[serde(skip)]
    pub stderr: Vec<u8>,
    pub stdout_truncated: bool,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub time_ms: u64,
    pub memory_bytes: u64,
    pub message: Option<String>,
}

/// Judges submissions; holds one sandbox (runs are sequential per `Judge`;
/// create one per worker).
pub struct Judge {
    sandbox: Sandbox,
    languages: Languages,
    validators: Mutex<HashMap<PathBuf, Arc<Result<Program, String>>>>,
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
            source: Source::Bytes(c.contents.clone()),
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
            sandbox: Sandbox::new(config)?,
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
        let lang = self.language_for(source, language)?;
        let code = std::fs::read(source).map_err(|e| JudgeError::Source {
            path: source.to_path_buf(),
            source: e,
        })?;
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
        let lang = self.language_for(path, language)?;
        let tl = problem.time_limit().unwrap_or(DEFAULT_TIME_LIMIT);
        Ok(self.judge(problem, lang, path, code, tl))
    }

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

    /// Judges `code` (named like `original`, which matters for Java).
    pub fn judge(
        &self,
        problem: &Problem,
        lang: &Language,
        original: &Path,
        code: &[u8],
        time_limit: Duration,
    ) -> Report {
        let language = format!("{} ({})", lang.name, lang.version);
        if code.len() as u64 > problem.limits.code_bytes {
            let msg = format!(
                "source is {} bytes; the limit is {}",
                code.len(),
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
        let (program, compile) = match self.compile(&problem.limits, lang, &source_name, code) {
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
        let mut verdict = Verdict::Accepted;
        for (group, case) in problem.test_cases() {
            let result = self.run_test(
                problem,
                &program,
                validator.as_ref(),
                group,
                case,
                time_limit,
            );
            let failed = result.verdict != Verdict::Accepted;
            if failed && verdict == Verdict::Accepted {
                verdict = result.verdict;
            }
            tests.push(result);
            // An internal error stops judging even for scoring problems.
            if failed && (!scoring || verdict == Verdict::InternalError) {
                break;
            }
        }
        let score = scoring.then(|| score(problem, &tests));
        Report {
            verdict,
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

    /// Compiles `code` and runs it once on `stdin`, keeping its output: no tests, no
    /// validator. Output beyond `limits.output_bytes` is cut off rather than judged.
    pub fn run_custom(
        &self,
        lang: &Language,
        original: &Path,
        code: &[u8],
        stdin: &[u8],
        limits: CustomLimits,
    ) -> CustomRun {
        let mut run = CustomRun {
            verdict: Verdict::InternalError,
            compile: None,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdout_truncated: false,
            exit_code: None,
            signal: None,
            time_ms: 0,
            memory_bytes: 0,
            message: None,
        };
        let compile_limits = ProblemLimits {
            time_limit: Some(limits.time),
            memory_bytes: limits.memory_bytes,
            output_bytes: limits.output_bytes,
            code_bytes: code.len() as u64,
            compilation_time: Duration::from_secs(60),
            compilation_memory_bytes: 2048 * MIB,
            validation_time: Duration::from_secs(60),
            validation_memory_bytes: 2048 * MIB,
            ac_to_time_limit: 2.0,
            time_resolution: 1.0,
        };
        let source_name = lang.source_name(original);
        let program = match self.compile(&compile_limits, lang, &source_name, code) {
            Ok((program, compile)) => {
                run.compile = Some(compile);
                program
            }
            Err((verdict, message, compile)) => {
                run.verdict = verdict;
                run.message = Some(message);
                run.compile = compile;
                return run;
            }
        };
        let spec = RunSpec {
            argv: program.argv,
            env: program.env,
            stdin: Some(Source::Bytes(stdin.to_vec())),
            files: program.files,
            collect: Vec::new(),
            merge_stderr: false,
            limits: Limits {
                // One byte more than is kept, to tell "exactly the limit" from "cut off".
                stdout_bytes: limits.output_bytes + 1,
                stderr_bytes: limits.output_bytes,
                ..program_limits(limits.time, limits.memory_bytes, limits.output_bytes)
            },
        };
        let out = match self.sandbox.run(&spec) {
            Ok(out) => out,
            Err(e) => {
                run.message = Some(format!("sandbox: {e}"));
                return run;
            }
        };
        run.time_ms = out.cpu_time.as_millis() as u64;
        run.memory_bytes = out.peak_memory_bytes;
        run.stdout_truncated = out.stdout.len() as u64 > limits.output_bytes;
        run.stdout = out.stdout;
        run.stdout.truncate(limits.output_bytes as usize);
        run.stderr = out.stderr;
        match out.status {
            ExitStatus::Exited(code) => run.exit_code = Some(code),
            ExitStatus::Signaled(signal) => run.signal = Some(signal),
        }
        run.verdict = match out.limit {
            Some(LimitKind::CpuTime | LimitKind::WallTime) => Verdict::TimeLimitExceeded,
            Some(LimitKind::Memory) => Verdict::MemoryLimitExceeded,
            // A run's output is only shown, so too much of it is cut, not a failure.
            Some(LimitKind::Output) if run.stdout_truncated => Verdict::Accepted,
            Some(LimitKind::Output | LimitKind::FileSize) => Verdict::OutputLimitExceeded,
            None if out.status.success() => Verdict::Accepted,
            None => Verdict::RunTimeError,
        };
        run
    }

    #[allow(clippy::type_complexity)]
    fn compile(
        &self,
        limits: &ProblemLimits,
        lang: &Language,
        source_name: &str,
        code: &[u8],
    ) -> Result<(Program, CompileResult), (Verdict, String, Option<CompileResult>)> {
        let (cmd, collect) = lang.compile(source_name);
        let source = BoxFile {
            name: source_name.to_string(),
            source: Source::Bytes(code.to_vec()),
            executable: false,
        };
        let spec = RunSpec {
            argv: cmd.argv,
            env: cmd.env,
            stdin: None,
            files: vec![source.clone()],
            collect: collect.clone(),
            // One stream, so a flood of diagnostics hits the output limit.
            merge_stderr: true,
            limits: Limits {
                cpu_time: limits.compilation_time,
                wall_time: limits.compilation_time * 2 + Duration::from_secs(5),
                memory_bytes: limits.compilation_memory_bytes.min(4096 * MIB),
                max_processes: 256,
                stdout_bytes: COMPILE_OUTPUT_BYTES,
                stderr_bytes: COMPILE_OUTPUT_BYTES,
                file_size_bytes: 512 * MIB,
                open_files: 1024,
                stack_bytes: 64 * MIB,
                work_dir_bytes: 1024 * MIB,
                // A program larger than the memory it may use could never run: refuse
                // it here rather than hold it in the host's memory for every test.
                collect_bytes: limits.memory_bytes.min(512 * MIB),
                cpus: 1,
            },
        };
        let out = self.sandbox.run(&spec).map_err(|e| {
            (
                Verdict::InternalError,
                format!("compilation could not run: {e}"),
                None,
            )
        })?;
        let mut text = out.stdout.clone();
        text.extend_from_slice(&out.stderr);
        let mut result = CompileResult {
            success: false,
            time_ms: out.cpu_time.as_millis() as u64,
            output: truncate(&text, COMPILE_OUTPUT_BYTES as usize),
        };
        let why = match out.limit {
            Some(LimitKind::CpuTime | LimitKind::WallTime) => {
                Some("compilation time limit exceeded".to_string())
            }
            Some(LimitKind::Memory) => Some("compilation memory limit exceeded".to_string()),
            Some(LimitKind::Output | LimitKind::FileSize) => {
                Some("compiler output limit exceeded".to_string())
            }
            None if !out.status.success() => Some(format!("compilation failed ({:?})", out.status)),
            None => None,
        };
        if let Some(why) = why {
            return Err((Verdict::CompileError, why, Some(result)));
        }
        let mut files = collected_files(&out);
        if collect.iter().any(|c| !c.starts_with('*')) && files.is_empty() {
            return Err((
                Verdict::CompileError,
                "the compiler produced no program".into(),
                Some(result),
            ));
        }
        if collect.is_empty() || lang.id == "java" {
            files.push(source);
        }
        if files.len() > sandbox::MAX_WORK_FILES {
            let why = format!(
                "the compiled program has {} files; at most {} are supported",
                files.len(),
                sandbox::MAX_WORK_FILES
            );
            return Err((Verdict::CompileError, why, Some(result)));
        }
        result.success = true;
        let mem_mib = limits.memory_bytes / MIB;
        let run = lang.run(source_name, mem_mib);
        Ok((
            Program {
                files,
                argv: run.argv,
                env: run.env,
            },
            result,
        ))
    }

    /// Compiles (once per judge) the package's custom output validator.
    fn validator(&self, problem: &Problem, path: &Path) -> Arc<Result<Program, String>> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.get(path) {
            return v.clone();
        }
        let v = Arc::new(self.build_validator(problem, path));
        cache.insert(path.to_path_buf(), v.clone());
        v
    }

    fn build_validator(&self, problem: &Problem, path: &Path) -> Result<Program, String> {
        let sources: Vec<PathBuf> = if path.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            v.sort();
            v
        } else {
            vec![path.to_path_buf()]
        };
        let ext = |p: &Path| {
            p.extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_string()
        };
        let files: Vec<BoxFile> = sources
            .iter()
            .filter_map(|p| {
                let name = p.file_name()?.to_str()?.to_string();
                Some(BoxFile {
                    name,
                    source: Source::File(p.clone()),
                    executable: false,
                })
            })
            .collect();
        let cpp: Vec<String> = sources
            .iter()
            .filter(|p| ["cpp", "cc", "cxx", "c"].contains(&ext(p).as_str()))
            .filter_map(|p| p.file_name()?.to_str().map(String::from))
            .collect();
        let py: Vec<String> = sources
            .iter()
            .filter(|p| ext(p) == "py")
            .filter_map(|p| p.file_name()?.to_str().map(String::from))
            .collect();
        if !cpp.is_empty() {
            let gpp = self
                .languages
                .get("cpp")
                .ok_or("a C++ compiler is needed for the output validator")?;
            let (mut cmd, _) = gpp.compile("x");
            // Same compiler, validator flags: C++17, optimised, all sources.
            cmd.argv.truncate(1);
            cmd.argv
                .extend(["-std=gnu++17", "-O2", "-pipe", "-o", "validator"].map(String::from));
            cmd.argv.extend(cpp);
            let spec = RunSpec {
                argv: cmd.argv,
                env: cmd.env,
                stdin: None,
                files: files.clone(),
                collect: vec!["validator".into()],
                merge_stderr: true,
                limits: Limits {
                    cpu_time: problem.limits.compilation_time,
                    wall_time: problem.limits.compilation_time * 2,
                    memory_bytes: problem.limits.compilation_memory_bytes.min(4096 * MIB),
                    max_processes: 256,
                    stdout_bytes: COMPILE_OUTPUT_BYTES,
                    work_dir_bytes: 512 * MIB,
                    ..Limits::default()
                },
            };
            let out = self.sandbox.run(&spec).map_err(|e| e.to_string())?;
            if !out.status.success() || out.limit.is_some() || out.collected.is_empty() {
                return Err(format!(
                    "compilation failed: {}",
                    truncate(&out.stderr, 4096)
                ));
            }
            return Ok(Program {
                files: collected_files(&out),
                argv: vec!["/box/validator".into()],
                env: gpp.run("x", 0).env,
            });
        }
        if !py.is_empty() {
            let python = self
                .languages
                .get("python")
                .ok_or("Python is needed for the output validator")?;
            let main = if py.iter().any(|p| p == "__main__.py") {
                "__main__.py".to_string()
            } else {
                py[0].clone()
            };
            let cmd = python.run(&main, 0);
            return Ok(Program {
                files,
                argv: cmd.argv,
                env: cmd.env,
            });
        }
        Err(format!(
            "{}: no C, C++ or Python output validator found",
            path.display()
        ))
    }

    fn run_test(
        &self,
        problem: &Problem,
        program: &Program,
        validator: Option<&Program>,
        group: &TestGroup,
        case: &crate::problem::TestCase,
        tl: Duration,
    ) -> TestResult {
        let spec = RunSpec {
            argv: program.argv.clone(),
            env: program.env.clone(),
            stdin: Some(Source::File(case.input.clone())),
            files: program.files.clone(),
            collect: Vec::new(),
            merge_stderr: false,
            limits: program_limits(tl, problem.limits.memory_bytes, problem.limits.output_bytes),
        };
        let mut r = TestResult {
            name: case.name.clone(),
            group: group.name.clone(),
            verdict: Verdict::InternalError,
            time_ms: 0,
            wall_ms: 0,
            memory_bytes: 0,
            score: None,
            message: None,
        };
        let out = match self.sandbox.run(&spec) {
            Ok(o) => o,
            Err(e) => {
                r.message = Some(format!("sandbox: {e}"));
                return r;
            }
        };
        r.time_ms = out.cpu_time.as_millis() as u64;
        r.wall_ms = out.wall_time.as_millis() as u64;
        r.memory_bytes = out.peak_memory_bytes;
        let (verdict, message) = match out.limit {
            Some(LimitKind::CpuTime | LimitKind::WallTime) => (Verdict::TimeLimitExceeded, None),
            Some(LimitKind::Memory) => (Verdict::MemoryLimitExceeded, None),
            Some(LimitKind::Output | LimitKind::FileSize) => (Verdict::OutputLimitExceeded, None),
            None if !out.status.success() => {
                let how = match out.status {
                    ExitStatus::Exited(c) => format!("exit code {c}"),
                    ExitStatus::Signaled(s) => format!("signal {s}"),
                };
                (
                    Verdict::RunTimeError,
                    Some(format!("{how}: {}", truncate(&out.stderr, 2048))),
                )
            }
            None => match validator {
                None => self.default_validate(group, case, &out.stdout),
                Some(v) => {
                    let (verdict, message, score) =
                        self.custom_validate(problem, v, group, case, out.stdout);
                    r.score = score;
                    (verdict, message)
                }
            },
        };
        r.verdict = verdict;
        r.message = message;
        r
    }

    fn default_validate(
        &self,
        group: &TestGroup,
        case: &crate::problem::TestCase,
        output: &[u8],
    ) -> (Verdict, Option<String>) {
        let flags = match ValidatorFlags::parse(&group.settings.output_validator_args) {
            Ok(f) => f,
            Err(e) => {
                return (
                    Verdict::InternalError,
                    Some(format!("validator flags: {e}")),
                );
            }
        };
        let answer = match std::fs::read(&case.answer) {
            Ok(a) => a,
            Err(e) => {
                return (
                    Verdict::InternalError,
                    Some(format!("{}: {e}", case.answer.display())),
                );
            }
        };
        match validate::validate(&answer, output, &flags) {
            Ok(()) => (Verdict::Accepted, None),
            Err(m) => (Verdict::WrongAnswer, Some(m)),
        }
    }

    /// Runs a custom output validator: `validator input answer feedback_dir
    /// [args] < output`; exit 42 accepts, 43 rejects, anything else is a
    /// judge error.
    fn custom_validate(
        &self,
        problem: &Problem,
        v: &Program,
        group: &TestGroup,
        case: &crate::problem::TestCase,
        output: Vec<u8>,
    ) -> (Verdict, Option<String>, Option<f64>) {
        let mut argv = v.argv.clone();
        argv.extend([
            "/box/testcase.in".into(),
            "/box/testcase.ans".into(),
            "/box/".into(),
        ]);
        argv.extend(group.settings.output_validator_args.iter().cloned());
        let mut files = v.files.clone();
        files.push(BoxFile {
            name: "testcase.in".into(),
            source: Source::File(case.input.clone()),
            executable: false,
        });
        files.push(BoxFile {
            name: "testcase.ans".into(),
            source: Source::File(case.answer.clone()),
            executable: false,
        });
        let spec = RunSpec {
            argv,
            env: v.env.clone(),
            stdin: Some(Source::Bytes(output)),
            files,
            collect: vec![
                "judgemessage.txt".into(),
                "teammessage.txt".into(),
                "score.txt".into(),
            ],
            merge_stderr: false,
            limits: Limits {
                cpu_time: problem.limits.validation_time,
                wall_time: problem.limits.validation_time * 2,
                memory_bytes: problem.limits.validation_memory_bytes.min(4096 * MIB),
                max_processes: 64,
                stdout_bytes: 8 * MIB,
                work_dir_bytes: 1024 * MIB,
                collect_bytes: MIB,
                ..Limits::default()
            },
        };
        let out = match self.sandbox.run(&spec) {
            Ok(o) => o,
            Err(e) => {
                return (
                    Verdict::InternalError,
                    Some(format!("output validator: {e}")),
                    None,
                );
            }
        };
        let file = |n: &str| {
            out.collected
                .iter()
                .find(|c| c.name == n)
                .map(|c| truncate(&c.contents, 4096))
        };
        let message = file("judgemessage.txt").filter(|m| !m.trim().is_empty());
        let score = file("score.txt").and_then(|s| s.trim().parse::<f64>().ok());
        match (out.limit, out.status) {
            (None, ExitStatus::Exited(42)) => (Verdict::Accepted, message, score),
            (None, ExitStatus::Exited(43)) => (Verdict::WrongAnswer, message, None),
            (limit, status) => (
                Verdict::InternalError,
                Some(format!(
                    "output validator failed ({status:?}, limit {limit:?}): {}",
                    truncate(&out.stderr, 2048)
                )),
                None,
            ),
        }
    }
}

/// The score of a scoring problem from its test results (see docs/judge.md):
/// legacy packages sum (or take the minimum of, with `grader_flags: min`)
/// `accept_score` per accepted case; newer ones give `secret` a `max_score`
/// (default 100) split over its children, where a subgroup earns its share
/// only when all its cases pass.
fn score(problem: &Problem, tests: &[TestResult]) -> f64 {
    let by_name: HashMap<&str, &TestResult> = tests.iter().map(|t| (t.name.as_str(), t)).collect();
    if problem.format == FormatVersion::Legacy {
        legacy_score(&problem.secret, &by_name)
    } else {
        let max = problem.secret.settings.max_score.unwrap_or(100.0);
        fraction(&problem.secret, &by_name, true) * max
    }
}

fn passed(r: Option<&&TestResult>) -> bool {
    r.is_some_and(|r| r.verdict == Verdict::Accepted)
}

fn legacy_score(g: &TestGroup, by_name: &HashMap<&str, &TestResult>) -> f64 {
    let scores: Vec<f64> = g
        .children
        .iter()
        .map(|c| match c {
            TestNode::Case(t) => {
                let r = by_name.get(t.name.as_str());
                if passed(r) {
                    r.and_then(|r| r.score)
                        .unwrap_or(g.settings.accept_score.unwrap_or(1.0))
                } else {
                    0.0
                }
            }
            TestNode::Group(sub) => legacy_score(sub, by_name),
        })
        .collect();
    match g.settings.score_aggregation.as_deref() {
        // An empty group scores 0, not infinity.
        Some("min") => scores.into_iter().reduce(f64::min).unwrap_or(0.0),
        _ => scores.into_iter().sum(),
    }
}

/// Fraction (0..=1) of a group's maximum score earned.
fn fraction(g: &TestGroup, by_name: &HashMap<&str, &TestResult>, is_secret: bool) -> f64 {
    let default_agg = if is_secret { "sum" } else { "pass-fail" };
    let agg = g
        .settings
        .score_aggregation
        .as_deref()
        .unwrap_or(default_agg);
    let parts: Vec<(f64, f64)> = g
        .children
        .iter()
        .map(|c| match c {
            TestNode::Case(t) => (
                1.0,
                if passed(by_name.get(t.name.as_str())) {
                    1.0
                } else {
                    0.0
                },
            ),
            TestNode::Group(sub) => (
                sub.settings.max_score.unwrap_or(1.0),
                fraction(sub, by_name, false),
            ),
        })
        .collect();
    if parts.is_empty() {
        return 0.0;
    }
    match agg {
        "pass-fail" => {
            if parts.iter().all(|(_, f)| *f >= 1.0) {
                1.0
            } else {
                0.0
            }
        }
        "min" => parts.iter().map(|(_, f)| *f).fold(1.0, f64::min),
        _ => {
            let total: f64 = parts.iter().map(|(w, _)| w).sum();
            if total <= 0.0 {
                0.0
            } else {
                parts.iter().map(|(w, f)| w * f).sum::<f64>() / total
            }
        }
    }
}
