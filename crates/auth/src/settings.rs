//! The `[auth]` section of the configuration.

use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// HS256 key, at least 32 bytes. Required in cluster mode; embedded mode generates one.
    pub jwt_secret: Option<String>,
    pub bcrypt_cost: u32,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_secs: i64,
    /// bcrypt hashes allowed at once; 0 means half the CPUs (at least one).
    pub hash_concurrency: usize,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    pub login_failures_per_account: u32,
    pub login_failures_per_address: u32,
    pub login_failure_window_secs: u64,
    /// Accounts one client address may create per window.
    pub registrations_per_address: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            bcrypt_cost: 12,
            access_token_ttl_secs: 7 * 24 * 3600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            hash_concurrency: 0,
            max_body_bytes: 16 * 1024,
            login_failures_per_account: 5,
            login_failures_per_address: 20,
            login_failure_window_secs: 15 * 60,
            registrations_per_address: 100,
        }
    }
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthSettings")
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("bcrypt_cost", &self.bcrypt_cost)
            .field("access_token_ttl_secs", &self.access_token_ttl_secs)
            .field("refresh_token_ttl_secs", &self.refresh_token_ttl_secs)
            .finish_non_exhaustive()
    }
}

impl AuthSettings {
    pub fn login_failure_window(&self) -> Duration {
        Duration::from_secs(self.login_failure_window_secs.max(1))
    }
}
