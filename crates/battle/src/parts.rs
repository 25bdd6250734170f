//! The battle service put together over an [`Infra`]: SQLite and the in-process bus and
//! stream in embedded mode, PostgreSQL, Redis and RabbitMQ in cluster mode.

use std::sync::Arc;

use contracts::names;
use platform::auth::SharedVerifier;
use platform::health::{CheckError, ReadinessCheck};
use platform::infra::Database;
use platform::shutdown::Shutdown;
use platform::{Infra, ServiceParts, StartError};

use crate::catalogue::Catalogue;
use crate::clients::{Judging, Ratings};
use crate::service::BattleService;
use crate::store::{BattleStore, PostgresBattleStore, SqliteBattleStore};
use crate::workers::Workers;
use crate::{BattleSettings, http};

pub struct BattleParts {
    pub parts: ServiceParts,
    pub service: Arc<BattleService>,
}

fn setup(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StartError {
    StartError::setup("battle", e)
}

/// The API answers callers identified by `verifier`; judge jobs go out through `judging`;
/// background work stops when `shutdown` is cancelled.
pub async fn parts(
    settings: &BattleSettings,
    infra: &Infra,
    verifier: SharedVerifier,
    judging: Arc<dyn Judging>,
    ratings: Arc<dyn Ratings>,
    shutdown: &Shutdown,
) -> Result<BattleParts, StartError> {
    settings.validate().map_err(setup)?;
    crate::metrics::register();
    let store: Arc<dyn BattleStore> = match infra.database().await? {
        Database::Sqlite(pool) => Arc::new(SqliteBattleStore::new(pool).await.map_err(setup)?),
        Database::Postgres(pool) => Arc::new(PostgresBattleStore::new(pool).await.map_err(setup)?),
    };
    let packages = infra.blobs(names::EXECUTION_PACKAGES).await?;
    let catalogue = Catalogue::load(&settings.problems_dir, packages.as_ref())
        .await
        .map_err(|e| {
            setup(format!(
                "loading the problems (battle.problems_dir, CODEARENA_BATTLE__PROBLEMS_DIR): {e}"
            ))
        })?;
    tracing::info!(problems = catalogue.len(), dir = %settings.problems_dir.display(), "problem catalogue loaded");
    let service = Arc::new(BattleService::new(
        settings.clone(),
        store.clone(),
        Arc::new(catalogue),
        judging,
        ratings,
    ));
    let workers = Workers {
        service: service.clone(),
        bus: infra.bus().await?,
        streams: infra.streams().await?,
        broker: infra.broker().await?,
    }
    .spawn(shutdown.clone())
    .await
    .map_err(setup)?;
    let mut parts = ServiceParts::new(http::router(service.clone(), verifier))
        .with_readiness(Arc::new(StoreCheck(store)));
    for task in workers {
        parts = parts.with_background(task);
    }
    Ok(BattleParts { parts, service })
}

/// The battle store answers.
struct StoreCheck(Arc<dyn BattleStore>);

#[async_trait::async_trait]
impl ReadinessCheck for StoreCheck {
    fn name(&self) -> &str {
        "battle-store"
    }
    async fn check(&self) -> Result<(), CheckError> {
        self.0.ping().await.map_err(CheckError::new)
    }
}
