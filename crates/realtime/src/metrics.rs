//! The realtime service's metrics, described and registered when the service starts so
//! that `/metrics` lists every one of them (at zero) before the first socket.

use platform::auth::AuthFailure;

pub const SOCKETS: &str = "realtime_sockets";
pub const ROOMS: &str = "realtime_rooms";
pub const DELIVERY_LAG: &str = "realtime_delivery_lag_seconds";
pub const EVENTS_EMITTED: &str = "realtime_events_emitted_total";
pub const REFUSED: &str = "realtime_connections_refused_total";
pub const SLOW_DROPPED: &str = "realtime_slow_sockets_dropped_total";

/// Describes the metrics and registers them; gauges keep any value already set (sockets
/// are counted up and down by every instance in the process).
pub fn register() {
    use metrics::Unit;
    metrics::describe_gauge!(SOCKETS, "Socket.IO connections open on this replica");
    metrics::describe_gauge!(ROOMS, "Battles with at least one socket on this replica");
    metrics::describe_histogram!(
        DELIVERY_LAG,
        Unit::Seconds,
        "From a battle event's commit to its emission to sockets"
    );
    metrics::describe_counter!(EVENTS_EMITTED, "Events emitted to sockets");
    metrics::describe_counter!(REFUSED, "Socket connections refused, by reason");
    metrics::describe_counter!(SLOW_DROPPED, "Sockets dropped for not keeping up");

    for gauge in [SOCKETS, ROOMS] {
        metrics::gauge!(gauge).increment(0.0);
    }
    let _ = metrics::histogram!(DELIVERY_LAG);
    for counter in [EVENTS_EMITTED, SLOW_DROPPED] {
        metrics::counter!(counter).increment(0);
    }
    for failure in [
        AuthFailure::Missing,
        AuthFailure::Invalid,
        AuthFailure::Unavailable,
    ] {
        metrics::counter!(REFUSED, "code" => failure.code()).increment(0);
    }
}
