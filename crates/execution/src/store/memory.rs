//! [`JobStore`] in process memory: lost with the process, for tests and tools
//! (embedded mode uses [`SqliteJobStore`](super::SqliteJobStore)).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use contracts::execution::JobResult;
use uuid::Uuid;

use super::{JobRecord, JobState, JobStore, QUEUED_TTL, STALE_IN_FLIGHT_MS, StoreError, now_ms};

#[derive(Default)]
struct Inner {
    /// Record, deliveries so far, expiry.
    jobs: HashMap<Uuid, (JobRecord, u32, Instant)>,
    /// Deliveries of jobs that have no record (published by another path).
    attempts: HashMap<Uuid, (u32, Instant)>,
}

pub struct MemoryJobStore {
    ttl: Duration,
    inner: Mutex<Inner>,
}

impl MemoryJobStore {
    pub fn new(result_ttl: Duration) -> Self {
        Self {
            ttl: result_ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait::async_trait]
impl JobStore for MemoryJobStore {
    async fn admit(&self, job: &JobRecord, max_in_flight: u32) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let now = Instant::now();
        inner.jobs.retain(|_, (_, _, expires)| *expires > now);
        inner.attempts.retain(|_, (_, expires)| *expires > now);
        let stale_before = now_ms() - STALE_IN_FLIGHT_MS;
        let in_flight = inner
            .jobs
            .values()
            .filter(|(r, _, _)| {
                r.owner == job.owner
                    && r.state != JobState::Done
                    && r.submitted_at_ms > stale_before
            })
            .count();
        if in_flight as u32 >= max_in_flight {
            return Ok(false);
        }
        inner
            .jobs
            .insert(job.id, (job.clone(), 0, now + self.ttl.max(QUEUED_TTL)));
        Ok(true)
    }

    async fn withdraw(&self, id: Uuid, _owner: Uuid) -> Result<(), StoreError> {
        self.lock().jobs.remove(&id);
        Ok(())
    }

    async fn mark_running(&self, id: Uuid) -> Result<(), StoreError> {
        if let Some((record, _, _)) = self.lock().jobs.get_mut(&id)
            && record.state == JobState::Queued
        {
            record.state = JobState::Running;
        }
        Ok(())
    }

    async fn finish(&self, result: &JobResult) -> Result<JobResult, StoreError> {
        let mut inner = self.lock();
        let expires = Instant::now() + self.ttl;
        let entry = inner.jobs.entry(result.job_id).or_insert_with(|| {
            (
                JobRecord {
                    id: result.job_id,
                    owner: result.owner,
                    kind: result.kind.clone(),
                    language: String::new(),
                    state: JobState::Done,
                    submitted_at_ms: now_ms(),
                    result: None,
                },
                0,
                expires,
            )
        });
        let record = &mut entry.0;
        if let Some(existing) = &record.result {
            return Ok(existing.clone());
        }
        record.state = JobState::Done;
        record.result = Some(result.clone());
        entry.2 = expires;
        Ok(result.clone())
    }

    async fn get(&self, id: Uuid) -> Result<Option<JobRecord>, StoreError> {
        let now = Instant::now();
        Ok(self
            .lock()
            .jobs
            .get(&id)
            .filter(|(_, _, expires)| *expires > now)
            .map(|(r, _, _)| r.clone()))
    }

    async fn count_attempt(&self, id: Uuid) -> Result<u32, StoreError> {
        let mut inner = self.lock();
        match inner.jobs.get_mut(&id) {
            Some((_, attempts, _)) => {
                *attempts += 1;
                Ok(*attempts)
            }
            None => {
                let expires = Instant::now() + self.ttl.max(QUEUED_TTL);
                let entry = inner.attempts.entry(id).or_insert((0, expires));
                entry.0 += 1;
                Ok(entry.0)
            }
        }
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
