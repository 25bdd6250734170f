//! Names of the shared infrastructure objects: Redis keys, channels and streams, RabbitMQ
//! exchanges and queues.
//!
//! Every name is used through [`prefixed`], with the deployment's configured prefix, never
//! on its own: names are configuration, so tests and deployments can share one server.

/// Redis key space for failed-login counters (auth).
pub const LOGIN_FAILURES: &str = "auth:login-failures";

/// Redis key space: keys of messages sent with `EventBus::publish_once` in the last day
/// (platform), `bus:published:{key}`.
pub const BUS_PUBLISHED: &str = "bus:published";
/// Redis key space: keys of entries appended with `DurableStream::append_once` (platform),
/// `stream:appended:{stream}:{key}`, kept as long as the stream.
pub const STREAM_APPENDED: &str = "stream:appended";

/// RabbitMQ exchange that judge jobs are published to (direct, durable).
pub const EXECUTION_JOBS: &str = "execution.jobs";
/// RabbitMQ exchange where workers publish [`crate::execution::JobResult`]s (fanout,
/// durable); the battle service binds its own queue to it.
pub const EXECUTION_RESULTS: &str = "execution.results";
/// RabbitMQ exchange and queue for jobs that failed internally too many times.
pub const EXECUTION_DEAD: &str = "execution.dead";
/// Redis key space: problem packages by content hash.
pub const EXECUTION_PACKAGES: &str = "execution:package";
/// Redis key space: job records and cached results.
pub const EXECUTION_JOBS_STATE: &str = "execution:job";

/// Redis pub/sub channel of battle events ([`crate::battle::BattleEvent`], JSON), for
/// the realtime service's replicas and anyone watching.
pub const BATTLE_EVENTS: &str = "battle:events";
/// Redis Stream of finished rated battles ([`crate::battle::BattleResult`]), read by the
/// rating service with a consumer group.
pub const BATTLE_RESULTS: &str = "battle:results";
/// The battle service's name as a subscriber of the results exchange.
pub const BATTLE_SUBSCRIBER: &str = "battle";

/// The rating service's consumer group on [`BATTLE_RESULTS`].
pub const RATING_GROUP: &str = "rating";
/// Redis Stream where the rating service keeps finished battles it gave up on (payload
/// as received, same key), for operators to inspect and re-append.
pub const RATING_DEAD: &str = "rating:dead";
/// Redis pub/sub channel of rating changes ([`crate::rating::RatingEvent`], JSON), for the
/// realtime service.
pub const RATING_EVENTS: &str = "rating:events";
/// Redis key space of the leaderboard (rating): `{..}:ranks` (sorted set user → rating),
/// `{..}:rows` (hash user → leaderboard row, JSON), `{..}:games` (hash user → games, so an
/// older update never overwrites a newer one), `{..}:applied` (battles it reflects).
pub const RATING_LEADERBOARD: &str = "rating:leaderboard";

/// Redis pub/sub channel of players' presence in battle rooms
/// ([`crate::realtime::Presence`], JSON), between realtime replicas.
pub const REALTIME_PRESENCE: &str = "realtime:presence";

/// The durable queue through which `subscriber` (e.g. `battle`) receives everything
/// published to the fanout `exchange`: `execution.results.battle`.
pub fn subscriber_queue(exchange: &str, subscriber: &str) -> String {
    format!("{exchange}.{subscriber}")
}

/// Joins a deployment prefix and a name: `prefixed("ca", "x")` is `"ca:x"`; an empty prefix
/// leaves the name as it is.
pub fn prefixed(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}:{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_joined_with_a_colon_and_may_be_empty() {
        assert_eq!(prefixed("t1", LOGIN_FAILURES), "t1:auth:login-failures");
        assert_eq!(prefixed("", LOGIN_FAILURES), "auth:login-failures");
    }
}
