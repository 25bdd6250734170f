//! The `[rating]` section of the configuration.

use platform::config::SettingError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatingSettings {
    /// Finished battles one consumer reads from the stream at once.
    pub batch: usize,
    /// Of those, how many it applies at the same time (each its own transaction); on
    /// SQLite (embedded mode, one writer at a time) always 1.
    pub concurrency: usize,
    /// An entry delivered to a consumer and not acknowledged for this long is taken over
    /// by another (its consumer is presumed dead).
    pub claim_idle_ms: u64,
    /// Deliveries of an entry that keeps failing before it is given up (logged, counted).
    pub max_deliveries: u64,
    /// How often the leaderboard is compared with the database (and rebuilt if behind).
    pub leaderboard_check_secs: u64,
    /// Rows per leaderboard page.
    pub page_size: u32,
    /// The outbox relay publishes at once after each commit, and looks for unpublished
    /// events every 5 ticks besides.
    pub tick_ms: u64,
}

impl Default for RatingSettings {
    fn default() -> Self {
        Self {
            batch: 64,
            concurrency: 8,
            claim_idle_ms: 30_000,
            max_deliveries: 10,
            leaderboard_check_secs: 10,
            page_size: 50,
            tick_ms: 200,
        }
    }
}

impl RatingSettings {
    pub fn validate(&self) -> Result<(), SettingError> {
        platform::config::require_positive(&[
            ("rating.batch", self.batch as u64),
            ("rating.concurrency", self.concurrency as u64),
            ("rating.claim_idle_ms", self.claim_idle_ms),
            ("rating.max_deliveries", self.max_deliveries),
            ("rating.leaderboard_check_secs", self.leaderboard_check_secs),
            ("rating.page_size", u64::from(self.page_size)),
            ("rating.tick_ms", self.tick_ms),
        ])?;
        const DAY_MS: u64 = 86_400_000;
        platform::config::require_at_most(&[
            ("rating.batch", self.batch as u64, 10_000),
            ("rating.concurrency", self.concurrency as u64, 1_000),
            ("rating.claim_idle_ms", self.claim_idle_ms, DAY_MS),
            (
                "rating.leaderboard_check_secs",
                self.leaderboard_check_secs,
                86_400,
            ),
            ("rating.page_size", u64::from(self.page_size), 1_000),
            ("rating.tick_ms", self.tick_ms, 60_000),
        ])
    }
}
