//! Problem packages in the ICPC/Kattis problem package format: `legacy`,
//! `2023-07-draft` and `2025-09`.
//!
//! Reads `problem.yaml` (unknown keys are warnings, not errors), the test
//! data tree (`data/sample`, `data/secret` and nested groups, with
//! `testdata.yaml` or, from 2025-09, `test_group.yaml` settings inherited
//! downwards), the output validator (`output_validators/` in legacy,
//! `output_validator/` later), and the statements, which are kept as
//! Markdown/LaTeX source.
//!
//! [`load`] reads `problem.yaml` (helped by [`yaml`]) and [`codearena`] our own
//! `codearena.yaml`, [`testdata`] the test
//! data tree, [`statement`] the statements; [`hash`] names a package by its
//! content.

mod codearena;
mod constants;
mod hash;
mod include;
mod load;
mod statement;
mod testdata;
mod yaml;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

pub use codearena::CODEARENA_FILE;
pub use constants::Constants;
pub use statement::{Statement, StatementFormat};
pub use testdata::{
    GroupSettings, TestCase, TestGroup, TestNode, ValidationCase, ValidationCaseKind,
};

const MIB: u64 = 1024 * 1024;
/// The platform's default time limit when a package gives none.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(10);
/// The platform's default memory limit.
pub const DEFAULT_MEMORY_MIB: u64 = 256;

#[derive(Debug, thiserror::Error)]
pub enum ProblemError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}: invalid YAML: {1}")]
    Yaml(PathBuf, String),
    #[error("invalid problem package: {0}")]
    Invalid(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ProblemError + '_ {
    move |source| ProblemError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FormatVersion {
    #[serde(rename = "legacy")]
    Legacy,
    #[serde(rename = "2023-07-draft")]
    Draft2023_07,
    #[serde(rename = "2025-09")]
    V2025_09,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemType {
    PassFail,
    Scoring,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProblemLimits {
    /// `None` when the package gives no time limit (see
    /// [`Problem::time_limit`]).
    pub time_limit: Option<Duration>,
    pub memory_bytes: u64,
    pub output_bytes: u64,
    pub code_bytes: u64,
    pub compilation_time: Duration,
    pub compilation_memory_bytes: u64,
    pub validation_time: Duration,
    pub validation_memory_bytes: u64,
    /// Multiplier from the slowest accepted submission to the time limit
    /// (legacy `time_multiplier`, later `ac_to_time_limit`).
    pub ac_to_time_limit: f64,
    pub time_resolution: f64,
}
#[derive(Debug, Clone, Serialize)]
pub enum OutputValidator {
    Default,
    /// A custom validator program: a directory (sources or `build`/`run`)
    /// or a single source file.
    Custom(PathBuf),
}
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub dir: PathBuf,
    /// The package directory's name.
    pub short_name: String,
    pub format: FormatVersion,
    pub name: String,
    pub uuid: Option<String>,
    /// `pass-fail` or `scoring`; whether the validator talks with the
    /// submission and how often it runs are [`Problem::interactive`] and
    /// [`Problem::multi_pass`], since the format's `type` combines them freely.
    pub problem_type: ProblemType,
    /// The output validator is the interactor: it runs at the same time as the
    /// submission, connected to it by pipes (`type: interactive`; legacy
    /// `validation: custom interactive`).
    pub interactive: bool,
    /// A multi-pass problem, with its `limits.validation_passes` (at least 2;
    /// default 2): the validator's `nextpass.in` is the next pass's input.
    pub multi_pass: Option<u32>,
    pub license: Option<String>,
    pub rights_owner: Option<String>,
    pub keywords: Vec<String>,
    /// CodeArena's difficulty, from `codearena.yaml` (or the old `codearena:` key in
    /// `problem.yaml`).
    pub difficulty: Option<Difficulty>,
    /// The package still has CodeArena's metadata in `problem.yaml` (read, but other
    /// tools refuse the package for it).
    pub codearena_key_in_problem_yaml: bool,
    /// Top-level `problem.yaml` keys its format version does not define (ignored here;
    /// problemtools refuses the package).
    pub unknown_keys: Vec<String>,
    pub limits: ProblemLimits,
    pub statements: Vec<Statement>,
    pub validator: OutputValidator,
    pub sample: Option<TestGroup>,
    /// Secret data; empty when the package is judged on its samples only.
    pub secret: TestGroup,
    /// `data/invalid_input`, `invalid_answer`, `invalid_output`, `valid_output`: cases
    /// that test the validators. Never judged; `verify-problem` checks them.
    pub validation_cases: Vec<ValidationCase>,
    /// `constants` of `problem.yaml`, already substituted in the statements and
    /// `test_group.yaml`; validators, included code and example submissions get them
    /// when they are built.
    pub constants: Constants,
    /// `include/<language>/` (and `include/default/`) files, added to submissions.
    pub include: std::collections::BTreeMap<String, Vec<PathBuf>>,
    /// Things that are not fatal but worth telling (unknown keys...).
    pub warnings: Vec<String>,
}
impl Problem {
    /// Every test case in judging order: samples first, then secret data.
    pub fn test_cases(&self) -> Vec<(&TestGroup, &TestCase)> {
        let mut v = self
            .sample
            .as_ref()
            .map(TestGroup::cases)
            .unwrap_or_default();
        v.extend(self.secret.cases());
        v
    }

    /// The time limit from the package, or `None` when the format says to
    /// derive it from the accepted submissions.
    pub fn time_limit(&self) -> Option<Duration> {
        self.limits.time_limit
    }

    /// The time limit the format derives from the slowest accepted
    /// submission: the smallest multiple of the time resolution that is at
    /// least `slowest * ac_to_time_limit`.
    pub fn derived_time_limit(&self, slowest_accepted: Duration) -> Duration {
        let res = self.limits.time_resolution;
        let need = slowest_accepted.as_secs_f64() * self.limits.ac_to_time_limit;
        let steps = (need / res).ceil().max(1.0);
        Duration::from_secs_f64(steps * res)
    }
}
