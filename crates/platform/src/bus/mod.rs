//! Live fan-out of events between processes: [`EventBus`], on Redis pub/sub (cluster) or in
//! process memory (embedded).
//!
//! The bus is only the fast path. Whatever a client must not miss is also written to a log
//! with sequence numbers (a battle's event log); a subscriber that is told it may have
//! missed something re-reads that log. So the bus promises little, but keeps every promise:
//!
//! - **Live on return.** A message published after [`EventBus::subscribe`] returned reaches
//!   that subscription (on Redis, `subscribe` waits for the server's confirmation).
//! - **Order per publisher.** Messages one publisher sends one after the other (each
//!   `publish` awaited) arrive in that order. Nothing is promised across publishers.
//! - **No silent loss.** When messages may have been lost — the subscriber fell more than its
//!   buffer behind, or the Redis connection dropped and came back — the subscription yields
//!   [`BusEvent::Missed`] at the point of the gap, and keeps going. Messages published while
//!   nobody listens (or while Redis is away) are gone: that is what the log is for.
//! - **Bounded memory.** Each channel keeps at most a fixed number of undelivered messages
//!   per process; a slow subscriber gets `Missed` rather than growing a queue.
//! - **Once per key.** [`EventBus::publish_once`] publishes a keyed message at most once in
//!   [`ONCE_WINDOW`], however often (or from however many processes) it is retried: the
//!   check and the publish are one atomic step, so an outbox relay that crashed between
//!   publishing and marking its row sent can simply publish again. On Redis the keys live
//!   in Redis (`bus:published:{key}`, expiring after the window); in process memory at
//!   most [`ONCE_CAPACITY`] keys are remembered (the oldest forgotten first), which only
//!   matters for a producer retrying more than that many keys later.
//!
//! Channel names are given without the deployment prefix; the Redis implementation applies
//! it ([`contracts::names::prefixed`]), so deployments and tests can share one server.

mod memory;
mod redis;
mod subscriber;
mod topics;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;

pub use self::memory::MemoryBus;
pub use self::redis::RedisBus;

use self::topics::Signal;

/// How many undelivered messages a channel keeps for its slowest local subscriber.
pub const DEFAULT_CAPACITY: usize = 1024;

/// How long [`EventBus::publish_once`] remembers a key.
pub const ONCE_WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// How many keys of [`EventBus::publish_once`] the in-process bus remembers at most.
pub const ONCE_CAPACITY: usize = 100_000;

/// Publishes to and subscribes to named channels.
#[async_trait::async_trait]
pub trait EventBus: Send + Sync {
    /// Sends `payload` to every current subscriber of `channel`, in every process. Having no
    /// subscriber is not an error.
    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<(), BusError>;

    /// Publishes `payload` to `channel` unless a message with the same `key` was published
    /// through `publish_once` within the last [`ONCE_WINDOW`] (24 h); `true` if it published.
    /// The check and the publish are one atomic step (a crash cannot fall between them).
    /// After an error it is unknown whether it published: call again, and take `false` as
    /// "already published". Keys are global, not per channel: make them name the event
    /// (`battle:{id}:{seq}`).
    async fn publish_once(
        &self,
        channel: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, BusError>;

    /// Starts listening to `channel`; live when it returns (see the module doc). Dropping the
    /// [`Subscription`] stops it.
    async fn subscribe(&self, channel: &str) -> Result<Subscription, BusError>;
}

/// What a subscription yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusEvent {
    /// A published payload.
    Message(Vec<u8>),
    /// Messages may have been lost here (a buffer overflowed, or the connection was lost and
    /// is back): re-read the log. Messages after this one are delivered normally.
    Missed,
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("redis did not confirm the subscription within {0:?}")]
    NotConfirmed(Duration),
    #[error("the bus's subscriber connection has stopped")]
    Stopped,
}

/// One subscriber's view of one channel.
pub struct Subscription {
    // Declared before `_membership`: fields drop in order, so the receiver is gone by the
    // time the channel checks whether anyone still listens.
    receiver: broadcast::Receiver<Signal>,
    _membership: Membership,
}

impl Subscription {
    fn new(receiver: broadcast::Receiver<Signal>, channel: String, owner: Arc<dyn Owner>) -> Self {
        Self {
            receiver,
            _membership: Membership { channel, owner },
        }
    }

    /// The next event; `None` only once the bus behind it is gone for good (neither
    /// implementation here ends a subscription while it is held).
    pub async fn recv(&mut self) -> Option<BusEvent> {
        match self.receiver.recv().await {
            Ok(Signal::Message(payload)) => Some(BusEvent::Message(payload.to_vec())),
            Ok(Signal::Missed) => Some(BusEvent::Missed),
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::debug!(skipped, "subscriber fell behind its buffer");
                Some(BusEvent::Missed)
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

/// What a bus does when one of its subscriptions is dropped.
trait Owner: Send + Sync {
    fn leave(&self, channel: &str);
}

struct Membership {
    channel: String,
    owner: Arc<dyn Owner>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.owner.leave(&self.channel);
    }
}
