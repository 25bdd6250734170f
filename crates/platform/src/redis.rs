//! The Redis connection every cluster-mode service shares, and its readiness check.
//!
//! A `ConnectionManager` reconnects by itself after Redis restarts; the short timeouts make
//! an outage fail fast (and show in `/readyz`) instead of stalling requests.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::health::ReadinessCheck;

pub async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(1))
        .set_response_timeout(Duration::from_secs(1))
        .set_number_of_retries(2);
    ConnectionManager::new_with_config(client, config).await
}

pub struct RedisCheck(pub ConnectionManager);

#[async_trait::async_trait]
impl ReadinessCheck for RedisCheck {
    fn name(&self) -> &str {
        "redis"
    }
    async fn check(&self) -> Result<(), String> {
        let mut conn = self.0.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
