//! The `[battle]` section of the configuration.

use std::path::PathBuf;

use platform::config::SettingError;
use serde::{Deserialize, Serialize};

use crate::rules::Timing;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BattleSettings {
    /// The problem packages, one directory each, loaded at start.
    pub problems_dir: PathBuf,
    /// How long a battle is played once the problem opens.
    pub duration_secs: i64,
    /// From both players present to the problem opening.
    pub countdown_secs: i64,
    /// How long an invite waits for the second player.
    pub invite_ttl_secs: i64,
    /// How long a matched battle waits for both players to arrive.
    pub arrive_secs: i64,
    /// After the deadline, how long submissions sent in time may still be judged.
    pub grace_secs: i64,
    /// How long a judge result may take before the job is sent again (once), then IE.
    pub result_timeout_secs: i64,
    /// Largest accepted source file.
    pub max_source_bytes: usize,
    /// Submissions one player may make in one battle.
    pub max_submissions: u32,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Matchmaking: the rating window a player starts with, how much it widens per
    /// second of waiting, and its widest.
    pub match_window: i32,
    pub match_window_per_sec: i32,
    pub match_window_max: i32,
    /// How often the clock, the matchmaker and the outbox relay look for work.
    pub tick_ms: u64,
    /// The public address of the web app, for invite links.
    pub public_url: String,
}

impl Default for BattleSettings {
    fn default() -> Self {
        Self {
            problems_dir: PathBuf::from("problems"),
            duration_secs: 15 * 60,
            countdown_secs: 5,
            invite_ttl_secs: 30 * 60,
            arrive_secs: 60,
            grace_secs: 60,
            result_timeout_secs: 300,
            max_source_bytes: 64 * 1024,
            max_submissions: 50,
            max_body_bytes: 128 * 1024,
            match_window: 100,
            match_window_per_sec: 10,
            match_window_max: 1000,
            tick_ms: 200,
            public_url: "http://localhost:8083".into(),
        }
    }
}

impl BattleSettings {
    pub fn validate(&self) -> Result<(), SettingError> {
        let positive = |v: i64| u64::try_from(v).unwrap_or(0);
        platform::config::require_positive(&[
            ("battle.duration_secs", positive(self.duration_secs)),
            ("battle.invite_ttl_secs", positive(self.invite_ttl_secs)),
            ("battle.arrive_secs", positive(self.arrive_secs)),
            (
                "battle.result_timeout_secs",
                positive(self.result_timeout_secs),
            ),
            ("battle.max_source_bytes", self.max_source_bytes as u64),
            ("battle.max_submissions", u64::from(self.max_submissions)),
            ("battle.tick_ms", self.tick_ms),
        ])?;
        // Negative values read as 0 (no countdown, no grace, a window that never widens).
        if self.match_window_max < self.match_window {
            return Err(SettingError::TooSmall {
                name: "battle.match_window_max",
                min: u64::try_from(self.match_window).unwrap_or(0),
            });
        }
        Ok(())
    }

    pub fn timing(&self) -> Timing {
        Timing {
            countdown_ms: self.countdown_secs.max(0) * 1000,
            invite_ttl_ms: self.invite_ttl_secs * 1000,
            arrive_ms: self.arrive_secs * 1000,
            grace_ms: self.grace_secs.max(0) * 1000,
            result_timeout_ms: self.result_timeout_secs * 1000,
        }
    }
}
