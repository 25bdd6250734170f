//! `/healthz` (the process is up), `/readyz` (its real dependencies answer) and `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use redis::aio::ConnectionManager;
use serde_json::{Map, Value, json};

use crate::infra::Database;
use crate::messaging::MessageBroker;

/// One dependency that must answer for the service to be ready.
#[async_trait::async_trait]
pub trait ReadinessCheck: Send + Sync {
    /// Short name shown in `/readyz`: `postgres`, `redis`, `sqlite`, ...
    fn name(&self) -> &str;
    async fn check(&self) -> Result<(), CheckError>;
}

/// Why a dependency is not ready; shown in `/readyz` (operators' eyes, not users').
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct CheckError(Box<dyn std::error::Error + Send + Sync>);

impl CheckError {
    pub fn new(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(cause.into())
    }
}

/// The database answers a query.
pub struct DatabaseCheck(pub Database);

#[async_trait::async_trait]
impl ReadinessCheck for DatabaseCheck {
    fn name(&self) -> &str {
        match self.0 {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgres",
        }
    }
    async fn check(&self) -> Result<(), CheckError> {
        let answer = match &self.0 {
            Database::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
            Database::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()),
        };
        answer.map_err(CheckError::new)
    }
}

/// Redis answers PING.
pub struct RedisCheck(pub ConnectionManager);

#[async_trait::async_trait]
impl ReadinessCheck for RedisCheck {
    fn name(&self) -> &str {
        "redis"
    }
    async fn check(&self) -> Result<(), CheckError> {
        let mut conn = self.0.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(CheckError::new)
    }
}

/// The message broker can be reached.
pub struct BrokerCheck(pub Arc<dyn MessageBroker>);

#[async_trait::async_trait]
impl ReadinessCheck for BrokerCheck {
    fn name(&self) -> &str {
        "rabbitmq"
    }
    async fn check(&self) -> Result<(), CheckError> {
        self.0.ping().await.map_err(CheckError::new)
    }
}

/// How long one check may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The health routes, for merging into a service's router.
pub fn router(checks: Vec<Arc<dyn ReadinessCheck>>) -> Router {
    let checks = Arc::new(checks);
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route(
            "/readyz",
            get(move || {
                let checks = checks.clone();
                async move { readiness(&checks).await }
            }),
        )
        .route("/metrics", get(crate::metrics::serve_metrics))
}

async fn readiness(checks: &[Arc<dyn ReadinessCheck>]) -> Response {
    let results = run_checks(checks).await;
    let mut report = Map::new();
    let mut ready = true;
    for (name, result) in results {
        match result {
            Ok(()) => {
                report.insert(name, json!("ok"));
            }
            Err(err) => {
                ready = false;
                tracing::warn!(check = %name, error = %err, "readiness check failed");
                report.insert(name, json!(err.to_string()));
            }
        }
    }
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "checks": Value::Object(report),
    });
    (status, Json(body)).into_response()
}

async fn run_checks(checks: &[Arc<dyn ReadinessCheck>]) -> Vec<(String, Result<(), CheckError>)> {
    let handles: Vec<_> = checks
        .iter()
        .map(|check| {
            let check = check.clone();
            tokio::spawn(async move {
                let result = match tokio::time::timeout(CHECK_TIMEOUT, check.check()).await {
                    Ok(result) => result,
                    Err(_) => Err(CheckError::new(format!(
                        "no answer within {CHECK_TIMEOUT:?}"
                    ))),
                };
                (check.name().to_owned(), result)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(result) => results.push(result),
            Err(err) => results.push(("check".to_owned(), Err(CheckError::new(err)))),
        }
    }
    results
}
