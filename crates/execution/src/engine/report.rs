//! Running one job on one judge and turning what the judge says (its report of a
//! judging, or a custom run) into the job's [`JobResult`].

use contracts::execution::{JobResult, JudgeJob, RunOutput, Task, TestOutcome, Verdict};
use judge::{CustomLimits, Judge, Problem};

use crate::store::now_ms;

/// Runs `job` on `judge` (blocking) and returns its result.
pub(super) fn run_blocking(
    judge: &Judge,
    language: &judge::Language,
    job: &JudgeJob,
    problem: Option<&Problem>,
    limits: CustomLimits,
) -> JobResult {
    let original = &language.unnamed_source();
    let base = JobResult {
        started_at_ms: now_ms(),
        ..JobResult::for_job(job, Verdict::InternalError)
    };
    let mut result = match (&job.task, problem) {
        (Task::Judge { all_tests, .. }, Some(problem)) => {
            let time_limit = problem.time_limit().unwrap_or(judge::DEFAULT_TIME_LIMIT);
            let report = judge.judge_with(
                problem,
                language,
                original,
                job.source.as_bytes(),
                time_limit,
                judge::JudgeOptions {
                    all_tests: *all_tests,
                },
            );
            let total = problem.test_cases().len() as u32;
            JobResult {
                verdict: report.verdict,
                compile_output: report
                    .compile
                    .as_ref()
                    .filter(|c| !c.success)
                    .map(|c| c.output.clone())
                    .unwrap_or_default(),
                passed: report
                    .tests
                    .iter()
                    .filter(|t| t.verdict == Verdict::Accepted)
                    .count() as u32,
                total,
                score: report.score,
                time_ms: report.max_time_ms,
                memory_bytes: report.max_memory_bytes,
                error: (report.verdict == Verdict::InternalError)
                    .then(|| report.message.clone())
                    .flatten(),
                tests: report
                    .tests
                    .iter()
                    .map(|t| TestOutcome {
                        name: t.name.clone(),
                        verdict: t.verdict,
                        time_ms: t.time_ms,
                        memory_bytes: t.memory_bytes,
                    })
                    .collect(),
                ..base
            }
        }
        (Task::Run { stdin }, _) => {
            let run = judge.run_custom(
                language,
                original,
                job.source.as_bytes(),
                stdin.as_bytes(),
                limits,
            );
            JobResult {
                verdict: run.verdict,
                compile_output: run
                    .compile
                    .as_ref()
                    .filter(|c| !c.success)
                    .map(|c| c.output.clone())
                    .unwrap_or_default(),
                run: run
                    .compile
                    .as_ref()
                    .is_none_or(|c| c.success)
                    .then(|| RunOutput {
                        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
                        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
                        exit_code: run.exit_code,
                        signal: run.signal,
                        stdout_truncated: run.stdout_truncated,
                    }),
                time_ms: run.time_ms,
                memory_bytes: run.memory_bytes,
                error: (run.verdict == Verdict::InternalError)
                    .then(|| run.message.clone())
                    .flatten(),
                ..base
            }
        }
        (Task::Judge { .. }, None) => JobResult {
            error: Some("no problem package".into()),
            ..base
        },
    };
    result.finished_at_ms = now_ms();
    result
}
