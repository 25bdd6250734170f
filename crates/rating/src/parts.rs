//! The rating service put together over an [`Infra`]: SQLite, the in-process leaderboard,
//! bus and the SQLite stream in embedded mode; PostgreSQL and Redis (sorted set, pub/sub,
//! stream) in cluster mode.

use std::sync::Arc;

use platform::health::{CheckError, ReadinessCheck};
use platform::infra::Database;
use platform::shutdown::Shutdown;
use platform::{Infra, ServiceParts, StartError};

use crate::leaderboard::{Leaderboard, MemoryLeaderboard, RedisLeaderboard};
use crate::service::RatingService;
use crate::store::{PostgresRatingStore, RatingStore, SqliteRatingStore};
use crate::workers::Workers;
use crate::{RatingSettings, http};

pub struct RatingParts {
    pub parts: ServiceParts,
    /// What battle asks for ratings in embedded mode.
    pub service: Arc<RatingService>,
}

fn setup(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StartError {
    StartError::setup("rating", e)
}

/// Background work (the stream consumer, the outbox relay, the leaderboard check) stops
/// when `shutdown` is cancelled.
pub async fn parts(
    settings: &RatingSettings,
    infra: &Infra,
    shutdown: &Shutdown,
) -> Result<RatingParts, StartError> {
    settings.validate().map_err(setup)?;
    crate::metrics::register();
    let mut settings = settings.clone();
    let store: Arc<dyn RatingStore> = match infra.database().await? {
        Database::Sqlite(pool) => {
            // One writer at a time: applying more at once only holds pool connections.
            settings.concurrency = 1;
            Arc::new(SqliteRatingStore::new(pool).await.map_err(setup)?)
        }
        Database::Postgres(pool) => Arc::new(PostgresRatingStore::new(pool).await.map_err(setup)?),
    };
    let leaderboard: Arc<dyn Leaderboard> = match infra.redis().await? {
        Some(redis) => Arc::new(RedisLeaderboard::new(redis.connection, &redis.prefix)),
        None => Arc::new(MemoryLeaderboard::new()),
    };
    let service = Arc::new(RatingService::new(
        settings.clone(),
        store.clone(),
        leaderboard,
    ));
    let workers = Workers {
        service: service.clone(),
        bus: infra.bus().await?,
        streams: infra.streams().await?,
        consumer: format!("rating-{}", uuid::Uuid::new_v4()),
    }
    .spawn(shutdown.clone());
    let mut parts = ServiceParts::new(http::router(service.clone()))
        .with_readiness(Arc::new(StoreCheck(store)));
    for task in workers {
        parts = parts.with_background(task);
    }
    Ok(RatingParts { parts, service })
}

/// The rating store answers.
struct StoreCheck(Arc<dyn RatingStore>);

#[async_trait::async_trait]
impl ReadinessCheck for StoreCheck {
    fn name(&self) -> &str {
        "rating-store"
    }
    async fn check(&self) -> Result<(), CheckError> {
        self.0.ping().await.map_err(CheckError::new)
    }
}
