//! The body of [`BattleStore`](super::BattleStore) over a sqlx pool, stamped out for
//! PostgreSQL and SQLite (see [`super::sql`] for why a macro).

/// `impl BattleStore for $store`, whose `pool` field is a sqlx pool of rows `$row`;
/// `begin` starts a writing transaction, `queue` reads one mode's queue for a round, and
/// `lock_user` (if any) serialises the transactions that check and then claim one
/// player's queue place or seat (PostgreSQL's READ COMMITTED would let a queue entry and
/// a seat of the same player both commit).
macro_rules! sql_battle_store {
    ($store:ty, $row:ty, begin = $begin:expr, queue = $queue:expr, lock_user = $lock:expr) => {
        use contracts::battle::{BattleEvent, BattleMode, BattleResult, BattleState};
        use sqlx::Row as _;
        use uuid::Uuid;
        use $crate::model::{Battle, Change, Participant, QueueEntry, Submission};
        use $crate::store::sql::*;
        use $crate::store::{OutboxLag, Planner, StoreError};

        $crate::store::sql_rows::row_decoders!($row);

        impl $store {
            async fn load(&self, id: Uuid) -> Result<Option<Battle>, StoreError> {
                let Some(row) = sqlx::query(BATTLE_BY_ID)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                let mut battle = battle_row(&row)?;
                for row in sqlx::query(PARTICIPANTS)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
                {
                    battle.players.push(participant_row(&row)?);
                }
                Ok(Some(battle))
            }

            async fn load_all(&self, ids: Vec<Uuid>) -> Result<Vec<Battle>, StoreError> {
                let mut out = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(b) = self.load(id).await? {
                        out.push(b);
                    }
                }
                Ok(out)
            }

            /// Everything of `change` after the battle row itself.
            async fn write_rest<'c>(
                tx: &mut sqlx::Transaction<'c, <$row as sqlx::Row>::Database>,
                change: &Change,
                lock_users: bool,
            ) -> Result<(), StoreError> {
                let b = &change.battle;
                for p in &b.players {
                    sqlx::query(UPSERT_PARTICIPANT)
                        .bind(b.id)
                        .bind(p.user_id)
                        .bind(p.seat)
                        .bind(&p.username)
                        .bind(p.rating)
                        .bind(p.joined_at_ms)
                        .bind(p.ready)
                        .bind(int(p.submissions))
                        .bind(int(p.best_score))
                        .bind(p.best_at_ms)
                        .bind(p.last_verdict.map(|v| v.code()))
                        .bind(p.judging)
                        .execute(&mut **tx)
                        .await?;
                }
                for user in &change.claim_players {
                    if let (true, Some(lock)) = (lock_users, $lock) {
                        sqlx::query(lock).bind(user).execute(&mut **tx).await?;
                    }
                    let queued = sqlx::query(IS_QUEUED)
                        .bind(user)
                        .fetch_optional(&mut **tx)
                        .await?;
                    if queued.is_some() {
                        return Err(StoreError::PlayerQueued);
                    }
                    if let Err(e) = sqlx::query(CLAIM_PLAYER)
                        .bind(user)
                        .bind(b.id)
                        .execute(&mut **tx)
                        .await
                    {
                        return Err(if is_unique_violation(&e) {
                            StoreError::PlayerBusy
                        } else {
                            e.into()
                        });
                    }
                }
                if change.release_players {
                    sqlx::query(RELEASE_PLAYERS)
                        .bind(b.id)
                        .execute(&mut **tx)
                        .await?;
                }
                for e in &change.events {
                    sqlx::query(INSERT_EVENT)
                        .bind(e.battle_id)
                        .bind(e.seq)
                        .bind(e.body.kind())
                        .bind(to_json(e)?)
                        .bind(e.at_ms)
                        .execute(&mut **tx)
                        .await?;
                }
                if let Some(s) = &change.insert_submission {
                    sqlx::query(INSERT_SUBMISSION)
                        .bind(s.id)
                        .bind(s.battle_id)
                        .bind(s.user_id)
                        .bind(&s.language)
                        .bind(&s.source)
                        .bind(s.submitted_at_ms)
                        .bind(s.job_id)
                        .bind(int(s.attempts))
                        .bind(s.resend_at_ms)
                        .bind(s.verdict.map(|v| v.code()))
                        .bind(int(s.score))
                        .bind(int(s.total))
                        .bind(s.report.as_ref().map(to_json).transpose()?)
                        .bind(s.judged_at_ms)
                        .execute(&mut **tx)
                        .await?;
                }
                if let Some(s) = &change.update_submission {
                    sqlx::query(UPDATE_SUBMISSION)
                        .bind(s.id)
                        .bind(s.job_id)
                        .bind(int(s.attempts))
                        .bind(s.resend_at_ms)
                        .bind(s.verdict.map(|v| v.code()))
                        .bind(int(s.score))
                        .bind(s.report.as_ref().map(to_json).transpose()?)
                        .bind(s.judged_at_ms)
                        .execute(&mut **tx)
                        .await?;
                }
                if let Some(r) = &change.result {
                    sqlx::query(INSERT_RESULT)
                        .bind(r.battle_id)
                        .bind(to_json(r)?)
                        .bind(r.finished_at_ms)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }

            async fn insert_battle<'c>(
                lock_users: bool,
                tx: &mut sqlx::Transaction<'c, <$row as sqlx::Row>::Database>,
                change: &Change,
            ) -> Result<(), StoreError> {
                let b = &change.battle;
                sqlx::query(INSERT_BATTLE)
                    .bind(b.id)
                    .bind(b.mode.as_str())
                    .bind(b.state.as_str())
                    .bind(&b.problem)
                    .bind(&b.problem_hash)
                    .bind(&b.invite_code)
                    .bind(b.created_by)
                    .bind(b.created_at_ms)
                    .bind(b.duration_secs)
                    .bind(b.due_at_ms)
                    .bind(b.starts_at_ms)
                    .bind(b.deadline_ms)
                    .bind(b.finished_at_ms)
                    .bind(b.winner)
                    .bind(b.reason.map(|r| r.as_str()))
                    .bind(b.version)
                    .bind(b.last_seq)
                    .execute(&mut **tx)
                    .await?;
                Self::write_rest(tx, change, lock_users).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::BattleStore for $store {
            #[tracing::instrument(skip_all, fields(battle_id = %change.battle.id))]
            async fn create(&self, change: &Change) -> Result<(), StoreError> {
                let mut tx = $begin(&self.pool).await?;
                Self::insert_battle(true, &mut tx, change).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(battle_id = %change.battle.id))]
            async fn commit(&self, change: &Change) -> Result<(), StoreError> {
                let b = &change.battle;
                let Some(expected) = change.expected_version else {
                    return self.create(change).await;
                };
                let mut tx = $begin(&self.pool).await?;
                let updated = sqlx::query(UPDATE_BATTLE)
                    .bind(b.id)
                    .bind(b.state.as_str())
                    .bind(&b.invite_code)
                    .bind(b.due_at_ms)
                    .bind(b.starts_at_ms)
                    .bind(b.deadline_ms)
                    .bind(b.finished_at_ms)
                    .bind(b.winner)
                    .bind(b.reason.map(|r| r.as_str()))
                    .bind(b.version)
                    .bind(b.last_seq)
                    .bind(expected)
                    .execute(&mut *tx)
                    .await?;
                if updated.rows_affected() != 1 {
                    return Err(StoreError::Conflict);
                }
                Self::write_rest(&mut tx, change, true).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip(self))]
            async fn battle(&self, id: Uuid) -> Result<Option<Battle>, StoreError> {
                self.load(id).await
            }

            #[tracing::instrument(skip_all)]
            async fn battle_by_invite(&self, code: &str) -> Result<Option<Battle>, StoreError> {
                let row = sqlx::query(BATTLE_BY_INVITE)
                    .bind(code)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => self.load(row.try_get("id")?).await,
                    None => Ok(None),
                }
            }

            #[tracing::instrument(skip(self))]
            async fn active_battle_of(&self, user: Uuid) -> Result<Option<Uuid>, StoreError> {
                let row = sqlx::query(ACTIVE_BATTLE_OF)
                    .bind(user)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(|r| r.try_get("battle_id")).transpose()?)
            }

            #[tracing::instrument(skip(self))]
            async fn battles_of(&self, user: Uuid, limit: u32) -> Result<Vec<Battle>, StoreError> {
                let rows = sqlx::query(BATTLES_OF_USER)
                    .bind(user)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                let ids = rows
                    .iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<Vec<Uuid>, _>>()?;
                self.load_all(ids).await
            }

            #[tracing::instrument(skip(self))]
            async fn live(&self, limit: u32) -> Result<Vec<Battle>, StoreError> {
                let rows = sqlx::query(LIVE_BATTLES)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                let ids = rows
                    .iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<Vec<Uuid>, _>>()?;
                self.load_all(ids).await
            }

            #[tracing::instrument(skip(self))]
            async fn due(&self, now: i64, limit: u32) -> Result<Vec<Uuid>, StoreError> {
                let rows = sqlx::query(DUE_BATTLES)
                    .bind(now)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| r.try_get("id"))
                    .collect::<Result<Vec<Uuid>, _>>()?)
            }

            #[tracing::instrument(skip(self))]
            async fn count_by_state(&self) -> Result<Vec<(BattleState, u64)>, StoreError> {
                let rows = sqlx::query(COUNT_BY_STATE).fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            state(r.try_get("state")?)?,
                            u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
                        ))
                    })
                    .collect()
            }

            #[tracing::instrument(skip(self))]
            async fn recent_problems(
                &self,
                user: Uuid,
                limit: u32,
            ) -> Result<Vec<String>, StoreError> {
                let rows = sqlx::query(RECENT_PROBLEMS)
                    .bind(user)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .iter()
                    .map(|r| r.try_get("problem"))
                    .collect::<Result<Vec<String>, _>>()?)
            }

            #[tracing::instrument(skip(self))]
            async fn submission(&self, id: Uuid) -> Result<Option<Submission>, StoreError> {
                let row = sqlx::query(SUBMISSION_BY_ID)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(submission_row).transpose()
            }

            #[tracing::instrument(skip(self))]
            async fn submission_by_job(
                &self,
                job_id: Uuid,
            ) -> Result<Option<Submission>, StoreError> {
                let row = sqlx::query(SUBMISSION_BY_JOB)
                    .bind(job_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(submission_row).transpose()
            }

            #[tracing::instrument(skip(self))]
            async fn submissions(
                &self,
                battle: Uuid,
                user: Option<Uuid>,
            ) -> Result<Vec<Submission>, StoreError> {
                let rows = sqlx::query(SUBMISSIONS_OF_BATTLE)
                    .bind(battle)
                    .fetch_all(&self.pool)
                    .await?;
                let all = rows
                    .iter()
                    .map(submission_row)
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(all
                    .into_iter()
                    .filter(|s| user.is_none_or(|u| s.user_id == u))
                    .collect())
            }

            #[tracing::instrument(skip(self))]
            async fn overdue(&self, now: i64, limit: u32) -> Result<Vec<Submission>, StoreError> {
                let rows = sqlx::query(OVERDUE_SUBMISSIONS)
                    .bind(now)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(submission_row).collect()
            }

            #[tracing::instrument(skip(self))]
            async fn events(
                &self,
                battle: Uuid,
                after: i64,
                limit: u32,
            ) -> Result<Vec<BattleEvent>, StoreError> {
                let rows = sqlx::query(EVENTS_AFTER)
                    .bind(battle)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| from_json(&r.try_get::<String, _>("payload")?))
                    .collect()
            }

            #[tracing::instrument(skip(self))]
            async fn unpublished_events(&self, limit: u32) -> Result<Vec<BattleEvent>, StoreError> {
                let rows = sqlx::query(UNPUBLISHED_EVENTS)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| from_json(&r.try_get::<String, _>("payload")?))
                    .collect()
            }

            #[tracing::instrument(skip(self))]
            async fn mark_event_published(
                &self,
                battle: Uuid,
                seq: i64,
                now: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(MARK_EVENT)
                    .bind(battle)
                    .bind(seq)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            #[tracing::instrument(skip(self))]
            async fn unpublished_results(
                &self,
                limit: u32,
            ) -> Result<Vec<BattleResult>, StoreError> {
                let rows = sqlx::query(UNPUBLISHED_RESULTS)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| from_json(&r.try_get::<String, _>("payload")?))
                    .collect()
            }

            #[tracing::instrument(skip(self))]
            async fn mark_result_published(
                &self,
                battle: Uuid,
                now: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(MARK_RESULT)
                    .bind(battle)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            #[tracing::instrument(skip(self))]
            async fn outbox_lag(&self) -> Result<OutboxLag, StoreError> {
                let e = sqlx::query(EVENT_LAG).fetch_one(&self.pool).await?;
                let r = sqlx::query(RESULT_LAG).fetch_one(&self.pool).await?;
                let oldest = [
                    e.try_get::<Option<i64>, _>("oldest")?,
                    r.try_get::<Option<i64>, _>("oldest")?,
                ]
                .into_iter()
                .flatten()
                .min();
                Ok(OutboxLag {
                    events: u64::try_from(e.try_get::<i64, _>("n")?).unwrap_or(0),
                    results: u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
                    oldest_ms: oldest,
                })
            }

            #[tracing::instrument(skip_all, fields(user_id = %entry.user_id))]
            async fn enqueue(&self, entry: &QueueEntry) -> Result<(), StoreError> {
                let mut tx = $begin(&self.pool).await?;
                if let Some(lock) = $lock {
                    sqlx::query(lock)
                        .bind(entry.user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                if sqlx::query(ACTIVE_BATTLE_OF)
                    .bind(entry.user_id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some()
                {
                    return Err(StoreError::PlayerBusy);
                }
                let inserted = sqlx::query(ENQUEUE)
                    .bind(entry.user_id)
                    .bind(&entry.username)
                    .bind(entry.mode.as_str())
                    .bind(&entry.language)
                    .bind(entry.rating)
                    .bind(entry.enqueued_at_ms)
                    .execute(&mut *tx)
                    .await;
                match inserted {
                    Err(e) if is_unique_violation(&e) => return Err(StoreError::AlreadyQueued),
                    other => other?,
                };
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip(self))]
            async fn dequeue(&self, user: Uuid) -> Result<bool, StoreError> {
                let done = sqlx::query(DEQUEUE).bind(user).execute(&self.pool).await?;
                Ok(done.rows_affected() > 0)
            }

            #[tracing::instrument(skip(self))]
            async fn queued(&self, user: Uuid) -> Result<Option<QueueEntry>, StoreError> {
                let row = sqlx::query(QUEUED)
                    .bind(user)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(queue_row).transpose()
            }

            #[tracing::instrument(skip(self))]
            async fn queue_sizes(&self) -> Result<Vec<(BattleMode, u64)>, StoreError> {
                let rows = sqlx::query(QUEUE_SIZES).fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            mode(r.try_get("mode")?)?,
                            u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0),
                        ))
                    })
                    .collect()
            }

            #[tracing::instrument(skip(self, planner))]
            async fn pair(
                &self,
                mode: BattleMode,
                planner: &dyn Planner,
                now: i64,
            ) -> Result<Vec<Change>, StoreError> {
                let mut tx = $begin(&self.pool).await?;
                let rows = sqlx::query($queue)
                    .bind(mode.as_str())
                    .fetch_all(&mut *tx)
                    .await?;
                let queue = rows.iter().map(queue_row).collect::<Result<Vec<_>, _>>()?;
                let mut made = Vec::new();
                for (i, j) in planner.pairs(&queue, now) {
                    let (Some(a), Some(b)) = (queue.get(i), queue.get(j)) else {
                        continue;
                    };
                    let mut recent = Vec::new();
                    for user in [a.user_id, b.user_id] {
                        for row in sqlx::query(RECENT_PROBLEMS)
                            .bind(user)
                            .bind(10_i64)
                            .fetch_all(&mut *tx)
                            .await?
                        {
                            recent.push(row.try_get::<String, _>("problem")?);
                        }
                    }
                    let Some(change) = planner.battle(a, b, &recent, now) else {
                        continue;
                    };
                    for user in [a.user_id, b.user_id] {
                        sqlx::query(DEQUEUE).bind(user).execute(&mut *tx).await?;
                    }
                    // The players' queue rows are locked by this round: no lock needed.
                    Self::insert_battle(false, &mut tx, &change).await?;
                    made.push(change);
                }
                tx.commit().await?;
                Ok(made)
            }

            async fn ping(&self) -> Result<(), StoreError> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }
        }
    };
}
pub(super) use sql_battle_store;
