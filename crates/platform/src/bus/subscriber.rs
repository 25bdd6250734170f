//! The Redis bus's subscriber connection: one task that owns a pub/sub connection, feeds
//! incoming messages into the local fan-out, (un)subscribes on request, pings to notice a
//! silent connection, and after any loss reconnects with backoff, resubscribes every channel
//! still in use and reports the gap as `Missed` to every subscription.
//!
//! `Missed` is sent after the resubscription is confirmed and before any message from the
//! new connection: a subscriber that re-reads the log on `Missed` sees everything published
//! before it, and the bus delivers everything published after it.

use std::sync::Weak;
use std::time::Duration;

use ::redis::aio::{PubSubSink, PubSubStream};
use ::redis::{ErrorKind, RedisError, Value};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::redis::Listener;

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long Redis may take to answer a (un)subscribe or a ping.
const REPLY_TIMEOUT: Duration = Duration::from_secs(2);
/// How often an idle connection is checked; a dead one is noticed within this plus
/// [`REPLY_TIMEOUT`] even if no FIN ever arrives.
const PING_INTERVAL: Duration = Duration::from_secs(5);
const FIRST_RETRY: Duration = Duration::from_millis(50);
const LAST_RETRY: Duration = Duration::from_secs(5);
/// The longest wait before the next attempt while a `subscribe` call is waiting.
const EAGER_RETRY: Duration = Duration::from_millis(250);

pub(super) enum Command {
    Subscribe {
        channel: String,
        confirmed: Confirmation,
    },
    Unsubscribe {
        channel: String,
    },
}

/// Answers a `subscribe` call: `Ok` once Redis confirmed, or Redis's refusal.
type Confirmation = oneshot::Sender<Result<(), RedisError>>;

/// Why a connection is no longer usable.
#[derive(Debug, thiserror::Error)]
enum Loss {
    #[error("redis: {0}")]
    Redis(#[from] RedisError),
    #[error("no answer within {0:?}")]
    Silent(Duration),
    #[error("connection closed")]
    Closed,
}

enum Ended {
    /// The bus and all its subscriptions are gone.
    Gone,
    Lost(Loss),
}

pub(super) async fn run(
    client: ::redis::Client,
    listener: Weak<Listener>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    // `subscribe` calls waiting for a connection; the next resubscription covers them.
    let mut waiting: Vec<Confirmation> = Vec::new();
    let mut retry = FIRST_RETRY;
    let mut reconnecting = false;
    loop {
        match open(&client, &listener).await {
            Err(Ended::Gone) => return,
            Err(Ended::Lost(loss)) => {
                tracing::warn!(error = %loss, "cannot subscribe on Redis; retrying");
            }
            Ok((sink, stream)) => {
                retry = FIRST_RETRY;
                for confirmed in waiting.drain(..) {
                    let _ = confirmed.send(Ok(()));
                }
                if reconnecting {
                    let Some(listener) = listener.upgrade() else {
                        return;
                    };
                    listener.topics.missed_everywhere();
                    tracing::info!("redis pub/sub is back; subscribers told to catch up");
                }
                reconnecting = true;
                match serve(sink, stream, &listener, &mut commands, &mut waiting).await {
                    Ended::Gone => return,
                    Ended::Lost(loss) => {
                        tracing::warn!(error = %loss, "redis pub/sub connection lost");
                    }
                }
            }
        }
        if !pause(jittered(retry), &mut commands, &mut waiting).await {
            return;
        }
        retry = (retry * 2).min(LAST_RETRY);
    }
}

/// Opens a connection and subscribes it to every channel in use.
async fn open(
    client: &::redis::Client,
    listener: &Weak<Listener>,
) -> Result<(PubSubSink, PubSubStream), Ended> {
    let pubsub = tokio::time::timeout(CONNECT_TIMEOUT, client.get_async_pubsub())
        .await
        .map_err(|_| Ended::Lost(Loss::Silent(CONNECT_TIMEOUT)))?
        .map_err(|e| Ended::Lost(e.into()))?;
    let (mut sink, stream) = pubsub.split();
    let channels = listener.upgrade().ok_or(Ended::Gone)?.topics.names();
    if !channels.is_empty() {
        ask(sink.subscribe(&channels)).await.map_err(Ended::Lost)?;
    }
    Ok((sink, stream))
}

async fn serve(
    mut sink: PubSubSink,
    mut stream: PubSubStream,
    listener: &Weak<Listener>,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    waiting: &mut Vec<Confirmation>,
) -> Ended {
    let mut ping = tokio::time::interval_at(Instant::now() + PING_INTERVAL, PING_INTERVAL);
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(message) = message else {
                    return Ended::Lost(Loss::Closed);
                };
                let Some(listener) = listener.upgrade() else {
                    return Ended::Gone;
                };
                listener.topics.deliver(message.get_channel_name(), message.get_payload_bytes());
            }
            command = commands.recv() => match command {
                None => return Ended::Gone,
                Some(Command::Subscribe { channel, confirmed }) => {
                    match ask(sink.subscribe(&channel)).await {
                        Ok(()) => {
                            let _ = confirmed.send(Ok(()));
                        }
                        Err(Loss::Redis(error)) if refused(&error) => {
                            let _ = confirmed.send(Err(error));
                        }
                        Err(loss) => {
                            waiting.push(confirmed);
                            return Ended::Lost(loss);
                        }
                    }
                }
                Some(Command::Unsubscribe { channel }) => {
                    let Some(listener) = listener.upgrade() else {
                        return Ended::Gone;
                    };
                    if listener.topics.contains(&channel) {
                        continue; // subscribed again since
                    }
                    match ask(sink.unsubscribe(&channel)).await {
                        Ok(()) => {}
                        Err(Loss::Redis(error)) if refused(&error) => {
                            tracing::warn!(%error, channel, "redis refused to unsubscribe");
                        }
                        Err(loss) => return Ended::Lost(loss),
                    }
                }
            },
            _ = ping.tick() => {
                if let Err(loss) = ask(sink.ping::<Value>()).await {
                    return Ended::Lost(loss);
                }
            }
        }
    }
}

/// Waits `delay` before the next attempt, keeping `subscribe` calls for the next
/// connection; `false` once the bus is gone. A waiting `subscribe` shortens the wait to
/// [`EAGER_RETRY`], so it is answered soon after Redis is back rather than after a long
/// backoff, yet never causes more than a few attempts a second.
async fn pause(
    delay: Duration,
    commands: &mut mpsc::UnboundedReceiver<Command>,
    waiting: &mut Vec<Confirmation>,
) -> bool {
    let started = Instant::now();
    let eager = started + EAGER_RETRY;
    // Callers that gave up are not kept.
    waiting.retain(|c| !c.is_closed());
    let until = tokio::time::sleep_until(if waiting.is_empty() {
        started + delay
    } else {
        eager.min(started + delay)
    });
    tokio::pin!(until);
    loop {
        tokio::select! {
            _ = &mut until => return true,
            command = commands.recv() => match command {
                None => return false,
                Some(Command::Subscribe { confirmed, .. }) => {
                    waiting.push(confirmed);
                    if eager < until.deadline() {
                        until.as_mut().reset(eager);
                    }
                }
                // The next connection subscribes to exactly what is in use then.
                Some(Command::Unsubscribe { .. }) => {}
            },
        }
    }
}

/// One request to Redis, with a deadline.
async fn ask<T>(request: impl Future<Output = Result<T, RedisError>>) -> Result<T, Loss> {
    match tokio::time::timeout(REPLY_TIMEOUT, request).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(Loss::Silent(REPLY_TIMEOUT)),
    }
}

/// Redis answered with an error (an ACL refusal, say): the connection itself is fine.
fn refused(error: &RedisError) -> bool {
    matches!(error.kind(), ErrorKind::Server(_))
}

/// `base` give or take half, so replicas that lost Redis together do not all come back in
/// the same instant.
fn jittered(base: Duration) -> Duration {
    base.mul_f64(0.5 + rand::random::<f64>())
}
