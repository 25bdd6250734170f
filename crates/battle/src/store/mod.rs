//! Where battles live: [`BattleStore`], on PostgreSQL (cluster) and SQLite (embedded), one
//! body of SQL for both ([`sql`]), one behavioural suite (`tests/suites/store.rs`).
//!
//! Every change to a battle is one transaction ([`BattleStore::commit`]): the battle row is
//! updated only if its `version` is still the one the change was computed from, and with
//! it go the seats, the submission, the new events (the log *and* the channel's outbox) and
//! a finished rated battle's entry in the results outbox. Whoever loses a race gets
//! [`StoreError::Conflict`], re-reads and decides again; so a battle is finished once, by
//! one replica, and every event has one sequence number.

mod postgres;
pub(crate) mod sql;
mod sql_impl;
mod sql_rows;
mod sqlite;

pub use postgres::PostgresBattleStore;
pub use sqlite::SqliteBattleStore;

use contracts::battle::{BattleEvent, BattleMode, BattleResult, BattleState};
use uuid::Uuid;

use crate::model::{Battle, Change, QueueEntry, Submission};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the battle changed since it was read")]
    Conflict,
    #[error("a player is already in a battle")]
    PlayerBusy,
    #[error("a player is waiting in the matchmaking queue")]
    PlayerQueued,
    #[error("the player is already in the queue")]
    AlreadyQueued,
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Decides the pairs of one matchmaking round, inside the store's transaction.
pub trait Planner: Send + Sync {
    /// Pairs to make from `queue` (indices into it), best first; each index at most once.
    fn pairs(&self, queue: &[QueueEntry], now: i64) -> Vec<(usize, usize)>;
    /// The battle for a pair, avoiding the problems in `recent`; `None` skips the pair.
    fn battle(&self, a: &QueueEntry, b: &QueueEntry, recent: &[String], now: i64)
    -> Option<Change>;
}

/// Events not yet on the channel and results not yet on the stream, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxLag {
    pub events: u64,
    pub results: u64,
    /// Unix milliseconds of the oldest unpublished event or result.
    pub oldest_ms: Option<i64>,
}

#[async_trait::async_trait]
pub trait BattleStore: Send + Sync {
    /// Writes a new battle (`change.expected_version` is `None`) with its seats, events and
    /// claims. [`StoreError::PlayerBusy`] / [`StoreError::PlayerQueued`] if a player is
    /// already in a battle or queued; nothing is written then.
    async fn create(&self, change: &Change) -> Result<(), StoreError>;

    /// Writes a change to an existing battle, all or nothing (see the module doc).
    async fn commit(&self, change: &Change) -> Result<(), StoreError>;

    async fn battle(&self, id: Uuid) -> Result<Option<Battle>, StoreError>;
    async fn battle_by_invite(&self, code: &str) -> Result<Option<Battle>, StoreError>;
    /// The battle (not over) that `user` holds a seat in.
    async fn active_battle_of(&self, user: Uuid) -> Result<Option<Uuid>, StoreError>;
    /// `user`'s battles, newest first.
    async fn battles_of(&self, user: Uuid, limit: u32) -> Result<Vec<Battle>, StoreError>;
    /// Battles in countdown or being played, newest first.
    async fn live(&self, limit: u32) -> Result<Vec<Battle>, StoreError>;
    /// Battles whose clock is due at `now`.
    async fn due(&self, now: i64, limit: u32) -> Result<Vec<Uuid>, StoreError>;
    /// How many battles are in each state.
    async fn count_by_state(&self) -> Result<Vec<(BattleState, u64)>, StoreError>;
    /// Problems `user` got in their last `limit` battles.
    async fn recent_problems(&self, user: Uuid, limit: u32) -> Result<Vec<String>, StoreError>;

    async fn submission(&self, id: Uuid) -> Result<Option<Submission>, StoreError>;
    async fn submission_by_job(&self, job_id: Uuid) -> Result<Option<Submission>, StoreError>;
    /// A battle's submissions (of one user, or all), oldest first.
    async fn submissions(
        &self,
        battle: Uuid,
        user: Option<Uuid>,
    ) -> Result<Vec<Submission>, StoreError>;
    /// Submissions still judging whose result is overdue at `now`.
    async fn overdue(&self, now: i64, limit: u32) -> Result<Vec<Submission>, StoreError>;

    /// A battle's events with `seq > after`, in order.
    async fn events(
        &self,
        battle: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<BattleEvent>, StoreError>;
    /// Events not yet published, oldest first (per battle in sequence order).
    async fn unpublished_events(&self, limit: u32) -> Result<Vec<BattleEvent>, StoreError>;
    async fn mark_event_published(
        &self,
        battle: Uuid,
        seq: i64,
        now: i64,
    ) -> Result<(), StoreError>;
    async fn unpublished_results(&self, limit: u32) -> Result<Vec<BattleResult>, StoreError>;
    async fn mark_result_published(&self, battle: Uuid, now: i64) -> Result<(), StoreError>;
    async fn outbox_lag(&self) -> Result<OutboxLag, StoreError>;

    /// Puts a player in the queue. [`StoreError::PlayerBusy`] if they are in a battle,
    /// [`StoreError::AlreadyQueued`] if queued.
    async fn enqueue(&self, entry: &QueueEntry) -> Result<(), StoreError>;
    /// Takes a player out of the queue; `false` if they were not in it.
    async fn dequeue(&self, user: Uuid) -> Result<bool, StoreError>;
    async fn queued(&self, user: Uuid) -> Result<Option<QueueEntry>, StoreError>;
    /// Players waiting per mode.
    async fn queue_sizes(&self) -> Result<Vec<(BattleMode, u64)>, StoreError>;
    /// One matchmaking round for `mode`, as one transaction: the queue is read (and, on
    /// PostgreSQL, its rows locked so that another replica's round skips them), `planner`
    /// pairs players, and each pair leaves the queue into a new battle. Returns the new
    /// battles.
    async fn pair(
        &self,
        mode: BattleMode,
        planner: &dyn Planner,
        now: i64,
    ) -> Result<Vec<Change>, StoreError>;

    async fn ping(&self) -> Result<(), StoreError>;
}
