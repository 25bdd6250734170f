//! Interactive and multi-pass test cases.
//!
//! Interactive: the package's output validator is the interactor. It runs in
//! the judge's second sandbox (its own zygote, created on first use) at the
//! same time as the submission runs in the first, as `validator input answer
//! feedback_dir [args] < submission's stdout > submission's stdin`: two pipes
//! made here, each end moved into the run that uses it, so either side sees
//! end-of-file as soon as the other is gone. Both are bounded by their wall
//! limits, so two programs waiting on each other end too. The verdict rules
//! are [`crate::verdict::of_interaction`].
//!
//! Multi-pass: the submission runs again as long as the validator accepts
//! and leaves a `nextpass.in` in its feedback directory (at most
//! `limits.validation_passes` passes). That file is the next pass's input,
//! both the submission's stdin (when not interactive) and the validator's
//! `input_file`; the other feedback files are put back for the next pass.
//! Time and memory limits apply to each pass; the test reports the largest.

use std::sync::MutexGuard;
use std::time::Duration;

use sandbox::{CollectedFile, ExitStatus, Pipes, RunOutcome, RunSpec, Sandbox, Source};

use super::test_case::crash_message;
use super::validator::{Judgement, judgement};
use super::{Judge, Program, TestResult, program_limits};
use crate::problem::{Problem, TestCase, TestGroup};
use crate::verdict::{self, InteractorEnd, Verdict};

/// One pass of a test: the submission's run and the validator's judgement.
struct Pass {
    verdict: Verdict,
    message: Option<String>,
    judgement: Option<Judgement>,
    submission: Option<RunOutcome>,
}

impl Judge {
    /// The sandbox the interactor runs in, beside the submission's: created
    /// on first use with the same configuration, kept for the judge's life.
    fn second_sandbox(&self) -> Result<MutexGuard<'_, Option<Sandbox>>, String> {
        let mut guard = self.second.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let sandbox = Sandbox::new(self.config.clone())
                .map_err(|e| format!("interactor sandbox: {e}"))?;
            *guard = Some(sandbox);
        }
        Ok(guard)
    }

    /// Runs one test case of an interactive and/or multi-pass problem.
    pub(super) fn run_passes(
        &self,
        problem: &Problem,
        program: &Program,
        validator: &Program,
        group: &TestGroup,
        case: &TestCase,
        tl: Duration,
    ) -> TestResult {
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
        let passes = problem.multi_pass.unwrap_or(1);
        let mut input = Source::File(case.input.clone());
        let mut feedback: Vec<CollectedFile> = Vec::new();
        for n in 1..=passes {
            let pass = if problem.interactive {
                self.interactive_pass(
                    problem, program, validator, group, case, input, &feedback, tl,
                )
            } else {
                self.batch_pass(
                    problem, program, validator, group, case, input, &feedback, tl,
                )
            };
            if let Some(out) = &pass.submission {
                r.time_ms = r.time_ms.max(out.cpu_time.as_millis() as u64);
                r.wall_ms = r.wall_ms.max(out.wall_time.as_millis() as u64);
                r.memory_bytes = r.memory_bytes.max(out.peak_memory_bytes);
            }
            // The validator's own message covers every pass (it appends to
            // judgemessage.txt); the judge's messages say which pass.
            let label = |m: String| {
                if passes > 1 && pass.verdict != Verdict::WrongAnswer {
                    format!("pass {n}: {m}")
                } else {
                    m
                }
            };
            r.verdict = pass.verdict;
            r.message = pass.message.map(label);
            let Some(j) = pass.judgement else {
                return r;
            };
            r.score = j.score;
            if pass.verdict != Verdict::Accepted {
                return r;
            }
            match j.next_pass {
                None => return r,
                Some(_) if n == passes => {
                    r.verdict = Verdict::InternalError;
                    r.message = Some(format!(
                        "the output validator asked for more than validation_passes = {passes} passes"
                    ));
                    return r;
                }
                Some(next) => {
                    input = Source::Shared(next);
                    feedback = j.feedback;
                }
            }
        }
        r
    }

    /// A multi-pass pass without interaction: the submission on the pass's
    /// input, then the validator on its output.
    #[allow(clippy::too_many_arguments)]
    fn batch_pass(
        &self,
        problem: &Problem,
        program: &Program,
        validator: &Program,
        group: &TestGroup,
        case: &TestCase,
        input: Source,
        feedback: &[CollectedFile],
        tl: Duration,
    ) -> Pass {
        let spec = RunSpec {
            argv: program.argv.clone(),
            env: program.env.clone(),
            stdin: Some(input.clone()),
            files: program.files.clone(),
            collect: Vec::new(),
            merge_stderr: false,
            limits: program_limits(tl, problem.limits.memory_bytes, problem.limits.output_bytes),
        };
        let out = match self.sandbox.run(&spec) {
            Ok(o) => o,
            Err(e) => return failed(format!("sandbox: {e}")),
        };
        if let Some(v) = verdict::of_test_run(out.limit, out.status) {
            let message = (v == Verdict::RunTimeError).then(|| crash_message(&out));
            return Pass {
                verdict: v,
                message,
                judgement: None,
                submission: Some(out),
            };
        }
        let output = out.stdout.clone();
        let j = self.custom_validate(problem, validator, group, case, input, feedback, output);
        Pass {
            verdict: j.verdict,
            message: j.message.clone(),
            judgement: Some(j),
            submission: Some(out),
        }
    }

    /// One interactive pass: submission and interactor at once, connected.
    #[allow(clippy::too_many_arguments)]
    fn interactive_pass(
        &self,
        problem: &Problem,
        program: &Program,
        validator: &Program,
        group: &TestGroup,
        case: &TestCase,
        input: Source,
        feedback: &[CollectedFile],
        tl: Duration,
    ) -> Pass {
        let submission = RunSpec {
            argv: program.argv.clone(),
            env: program.env.clone(),
            stdin: None,
            files: program.files.clone(),
            collect: Vec::new(),
            merge_stderr: false,
            limits: program_limits(tl, problem.limits.memory_bytes, problem.limits.output_bytes),
        };
        let mut interactor = self.validator_spec(problem, validator, group, case, input, feedback);
        // The interactor outlives a submission that stalls until its wall
        // limit, so that it sees the pipe close and decides.
        interactor.limits.wall_time = interactor
            .limits
            .wall_time
            .max(submission.limits.wall_time + Duration::from_secs(5));
        let second = match self.second_sandbox() {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let Some(second) = second.as_ref() else {
            return failed("no interactor sandbox".into());
        };
        let pipes = sandbox::pipe().and_then(|a| sandbox::pipe().map(|b| (a, b)));
        let ((to_interactor_r, to_interactor_w), (to_submission_r, to_submission_w)) = match pipes {
            Ok(p) => p,
            Err(e) => return failed(format!("sandbox: {e}")),
        };
        let (sub, val) = std::thread::scope(|s| {
            let val = s.spawn(|| {
                second.run_with_pipes(
                    &interactor,
                    Pipes {
                        stdin: Some(to_interactor_r),
                        stdout: Some(to_submission_w),
                    },
                )
            });
            let sub = self.sandbox.run_with_pipes(
                &submission,
                Pipes {
                    stdin: Some(to_submission_r),
                    stdout: Some(to_interactor_w),
                },
            );
            (sub, val.join())
        });
        let sub = match sub {
            Ok(o) => o,
            Err(e) => return failed(format!("sandbox: {e}")),
        };
        let val = match val {
            Ok(Ok(o)) => o,
            Ok(Err(e)) => return failed(format!("interactor sandbox: {e}")),
            Err(_) => return failed("the interactor's thread panicked".into()),
        };
        // Which program ended first decides some verdicts: both ends are read off the
        // machine's monotonic clock when each run's init reaped its program. (A peer
        // sees end-of-file only after that, so a cause always comes first.)
        let interactor_first = val.ended < sub.ended;
        let j = judgement(problem, validator, &val);
        let end = match (val.limit, val.status, j.verdict) {
            (None, ExitStatus::Signaled(SIGPIPE), _) => InteractorEnd::Hangup,
            (_, _, Verdict::Accepted) => InteractorEnd::Accepted,
            (_, _, Verdict::WrongAnswer) => InteractorEnd::Rejected,
            _ => InteractorEnd::Failed,
        };
        let v = verdict::of_interaction(sub.limit, sub.status, end, interactor_first);
        let message = match (v, end) {
            (Verdict::RunTimeError, _) => Some(crash_message(&sub)),
            (Verdict::WrongAnswer, InteractorEnd::Hangup) => {
                Some("the submission stopped reading before the interactor was done".into())
            }
            (Verdict::InternalError, _) => j.message.clone().map(|m| format!("interactor: {m}")),
            _ => j.message.clone(),
        };
        Pass {
            verdict: v,
            message,
            judgement: Some(j),
            submission: Some(sub),
        }
    }
}

const SIGPIPE: i32 = libc::SIGPIPE;

fn failed(message: String) -> Pass {
    Pass {
        verdict: Verdict::InternalError,
        message: Some(message),
        judgement: None,
        submission: None,
    }
}
