//! What the API answers: battles, players and submissions as a given viewer may see them.

use contracts::battle::{BattleMode, BattleState, EndReason};
use contracts::verdict::Verdict;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::catalogue::ProblemSummary;
use crate::model::{Battle, Participant, Report, Submission};

/// A battle: public facts, and each player's progress (count, best score, last verdict).
#[derive(Debug, Serialize, ToSchema)]
pub struct BattleView {
    pub id: Uuid,
    pub mode: BattleMode,
    pub state: BattleState,
    pub problem: Option<ProblemSummary>,
    pub players: Vec<PlayerView>,
    pub created_at_ms: i64,
    pub duration_secs: i64,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at_ms: Option<i64>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<i64>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at_ms: Option<i64>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub winner: Option<Uuid>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<EndReason>,
    /// The sequence number of the newest event: ask `events?after=` this to follow on.
    pub last_seq: i64,
    /// Only for the creator of a private battle while it waits.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_code: Option<String>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_url: Option<String>,
    /// Once the battle is over: every submission, with its code.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub submissions: Vec<SubmissionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlayerView {
    pub user_id: Uuid,
    pub username: String,
    pub rating: i32,
    /// Arrived (a matched battle starts when both have).
    pub ready: bool,
    pub submissions: u32,
    pub best_score: u32,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_verdict: Option<Verdict>,
    /// A submission of theirs is being judged.
    pub judging: bool,
}

impl From<&Participant> for PlayerView {
    fn from(p: &Participant) -> Self {
        Self {
            user_id: p.user_id,
            username: p.username.clone(),
            rating: p.rating,
            ready: p.ready,
            submissions: p.submissions,
            best_score: p.best_score,
            last_verdict: p.last_verdict,
            judging: p.judging.is_some(),
        }
    }
}

impl BattleView {
    pub fn new(
        battle: &Battle,
        problem: Option<&ProblemSummary>,
        viewer: Option<Uuid>,
        public_url: &str,
    ) -> Self {
        let creator_sees_invite =
            viewer == Some(battle.created_by) && battle.state == BattleState::Waiting;
        let invite_code = battle.invite_code.clone().filter(|_| creator_sees_invite);
        Self {
            id: battle.id,
            mode: battle.mode,
            state: battle.state,
            problem: problem.cloned(),
            players: battle.players.iter().map(PlayerView::from).collect(),
            created_at_ms: battle.created_at_ms,
            duration_secs: battle.duration_secs,
            starts_at_ms: battle.starts_at_ms,
            deadline_ms: battle.deadline_ms,
            finished_at_ms: battle.finished_at_ms,
            winner: battle.winner,
            reason: battle.reason,
            last_seq: battle.last_seq,
            invite_url: invite_code
                .as_ref()
                .map(|c| format!("{}/join/{c}", public_url.trim_end_matches('/'))),
            invite_code,
            submissions: Vec::new(),
        }
    }
}

/// A submission. `source` and `report` are the submitter's own while the battle is played,
/// and everyone's once it is over.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionView {
    pub id: Uuid,
    pub battle_id: Uuid,
    pub user_id: Uuid,
    pub language: String,
    pub submitted_at_ms: i64,
    /// `judging` until the verdict is in.
    pub status: &'static str,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Secret tests passed, of `total`.
    pub score: u32,
    pub total: u32,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub judged_at_ms: Option<i64>,
    pub source: String,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

impl From<&Submission> for SubmissionView {
    fn from(s: &Submission) -> Self {
        Self {
            id: s.id,
            battle_id: s.battle_id,
            user_id: s.user_id,
            language: s.language.clone(),
            submitted_at_ms: s.submitted_at_ms,
            status: if s.is_judging() { "judging" } else { "judged" },
            verdict: s.verdict,
            score: s.score,
            total: s.total,
            judged_at_ms: s.judged_at_ms,
            source: s.source.clone(),
            report: s.report.clone(),
        }
    }
}
