//! Where ratings live: [`RatingStore`], on PostgreSQL (cluster) and SQLite (embedded), one
//! body of SQL for both ([`sql`]), one behavioural suite (`tests/suites/store.rs`).
//!
//! [`RatingStore::apply`] is the whole of "exactly once": in one transaction it records
//! the battle id (the idempotency key: a battle already recorded changes nothing), locks
//! both players' rows in a fixed order (by user id, so two battles sharing players never
//! deadlock; PostgreSQL `FOR UPDATE`, SQLite's write lock), computes the new ratings from
//! the rows as locked ([`crate::model::settle`]), and writes both ratings, both history
//! rows and the `rating.updated` event's outbox row. Delivered twice, concurrently or out
//! of order, a battle counts once, and a rating always equals its latest history row.

mod postgres;
pub(crate) mod sql;
mod sqlite;

pub use postgres::PostgresRatingStore;
pub use sqlite::SqliteRatingStore;

use contracts::battle::BattleResult;
use contracts::rating::RatingEvent;
use uuid::Uuid;

use crate::model::{HistoryRow, Settlement, Standing};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// What [`RatingStore::apply`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// The battle changed both ratings.
    Applied(Box<Settlement>),
    /// The battle had been applied before; nothing changed.
    Duplicate,
}

/// How much a store holds, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub battles: u64,
    pub history_rows: u64,
    pub players: u64,
}

#[async_trait::async_trait]
pub trait RatingStore: Send + Sync {
    /// Applies a finished rated battle at `now`, once (see the module doc). The result's
    /// players must be two different users.
    async fn apply(&self, result: &BattleResult, now: i64) -> Result<Applied, StoreError>;

    /// A player's standing; `None` before their first rated battle.
    async fn standing(&self, user: Uuid) -> Result<Option<Standing>, StoreError>;

    /// Standings in leaderboard order (rating, highest first; equal ratings by user id,
    /// greatest first, as a Redis sorted set orders them), from `offset`.
    async fn ranked(&self, offset: u64, limit: u32) -> Result<Vec<Standing>, StoreError>;

    /// Standings in user-id order after `after` (a stable order to page through the
    /// whole table, e.g. to rebuild the leaderboard).
    async fn standings_after(&self, after: Uuid, limit: u32) -> Result<Vec<Standing>, StoreError>;

    /// Standings changed at or after `since_ms`, in (change time, user id) order after
    /// the key `after` (`(since_ms, Uuid::nil())` to start).
    async fn changed_since(
        &self,
        after: (i64, Uuid),
        limit: u32,
    ) -> Result<Vec<Standing>, StoreError>;

    /// A player's 1-based place in that order; `None` before their first rated battle.
    async fn rank(&self, user: Uuid) -> Result<Option<u64>, StoreError>;

    /// A player's history, oldest first, after their game number `after_game`.
    async fn history(
        &self,
        user: Uuid,
        after_game: u32,
        limit: u32,
    ) -> Result<Vec<HistoryRow>, StoreError>;

    async fn totals(&self) -> Result<Totals, StoreError>;

    /// `rating.updated` events not yet on the channel, oldest first.
    async fn unpublished(&self, limit: u32) -> Result<Vec<RatingEvent>, StoreError>;
    async fn mark_published(&self, battle: Uuid, now: i64) -> Result<(), StoreError>;
    /// How many events wait to be published.
    async fn outbox_lag(&self) -> Result<u64, StoreError>;

    async fn ping(&self) -> Result<(), StoreError>;
}
