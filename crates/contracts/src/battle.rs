//! Battle events and finished-battle results: what the battle service appends to its log,
//! publishes on the event channel (for the realtime service and spectators) and appends to
//! the results stream (for the rating service).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::verdict::Verdict;

/// How the two players came together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BattleMode {
    /// Created with an invite code; never rated.
    Private,
    /// Matched by rating; the result changes ratings.
    Rated,
    /// Matched by rating; for fun.
    Casual,
}

impl BattleMode {
    pub fn as_str(self) -> &'static str {
        match self {
            BattleMode::Private => "private",
            BattleMode::Rated => "rated",
            BattleMode::Casual => "casual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Private, Self::Rated, Self::Casual]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// Where a battle is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BattleState {
    /// For the second player (an invite), or for both to arrive (a match).
    Waiting,
    /// Both are here; the problem opens at `starts_at`.
    Countdown,
    /// Submissions are judged until the deadline.
    Active,
    Finished,
    /// It never started: the opponent never came.
    Cancelled,
}

impl BattleState {
    pub fn as_str(self) -> &'static str {
        match self {
            BattleState::Waiting => "waiting",
            BattleState::Countdown => "countdown",
            BattleState::Active => "active",
            BattleState::Finished => "finished",
            BattleState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Waiting,
            Self::Countdown,
            Self::Active,
            Self::Finished,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// Finished or cancelled: nothing changes any more.
    pub fn is_over(self) -> bool {
        matches!(self, BattleState::Finished | BattleState::Cancelled)
    }
}

/// Why a battle ended as it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The winner passed every test first.
    Accepted,
    /// Time ran out; the winner passed more tests.
    Score,
    /// Time ran out on equal scores; the winner reached that score first.
    TieBreak,
    /// Time ran out and neither passed a test (or both reached the same score at once).
    Draw,
    /// The loser resigned.
    Resigned,
    /// Cancelled: nobody took the invite in time.
    NoOpponent,
    /// Cancelled: a matched player never arrived.
    NoShow,
    /// Cancelled by its creator before anyone joined.
    Withdrawn,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Accepted => "accepted",
            EndReason::Score => "score",
            EndReason::TieBreak => "tie_break",
            EndReason::Draw => "draw",
            EndReason::Resigned => "resigned",
            EndReason::NoOpponent => "no_opponent",
            EndReason::NoShow => "no_show",
            EndReason::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Accepted,
            Self::Score,
            Self::TieBreak,
            Self::Draw,
            Self::Resigned,
            Self::NoOpponent,
            Self::NoShow,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

/// A player as events show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlayerRef {
    pub user_id: Uuid,
    pub username: String,
    pub rating: i32,
}

/// One entry of a battle's event log. `seq` counts from 1 without gaps per battle, so a
/// client that saw `seq = n` asks the log for `after = n` to catch up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BattleEvent {
    pub battle_id: Uuid,
    pub seq: i64,
    /// Unix milliseconds when the change committed.
    pub at_ms: i64,
    #[serde(flatten)]
    pub body: EventBody,
}

/// What happened. Secret test data and source code never appear here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    Created {
        mode: BattleMode,
        problem: String,
        players: Vec<PlayerRef>,
        duration_secs: i64,
    },
    Joined {
        player: PlayerRef,
    },
    /// A matched player arrived.
    Ready {
        user_id: Uuid,
    },
    Countdown {
        starts_at_ms: i64,
    },
    Started {
        deadline_ms: i64,
    },
    Submitted {
        user_id: Uuid,
        submission_id: Uuid,
        /// The player's submissions so far, this one included.
        count: u32,
    },
    Judged {
        user_id: Uuid,
        submission_id: Uuid,
        verdict: Verdict,
        /// Secret tests this submission passed, and how many there are.
        score: u32,
        total: u32,
        /// The player's best score so far.
        best_score: u32,
    },
    Finished {
        winner: Option<Uuid>,
        reason: EndReason,
    },
    Cancelled {
        reason: EndReason,
    },
}

impl EventBody {
    pub fn kind(&self) -> &'static str {
        match self {
            EventBody::Created { .. } => "created",
            EventBody::Joined { .. } => "joined",
            EventBody::Ready { .. } => "ready",
            EventBody::Countdown { .. } => "countdown",
            EventBody::Started { .. } => "started",
            EventBody::Submitted { .. } => "submitted",
            EventBody::Judged { .. } => "judged",
            EventBody::Finished { .. } => "finished",
            EventBody::Cancelled { .. } => "cancelled",
        }
    }
}

/// A finished rated battle, as the rating service reads it from the results stream
/// ([`crate::names::BATTLE_RESULTS`]); one entry per battle, keyed by its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BattleResult {
    pub battle_id: Uuid,
    /// The two players, in seat order.
    pub players: [Uuid; 2],
    /// Their usernames, in the same order (for the leaderboard); empty in entries written
    /// before usernames were carried.
    #[serde(default)]
    pub usernames: [String; 2],
    /// `None` for a draw.
    pub winner: Option<Uuid>,
    pub reason: EndReason,
    pub finished_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_flat_json_with_a_type_tag() {
        let event = BattleEvent {
            battle_id: Uuid::nil(),
            seq: 3,
            at_ms: 5,
            body: EventBody::Finished {
                winner: None,
                reason: EndReason::Draw,
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "finished");
        assert_eq!(json["seq"], 3);
        assert_eq!(json["reason"], "draw");
        let back: BattleEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    #[test]
    fn names_round_trip() {
        for r in [EndReason::TieBreak, EndReason::NoShow, EndReason::Withdrawn] {
            assert_eq!(EndReason::parse(r.as_str()), Some(r));
        }
        for s in [BattleState::Waiting, BattleState::Cancelled] {
            assert_eq!(BattleState::parse(s.as_str()), Some(s));
        }
        assert_eq!(BattleMode::parse("rated"), Some(BattleMode::Rated));
    }
}
