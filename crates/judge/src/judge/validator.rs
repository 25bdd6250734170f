//! A package's custom output validator: compiled once per judge (C, C++ or
//! Python sources), then run on each test's output under the Kattis
//! protocol.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sandbox::{BoxFile, ExitStatus, Limits, RunSpec, Source};

use super::compile::COMPILE_OUTPUT_BYTES;
use super::{Judge, MIB, Program, collected_files, truncate};
use crate::problem::{Problem, TestGroup};
use crate::verdict::Verdict;

impl Judge {
    /// Compiles (once per judge) the package's custom output validator.
    pub(super) fn validator(&self, problem: &Problem, path: &Path) -> Arc<Result<Program, String>> {
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
            let (mut cmd, _) = gpp
                .compile("x")
                .ok_or("the C++ language has no compile command")?;
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
