//! The configuration of the `codearena` program: defaults < TOML file (`--config`, or
//! `CODEARENA_CONFIG`) < `CODEARENA_*` environment. See the README for every key.

use std::path::Path;

use platform::config::{HttpSettings, TelemetrySettings};
use platform::infra::{AmqpSettings, DatabaseSettings, EmbeddedSettings, RedisSettings};
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
    pub battle: battle::BattleSettings,
    pub rating: rating::RatingSettings,
    pub realtime: realtime::RealtimeSettings,
}

/// How services of a cluster find each other.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSettings {
    /// The auth service, for token verification.
    pub auth_url: String,
    /// The execution service, where battle sends judge jobs (with
    /// `execution.service_token`).
    pub execution_url: String,
    /// The rating service, where battle asks for players' ratings.
    pub rating_url: String,
    /// The battle service, where realtime reads battles and their event logs.
    pub battle_url: String,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            auth_url: "http://127.0.0.1:3001".into(),
            execution_url: "http://127.0.0.1:3003".into(),
            rating_url: "http://127.0.0.1:3004".into(),
            battle_url: "http://127.0.0.1:3002".into(),
        }
    }
}

impl Settings {
    pub fn load(file: Option<&Path>) -> Result<Self, platform::config::ConfigError> {
        platform::config::load(file)
    }
}
