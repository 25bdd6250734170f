//! Accepting jobs and reading their state, free of HTTP.

use std::sync::Arc;
use std::time::{Duration, Instant};

use contracts::execution::{JudgeJob, Task};
use serde::Serialize;
use uuid::Uuid;

use platform::messaging::QueueError;

use crate::queue::JobQueue;
use crate::settings::ExecutionSettings;
use crate::store::{JobRecord, JobState, JobStore, StoreError, now_ms};

/// A language workers can run, as the API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Language)]
pub struct LanguageInfo {
    pub id: String,
    pub name: String,
    pub version: String,
    pub extensions: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("the source is {0} bytes; the limit is {1}")]
    SourceTooLarge(usize, usize),
    #[error("the input is {0} bytes; the limit is {1}")]
    StdinTooLarge(usize, usize),
    #[error("empty source")]
    EmptySource,
    #[error("unknown language {0:?}")]
    UnknownLanguage(String),
    #[error("{0:?} is not a package hash (64 hex digits)")]
    BadHash(String),
    #[error("{0} jobs are already running for this user")]
    TooManyJobs(u32),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct ExecutionService {
    /// Requests allowed to hold a long-poll at once; beyond it they answer at once.
    waiters: tokio::sync::Semaphore,
    settings: ExecutionSettings,
    store: Arc<dyn JobStore>,
    queue: JobQueue,
    languages: Vec<LanguageInfo>,
}

impl ExecutionService {
    pub fn new(
        settings: ExecutionSettings,
        store: Arc<dyn JobStore>,
        queue: JobQueue,
        languages: Vec<LanguageInfo>,
    ) -> Self {
        Self {
            waiters: tokio::sync::Semaphore::new(settings.max_waiting_requests),
            settings,
            store,
            queue,
            languages,
        }
    }

    pub fn settings(&self) -> &ExecutionSettings {
        &self.settings
    }

    pub fn languages(&self) -> &[LanguageInfo] {
        &self.languages
    }

    /// Validates and queues a job. When this returns the job is durably queued; when it
    /// fails nothing is left behind (the in-flight slot is given back).
    #[tracing::instrument(skip(self, source, task), fields(kind = task.kind()))]
    pub async fn submit(
        &self,
        owner: Uuid,
        language: &str,
        source: String,
        task: Task,
    ) -> Result<Uuid, SubmitError> {
        let cap = self.settings.max_jobs_in_flight_per_user;
        let id = Uuid::now_v7();
        self.admit(id, owner, language, source, task, cap).await?;
        Ok(id)
    }

    /// A job sent by another service (battle) on behalf of `owner`, under the id it chose
    /// (how it matches the result); the caller limits its own jobs, so the per-user cap
    /// for players' runs does not apply.
    #[tracing::instrument(skip(self, source, task), fields(kind = task.kind()))]
    pub async fn submit_for_service(
        &self,
        id: Uuid,
        owner: Uuid,
        language: &str,
        source: String,
        task: Task,
    ) -> Result<(), SubmitError> {
        self.admit(id, owner, language, source, task, u32::MAX)
            .await
    }

    async fn admit(
        &self,
        id: Uuid,
        owner: Uuid,
        language: &str,
        source: String,
        task: Task,
        cap: u32,
    ) -> Result<(), SubmitError> {
        if source.len() > self.settings.max_source_bytes {
            return Err(SubmitError::SourceTooLarge(
                source.len(),
                self.settings.max_source_bytes,
            ));
        }
        if source.trim().is_empty() {
            return Err(SubmitError::EmptySource);
        }
        match &task {
            Task::Run { stdin } if stdin.len() > self.settings.max_stdin_bytes => {
                return Err(SubmitError::StdinTooLarge(
                    stdin.len(),
                    self.settings.max_stdin_bytes,
                ));
            }
            Task::Judge { problem_hash, .. } if !is_hash(problem_hash) => {
                return Err(SubmitError::BadHash(problem_hash.clone()));
            }
            _ => {}
        }
        if !self.languages.iter().any(|l| l.id == language) {
            return Err(SubmitError::UnknownLanguage(language.to_owned()));
        }
        let job = JudgeJob {
            id,
            owner,
            language: language.to_owned(),
            source,
            task,
            submitted_at_ms: now_ms(),
        };
        let record = JobRecord {
            id: job.id,
            owner,
            kind: job.task.kind().to_owned(),
            language: job.language.clone(),
            state: JobState::Queued,
            submitted_at_ms: job.submitted_at_ms,
            result: None,
        };
        if !self.store.admit(&record, cap).await? {
            return Err(SubmitError::TooManyJobs(cap));
        }
        if let Err(e) = self.queue.publish_job(&job).await {
            if let Err(undo) = self.store.withdraw(job.id, owner).await {
                tracing::error!(error = %undo, job = %job.id, "cannot withdraw an unqueued job");
            }
            return Err(e.into());
        }
        metrics::counter!(crate::metrics::JOBS_SUBMITTED, "kind" => job.task.kind(), "language" => job.language.clone()).increment(1);
        Ok(())
    }

    /// The job if it exists and belongs to `owner`, waiting up to `wait` for it to finish.
    pub async fn job(
        &self,
        owner: Uuid,
        id: Uuid,
        wait: Duration,
    ) -> Result<Option<JobRecord>, StoreError> {
        let permit = if wait.is_zero() {
            None
        } else {
            self.waiters.try_acquire().ok()
        };
        let wait = match permit {
            Some(_) => wait.min(Duration::from_secs(self.settings.max_wait_secs)),
            None => Duration::ZERO,
        };
        let deadline = Instant::now() + wait;
        let mut pause = Duration::from_millis(20);
        loop {
            let record = self.store.get(id).await?.filter(|r| r.owner == owner);
            let finished = record.as_ref().is_none_or(|r| r.state == JobState::Done);
            if finished || Instant::now() >= deadline {
                drop(permit);
                return Ok(record);
            }
            tokio::time::sleep(pause.min(deadline.saturating_duration_since(Instant::now()))).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }
}

fn is_hash(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}
