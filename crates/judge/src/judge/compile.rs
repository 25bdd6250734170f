//! Compiling a submission in the sandbox into a [`Program`] its tests run:
//! compile limits, the files the run needs, and why a compilation failed.

use std::path::Path;
use std::time::Duration;

use sandbox::{BoxFile, LimitKind, Limits, RunSpec, Source};

use super::{CompileResult, Judge, MIB, Program, collected_files, truncate};
use crate::language::Language;
use crate::problem::{Problem, ProblemLimits};
use crate::verdict::Verdict;

/// Compiler diagnostics kept for the report.
pub(super) const COMPILE_OUTPUT_BYTES: u64 = 64 * 1024;
impl Judge {
    /// The submission as it is compiled: the entry point's code, and the files beside
    /// it — its other files, then the package's `include/<language>/` (or
    /// `include/default/`) files with the constants substituted, which replace a
    /// submitted file of the same name. An included file named like the entry point
    /// is a driver: it becomes the entry point, and the submitted code goes beside it
    /// under its own file name (or `submission.<ext>`). A package file that cannot be
    /// read is the package's fault: an error (the judge reports IE), never a
    /// submission judged without it.
    pub(super) fn assemble(
        &self,
        problem: &Problem,
        lang: &Language,
        original: &Path,
        source_name: &str,
        code: &[u8],
        others: &[(String, Vec<u8>)],
    ) -> Result<(Vec<u8>, Vec<BoxFile>), String> {
        let mut entry = code.to_vec();
        let mut files: Vec<BoxFile> = others
            .iter()
            .filter(|(name, _)| name != source_name)
            .map(|(name, bytes)| BoxFile {
                name: name.clone(),
                source: Source::Bytes(bytes.clone()),
                executable: false,
            })
            .collect();
        // PyPy runs Python 3: it takes `include/python3/` unless it has its own.
        let family = |id: &str| if id == "pypy3" { "python" } else { id }.to_string();
        let own = problem
            .include
            .iter()
            .filter(|(dir, _)| dir.as_str() != "default")
            .filter_map(|(dir, files)| Some((self.languages.get(dir)?, files)))
            .filter(|(l, _)| family(&l.id) == family(&lang.id))
            .max_by_key(|(l, _)| l.id == lang.id)
            .map(|(_, files)| files);
        let included = own.or_else(|| problem.include.get("default"));
        for path in included.into_iter().flatten() {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let bytes = problem.constants.substitute_bytes(bytes);
            files.retain(|f| f.name != name);
            if name == source_name {
                let submitted = original
                    .file_name()
                    .and_then(|n| n.to_str())
                    .filter(|n| *n != source_name && !n.is_empty())
                    .map(String::from)
                    .unwrap_or_else(|| {
                        let ext = Path::new(source_name)
                            .extension()
                            .and_then(|e| e.to_str())
                            .unwrap_or("txt");
                        format!("submission.{ext}")
                    });
                files.retain(|f| f.name != submitted);
                files.push(BoxFile {
                    name: submitted,
                    source: Source::Bytes(std::mem::replace(&mut entry, bytes)),
                    executable: false,
                });
            } else {
                files.push(BoxFile {
                    name: name.to_string(),
                    source: Source::Bytes(bytes),
                    executable: false,
                });
            }
        }
        Ok((entry, files))
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn compile(
        &self,
        limits: &ProblemLimits,
        lang: &Language,
        source_name: &str,
        code: &[u8],
        extra: &[BoxFile],
    ) -> Result<(Program, CompileResult), (Verdict, String, Option<CompileResult>)> {
        let source = BoxFile {
            name: source_name.to_string(),
            source: Source::Bytes(code.to_vec()),
            executable: false,
        };
        let mem_mib = limits.memory_bytes / MIB;
        let Some((cmd, collect)) = lang.compile(source_name) else {
            // Nothing to compile: the run starts from the source.
            let run = lang.run(source_name, mem_mib);
            let mut files = vec![source];
            files.extend(extra.iter().cloned());
            let program = Program {
                files,
                argv: run.argv,
                env: run.env,
            };
            let result = CompileResult {
                success: true,
                time_ms: 0,
                output: String::new(),
            };
            return Ok((program, result));
        };
        let spec = RunSpec {
            argv: cmd.argv,
            env: cmd.env,
            stdin: None,
            files: std::iter::once(source.clone())
                .chain(extra.iter().cloned())
                .collect(),
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
        if collect.is_empty() || lang.run_keeps_source() {
            files.push(source);
        }
        // Submitted and included files stay beside the program: interpreted languages
        // import them, and data files are read at run time.
        for f in extra {
            if !files.iter().any(|g| g.name == f.name) {
                files.push(f.clone());
            }
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
}
