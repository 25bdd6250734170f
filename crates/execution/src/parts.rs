//! The execution service put together over an [`Infra`]: the API, and the sandbox
//! workers of this process. Job records live in Redis (cluster) or in the embedded SQLite
//! file (embedded); jobs and results go through the infrastructure's message broker
//! (RabbitMQ, or the same SQLite file); problem packages come from its blob store.

use std::sync::Arc;

use contracts::names;
use platform::auth::SharedVerifier;
use platform::health::{CheckError, ReadinessCheck};
use platform::infra::Database;
use platform::shutdown::Shutdown;
use platform::{Infra, ServiceParts, StartError};

use crate::engine::Engine;
use crate::queue::JobQueue;
use crate::service::ExecutionService;
use crate::store::{JobStore, RedisJobStore, SqliteJobStore};
use crate::worker::Workers;
use crate::{ExecutionSettings, http};

/// Where embedded mode caches unpacked packages, under its data directory.
const PACKAGE_CACHE: &str = "packages";

pub struct ExecutionParts {
    pub parts: ServiceParts,
    pub service: Arc<ExecutionService>,
}

fn setup(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StartError {
    StartError::setup("execution", e)
}

/// The API answers callers identified by `verifier`; workers stop taking jobs when
/// `shutdown` is cancelled and their task finishes once the jobs in hand are settled.
pub async fn parts(
    settings: &ExecutionSettings,
    infra: &Infra,
    verifier: SharedVerifier,
    shutdown: &Shutdown,
) -> Result<ExecutionParts, StartError> {
    let ttl = std::time::Duration::from_secs(settings.result_ttl_secs);
    let store: Arc<dyn JobStore> = match infra.redis().await? {
        Some(redis) => Arc::new(RedisJobStore::new(redis.connection, &redis.prefix, ttl)),
        // Embedded: beside the broker's queues in the SQLite file, so both survive a restart.
        None => match infra.database().await? {
            Database::Sqlite(pool) => {
                Arc::new(SqliteJobStore::new(pool, ttl).await.map_err(setup)?)
            }
            Database::Postgres(_) => return Err(setup("job records need Redis or SQLite")),
        },
    };
    let queue = JobQueue::new(infra.broker().await?).await.map_err(setup)?;
    let packages = infra.blobs(names::EXECUTION_PACKAGES).await?;
    // Unset: under the data directory (embedded), or a private temporary one (cluster).
    let cache_dir = settings
        .package_cache_dir
        .clone()
        .or_else(|| infra.data_dir().map(|dir| dir.join(PACKAGE_CACHE)));
    let engine = Arc::new(Engine::new(settings, packages, cache_dir).map_err(setup)?);
    let languages: Vec<String> = engine.languages().into_iter().map(|l| l.id).collect();
    crate::metrics::register(engine.slots(), &languages);
    let service = Arc::new(ExecutionService::new(
        settings.clone(),
        store.clone(),
        queue.clone(),
        engine.languages(),
    ));
    let workers = Workers {
        store,
        queue,
        engine: engine.clone(),
        settings: settings.clone(),
    }
    .spawn(shutdown.clone());
    let parts = ServiceParts::new(http::router(service.clone(), verifier))
        .with_readiness(Arc::new(SandboxCheck(engine)))
        .with_background(workers);
    Ok(ExecutionParts { parts, service })
}

/// Fails when sandbox slots have been lost.
struct SandboxCheck(Arc<Engine>);

#[async_trait::async_trait]
impl ReadinessCheck for SandboxCheck {
    fn name(&self) -> &str {
        "sandbox"
    }
    async fn check(&self) -> Result<(), CheckError> {
        self.0.healthy().map_err(CheckError::new)
    }
}
