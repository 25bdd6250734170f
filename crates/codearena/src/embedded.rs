//! Embedded mode: every service in one process, on one SQLite file and in-process queues,
//! served on one port (8083 by default).

use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use platform::auth::SharedVerifier;
use platform::db::{self, SqliteCheck};
use platform::http::{self, Layers};
use platform::shutdown::Shutdown;

use crate::settings::Settings;

pub const DEFAULT_PORT: u16 = 8083;
pub const DATABASE_FILE: &str = "codearena.db";

/// The embedded application and the handles tests use to reach inside it.
pub struct Embedded {
    pub router: Router,
    /// Where problem packages are stored for judge jobs.
    pub job_store: Arc<dyn execution::store::JobStore>,
    /// Results as workers publish them.
    pub broker: Arc<execution::queue::MemoryBroker>,
    /// Finishes when the workers have settled their last job after `shutdown`.
    pub workers: tokio::task::JoinHandle<()>,
}

/// Builds the embedded application: opens (or creates) the data directory, the database and
/// the secret, runs migrations, mounts every service and starts the sandbox workers, which
/// stop when `shutdown` is cancelled.
pub async fn build(settings: &Settings, shutdown: &Shutdown) -> anyhow::Result<Embedded> {
    let data_dir = &settings.embedded.data_dir;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
        .with_context(|| format!("creating data directory {}", data_dir.display()))?;
    let secret = match &settings.auth.jwt_secret {
        Some(secret) => secret.clone(),
        None => crate::secret::load_or_create(data_dir)?,
    };
    let db_path = data_dir.join(DATABASE_FILE);
    let pool = db::connect_sqlite(&db_path)
        .await
        .with_context(|| format!("opening {}", db_path.display()))?;

    let store = auth::SqliteUserStore::new(pool.clone())
        .await
        .context("migrating the auth tables")?;
    let throttle = auth::MemoryThrottle::new(settings.auth.login_failure_window());
    let auth = Arc::new(
        auth::AuthService::new(
            settings.auth.clone(),
            secret.as_bytes(),
            Arc::new(store),
            Arc::new(throttle),
        )
        .context("setting up auth")?,
    );
    let verifier: SharedVerifier = auth.clone();

    let job_store: Arc<dyn execution::store::JobStore> =
        Arc::new(execution::store::MemoryJobStore::new(Duration::from_secs(
            settings.execution.result_ttl_secs,
        )));
    let broker = Arc::new(execution::queue::MemoryBroker::new());
    let cache_dir = Some(
        settings
            .execution
            .package_cache_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("packages")),
    );
    let execution = crate::execution_parts(
        &settings.execution,
        job_store.clone(),
        broker.clone(),
        cache_dir,
        verifier,
        shutdown,
    )?;

    let app = auth::http::router(auth).merge(execution.router);
    let router = http::finish(
        app,
        Layers {
            readiness: vec![Arc::new(SqliteCheck(pool)), execution.readiness],
            trust_forwarded_for: settings.http.trust_forwarded_for,
        },
    );
    Ok(Embedded {
        router,
        job_store,
        broker,
        workers: execution.workers,
    })
}
