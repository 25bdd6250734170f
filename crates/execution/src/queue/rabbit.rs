//! [`Broker`] on RabbitMQ.
//!
//! Topology (names under the deployment prefix, declared idempotently on every connect):
//! - exchange `execution.jobs` (direct, durable) → queue `execution.jobs` (durable,
//!   `x-max-priority` 10, dead-lettering to `execution.dead`), routing key `job`;
//! - exchange and queue `execution.dead` (fanout, durable): jobs given up on;
//! - exchange `execution.results` (fanout, durable): results; subscribers bind their own
//!   queues.
//!
//! Every message is persistent and every publish waits for the broker's confirm, so a 202
//! from the API means the job is on disk. Connections are re-made on demand (publisher)
//! or by a supervising task (consumer) after the broker goes away.

use std::time::Duration;

use contracts::execution::{JobResult, JudgeJob};
use contracts::names;
use futures_util::StreamExt;
use lapin::Confirmation;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    BasicRejectOptions, ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::{Mutex, RwLock, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Ack, Broker, Delivery, QueueError, priority};

const ROUTING_KEY: &str = "job";
const OP_TIMEOUT: Duration = Duration::from_secs(5);

/// Names of this deployment's exchanges and queues.
#[derive(Debug, Clone)]
struct Topology {
    jobs: String,
    results: String,
    dead: String,
}

impl Topology {
    fn new(prefix: &str) -> Self {
        Self {
            jobs: names::prefixed(prefix, names::EXECUTION_JOBS),
            results: names::prefixed(prefix, names::EXECUTION_RESULTS),
            dead: names::prefixed(prefix, names::EXECUTION_DEAD),
        }
    }
}

pub struct RabbitBroker {
    url: String,
    topology: Topology,
    publisher: RwLock<Option<(Connection, Channel)>>,
    /// Held by the one task re-making the publishing connection.
    reconnecting: Mutex<()>,
}

fn unavailable(e: impl std::fmt::Display) -> QueueError {
    QueueError::Unavailable(e.to_string())
}

async fn timed<T>(
    what: &str,
    future: impl std::future::Future<Output = lapin::Result<T>>,
) -> Result<T, QueueError> {
    match tokio::time::timeout(OP_TIMEOUT, future).await {
        Ok(result) => result.map_err(unavailable),
        Err(_) => Err(QueueError::Unavailable(format!("{what} timed out"))),
    }
}

impl RabbitBroker {
    /// Connects once to check the URL and declare the topology.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, QueueError> {
        let broker = Self {
            url: url.to_owned(),
            topology: Topology::new(prefix),
            publisher: RwLock::new(None),
            reconnecting: Mutex::new(()),
        };
        broker.channel().await?;
        Ok(broker)
    }

    /// Every result published from now on, through a private queue that lives as long as
    /// the receiver: for observers (tests, benchmarks, dashboards). Results published
    /// while it is not connected are not seen; a consumer that must not miss any (the
    /// battle service) binds a durable queue of its own.
    pub async fn watch_results(&self) -> Result<mpsc::UnboundedReceiver<JobResult>, QueueError> {
        let connection = timed(
            "connect",
            Connection::connect(&self.url, ConnectionProperties::default()),
        )
        .await?;
        let channel = timed("open channel", connection.create_channel()).await?;
        declare(&channel, &self.topology).await?;
        let private = QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..QueueDeclareOptions::default()
        };
        let queue = timed(
            "declare watch queue",
            channel.queue_declare("".into(), private, FieldTable::default()),
        )
        .await?;
        timed(
            "bind watch queue",
            channel.queue_bind(
                queue.name().clone(),
                self.topology.results.as_str().into(),
                "".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            ),
        )
        .await?;
        let no_ack = BasicConsumeOptions {
            no_ack: true,
            ..BasicConsumeOptions::default()
        };
        let mut consumer = timed(
            "basic.consume",
            channel.basic_consume(
                queue.name().clone(),
                "".into(),
                no_ack,
                FieldTable::default(),
            ),
        )
        .await?;
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let _connection = connection;
            while let Some(Ok(delivery)) = consumer.next().await {
                match serde_json::from_slice::<JobResult>(&delivery.data) {
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

    async fn open(&self) -> Result<(Connection, Channel), QueueError> {
        let connection = timed(
            "connect",
            Connection::connect(&self.url, ConnectionProperties::default()),
        )
        .await?;
        let channel = timed("open channel", connection.create_channel()).await?;
        timed(
            "confirm.select",
            channel.confirm_select(ConfirmSelectOptions::default()),
        )
        .await?;
        declare(&channel, &self.topology).await?;
        Ok((connection, channel))
    }

    /// The publishing channel, (re)connecting if there is none or it has closed. One task
    /// reconnects at a time; others meanwhile fail at once (the API answers 503) instead
    /// of queueing behind a connection attempt to a broker that may be gone.
    async fn channel(&self) -> Result<Channel, QueueError> {
        if let Some(channel) = self.live_channel().await {
            return Ok(channel);
        }
        let Ok(_reconnecting) = self.reconnecting.try_lock() else {
            return Err(QueueError::Unavailable("reconnecting to the broker".into()));
        };
        // Someone may have reconnected between the check and the lock.
        if let Some(channel) = self.live_channel().await {
            return Ok(channel);
        }
        *self.publisher.write().await = None;
        let (connection, channel) = self.open().await?;
        *self.publisher.write().await = Some((connection, channel.clone()));
        Ok(channel)
    }

    async fn live_channel(&self) -> Option<Channel> {
        let publisher = self.publisher.read().await;
        match publisher.as_ref() {
            Some((connection, channel))
                if connection.status().connected() && channel.status().connected() =>
            {
                Some(channel.clone())
            }
            _ => None,
        }
    }

    async fn forget_channel(&self) {
        *self.publisher.write().await = None;
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        payload: &[u8],
        properties: BasicProperties,
    ) -> Result<(), QueueError> {
        // One retry on a fresh connection: the cached one may have died with a broker
        // restart without us noticing yet. If no connection can be made at all, answer at
        // once rather than make every caller wait through a second attempt.
        let mut last = QueueError::NotConfirmed;
        for _ in 0..2 {
            let channel = self.channel().await?;
            match publish_confirmed(&channel, exchange, routing_key, payload, properties.clone())
                .await
            {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, exchange, "publish failed; reconnecting");
                    self.forget_channel().await;
                    last = e;
                }
            }
        }
        Err(last)
    }
}

async fn publish_confirmed(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    payload: &[u8],
    properties: BasicProperties,
) -> Result<(), QueueError> {
    let confirm = timed(
        "basic.publish",
        channel.basic_publish(
            exchange.into(),
            routing_key.into(),
            BasicPublishOptions {
                mandatory: true,
                ..BasicPublishOptions::default()
            },
            payload,
            properties,
        ),
    )
    .await?;
    match timed("publisher confirm", confirm).await? {
        // A returned message was not routed to any queue: not safe.
        Confirmation::Ack(None) => Ok(()),
        _ => Err(QueueError::NotConfirmed),
    }
}

async fn declare(channel: &Channel, topology: &Topology) -> Result<(), QueueError> {
    let durable_exchange = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    let durable_queue = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    timed(
        "declare dead exchange",
        channel.exchange_declare(
            topology.dead.as_str().into(),
            ExchangeKind::Fanout,
            durable_exchange,
            FieldTable::default(),
        ),
    )
    .await?;
    timed(
        "declare dead queue",
        channel.queue_declare(
            topology.dead.as_str().into(),
            durable_queue,
            FieldTable::default(),
        ),
    )
    .await?;
    timed(
        "bind dead queue",
        channel.queue_bind(
            topology.dead.as_str().into(),
            topology.dead.as_str().into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        ),
    )
    .await?;
    timed(
        "declare jobs exchange",
        channel.exchange_declare(
            topology.jobs.as_str().into(),
            ExchangeKind::Direct,
            durable_exchange,
            FieldTable::default(),
        ),
    )
    .await?;
    let mut arguments = FieldTable::default();
    arguments.insert("x-max-priority".into(), AMQPValue::LongInt(10));
    arguments.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(topology.dead.as_str().into()),
    );
    timed(
        "declare jobs queue",
        channel.queue_declare(topology.jobs.as_str().into(), durable_queue, arguments),
    )
    .await?;
    timed(
        "bind jobs queue",
        channel.queue_bind(
            topology.jobs.as_str().into(),
            topology.jobs.as_str().into(),
            ROUTING_KEY.into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        ),
    )
    .await?;
    timed(
        "declare results exchange",
        channel.exchange_declare(
            topology.results.as_str().into(),
            ExchangeKind::Fanout,
            durable_exchange,
            FieldTable::default(),
        ),
    )
    .await?;
    Ok(())
}

fn persistent(message_id: &str) -> BasicProperties {
    BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/json".into())
        .with_message_id(message_id.into())
}

/// Settles one delivery. Dropped unsettled (a worker task panicked), it puts the job
/// back at once instead of holding a prefetch slot until the connection closes.
struct RabbitAck(Option<lapin::Acker>);

impl RabbitAck {
    fn take(&mut self) -> Result<lapin::Acker, QueueError> {
        self.0
            .take()
            .ok_or_else(|| QueueError::Unavailable("delivery already settled".into()))
    }
}

impl Drop for RabbitAck {
    fn drop(&mut self) {
        if let (Some(acker), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(async move {
                let options = BasicNackOptions {
                    requeue: true,
                    ..BasicNackOptions::default()
                };
                if let Err(e) = acker.nack(options).await {
                    tracing::warn!(error = %e, "cannot requeue an abandoned delivery");
                }
            });
        }
    }
}

#[async_trait::async_trait]
impl Ack for RabbitAck {
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        let acker = self.take()?;
        timed("basic.ack", acker.ack(BasicAckOptions::default()))
            .await
            .map(|_| ())
    }

    async fn retry(mut self: Box<Self>) -> Result<(), QueueError> {
        let acker = self.take()?;
        let options = BasicNackOptions {
            requeue: true,
            ..BasicNackOptions::default()
        };
        timed("basic.nack", acker.nack(options)).await.map(|_| ())
    }

    async fn dead_letter(mut self: Box<Self>) -> Result<(), QueueError> {
        let acker = self.take()?;
        // Rejected without requeue, the queue's dead-letter exchange takes it.
        let options = BasicRejectOptions { requeue: false };
        timed("basic.reject", acker.reject(options))
            .await
            .map(|_| ())
    }
}

#[async_trait::async_trait]
impl Broker for RabbitBroker {
    async fn publish_job(&self, job: &JudgeJob) -> Result<(), QueueError> {
        let payload = serde_json::to_vec(job)?;
        let properties = persistent(&job.id.to_string()).with_priority(priority(job));
        self.publish(&self.topology.jobs, ROUTING_KEY, &payload, properties)
            .await
    }

    async fn publish_result(&self, result: &JobResult) -> Result<(), QueueError> {
        let payload = serde_json::to_vec(result)?;
        // Fanout: a results exchange without subscribers is not an error, so no mandatory.
        let channel = self.channel().await?;
        let confirm = timed(
            "basic.publish",
            channel.basic_publish(
                self.topology.results.as_str().into(),
                "".into(),
                BasicPublishOptions::default(),
                &payload,
                persistent(&result.job_id.to_string()),
            ),
        )
        .await;
        let confirmed = match confirm {
            Ok(confirm) => timed("publisher confirm", confirm).await,
            Err(e) => Err(e),
        };
        match confirmed {
            Ok(Confirmation::Ack(_)) => Ok(()),
            Ok(_) => Err(QueueError::NotConfirmed),
            Err(e) => {
                self.forget_channel().await;
                Err(e)
            }
        }
    }

    async fn queue_depth(&self) -> Result<u64, QueueError> {
        let channel = self.channel().await?;
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let queue = timed(
            "queue depth",
            channel.queue_declare(
                self.topology.jobs.as_str().into(),
                passive,
                FieldTable::default(),
            ),
        )
        .await?;
        Ok(u64::from(queue.message_count()))
    }

    fn consume(&self, prefetch: u16, shutdown: CancellationToken) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
        let url = self.url.clone();
        let topology = self.topology.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            while !shutdown.is_cancelled() {
                let mut connected = false;
                match consume_once(&url, &topology, prefetch, &tx, &shutdown, &mut connected).await
                {
                    Ok(()) => return,
                    Err(e) => {
                        if connected {
                            backoff = Duration::from_millis(100);
                        }
                        tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "job consumer lost the broker");
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = shutdown.cancelled() => return,
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        });
        rx
    }

    async fn ping(&self) -> Result<(), QueueError> {
        self.channel().await.map(|_| ())
    }
}

/// Consumes until the connection fails (an error: reconnect) or shutdown (Ok).
async fn consume_once(
    url: &str,
    topology: &Topology,
    prefetch: u16,
    tx: &mpsc::Sender<Delivery>,
    shutdown: &CancellationToken,
    connected: &mut bool,
) -> Result<(), QueueError> {
    let connection = timed(
        "connect",
        Connection::connect(url, ConnectionProperties::default()),
    )
    .await?;
    let channel = timed("open channel", connection.create_channel()).await?;
    declare(&channel, topology).await?;
    timed(
        "basic.qos",
        channel.basic_qos(prefetch.max(1), BasicQosOptions::default()),
    )
    .await?;
    let mut consumer = timed(
        "basic.consume",
        channel.basic_consume(
            topology.jobs.as_str().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        ),
    )
    .await?;
    *connected = true;
    tracing::info!(queue = %topology.jobs, prefetch, "consuming judge jobs");
    loop {
        let next = tokio::select! {
            next = consumer.next() => next,
            () = shutdown.cancelled() => {
                // Take no new jobs, but keep the connection until the worker has settled
                // the ones in hand (it drops its receiver then); closing now would hand
                // them to another replica while they are still being judged.
                let _ = channel
                    .basic_cancel(consumer.tag(), lapin::options::BasicCancelOptions::default())
                    .await;
                tx.closed().await;
                let _ = connection.close(200, "shutting down".into()).await;
                return Ok(());
            }
        };
        match next {
            Some(Ok(delivery)) => {
                let delivery = Delivery {
                    payload: delivery.data.clone(),
                    redelivered: delivery.redelivered,
                    ack: Box::new(RabbitAck(Some(delivery.acker.clone()))),
                };
                if tx.send(delivery).await.is_err() {
                    return Ok(());
                }
            }
            Some(Err(e)) => return Err(unavailable(e)),
            None => return Err(QueueError::Unavailable("the consumer was cancelled".into())),
        }
    }
}
