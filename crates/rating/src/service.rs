//! [`RatingService`]: applying finished battles, and the queries of the API — no HTTP.
//!
//! The database is the truth; the leaderboard is a copy for fast reads, updated after each
//! commit, repaired by a periodic check and rebuilt from the database when it is missing
//! (see [`crate::leaderboard`] and [`RatingService::check_leaderboard`]). When the copy cannot be read (Redis away), reads fall back to
//! the database, so the leaderboard stays up, only slower.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use contracts::battle::BattleResult;
use contracts::rating::PlayerRating;
use tokio::sync::{Mutex, Notify};
use uuid::Uuid;

use crate::elo;
use crate::leaderboard::{Leaderboard, Page};
use crate::model::{HistoryRow, Standing};
use crate::settings::RatingSettings;
use crate::store::{Applied, RatingStore, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum RatingError {
    /// A finished battle that cannot be rated (never retried).
    #[error("not a ratable result: {0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RatingError {
    /// Whether trying again cannot help: the battle itself, or what the database holds,
    /// is wrong. A database that is away, slow or busy is never that.
    pub fn is_permanent(&self) -> bool {
        match self {
            RatingError::Invalid(_) => true,
            RatingError::Store(StoreError::Corrupt(_)) => true,
            RatingError::Store(StoreError::Database(e)) => matches!(
                e,
                sqlx::Error::ColumnDecode { .. }
                    | sqlx::Error::ColumnNotFound(_)
                    | sqlx::Error::Decode(_)
                    | sqlx::Error::TypeNotFound { .. }
            ),
            RatingError::Store(StoreError::Migrate(_)) => false,
        }
    }
}

/// Pages of the leaderboard a client may ask for (50 000 players at the default size).
pub const MAX_PAGE: u32 = 1000;
/// History points per request at most.
pub const MAX_HISTORY: u32 = 1000;

pub struct RatingService {
    pub(crate) settings: RatingSettings,
    pub(crate) store: Arc<dyn RatingStore>,
    leaderboard: Arc<dyn Leaderboard>,
    /// One rebuild of the leaderboard at a time in this process.
    rebuilding: Mutex<()>,
    /// Standings changed since this time (Unix ms) are recorded into the leaderboard
    /// again by the next check; 0 at start, so the first check looks at everyone.
    repaired_since: AtomicI64,
    /// Woken after a commit, so the relay publishes at once.
    pub(crate) outbox: Notify,
}

impl RatingService {
    pub fn new(
        settings: RatingSettings,
        store: Arc<dyn RatingStore>,
        leaderboard: Arc<dyn Leaderboard>,
    ) -> Self {
        Self {
            settings,
            store,
            leaderboard,
            rebuilding: Mutex::new(()),
            repaired_since: AtomicI64::new(0),
            outbox: Notify::new(),
        }
    }

    pub fn settings(&self) -> &RatingSettings {
        &self.settings
    }

    pub fn store(&self) -> &Arc<dyn RatingStore> {
        &self.store
    }

    /// Applies one finished rated battle, once however often it is given.
    #[tracing::instrument(skip_all, fields(battle = %result.battle_id))]
    pub async fn apply(&self, result: &BattleResult) -> Result<Applied, RatingError> {
        let [a, b] = result.players;
        if a == b {
            return Err(RatingError::Invalid("both seats hold the same player"));
        }
        if result.winner.is_some_and(|w| w != a && w != b) {
            return Err(RatingError::Invalid("the winner did not play"));
        }
        let applied = self.store.apply(result, now_ms()).await?;
        match &applied {
            Applied::Applied(settlement) => {
                metrics::counter!(crate::metrics::APPLIED).increment(1);
                self.outbox.notify_one();
                if let Err(e) = self.leaderboard.record(&settlement.standings).await {
                    // The periodic check finds the copy behind and rebuilds it.
                    tracing::warn!(error = %e, "updating the leaderboard");
                }
            }
            Applied::Duplicate => {
                metrics::counter!(crate::metrics::DUPLICATE).increment(1);
                tracing::info!("battle already applied; skipped");
            }
        }
        Ok(applied)
    }

    /// A player's rating, rank and record (a player who never played a rated battle
    /// stands at 1500, unranked).
    #[tracing::instrument(skip(self))]
    pub async fn player(&self, user: Uuid) -> Result<PlayerRating, RatingError> {
        let Some(s) = self.store.standing(user).await? else {
            return Ok(view(&Standing::new(user, ""), None));
        };
        let rank = match self.leaderboard.rank(user).await {
            Ok(Some(rank)) => Some(rank),
            Ok(None) => self.store.rank(user).await?,
            Err(e) => {
                tracing::warn!(error = %e, "leaderboard rank; asking the database");
                self.store.rank(user).await?
            }
        };
        Ok(view(&s, rank))
    }

    /// A player's rating for matchmaking (the initial one before any rated battle).
    #[tracing::instrument(skip(self))]
    pub async fn rating(&self, user: Uuid) -> Result<f64, RatingError> {
        Ok(self
            .store
            .standing(user)
            .await?
            .map_or(elo::INITIAL_RATING, |s| s.rating))
    }

    /// Page `page` (1-based) of the leaderboard.
    #[tracing::instrument(skip(self))]
    pub async fn leaderboard(&self, page: u32) -> Result<Page, RatingError> {
        let size = self.settings.page_size;
        let offset = u64::from(page.saturating_sub(1)) * u64::from(size);
        match self.leaderboard.page(offset, size).await {
            Ok(Some(page)) => return Ok(page),
            Ok(None) => match self.rebuild_leaderboard().await {
                Ok(()) => {
                    if let Ok(Some(page)) = self.leaderboard.page(offset, size).await {
                        return Ok(page);
                    }
                }
                Err(e) => tracing::warn!(error = %e, "rebuilding the leaderboard"),
            },
            Err(e) => tracing::warn!(error = %e, "leaderboard copy; reading the database"),
        }
        let rows = self.store.ranked(offset, size).await?;
        let total = self.store.totals().await?.players;
        Ok(Page { rows, total })
    }

    /// A player's rating history after their game `after_game`, oldest first.
    #[tracing::instrument(skip(self))]
    pub async fn history(
        &self,
        user: Uuid,
        after_game: u32,
        limit: u32,
    ) -> Result<Vec<HistoryRow>, RatingError> {
        Ok(self
            .store
            .history(user, after_game, limit.min(MAX_HISTORY))
            .await?)
    }

    /// Keeps the leaderboard copy true to the database: builds it when it is missing, and
    /// otherwise records again every standing that changed since the last successful
    /// check (a little before it, for clocks and transactions in flight), so an update
    /// that failed or never happened (Redis away, a process that died between commit and
    /// update) is repaired by the next check. The first check of a process looks at every
    /// standing.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn check_leaderboard(&self) -> Result<(), CheckError> {
        let started = now_ms();
        if self.leaderboard.is_built().await? {
            let since = self.repaired_since.load(Ordering::Relaxed);
            let mut after = (since, Uuid::nil());
            loop {
                let changed = self.store.changed_since(after, REBUILD_CHUNK).await?;
                let Some(last) = changed.last() else { break };
                after = (last.updated_at_ms, last.user_id);
                self.leaderboard.record(&changed).await?;
                if changed.len() < REBUILD_CHUNK as usize {
                    break;
                }
            }
        } else {
            tracing::info!("leaderboard missing; rebuilding");
            self.rebuild_leaderboard().await?;
        }
        self.repaired_since
            .store(started - REPAIR_MARGIN_MS, Ordering::Relaxed);
        Ok(())
    }

    /// Builds the leaderboard copy from the database if it is (still) missing.
    #[tracing::instrument(skip(self))]
    pub async fn rebuild_leaderboard(&self) -> Result<(), CheckError> {
        let _one = self.rebuilding.lock().await;
        if self.leaderboard.is_built().await? {
            return Ok(());
        }
        let started = now_ms();
        let mut standings = Vec::new();
        let mut after = Uuid::nil();
        loop {
            let chunk = self.store.standings_after(after, REBUILD_CHUNK).await?;
            let Some(last) = chunk.last() else { break };
            after = last.user_id;
            let done = chunk.len() < REBUILD_CHUNK as usize;
            standings.extend(chunk);
            if done {
                break;
            }
        }
        self.leaderboard.replace(&standings).await?;
        // What changed while it was read is recorded again by the next check.
        self.repaired_since
            .fetch_min(started - REPAIR_MARGIN_MS, Ordering::Relaxed);
        metrics::counter!(crate::metrics::REBUILDS).increment(1);
        Ok(())
    }
}

/// How far before the last successful check the next one looks again: longer than a
/// transaction takes to commit after it read the clock, and than replicas' clocks differ.
const REPAIR_MARGIN_MS: i64 = 30_000;

/// Rows read from the database per query while the leaderboard is rebuilt.
const REBUILD_CHUNK: u32 = 5000;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Leaderboard(#[from] crate::leaderboard::LeaderboardError),
}

fn view(s: &Standing, rank: Option<u64>) -> PlayerRating {
    PlayerRating {
        user_id: s.user_id,
        username: s.username.clone(),
        rating: s.rating,
        rank,
        games: s.games,
        wins: s.wins,
        losses: s.losses,
        draws: s.draws,
        peak: s.peak,
    }
}

pub use platform::clock::now_ms;
