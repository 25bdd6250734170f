//! Durable streams read by consumer groups: [`DurableStream`], on Redis Streams (cluster),
//! in the embedded SQLite file (embedded) or in process memory.
//!
//! A stream is an append-only log of keyed entries (a finished rated battle, say). Each
//! consumer group (a service: `rating`) reads every entry, spread over its consumers (the
//! service's replicas or tasks), and acknowledges each one after handling it. What is
//! promised:
//!
//! - **Appended once per key.** [`DurableStream::append_once`] appends an entry unless one
//!   with the same key was appended to that stream before; the check and the append are
//!   one atomic step, so a producer that crashed after appending can simply append again.
//! - **Every entry to every group, until acknowledged.** A group is created the first time
//!   a consumer of it reads (or claims), from the stream's start: it sees entries appended
//!   before it existed. Within a group, an entry is handed to one consumer at a time, and
//!   stays pending for that consumer until [`DurableStream::ack`]: its next
//!   [`read`](DurableStream::read) hands it out again (pending entries first), and when
//!   the consumer is gone another one takes it over with
//!   [`claim_stale`](DurableStream::claim_stale). So delivery is at least once: a handler
//!   must be idempotent (key it on [`StreamEntry::key`]) and may give up on an entry whose
//!   [`deliveries`](StreamEntry::deliveries) keep growing (ack it and report it).
//! - **In order, the first time.** A group hands out new entries in the order they were
//!   appended; redeliveries come back before new entries, so a handler that must apply
//!   entries in order acks each before reading on.
//! - **Reads wait, and losing one loses nothing.** `read` waits up to `block` for new
//!   entries. An entry handed to a read whose caller is gone (the future was dropped, the
//!   connection broke) is pending for that consumer and comes back as above.
//! - **Lag is measurable.** [`DurableStream::lag`] counts what a group has not
//!   acknowledged yet, delivered or not.
//!
//! Memory: the Redis stream ([`RedisStream`], cluster mode) and the SQLite one
//! ([`SqliteStream`], embedded mode: in the embedded database, so entries, consumer groups
//! and pending entries survive a restart) keep every entry, and the key of every
//! `append_once`, as long as the stream exists (nothing is trimmed or expires; streams
//! here carry one small entry per finished battle). The in-process [`MemoryStream`] (for
//! tests and anything that may lose its entries) lives as long as the process; it drops
//! entries every group has acknowledged, beyond the newest [`RETAINED_ACKED`] per stream
//! (so a group created late starts at the oldest entry still kept), and remembers the
//! newest [`APPENDED_KEYS`] keys per stream. Unacknowledged entries are never dropped: a
//! stream with no reader grows, as a Redis stream would.
//!
//! Stream names are given without the deployment prefix; the Redis implementation applies
//! it ([`contracts::names::prefixed`]), so deployments and tests can share one server.

mod memory;
mod redis;
mod sqlite;

use std::time::Duration;

pub use self::memory::MemoryStream;
pub use self::redis::RedisStream;
pub use self::sqlite::SqliteStream;

/// How many entries acknowledged by every group the in-process stream keeps per stream.
pub const RETAINED_ACKED: usize = 10_000;

/// How many keys of `append_once` the in-process stream remembers per stream.
pub const APPENDED_KEYS: usize = 100_000;

/// Appends to and reads from named streams through consumer groups.
#[async_trait::async_trait]
pub trait DurableStream: Send + Sync {
    /// Appends `payload` under `key` unless an entry with the same `key` was appended to
    /// `stream` before (idempotent; the check and the append are one atomic step); `true`
    /// if it appended.
    async fn append_once(
        &self,
        stream: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, StreamError>;

    /// Up to `count` entries for `consumer` of `group` (the group is created from the
    /// stream's start if missing): first this consumer's own pending (delivered, not yet
    /// acknowledged) ones, then new ones, waiting up to `block` for new ones if there is
    /// nothing to return at once. Empty when `block` passed without an entry;
    /// `Duration::ZERO` does not wait.
    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, StreamError>;

    /// Acknowledges entry `id` for `group`: it is never handed out to the group again.
    /// Acknowledging an unknown or already acknowledged entry does nothing.
    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), StreamError>;

    /// Takes over, for `consumer`, up to `count` entries of `group` that have been pending
    /// (with any consumer) for at least `idle` without being read again: the work of
    /// consumers that died. Their delivery counts go up by one.
    async fn claim_stale(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, StreamError>;

    /// Entries of `stream` that `group` has not acknowledged: pending plus never
    /// delivered (for a group not created yet, every entry). For metrics and alerts.
    async fn lag(&self, stream: &str, group: &str) -> Result<u64, StreamError>;
}

/// When a read that may wait `block` gives up (for the in-process streams, which wait on
/// their own): a `block` too long to add to now waits a year, as good as forever.
fn read_deadline(block: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(block)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 60 * 60))
}

/// One entry, as handed to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    /// The entry's id in its stream, given to [`DurableStream::ack`]. Ids increase in
    /// append order; treat them as opaque.
    pub id: String,
    /// The key it was appended under.
    pub key: String,
    pub payload: Vec<u8>,
    /// How many times it has been handed out to the group, this time included (1 the
    /// first time).
    pub deliveries: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("sqlite: {0}")]
    Sqlite(#[from] sqlx::Error),
    #[error("redis did not answer a blocking read within {0:?}")]
    NoReply(Duration),
    #[error("entry {id} of stream {stream} was not written by append_once")]
    Malformed { stream: String, id: String },
    #[error("{0:?} is not an id of this stream")]
    InvalidId(String),
}
