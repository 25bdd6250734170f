//! The Redis connection every cluster-mode service shares.
//!
//! A `ConnectionManager` reconnects by itself after Redis restarts; the short timeouts make
//! an outage fail fast (and show in `/readyz`) instead of stalling requests.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

pub async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(2);
    ConnectionManager::new_with_config(client, config).await
}
