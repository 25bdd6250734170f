//! The test harness: every test gets its own world on the shared servers.
//!
//! - [`TestDatabase`]: a fresh PostgreSQL database (dropped afterwards) or SQLite file.
//! - [`unique_prefix`]: a prefix for Redis keys, channels, streams and broker names.
//! - [`TestServer`]: any router served on 127.0.0.1 port 0, stopped on drop.
//! - [`TcpProxy`]: a connection to a real server that a test can cut and restore, to see
//!   what a service does while its dependency is unreachable.
//! - [`ChildProcess`], [`free_port`], [`wait_for_ok`]: real programs started by a test.
//! - [`wait_until`]: wait for a condition with a deadline, never a fixed sleep.
//! - [`suite!`]: one behavioural test body run against every implementation of a trait.
//! - [`tls`]: a throwaway CA and PostgreSQL, Redis and RabbitMQ servers that speak only
//!   TLS, for the clients' TLS tests.
//! - [`HostDisk`]: the host's disk as a mount table shows it, for the sandbox's tests.
//! - [`openapi::assert_serves_exactly`]: a router serves exactly what its OpenAPI document
//!   lists.
//!
//! Server addresses come from `CODEARENA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), `CODEARENA_TEST_REDIS_URL` (default
//! `redis://127.0.0.1:6379`) and `CODEARENA_TEST_AMQP_URL` (default
//! `amqp://guest:guest@127.0.0.1:5672/%2f`).

mod database;
pub mod fuzz;
mod host;
pub mod openapi;
pub mod problems;
mod process;
mod proxy;
mod server;
mod suite;
pub mod tls;

pub use database::TestDatabase;
pub use host::HostDisk;
pub use process::{ChildProcess, free_port, processes_of_uid, wait_for_ok};
pub use proxy::TcpProxy;
pub use server::TestServer;

use std::future::Future;
use std::time::{Duration, Instant};

pub fn postgres_admin_url() -> String {
    std::env::var("CODEARENA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn redis_url() -> String {
    std::env::var("CODEARENA_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

pub fn amqp_url() -> String {
    std::env::var("CODEARENA_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// A name no other test uses: `t<32 hex digits>`.
pub fn unique_prefix() -> String {
    format!("t{}", uuid::Uuid::new_v4().simple())
}

/// Polls `condition` until it is true; panics with `what` after `deadline`.
pub async fn wait_until<F, Fut>(deadline: Duration, what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(5);
    loop {
        if condition().await {
            return;
        }
        assert!(
            started.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}
