//! The `[realtime]` section of the configuration.

use platform::config::SettingError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RealtimeSettings {
    /// Messages queued for one socket before it counts as too slow and is dropped (it
    /// reconnects and catches up from the event log).
    pub max_buffer: usize,
    /// Events read from a battle's log per request while a socket catches up.
    pub catch_up_page: u32,
    /// Battle rooms one socket may be in at once.
    pub max_battles_per_socket: usize,
    /// Largest message a client may send, in bytes.
    pub max_payload_bytes: u64,
    /// Engine.IO heartbeat: how often the server pings, and how long it waits for a pong.
    pub ping_interval_ms: u64,
    pub ping_timeout_ms: u64,
}

impl Default for RealtimeSettings {
    fn default() -> Self {
        Self {
            max_buffer: 256,
            catch_up_page: 500,
            max_battles_per_socket: 8,
            max_payload_bytes: 16 * 1024,
            ping_interval_ms: 25_000,
            ping_timeout_ms: 20_000,
        }
    }
}

impl RealtimeSettings {
    pub fn validate(&self) -> Result<(), SettingError> {
        platform::config::require_positive(&[
            ("realtime.max_buffer", self.max_buffer as u64),
            ("realtime.catch_up_page", u64::from(self.catch_up_page)),
            (
                "realtime.max_battles_per_socket",
                self.max_battles_per_socket as u64,
            ),
            ("realtime.max_payload_bytes", self.max_payload_bytes),
            ("realtime.ping_interval_ms", self.ping_interval_ms),
            ("realtime.ping_timeout_ms", self.ping_timeout_ms),
        ])?;
        platform::config::require_at_most(&[
            ("realtime.catch_up_page", u64::from(self.catch_up_page), 500),
            (
                "realtime.max_payload_bytes",
                self.max_payload_bytes,
                1 << 20,
            ),
            ("realtime.ping_interval_ms", self.ping_interval_ms, 300_000),
            ("realtime.ping_timeout_ms", self.ping_timeout_ms, 300_000),
        ])
    }
}
