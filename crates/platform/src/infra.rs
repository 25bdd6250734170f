//! The infrastructure services are built on, one [`Infra`] per mode.
//!
//! - Embedded: an SQLite file in the data directory, which also holds the durable streams
//!   ([`SqliteStream`]) and the message broker ([`SqliteBroker`]), so both survive a
//!   restart, and in-process stand-ins for Redis pub/sub ([`MemoryBus`]) and the shared blob store
//!   ([`MemoryBlobs`]). One `Infra` is shared by every service of the process, so the
//!   stand-ins connect them as the real servers would.
//! - Cluster: PostgreSQL, Redis and RabbitMQ, each connected the first time a service
//!   asks for it, so a service needs (and is checked for) only what it uses: execution
//!   never touches PostgreSQL.
//!
//! [`Infra::readiness`] checks exactly what was connected.

use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use redis::aio::ConnectionManager;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use tokio::sync::OnceCell;

use crate::blobs::{BlobStore, MemoryBlobs, RedisBlobs};
use crate::bus::{EventBus, MemoryBus, RedisBus};
use crate::db::PostgresError;
use crate::health::{BrokerCheck, DatabaseCheck, ReadinessCheck, RedisCheck};
use crate::messaging::{AmqpBroker, AmqpConnectError, MessageBroker, QueueError, SqliteBroker};
use crate::redis::RedisClientError;
use crate::streams::{DurableStream, RedisStream, SqliteStream, StreamError};
use crate::tls::{CaFile, TlsError};

/// The embedded database's file in the data directory.
pub const DATABASE_FILE: &str = "codearena.db";

/// `[embedded]`: where embedded mode keeps its data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddedSettings {
    /// The SQLite database, the generated secret and the package cache live here.
    pub data_dir: PathBuf,
}

impl Default for EmbeddedSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
        }
    }
}

/// `[database]`: PostgreSQL, for cluster mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// e.g. `postgres://user:pw@host:5432/codearena?sslmode=verify-full` for TLS.
    pub url: Option<String>,
    pub max_connections: u32,
    /// PEM CA certificates the server's certificate may chain to (e.g. the RDS bundle),
    /// besides the bundled Mozilla roots; needs `sslmode=verify-full` in the URL.
    pub ca_file: Option<PathBuf>,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 20,
            ca_file: None,
        }
    }
}

/// `[redis]`, for cluster mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisSettings {
    /// `redis://host:6379`, or `rediss://host:6379` for TLS.
    pub url: Option<String>,
    /// Put before every key, channel and stream name, so deployments can share a server.
    pub prefix: String,
    /// PEM CA certificates the server's certificate must chain to (instead of the bundled
    /// Mozilla roots); needs a `rediss://` URL.
    pub ca_file: Option<PathBuf>,
}

impl Default for RedisSettings {
    fn default() -> Self {
        Self {
            url: None,
            prefix: "codearena".into(),
            ca_file: None,
        }
    }
}

/// `[amqp]`: RabbitMQ, for cluster mode.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpSettings {
    /// e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`, or `amqps://…:5671/%2f` for TLS.
    pub url: Option<String>,
    /// Put before every exchange and queue name, so deployments can share a broker.
    pub prefix: String,
    /// PEM CA certificates the broker's certificate may chain to, besides the bundled
    /// Mozilla roots; needs an `amqps://` URL.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum InfraError {
    #[error("cluster mode needs {what}: set {env} (or the same key in the config file)")]
    Missing {
        what: &'static str,
        env: &'static str,
    },
    #[error("creating the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("opening {what}: {source}")]
    Database { what: String, source: sqlx::Error },
    #[error("connecting to Redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("TLS settings: {0}")]
    Tls(#[from] TlsError),
    #[error("connecting to RabbitMQ: {0}")]
    Amqp(#[from] QueueError),
    #[error("opening the embedded message broker: {0}")]
    Broker(QueueError),
    #[error("opening the durable streams: {0}")]
    Streams(#[from] StreamError),
}

/// A service's database.
#[derive(Clone, Debug)]
pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Redis and the deployment's prefix for its names.
#[derive(Clone)]
pub struct Redis {
    pub connection: ConnectionManager,
    pub prefix: String,
}

pub struct Infra {
    backend: Backend,
    checks: Mutex<Vec<(&'static str, Arc<dyn ReadinessCheck>)>>,
}

enum Backend {
    Embedded {
        data_dir: PathBuf,
        database: SqlitePool,
        broker: SqliteBroker,
        bus: MemoryBus,
        streams: SqliteStream,
        blobs: MemoryBlobs,
    },
    Cluster(Box<Cluster>),
}

/// Cluster mode's settings, and its connections once made.
struct Cluster {
    database: DatabaseSettings,
    redis: RedisSettings,
    amqp: AmqpSettings,
    postgres_pool: OnceCell<PgPool>,
    redis_connection: OnceCell<ConnectionManager>,
    broker: OnceCell<Arc<AmqpBroker>>,
    bus: OnceCell<Arc<RedisBus>>,
    streams: OnceCell<Arc<RedisStream>>,
}

impl Infra {
    /// Creates the data directory (mode 0700) and opens (or creates) the database in it,
    /// with the durable streams' and the broker's tables.
    pub async fn embedded(settings: &EmbeddedSettings) -> Result<Self, InfraError> {
        let data_dir = settings.data_dir.clone();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&data_dir)
            .map_err(|source| InfraError::DataDir {
                path: data_dir.clone(),
                source,
            })?;
        let path = data_dir.join(DATABASE_FILE);
        let database =
            crate::db::connect_sqlite(&path)
                .await
                .map_err(|source| InfraError::Database {
                    what: path.display().to_string(),
                    source,
                })?;
        let streams = SqliteStream::new(database.clone()).await?;
        let broker = SqliteBroker::new(database.clone())
            .await
            .map_err(InfraError::Broker)?;
        let infra = Self {
            backend: Backend::Embedded {
                data_dir,
                database: database.clone(),
                broker,
                bus: MemoryBus::new(),
                streams,
                blobs: MemoryBlobs::default(),
            },
            checks: Mutex::new(Vec::new()),
        };
        infra.check("sqlite", || {
            Arc::new(DatabaseCheck(Database::Sqlite(database)))
        });
        Ok(infra)
    }

    /// Nothing is connected until a service asks for it.
    pub fn cluster(
        database: &DatabaseSettings,
        redis: &RedisSettings,
        amqp: &AmqpSettings,
    ) -> Self {
        Self {
            backend: Backend::Cluster(Box::new(Cluster {
                database: database.clone(),
                redis: redis.clone(),
                amqp: amqp.clone(),
                postgres_pool: OnceCell::new(),
                redis_connection: OnceCell::new(),
                broker: OnceCell::new(),
                bus: OnceCell::new(),
                streams: OnceCell::new(),
            })),
            checks: Mutex::new(Vec::new()),
        }
    }

    /// Embedded mode's data directory.
    pub fn data_dir(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Embedded { data_dir, .. } => Some(data_dir),
            Backend::Cluster(_) => None,
        }
    }

    /// Registers a readiness check once per name.
    fn check(&self, name: &'static str, make: impl FnOnce() -> Arc<dyn ReadinessCheck>) {
        let mut checks = self.checks.lock().unwrap_or_else(|p| p.into_inner());
        if !checks.iter().any(|(n, _)| *n == name) {
            checks.push((name, make()));
        }
    }

    /// Checks of everything connected so far.
    pub fn readiness(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        let checks = self.checks.lock().unwrap_or_else(|p| p.into_inner());
        checks.iter().map(|(_, check)| check.clone()).collect()
    }

    pub async fn database(&self) -> Result<Database, InfraError> {
        match &self.backend {
            Backend::Embedded { database, .. } => Ok(Database::Sqlite(database.clone())),
            Backend::Cluster(cluster) => {
                let database = &cluster.database;
                let pool = cluster
                    .postgres_pool
                    .get_or_try_init(|| async {
                        let url =
                            required(&database.url, "a PostgreSQL URL", "CODEARENA_DATABASE__URL")?;
                        let ca =
                            CaFile::load_optional("database.ca_file", database.ca_file.as_deref())?;
                        crate::db::connect_postgres_with(url, database.max_connections, ca.as_ref())
                            .await
                            .map_err(|error| match error {
                                PostgresError::Tls(error) => InfraError::Tls(error),
                                PostgresError::Sqlx(source) => InfraError::Database {
                                    what: "PostgreSQL".into(),
                                    source,
                                },
                            })
                    })
                    .await?
                    .clone();
                let check = Database::Postgres(pool.clone());
                self.check("postgres", || Arc::new(DatabaseCheck(check)));
                Ok(Database::Postgres(pool))
            }
        }
    }

    /// Redis, in cluster mode; `None` in embedded mode (services use in-process stand-ins).
    pub async fn redis(&self) -> Result<Option<Redis>, InfraError> {
        match &self.backend {
            Backend::Embedded { .. } => Ok(None),
            Backend::Cluster(cluster) => self.cluster_redis(cluster).await.map(Some),
        }
    }

    /// Cluster mode's Redis, connected on first use.
    async fn cluster_redis(&self, cluster: &Cluster) -> Result<Redis, InfraError> {
        let redis = &cluster.redis;
        let connection = cluster
            .redis_connection
            .get_or_try_init(|| async {
                let client = redis_client(redis)?;
                Ok::<_, InfraError>(crate::redis::connect_client(client).await?)
            })
            .await?
            .clone();
        let check = connection.clone();
        self.check("redis", || Arc::new(RedisCheck(check)));
        Ok(Redis {
            connection,
            prefix: redis.prefix.clone(),
        })
    }

    /// The message broker: RabbitMQ, or the process's own.
    pub async fn broker(&self) -> Result<Arc<dyn MessageBroker>, InfraError> {
        match &self.backend {
            Backend::Embedded { broker, .. } => Ok(Arc::new(broker.clone())),
            Backend::Cluster(cluster) => {
                let amqp = &cluster.amqp;
                let broker = cluster
                    .broker
                    .get_or_try_init(|| async {
                        let url = required(&amqp.url, "a RabbitMQ URL", "CODEARENA_AMQP__URL")?;
                        let ca = CaFile::load_optional("amqp.ca_file", amqp.ca_file.as_deref())?;
                        let broker = AmqpBroker::connect_with(url, &amqp.prefix, ca.as_ref())
                            .await
                            .map_err(|error| match error {
                                AmqpConnectError::Tls(error) => InfraError::Tls(error),
                                AmqpConnectError::Queue(error) => InfraError::Amqp(error),
                            })?;
                        Ok::<_, InfraError>(Arc::new(broker))
                    })
                    .await?
                    .clone();
                let check: Arc<dyn MessageBroker> = broker.clone();
                self.check("rabbitmq", || Arc::new(BrokerCheck(check)));
                Ok(broker)
            }
        }
    }

    /// The event bus: Redis pub/sub, or the process's own.
    pub async fn bus(&self) -> Result<Arc<dyn EventBus>, InfraError> {
        match &self.backend {
            Backend::Embedded { bus, .. } => Ok(Arc::new(bus.clone())),
            Backend::Cluster(cluster) => {
                let redis = self.cluster_redis(cluster).await?;
                let bus = cluster
                    .bus
                    .get_or_try_init(|| async {
                        // Subscriptions get a connection of their own, made when first needed.
                        let client = redis_client(&cluster.redis)?;
                        Ok::<_, InfraError>(Arc::new(RedisBus::new(
                            redis.connection,
                            client,
                            &redis.prefix,
                        )))
                    })
                    .await?
                    .clone();
                Ok(bus)
            }
        }
    }

    /// Durable streams with consumer groups: Redis Streams, or the embedded database's.
    pub async fn streams(&self) -> Result<Arc<dyn DurableStream>, InfraError> {
        match &self.backend {
            Backend::Embedded { streams, .. } => Ok(Arc::new(streams.clone())),
            Backend::Cluster(cluster) => {
                let redis = self.cluster_redis(cluster).await?;
                let streams = cluster
                    .streams
                    .get_or_try_init(|| async {
                        // Blocking reads get connections of their own, made when needed.
                        let client = redis_client(&cluster.redis)?;
                        Ok::<_, InfraError>(Arc::new(RedisStream::new(
                            redis.connection,
                            client,
                            &redis.prefix,
                        )))
                    })
                    .await?
                    .clone();
                Ok(streams)
            }
        }
    }

    /// The shared blob store, under `namespace` (a `contracts::names` constant).
    pub async fn blobs(&self, namespace: &str) -> Result<Arc<dyn BlobStore>, InfraError> {
        match &self.backend {
            Backend::Embedded { blobs, .. } => Ok(Arc::new(blobs.namespace(namespace))),
            Backend::Cluster(cluster) => {
                let redis = self.cluster_redis(cluster).await?;
                Ok(Arc::new(RedisBlobs::new(
                    redis.connection,
                    &redis.prefix,
                    namespace,
                )))
            }
        }
    }
}

/// A client for the configured Redis, with its CA file if one is set.
fn redis_client(settings: &RedisSettings) -> Result<redis::Client, InfraError> {
    let url = required(&settings.url, "a Redis URL", "CODEARENA_REDIS__URL")?;
    let ca = CaFile::load_optional("redis.ca_file", settings.ca_file.as_deref())?;
    crate::redis::client(url, ca.as_ref()).map_err(|error| match error {
        RedisClientError::Tls(error) => InfraError::Tls(error),
        RedisClientError::Redis(error) => InfraError::Redis(error),
    })
}

fn required<'a>(
    value: &'a Option<String>,
    what: &'static str,
    env: &'static str,
) -> Result<&'a str, InfraError> {
    match value.as_deref() {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(InfraError::Missing { what, env }),
    }
}
