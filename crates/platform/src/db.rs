//! Database pools: PostgreSQL for cluster mode, SQLite for embedded. Each service runs
//! its own migrations on its own pool.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::tls::{CaFile, TlsError};

/// Connects to PostgreSQL. `acquire_timeout` is short so that an outage shows as errors
/// (and in `/readyz`) instead of requests hanging.
pub async fn connect_postgres(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?;
    pool(options, max_connections).await
}

#[derive(Debug, thiserror::Error)]
pub enum PostgresError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

/// [`connect_postgres`] trusting `ca` (the `database.ca_file` setting) for the server's
/// certificate, which the URL must then verify in full: `sslmode=verify-full`, so both the
/// chain and the host name are checked. Without `ca`, TLS follows the URL alone
/// (`sslmode`, `sslrootcert`) and verifies against the bundled Mozilla roots.
pub async fn connect_postgres_with(
    url: &str,
    max_connections: u32,
    ca: Option<&CaFile>,
) -> Result<PgPool, PostgresError> {
    let mut options = PgConnectOptions::from_str(url)?;
    let local = is_local(options.get_host());
    match options.get_ssl_mode() {
        PgSslMode::Require | PgSslMode::VerifyCa => tracing::warn!(
            sslmode = ?options.get_ssl_mode(),
            "PostgreSQL over TLS that does not fully verify the server (require checks no \
             certificate, verify-ca no host name); use sslmode=verify-full"
        ),
        // libpq's default (`prefer`) and `allow`: TLS unverified if the server offers it,
        // plaintext if not; fine on this machine, not across a network.
        PgSslMode::Prefer | PgSslMode::Allow if !local => tracing::warn!(
            sslmode = ?options.get_ssl_mode(),
            host = options.get_host(),
            "PostgreSQL on another host without sslmode=verify-full: the connection may be \
             plaintext or unverified TLS"
        ),
        _ => {}
    }
    if let Some(ca) = ca {
        ca.require(
            matches!(options.get_ssl_mode(), PgSslMode::VerifyFull),
            "database.url",
            "sslmode=verify-full in the URL",
        )?;
        options = options.ssl_root_cert_from_pem(ca.pem().to_vec());
    }
    Ok(pool(options, max_connections).await?)
}

/// A host on this machine: loopback, or a Unix socket directory.
fn is_local(host: &str) -> bool {
    host == "localhost"
        || host.starts_with('/')
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

async fn pool(options: PgConnectOptions, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(2))
        .connect_with(options)
        .await
}

/// Opens (creating if needed) an SQLite database file in WAL mode with foreign keys on.
pub async fn connect_sqlite(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    let options = SqliteConnectOptions::from_str("sqlite://")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

#[cfg(test)]
mod local_host_tests {
    use super::is_local;

    #[test]
    fn loopback_and_sockets_are_local_other_hosts_are_not() {
        for host in [
            "localhost",
            "127.0.0.1",
            "::1",
            "[::1]",
            "/var/run/postgresql",
        ] {
            assert!(is_local(host), "{host}");
        }
        for host in [
            "db.example.com",
            "10.0.0.5",
            "codearena.abc.eu-west-1.rds.amazonaws.com",
        ] {
            assert!(!is_local(host), "{host}");
        }
    }
}
