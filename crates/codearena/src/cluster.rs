//! Cluster mode: one service per process, on PostgreSQL and Redis, as the spec lays out
//! (behind nginx, several replicas each).

use std::sync::Arc;

use anyhow::{Context, bail};
use axum::Router;
use platform::db::{self, PostgresCheck};
use platform::http::{self, Layers};
use platform::redis::RedisCheck;
use platform::shutdown::Shutdown;

use crate::settings::Settings;

/// The services that can run on their own, with their ports from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Service {
    Auth,
    Execution,
}

impl Service {
    pub fn default_port(self) -> u16 {
        match self {
            Service::Auth => 3001,
            Service::Execution => 3003,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Service::Auth => "auth",
            Service::Execution => "execution",
        }
    }
}

/// A service ready to serve, and its background tasks (workers), which finish after
/// `shutdown`.
pub struct App {
    pub router: Router,
    pub background: Vec<tokio::task::JoinHandle<()>>,
}

pub async fn build(
    service: Service,
    settings: &Settings,
    shutdown: &Shutdown,
) -> anyhow::Result<App> {
    match service {
        Service::Auth => Ok(App {
            router: build_auth(settings).await?,
            background: Vec::new(),
        }),
        Service::Execution => build_execution(settings, shutdown).await,
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

async fn build_execution(settings: &Settings, shutdown: &Shutdown) -> anyhow::Result<App> {
    let redis_url = require(&settings.redis.url, "CODEARENA_REDIS__URL", "a Redis URL")?;
    let amqp_url = require(&settings.amqp.url, "CODEARENA_AMQP__URL", "a RabbitMQ URL")?;
    let redis = platform::redis::connect(redis_url)
        .await
        .context("connecting to Redis")?;
    let store: Arc<dyn execution::store::JobStore> =
        Arc::new(execution::store::RedisJobStore::new(
            redis.clone(),
            &settings.redis.prefix,
            std::time::Duration::from_secs(settings.execution.result_ttl_secs),
        ));
    let broker = Arc::new(
        execution::queue::RabbitBroker::connect(amqp_url, &settings.amqp.prefix)
            .await
            .context("connecting to RabbitMQ")?,
    );
    let verifier: platform::auth::SharedVerifier = Arc::new(
        platform::auth::RemoteVerifier::new(&settings.cluster.auth_url, Default::default())
            .context("building the auth client")?,
    );
    // Unset: a private temporary directory of this process.
    let cache_dir = settings.execution.package_cache_dir.clone();
    let execution = crate::execution_parts(
        &settings.execution,
        store,
        broker.clone(),
        cache_dir,
        verifier,
        shutdown,
    )?;
    Ok(App {
        router: http::finish(
            execution.router,
            Layers {
                readiness: vec![
                    Arc::new(RedisCheck(redis)),
                    Arc::new(BrokerCheck(broker)),
                    execution.readiness,
                ],
                trust_forwarded_for: settings.http.trust_forwarded_for,
            },
        ),
        background: vec![execution.workers],
    })
}

struct BrokerCheck(Arc<execution::queue::RabbitBroker>);

#[async_trait::async_trait]
impl platform::health::ReadinessCheck for BrokerCheck {
    fn name(&self) -> &str {
        "rabbitmq"
    }
    async fn check(&self) -> Result<(), String> {
        use execution::queue::Broker;
        self.0.ping().await.map_err(|e| e.to_string())
    }
}
