//! Sandbox workers: take jobs from the broker, judge them, store and publish the result,
//! then acknowledge.
//!
//! The order is what makes delivery safe: a job is acknowledged only after its result is
//! stored and published, so a worker that dies mid-job leaves it to be delivered again.
//! The store keeps the first result of a job ([`JobStore::finish`]), and a redelivered
//! job that already has one is only published again, never judged twice into a second,
//! different result. Internal failures put the job back for another try, up to
//! `max_attempts` deliveries; then it ends as IE and goes to the dead-letter queue.

use std::sync::Arc;
use std::time::{Duration, Instant};

use contracts::execution::{JobResult, JudgeJob, Verdict};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::engine::Engine;
use platform::messaging::Delivery;

use crate::queue::JobQueue;
use crate::settings::ExecutionSettings;
use crate::store::{JobStore, now_ms};

pub use crate::metrics::{BUSY_SLOTS, QUEUE_DEPTH};
use crate::metrics::{DEAD_LETTERS, JOBS, QUEUE_WAIT, RUN_DURATION};

pub struct Workers {
    pub store: Arc<dyn JobStore>,
    pub queue: JobQueue,
    pub engine: Arc<Engine>,
    pub settings: ExecutionSettings,
}

impl Workers {
    /// Runs `slots` sandbox slots until `shutdown`; returns when the last job has settled.
    pub fn spawn(self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let slots = self.engine.slots();
        let this = Arc::new(self);
        tokio::spawn(report_queue_depth(this.queue.clone(), shutdown.clone()));
        tokio::spawn(async move {
            if slots == 0 {
                return;
            }
            let prefetch = u16::try_from(slots).unwrap_or(u16::MAX);
            let mut deliveries = this.queue.consume_jobs(prefetch, shutdown.clone());
            let mut running = tokio::task::JoinSet::new();
            loop {
                let delivery = tokio::select! {
                    delivery = deliveries.recv() => delivery,
                    () = shutdown.cancelled() => None,
                };
                let Some(delivery) = delivery else { break };
                let this = this.clone();
                running.spawn(async move { this.handle(delivery).await });
                while running.try_join_next().is_some() {}
            }
            // Shutdown: let jobs in hand finish and settle, then let the broker go (jobs
            // still buffered and never started go back to the queue).
            while running.join_next().await.is_some() {}
            drop(deliveries);
        })
    }

    async fn handle(&self, delivery: Delivery) {
        let job: JudgeJob = match serde_json::from_slice(&delivery.payload) {
            Ok(job) => job,
            Err(e) => {
                tracing::error!(error = %e, "undecodable job; dead-lettering it");
                if let Err(e) = delivery.ack.dead_letter().await {
                    tracing::warn!(error = %e, "cannot dead-letter");
                }
                return;
            }
        };
        let span = tracing::info_span!("job", job_id = %job.id, kind = job.task.kind(), language = %job.language);
        let busy = metrics::gauge!(BUSY_SLOTS);
        busy.increment(1.0);
        self.settle(job, delivery).instrument(span).await;
        busy.decrement(1.0);
    }

    async fn settle(&self, job: JudgeJob, delivery: Delivery) {
        // Already judged (a redelivery after a crash between storing and acking): only
        // publish what is stored.
        match self.store.get(job.id).await {
            Ok(Some(record)) if record.result.is_some() => {
                if let Some(result) = record.result {
                    self.publish_and_ack(result, delivery).await;
                }
                return;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "job store unavailable; putting the job back");
                retry(delivery).await;
                return;
            }
        }
        let attempts = match self.store.count_attempt(job.id).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "job store unavailable; putting the job back");
                retry(delivery).await;
                return;
            }
        };
        if attempts > self.settings.max_attempts {
            let result = internal_error(&job, format!("gave up after {} attempts", attempts - 1));
            count_job(&job, Verdict::InternalError);
            self.finish(result, delivery, true).await;
            return;
        }
        if let Err(e) = self.store.mark_running(job.id).await {
            tracing::warn!(error = %e, "cannot mark the job running");
        }
        let waited = now_ms().saturating_sub(job.submitted_at_ms).max(0) as f64 / 1000.0;
        metrics::histogram!(QUEUE_WAIT, "kind" => job.task.kind()).record(waited);
        let started = Instant::now();
        match self.engine.execute(&job).await {
            Ok(result) => {
                metrics::histogram!(RUN_DURATION, "kind" => job.task.kind(), "language" => job.language.clone())
                    .record(started.elapsed().as_secs_f64());
                count_job(&job, result.verdict);
                self.finish(result, delivery, false).await;
            }
            Err(reason) => {
                tracing::warn!(%reason, attempts, "internal failure; the job will be retried");
                if attempts >= self.settings.max_attempts {
                    let result = internal_error(
                        &job,
                        format!("internal failure after {attempts} attempts: {reason}"),
                    );
                    count_job(&job, Verdict::InternalError);
                    self.finish(result, delivery, true).await;
                } else {
                    retry(delivery).await;
                }
            }
        }
    }

    /// Stores the result (or learns the one stored first), publishes it, then settles the
    /// delivery: ack, or dead-letter when the job was given up on.
    async fn finish(&self, result: JobResult, delivery: Delivery, give_up: bool) {
        let stored = match self.store.finish(&result).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(error = %e, "cannot store the result; putting the job back");
                retry(delivery).await;
                return;
            }
        };
        if give_up {
            if let Err(e) = self.queue.publish_result(&stored).await {
                tracing::warn!(error = %e, "cannot publish the result; putting the job back");
                retry(delivery).await;
                return;
            }
            if let Err(e) = delivery.ack.dead_letter().await {
                tracing::warn!(error = %e, "cannot dead-letter the job");
            }
            return;
        }
        self.publish_and_ack(stored, delivery).await;
    }

    async fn publish_and_ack(&self, result: JobResult, delivery: Delivery) {
        let mut pause = Duration::from_millis(100);
        for attempt in 1..=5 {
            match self.queue.publish_result(&result).await {
                Ok(()) => {
                    if let Err(e) = delivery.ack.ack().await {
                        // The job comes back; its stored result is then published again.
                        tracing::warn!(error = %e, "cannot ack; the job will be redelivered");
                    }
                    return;
                }
                Err(e) if attempt < 5 => {
                    tracing::warn!(error = %e, attempt, "cannot publish the result yet");
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cannot publish the result; putting the job back");
                }
            }
        }
        retry(delivery).await;
    }
}

/// Jobs finished, by kind, language and verdict.
fn count_job(job: &JudgeJob, verdict: Verdict) {
    metrics::counter!(
        JOBS,
        "kind" => job.task.kind(),
        "language" => job.language.clone(),
        "verdict" => verdict.code(),
    )
    .increment(1);
}

async fn retry(delivery: Delivery) {
    if let Err(e) = delivery.ack.retry().await {
        // The channel is gone: the broker redelivers unacknowledged jobs by itself.
        tracing::warn!(error = %e, "cannot requeue; the broker will redeliver");
    }
}

pub fn internal_error(job: &JudgeJob, error: String) -> JobResult {
    JobResult {
        error: Some(error),
        finished_at_ms: now_ms(),
        ..JobResult::for_job(job, Verdict::InternalError)
    }
}

/// Samples the depths of the job queue and of the dead-letter queue into gauges every
/// few seconds.
async fn report_queue_depth(queue: JobQueue, shutdown: CancellationToken) {
    loop {
        if let Ok(depth) = queue.queue_depth().await {
            metrics::gauge!(QUEUE_DEPTH).set(depth as f64);
        }
        if let Ok(dead) = queue.dead_letters().await {
            metrics::gauge!(DEAD_LETTERS).set(dead as f64);
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
            () = shutdown.cancelled() => return,
        }
    }
}
