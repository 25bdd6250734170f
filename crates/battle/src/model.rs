//! A battle as the service holds it: the battle row, its two seats, its submissions, and
//! the change a command makes to them (written in one transaction by the store).

use contracts::battle::{
    BattleEvent, BattleMode, BattleResult, BattleState, EndReason, EventBody, PlayerRef,
};
use contracts::execution::TestOutcome;
use contracts::verdict::Verdict;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A battle and its players. `version` changes with every committed change; `last_seq` is
/// the sequence number of its newest event.
#[derive(Debug, Clone, PartialEq)]
pub struct Battle {
    pub id: Uuid,
    pub mode: BattleMode,
    pub state: BattleState,
    /// The problem's slug, and the content hash of its package as judged.
    pub problem: String,
    pub problem_hash: String,
    /// Private battles, while they wait for the second player.
    pub invite_code: Option<String>,
    pub created_by: Uuid,
    pub created_at_ms: i64,
    pub duration_secs: i64,
    /// When the clock next has something to do; `None` once over.
    pub due_at_ms: Option<i64>,
    pub starts_at_ms: Option<i64>,
    pub deadline_ms: Option<i64>,
    pub finished_at_ms: Option<i64>,
    pub winner: Option<Uuid>,
    pub reason: Option<EndReason>,
    pub version: i64,
    pub last_seq: i64,
    /// In seat order.
    pub players: Vec<Participant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub user_id: Uuid,
    pub seat: i32,
    pub username: String,
    pub rating: i32,
    pub joined_at_ms: i64,
    /// Arrived (matched battles); always true for the players of a private battle.
    pub ready: bool,
    pub submissions: u32,
    /// Most secret tests passed by one submission, and when (the submission's time) that
    /// score was first reached.
    pub best_score: u32,
    pub best_at_ms: Option<i64>,
    pub last_verdict: Option<Verdict>,
    /// The submission being judged, if any: at most one at a time.
    pub judging: Option<Uuid>,
}

impl Participant {
    pub fn new(player: &PlayerRef, seat: i32, now_ms: i64, ready: bool) -> Self {
        Self {
            user_id: player.user_id,
            seat,
            username: player.username.clone(),
            rating: player.rating,
            joined_at_ms: now_ms,
            ready,
            submissions: 0,
            best_score: 0,
            best_at_ms: None,
            last_verdict: None,
            judging: None,
        }
    }

    pub fn as_ref(&self) -> PlayerRef {
        PlayerRef {
            user_id: self.user_id,
            username: self.username.clone(),
            rating: self.rating,
        }
    }
}

impl Battle {
    pub fn player(&self, user: Uuid) -> Option<&Participant> {
        self.players.iter().find(|p| p.user_id == user)
    }

    pub fn player_mut(&mut self, user: Uuid) -> Option<&mut Participant> {
        self.players.iter_mut().find(|p| p.user_id == user)
    }

    pub fn opponent(&self, user: Uuid) -> Option<&Participant> {
        self.players.iter().find(|p| p.user_id != user)
    }

    pub fn is_participant(&self, user: Uuid) -> bool {
        self.player(user).is_some()
    }

    /// What the results stream gets when a rated battle finishes.
    pub fn result(&self) -> Option<BattleResult> {
        let finished_at_ms = self.finished_at_ms?;
        let reason = self.reason?;
        match (self.mode, self.state, self.players.as_slice()) {
            (BattleMode::Rated, BattleState::Finished, [a, b]) => Some(BattleResult {
                battle_id: self.id,
                players: [a.user_id, b.user_id],
                usernames: [a.username.clone(), b.username.clone()],
                winner: self.winner,
                reason,
                finished_at_ms,
            }),
            _ => None,
        }
    }
}

/// One submission of one player.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: Uuid,
    pub battle_id: Uuid,
    pub user_id: Uuid,
    pub language: String,
    pub source: String,
    pub submitted_at_ms: i64,
    /// The judge job of the current attempt.
    pub job_id: Uuid,
    pub attempts: u32,
    /// While judging: when to send the job again, or give up.
    pub resend_at_ms: Option<i64>,
    pub verdict: Option<Verdict>,
    /// Secret tests passed, of `total`.
    pub score: u32,
    pub total: u32,
    pub report: Option<Report>,
    pub judged_at_ms: Option<i64>,
}

impl Submission {
    pub fn is_judging(&self) -> bool {
        self.verdict.is_none()
    }
}

/// What only the submitter sees: the compiler's output and the verdict per test.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub compile_output: String,
    pub tests: Vec<TestOutcome>,
    pub time_ms: u64,
    pub memory_bytes: u64,
}

/// A change to one battle, committed in one transaction: the battle row and its seats
/// (only if `version` is still `expected_version`), its new events, a submission
/// inserted or updated, the rated result for the stream, and the players' claims.
#[derive(Debug, Clone)]
pub struct Change {
    /// `None` for a battle that is being created.
    pub expected_version: Option<i64>,
    pub battle: Battle,
    pub events: Vec<BattleEvent>,
    pub insert_submission: Option<Submission>,
    pub update_submission: Option<Submission>,
    /// Players who now hold a seat in a battle that is not over (their one allowed battle).
    pub claim_players: Vec<Uuid>,
    /// Set when the change ends the battle: its players are free again.
    pub release_players: bool,
    pub result: Option<BattleResult>,
}

impl Change {
    /// A change to `battle` as read: the next version, no events yet.
    pub fn of(battle: &Battle) -> Self {
        let mut next = battle.clone();
        next.version += 1;
        Self {
            expected_version: Some(battle.version),
            battle: next,
            events: Vec::new(),
            insert_submission: None,
            update_submission: None,
            claim_players: Vec::new(),
            release_players: false,
            result: None,
        }
    }

    /// A battle that does not exist yet.
    pub fn create(battle: Battle) -> Self {
        let claim_players = battle.players.iter().map(|p| p.user_id).collect();
        Self {
            expected_version: None,
            battle,
            events: Vec::new(),
            insert_submission: None,
            update_submission: None,
            claim_players,
            release_players: false,
            result: None,
        }
    }

    /// Appends an event, numbered after the battle's last one.
    pub fn push(&mut self, at_ms: i64, body: EventBody) {
        self.battle.last_seq += 1;
        self.events.push(BattleEvent {
            battle_id: self.battle.id,
            seq: self.battle.last_seq,
            at_ms,
            body,
        });
    }
}

/// A player waiting in the matchmaking queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueEntry {
    pub user_id: Uuid,
    pub username: String,
    pub mode: BattleMode,
    pub language: Option<String>,
    pub rating: i32,
    pub enqueued_at_ms: i64,
}

impl QueueEntry {
    pub fn player(&self) -> PlayerRef {
        PlayerRef {
            user_id: self.user_id,
            username: self.username.clone(),
            rating: self.rating,
        }
    }
}
