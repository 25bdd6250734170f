//! `/healthz` (the process is up), `/readyz` (its real dependencies answer) and `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Map, Value, json};

/// One dependency that must answer for the service to be ready.
#[async_trait::async_trait]
pub trait ReadinessCheck: Send + Sync {
    /// Short name shown in `/readyz`: `postgres`, `redis`, `sqlite`, ...
    fn name(&self) -> &str;
    async fn check(&self) -> Result<(), String>;
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
                report.insert(name, json!(err));
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

async fn run_checks(checks: &[Arc<dyn ReadinessCheck>]) -> Vec<(String, Result<(), String>)> {
    let handles: Vec<_> = checks
        .iter()
        .map(|check| {
            let check = check.clone();
            tokio::spawn(async move {
                let result = match tokio::time::timeout(CHECK_TIMEOUT, check.check()).await {
                    Ok(result) => result,
                    Err(_) => Err(format!("no answer within {CHECK_TIMEOUT:?}")),
                };
                (check.name().to_owned(), result)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(result) => results.push(result),
            Err(err) => results.push(("check".to_owned(), Err(format!("check panicked: {err}")))),
        }
    }
    results
}
