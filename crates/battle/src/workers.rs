//! The battle service's background work, each a loop that stops on shutdown:
//!
//! - **relay**: publishes the outbox — events to the event channel, finished rated
//!   battles to the results stream — and marks them published. Publishing is idempotent
//!   per event (`publish_once` keyed by battle and sequence number; `append_once` keyed
//!   by battle), so a relay that dies between publishing and marking repeats nothing.
//! - **clock**: applies what is due (countdowns, deadlines, expired waits) and re-sends or
//!   gives up on submissions whose result is overdue.
//! - **results**: the service's durable subscription to the execution results.
//! - **matchmaker**: a matchmaking round per mode.

use std::sync::Arc;
use std::time::Duration;

use contracts::battle::{BattleMode, BattleState};
use contracts::execution::JobResult;
use contracts::names;
use platform::bus::EventBus;
use platform::messaging::MessageBroker;
use platform::streams::DurableStream;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::matchmaker::Matchmaker;
use crate::rules;
use crate::service::{BattleService, lost, now_ms};

/// Rows one pass of a loop handles at most.
const BATCH: u32 = 100;
/// Results taken from the broker at once.
const PREFETCH: u16 = 32;

/// The dedupe key of an event on the channel.
pub fn event_key(battle: Uuid, seq: i64) -> String {
    format!("battle:{battle}:{seq}")
}

pub struct Workers {
    pub service: Arc<BattleService>,
    pub bus: Arc<dyn EventBus>,
    pub streams: Arc<dyn DurableStream>,
    pub broker: Arc<dyn MessageBroker>,
}

impl Workers {
    /// Starts every loop; their handles finish after `shutdown`.
    pub async fn spawn(
        self,
        shutdown: CancellationToken,
    ) -> Result<Vec<JoinHandle<()>>, platform::messaging::QueueError> {
        let queue = names::subscriber_queue(names::EXECUTION_RESULTS, names::BATTLE_SUBSCRIBER);
        let results = self
            .broker
            .subscribe(names::EXECUTION_RESULTS, &queue, PREFETCH, shutdown.clone())
            .await?;
        let tick = Duration::from_millis(self.service.settings.tick_ms);
        Ok(vec![
            tokio::spawn(relay(
                self.service.clone(),
                self.bus,
                self.streams,
                tick,
                shutdown.clone(),
            )),
            tokio::spawn(clock(self.service.clone(), tick, shutdown.clone())),
            tokio::spawn(consume_results(
                self.service.clone(),
                results,
                shutdown.clone(),
            )),
            tokio::spawn(matchmaker(self.service, tick, shutdown)),
        ])
    }
}

async fn relay(
    service: Arc<BattleService>,
    bus: Arc<dyn EventBus>,
    streams: Arc<dyn DurableStream>,
    tick: Duration,
    shutdown: CancellationToken,
) {
    loop {
        if let Err(e) = relay_once(&service, bus.as_ref(), streams.as_ref()).await {
            tracing::warn!(error = %e, "outbox relay");
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = service.outbox.notified() => {}
            _ = tokio::time::sleep(tick * 5) => {}
        }
    }
}

#[derive(Debug, thiserror::Error)]
enum RelayError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Bus(#[from] platform::bus::BusError),
    #[error(transparent)]
    Stream(#[from] platform::streams::StreamError),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Publishes everything in the outbox now; stops at the first failure (the rest waits).
#[tracing::instrument(level = "debug", skip_all)]
async fn relay_once(
    service: &BattleService,
    bus: &dyn EventBus,
    streams: &dyn DurableStream,
) -> Result<(), RelayError> {
    let store = &service.store;
    loop {
        let events = store.unpublished_events(BATCH).await?;
        let results = store.unpublished_results(BATCH).await?;
        if events.is_empty() && results.is_empty() {
            break;
        }
        for event in &events {
            let payload = serde_json::to_vec(event)?;
            bus.publish_once(
                names::BATTLE_EVENTS,
                &event_key(event.battle_id, event.seq),
                &payload,
            )
            .await?;
            store
                .mark_event_published(event.battle_id, event.seq, now_ms())
                .await?;
            let lag = (now_ms() - event.at_ms).max(0) as f64 / 1000.0;
            metrics::histogram!(crate::metrics::OUTBOX_DELAY).record(lag);
        }
        for result in &results {
            let payload = serde_json::to_vec(result)?;
            streams
                .append_once(
                    names::BATTLE_RESULTS,
                    &result.battle_id.to_string(),
                    &payload,
                )
                .await?;
            store
                .mark_result_published(result.battle_id, now_ms())
                .await?;
        }
    }
    let lag = store.outbox_lag().await?;
    metrics::gauge!(crate::metrics::OUTBOX_PENDING).set((lag.events + lag.results) as f64);
    Ok(())
}

/// The clock reports battles by state every this many ticks (a count over the table).
const GAUGE_EVERY: u32 = 25;

async fn clock(service: Arc<BattleService>, tick: Duration, shutdown: CancellationToken) {
    let mut ticks = 0_u32;
    loop {
        if let Err(e) = clock_once(&service).await {
            tracing::warn!(error = %e, "battle clock");
        }
        if ticks.is_multiple_of(GAUGE_EVERY)
            && let Ok(states) = service.store.count_by_state().await
        {
            for state in [
                BattleState::Waiting,
                BattleState::Countdown,
                BattleState::Active,
                BattleState::Finished,
                BattleState::Cancelled,
            ] {
                let n = states
                    .iter()
                    .find(|(s, _)| *s == state)
                    .map_or(0, |(_, n)| *n);
                metrics::gauge!(crate::metrics::BATTLES, "state" => state.as_str()).set(n as f64);
            }
        }
        ticks = ticks.wrapping_add(1);
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

/// Applies everything due now. Public for tests that drive the clock.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn clock_once(service: &BattleService) -> Result<(), crate::BattleError> {
    let now = now_ms();
    let timing = service.timing;
    for id in service.store.due(now, BATCH).await? {
        let applied = service
            .apply(id, |b| Ok(rules::tick(b, now_ms(), &timing)))
            .await;
        if let Err(e) = applied {
            tracing::warn!(error = %e, battle = %id, "clock tick");
        }
    }
    for submission in service.store.overdue(now, BATCH).await? {
        if let Err(e) = overdue(service, submission.id, &timing).await {
            tracing::warn!(error = %e, submission = %submission.id, "an overdue result");
        }
    }
    Ok(())
}

/// A submission whose result is overdue: its job is sent again under a new id, once;
/// after that — or when its battle is over and the job did reach the judge — it ends as
/// IE (`rules::overdue`).
#[tracing::instrument(skip(service, timing))]
async fn overdue(
    service: &BattleService,
    sid: Uuid,
    timing: &rules::Timing,
) -> Result<(), crate::BattleError> {
    let job_id = Uuid::now_v7();
    // Some(true): sent again; Some(false): ended as IE; None: nothing was due.
    let mut resent = None;
    service
        .apply_submission(sid, |b, s| {
            let change = rules::overdue(b, s, job_id, lost(), now_ms(), timing);
            resent = change.as_ref().map(|c| {
                c.update_submission
                    .as_ref()
                    .is_some_and(|u| u.job_id == job_id)
            });
            Ok(change)
        })
        .await?;
    match resent {
        None => return Ok(()),
        Some(false) => {
            tracing::warn!(submission = %sid, "result never came; judged IE");
            return Ok(());
        }
        Some(true) => {}
    }
    let Some(s) = service.store.submission(sid).await? else {
        return Ok(());
    };
    if s.job_id == job_id {
        tracing::info!(submission = %sid, "result overdue; job sent again");
        let battle = service.battle(s.battle_id).await?;
        service.send(&battle, &s).await;
    }
    Ok(())
}

/// Deliveries of one result that failed to be recorded before it is given up (logged).
const MAX_RESULT_FAILURES: u32 = 5;

async fn consume_results(
    service: Arc<BattleService>,
    mut results: tokio::sync::mpsc::Receiver<platform::messaging::Delivery>,
    shutdown: CancellationToken,
) {
    let mut failures: std::collections::HashMap<Uuid, u32> = std::collections::HashMap::new();
    loop {
        // The broker's stream ends only once this receiver is dropped: stop on shutdown
        // (a result taken but not yet recorded is not acknowledged, and comes again).
        let delivery = tokio::select! {
            _ = shutdown.cancelled() => return,
            delivery = results.recv() => match delivery {
                Some(delivery) => delivery,
                None => return,
            },
        };
        let result: JobResult = match serde_json::from_slice(&delivery.payload) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "an undecodable result; dropped");
                if let Err(e) = delivery.ack.dead_letter().await {
                    tracing::warn!(error = %e, "settling a result");
                }
                continue;
            }
        };
        let settled = match service.record_result(&result).await {
            Ok(()) => {
                failures.remove(&result.job_id);
                delivery.ack.ack().await
            }
            Err(e) => {
                if failures.len() > 10_000 {
                    failures.clear();
                }
                let n = failures.entry(result.job_id).or_default();
                *n += 1;
                if *n >= MAX_RESULT_FAILURES {
                    failures.remove(&result.job_id);
                    tracing::error!(error = %e, job_id = %result.job_id, "a result cannot be recorded; given up (the submission will be re-sent or end as IE)");
                    delivery.ack.dead_letter().await
                } else {
                    tracing::warn!(error = %e, job_id = %result.job_id, "recording a result; it will come again");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    delivery.ack.retry().await
                }
            }
        };
        if let Err(e) = settled {
            tracing::warn!(error = %e, "settling a result");
        }
    }
}

async fn matchmaker(service: Arc<BattleService>, tick: Duration, shutdown: CancellationToken) {
    loop {
        for mode in [BattleMode::Rated, BattleMode::Casual] {
            if let Err(e) = match_round(&service, mode).await {
                tracing::warn!(error = %e, mode = mode.as_str(), "matchmaking round");
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

/// One matchmaking round for `mode`; the battles it made.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn match_round(
    service: &BattleService,
    mode: BattleMode,
) -> Result<usize, crate::BattleError> {
    let planner = Matchmaker {
        settings: &service.settings,
        timing: service.timing,
        catalogue: &service.catalogue,
        mode,
    };
    let made = service.store.pair(mode, &planner, now_ms()).await?;
    for change in &made {
        service.committed(change);
        metrics::counter!(crate::metrics::MATCHES, "mode" => mode.as_str()).increment(1);
    }
    if let Ok(sizes) = service.store.queue_sizes().await {
        for m in [BattleMode::Rated, BattleMode::Casual] {
            let n = sizes.iter().find(|(x, _)| *x == m).map_or(0, |(_, n)| *n);
            metrics::gauge!(crate::metrics::QUEUE_SIZE, "mode" => m.as_str()).set(n as f64);
        }
    }
    Ok(made.len())
}
