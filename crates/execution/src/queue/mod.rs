//! The durable hand-off between the API and the sandbox workers, and the way results go
//! out: [`JobQueue`], execution's topology on a [`MessageBroker`] (RabbitMQ in cluster
//! mode, in process memory in embedded mode).
//!
//! - exchange `execution.jobs` (direct) → queue `execution.jobs` (priority, routing key
//!   `job`): judge jobs above custom runs, so a flood of runs cannot starve battles;
//!   what workers give up on goes to `execution.dead`;
//! - exchange and queue `execution.dead` (fanout): jobs given up on, kept for operators;
//! - exchange `execution.results` (fanout): every result; a service that must see every
//!   result (battle) subscribes with a durable queue of its own
//!   ([`JobQueue::subscribe_results`]), observers watch ([`JobQueue::watch_results`]).
//!
//! Workers take at most as many jobs as they have free sandbox slots and acknowledge a job
//! only after its result is published.

use std::sync::Arc;

use contracts::execution::{JobResult, JudgeJob, Task};
use contracts::names;
use platform::messaging::{
    Delivery, ExchangeKind, MessageBroker, Outgoing, Queue, QueueError, Topology,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const ROUTING_KEY: &str = "job";
/// Highest job priority (judge jobs); runs get 1.
const MAX_PRIORITY: u8 = 10;

/// Priority of a job: judge jobs (battles) first.
pub fn priority(job: &JudgeJob) -> u8 {
    match job.task {
        Task::Judge { .. } => 5,
        Task::Run { .. } => 1,
    }
}

fn topology() -> Topology {
    Topology::default()
        .exchange(names::EXECUTION_DEAD, ExchangeKind::Fanout)
        .queue(Queue {
            name: names::EXECUTION_DEAD.into(),
            ..Queue::default()
        })
        .bind(names::EXECUTION_DEAD, names::EXECUTION_DEAD, "")
        .exchange(names::EXECUTION_JOBS, ExchangeKind::Direct)
        .queue(Queue {
            name: names::EXECUTION_JOBS.into(),
            max_priority: Some(MAX_PRIORITY),
            dead_letter_exchange: Some(names::EXECUTION_DEAD.into()),
        })
        .bind(names::EXECUTION_JOBS, names::EXECUTION_JOBS, ROUTING_KEY)
        .exchange(names::EXECUTION_RESULTS, ExchangeKind::Fanout)
}

#[derive(Clone)]
pub struct JobQueue {
    broker: Arc<dyn MessageBroker>,
}

impl JobQueue {
    /// Declares execution's exchanges and queues on `broker`.
    pub async fn new(broker: Arc<dyn MessageBroker>) -> Result<Self, QueueError> {
        broker.declare(&topology()).await?;
        Ok(Self { broker })
    }

    /// Queues a job durably: returns once the broker has it safe.
    #[tracing::instrument(skip_all, fields(job_id = %job.id))]
    pub async fn publish_job(&self, job: &JudgeJob) -> Result<(), QueueError> {
        let payload = serde_json::to_vec(job)?;
        let id = job.id.to_string();
        let message = Outgoing {
            priority: priority(job),
            // A job no queue took is not safe.
            mandatory: true,
            ..Outgoing::new(&payload, &id)
        };
        self.broker
            .publish(names::EXECUTION_JOBS, ROUTING_KEY, message)
            .await
    }

    /// Publishes a result to everyone subscribed to results.
    #[tracing::instrument(skip_all, fields(job_id = %result.job_id))]
    pub async fn publish_result(&self, result: &JobResult) -> Result<(), QueueError> {
        let payload = serde_json::to_vec(result)?;
        let id = result.job_id.to_string();
        // Fanout: a results exchange without subscribers is not an error.
        self.broker
            .publish(names::EXECUTION_RESULTS, "", Outgoing::new(&payload, &id))
            .await
    }

    /// Jobs for a worker with `prefetch` slots.
    pub fn consume_jobs(
        &self,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> mpsc::Receiver<Delivery> {
        self.broker
            .consume(names::EXECUTION_JOBS, prefetch, shutdown)
    }

    /// Every result, through `subscriber`'s own durable queue: results published while it
    /// is away wait for it; each is gone once acknowledged. Payloads are [`JobResult`]s.
    pub async fn subscribe_results(
        &self,
        subscriber: &str,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> Result<mpsc::Receiver<Delivery>, QueueError> {
        let queue = names::subscriber_queue(names::EXECUTION_RESULTS, subscriber);
        self.broker
            .subscribe(names::EXECUTION_RESULTS, &queue, prefetch, shutdown)
            .await
    }

    /// Results published from now on while the receiver lives, nothing kept while it is
    /// away: for observers (tests, benchmarks, dashboards).
    pub async fn watch_results(&self) -> Result<mpsc::UnboundedReceiver<JobResult>, QueueError> {
        let mut raw = self.broker.watch(names::EXECUTION_RESULTS).await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(payload) = raw.recv().await {
                match serde_json::from_slice::<JobResult>(&payload) {
                    Ok(result) => {
                        if tx.send(result).is_err() {
                            return;
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "undecodable result"),
                }
            }
        });
        Ok(rx)
    }

    /// Jobs waiting to be taken.
    pub async fn queue_depth(&self) -> Result<u64, QueueError> {
        self.broker.depth(names::EXECUTION_JOBS).await
    }

    /// Jobs given up on, waiting in the dead-letter queue.
    pub async fn dead_letters(&self) -> Result<u64, QueueError> {
        self.broker.depth(names::EXECUTION_DEAD).await
    }

    /// Readiness.
    pub async fn ping(&self) -> Result<(), QueueError> {
        self.broker.ping().await
    }
}
