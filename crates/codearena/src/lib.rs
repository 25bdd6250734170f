//! The `codearena` program, as a library so tests start exactly what the binary starts.
//!
//! - [`settings`]: the whole configuration, one section per service.
//! - [`embedded`]: every service in one process on SQLite and in-process queues (:8083).
//! - [`cluster`]: one service on its own, on PostgreSQL and Redis (the spec's layout).

pub mod cluster;
pub mod embedded;
pub mod secret;
pub mod settings;

pub use settings::Settings;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use platform::auth::SharedVerifier;
use platform::shutdown::Shutdown;

/// The execution service's router and its workers, over the given store and broker: the
/// same in both modes.
pub fn execution_parts(
    settings: &execution::ExecutionSettings,
    store: Arc<dyn execution::store::JobStore>,
    broker: Arc<dyn execution::queue::Broker>,
    cache_dir: Option<PathBuf>,
    verifier: SharedVerifier,
    shutdown: &Shutdown,
) -> anyhow::Result<ExecutionParts> {
    let engine = Arc::new(
        execution::engine::Engine::new(settings, store.clone(), cache_dir)
            .context("setting up the sandbox workers")?,
    );
    let service = Arc::new(execution::service::ExecutionService::new(
        settings.clone(),
        store.clone(),
        broker.clone(),
        engine.languages(),
    ));
    let engine_for_check = engine.clone();
    let workers = execution::worker::Workers {
        store,
        broker,
        engine,
        settings: settings.clone(),
    }
    .spawn(shutdown.clone());
    Ok(ExecutionParts {
        router: execution::http::router(service, verifier),
        workers,
        readiness: Arc::new(SandboxCheck(engine_for_check)),
    })
}

/// The execution service, ready to mount.
pub struct ExecutionParts {
    pub router: axum::Router,
    /// Finishes after shutdown, when the jobs in hand are settled.
    pub workers: tokio::task::JoinHandle<()>,
    /// Fails when sandbox slots have been lost.
    pub readiness: Arc<dyn platform::health::ReadinessCheck>,
}

struct SandboxCheck(Arc<execution::engine::Engine>);

#[async_trait::async_trait]
impl platform::health::ReadinessCheck for SandboxCheck {
    fn name(&self) -> &str {
        "sandbox"
    }
    async fn check(&self) -> Result<(), String> {
        self.0.healthy()
    }
}
