//! The one implementation of [`BattleStore`](super::BattleStore), for PostgreSQL and
//! SQLite: the statements both databases speak (`$N`, `RETURNING`, `ON CONFLICT`,
//! `excluded`), stamped out per pool type by [`sql_battle_store!`]. Only two things differ,
//! given as arguments: how a writing transaction begins (SQLite takes its write lock at
//! once, `BEGIN IMMEDIATE`, so two writers never deadlock on the upgrade) and how a
//! matchmaking round locks the queue (PostgreSQL: `FOR UPDATE SKIP LOCKED`).

use contracts::battle::{BattleMode, BattleState, EndReason};
use contracts::verdict::Verdict;

use super::StoreError;
use crate::model::Report;

pub(super) const BATTLE_BY_ID: &str = "SELECT id, mode, state, problem, problem_hash, invite_code, created_by, created_at_ms, duration_secs, due_at_ms, starts_at_ms, deadline_ms, finished_at_ms, winner, reason, version, last_seq FROM battles WHERE id = $1";
pub(super) const BATTLE_BY_INVITE: &str = "SELECT id FROM battles WHERE invite_code = $1";
pub(super) const PARTICIPANTS: &str = "SELECT user_id, seat, username, rating, joined_at_ms, ready, submissions, best_score, best_at_ms, last_verdict, judging FROM battle_participants WHERE battle_id = $1 ORDER BY seat";
pub(super) const INSERT_BATTLE: &str = "INSERT INTO battles (id, mode, state, problem, problem_hash, invite_code, created_by, created_at_ms, duration_secs, due_at_ms, starts_at_ms, deadline_ms, finished_at_ms, winner, reason, version, last_seq) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)";
pub(super) const UPDATE_BATTLE: &str = "UPDATE battles SET state = $2, invite_code = $3, due_at_ms = $4, starts_at_ms = $5, deadline_ms = $6, finished_at_ms = $7, winner = $8, reason = $9, version = $10, last_seq = $11 \
     WHERE id = $1 AND version = $12";
pub(super) const UPSERT_PARTICIPANT: &str = "INSERT INTO battle_participants (battle_id, user_id, seat, username, rating, joined_at_ms, ready, submissions, best_score, best_at_ms, last_verdict, judging) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
     ON CONFLICT (battle_id, user_id) DO UPDATE SET ready = excluded.ready, submissions = excluded.submissions, best_score = excluded.best_score, \
     best_at_ms = excluded.best_at_ms, last_verdict = excluded.last_verdict, judging = excluded.judging";
pub(super) const IS_QUEUED: &str = "SELECT user_id FROM match_queue WHERE user_id = $1";
pub(super) const CLAIM_PLAYER: &str =
    "INSERT INTO active_players (user_id, battle_id) VALUES ($1, $2)";
pub(super) const RELEASE_PLAYERS: &str = "DELETE FROM active_players WHERE battle_id = $1";
pub(super) const ACTIVE_BATTLE_OF: &str = "SELECT battle_id FROM active_players WHERE user_id = $1";
pub(super) const INSERT_EVENT: &str =
    "INSERT INTO battle_events (battle_id, seq, kind, payload, at_ms) VALUES ($1, $2, $3, $4, $5)";
pub(super) const INSERT_RESULT: &str = "INSERT INTO battle_results_outbox (battle_id, payload, created_at_ms) VALUES ($1, $2, $3) \
     ON CONFLICT (battle_id) DO NOTHING";
pub(super) const INSERT_SUBMISSION: &str = "INSERT INTO submissions (id, battle_id, user_id, language, source, submitted_at_ms, job_id, attempts, resend_at_ms, verdict, score, total, report, judged_at_ms) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
pub(super) const UPDATE_SUBMISSION: &str = "UPDATE submissions SET job_id = $2, attempts = $3, resend_at_ms = $4, verdict = $5, score = $6, report = $7, judged_at_ms = $8 WHERE id = $1";
pub(super) const SUBMISSION_BY_ID: &str = "SELECT id, battle_id, user_id, language, source, submitted_at_ms, job_id, attempts, resend_at_ms, verdict, score, total, report, judged_at_ms FROM submissions WHERE id = $1";
pub(super) const SUBMISSION_BY_JOB: &str = "SELECT id, battle_id, user_id, language, source, submitted_at_ms, job_id, attempts, resend_at_ms, verdict, score, total, report, judged_at_ms FROM submissions WHERE job_id = $1";
pub(super) const SUBMISSIONS_OF_BATTLE: &str = "SELECT id, battle_id, user_id, language, source, submitted_at_ms, job_id, attempts, resend_at_ms, verdict, score, total, report, judged_at_ms FROM submissions WHERE battle_id = $1 ORDER BY submitted_at_ms, id";
pub(super) const OVERDUE_SUBMISSIONS: &str = "SELECT id, battle_id, user_id, language, source, submitted_at_ms, job_id, attempts, resend_at_ms, verdict, score, total, report, judged_at_ms FROM submissions WHERE resend_at_ms IS NOT NULL AND resend_at_ms <= $1 AND verdict IS NULL ORDER BY resend_at_ms LIMIT $2";
pub(super) const BATTLES_OF_USER: &str = "SELECT b.id FROM battles b JOIN battle_participants p ON p.battle_id = b.id WHERE p.user_id = $1 ORDER BY b.created_at_ms DESC, b.id LIMIT $2";
/// Private battles are between friends: they are not listed.
pub(super) const LIVE_BATTLES: &str = "SELECT id FROM battles WHERE state IN ('countdown', 'active') AND mode <> 'private' ORDER BY created_at_ms DESC, id LIMIT $1";
pub(super) const DUE_BATTLES: &str = "SELECT id FROM battles WHERE due_at_ms IS NOT NULL AND due_at_ms <= $1 ORDER BY due_at_ms LIMIT $2";
pub(super) const COUNT_BY_STATE: &str = "SELECT state, COUNT(*) AS n FROM battles GROUP BY state";
pub(super) const RECENT_PROBLEMS: &str = "SELECT b.problem FROM battles b JOIN battle_participants p ON p.battle_id = b.id WHERE p.user_id = $1 ORDER BY b.created_at_ms DESC LIMIT $2";
pub(super) const EVENTS_AFTER: &str =
    "SELECT payload FROM battle_events WHERE battle_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
/// In sequence order per battle (times from different replicas' clocks may disagree).
pub(super) const UNPUBLISHED_EVENTS: &str = "SELECT payload FROM battle_events WHERE published_at_ms IS NULL ORDER BY battle_id, seq LIMIT $1";
pub(super) const MARK_EVENT: &str =
    "UPDATE battle_events SET published_at_ms = $3 WHERE battle_id = $1 AND seq = $2";
pub(super) const UNPUBLISHED_RESULTS: &str = "SELECT payload FROM battle_results_outbox WHERE published_at_ms IS NULL ORDER BY created_at_ms LIMIT $1";
pub(super) const MARK_RESULT: &str =
    "UPDATE battle_results_outbox SET published_at_ms = $2 WHERE battle_id = $1";
pub(super) const EVENT_LAG: &str =
    "SELECT COUNT(*) AS n, MIN(at_ms) AS oldest FROM battle_events WHERE published_at_ms IS NULL";
pub(super) const RESULT_LAG: &str = "SELECT COUNT(*) AS n, MIN(created_at_ms) AS oldest FROM battle_results_outbox WHERE published_at_ms IS NULL";
pub(super) const ENQUEUE: &str = "INSERT INTO match_queue (user_id, username, mode, language, rating, enqueued_at_ms) VALUES ($1, $2, $3, $4, $5, $6)";
pub(super) const DEQUEUE: &str = "DELETE FROM match_queue WHERE user_id = $1";
pub(super) const QUEUED: &str = "SELECT user_id, username, mode, language, rating, enqueued_at_ms FROM match_queue WHERE user_id = $1";
pub(super) const QUEUE_SIZES: &str = "SELECT mode, COUNT(*) AS n FROM match_queue GROUP BY mode";
/// The queue of one mode, oldest first (a matchmaking round appends its lock clause).
/// At most this many of the longest waiting players take part in one round.
pub(super) const QUEUE_OF_MODE: &str = "SELECT user_id, username, mode, language, rating, enqueued_at_ms FROM match_queue WHERE mode = $1 ORDER BY enqueued_at_ms, user_id LIMIT 1000";
pub(super) const QUEUE_OF_MODE_LOCKED: &str = "SELECT user_id, username, mode, language, rating, enqueued_at_ms FROM match_queue WHERE mode = $1 ORDER BY enqueued_at_ms, user_id LIMIT 1000 FOR UPDATE SKIP LOCKED";

pub(super) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(super) fn mode(s: &str) -> Result<BattleMode, StoreError> {
    BattleMode::parse(s).ok_or_else(|| corrupt(format!("mode {s:?}")))
}

pub(super) fn state(s: &str) -> Result<BattleState, StoreError> {
    BattleState::parse(s).ok_or_else(|| corrupt(format!("state {s:?}")))
}

pub(super) fn reason(s: Option<String>) -> Result<Option<EndReason>, StoreError> {
    s.map(|s| EndReason::parse(&s).ok_or_else(|| corrupt(format!("reason {s:?}"))))
        .transpose()
}

pub(super) fn verdict(s: Option<String>) -> Result<Option<Verdict>, StoreError> {
    s.map(|s| Verdict::from_code(&s).ok_or_else(|| corrupt(format!("verdict {s:?}"))))
        .transpose()
}

pub(super) fn report(s: Option<String>) -> Result<Option<Report>, StoreError> {
    s.map(|s| serde_json::from_str(&s).map_err(corrupt))
        .transpose()
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(corrupt)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(corrupt)
}

pub(super) fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// `true` if `err` is a unique violation (a claim or a queue row that already exists).
pub(super) fn is_unique_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .is_some_and(|e| e.is_unique_violation())
}
