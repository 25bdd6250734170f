//! Judge jobs and their results: what the execution service queues, what its workers
//! publish, and what the battle service reads.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::verdict::Verdict;

/// One piece of work for a sandbox worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgeJob {
    pub id: Uuid,
    /// The user who submitted it; only they may read its result over the API.
    pub owner: Uuid,
    /// Language id as listed by `GET /api/execution/languages` (`cpp`, `python3`, ...).
    pub language: String,
    pub source: String,
    pub task: Task,
    /// Unix milliseconds when the job was accepted, for queue-wait measurement.
    pub submitted_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Task {
    /// A player's "Run": compile and run once on their own input.
    Run { stdin: String },
    /// Judge against a problem package, named by its content hash; the package itself is
    /// in Redis under that hash (see [`crate::names::EXECUTION_PACKAGES`]).
    Judge {
        problem_hash: String,
        /// Run every test even after one fails (battles score by tests passed); by
        /// default judging stops at the first failure, as contests do.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        all_tests: bool,
    },
}

impl Task {
    pub fn kind(&self) -> &'static str {
        match self {
            Task::Run { .. } => "run",
            Task::Judge { .. } => "judge",
        }
    }
}

/// The outcome of a job, published once per job on the results exchange and kept in
/// Redis for `GET /api/execution/jobs/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobResult {
    pub job_id: Uuid,
    pub owner: Uuid,
    /// `run` or `judge`.
    pub kind: String,
    pub verdict: Verdict,
    /// Compiler output when compilation failed or warned (capped).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub compile_output: String,
    /// For a run: the program's output. Empty for judge jobs (tests are secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub run: Option<RunOutput>,
    /// For a judge job: one entry per test, in order, up to the first failure (every
    /// test for a task with `all_tests`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<TestOutcome>,
    /// Tests passed and tests in the package (judge jobs).
    #[serde(default)]
    pub passed: u32,
    #[serde(default)]
    pub total: u32,
    /// Score for `type: scoring` packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub score: Option<f64>,
    /// Largest CPU time of any test or of the run, in milliseconds.
    pub time_ms: u64,
    /// Largest peak memory of any test or of the run, in bytes.
    pub memory_bytes: u64,
    /// Why the platform failed, for IE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<String>,
    /// Unix milliseconds when a worker started on the job (0 if none did).
    #[serde(default)]
    pub started_at_ms: i64,
    pub finished_at_ms: i64,
}

impl JobResult {
    /// A result for `job` with `verdict` and nothing else filled in yet.
    pub fn for_job(job: &JudgeJob, verdict: Verdict) -> Self {
        Self {
            job_id: job.id,
            owner: job.owner,
            kind: job.task.kind().to_owned(),
            verdict,
            compile_output: String::new(),
            run: None,
            tests: Vec::new(),
            passed: 0,
            total: 0,
            score: None,
            time_ms: 0,
            memory_bytes: 0,
            error: None,
            started_at_ms: 0,
            finished_at_ms: 0,
        }
    }
}

/// What a custom run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    #[serde(default)]
    pub stdout_truncated: bool,
}

/// How a submission did on one test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TestOutcome {
    /// `sample/1`, `secret/group1/07`, ...
    pub name: String,
    pub verdict: Verdict,
    pub time_ms: u64,
    pub memory_bytes: u64,
}
