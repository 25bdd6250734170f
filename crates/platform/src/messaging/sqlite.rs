//! The SQLite [`MessageBroker`] for embedded mode: RabbitMQ's semantics for what CodeArena
//! uses (direct and fanout exchanges, priority queues, prefetch, settling, dead-letter
//! exchanges, subscriber queues), with exchanges, queues, bindings and messages kept in
//! the embedded database. A message published and not acknowledged survives a restart:
//! queued jobs are run after it, and results wait in their subscriber's queue.
//!
//! Tables (`migrations/messaging`, their own migrations table since the file is shared):
//! `broker_exchanges`, `broker_queues`, `broker_bindings` and `broker_messages`. Routing
//! a message (its bindings read, one row inserted per queue that takes it) is one
//! transaction begun with `BEGIN IMMEDIATE`; taking the next message of a queue is one
//! `UPDATE … RETURNING` statement that marks it taken by this broker instance, so two
//! consumers never share a message.
//!
//! **At least once, across crashes.** A message handed to a consumer stays in its table,
//! taken, until it is acknowledged (deleted), retried (put back, marked redelivered) or
//! dead-lettered (routed to the dead-letter exchange and deleted, in one transaction). A
//! delivery dropped unsettled is put back, as RabbitMQ does with a closed channel's. A
//! process that died holding deliveries cannot put them back: the next broker opened on
//! the file does, marked redelivered, as RabbitMQ redelivers a dead connection's. So one
//! process uses a file at a time (embedded mode is one process).
//!
//! A consumer with nothing to take waits without a connection: an in-process publish to
//! its queue wakes it, and it looks again at least every [`RECHECK`]. Observers
//! ([`MessageBroker::watch`]) are in process memory, as they are never durable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::sqlite::SqlitePool;
use sqlx::{Sqlite, SqliteConnection, Transaction};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Ack, Delivery, ExchangeKind, MessageBroker, Outgoing, QueueError, Topology};

/// The migrations table of the broker (the SQLite file is shared with the services).
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_messaging";

/// How often a waiting consumer looks again without being woken.
const RECHECK: Duration = Duration::from_millis(200);

/// How long a consumer waits after the database failed before trying again.
const PAUSE_AFTER_ERROR: Duration = Duration::from_millis(500);

/// Puts back, marked redelivered, every message an earlier broker instance had handed out.
const RECOVER: &str =
    "UPDATE broker_messages SET taken_by = NULL, redelivered = 1 WHERE taken_by IS NOT NULL";

const DECLARE_EXCHANGE: &str =
    "INSERT INTO broker_exchanges (name, kind) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING";

const DECLARE_QUEUE: &str = "INSERT INTO broker_queues (name, max_priority, dead_letter_exchange) \
     VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING";

const BIND: &str = "INSERT INTO broker_bindings (exchange, queue, routing_key) VALUES ($1, $2, $3) \
     ON CONFLICT (exchange, queue, routing_key) DO NOTHING";

const EXCHANGE_KIND: &str = "SELECT kind FROM broker_exchanges WHERE name = $1";

const QUEUE_EXISTS: &str = "SELECT 1 FROM broker_queues WHERE name = $1";

/// The queues a message to exchange `$1` with routing key `$2` goes to (`$3`: fanout), and
/// their highest priority.
const TARGETS: &str = "SELECT DISTINCT b.queue, q.max_priority FROM broker_bindings b \
     JOIN broker_queues q ON q.name = b.queue \
     WHERE b.exchange = $1 AND ($3 OR b.routing_key = $2)";

const ENQUEUE: &str = "INSERT INTO broker_messages (queue, priority, payload) VALUES ($1, $2, $3)";

/// Takes the next waiting message of queue `$1` for broker instance `$2`.
const TAKE: &str = "UPDATE broker_messages SET taken_by = $2 WHERE id = \
       (SELECT id FROM broker_messages WHERE queue = $1 AND taken_by IS NULL \
        ORDER BY priority DESC, id LIMIT 1) \
     RETURNING id, payload, redelivered";

const ACK: &str = "DELETE FROM broker_messages WHERE id = $1 AND taken_by = $2";

const PUT_BACK: &str = "UPDATE broker_messages SET taken_by = NULL, redelivered = 1 \
     WHERE id = $1 AND taken_by = $2";

const DEAD_LETTER_EXCHANGE: &str = "SELECT q.dead_letter_exchange FROM broker_messages m \
     JOIN broker_queues q ON q.name = m.queue WHERE m.id = $1 AND m.taken_by = $2";

const DEPTH: &str = "SELECT count(*) FROM broker_messages WHERE queue = $1 AND taken_by IS NULL";

fn kind_name(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Direct => "direct",
        ExchangeKind::Fanout => "fanout",
    }
}

struct Shared {
    pool: SqlitePool,
    /// This instance, in `taken_by`.
    instance: String,
    /// Per queue, what a publish wakes waiting consumers with.
    ready: Mutex<HashMap<String, Arc<Notify>>>,
    watchers: Mutex<HashMap<String, Vec<mpsc::UnboundedSender<Vec<u8>>>>>,
}

impl Shared {
    fn ready(&self, queue: &str) -> Arc<Notify> {
        let mut ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready.entry(queue.to_owned()).or_default().clone()
    }

    async fn begin(&self) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Routes `payload` in `tx`; the queues that took it.
    async fn route(
        &self,
        tx: &mut SqliteConnection,
        exchange: &str,
        routing_key: &str,
        priority: u8,
        payload: &[u8],
    ) -> Result<Vec<String>, QueueError> {
        let kind: Option<String> = sqlx::query_scalar(EXCHANGE_KIND)
            .bind(exchange)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(kind) = kind else {
            return Err(QueueError::NotDeclared(exchange.to_owned()));
        };
        let targets: Vec<(String, i64)> = sqlx::query_as(TARGETS)
            .bind(exchange)
            .bind(routing_key)
            .bind(kind == kind_name(ExchangeKind::Fanout))
            .fetch_all(&mut *tx)
            .await?;
        for (queue, max_priority) in &targets {
            sqlx::query(ENQUEUE)
                .bind(queue)
                .bind(i64::from(priority).min(*max_priority))
                .bind(payload)
                .execute(&mut *tx)
                .await?;
        }
        Ok(targets.into_iter().map(|(queue, _)| queue).collect())
    }

    /// After a routing transaction committed: wakes the consumers of `queues` and hands
    /// the message to `exchange`'s observers.
    fn routed(&self, exchange: &str, queues: &[String], payload: &[u8]) {
        for queue in queues {
            self.ready(queue).notify_waiters();
        }
        let mut watchers = self.watchers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(watchers) = watchers.get_mut(exchange) {
            watchers.retain(|w| w.send(payload.to_vec()).is_ok());
        }
    }

    /// The next waiting message of `queue`, taken by this instance.
    async fn take(&self, queue: &str) -> Result<Option<(i64, Vec<u8>, bool)>, sqlx::Error> {
        sqlx::query_as(TAKE)
            .bind(queue)
            .bind(&self.instance)
            .fetch_optional(&self.pool)
            .await
    }

    async fn put_back(&self, id: i64, queue: &str) -> Result<(), QueueError> {
        sqlx::query(PUT_BACK)
            .bind(id)
            .bind(&self.instance)
            .execute(&self.pool)
            .await?;
        self.ready(queue).notify_waiters();
        Ok(())
    }
}

/// The broker in an SQLite database. Clones share the database and the wake-ups.
#[derive(Clone)]
pub struct SqliteBroker {
    shared: Arc<Shared>,
}

impl SqliteBroker {
    /// Creates (or migrates) the broker's tables in `pool`'s database, and puts back every
    /// message a previous process had handed out and not settled (it died).
    pub async fn new(pool: SqlitePool) -> Result<Self, QueueError> {
        let mut migrator = sqlx::migrate!("./migrations/messaging");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await.map_err(sqlx::Error::from)?;
        let recovered = sqlx::query(RECOVER).execute(&pool).await?.rows_affected();
        if recovered > 0 {
            tracing::info!(recovered, "messages in flight at the last stop put back");
        }
        Ok(Self {
            shared: Arc::new(Shared {
                pool,
                instance: uuid::Uuid::new_v4().to_string(),
                ready: Mutex::new(HashMap::new()),
                watchers: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// Settles one delivery. Dropped unsettled (a task died), it puts the message back.
struct SqliteAck {
    shared: Arc<Shared>,
    queue: String,
    id: i64,
    settled: bool,
    _slot: OwnedSemaphorePermit,
}

impl SqliteAck {
    fn settle(&mut self) -> Result<(), QueueError> {
        if std::mem::replace(&mut self.settled, true) {
            return Err(QueueError::AlreadySettled);
        }
        Ok(())
    }
}

impl Drop for SqliteAck {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let (shared, id, queue) = (
            self.shared.clone(),
            self.id,
            std::mem::take(&mut self.queue),
        );
        // Without a runtime (the process is ending) the next broker puts it back.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(e) = shared.put_back(id, &queue).await {
                    tracing::warn!(error = %e, queue, "cannot put a dropped delivery back");
                }
            });
        }
    }
}

#[async_trait::async_trait]
impl Ack for SqliteAck {
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        self.settle()?;
        sqlx::query(ACK)
            .bind(self.id)
            .bind(&self.shared.instance)
            .execute(&self.shared.pool)
            .await?;
        Ok(())
    }

    async fn retry(mut self: Box<Self>) -> Result<(), QueueError> {
        self.settle()?;
        self.shared.put_back(self.id, &self.queue).await
    }

    async fn dead_letter(mut self: Box<Self>) -> Result<(), QueueError> {
        self.settle()?;
        let shared = &self.shared;
        let mut tx = shared.begin().await?;
        let exchange: Option<Option<String>> = sqlx::query_scalar(DEAD_LETTER_EXCHANGE)
            .bind(self.id)
            .bind(&shared.instance)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(exchange) = exchange else {
            // Not ours any more (put back by a newer instance): nothing to settle.
            return Err(QueueError::AlreadySettled);
        };
        let payload: Vec<u8> =
            sqlx::query_scalar("SELECT payload FROM broker_messages WHERE id = $1")
                .bind(self.id)
                .fetch_one(&mut *tx)
                .await?;
        let routed = match &exchange {
            Some(exchange) => shared.route(&mut tx, exchange, "", 0, &payload).await?,
            None => Vec::new(),
        };
        sqlx::query(ACK)
            .bind(self.id)
            .bind(&shared.instance)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if let Some(exchange) = &exchange {
            shared.routed(exchange, &routed, &payload);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl MessageBroker for SqliteBroker {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn declare(&self, topology: &Topology) -> Result<(), QueueError> {
        let mut tx = self.shared.begin().await?;
        for exchange in &topology.exchanges {
            sqlx::query(DECLARE_EXCHANGE)
                .bind(&exchange.name)
                .bind(kind_name(exchange.kind))
                .execute(&mut *tx)
                .await?;
        }
        for queue in &topology.queues {
            sqlx::query(DECLARE_QUEUE)
                .bind(&queue.name)
                .bind(i64::from(queue.max_priority.unwrap_or(0)))
                .bind(&queue.dead_letter_exchange)
                .execute(&mut *tx)
                .await?;
        }
        for binding in &topology.bindings {
            let queue: Option<i64> = sqlx::query_scalar(QUEUE_EXISTS)
                .bind(&binding.queue)
                .fetch_optional(&mut *tx)
                .await?;
            if queue.is_none() {
                return Err(QueueError::NotDeclared(binding.queue.clone()));
            }
            let exchange: Option<String> = sqlx::query_scalar(EXCHANGE_KIND)
                .bind(&binding.exchange)
                .fetch_optional(&mut *tx)
                .await?;
            if exchange.is_none() {
                return Err(QueueError::NotDeclared(binding.exchange.clone()));
            }
            sqlx::query(BIND)
                .bind(&binding.exchange)
                .bind(&binding.queue)
                .bind(&binding.routing_key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip(self, message), fields(message_id = message.message_id))]
    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Outgoing<'_>,
    ) -> Result<(), QueueError> {
        let shared = &self.shared;
        let mut tx = shared.begin().await?;
        let taken = shared
            .route(
                &mut tx,
                exchange,
                routing_key,
                message.priority,
                message.payload,
            )
            .await?;
        if taken.is_empty() && message.mandatory {
            return Err(QueueError::Unroutable(exchange.to_owned()));
        }
        tx.commit().await?;
        shared.routed(exchange, &taken, message.payload);
        Ok(())
    }

    fn consume(
        &self,
        queue: &str,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
        let shared = self.shared.clone();
        let queue = queue.to_owned();
        let slots = Arc::new(Semaphore::new(usize::from(prefetch.max(1))));
        tokio::spawn(async move {
            let ready = shared.ready(&queue);
            loop {
                let slot = tokio::select! {
                    permit = slots.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => return,
                    },
                    () = shutdown.cancelled() => return,
                };
                let (id, payload, redelivered) = loop {
                    // Registered before looking, so a publish in between still wakes it.
                    let notified = ready.notified();
                    tokio::pin!(notified);
                    notified.as_mut().enable();
                    let wait = match shared.take(&queue).await {
                        Ok(Some(message)) => break message,
                        Ok(None) => RECHECK,
                        Err(e) => {
                            tracing::warn!(error = %e, queue, "cannot take from the queue");
                            PAUSE_AFTER_ERROR
                        }
                    };
                    tokio::select! {
                        _ = tokio::time::timeout(wait, notified) => {}
                        () = shutdown.cancelled() => return,
                    }
                };
                let ack = Box::new(SqliteAck {
                    shared: shared.clone(),
                    queue: queue.clone(),
                    id,
                    settled: false,
                    _slot: slot,
                });
                let delivery = Delivery {
                    payload,
                    redelivered,
                    ack,
                };
                // A closed receiver drops the delivery, which puts it back.
                if tx.send(delivery).await.is_err() {
                    return;
                }
            }
        });
        rx
    }

    async fn watch(&self, exchange: &str) -> Result<mpsc::UnboundedReceiver<Vec<u8>>, QueueError> {
        let kind: Option<String> = sqlx::query_scalar(EXCHANGE_KIND)
            .bind(exchange)
            .fetch_optional(&self.shared.pool)
            .await?;
        if kind.is_none() {
            return Err(QueueError::NotDeclared(exchange.to_owned()));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let mut watchers = self
            .shared
            .watchers
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        watchers.entry(exchange.to_owned()).or_default().push(tx);
        Ok(rx)
    }

    #[tracing::instrument(level = "debug", skip(self))]
    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        let exists: Option<i64> = sqlx::query_scalar(QUEUE_EXISTS)
            .bind(queue)
            .fetch_optional(&self.shared.pool)
            .await?;
        if exists.is_none() {
            return Err(QueueError::NotDeclared(queue.to_owned()));
        }
        let depth: i64 = sqlx::query_scalar(DEPTH)
            .bind(queue)
            .fetch_one(&self.shared.pool)
            .await?;
        Ok(u64::try_from(depth).unwrap_or(0))
    }

    async fn ping(&self) -> Result<(), QueueError> {
        sqlx::query("SELECT 1").execute(&self.shared.pool).await?;
        Ok(())
    }
}
