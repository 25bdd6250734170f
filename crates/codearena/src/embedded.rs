//! Embedded mode: every service in one process, on one SQLite file and in-process queues,
//! served on one port (8083 by default).

use std::os::unix::fs::DirBuilderExt;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use platform::db::{self, SqliteCheck};
use platform::http::{self, Layers};

use crate::settings::Settings;

pub const DEFAULT_PORT: u16 = 8083;
pub const DATABASE_FILE: &str = "codearena.db";

/// Builds the embedded application: opens (or creates) the data directory, the database and
/// the secret, runs migrations, and mounts every service.
pub async fn build(settings: &Settings) -> anyhow::Result<Router> {
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
    let auth = auth::AuthService::new(
        settings.auth.clone(),
        secret.as_bytes(),
        Arc::new(store),
        Arc::new(throttle),
    )
    .context("setting up auth")?;

    let app = auth::http::router(Arc::new(auth));
    Ok(http::finish(
        app,
        Layers {
            readiness: vec![Arc::new(SqliteCheck(pool))],
            trust_forwarded_for: settings.http.trust_forwarded_for,
        },
    ))
}
