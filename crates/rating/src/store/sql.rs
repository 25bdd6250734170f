//! The one implementation of [`RatingStore`](super::RatingStore), for PostgreSQL and
//! SQLite: statements both databases speak, stamped out per pool type by
//! [`sql_rating_store!`] (as the battle store is). Two things differ, given as arguments:
//! how a writing transaction begins (SQLite takes its write lock at once) and how a
//! player's row is read for update (PostgreSQL appends `FOR UPDATE`).

use super::StoreError;
use crate::elo::Outcome;

pub(super) const RECORD_BATTLE: &str = "INSERT INTO rating_battles (battle_id, applied_at_ms) VALUES ($1, $2) ON CONFLICT (battle_id) DO NOTHING";
pub(super) const NEW_PLAYER: &str = "INSERT INTO ratings (user_id, username, rating, games, wins, losses, draws, peak, updated_at_ms) \
     VALUES ($1, $2, $3, 0, 0, 0, 0, $3, $4) ON CONFLICT (user_id) DO NOTHING";
pub(super) const STANDING: &str = "SELECT user_id, username, rating, games, wins, losses, draws, peak, updated_at_ms FROM ratings WHERE user_id = $1";
pub(super) const STANDING_FOR_UPDATE: &str = "SELECT user_id, username, rating, games, wins, losses, draws, peak, updated_at_ms FROM ratings WHERE user_id = $1 FOR UPDATE";
pub(super) const UPDATE_STANDING: &str = "UPDATE ratings SET username = $2, rating = $3, games = $4, wins = $5, losses = $6, draws = $7, peak = $8, updated_at_ms = $9 WHERE user_id = $1";
pub(super) const INSERT_HISTORY: &str = "INSERT INTO rating_history (user_id, battle_id, opponent, outcome, rating_before, rating_after, delta, k, game, finished_at_ms, applied_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(super) const INSERT_OUTBOX: &str =
    "INSERT INTO rating_outbox (battle_id, payload, created_at_ms) VALUES ($1, $2, $3)";
pub(super) const RANKED: &str = "SELECT user_id, username, rating, games, wins, losses, draws, peak, updated_at_ms FROM ratings ORDER BY rating DESC, user_id DESC LIMIT $1 OFFSET $2";
pub(super) const RANK: &str =
    "SELECT COUNT(*) AS n FROM ratings WHERE (rating, user_id) > ($1, $2)";
pub(super) const STANDINGS_AFTER: &str = "SELECT user_id, username, rating, games, wins, losses, draws, peak, updated_at_ms FROM ratings WHERE user_id > $1 ORDER BY user_id LIMIT $2";
pub(super) const CHANGED_SINCE: &str = "SELECT user_id, username, rating, games, wins, losses, draws, peak, updated_at_ms FROM ratings \
     WHERE (updated_at_ms, user_id) > ($1, $2) ORDER BY updated_at_ms, user_id LIMIT $3";
pub(super) const HISTORY: &str = "SELECT user_id, battle_id, opponent, outcome, rating_before, rating_after, delta, k, game, finished_at_ms FROM rating_history \
     WHERE user_id = $1 AND game > $2 ORDER BY game LIMIT $3";
pub(super) const TOTALS: &str = "SELECT (SELECT COUNT(*) FROM rating_battles) AS battles, (SELECT COUNT(*) FROM rating_history) AS history_rows, (SELECT COUNT(*) FROM ratings) AS players";
pub(super) const UNPUBLISHED: &str = "SELECT payload FROM rating_outbox WHERE published_at_ms IS NULL ORDER BY created_at_ms, battle_id LIMIT $1";
pub(super) const MARK_PUBLISHED: &str =
    "UPDATE rating_outbox SET published_at_ms = $2 WHERE battle_id = $1";
pub(super) const OUTBOX_LAG: &str =
    "SELECT COUNT(*) AS n FROM rating_outbox WHERE published_at_ms IS NULL";

pub(super) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(super) fn outcome(s: &str) -> Result<Outcome, StoreError> {
    Outcome::parse(s).ok_or_else(|| corrupt(format!("outcome {s:?}")))
}

/// A count as the databases' `integer` (counts here stay far below 2³¹).
pub(super) fn int(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub(super) fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// `impl RatingStore for $store`, whose `pool` field is a sqlx pool of rows `$row`.
macro_rules! sql_rating_store {
    ($store:ty, $row:ty, begin = $begin:expr, for_update = $for_update:expr) => {
        use contracts::battle::BattleResult;
        use contracts::rating::RatingEvent;
        use sqlx::Row as _;
        use uuid::Uuid;
        use $crate::model::{HistoryRow, Standing, settle};
        use $crate::store::sql::*;
        use $crate::store::{Applied, StoreError, Totals};

        fn standing_row(row: &$row) -> Result<Standing, StoreError> {
            Ok(Standing {
                user_id: row.try_get("user_id")?,
                username: row.try_get("username")?,
                rating: row.try_get("rating")?,
                games: count(row.try_get("games")?),
                wins: count(row.try_get("wins")?),
                losses: count(row.try_get("losses")?),
                draws: count(row.try_get("draws")?),
                peak: row.try_get("peak")?,
                updated_at_ms: row.try_get("updated_at_ms")?,
            })
        }

        fn history_row(row: &$row) -> Result<HistoryRow, StoreError> {
            Ok(HistoryRow {
                user_id: row.try_get("user_id")?,
                battle_id: row.try_get("battle_id")?,
                opponent: row.try_get("opponent")?,
                outcome: outcome(row.try_get("outcome")?)?,
                before: row.try_get("rating_before")?,
                after: row.try_get("rating_after")?,
                delta: row.try_get("delta")?,
                k: count(row.try_get("k")?),
                game: count(row.try_get("game")?),
                finished_at_ms: row.try_get("finished_at_ms")?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::store::RatingStore for $store {
            #[tracing::instrument(level = "debug", skip(self, result), fields(battle = %result.battle_id))]
            async fn apply(&self, result: &BattleResult, now: i64) -> Result<Applied, StoreError> {
                let mut tx = $begin(&self.pool).await?;
                let recorded = sqlx::query(RECORD_BATTLE)
                    .bind(result.battle_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if recorded.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(Applied::Duplicate);
                }
                // Rows are created and locked in user-id order, whatever the seats.
                let mut order = [0_usize, 1];
                order.sort_by_key(|&i| result.players[i]);
                let mut read: [Option<Standing>; 2] = [None, None];
                for i in order {
                    sqlx::query(NEW_PLAYER)
                        .bind(result.players[i])
                        .bind(&result.usernames[i])
                        .bind($crate::elo::INITIAL_RATING)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    let row = sqlx::query($for_update)
                        .bind(result.players[i])
                        .fetch_one(&mut *tx)
                        .await?;
                    read[i] = Some(standing_row(&row)?);
                }
                let [Some(a), Some(b)] = read else {
                    return Err(corrupt("a player's row vanished inside its transaction"));
                };
                let settlement = settle(result, &a, &b, now);
                for s in &settlement.standings {
                    sqlx::query(UPDATE_STANDING)
                        .bind(s.user_id)
                        .bind(&s.username)
                        .bind(s.rating)
                        .bind(int(s.games))
                        .bind(int(s.wins))
                        .bind(int(s.losses))
                        .bind(int(s.draws))
                        .bind(s.peak)
                        .bind(s.updated_at_ms)
                        .execute(&mut *tx)
                        .await?;
                }
                for h in &settlement.history {
                    sqlx::query(INSERT_HISTORY)
                        .bind(h.user_id)
                        .bind(h.battle_id)
                        .bind(h.opponent)
                        .bind(h.outcome.as_str())
                        .bind(h.before)
                        .bind(h.after)
                        .bind(h.delta)
                        .bind(int(h.k))
                        .bind(int(h.game))
                        .bind(h.finished_at_ms)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(INSERT_OUTBOX)
                    .bind(result.battle_id)
                    .bind(serde_json::to_string(&settlement.event).map_err(corrupt)?)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Applied::Applied(Box::new(settlement)))
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn standing(&self, user: Uuid) -> Result<Option<Standing>, StoreError> {
                sqlx::query(STANDING)
                    .bind(user)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|row| standing_row(&row))
                    .transpose()
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn ranked(&self, offset: u64, limit: u32) -> Result<Vec<Standing>, StoreError> {
                sqlx::query(RANKED)
                    .bind(i64::from(limit))
                    .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(standing_row)
                    .collect()
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn standings_after(
                &self,
                after: Uuid,
                limit: u32,
            ) -> Result<Vec<Standing>, StoreError> {
                sqlx::query(STANDINGS_AFTER)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(standing_row)
                    .collect()
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn changed_since(
                &self,
                after: (i64, Uuid),
                limit: u32,
            ) -> Result<Vec<Standing>, StoreError> {
                sqlx::query(CHANGED_SINCE)
                    .bind(after.0)
                    .bind(after.1)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(standing_row)
                    .collect()
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn rank(&self, user: Uuid) -> Result<Option<u64>, StoreError> {
                let Some(me) = self.standing(user).await? else {
                    return Ok(None);
                };
                let row = sqlx::query(RANK)
                    .bind(me.rating)
                    .bind(user)
                    .fetch_one(&self.pool)
                    .await?;
                let above: i64 = row.try_get("n")?;
                Ok(Some(u64::try_from(above).unwrap_or(0) + 1))
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn history(
                &self,
                user: Uuid,
                after_game: u32,
                limit: u32,
            ) -> Result<Vec<HistoryRow>, StoreError> {
                sqlx::query(HISTORY)
                    .bind(user)
                    .bind(int(after_game))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(history_row)
                    .collect()
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn totals(&self) -> Result<Totals, StoreError> {
                let row = sqlx::query(TOTALS).fetch_one(&self.pool).await?;
                let n = |column: &str| -> Result<u64, StoreError> {
                    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
                };
                Ok(Totals {
                    battles: n("battles")?,
                    history_rows: n("history_rows")?,
                    players: n("players")?,
                })
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn unpublished(&self, limit: u32) -> Result<Vec<RatingEvent>, StoreError> {
                sqlx::query(UNPUBLISHED)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|row| {
                        let payload: String = row.try_get("payload")?;
                        serde_json::from_str(&payload).map_err(corrupt)
                    })
                    .collect()
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn mark_published(&self, battle: Uuid, now: i64) -> Result<(), StoreError> {
                sqlx::query(MARK_PUBLISHED)
                    .bind(battle)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            #[tracing::instrument(level = "debug", skip(self))]
            async fn outbox_lag(&self) -> Result<u64, StoreError> {
                let row = sqlx::query(OUTBOX_LAG).fetch_one(&self.pool).await?;
                Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }
        }
    };
}

pub(super) use sql_rating_store;
