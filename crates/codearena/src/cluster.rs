//! Cluster mode: one service per process, on PostgreSQL and Redis, as the spec lays out
//! (behind nginx, several replicas each).

use std::sync::Arc;

use anyhow::{Context, bail};
use axum::Router;
use platform::db::{self, PostgresCheck};
use platform::http::{self, Layers};
use platform::redis::RedisCheck;

use crate::settings::Settings;

/// The services that can run on their own, with their ports from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Service {
    Auth,
}

impl Service {
    pub fn default_port(self) -> u16 {
        match self {
            Service::Auth => 3001,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Service::Auth => "auth",
        }
    }
}

pub async fn build(service: Service, settings: &Settings) -> anyhow::Result<Router> {
    match service {
        Service::Auth => build_auth(settings).await,
    }
}

fn require<'a>(value: &'a Option<String>, env: &str, what: &str) -> anyhow::Result<&'a str> {
    match value.as_deref() {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => bail!("cluster mode needs {what}: set {env} (or the same key in the config file)"),
    }
}

async fn build_auth(settings: &Settings) -> anyhow::Result<Router> {
    // No default secret, ever: every replica must be given the same one.
    let secret = require(
        &settings.auth.jwt_secret,
        "CODEARENA_AUTH__JWT_SECRET",
        "a JWT secret",
    )?;
    let database_url = require(
        &settings.database.url,
        "CODEARENA_DATABASE__URL",
        "a PostgreSQL URL",
    )?;
    let redis_url = require(&settings.redis.url, "CODEARENA_REDIS__URL", "a Redis URL")?;

    let pool = db::connect_postgres(database_url, settings.database.max_connections)
        .await
        .context("connecting to PostgreSQL")?;
    let store = auth::PostgresUserStore::new(pool.clone())
        .await
        .context("migrating the auth tables")?;
    let redis = platform::redis::connect(redis_url)
        .await
        .context("connecting to Redis")?;
    let throttle = auth::RedisThrottle::new(
        redis.clone(),
        contracts::names::prefixed(&settings.redis.prefix, contracts::names::LOGIN_FAILURES),
        settings.auth.login_failure_window(),
    );
    let auth = auth::AuthService::new(
        settings.auth.clone(),
        secret.as_bytes(),
        Arc::new(store),
        Arc::new(throttle),
    )
    .context("setting up auth")?;

    Ok(http::finish(
        auth::http::router(Arc::new(auth)),
        Layers {
            readiness: vec![Arc::new(PostgresCheck(pool)), Arc::new(RedisCheck(redis))],
            trust_forwarded_for: settings.http.trust_forwarded_for,
        },
    ))
}
