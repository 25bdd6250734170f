//! The durable hand-off between the API and the sandbox workers: [`Broker`], on RabbitMQ
//! (cluster) or in process memory (embedded).
//!
//! Jobs are published with a priority (judge jobs above custom runs, so a flood of runs
//! cannot starve battles); workers take at most as many as they have free sandbox slots and
//! acknowledge a job only after its result is published. Results go to a results exchange
//! that the battle service (and anyone else) subscribes to.

mod memory;
mod rabbit;

pub use memory::MemoryBroker;
pub use rabbit::RabbitBroker;

use contracts::execution::{JobResult, JudgeJob, Task};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("broker unavailable: {0}")]
    Unavailable(String),
    #[error("the broker did not confirm the message")]
    NotConfirmed,
    #[error("cannot encode the message: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Priority of a job: judge jobs (battles) first.
pub fn priority(job: &JudgeJob) -> u8 {
    match job.task {
        Task::Judge { .. } => 5,
        Task::Run { .. } => 1,
    }
}

/// One delivered job; settle it with exactly one of the [`Ack`] methods.
pub struct Delivery {
    pub payload: Vec<u8>,
    /// The broker delivered this message before (a worker died or lost its connection).
    pub redelivered: bool,
    pub ack: Box<dyn Ack>,
}

#[async_trait::async_trait]
pub trait Ack: Send {
    /// Done: the broker forgets the job.
    async fn ack(self: Box<Self>) -> Result<(), QueueError>;
    /// Put back for another try (an internal failure).
    async fn retry(self: Box<Self>) -> Result<(), QueueError>;
    /// Give up: the job moves to the dead-letter queue.
    async fn dead_letter(self: Box<Self>) -> Result<(), QueueError>;
}

#[async_trait::async_trait]
pub trait Broker: Send + Sync {
    /// Queues a job durably: returns once the broker has it safe (publisher confirm).
    async fn publish_job(&self, job: &JudgeJob) -> Result<(), QueueError>;

    /// Publishes a result to everyone subscribed to results.
    async fn publish_result(&self, result: &JobResult) -> Result<(), QueueError>;

    /// Jobs waiting to be taken.
    async fn queue_depth(&self) -> Result<u64, QueueError>;

    /// Deliveries for a worker with `prefetch` slots: never more than that many are
    /// unsettled at once. The stream survives broker restarts; it ends on `shutdown`.
    fn consume(&self, prefetch: u16, shutdown: CancellationToken) -> mpsc::Receiver<Delivery>;

    /// Readiness.
    async fn ping(&self) -> Result<(), QueueError>;
}
