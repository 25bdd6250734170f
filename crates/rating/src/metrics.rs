//! The rating service's metrics, described and registered when the service starts so that
//! `/metrics` lists every one of them (at zero) before the first battle is applied.

pub const APPLIED: &str = "rating_battles_applied_total";
pub const DUPLICATE: &str = "rating_battles_duplicate_total";
pub const REJECTED: &str = "rating_battles_rejected_total";
pub const FAILED: &str = "rating_battles_failed_total";
pub const REBUILDS: &str = "rating_leaderboard_rebuilds_total";
pub const CONSUMER_LAG: &str = "rating_consumer_lag";
pub const OUTBOX_DELAY: &str = "rating_outbox_delay_seconds";
pub const OUTBOX_PENDING: &str = "rating_outbox_pending";

/// Describes the metrics and registers them; gauges keep any value already set.
pub fn register() {
    use metrics::Unit;
    metrics::describe_counter!(APPLIED, "Finished battles applied to ratings");
    metrics::describe_counter!(DUPLICATE, "Finished battles received again and skipped");
    metrics::describe_counter!(
        REJECTED,
        "Finished battles refused as malformed (kept in the dead-letter stream)"
    );
    metrics::describe_counter!(
        FAILED,
        "Finished battles given up on after retries (kept in the dead-letter stream)"
    );
    metrics::describe_counter!(REBUILDS, "Leaderboard rebuilds from the database");
    metrics::describe_gauge!(
        CONSUMER_LAG,
        "Finished battles in the results stream not yet applied"
    );
    metrics::describe_histogram!(
        OUTBOX_DELAY,
        Unit::Seconds,
        "From commit to publication of a rating event"
    );
    metrics::describe_gauge!(OUTBOX_PENDING, "Rating events not yet published");

    for counter in [APPLIED, DUPLICATE, REJECTED, FAILED, REBUILDS] {
        metrics::counter!(counter).increment(0);
    }
    for gauge in [CONSUMER_LAG, OUTBOX_PENDING] {
        metrics::gauge!(gauge).increment(0.0);
    }
    let _ = metrics::histogram!(OUTBOX_DELAY);
}
