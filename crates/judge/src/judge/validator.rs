//! A package's custom output validator: built once per judge
//! ([`super::package_program`]), then run on each test's output under the Kattis
//! protocol.

use std::path::Path;
use std::sync::Arc;

use sandbox::{BoxFile, ExitStatus, Limits, RunSpec, Source};

use super::package_program::PackageProgramError;
use super::{Judge, MIB, Program, truncate};
use crate::problem::{Problem, TestGroup};
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

    /// Runs a custom output validator: `validator input answer feedback_dir
    /// [args] < output`; exit 42 accepts, 43 rejects, anything else is a
    /// judge error.
    pub(super) fn custom_validate(
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
