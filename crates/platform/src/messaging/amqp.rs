//! [`MessageBroker`] on RabbitMQ.
//!
//! Every message is persistent and every publish waits for the broker's confirm, so a
//! caller that got `Ok` knows the message is on disk. The publishing connection is
//! re-made on demand by one task at a time (others fail at once with
//! [`QueueError::Reconnecting`] rather than queue up behind a broker that may be gone);
//! each consumer has its own connection, re-made by a supervising task with backoff.
//! Every topology declared through the broker is declared again on each new connection,
//! so a restarted broker gets its exchanges, queues and bindings back.
//!
//! `amqps://` URLs connect over TLS (rustls), verifying the broker's certificate and host
//! name against the bundled Mozilla roots and, when `amqp.ca_file` is set, its certificates
//! too ([`AmqpBroker::connect_with`]).

use std::sync::{Arc, Mutex as SyncMutex};
use std::time::Duration;

use contracts::names;
use futures_util::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions,
    BasicPublishOptions, BasicQosOptions, BasicRejectOptions, ConfirmSelectOptions,
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::tcp::OwnedTLSConfig;
use lapin::types::{AMQPValue, FieldTable};
use lapin::uri::{AMQPScheme, AMQPUri};
use lapin::{BasicProperties, Channel, Confirmation, Connection, ConnectionProperties};
use tokio::sync::{Mutex, RwLock, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Ack, Delivery, ExchangeKind, MessageBroker, Outgoing, QueueError, Topology};
use crate::tls::{CaFile, TlsError};

/// Longest wait for any one broker operation.
const OP_TIMEOUT: Duration = Duration::from_secs(5);

pub struct AmqpBroker {
    shared: Arc<Shared>,
    publisher: RwLock<Option<(Connection, Channel)>>,
    /// Held by the one task re-making the publishing connection.
    reconnecting: Mutex<()>,
}

/// What consumers' supervising tasks need too.
struct Shared {
    url: String,
    /// PEM certificates trusted besides the bundled roots (`amqp.ca_file`).
    ca: Option<String>,
    prefix: String,
    topologies: SyncMutex<Vec<Topology>>,
}

impl Shared {
    fn name(&self, name: &str) -> String {
        names::prefixed(&self.prefix, name)
    }

    async fn connect(&self) -> Result<(Connection, Channel), QueueError> {
        let tls = OwnedTLSConfig {
            identity: None,
            cert_chain: self.ca.clone(),
        };
        let runtime = lapin::runtime::default_runtime()?;
        let connection = timed(
            "connect",
            Connection::connect_with_config(
                &self.url,
                ConnectionProperties::default(),
                tls,
                runtime,
            ),
        )
        .await?;
        let channel = timed("channel.open", connection.create_channel()).await?;
        let topologies = self
            .topologies
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for topology in &topologies {
            self.declare_on(&channel, topology).await?;
        }
        Ok((connection, channel))
    }

    async fn declare_on(&self, channel: &Channel, topology: &Topology) -> Result<(), QueueError> {
        let durable_exchange = ExchangeDeclareOptions {
            durable: true,
            ..ExchangeDeclareOptions::default()
        };
        for exchange in &topology.exchanges {
            let kind = match exchange.kind {
                ExchangeKind::Direct => lapin::ExchangeKind::Direct,
                ExchangeKind::Fanout => lapin::ExchangeKind::Fanout,
            };
            timed(
                "exchange.declare",
                channel.exchange_declare(
                    self.name(&exchange.name).as_str().into(),
                    kind,
                    durable_exchange,
                    FieldTable::default(),
                ),
            )
            .await?;
        }
        let durable_queue = QueueDeclareOptions {
            durable: true,
            ..QueueDeclareOptions::default()
        };
        for queue in &topology.queues {
            let mut arguments = FieldTable::default();
            if let Some(max) = queue.max_priority {
                arguments.insert("x-max-priority".into(), AMQPValue::LongInt(i32::from(max)));
            }
            if let Some(dead) = &queue.dead_letter_exchange {
                arguments.insert(
                    "x-dead-letter-exchange".into(),
                    AMQPValue::LongString(self.name(dead).as_str().into()),
                );
            }
            timed(
                "queue.declare",
                channel.queue_declare(
                    self.name(&queue.name).as_str().into(),
                    durable_queue,
                    arguments,
                ),
            )
            .await?;
        }
        for binding in &topology.bindings {
            timed(
                "queue.bind",
                channel.queue_bind(
                    self.name(&binding.queue).as_str().into(),
                    self.name(&binding.exchange).as_str().into(),
                    binding.routing_key.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                ),
            )
            .await?;
        }
        Ok(())
    }
}

async fn timed<T>(
    what: &'static str,
    future: impl std::future::Future<Output = lapin::Result<T>>,
) -> Result<T, QueueError> {
    match tokio::time::timeout(OP_TIMEOUT, future).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(QueueError::Timeout(what)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AmqpConnectError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

impl AmqpBroker {
    /// Connects once to check the URL; names get `prefix` (see `contracts::names`).
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, QueueError> {
        Self::connect_inner(url, prefix, None).await
    }

    /// [`AmqpBroker::connect`] also trusting `ca` (the `amqp.ca_file` setting) for the
    /// broker's certificate, which needs an `amqps://` URL.
    pub async fn connect_with(
        url: &str,
        prefix: &str,
        ca: Option<&CaFile>,
    ) -> Result<Self, AmqpConnectError> {
        let Some(ca) = ca else {
            return Ok(Self::connect_inner(url, prefix, None).await?);
        };
        let tls = url
            .parse::<AMQPUri>()
            .is_ok_and(|uri| uri.scheme == AMQPScheme::AMQPS);
        ca.require(tls, "amqp.url", "an amqps:// URL")?;
        // PEM is ASCII; anything else in the file lies outside its certificates.
        let pem = String::from_utf8_lossy(ca.pem()).into_owned();
        Ok(Self::connect_inner(url, prefix, Some(pem)).await?)
    }

    async fn connect_inner(
        url: &str,
        prefix: &str,
        ca: Option<String>,
    ) -> Result<Self, QueueError> {
        let broker = Self {
            shared: Arc::new(Shared {
                url: url.to_owned(),
                ca,
                prefix: prefix.to_owned(),
                topologies: SyncMutex::new(Vec::new()),
            }),
            publisher: RwLock::new(None),
            reconnecting: Mutex::new(()),
        };
        broker.channel().await?;
        Ok(broker)
    }

    /// The publishing channel, (re)connecting if there is none or it has closed.
    async fn channel(&self) -> Result<Channel, QueueError> {
        if let Some(channel) = self.live_channel().await {
            return Ok(channel);
        }
        let Ok(_reconnecting) = self.reconnecting.try_lock() else {
            return Err(QueueError::Reconnecting);
        };
        // Someone may have reconnected between the check and the lock.
        if let Some(channel) = self.live_channel().await {
            return Ok(channel);
        }
        *self.publisher.write().await = None;
        let (connection, channel) = self.shared.connect().await?;
        timed(
            "confirm.select",
            channel.confirm_select(ConfirmSelectOptions::default()),
        )
        .await?;
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
}

async fn publish_confirmed(
    channel: &Channel,
    exchange: &str,
    routing_key: &str,
    message: &Outgoing<'_>,
) -> Result<(), QueueError> {
    let properties = BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/json".into())
        .with_message_id(message.message_id.into())
        .with_priority(message.priority);
    let confirm = timed(
        "basic.publish",
        channel.basic_publish(
            exchange.into(),
            routing_key.into(),
            BasicPublishOptions {
                mandatory: message.mandatory,
                ..BasicPublishOptions::default()
            },
            message.payload,
            properties,
        ),
    )
    .await?;
    match timed("publisher confirm", confirm).await? {
        Confirmation::Ack(None) => Ok(()),
        // Returned: no queue took it.
        Confirmation::Ack(Some(_)) => Err(QueueError::Unroutable(exchange.to_owned())),
        _ => Err(QueueError::NotConfirmed),
    }
}

#[async_trait::async_trait]
impl MessageBroker for AmqpBroker {
    async fn declare(&self, topology: &Topology) -> Result<(), QueueError> {
        let channel = self.channel().await?;
        self.shared.declare_on(&channel, topology).await?;
        let mut topologies = self
            .shared
            .topologies
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !topologies.contains(topology) {
            topologies.push(topology.clone());
        }
        Ok(())
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Outgoing<'_>,
    ) -> Result<(), QueueError> {
        let exchange = self.shared.name(exchange);
        // One retry on a fresh connection: the cached one may have died with a broker
        // restart without us noticing yet. If no connection can be made at all, answer at
        // once rather than make every caller wait through a second attempt.
        let mut last = QueueError::NotConfirmed;
        for _ in 0..2 {
            let channel = self.channel().await?;
            match publish_confirmed(&channel, &exchange, routing_key, &message).await {
                Ok(()) => return Ok(()),
                Err(e @ QueueError::Unroutable(_)) => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, exchange, "publish failed; reconnecting");
                    self.forget_channel().await;
                    last = e;
                }
            }
        }
        Err(last)
    }

    fn consume(
        &self,
        queue: &str,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
        let shared = self.shared.clone();
        let queue = shared.name(queue);
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            while !shutdown.is_cancelled() {
                let mut connected = false;
                match consume_once(&shared, &queue, prefetch, &tx, &shutdown, &mut connected).await
                {
                    Ok(()) => return,
                    Err(e) => {
                        if connected {
                            backoff = Duration::from_millis(100);
                        }
                        tracing::warn!(error = %e, queue, retry_in_ms = backoff.as_millis() as u64, "consumer lost the broker");
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

    async fn watch(&self, exchange: &str) -> Result<mpsc::UnboundedReceiver<Vec<u8>>, QueueError> {
        let (connection, channel) = self.shared.connect().await?;
        let private = QueueDeclareOptions {
            exclusive: true,
            auto_delete: true,
            ..QueueDeclareOptions::default()
        };
        let queue = timed(
            "queue.declare",
            channel.queue_declare("".into(), private, FieldTable::default()),
        )
        .await?;
        timed(
            "queue.bind",
            channel.queue_bind(
                queue.name().clone(),
                self.shared.name(exchange).as_str().into(),
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
                if tx.send(delivery.data.clone()).is_err() {
                    return;
                }
            }
        });
        Ok(rx)
    }

    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        let channel = self.channel().await?;
        let passive = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let name = self.shared.name(queue);
        match timed(
            "queue.declare",
            channel.queue_declare(name.as_str().into(), passive, FieldTable::default()),
        )
        .await
        {
            Ok(queue) => Ok(u64::from(queue.message_count())),
            Err(e) => {
                // A failed passive declare closes the channel.
                self.forget_channel().await;
                Err(e)
            }
        }
    }

    async fn ping(&self) -> Result<(), QueueError> {
        self.channel().await.map(|_| ())
    }
}

/// Consumes until the connection fails (an error: reconnect) or shutdown (Ok).
async fn consume_once(
    shared: &Shared,
    queue: &str,
    prefetch: u16,
    tx: &mpsc::Sender<Delivery>,
    shutdown: &CancellationToken,
    connected: &mut bool,
) -> Result<(), QueueError> {
    let (connection, channel) = shared.connect().await?;
    timed(
        "basic.qos",
        channel.basic_qos(prefetch.max(1), BasicQosOptions::default()),
    )
    .await?;
    let mut consumer = timed(
        "basic.consume",
        channel.basic_consume(
            queue.into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        ),
    )
    .await?;
    *connected = true;
    tracing::info!(queue, prefetch, "consuming");
    loop {
        let next = tokio::select! {
            next = consumer.next() => next,
            () = shutdown.cancelled() => {
                // Take nothing new, but keep the connection until the consumer has settled
                // what it holds (it drops its receiver then); closing now would hand those
                // messages to another consumer while they are still being worked on.
                let _ = channel
                    .basic_cancel(consumer.tag(), BasicCancelOptions::default())
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
                    ack: Box::new(AmqpAck(Some(delivery.acker.clone()))),
                };
                if tx.send(delivery).await.is_err() {
                    return Ok(());
                }
            }
            Some(Err(e)) => return Err(e.into()),
            None => return Err(QueueError::Timeout("basic.consume (cancelled)")),
        }
    }
}

/// Settles one delivery. Dropped unsettled (a task panicked), it puts the message back at
/// once instead of holding a prefetch slot until the connection closes.
struct AmqpAck(Option<lapin::Acker>);

impl AmqpAck {
    fn take(&mut self) -> Result<lapin::Acker, QueueError> {
        self.0.take().ok_or(QueueError::AlreadySettled)
    }
}

impl Drop for AmqpAck {
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
impl Ack for AmqpAck {
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
