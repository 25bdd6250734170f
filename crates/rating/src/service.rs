//! [`RatingService`]: applying finished battles, and the queries of the API — no HTTP.
//!
//! The database is the truth; the leaderboard is a copy for fast reads, updated after each
//! commit and rebuilt from the database when it is missing or has fallen behind (see
//! [`crate::leaderboard`]). When the copy cannot be read (Redis away), reads fall back to
//! the database, so the leaderboard stays up, only slower.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// The database's count of applied battles at the previous check: by the next check
    /// the leaderboard must reflect at least that many, else it is behind.
    checked_battles: AtomicU64,
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
            checked_battles: AtomicU64::new(0),
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
                metrics::counter!("rating_battles_applied_total").increment(1);
                self.outbox.notify_one();
                if let Err(e) = self.leaderboard.record(&settlement.standings).await {
                    // The periodic check finds the copy behind and rebuilds it.
                    tracing::warn!(error = %e, "updating the leaderboard");
                }
            }
            Applied::Duplicate => {
                metrics::counter!("rating_battles_duplicate_total").increment(1);
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

    /// Compares the leaderboard with the database and rebuilds it if it is missing or
    /// did not catch up with what the database held at the previous check.
    #[tracing::instrument(level = "debug", skip(self))]
    pub async fn check_leaderboard(&self) -> Result<(), CheckError> {
        let battles = self.store.totals().await?.battles;
        let previous = self.checked_battles.swap(battles, Ordering::Relaxed);
        let behind = match self.leaderboard.applied().await? {
            None => true,
            Some(applied) => applied < previous.min(battles),
        };
        if behind {
            tracing::info!(battles, "leaderboard missing or behind; rebuilding");
            self.rebuild_leaderboard().await?;
        }
        Ok(())
    }

    /// Replaces the leaderboard with the database's standings.
    #[tracing::instrument(skip(self))]
    pub async fn rebuild_leaderboard(&self) -> Result<(), CheckError> {
        let _one = self.rebuilding.lock().await;
        // Counted before the rows are read: the copy never claims more than it holds.
        let battles = self.store.totals().await?.battles;
        let mut standings = Vec::new();
        loop {
            let chunk = self
                .store
                .ranked(standings.len() as u64, REBUILD_CHUNK)
                .await?;
            let done = chunk.len() < REBUILD_CHUNK as usize;
            standings.extend(chunk);
            if done {
                break;
            }
        }
        self.leaderboard.replace(&standings, battles).await?;
        metrics::counter!("rating_leaderboard_rebuilds_total").increment(1);
        Ok(())
    }
}

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

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
