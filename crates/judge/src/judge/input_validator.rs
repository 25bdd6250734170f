//! The package's input validators, run by `verify-problem` on every test input
//! as problemtools does: `validator [input_validator_args] < input`, in the
//! sandbox, exit 42 for a valid input. Judging never runs them.

use std::path::{Path, PathBuf};

use sandbox::{ExitStatus, Limits, RunSpec, Source};

use super::{Judge, MIB, truncate};
use crate::problem::Problem;

/// What running the input validators found.
#[derive(Debug, Clone, Default)]
pub struct InputValidation {
    /// The validators found (paths relative to the package).
    pub validators: Vec<String>,
    /// Validators that are there but cannot be run here (checktestdata, viva…).
    pub skipped: Vec<String>,
    /// A validator that did not build, or an input one rejected or crashed on.
    pub failures: Vec<String>,
}

/// C, C++ and Python validators (a file, or a directory of sources) are run;
/// anything else is reported as skipped.
fn runnable(path: &Path) -> bool {
    if path.is_dir() {
        return true;
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["c", "cc", "cpp", "cxx", "c++", "py"].contains(&ext)
}

fn validator_paths(problem: &Problem) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let many = problem.dir.join("input_validators");
    if let Ok(entries) = std::fs::read_dir(&many) {
        let mut v: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        v.sort();
        out.extend(v);
    }
    let one = problem.dir.join("input_validator");
    if one.is_dir() {
        out.push(one);
    }
    out
}

impl Judge {
    /// Runs every input validator on every test input (samples and secret data) with
    /// the arguments of the input's group.
    pub fn validate_inputs(&self, problem: &Problem) -> InputValidation {
        let mut result = InputValidation::default();
        let rel = |p: &Path| {
            p.strip_prefix(&problem.dir)
                .unwrap_or(p)
                .display()
                .to_string()
        };
        let mut programs = Vec::new();
        for path in validator_paths(problem) {
            let name = rel(&path);
            if !runnable(&path) {
                result.skipped.push(name);
                continue;
            }
            result.validators.push(name.clone());
            match &*self.validator(problem, &path) {
                Ok(p) => programs.push((name, p.clone())),
                Err(e) => result.failures.push(format!("{name}: {e}")),
            }
        }
        for (group, case) in problem.test_cases() {
            for (name, v) in &programs {
                let mut argv = v.argv.clone();
                argv.extend(group.settings.input_validator_args.iter().cloned());
                let spec = RunSpec {
                    argv,
                    env: v.env.clone(),
                    stdin: Some(Source::File(case.input.clone())),
                    files: v.files.clone(),
                    collect: Vec::new(),
                    merge_stderr: true,
                    limits: Limits {
                        cpu_time: problem.limits.validation_time,
                        wall_time: problem.limits.validation_time * 2,
                        memory_bytes: problem.limits.validation_memory_bytes.min(4096 * MIB),
                        max_processes: 64,
                        stdout_bytes: MIB,
                        work_dir_bytes: 256 * MIB,
                        ..Limits::default()
                    },
                };
                let why = match self.sandbox.run(&spec) {
                    Err(e) => format!("could not run: {e}"),
                    Ok(out) if out.limit.is_none() && out.status == ExitStatus::Exited(42) => {
                        continue;
                    }
                    Ok(out) => {
                        let said = truncate(&out.stdout, 300);
                        let said = said.trim();
                        match (out.limit, out.status) {
                            (Some(limit), _) => format!("hit its {limit:?} limit"),
                            (None, ExitStatus::Exited(c)) => format!("exited {c}: {said}"),
                            (None, status) => format!("crashed ({status:?}): {said}"),
                        }
                    }
                };
                result.failures.push(format!(
                    "{name} does not accept {}: {why}",
                    rel(&case.input)
                ));
            }
        }
        result
    }
}
