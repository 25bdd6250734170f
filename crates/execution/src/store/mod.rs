//! Job records, cached results and per-user in-flight counts:
//! [`JobStore`], in Redis (cluster), in the embedded SQLite file (embedded) or in memory
//! (tests). All pass the suite in `tests/suites/store.rs`.

mod memory;
mod redis;
mod sqlite;

pub use memory::MemoryJobStore;
pub use redis::RedisJobStore;
pub use sqlite::SqliteJobStore;

use contracts::execution::JobResult;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
}

/// A job as `GET /api/execution/jobs/{id}` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobRecord {
    pub id: Uuid,
    pub owner: Uuid,
    /// `run` or `judge`.
    pub kind: String,
    pub language: String,
    pub state: JobState,
    /// Unix milliseconds when the job was accepted.
    pub submitted_at_ms: i64,
    /// Set once the job is done.
    pub result: Option<JobResult>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("the embedded database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// A job as a store keeps it — its record and result as JSON, whether a worker has it — as
/// `get` answers it. A job that ran without a record (its result published while its
/// admission was being undone, or by another path) is described by its result; one with
/// neither is unknown.
pub(crate) fn stored_job(
    record: Option<String>,
    running: bool,
    result: Option<String>,
) -> Result<Option<JobRecord>, StoreError> {
    let result: Option<JobResult> = result.map(|r| serde_json::from_str(&r)).transpose()?;
    let mut record: JobRecord = match (record, &result) {
        (Some(record), _) => serde_json::from_str(&record)?,
        (None, Some(result)) => JobRecord {
            id: result.job_id,
            owner: result.owner,
            kind: result.kind.clone(),
            language: String::new(),
            state: JobState::Done,
            submitted_at_ms: result.started_at_ms,
            result: None,
        },
        (None, None) => return Ok(None),
    };
    record.state = match (&result, running) {
        (Some(_), _) => JobState::Done,
        (None, true) => JobState::Running,
        (None, false) => JobState::Queued,
    };
    record.result = result;
    Ok(Some(record))
}

#[async_trait::async_trait]
pub trait JobStore: Send + Sync {
    /// Records a new queued job, unless its owner already has `max_in_flight` unfinished
    /// jobs; false means refused. Atomic: concurrent submissions cannot overshoot.
    async fn admit(&self, job: &JobRecord, max_in_flight: u32) -> Result<bool, StoreError>;

    /// Forgets an admitted job that could not be queued.
    async fn withdraw(&self, id: Uuid, owner: Uuid) -> Result<(), StoreError>;

    async fn mark_running(&self, id: Uuid) -> Result<(), StoreError>;

    /// Stores `result` unless the job already has one, and returns the one that is stored:
    /// a job has exactly one result, however often it was delivered. Frees the owner's
    /// in-flight slot.
    async fn finish(&self, result: &JobResult) -> Result<JobResult, StoreError>;

    async fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError>;

    /// Counts one delivery of the job and returns the count so far.
    async fn count_attempt(&self, id: Uuid) -> Result<u32, StoreError>;

    /// Checks the store answers (readiness).
    async fn ping(&self) -> Result<(), StoreError>;
}

/// A job that has been in flight this long no longer counts against its owner's cap
/// (its worker died and the job is lost or still being retried).
pub const STALE_IN_FLIGHT_MS: i64 = 10 * 60 * 1000;

/// How long an unfinished job's record is kept, at least (results then keep theirs).
pub const QUEUED_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

pub use platform::clock::now_ms;
