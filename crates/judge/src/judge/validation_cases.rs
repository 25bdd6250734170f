//! `verify-problem`'s check of the groups that test the validators (never judged):
//! every `data/invalid_input` case is rejected by at least one input validator, every
//! `data/invalid_output` case's `.out` is rejected by the output validator and every
//! `data/valid_output` one accepted. `invalid_answer` needs answer validators, which
//! this judge does not run: those cases are reported as not checked.

use crate::problem::{
    OutputValidator, Problem, TestCase, TestGroup, ValidationCase, ValidationCaseKind,
};
use crate::verdict::Verdict;

use super::Judge;
use super::input_validator::InputCheck;

/// What checking the validator-test cases found.
#[derive(Debug, Clone, Default)]
pub struct ValidationCaseCheck {
    /// Cases that behaved as their group says.
    pub passed: Vec<String>,
    /// Cases that did not, with why.
    pub failures: Vec<String>,
    /// Cases that could not be checked here, with why.
    pub skipped: Vec<String>,
}

impl Judge {
    /// Checks every validator-test case of the package.
    pub fn check_validation_cases(&self, problem: &Problem) -> ValidationCaseCheck {
        let mut out = ValidationCaseCheck::default();
        if problem.validation_cases.is_empty() {
            return out;
        }
        let inputs = self.validate_inputs_programs(problem);
        for case in &problem.validation_cases {
            match case.kind {
                ValidationCaseKind::InvalidInput => {
                    if inputs.is_empty() {
                        out.skipped
                            .push(format!("{}: no input validator to run", case.name));
                        continue;
                    }
                    let args = &case.settings.input_validator_args;
                    let mut rejected = false;
                    let mut broken = Vec::new();
                    for (name, v) in &inputs {
                        match self.run_input_validator(problem, v, args, &case.input) {
                            InputCheck::Valid => {}
                            InputCheck::Invalid(_) => rejected = true,
                            InputCheck::Broken(why) => broken.push(format!("{name} {why}")),
                        }
                    }
                    if !broken.is_empty() {
                        out.failures
                            .push(format!("{}: {}", case.name, broken.join("; ")));
                    } else if rejected {
                        out.passed.push(case.name.clone());
                    } else {
                        out.failures.push(format!(
                            "{}: every input validator that ran accepts this invalid input",
                            case.name
                        ));
                    }
                }
                ValidationCaseKind::InvalidAnswer => out.skipped.push(format!(
                    "{}: answer validators are not run by this judge",
                    case.name
                )),
                ValidationCaseKind::InvalidOutput | ValidationCaseKind::ValidOutput
                    if problem.interactive || problem.multi_pass.is_some() =>
                {
                    out.skipped.push(format!(
                        "{}: an interactive or multi-pass problem has no output to check",
                        case.name
                    ));
                }
                ValidationCaseKind::InvalidOutput | ValidationCaseKind::ValidOutput => {
                    match self.output_verdict(problem, case) {
                        Err(why) => out.failures.push(format!("{}: {why}", case.name)),
                        Ok((verdict, message)) => {
                            let want_accept = case.kind == ValidationCaseKind::ValidOutput;
                            if (verdict == Verdict::Accepted) == want_accept {
                                out.passed.push(case.name.clone());
                            } else {
                                out.failures.push(format!(
                                    "{}: the output validator says {}{}, but the case is in {}",
                                    case.name,
                                    verdict.code(),
                                    message.map(|m| format!(" ({m})")).unwrap_or_default(),
                                    case.kind.dir()
                                ));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// The input validators that build (a build failure is reported by
    /// `validate_inputs` already).
    fn validate_inputs_programs(&self, problem: &Problem) -> Vec<(String, super::Program)> {
        self.validate_inputs_setup(problem).programs
    }

    /// The output validator's verdict on the case's `.out`.
    fn output_verdict(
        &self,
        problem: &Problem,
        case: &ValidationCase,
    ) -> Result<(Verdict, Option<String>), String> {
        let (Some(answer), Some(output)) = (&case.answer, &case.output) else {
            return Err("missing .ans or .out".into());
        };
        let output = std::fs::read(output).map_err(|e| format!("{}: {e}", output.display()))?;
        let group = TestGroup {
            name: case.name.clone(),
            settings: case.settings.clone(),
            children: Vec::new(),
        };
        let test = TestCase {
            name: case.name.clone(),
            input: case.input.clone(),
            answer: answer.clone(),
        };
        let verdict = match &problem.validator {
            OutputValidator::Default => self.default_validate(&group, &test, &output),
            OutputValidator::Custom(path) => match &*self.validator(problem, path) {
                Err(e) => return Err(format!("output validator: {e}")),
                Ok(v) => {
                    let input = sandbox::Source::File(case.input.clone());
                    let j = self.custom_validate(problem, v, &group, &test, input, &[], output);
                    (j.verdict, j.message)
                }
            },
        };
        match verdict {
            (Verdict::InternalError, m) => Err(m.unwrap_or_else(|| "validator failed".into())),
            v => Ok(v),
        }
    }
}
