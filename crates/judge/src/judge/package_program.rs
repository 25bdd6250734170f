//! Building the package's own programs (output and input validators) in the sandbox,
//! in the forms the format allows:
//!
//! - a directory with a `build` and/or `run` script: `build` runs (`/bin/sh build`) in
//!   a copy of the directory, then the `run` that it leaves (or that was there) is the
//!   program;
//! - one C or C++ file, or a directory of them, compiled together;
//! - one Python 3 file, or a directory with `__main__.py`.
//!
//! The package's `constants` are substituted in every text file first. A program that
//! fails to build is an internal error whose message carries the compiler's or the build
//! script's output, so the judge report says why.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sandbox::{BoxFile, ExitStatus, LimitKind, Limits, RunOutcome, RunSpec, Source};

use super::compile::COMPILE_OUTPUT_BYTES;
use super::{Judge, MIB, Program, collected_files, truncate};
use crate::problem::Problem;

/// Why a package program could not be built.
#[derive(Debug, thiserror::Error)]
pub enum PackageProgramError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: no build/run script, C, C++ or Python program found")]
    NoProgram(String),
    #[error("{0} is needed to build it and is not installed")]
    MissingTool(&'static str),
    #[error("the sandbox failed: {0}")]
    Sandbox(#[from] sandbox::SandboxError),
    #[error("{step} failed ({why}):\n{output}")]
    BuildFailed {
        step: &'static str,
        why: String,
        output: String,
    },
    #[error("{0}: the build script left no executable `run`")]
    NoRun(String),
}

/// One file of the program's directory, as it goes into the sandbox.
struct ProgramFile {
    name: String,
    bytes: Vec<u8>,
    executable: bool,
}

fn read_program(problem: &Problem, path: &Path) -> Result<Vec<ProgramFile>, PackageProgramError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PackageProgramError::Io { path, source }
    };
    let paths: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io(path))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    let mut files = Vec::new();
    for p in paths {
        let Some(name) = p.file_name().and_then(|n| n.to_str()).map(String::from) else {
            continue;
        };
        // Hidden files (editor and VCS leftovers) are not part of the program.
        if name.starts_with('.') {
            continue;
        }
        let meta = std::fs::metadata(&p).map_err(io(&p))?;
        let bytes = std::fs::read(&p).map_err(io(&p))?;
        files.push(ProgramFile {
            bytes: problem.constants.substitute_bytes(bytes),
            executable: meta.permissions().mode() & 0o111 != 0,
            name,
        });
    }
    Ok(files)
}

fn box_files(files: &[ProgramFile]) -> Vec<BoxFile> {
    files
        .iter()
        .map(|f| BoxFile {
            name: f.name.clone(),
            source: Source::Bytes(f.bytes.clone()),
            executable: f.executable,
        })
        .collect()
}

fn ext(name: &str) -> &str {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
}

/// Why a build step's run failed, or `None` when it succeeded.
fn build_failure(out: &RunOutcome) -> Option<String> {
    match (out.limit, out.status) {
        (Some(LimitKind::CpuTime | LimitKind::WallTime), _) => Some("time limit".into()),
        (Some(LimitKind::Memory), _) => Some("memory limit".into()),
        (Some(limit), _) => Some(format!("{limit:?} limit")),
        (None, ExitStatus::Exited(0)) => None,
        (None, ExitStatus::Exited(code)) => Some(format!("exit code {code}")),
        (None, status) => Some(format!("{status:?}")),
    }
}

impl Judge {
    /// Builds a validator of `problem` (a file or a directory under the package).
    pub(super) fn build_package_program(
        &self,
        problem: &Problem,
        path: &Path,
    ) -> Result<Program, PackageProgramError> {
        let files = read_program(problem, path)?;
        let label = path
            .strip_prefix(&problem.dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let has = |n: &str| files.iter().any(|f| f.name == n);
        let env = self
            .languages
            .get("cpp")
            .map(|l| l.run("x", 0).env)
            .unwrap_or_default();
        let limits = Limits {
            cpu_time: problem.limits.compilation_time,
            wall_time: problem.limits.compilation_time * 2,
            memory_bytes: problem.limits.compilation_memory_bytes.min(4096 * MIB),
            max_processes: 256,
            stdout_bytes: COMPILE_OUTPUT_BYTES,
            work_dir_bytes: 512 * MIB,
            collect_bytes: 512 * MIB,
            ..Limits::default()
        };
        if path.is_dir() && (has("build") || has("run")) {
            if !has("build") {
                if !files.iter().any(|f| f.name == "run" && f.executable) {
                    return Err(PackageProgramError::NoRun(label));
                }
                return Ok(Program {
                    files: box_files(&files),
                    argv: vec!["/box/run".into()],
                    env,
                });
            }
            let spec = RunSpec {
                argv: vec!["/bin/sh".into(), "build".into()],
                env: env.clone(),
                stdin: None,
                files: box_files(&files),
                collect: vec!["*".into()],
                merge_stderr: true,
                limits,
            };
            let out = self.sandbox.run(&spec)?;
            if let Some(why) = build_failure(&out) {
                return Err(PackageProgramError::BuildFailed {
                    step: "the build script",
                    why,
                    output: truncate(&out.stdout, 8192),
                });
            }
            let built = collected_files(&out);
            if !built.iter().any(|f| f.name == "run" && f.executable) {
                return Err(PackageProgramError::NoRun(label));
            }
            return Ok(Program {
                files: built,
                argv: vec!["/box/run".into()],
                env,
            });
        }
        let names = |exts: &[&str]| -> Vec<String> {
            files
                .iter()
                .filter(|f| exts.contains(&ext(&f.name)))
                .map(|f| f.name.clone())
                .collect()
        };
        let cpp = names(&["cpp", "cc", "cxx", "c++", "c"]);
        if !cpp.is_empty() {
            // C sources alone are C (gcc); with any C++ source, all are C++ (g++).
            let c_only = cpp.iter().all(|n| ext(n) == "c");
            let (id, flags): (&str, &[&str]) = if c_only {
                ("c", &["-x", "c", "-std=gnu17"])
            } else {
                ("cpp", &["-std=gnu++17"])
            };
            let compiler = self
                .languages
                .get(id)
                .ok_or(PackageProgramError::MissingTool(if c_only {
                    "a C compiler"
                } else {
                    "a C++ compiler"
                }))?;
            let (mut cmd, _) = compiler
                .compile("x")
                .ok_or(PackageProgramError::MissingTool("a C/C++ compile command"))?;
            // The language's compiler (the table's first word), validator flags:
            // optimised, all sources together.
            cmd.argv.truncate(1);
            cmd.argv.extend(flags.iter().map(|f| f.to_string()));
            cmd.argv
                .extend(["-O2", "-pipe", "-o", "validator"].map(String::from));
            cmd.argv.extend(cpp);
            if c_only {
                cmd.argv.push("-lm".into());
            }
            let spec = RunSpec {
                argv: cmd.argv,
                env: cmd.env,
                stdin: None,
                files: box_files(&files),
                collect: vec!["validator".into()],
                merge_stderr: true,
                limits,
            };
            let out = self.sandbox.run(&spec)?;
            let why = build_failure(&out).or_else(|| {
                out.collected
                    .is_empty()
                    .then(|| "no program produced".into())
            });
            if let Some(why) = why {
                return Err(PackageProgramError::BuildFailed {
                    step: "compilation",
                    why,
                    output: truncate(&out.stdout, 8192),
                });
            }
            return Ok(Program {
                files: collected_files(&out),
                argv: vec!["/box/validator".into()],
                env: compiler.run("x", 0).env,
            });
        }
        let py = names(&["py", "py3"]);
        if !py.is_empty() {
            let python = self
                .languages
                .get("python")
                .ok_or(PackageProgramError::MissingTool("Python 3"))?;
            // Several Python files form a program only with a `__main__.py` to start.
            let main = if py.iter().any(|p| p == "__main__.py") {
                "__main__.py".to_string()
            } else if py.len() == 1 {
                py[0].clone()
            } else {
                return Err(PackageProgramError::NoProgram(format!(
                    "{label} (several Python files and no __main__.py)"
                )));
            };
            let cmd = python.run(&main, 0);
            return Ok(Program {
                files: box_files(&files),
                argv: cmd.argv,
                env: cmd.env,
            });
        }
        Err(PackageProgramError::NoProgram(label))
    }
}
