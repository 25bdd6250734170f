//! What judging says: the report of a submission, with the compile result
//! and one result per test case.

use std::time::Duration;

use serde::Serialize;

use crate::problem::{Problem, ProblemType};
use crate::verdict::Verdict;

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
    pub(super) fn failed(
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
