//! The package's input validators, run by `verify-problem` on every test input
//! as problemtools does: `validator [input_validator_args] < input`, in the
//! sandbox, exit 42 for a valid input. Judging never runs them.

use std::path::{Path, PathBuf};

use sandbox::{ExitStatus, Limits, RunSpec, Source};

use super::{Judge, MIB, Program, truncate};
use crate::problem::Problem;

/// What one input validator said of one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum InputCheck {
    /// Exit 42.
    Valid,
    /// Any other exit code: the input is refused (the format's rule).
    Invalid(String),
    /// It crashed, hit a limit, or could not run: it decided nothing.
    Broken(String),
}

/// What running the input validators found.
#[derive(Debug, Clone, Default)]
pub struct InputValidation {
    /// The validators found (paths relative to the package).
    pub validators: Vec<String>,
    /// Validators that are there but cannot be run here (checktestdata, viva…).
    pub skipped: Vec<String>,
    /// A validator that did not build, or an input one rejected or crashed on.
    pub failures: Vec<String>,
    /// The validators that built, by name.
    pub(super) programs: Vec<(String, Program)>,
}

/// C, C++ and Python validators (a file, or a directory of sources) are run;
/// anything else is reported as skipped.
fn runnable(path: &Path) -> bool {
    if path.is_dir() {
        return true;
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    ["c", "cc", "cpp", "cxx", "c++", "py", "py3"].contains(&ext)
}

fn rel(problem: &Problem, p: &Path) -> String {
    p.strip_prefix(&problem.dir)
        .unwrap_or(p)
        .display()
        .to_string()
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
    /// Runs one input validator on one input.
    pub(super) fn run_input_validator(
        &self,
        problem: &Problem,
        v: &Program,
        args: &[String],
        input: &Path,
    ) -> InputCheck {
        let mut argv = v.argv.clone();
        argv.extend(args.iter().cloned());
        let spec = RunSpec {
            argv,
            env: v.env.clone(),
            stdin: Some(Source::File(input.to_path_buf())),
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
        match self.sandbox.run(&spec) {
            Err(e) => InputCheck::Broken(format!("could not run: {e}")),
            Ok(out) if out.limit.is_none() && out.status == ExitStatus::Exited(42) => {
                InputCheck::Valid
            }
            Ok(out) => {
                let said = truncate(&out.stdout, 300);
                let said = said.trim();
                match (out.limit, out.status) {
                    // A validator that runs out of time or memory did not decide.
                    (Some(limit), _) => InputCheck::Broken(format!("hit its {limit:?} limit")),
                    (None, ExitStatus::Exited(c)) => {
                        InputCheck::Invalid(format!("exited {c}: {said}"))
                    }
                    (None, status) => InputCheck::Broken(format!("crashed ({status:?}): {said}")),
                }
            }
        }
    }

    /// Builds the package's input validators (each once per judge): the ones that
    /// built, the ones that cannot run here, and the build failures.
    pub(super) fn validate_inputs_setup(&self, problem: &Problem) -> InputValidation {
        let mut result = InputValidation::default();
        for path in validator_paths(problem) {
            let name = rel(problem, &path);
            if !runnable(&path) {
                result.skipped.push(name);
                continue;
            }
            result.validators.push(name.clone());
            match &*self.validator(problem, &path) {
                Ok(p) => result.programs.push((name, p.clone())),
                Err(e) => result.failures.push(format!("{name}: {e}")),
            }
        }
        result
    }

    /// Runs every input validator on every test input (samples and secret data) with
    /// the arguments of the input's group.
    pub fn validate_inputs(&self, problem: &Problem) -> InputValidation {
        let mut result = self.validate_inputs_setup(problem);
        let programs = std::mem::take(&mut result.programs);
        let rel = |p: &Path| rel(problem, p);
        for (group, case) in problem.test_cases() {
            for (name, v) in &programs {
                let args = &group.settings.input_validator_args;
                let why = match self.run_input_validator(problem, v, args, &case.input) {
                    InputCheck::Valid => continue,
                    InputCheck::Invalid(why) | InputCheck::Broken(why) => why,
                };
                result.failures.push(format!(
                    "{name} does not accept {}: {why}",
                    rel(&case.input)
                ));
            }
        }
        result.programs = programs;
        result
    }
}
