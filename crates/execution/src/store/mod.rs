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
