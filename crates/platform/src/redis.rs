//! The Redis connection every cluster-mode service shares.
//!
//! A `ConnectionManager` reconnects by itself after Redis restarts; the short timeouts make
//! an outage fail fast (and show in `/readyz`) instead of stalling requests.
//!
//! `rediss://` URLs connect over TLS (rustls), verifying the server's certificate and host
//! name against the bundled Mozilla roots, or against the `redis.ca_file` certificates
//! alone when that is set ([`client`]). `rediss://…/#insecure` is refused by the client:
//! this build cannot turn verification off.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ConnectionAddr, IntoConnectionInfo, TlsCertificates};

use crate::tls::{CaFile, TlsError};

#[derive(Debug, thiserror::Error)]
pub enum RedisClientError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Redis(#[from] redis::RedisError),
}

/// A client for `url`, trusting `ca` (the `redis.ca_file` setting) when set, which needs a
/// `rediss://` URL. Every connection made from the client (the shared one, subscriptions,
/// blocking stream reads) uses the same TLS settings.
pub fn client(url: &str, ca: Option<&CaFile>) -> Result<redis::Client, RedisClientError> {
    let info = url.into_connection_info()?;
    let Some(ca) = ca else {
        return Ok(redis::Client::open(info)?);
    };
    ca.require(
        matches!(info.addr(), ConnectionAddr::TcpTls { .. }),
        "redis.url",
        "a rediss:// URL",
    )?;
    let certificates = TlsCertificates {
        client_tls: None,
        root_cert: Some(ca.pem().to_vec()),
    };
    Ok(redis::Client::build_with_tls(info, certificates)?)
}

/// The shared connection for `url` (no custom CA).
pub async fn connect(url: &str) -> redis::RedisResult<ConnectionManager> {
    connect_client(redis::Client::open(url)?).await
}

/// The shared connection made from `client` (see [`client`]).
pub async fn connect_client(client: redis::Client) -> redis::RedisResult<ConnectionManager> {
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(1)))
        .set_number_of_retries(2);
    ConnectionManager::new_with_config(client, config).await
}
