//! The auth service put together over an [`Infra`]: SQLite and in-process login
//! counters in embedded mode, PostgreSQL and Redis in cluster mode.

use std::sync::Arc;

use contracts::names;
use platform::infra::{Database, InfraError};
use platform::{Infra, ServiceParts, StartError};

use crate::{
    AuthService, AuthSettings, LoginThrottle, MemoryThrottle, PostgresUserStore, RedisThrottle,
    SqliteUserStore, UserStore, http, secret,
};

/// The service's parts, and the service itself: other services of an embedded process
/// verify tokens through it in-process (it is a `TokenVerifier`).
pub struct AuthParts {
    pub parts: ServiceParts,
    pub service: Arc<AuthService>,
}

fn setup(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StartError {
    StartError::setup("auth", e)
}

pub async fn parts(settings: &AuthSettings, infra: &Infra) -> Result<AuthParts, StartError> {
    // Cluster mode has no default secret, ever: every replica must be given the same one.
    let secret = match (&settings.jwt_secret, infra.data_dir()) {
        (Some(secret), _) => secret.clone(),
        (None, Some(data_dir)) => secret::load_or_create(data_dir).map_err(setup)?,
        (None, None) => {
            return Err(InfraError::Missing {
                what: "a JWT secret",
                env: "CODEARENA_AUTH__JWT_SECRET",
            }
            .into());
        }
    };
    let store: Arc<dyn UserStore> = match infra.database().await? {
        Database::Sqlite(pool) => Arc::new(SqliteUserStore::new(pool).await.map_err(setup)?),
        Database::Postgres(pool) => Arc::new(PostgresUserStore::new(pool).await.map_err(setup)?),
    };
    let window = settings.login_failure_window();
    let throttle: Arc<dyn LoginThrottle> = match infra.redis().await? {
        Some(redis) => Arc::new(RedisThrottle::new(
            redis.connection,
            names::prefixed(&redis.prefix, names::LOGIN_FAILURES),
            window,
        )),
        None => Arc::new(MemoryThrottle::new(window)),
    };
    let service = Arc::new(
        AuthService::new(settings.clone(), secret.as_bytes(), store, throttle).map_err(setup)?,
    );
    Ok(AuthParts {
        parts: ServiceParts::new(http::router(service.clone())),
        service,
    })
}
