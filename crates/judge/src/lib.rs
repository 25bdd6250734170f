//! The judge: ICPC/Kattis problem packages, languages, output validation and
//! verdicts, running everything in the [`sandbox`].
//!
//! - [`Languages::load`] reads the language table (built in, plus the operator's
//!   file) and finds the installed toolchains (name, version, extensions).
//! - [`Problem::load`] reads a package (legacy, `2023-07-draft`, `2025-09`);
//!   [`Problem::content_hash`] names it by content; [`package`] packs it into bytes to
//!   store and send, and unpacks it safely.
//! - [`Judge`] compiles and judges a source against a problem and returns a
//!   serialisable [`Report`].
//! - [`cli`] holds the `codearena judge` and `codearena verify-problem`
//!   commands; [`verify`] what verify-problem reports besides verdicts;
//!   [`submissions`] the example submissions and what each must get; [`export`]
//!   writes a package as the archive Kattis or DOMjudge imports.
//!
//! Binaries using this crate must call [`sandbox::enter_if_requested`] first
//! thing in `main` (the sandbox re-executes the binary as its zygote).

pub mod cli;
pub mod export;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod judge;
mod language;
pub mod package;
mod problem;
pub mod submissions;
mod validate;
mod verdict;
pub mod verify;

pub use judge::{
    CompileResult, CustomLimits, CustomRun, InputValidation, Judge, JudgeError, JudgeOptions,
    PackageProgramError, Report, TestResult, ValidationCaseCheck,
};
pub use language::{
    Language, LanguageSpec, LanguageTable, LanguageTableError, Languages, SandboxCommand,
};
pub use problem::{
    CODEARENA_FILE, Constants, DEFAULT_MEMORY_MIB, DEFAULT_TIME_LIMIT, Difficulty, FormatVersion,
    GroupSettings, OutputValidator, Problem, ProblemError, ProblemLimits, ProblemType, Statement,
    StatementFormat, TestCase, TestGroup, TestNode, ValidationCase, ValidationCaseKind,
};
pub use validate::{ValidatorFlags, validate as default_validate};
pub use verdict::Verdict;
