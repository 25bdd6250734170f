//! [`JobStore`] in Redis, shared by every execution replica (cluster mode).
//!
//! Keys (all under the deployment prefix):
//! - `execution:job:{id}`: hash with `record` (JSON), `result` (JSON, once), `attempts`;
//!   expires after the result TTL;
//! - `execution:job:inflight:{owner}`: sorted set of the owner's unfinished job ids, by
//!   submission time;
//!
//! Admission and finishing are Lua scripts, so each is one atomic step.

use std::time::Duration;

use ::redis::Script;
use ::redis::aio::ConnectionManager;
use contracts::execution::JobResult;
use contracts::names;
use uuid::Uuid;

use super::{JobRecord, JobStore, QUEUED_TTL, STALE_IN_FLIGHT_MS, StoreError, now_ms, stored_job};

pub struct RedisJobStore {
    conn: ConnectionManager,
    prefix: String,
    ttl: Duration,
    admit: Script,
    finish: Script,
}

/// KEYS: record, inflight. ARGV: id, record json, now, stale_before, max, ttl_ms.
const ADMIT: &str = r#"
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  return 0
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('HSET', KEYS[1], 'record', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
"#;

/// KEYS: record, inflight. ARGV: id, result json, ttl_ms. Returns the stored result.
const FINISH: &str = r#"
local existing = redis.call('HGET', KEYS[1], 'result')
if existing then
  return existing
end
redis.call('HSET', KEYS[1], 'result', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
return ARGV[2]
"#;

impl RedisJobStore {
    pub fn new(conn: ConnectionManager, prefix: &str, result_ttl: Duration) -> Self {
        Self {
            conn,
            prefix: prefix.to_owned(),
            ttl: result_ttl,
            admit: Script::new(ADMIT),
            finish: Script::new(FINISH),
        }
    }

    fn job_key(&self, id: Uuid) -> String {
        names::prefixed(
            &self.prefix,
            &format!("{}:{id}", names::EXECUTION_JOBS_STATE),
        )
    }

    fn inflight_key(&self, owner: Uuid) -> String {
        names::prefixed(
            &self.prefix,
            &format!("{}:inflight:{owner}", names::EXECUTION_JOBS_STATE),
        )
    }

    fn ttl_ms(&self) -> u64 {
        self.ttl.as_millis().max(1) as u64
    }

    /// Unfinished jobs are kept at least a day, however long the queue.
    fn queued_ttl_ms(&self) -> u64 {
        self.ttl_ms().max(QUEUED_TTL.as_millis() as u64)
    }
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

#[async_trait::async_trait]
impl JobStore for RedisJobStore {
    async fn admit(&self, job: &JobRecord, max_in_flight: u32) -> Result<bool, StoreError> {
        let record = serde_json::to_string(job).map_err(corrupt)?;
        let mut conn = self.conn.clone();
        let admitted: i64 = self
            .admit
            .key(self.job_key(job.id))
            .key(self.inflight_key(job.owner))
            .arg(job.id.to_string())
            .arg(record)
            .arg(job.submitted_at_ms)
            .arg(now_ms() - STALE_IN_FLIGHT_MS)
            .arg(max_in_flight)
            .arg(self.queued_ttl_ms())
            .invoke_async(&mut conn)
            .await?;
        Ok(admitted == 1)
    }

    async fn withdraw(&self, id: Uuid, owner: Uuid) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        ::redis::pipe()
            .atomic()
            .del(self.job_key(id))
            .ignore()
            .zrem(self.inflight_key(owner), id.to_string())
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn mark_running(&self, id: Uuid) -> Result<(), StoreError> {
        let key = self.job_key(id);
        let mut conn = self.conn.clone();
        ::redis::pipe()
            .hset(&key, "running", 1)
            .ignore()
            .pexpire(&key, self.queued_ttl_ms() as i64)
            .ignore()
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    async fn finish(&self, result: &JobResult) -> Result<JobResult, StoreError> {
        let json = serde_json::to_string(result).map_err(corrupt)?;
        let mut conn = self.conn.clone();
        let stored: String = self
            .finish
            .key(self.job_key(result.job_id))
            .key(self.inflight_key(result.owner))
            .arg(result.job_id.to_string())
            .arg(json)
            .arg(self.ttl_ms())
            .invoke_async(&mut conn)
            .await?;
        serde_json::from_str(&stored).map_err(corrupt)
    }

    async fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        let mut conn = self.conn.clone();
        let (record, running, result): (Option<String>, Option<i64>, Option<String>) =
            ::redis::cmd("HMGET")
                .arg(self.job_key(id))
                .arg("record")
                .arg("running")
                .arg("result")
                .query_async(&mut conn)
                .await?;
        stored_job(record, running.is_some(), result)
    }

    async fn count_attempt(&self, id: Uuid) -> Result<u32, StoreError> {
        let key = self.job_key(id);
        let mut conn = self.conn.clone();
        let (attempts,): (u32,) = ::redis::pipe()
            .hincr(&key, "attempts", 1)
            .pexpire(&key, self.queued_ttl_ms() as i64)
            .ignore()
            .query_async(&mut conn)
            .await?;
        Ok(attempts)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        ::redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await?;
        Ok(())
    }
}
