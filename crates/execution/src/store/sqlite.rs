//! [`JobStore`] in the embedded SQLite file (embedded mode): job records, first-wins
//! results and delivery counts survive a restart, so a job accepted before it is still
//! readable (and, once run, done) after it.
//!
//! One table, `execution_jobs` (`migrations/`, its own migrations table since the file is
//! shared). Admission and finishing each read and write in one transaction begun with
//! `BEGIN IMMEDIATE` (SQLite's write lock first), so concurrent admissions cannot
//! overshoot the cap and a job keeps its first result. Expired rows are deleted by
//! admissions; reads ignore them.

use std::time::Duration;

use contracts::execution::JobResult;
use sqlx::sqlite::SqlitePool;
use uuid::Uuid;

use super::{JobRecord, JobStore, QUEUED_TTL, STALE_IN_FLIGHT_MS, StoreError, now_ms, stored_job};

/// The migrations table of execution (the SQLite file is shared with other services).
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_execution";

const EXPIRE: &str = "DELETE FROM execution_jobs WHERE expires_at_ms <= $1";

const IN_FLIGHT: &str = "SELECT count(*) FROM execution_jobs \
     WHERE owner = $1 AND record IS NOT NULL AND result IS NULL AND submitted_at_ms > $2";

const ADMIT: &str = "INSERT INTO execution_jobs \
       (id, owner, record, submitted_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, record = excluded.record, \
       submitted_at_ms = excluded.submitted_at_ms, \
       expires_at_ms = max(expires_at_ms, excluded.expires_at_ms)";

const WITHDRAW: &str = "DELETE FROM execution_jobs WHERE id = $1";

const MARK_RUNNING: &str = "UPDATE execution_jobs \
     SET running = 1, expires_at_ms = max(expires_at_ms, $2) WHERE id = $1";

const STORED_RESULT: &str =
    "SELECT result FROM execution_jobs WHERE id = $1 AND result IS NOT NULL AND expires_at_ms > $2";

const FINISH: &str = "INSERT INTO execution_jobs \
       (id, owner, result, submitted_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (id) DO UPDATE SET result = excluded.result, \
       expires_at_ms = excluded.expires_at_ms";

const GET: &str = "SELECT record, running, result FROM execution_jobs \
     WHERE id = $1 AND expires_at_ms > $2";

const COUNT_ATTEMPT: &str = "INSERT INTO execution_jobs \
       (id, owner, attempts, submitted_at_ms, expires_at_ms) VALUES ($1, '', 1, $2, $3) \
     ON CONFLICT (id) DO UPDATE SET attempts = attempts + 1, \
       expires_at_ms = max(expires_at_ms, excluded.expires_at_ms) \
     RETURNING attempts";

pub struct SqliteJobStore {
    pool: SqlitePool,
    ttl: Duration,
}

impl SqliteJobStore {
    /// Creates (or migrates) the table in `pool`'s database.
    pub async fn new(pool: SqlitePool, result_ttl: Duration) -> Result<Self, StoreError> {
        let mut migrator = sqlx::migrate!("./migrations");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await.map_err(sqlx::Error::from)?;
        Ok(Self {
            pool,
            ttl: result_ttl,
        })
    }

    fn ttl_ms(&self) -> i64 {
        i64::try_from(self.ttl.as_millis())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    /// Unfinished jobs are kept at least a day, however long the queue.
    fn queued_ttl_ms(&self) -> i64 {
        self.ttl_ms()
            .max(i64::try_from(QUEUED_TTL.as_millis()).unwrap_or(i64::MAX))
    }
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

#[async_trait::async_trait]
impl JobStore for SqliteJobStore {
    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %job.id))]
    async fn admit(&self, job: &JobRecord, max_in_flight: u32) -> Result<bool, StoreError> {
        let record = serde_json::to_string(job).map_err(corrupt)?;
        let now = now_ms();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(EXPIRE).bind(now).execute(&mut *tx).await?;
        let in_flight: i64 = sqlx::query_scalar(IN_FLIGHT)
            .bind(job.owner.to_string())
            .bind(now - STALE_IN_FLIGHT_MS)
            .fetch_one(&mut *tx)
            .await?;
        if in_flight >= i64::from(max_in_flight) {
            return Ok(false);
        }
        sqlx::query(ADMIT)
            .bind(job.id.to_string())
            .bind(job.owner.to_string())
            .bind(record)
            .bind(job.submitted_at_ms)
            .bind(now.saturating_add(self.queued_ttl_ms()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn withdraw(&self, id: Uuid, _owner: Uuid) -> Result<(), StoreError> {
        sqlx::query(WITHDRAW)
            .bind(id.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn mark_running(&self, id: Uuid) -> Result<(), StoreError> {
        sqlx::query(MARK_RUNNING)
            .bind(id.to_string())
            .bind(now_ms().saturating_add(self.queued_ttl_ms()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(job_id = %result.job_id))]
    async fn finish(&self, result: &JobResult) -> Result<JobResult, StoreError> {
        let json = serde_json::to_string(result).map_err(corrupt)?;
        let id = result.job_id.to_string();
        let now = now_ms();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let stored: Option<String> = sqlx::query_scalar(STORED_RESULT)
            .bind(&id)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(stored) = stored {
            return serde_json::from_str(&stored).map_err(corrupt);
        }
        sqlx::query(FINISH)
            .bind(&id)
            .bind(result.owner.to_string())
            .bind(json)
            .bind(result.started_at_ms)
            .bind(now.saturating_add(self.ttl_ms()))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(result.clone())
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        let row: Option<(Option<String>, i64, Option<String>)> = sqlx::query_as(GET)
            .bind(id.to_string())
            .bind(now_ms())
            .fetch_optional(&self.pool)
            .await?;
        let Some((record, running, result)) = row else {
            return Ok(None);
        };
        stored_job(record, running != 0, result)
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn count_attempt(&self, id: Uuid) -> Result<u32, StoreError> {
        let now = now_ms();
        let attempts: i64 = sqlx::query_scalar(COUNT_ATTEMPT)
            .bind(id.to_string())
            .bind(now)
            .bind(now.saturating_add(self.queued_ttl_ms()))
            .fetch_one(&self.pool)
            .await?;
        Ok(u32::try_from(attempts).unwrap_or(u32::MAX))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
