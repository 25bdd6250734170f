//! A package's custom output validator: built once per judge
//! ([`super::package_program`]), then run on each test's output under the Kattis
//! protocol, or as the interactor of an interactive problem (see
//! [`super::interactive`]); what its exit code and feedback files say is its
//! [`Judgement`].

use std::path::Path;
use std::sync::Arc;

use sandbox::{BoxFile, CollectedFile, ExitStatus, Limits, RunOutcome, RunSpec, Source};

use super::package_program::PackageProgramError;
use super::{Judge, MIB, Program, truncate};
use crate::problem::{Problem, TestCase, TestGroup};
use crate::verdict::Verdict;

impl Judge {
    /// Builds (once per judge) one of the package's validators (output or input).
    pub(super) fn validator(
        &self,
        problem: &Problem,
        path: &Path,
    ) -> Arc<Result<Program, PackageProgramError>> {
        let mut cache = self.validators.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = cache.get(path) {
            return v.clone();
        }
        let v = Arc::new(self.build_package_program(problem, path));
        cache.insert(path.to_path_buf(), v.clone());
        v
    }

    /// The validator's run for one test case (one pass of it): `validator
    /// input answer feedback_dir [args]`, the feedback directory being its
    /// work directory `/box/`, where the previous pass's feedback files are
    /// put back. Its stdin is left to the caller (the output, or a pipe).
    pub(super) fn validator_spec(
        &self,
        problem: &Problem,
        v: &Program,
        group: &TestGroup,
        case: &TestCase,
        input: Source,
        feedback: &[CollectedFile],
    ) -> RunSpec {
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
            source: input,
            executable: false,
        });
        files.push(BoxFile {
            name: "testcase.ans".into(),
            source: Source::File(case.answer.clone()),
            executable: false,
        });
        files.extend(feedback.iter().map(|f| BoxFile {
            name: f.name.clone(),
            source: Source::Shared(f.contents.clone()),
            executable: false,
        }));
        // A multi-pass validator's other feedback files persist between
        // passes, so all of /box comes back (what the judge put there is
        // dropped again in `judgement`).
        let collect = if problem.multi_pass.is_some() {
            vec!["*".into()]
        } else {
            FEEDBACK_FILES.iter().map(|f| f.to_string()).collect()
        };
        RunSpec {
            argv,
            env: v.env.clone(),
            stdin: None,
            files,
            collect,
            merge_stderr: false,
            limits: Limits {
                cpu_time: problem.limits.validation_time,
                wall_time: problem.limits.validation_time * 2,
                memory_bytes: problem.limits.validation_memory_bytes.min(4096 * MIB),
                max_processes: 64,
                stdout_bytes: 8 * MIB,
                work_dir_bytes: 1024 * MIB,
                collect_bytes: 256 * MIB,
                ..Limits::default()
            },
        }
    }

    /// Runs a custom output validator on a test's output: `validator input
    /// answer feedback_dir [args] < output`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn custom_validate(
        &self,
        problem: &Problem,
        v: &Program,
        group: &TestGroup,
        case: &TestCase,
        input: Source,
        feedback: &[CollectedFile],
        output: Vec<u8>,
    ) -> Judgement {
        let mut spec = self.validator_spec(problem, v, group, case, input, feedback);
        spec.stdin = Some(Source::Bytes(output));
        match self.sandbox.run(&spec) {
            Ok(out) => judgement(problem, v, &out),
            Err(e) => Judgement::failed(format!("output validator: {e}")),
        }
    }
}

/// Feedback files a single-pass validator's run brings back.
const FEEDBACK_FILES: [&str; 3] = ["judgemessage.txt", "teammessage.txt", "score.txt"];

/// What a validator's run decided, and what it left in its feedback directory.
pub(super) struct Judgement {
    /// AC (exit 42), WA (exit 43) or IE (anything else).
    pub(super) verdict: Verdict,
    /// `judgemessage.txt`, or what went wrong with the validator.
    pub(super) message: Option<String>,
    pub(super) score: Option<f64>,
    /// A multi-pass validator's `nextpass.in`: the next pass's input.
    pub(super) next_pass: Option<sandbox::SharedFile>,
    /// The other feedback files, put back for a multi-pass validator's next pass.
    pub(super) feedback: Vec<CollectedFile>,
}

impl Judgement {
    pub(super) fn failed(message: String) -> Judgement {
        Judgement {
            verdict: Verdict::InternalError,
            message: Some(message),
            score: None,
            next_pass: None,
            feedback: Vec::new(),
        }
    }
}

/// Reads a validator's exit (42 accepts, 43 rejects, anything else is a judge
/// error) and its feedback files.
pub(super) fn judgement(problem: &Problem, v: &Program, out: &RunOutcome) -> Judgement {
    let file = |n: &str| {
        out.collected
            .iter()
            .find(|c| c.name == n)
            .and_then(|c| c.contents.read_prefix(4097).ok())
            .map(|bytes| truncate(&bytes, 4096))
    };
    let message = file("judgemessage.txt").filter(|m| !m.trim().is_empty());
    let score = file("score.txt").and_then(|s| s.trim().parse::<f64>().ok());
    let placed =
        |n: &str| n == "testcase.in" || n == "testcase.ans" || v.files.iter().any(|f| f.name == n);
    let multi_pass = problem.multi_pass.is_some();
    let next_pass = multi_pass
        .then(|| out.collected.iter().find(|c| c.name == NEXT_PASS))
        .flatten()
        .map(|c| c.contents.clone());
    let feedback = if multi_pass {
        out.collected
            .iter()
            .filter(|c| c.name != NEXT_PASS && !placed(&c.name))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let verdict = match (out.limit, out.status) {
        (None, ExitStatus::Exited(42)) => Verdict::Accepted,
        (None, ExitStatus::Exited(43)) if next_pass.is_none() => Verdict::WrongAnswer,
        (None, ExitStatus::Exited(43)) => {
            return Judgement::failed(
                "output validator wrote nextpass.in and rejected (exit 43)".into(),
            );
        }
        (limit, status) => {
            return Judgement::failed(format!(
                "output validator failed ({status:?}, limit {limit:?}): {}",
                truncate(&out.stderr, 2048)
            ));
        }
    };
    Judgement {
        verdict,
        score: (verdict == Verdict::Accepted).then_some(score).flatten(),
        message,
        next_pass,
        feedback,
    }
}

/// The feedback file in which a multi-pass validator asks for another pass.
const NEXT_PASS: &str = "nextpass.in";
