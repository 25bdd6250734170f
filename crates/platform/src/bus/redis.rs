//! The Redis [`EventBus`] for cluster mode: `PUBLISH` on the shared `ConnectionManager`,
//! and one subscriber connection per bus (so per process), opened on the first `subscribe`.
//!
//! Why one shared subscriber connection rather than one per subscription: the realtime
//! service subscribes per room, and rooms × replicas connections would each cost Redis a
//! client, a socket and a reconnect storm after every outage. One connection is one
//! `SUBSCRIBE` per channel however many local subscribers it has (they share the
//! same fan-out table as the memory bus), one reconnect loop, and one place
//! that decides when a gap happened. Redis answers commands on a connection in order, so the
//! confirmation of a `SUBSCRIBE` proves the subscription is live. The reading side only
//! copies messages into bounded per-channel buffers, so one slow subscriber never holds up
//! the others: it gets [`BusEvent::Missed`](super::BusEvent::Missed) instead.
//!
//! The connection task (`subscriber.rs`) reconnects by itself with
//! backoff, resubscribes every channel still in use, and then sends `Missed` to every
//! subscription: whatever was published while it was away must be read from the log.
//!
//! `publish_once` is one Lua script: `SET bus:published:{key} 1 NX EX <window>`, and
//! `PUBLISH` only if that set the key, so no crash or concurrent caller can fall between
//! the check and the publish.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use ::redis::Script;
use ::redis::aio::ConnectionManager;
use contracts::names::{self, prefixed};
use tokio::sync::{mpsc, oneshot};

use super::subscriber::{self, Command};
use super::topics::Topics;
use super::{BusError, DEFAULT_CAPACITY, EventBus, ONCE_WINDOW, Owner, Subscription};

/// How long `subscribe` waits for Redis to confirm (including a reconnect in progress).
const SUBSCRIBE_TIMEOUT: Duration = Duration::from_secs(5);

/// KEYS: the dedupe key. ARGV: channel, payload, window in seconds. 1 if published.
const PUBLISH_ONCE: &str = r#"
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3]) then
  return 0
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
"#;

pub struct RedisBus {
    publisher: ConnectionManager,
    client: ::redis::Client,
    prefix: String,
    capacity: usize,
    listener: OnceLock<Arc<Listener>>,
    publish_once: Script,
}

impl RedisBus {
    /// Publishes through `publisher`; subscribes on a dedicated connection from `client`;
    /// every channel name gets `prefix`.
    pub fn new(
        publisher: ConnectionManager,
        client: ::redis::Client,
        prefix: impl Into<String>,
    ) -> Self {
        Self {
            publisher,
            client,
            prefix: prefix.into(),
            capacity: DEFAULT_CAPACITY,
            listener: OnceLock::new(),
            publish_once: Script::new(PUBLISH_ONCE),
        }
    }

    /// Keep at most `capacity` undelivered messages per channel and subscriber.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    fn listener(&self) -> &Arc<Listener> {
        self.listener
            .get_or_init(|| Listener::start(self.client.clone(), self.capacity))
    }
}

/// The local side of the subscriber connection: who listens to what, and the way to ask the
/// connection task to (un)subscribe.
pub(super) struct Listener {
    pub(super) topics: Topics,
    commands: mpsc::UnboundedSender<Command>,
}

impl Listener {
    fn start(client: ::redis::Client, capacity: usize) -> Arc<Self> {
        // Unbounded, yet bounded in practice: one command per `subscribe` call in flight and
        // one per channel left. A bounded queue could not take a command from `Drop`.
        let (commands, receiver) = mpsc::unbounded_channel();
        let listener = Arc::new(Self {
            topics: Topics::new(capacity),
            commands,
        });
        // The task holds a weak reference: it ends when the bus and every subscription are
        // gone, closing the connection.
        tokio::spawn(subscriber::run(client, Arc::downgrade(&listener), receiver));
        listener
    }
}

impl Owner for Listener {
    fn leave(&self, channel: &str) {
        if self.topics.leave(channel) {
            // The task checks again before unsubscribing, in case someone joined meanwhile.
            let _ = self.commands.send(Command::Unsubscribe {
                channel: channel.to_owned(),
            });
        }
    }
}

#[async_trait::async_trait]
impl EventBus for RedisBus {
    #[tracing::instrument(skip(self, payload), fields(bytes = payload.len()))]
    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<(), BusError> {
        let mut connection = self.publisher.clone();
        ::redis::cmd("PUBLISH")
            .arg(prefixed(&self.prefix, channel))
            .arg(payload)
            .query_async::<()>(&mut connection)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip(self, payload), fields(bytes = payload.len()))]
    async fn publish_once(
        &self,
        channel: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, BusError> {
        let mut connection = self.publisher.clone();
        let published: i64 = self
            .publish_once
            .key(prefixed(
                &self.prefix,
                &format!("{}:{key}", names::BUS_PUBLISHED),
            ))
            .arg(prefixed(&self.prefix, channel))
            .arg(payload)
            .arg(ONCE_WINDOW.as_secs())
            .invoke_async(&mut connection)
            .await?;
        Ok(published == 1)
    }

    #[tracing::instrument(skip(self))]
    async fn subscribe(&self, channel: &str) -> Result<Subscription, BusError> {
        let channel = prefixed(&self.prefix, channel);
        let listener = self.listener();
        // Joined before asking Redis, so nothing confirmed after this point is lost.
        let receiver = listener.topics.join(&channel);
        let subscription = Subscription::new(receiver, channel.clone(), listener.clone());
        let (confirmed, confirmation) = oneshot::channel();
        listener
            .commands
            .send(Command::Subscribe { channel, confirmed })
            .map_err(|_| BusError::Stopped)?;
        // On an error the subscription is dropped, which leaves the channel again.
        match tokio::time::timeout(SUBSCRIBE_TIMEOUT, confirmation).await {
            Ok(Ok(Ok(()))) => Ok(subscription),
            Ok(Ok(Err(refused))) => Err(BusError::Redis(refused)),
            Ok(Err(_)) => Err(BusError::Stopped),
            Err(_) => Err(BusError::NotConfirmed(SUBSCRIBE_TIMEOUT)),
        }
    }
}
