//! Running one test case: the program on the case's input under the
//! problem's limits, then its output checked by the default validator or
//! the package's custom one.

use std::time::Duration;

use sandbox::{ExitStatus, RunOutcome, RunSpec, Source};

use super::{Judge, Program, TestResult, program_limits, truncate};
use crate::problem::{Problem, TestGroup};
use crate::validate::{self, ValidatorFlags};
use crate::verdict::{self, Verdict};

impl Judge {
    pub(super) fn run_test(
        &self,
        problem: &Problem,
        program: &Program,
        validator: Option<&Program>,
        group: &TestGroup,
        case: &crate::problem::TestCase,
        tl: Duration,
    ) -> TestResult {
        if let Some(v) = validator
            && (problem.interactive || problem.multi_pass.is_some())
        {
            return self.run_passes(problem, program, v, group, case, tl);
        }
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
        let (verdict, message) = match verdict::of_test_run(out.limit, out.status) {
            Some(Verdict::RunTimeError) => (Verdict::RunTimeError, Some(crash_message(&out))),
            Some(verdict) => (verdict, None),
            None => match validator {
                None => self.default_validate(group, case, &out.stdout),
                Some(v) => {
                    let j = self.custom_validate(
                        problem,
                        v,
                        group,
                        case,
                        Source::File(case.input.clone()),
                        &[],
                        out.stdout,
                    );
                    r.score = j.score;
                    (j.verdict, j.message)
                }
            },
        };
        r.verdict = verdict;
        r.message = message;
        r
    }

    pub(super) fn default_validate(
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
}

/// How a submission crashed: its exit code or signal, and the start of its stderr.
pub(super) fn crash_message(out: &RunOutcome) -> String {
    let how = match out.status {
        ExitStatus::Exited(c) => format!("exit code {c}"),
        ExitStatus::Signaled(s) => format!("signal {s}"),
    };
    format!("{how}: {}", truncate(&out.stderr, 2048))
}
