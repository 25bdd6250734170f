//! The leaderboard: [`Leaderboard`], a ranked copy of the ratings kept for fast reads — a
//! Redis sorted set in cluster mode ([`RedisLeaderboard`]), process memory in embedded
//! mode ([`MemoryLeaderboard`]); one suite for both (`tests/suites/leaderboard.rs`).
//!
//! The database is the truth; the leaderboard is a copy that may be missing (Redis lost
//! it, or it was never built) or behind (an update after a commit failed, or the process
//! died between the two). So:
//!
//! - [`Leaderboard::record`] puts in standings, each only if it is newer (more games)
//!   than what the copy holds, so updates arriving out of order (two replicas, a repair
//!   racing a battle) never put an older standing back. Recording a standing again is
//!   harmless, which is how the service repairs the copy: it records again every
//!   standing that changed since its last successful check (see
//!   [`crate::service::RatingService::check_leaderboard`]).
//! - A copy that is missing is rebuilt whole ([`Leaderboard::replace`]); until then it
//!   answers `None`, never an empty page, so a reader can tell "nobody has played" from
//!   "not built".
//!
//! Order: rating, highest first; equal ratings by user id, greatest first (the order of a
//! Redis sorted set read in reverse; the database's `ranked` uses the same).

mod memory;
mod redis;

pub use self::memory::MemoryLeaderboard;
pub use self::redis::RedisLeaderboard;

use uuid::Uuid;

use crate::model::Standing;

#[derive(Debug, thiserror::Error)]
pub enum LeaderboardError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("a leaderboard row is not readable: {0}")]
    Corrupt(#[from] serde_json::Error),
}

/// One page of the leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The rows, best first; the first has rank `offset + 1`.
    pub rows: Vec<Standing>,
    /// Players on the whole leaderboard.
    pub total: u64,
}

#[async_trait::async_trait]
pub trait Leaderboard: Send + Sync {
    /// Puts in `standings` (each only if it has more games than the copy's row of that
    /// player). Does nothing while the copy is missing.
    async fn record(&self, standings: &[Standing]) -> Result<(), LeaderboardError>;

    /// Rows from `offset` (0-based) in order; `None` while the copy is missing.
    async fn page(&self, offset: u64, limit: u32) -> Result<Option<Page>, LeaderboardError>;

    /// A player's 1-based rank; `None` if the player is not on it (or it is missing).
    async fn rank(&self, user: Uuid) -> Result<Option<u64>, LeaderboardError>;

    /// Whether there is a copy (it was built and not lost since).
    async fn is_built(&self) -> Result<bool, LeaderboardError>;

    /// Replaces the whole copy, at once for readers, with `standings`.
    async fn replace(&self, standings: &[Standing]) -> Result<(), LeaderboardError>;
}
