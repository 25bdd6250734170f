//! The configuration of the `codearena` program: defaults < TOML file (`--config`, or
//! `CODEARENA_CONFIG`) < `CODEARENA_*` environment. See the README for every key.

use std::path::{Path, PathBuf};

use platform::config::{HttpSettings, TelemetrySettings};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub http: HttpSettings,
    pub telemetry: TelemetrySettings,
    pub embedded: EmbeddedSettings,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub amqp: AmqpSettings,
    pub cluster: ClusterSettings,
    pub auth: auth::AuthSettings,
    pub execution: execution::ExecutionSettings,
}

/// RabbitMQ, for cluster mode.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpSettings {
    /// e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`
    pub url: Option<String>,
    /// Put before every exchange and queue name, so deployments can share a broker.
    pub prefix: String,
}

/// How services of a cluster find each other.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSettings {
    /// The auth service, for token verification.
    pub auth_url: String,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            auth_url: "http://127.0.0.1:3001".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddedSettings {
    /// Where embedded mode keeps its SQLite database and generated secret.
    pub data_dir: PathBuf,
}

impl Default for EmbeddedSettings {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
        }
    }
}

/// PostgreSQL, for cluster mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: Option<String>,
    pub max_connections: u32,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 20,
        }
    }
}

/// Redis, for cluster mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisSettings {
    pub url: Option<String>,
    /// Put before every key, channel and stream name, so deployments can share a server.
    pub prefix: String,
}

impl Default for RedisSettings {
    fn default() -> Self {
        Self {
            url: None,
            prefix: "codearena".into(),
        }
    }
}

impl Settings {
    pub fn load(file: Option<&Path>) -> Result<Self, platform::config::ConfigError> {
        platform::config::load(file)
    }
}
