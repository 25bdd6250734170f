//! Names of the shared infrastructure objects: Redis keys, channels and streams, RabbitMQ
//! exchanges and queues.
//!
//! Every name is used through [`prefixed`], with the deployment's configured prefix, never
//! on its own: names are configuration, so tests and deployments can share one server.

/// Redis key space for failed-login counters (auth).
pub const LOGIN_FAILURES: &str = "auth:login-failures";

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
