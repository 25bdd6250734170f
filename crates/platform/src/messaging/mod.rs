//! Durable messaging between services: a [`MessageBroker`] on RabbitMQ
//! ([`AmqpBroker`], cluster mode), in the embedded SQLite file ([`SqliteBroker`],
//! embedded mode: what was queued survives a restart) or in process memory
//! ([`MemoryBroker`], for tests and tools that may lose their messages).
//!
//! The model is AMQP's, reduced to what CodeArena uses: exchanges (direct or fanout)
//! route persistent messages to durable queues; a queue may order by priority and send
//! what its consumers give up on to a dead-letter exchange. A consumer takes at most
//! `prefetch` messages at once and settles each one exactly once (ack, retry, or
//! dead-letter); one dropped unsettled goes back to its queue. So a message handed to
//! [`MessageBroker::publish`] is either settled by a consumer or still waiting.
//!
//! A durable subscription to a fanout exchange is a queue of the subscriber's own,
//! bound to it: messages wait there while the subscriber is away, and are removed only
//! when it acknowledges them after handling ([`MessageBroker::subscribe`]).
//!
//! Names are given without the deployment prefix; each broker applies its own, so two
//! deployments (or two tests) can share one RabbitMQ.

mod amqp;
mod memory;
mod sqlite;

pub use amqp::{AmqpBroker, AmqpConnectError};
pub use memory::MemoryBroker;
pub use sqlite::SqliteBroker;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the broker cannot be reached: {0}")]
    Unavailable(#[from] lapin::Error),
    #[error("the broker did not answer {0} in time")]
    Timeout(&'static str),
    #[error("reconnecting to the broker")]
    Reconnecting,
    #[error("the broker did not confirm the message")]
    NotConfirmed,
    #[error("no queue took the message (exchange {0:?})")]
    Unroutable(String),
    #[error("no exchange or queue {0:?} was declared")]
    NotDeclared(String),
    #[error("the delivery was already settled")]
    AlreadySettled,
    #[error("cannot encode the message: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("the embedded database: {0}")]
    Database(#[from] sqlx::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeKind {
    /// To the queues bound with the message's routing key.
    Direct,
    /// To every bound queue.
    Fanout,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub name: String,
    pub kind: ExchangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Queue {
    pub name: String,
    /// Highest priority the queue orders by (RabbitMQ's `x-max-priority`); none: FIFO.
    pub max_priority: Option<u8>,
    /// Where messages go that a consumer dead-letters.
    pub dead_letter_exchange: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub queue: String,
    pub exchange: String,
    pub routing_key: String,
}

/// Exchanges, queues and bindings a service needs; declared idempotently, and again on
/// every reconnect.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Topology {
    pub exchanges: Vec<Exchange>,
    pub queues: Vec<Queue>,
    pub bindings: Vec<Binding>,
}

impl Topology {
    pub fn exchange(mut self, name: &str, kind: ExchangeKind) -> Self {
        self.exchanges.push(Exchange {
            name: name.to_owned(),
            kind,
        });
        self
    }

    pub fn queue(mut self, queue: Queue) -> Self {
        self.queues.push(queue);
        self
    }

    pub fn bind(mut self, queue: &str, exchange: &str, routing_key: &str) -> Self {
        self.bindings.push(Binding {
            queue: queue.to_owned(),
            exchange: exchange.to_owned(),
            routing_key: routing_key.to_owned(),
        });
        self
    }
}

/// A message to publish: persistent, confirmed by the broker before `publish` returns.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub payload: &'a [u8],
    /// Stable id of the message (e.g. the job id), for tracing and deduplication.
    pub message_id: &'a str,
    pub priority: u8,
    /// Fail with [`QueueError::Unroutable`] when no queue takes the message.
    pub mandatory: bool,
}

impl<'a> Outgoing<'a> {
    pub fn new(payload: &'a [u8], message_id: &'a str) -> Self {
        Self {
            payload,
            message_id,
            priority: 0,
            mandatory: false,
        }
    }
}

/// One delivered message; settle it with exactly one of the [`Ack`] methods.
pub struct Delivery {
    pub payload: Vec<u8>,
    /// The broker delivered this message before (a consumer died or gave it back).
    pub redelivered: bool,
    pub ack: Box<dyn Ack>,
}

#[async_trait::async_trait]
pub trait Ack: Send {
    /// Done: the broker forgets the message.
    async fn ack(self: Box<Self>) -> Result<(), QueueError>;
    /// Put back for another try.
    async fn retry(self: Box<Self>) -> Result<(), QueueError>;
    /// Give up: the message goes to its queue's dead-letter exchange (or is dropped
    /// if it has none).
    async fn dead_letter(self: Box<Self>) -> Result<(), QueueError>;
}

#[async_trait::async_trait]
pub trait MessageBroker: Send + Sync {
    /// Declares `topology` (idempotent); it is declared again after every reconnect.
    async fn declare(&self, topology: &Topology) -> Result<(), QueueError>;

    /// Publishes durably: returns once the broker has the message safe.
    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Outgoing<'_>,
    ) -> Result<(), QueueError>;

    /// Deliveries from `queue` (declared before), never more than `prefetch` unsettled at
    /// once. The stream survives broker restarts; it ends on `shutdown`, after the
    /// receiver has been dropped (so deliveries in hand can still be settled).
    fn consume(
        &self,
        queue: &str,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> mpsc::Receiver<Delivery>;

    /// A durable subscription: declares the subscriber's own queue `queue`, binds it to
    /// the fanout `exchange`, and consumes it. Messages published while the subscriber is
    /// away wait in its queue; each is removed when acknowledged.
    async fn subscribe(
        &self,
        exchange: &str,
        queue: &str,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> Result<mpsc::Receiver<Delivery>, QueueError> {
        let topology = Topology::default()
            .exchange(exchange, ExchangeKind::Fanout)
            .queue(Queue {
                name: queue.to_owned(),
                ..Queue::default()
            })
            .bind(queue, exchange, "");
        self.declare(&topology).await?;
        Ok(self.consume(queue, prefetch, shutdown))
    }

    /// Every message published to `exchange` from now on, while the receiver lives, with
    /// nothing kept while it is not connected: for observers (tests, benchmarks,
    /// dashboards), never for work that must not be lost.
    async fn watch(&self, exchange: &str) -> Result<mpsc::UnboundedReceiver<Vec<u8>>, QueueError>;

    /// Messages waiting in `queue`.
    async fn depth(&self, queue: &str) -> Result<u64, QueueError>;

    /// Readiness.
    async fn ping(&self) -> Result<(), QueueError>;
}
