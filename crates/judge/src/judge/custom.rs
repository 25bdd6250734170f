//! A player's "Run": compile their code and run it once on their own input,
//! keeping its output, with no tests and no validator.

use std::path::Path;
use std::time::Duration;

use sandbox::{ExitStatus, Limits, RunSpec, Source};
use serde::Serialize;

use super::{CompileResult, Judge, MIB, program_limits};
use crate::language::Language;
use crate::problem::ProblemLimits;
use crate::verdict::{self, Verdict};

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
impl Judge {
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
        let program = match self.compile(&compile_limits, lang, &source_name, code, &[]) {
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
        run.verdict = verdict::of_custom_run(out.limit, out.status, run.stdout_truncated);
        run
    }
}
