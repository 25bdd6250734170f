//! The battle service's metrics, described and registered when the service starts so that
//! `/metrics` lists every one of them (at zero) before the first battle: alerts and
//! dashboards then see a series from the first scrape.

use contracts::battle::{BattleMode, BattleState};
use contracts::execution::Verdict;

pub const BATTLES: &str = "battle_battles";
pub const MATCHES: &str = "battle_matches_total";
pub const QUEUE_SIZE: &str = "battle_queue_size";
pub const QUEUE_WAIT: &str = "battle_queue_wait_seconds";
pub const SUBMISSIONS: &str = "battle_submissions_total";
pub const JUDGED: &str = "battle_judged_total";
pub const EVENTS: &str = "battle_events_total";
pub const OUTBOX_DELAY: &str = "battle_outbox_delay_seconds";
pub const OUTBOX_PENDING: &str = "battle_outbox_pending";

const STATES: [BattleState; 5] = [
    BattleState::Waiting,
    BattleState::Countdown,
    BattleState::Active,
    BattleState::Finished,
    BattleState::Cancelled,
];
/// The modes players queue for (private battles are made by invitation, never matched).
const QUEUED: [BattleMode; 2] = [BattleMode::Rated, BattleMode::Casual];
const EVENT_KINDS: [&str; 9] = [
    "created",
    "joined",
    "ready",
    "countdown",
    "started",
    "submitted",
    "judged",
    "finished",
    "cancelled",
];

/// Describes the metrics and registers them for their known label values. Gauges are
/// registered without changing a value another instance in this process has set.
pub fn register() {
    use metrics::Unit;
    metrics::describe_gauge!(BATTLES, "Battles stored, by state");
    metrics::describe_counter!(MATCHES, "Battles made by the matchmaker, by mode");
    metrics::describe_gauge!(
        QUEUE_SIZE,
        "Players waiting in the matchmaking queue, by mode"
    );
    metrics::describe_histogram!(
        QUEUE_WAIT,
        Unit::Seconds,
        "Time a player waited to be matched, by mode"
    );
    metrics::describe_counter!(SUBMISSIONS, "Solutions submitted in battles, by language");
    metrics::describe_counter!(JUDGED, "Battle submissions judged, by verdict");
    metrics::describe_counter!(EVENTS, "Battle events committed, by type");
    metrics::describe_histogram!(
        OUTBOX_DELAY,
        Unit::Seconds,
        "From commit to publication of an outbox entry"
    );
    metrics::describe_gauge!(
        OUTBOX_PENDING,
        "Outbox entries (events and results) not yet published"
    );

    for state in STATES {
        metrics::gauge!(BATTLES, "state" => state.as_str()).increment(0.0);
    }
    for mode in QUEUED {
        metrics::counter!(MATCHES, "mode" => mode.as_str()).increment(0);
        metrics::gauge!(QUEUE_SIZE, "mode" => mode.as_str()).increment(0.0);
        let _ = metrics::histogram!(QUEUE_WAIT, "mode" => mode.as_str());
    }
    for verdict in Verdict::ALL {
        metrics::counter!(JUDGED, "verdict" => verdict.code()).increment(0);
    }
    for kind in EVENT_KINDS {
        metrics::counter!(EVENTS, "type" => kind).increment(0);
    }
    let _ = metrics::histogram!(OUTBOX_DELAY);
    metrics::gauge!(OUTBOX_PENDING).increment(0.0);
}
