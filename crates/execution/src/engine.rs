//! The engine: one judge (one sandbox) per slot, problem packages fetched by hash into a
//! local cache, and the translation from the judge's reports to [`JobResult`]s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use contracts::execution::{JobResult, JudgeJob, RunOutput, Task, TestOutcome, Verdict};
use judge::{CustomLimits, Judge, Languages, Problem};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::package;
use crate::service::LanguageInfo;
use crate::settings::ExecutionSettings;
use platform::blobs::BlobStore;

use crate::store::now_ms;
use crate::worker::internal_error;

/// Output of a custom run that is sent back, at most.
const RUN_OUTPUT_BYTES: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The platform failed in a way another try may not (sandbox, store, disk).
    #[error("{0}")]
    Retryable(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot set up the sandbox: {0}")]
    Judge(#[from] judge::JudgeError),
    #[error("invalid configuration: {0}")]
    Settings(#[from] platform::config::SettingError),
    #[error("package cache {path}: {source}")]
    Cache {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub struct Engine {
    languages: Languages,
    sandbox: sandbox::SandboxConfig,
    judges: Mutex<Vec<Judge>>,
    slots: Semaphore,
    slot_count: usize,
    /// Slots whose sandbox could not be rebuilt after a failure.
    lost_slots: AtomicUsize,
    packages: Arc<dyn BlobStore>,
    cache_dir: PathBuf,
    _cache_guard: Option<tempfile::TempDir>,
    problems: Mutex<HashMap<String, Arc<Problem>>>,
    run_limits: CustomLimits,
}

impl Engine {
    /// Discovers the installed languages and, for a worker process, sets up one sandbox
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
        let languages = Languages::discover();
        let slot_count = settings.worker_slots();
        let mut sandbox = Judge::sandbox_config(&languages);
        if let Some(init) = &settings.sandbox_init {
            sandbox.init_exe = init.clone();
        }
        // One host uid per slot: limits the kernel counts per user (inotify instances,
        // pipe buffers, pending signals) cannot be used up by one run against another.
        let judges = (0..slot_count)
            .map(|slot| {
                let mut config = sandbox.clone();
                config.uid = config.uid.saturating_sub(slot as u32);
                config.gid = config.gid.saturating_sub(slot as u32);
                Judge::with_sandbox_config(languages.clone(), config)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (cache_dir, cache_guard) = match cache_dir {
            Some(dir) => {
                private_dir(&dir).map_err(|source| SetupError::Cache {
                    path: dir.clone(),
                    source,
                })?;
                (dir, None)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("codearena-packages-")
                    .tempdir()
                    .map_err(|source| SetupError::Cache {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                (temp.path().to_owned(), Some(temp))
            }
        };
        Ok(Self {
            languages,
            sandbox,
            judges: Mutex::new(judges),
            slots: Semaphore::new(slot_count),
            slot_count,
            lost_slots: AtomicUsize::new(0),
            packages,
            cache_dir,
            _cache_guard: cache_guard,
            problems: Mutex::new(HashMap::new()),
            run_limits: CustomLimits {
                time: Duration::from_millis(settings.run_time_limit_ms),
                memory_bytes: settings.run_memory_mib * 1024 * 1024,
                output_bytes: RUN_OUTPUT_BYTES,
            },
        })
    }

    pub fn slots(&self) -> usize {
        self.slot_count
    }

    /// Readiness: false once a slot's sandbox could not be rebuilt (restart the process).
    pub fn healthy(&self) -> Result<(), String> {
        match self.lost_slots.load(Ordering::SeqCst) {
            0 => Ok(()),
            lost => Err(format!("{lost} of {} sandbox slots lost", self.slot_count)),
        }
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
            Task::Judge { problem_hash } => match self.problem(problem_hash).await? {
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
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| EngineError::Retryable(e.to_string()))?;
        let judge = self
            .judges
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop()
            .ok_or_else(|| EngineError::Retryable("no free sandbox".into()))?;
        let job_for_thread = job.clone();
        let limits = self.run_limits;
        let outcome = tokio::task::spawn_blocking(move || {
            let result = run_blocking(
                &judge,
                &language,
                &job_for_thread,
                problem.as_deref(),
                limits,
            );
            (judge, result)
        })
        .await;
        match outcome {
            Ok((judge, result)) => {
                self.judges
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(judge);
                if result.verdict == Verdict::InternalError {
                    // The judge could not judge (sandbox, validator): worth another try.
                    return Err(EngineError::Retryable(
                        result.error.unwrap_or_else(|| "internal error".into()),
                    ));
                }
                Ok(result)
            }
            Err(e) => {
                // The judge panicked: replace it, so the slot is not lost.
                match Judge::with_sandbox_config(self.languages.clone(), self.sandbox.clone()) {
                    Ok(replacement) => self
                        .judges
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(replacement),
                    Err(setup) => {
                        // The slot is gone: take its permit out of circulation so no job
                        // waits for it, and report it (readiness, metrics).
                        self.slots.forget_permits(1);
                        let lost = self.lost_slots.fetch_add(1, Ordering::SeqCst) + 1;
                        metrics::gauge!("execution_lost_slots").set(lost as f64);
                        tracing::error!(error = %setup, lost, "a sandbox slot is lost");
                    }
                }
                Err(EngineError::Retryable(format!("the judge failed: {e}")))
            }
        }
    }

    /// The problem with content hash `hash`, from memory, the local cache, or the blob store.
    async fn problem(&self, hash: &str) -> Result<Option<Arc<Problem>>, EngineError> {
        if let Some(problem) = self
            .problems
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
        {
            return Ok(Some(problem.clone()));
        }
        let dir = self.cache_dir.join(hash);
        if !dir.is_dir() {
            let Some(archive) = self
                .packages
                .get(hash)
                .await
                .map_err(|e| EngineError::Retryable(format!("package store: {e}")))?
            else {
                return Ok(None);
            };
            // Unpack beside the final place and rename: a half-written package is never
            // seen by a concurrent job.
            let staging = self
                .cache_dir
                .join(format!(".{hash}.{}", Uuid::new_v4().simple()));
            let unpacked = {
                let staging = staging.clone();
                tokio::task::spawn_blocking(move || package::unpack(&archive, &staging)).await
            };
            match unpacked {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    let _ = std::fs::remove_dir_all(&staging);
                    return Err(EngineError::Retryable(format!("package {hash}: {e}")));
                }
                Err(e) => return Err(EngineError::Retryable(e.to_string())),
            }
            if std::fs::rename(&staging, &dir).is_err() {
                // Another job unpacked it first.
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        let loaded = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || load_verified(&dir)).await
        };
        let problem = match loaded {
            Ok(Ok(problem)) => Arc::new(problem),
            Ok(Err(e)) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(EngineError::Retryable(format!("package {hash}: {e}")));
            }
            Err(e) => return Err(EngineError::Retryable(e.to_string())),
        };
        match problem.content_hash() {
            Ok(actual) if actual == hash => {}
            Ok(actual) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(EngineError::Retryable(format!(
                    "package stored under {hash} has content hash {actual}"
                )));
            }
            Err(e) => return Err(EngineError::Retryable(e.to_string())),
        }
        self.problems
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(hash.to_owned(), problem.clone());
        Ok(Some(problem))
    }
}

/// Creates `dir` (mode 0700) or checks that an existing one is a real directory of this
/// user's: packages in it decide verdicts, so nobody else may be able to change them.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    match std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_dir() || meta.uid() != me {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "not a directory owned by this user",
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn load_verified(dir: &Path) -> Result<Problem, judge::ProblemError> {
    Problem::load(dir)
}

pub fn language_list(languages: &Languages) -> Vec<LanguageInfo> {
    languages
        .languages
        .iter()
        .map(|l| LanguageInfo {
            id: l.id.to_owned(),
            name: l.name.to_owned(),
            version: l.version.clone(),
            extensions: l.extensions.iter().map(|e| (*e).to_owned()).collect(),
        })
        .collect()
}

fn run_blocking(
    judge: &Judge,
    language: &judge::Language,
    job: &JudgeJob,
    problem: Option<&Problem>,
    limits: CustomLimits,
) -> JobResult {
    let original = language.unnamed_source();
    let base = JobResult {
        started_at_ms: now_ms(),
        ..JobResult::for_job(job, Verdict::InternalError)
    };
    let mut result = match (&job.task, problem) {
        (Task::Judge { .. }, Some(problem)) => {
            let time_limit = problem.time_limit().unwrap_or(judge::DEFAULT_TIME_LIMIT);
            let report = judge.judge(
                problem,
                language,
                original,
                job.source.as_bytes(),
                time_limit,
            );
            let total = problem.test_cases().len() as u32;
            JobResult {
                verdict: report.verdict,
                compile_output: report
                    .compile
                    .as_ref()
                    .filter(|c| !c.success)
                    .map(|c| c.output.clone())
                    .unwrap_or_default(),
                passed: report
                    .tests
                    .iter()
                    .filter(|t| t.verdict == Verdict::Accepted)
                    .count() as u32,
                total,
                score: report.score,
                time_ms: report.max_time_ms,
                memory_bytes: report.max_memory_bytes,
                error: (report.verdict == Verdict::InternalError)
                    .then(|| report.message.clone())
                    .flatten(),
                tests: report
                    .tests
                    .iter()
                    .map(|t| TestOutcome {
                        name: t.name.clone(),
                        verdict: t.verdict,
                        time_ms: t.time_ms,
                        memory_bytes: t.memory_bytes,
                    })
                    .collect(),
                ..base
            }
        }
        (Task::Run { stdin }, _) => {
            let run = judge.run_custom(
                language,
                original,
                job.source.as_bytes(),
                stdin.as_bytes(),
                limits,
            );
            JobResult {
                verdict: run.verdict,
                compile_output: run
                    .compile
                    .as_ref()
                    .filter(|c| !c.success)
                    .map(|c| c.output.clone())
                    .unwrap_or_default(),
                run: run
                    .compile
                    .as_ref()
                    .is_none_or(|c| c.success)
                    .then(|| RunOutput {
                        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
                        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
                        exit_code: run.exit_code,
                        signal: run.signal,
                        stdout_truncated: run.stdout_truncated,
                    }),
                time_ms: run.time_ms,
                memory_bytes: run.memory_bytes,
                error: (run.verdict == Verdict::InternalError)
                    .then(|| run.message.clone())
                    .flatten(),
                ..base
            }
        }
        (Task::Judge { .. }, None) => JobResult {
            error: Some("no problem package".into()),
            ..base
        },
    };
    result.finished_at_ms = now_ms();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_cache_must_be_a_real_directory_of_this_user() {
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("a/b");
        private_dir(&fresh).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        let link = root.path().join("link");
        std::os::unix::fs::symlink(&fresh, &link).unwrap();
        assert!(private_dir(&link).is_err(), "a symlink is refused");

        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            let foreign = root.path().join("foreign");
            std::fs::create_dir(&foreign).unwrap();
            std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).unwrap();
            assert!(
                private_dir(&foreign).is_err(),
                "someone else's directory is refused"
            );
        }
    }
}
