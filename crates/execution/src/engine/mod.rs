//! The engine: runs judge jobs to their results. Its parts, one file each: the [`slots`]
//! (one judge, so one sandbox, per slot), the [`cache`] of problem packages fetched by
//! hash, and the [`report`] that turns what the judge says into a [`JobResult`].

mod cache;
mod report;
mod slots;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use contracts::execution::{JobResult, JudgeJob, Task, Verdict};
use judge::{CustomLimits, Languages};
use platform::blobs::BlobStore;

use crate::service::LanguageInfo;
use crate::settings::ExecutionSettings;
use crate::worker::internal_error;
use cache::PackageCache;
use slots::Slots;
pub use slots::SlotsLost;

/// Output of a custom run that is sent back, at most.
const RUN_OUTPUT_BYTES: u64 = 64 * 1024;

/// The platform failed to run a job, in a way another try may not: never the player's
/// fault, always worth retrying (up to `execution.max_attempts`).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("package store: {0}")]
    PackageStore(#[from] platform::blobs::BlobError),
    #[error("package {hash}: {source}")]
    Unpack {
        hash: String,
        source: judge::package::PackageError,
    },
    #[error("package {hash}: {source}")]
    Load {
        hash: String,
        source: judge::ProblemError,
    },
    #[error("package stored under {expected} has content hash {actual}")]
    HashMismatch { expected: String, actual: String },
    #[error("the judge failed: {0}")]
    Panicked(#[from] tokio::task::JoinError),
    #[error("no sandbox slot is left")]
    NoSlot,
    /// The judge's own report of why it could not judge (sandbox, validator).
    #[error("{0}")]
    CouldNotJudge(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot set up the sandbox: {0}")]
    Judge(#[from] judge::JudgeError),
    #[error("invalid configuration: {0}")]
    Settings(#[from] platform::config::SettingError),
    #[error("execution.languages_file: {0}")]
    Languages(#[from] judge::LanguageTableError),
    #[error("package cache {path}: {source}")]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct Engine {
    languages: Languages,
    slots: Slots,
    packages: PackageCache,
    run_limits: CustomLimits,
}

impl Engine {
    /// Reads the language table (built in, and `execution.languages_file` over it),
    /// discovers the installed languages and, for a worker process, sets up one sandbox
    /// per slot (refusing to start if the sandbox cannot isolate).
    ///
    /// Packages are cached in `cache_dir`, which must be this user's own (it is created
    /// with mode 0700, and refused if someone else owns it); without one, in a private
    /// temporary directory removed when the engine is dropped.
    pub fn new(
        settings: &ExecutionSettings,
        packages: Arc<dyn BlobStore>,
        cache_dir: Option<PathBuf>,
    ) -> Result<Self, SetupError> {
        settings.validate()?;
        let languages = Languages::load(settings.languages_file.as_deref())?;
        let slots = Slots::new(settings, &languages)?;
        let packages = PackageCache::new(packages, cache_dir)?;
        Ok(Self {
            languages,
            slots,
            packages,
            run_limits: CustomLimits {
                time: Duration::from_millis(settings.run_time_limit_ms),
                memory_bytes: settings.run_memory_mib * 1024 * 1024,
                output_bytes: RUN_OUTPUT_BYTES,
            },
        })
    }

    pub fn slots(&self) -> usize {
        self.slots.count()
    }

    /// Readiness: false once a slot's sandbox could not be rebuilt (restart the process).
    pub fn healthy(&self) -> Result<(), SlotsLost> {
        self.slots.healthy()
    }

    pub fn languages(&self) -> Vec<LanguageInfo> {
        language_list(&self.languages)
    }

    /// Runs one job to its result. Verdicts about the player's code (CE, WA, TLE …) and
    /// definite platform answers (a package that does not exist) are results; failures
    /// that another attempt could fix are errors.
    pub async fn execute(&self, job: &JudgeJob) -> Result<JobResult, EngineError> {
        let Some(language) = self.languages.get(&job.language).cloned() else {
            return Ok(internal_error(
                job,
                format!(
                    "language {:?} is not installed on this worker",
                    job.language
                ),
            ));
        };
        let problem = match &job.task {
            Task::Judge { problem_hash, .. } => match self.packages.problem(problem_hash).await? {
                Some(problem) => Some(problem),
                None => {
                    return Ok(internal_error(
                        job,
                        format!("problem package {problem_hash} is not available"),
                    ));
                }
            },
            Task::Run { .. } => None,
        };
        let job_for_thread = job.clone();
        let limits = self.run_limits;
        let result = self
            .slots
            .run(move |judge| {
                report::run_blocking(
                    judge,
                    &language,
                    &job_for_thread,
                    problem.as_deref(),
                    limits,
                )
            })
            .await?;
        if result.verdict == Verdict::InternalError {
            // The judge could not judge (sandbox, validator): worth another try.
            return Err(EngineError::CouldNotJudge(
                result.error.unwrap_or_else(|| "internal error".into()),
            ));
        }
        Ok(result)
    }
}

pub fn language_list(languages: &Languages) -> Vec<LanguageInfo> {
    languages
        .languages
        .iter()
        .map(|l| LanguageInfo {
            id: l.id.clone(),
            name: l.name.clone(),
            version: l.version.clone(),
            extensions: l.extensions.clone(),
        })
        .collect()
}
