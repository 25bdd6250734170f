//! The rating service's background work, each a loop that stops on shutdown:
//!
//! - **consumer**: reads finished rated battles from the results stream as one consumer of
//!   the `rating` group, applies them (several at once, each its own transaction) and
//!   acknowledges each only after its commit; takes over entries a dead consumer left
//!   pending for `rating.claim_idle_ms`. A battle applied before is acknowledged without
//!   a change. An entry that cannot be rated (undecodable, one player twice, a winner who
//!   did not play), or whose failure is permanent (a corrupt row) after
//!   `rating.max_deliveries`, is moved to the dead-letter stream `rating:dead` and
//!   acknowledged; an entry failing because the database is away or busy is never given
//!   up: it waits, with a growing pause, until the database is back.
//! - **relay**: publishes the outbox's `rating.updated` events on the rating channel
//!   (`publish_once` keyed by battle, so a relay that dies between publishing and
//!   marking repeats nothing) and marks them.
//! - **upkeep**: the leaderboard check, and the lag gauges.

use std::sync::Arc;
use std::time::Duration;

use contracts::battle::BattleResult;
use contracts::names;
use contracts::rating::RatingEvent;
use futures_util::StreamExt as _;
use platform::bus::EventBus;
use platform::streams::{DurableStream, StreamEntry};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::service::{RatingError, RatingService, now_ms};

/// How long one read waits for new entries.
const BLOCK: Duration = Duration::from_secs(1);
/// Pause after a failure before trying again (doubling while failures go on).
const BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(10);
/// Events the relay publishes per pass at most.
const RELAY_BATCH: u32 = 100;
/// How often the lag gauges are set.
const GAUGES: Duration = Duration::from_secs(5);

pub struct Workers {
    pub service: Arc<RatingService>,
    pub bus: Arc<dyn EventBus>,
    pub streams: Arc<dyn DurableStream>,
    /// This replica's name in the consumer group (unique per process).
    pub consumer: String,
}

impl Workers {
    /// Starts every loop; their handles finish after `shutdown`.
    pub fn spawn(self, shutdown: CancellationToken) -> Vec<JoinHandle<()>> {
        vec![
            tokio::spawn(consume(
                self.service.clone(),
                self.streams.clone(),
                self.consumer,
                shutdown.clone(),
            )),
            tokio::spawn(relay(self.service.clone(), self.bus, shutdown.clone())),
            tokio::spawn(upkeep(self.service, self.streams, shutdown)),
        ]
    }
}

async fn consume(
    service: Arc<RatingService>,
    streams: Arc<dyn DurableStream>,
    consumer: String,
    shutdown: CancellationToken,
) {
    let idle = Duration::from_millis(service.settings.claim_idle_ms);
    let mut next_claim = tokio::time::Instant::now();
    let mut failures = 0_u32;
    loop {
        if shutdown.is_cancelled() {
            return;
        }
        let settings = &service.settings;
        // Another consumer's stale entries first, every half idle period (at once again
        // after a full batch of them).
        let claimed = if tokio::time::Instant::now() >= next_claim {
            next_claim = tokio::time::Instant::now()
                .checked_add(idle / 2)
                .unwrap_or_else(far_future);
            streams
                .claim_stale(
                    names::BATTLE_RESULTS,
                    names::RATING_GROUP,
                    &consumer,
                    idle,
                    settings.batch,
                )
                .await
        } else {
            Ok(Vec::new())
        };
        let entries = match claimed {
            Ok(entries) if !entries.is_empty() => {
                tracing::info!(
                    entries = entries.len(),
                    "took over a stale consumer's entries"
                );
                if entries.len() >= settings.batch {
                    // There may be more: look again right after this batch.
                    next_claim = tokio::time::Instant::now();
                }
                Ok(entries)
            }
            Ok(_) => {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    read = streams.read(
                        names::BATTLE_RESULTS,
                        names::RATING_GROUP,
                        &consumer,
                        settings.batch,
                        BLOCK,
                    ) => read,
                }
            }
            Err(e) => Err(e),
        };
        match entries {
            Ok(entries) => {
                let failed = handle_all(&service, streams.as_ref(), entries).await;
                failures = if failed > 0 {
                    failures.saturating_add(1)
                } else {
                    0
                };
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading finished battles");
                failures = failures.saturating_add(1);
            }
        }
        if failures > 0 {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(backoff(failures)) => {}
            }
        }
    }
}

/// The pause after `failures` failing rounds in a row: 0.5 s, doubling, at most 10 s.
fn backoff(failures: u32) -> Duration {
    BACKOFF
        .saturating_mul(1 << failures.saturating_sub(1).min(5))
        .min(MAX_BACKOFF)
}

/// A day from now: later than any claim worth waiting for.
fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86_400)
}

/// Handles a batch, `rating.concurrency` at a time; how many failed (left pending, to
/// come back on this consumer's next read).
pub async fn handle_all(
    service: &RatingService,
    streams: &dyn DurableStream,
    entries: Vec<StreamEntry>,
) -> usize {
    let concurrency = service.settings.concurrency;
    futures_util::stream::iter(entries)
        .map(|entry| handle(service, streams, entry))
        .buffer_unordered(concurrency)
        .filter(|ok| std::future::ready(!*ok))
        .count()
        .await
}

/// One entry: applied (or found applied, or given up on) and acknowledged; `false` if it
/// must come again.
#[tracing::instrument(skip_all, fields(entry = %entry.id, key = %entry.key, deliveries = entry.deliveries))]
async fn handle(service: &RatingService, streams: &dyn DurableStream, entry: StreamEntry) -> bool {
    let outcome = match serde_json::from_slice::<BattleResult>(&entry.payload) {
        Ok(result) => service.apply(&result).await.map(|_| ()),
        Err(e) => {
            tracing::error!(error = %e, "an undecodable finished battle; given up");
            return give_up(streams, &entry, crate::metrics::REJECTED).await;
        }
    };
    match outcome {
        Ok(()) => {}
        Err(RatingError::Invalid(why)) => {
            tracing::error!(why, "a finished battle that cannot be rated; given up");
            return give_up(streams, &entry, crate::metrics::REJECTED).await;
        }
        Err(e) if e.is_permanent() && entry.deliveries >= service.settings.max_deliveries => {
            tracing::error!(error = %e, "a finished battle failed on every delivery; given up");
            return give_up(streams, &entry, crate::metrics::FAILED).await;
        }
        Err(e) => {
            tracing::warn!(error = %e, "applying a finished battle; it will come again");
            return false;
        }
    }
    ack(streams, &entry).await
}

/// Keeps `entry` in the dead-letter stream (for operators), then acknowledges it.
async fn give_up(streams: &dyn DurableStream, entry: &StreamEntry, counter: &'static str) -> bool {
    if let Err(e) = streams
        .append_once(names::RATING_DEAD, &entry.key, &entry.payload)
        .await
    {
        tracing::warn!(error = %e, "keeping a given-up battle; it will come again");
        return false;
    }
    metrics::counter!(counter).increment(1);
    ack(streams, entry).await
}

async fn ack(streams: &dyn DurableStream, entry: &StreamEntry) -> bool {
    match streams
        .ack(names::BATTLE_RESULTS, names::RATING_GROUP, &entry.id)
        .await
    {
        Ok(()) => true,
        Err(e) => {
            // Applied but not acknowledged: it comes again and is found applied.
            tracing::warn!(error = %e, "acknowledging a finished battle");
            false
        }
    }
}

async fn relay(service: Arc<RatingService>, bus: Arc<dyn EventBus>, shutdown: CancellationToken) {
    let tick = Duration::from_millis(service.settings.tick_ms);
    loop {
        if let Err(e) = relay_once(&service, bus.as_ref()).await {
            tracing::warn!(error = %e, "rating outbox relay");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = service.outbox.notified() => {}
            _ = tokio::time::sleep(tick * 5) => {}
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Bus(#[from] platform::bus::BusError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// The dedupe key of a battle's `rating.updated` event on the channel.
pub fn event_key(battle: uuid::Uuid) -> String {
    format!("rating:{battle}")
}

/// Publishes everything in the outbox now; stops at the first failure (the rest waits).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn relay_once(service: &RatingService, bus: &dyn EventBus) -> Result<(), RelayError> {
    loop {
        let events = service.store.unpublished(RELAY_BATCH).await?;
        if events.is_empty() {
            return Ok(());
        }
        for event in &events {
            let RatingEvent::Updated {
                battle_id, at_ms, ..
            } = event;
            bus.publish_once(
                names::RATING_EVENTS,
                &event_key(*battle_id),
                &serde_json::to_vec(event)?,
            )
            .await?;
            service.store.mark_published(*battle_id, now_ms()).await?;
            let delay = (now_ms() - at_ms).max(0) as f64 / 1000.0;
            metrics::histogram!(crate::metrics::OUTBOX_DELAY).record(delay);
        }
    }
}

async fn upkeep(
    service: Arc<RatingService>,
    streams: Arc<dyn DurableStream>,
    shutdown: CancellationToken,
) {
    let check = Duration::from_secs(service.settings.leaderboard_check_secs);
    let mut next_check = tokio::time::Instant::now();
    loop {
        if tokio::time::Instant::now() >= next_check {
            next_check = tokio::time::Instant::now() + check;
            if let Err(e) = service.check_leaderboard().await {
                tracing::warn!(error = %e, "leaderboard check");
            }
        }
        match streams
            .lag(names::BATTLE_RESULTS, names::RATING_GROUP)
            .await
        {
            Ok(lag) => metrics::gauge!(crate::metrics::CONSUMER_LAG).set(lag as f64),
            Err(e) => tracing::warn!(error = %e, "results stream lag"),
        }
        if let Ok(lag) = service.store.outbox_lag().await {
            metrics::gauge!(crate::metrics::OUTBOX_PENDING).set(lag as f64);
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(GAUGES.min(check)) => {}
        }
    }
}
