//! The SQLite [`DurableStream`] for embedded mode: Redis Streams' consumer groups, kept in
//! the embedded database, so that entries, consumer groups and pending entries survive a
//! restart (the in-process [`MemoryStream`](super::MemoryStream) would lose whatever was
//! not acknowledged yet, and embedded mode promises a restart loses nothing).
//!
//! Tables (`migrations/streams`, recorded in their own migrations table since the file is
//! shared with the services' stores): `stream_entries` (id, stream, key, payload; the key
//! unique per stream), `stream_groups` (the last id each group handed out) and
//! `stream_pending` (per group, the entries handed out and not acknowledged: consumer,
//! deliveries, when last handed out in Unix milliseconds). Entry ids are one
//! `AUTOINCREMENT` counter for every stream, written as decimal strings.
//!
//! Every step that hands out entries (`read`, `claim_stale`) is one transaction begun with
//! `BEGIN IMMEDIATE`, which takes SQLite's write lock first: concurrent readers of a group
//! are serialised and never share an entry, and a transaction never fails upgrading a read
//! lock. `append_once` (an `INSERT … ON CONFLICT DO NOTHING`), `ack` and `lag` are single
//! statements, each its own transaction. A read whose future is dropped either committed
//! (its entries are pending for its consumer and come back on its next read) or rolled
//! back (nothing was handed out).
//!
//! A `read` with nothing to return waits without a transaction or a connection: it sleeps
//! until an append through this stream (or a clone of it) wakes it, or at most
//! [`RECHECK`], and looks again; the periodic look also finds what was appended through
//! another `SqliteStream` on the same file.
//!
//! Nothing is trimmed: like the Redis stream, every entry and so every `append_once` key
//! is kept as long as the database (one small entry per finished rated battle).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, Transaction};
use tokio::sync::Notify;

use super::{DurableStream, StreamEntry, StreamError};

/// The migrations table of the streams (the SQLite file is shared with the services).
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_streams";

/// How often a waiting `read` looks again without being woken.
const RECHECK: Duration = Duration::from_millis(200);

const APPEND: &str = "INSERT INTO stream_entries (stream, key, payload) VALUES ($1, $2, $3) \
     ON CONFLICT (stream, key) DO NOTHING";

/// A group starts before every entry (ids start at 1).
const CREATE_GROUP: &str = "INSERT INTO stream_groups (stream, grp, last_delivered_id) \
     VALUES ($1, $2, 0) ON CONFLICT (stream, grp) DO NOTHING";

/// A consumer's pending entries, oldest first: id, key, payload, deliveries so far.
const OWN_PENDING: &str = "SELECT p.id, e.key, e.payload, p.deliveries \
     FROM stream_pending p JOIN stream_entries e ON e.id = p.id \
     WHERE p.stream = $1 AND p.grp = $2 AND p.consumer = $3 ORDER BY p.id LIMIT $4";

/// A group's entries last handed out at or before `$3`, oldest first, as `OWN_PENDING`.
const STALE_PENDING: &str = "SELECT p.id, e.key, e.payload, p.deliveries \
     FROM stream_pending p JOIN stream_entries e ON e.id = p.id \
     WHERE p.stream = $1 AND p.grp = $2 AND p.delivered_at_ms <= $3 ORDER BY p.id LIMIT $4";

const REDELIVER: &str = "UPDATE stream_pending \
     SET consumer = $4, deliveries = deliveries + 1, delivered_at_ms = $5 \
     WHERE stream = $1 AND grp = $2 AND id = $3";

/// Entries the group has not handed out yet, oldest first: id, key, payload.
const NEW_ENTRIES: &str = "SELECT e.id, e.key, e.payload \
     FROM stream_groups g JOIN stream_entries e ON e.stream = g.stream \
     WHERE g.stream = $1 AND g.grp = $2 AND e.id > g.last_delivered_id \
     ORDER BY e.id LIMIT $3";

const DELIVER: &str = "INSERT INTO stream_pending \
     (stream, grp, id, consumer, deliveries, delivered_at_ms) VALUES ($1, $2, $3, $4, 1, $5)";

const DELIVERED_UP_TO: &str =
    "UPDATE stream_groups SET last_delivered_id = $3 WHERE stream = $1 AND grp = $2";

const ACK: &str = "DELETE FROM stream_pending WHERE stream = $1 AND grp = $2 AND id = $3";

/// Pending plus never delivered; every entry for a group that does not exist.
const LAG: &str = "SELECT CASE WHEN g.last_delivered_id IS NULL \
       THEN (SELECT count(*) FROM stream_entries WHERE stream = $1) \
       ELSE (SELECT count(*) FROM stream_pending WHERE stream = $1 AND grp = $2) \
          + (SELECT count(*) FROM stream_entries WHERE stream = $1 AND id > g.last_delivered_id) \
     END \
     FROM (SELECT (SELECT last_delivered_id FROM stream_groups WHERE stream = $1 AND grp = $2) \
           AS last_delivered_id) g";

/// A pending entry as read: id, key, payload, deliveries so far.
type PendingRow = (i64, String, Vec<u8>, i64);

/// Streams in an SQLite database. Clones share the database and the wake-ups of waiting
/// reads.
#[derive(Clone)]
pub struct SqliteStream {
    pool: SqlitePool,
    /// Per stream, what an append wakes waiting reads with.
    appended: Arc<Mutex<HashMap<String, Arc<Notify>>>>,
}

impl SqliteStream {
    /// Creates (or migrates) the streams' tables in `pool`'s database.
    pub async fn new(pool: SqlitePool) -> Result<Self, StreamError> {
        let mut migrator = sqlx::migrate!("./migrations/streams");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await.map_err(sqlx::Error::from)?;
        Ok(Self {
            pool,
            appended: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// The stream's wake-up for waiting reads.
    fn appended(&self, stream: &str) -> Arc<Notify> {
        let mut appended = self.appended.lock().unwrap_or_else(|p| p.into_inner());
        appended.entry(stream.to_owned()).or_default().clone()
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// What `read` returns without waiting, in one transaction.
    async fn read_now(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        create_group(&mut tx, stream, group).await?;
        let own: Vec<PendingRow> = sqlx::query_as(OWN_PENDING)
            .bind(stream)
            .bind(group)
            .bind(consumer)
            .bind(limit(count))
            .fetch_all(&mut *tx)
            .await?;
        let mut read = redeliver(&mut tx, stream, group, consumer, own, now).await?;
        if read.len() < count {
            let new: Vec<(i64, String, Vec<u8>)> = sqlx::query_as(NEW_ENTRIES)
                .bind(stream)
                .bind(group)
                .bind(limit(count - read.len()))
                .fetch_all(&mut *tx)
                .await?;
            if let Some((last, ..)) = new.last() {
                sqlx::query(DELIVERED_UP_TO)
                    .bind(stream)
                    .bind(group)
                    .bind(last)
                    .execute(&mut *tx)
                    .await?;
            }
            for (id, key, payload) in new {
                sqlx::query(DELIVER)
                    .bind(stream)
                    .bind(group)
                    .bind(id)
                    .bind(consumer)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                read.push(entry(id, key, payload, 1));
            }
        }
        tx.commit().await?;
        Ok(read)
    }
}

async fn create_group(
    tx: &mut Transaction<'static, Sqlite>,
    stream: &str,
    group: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(CREATE_GROUP)
        .bind(stream)
        .bind(group)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Hands pending `rows` to `consumer` again (one more delivery, delivered now).
async fn redeliver(
    tx: &mut Transaction<'static, Sqlite>,
    stream: &str,
    group: &str,
    consumer: &str,
    rows: Vec<PendingRow>,
    now: i64,
) -> Result<Vec<StreamEntry>, sqlx::Error> {
    let mut entries = Vec::with_capacity(rows.len());
    for (id, key, payload, deliveries) in rows {
        sqlx::query(REDELIVER)
            .bind(stream)
            .bind(group)
            .bind(id)
            .bind(consumer)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        entries.push(entry(id, key, payload, deliveries.saturating_add(1)));
    }
    Ok(entries)
}

fn entry(id: i64, key: String, payload: Vec<u8>, deliveries: i64) -> StreamEntry {
    StreamEntry {
        id: id.to_string(),
        key,
        payload,
        deliveries: u64::try_from(deliveries).unwrap_or(0),
    }
}

/// A `LIMIT` of `count` rows.
fn limit(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

// Wall-clock times (`crate::clock::now_ms`): pending entries outlive the process.
use crate::clock::now_ms;

#[async_trait::async_trait]
impl DurableStream for SqliteStream {
    #[tracing::instrument(level = "debug", skip(self, payload), fields(bytes = payload.len()))]
    async fn append_once(
        &self,
        stream: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, StreamError> {
        // One statement: it takes the write lock before looking for the key.
        let appended = sqlx::query(APPEND)
            .bind(stream)
            .bind(key)
            .bind(payload)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1;
        if appended {
            self.appended(stream).notify_waiters();
        }
        Ok(appended)
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let deadline = super::read_deadline(block);
        let appended = self.appended(stream);
        loop {
            // Registered before looking, so an append in between still wakes this read.
            let notified = appended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let read = self.read_now(stream, group, consumer, count).await?;
            let now = tokio::time::Instant::now();
            if !read.is_empty() || now >= deadline {
                return Ok(read);
            }
            let look_again = deadline.min(now + RECHECK);
            // Woken or not, look again.
            let _ = tokio::time::timeout_at(look_again, notified).await;
        }
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), StreamError> {
        let id: i64 = id
            .parse()
            .map_err(|_| StreamError::InvalidId(id.to_owned()))?;
        sqlx::query(ACK)
            .bind(stream)
            .bind(group)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn claim_stale(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let now = now_ms();
        let mut tx = self.begin().await?;
        create_group(&mut tx, stream, group).await?;
        let stale: Vec<PendingRow> = sqlx::query_as(STALE_PENDING)
            .bind(stream)
            .bind(group)
            .bind(now.saturating_sub(millis(idle)))
            .bind(limit(count))
            .fetch_all(&mut *tx)
            .await?;
        let claimed = redeliver(&mut tx, stream, group, consumer, stale, now).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn lag(&self, stream: &str, group: &str) -> Result<u64, StreamError> {
        let lag: i64 = sqlx::query_scalar(LAG)
            .bind(stream)
            .bind(group)
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(lag).unwrap_or(0))
    }
}
