//! What realtime clients and the realtime service say to each other over Socket.IO, and
//! what replicas tell each other on the event bus.
//!
//! Server → client on connect: `hello` ([`Hello`]). Client → server: `battle:join` ([`JoinRequest`], acknowledged with a [`JoinReply`]),
//! `battle:leave` ([`LeaveRequest`]). Server → client: `battle:event` (a
//! [`crate::battle::BattleEvent`], in sequence order, each once), `match:found`
//! ([`MatchFound`]), `rating:updated` ([`crate::rating::RatingEvent`]) and `presence`
//! ([`Presence`]).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::battle::{BattleMode, BattleState, PlayerRef};

/// Join a battle's room. `after`: the last sequence number the client saw (it is sent
/// what came after, in order); absent means "from now on".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub battle_id: Uuid,
    #[serde(default)]
    pub after: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequest {
    pub battle_id: Uuid,
}

/// How a socket takes part in a battle's room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Player,
    Spectator,
}

/// The answer to `battle:join` and `battle:leave`: `ok` with the battle's state, or an
/// error `code` (`not_found`, `not_a_participant`, `invalid_request`, `too_many_battles`,
/// `battle_unavailable`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum JoinReply {
    Ok {
        battle_id: Uuid,
        state: BattleState,
        /// The newest sequence number when the room was joined; events up to it that the
        /// client had not seen follow the reply.
        last_seq: i64,
        role: Role,
    },
    Left {
        battle_id: Uuid,
    },
    Error {
        code: String,
        message: String,
    },
}

/// A matched battle is waiting for its players (sent to each player's own sockets).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchFound {
    pub battle_id: Uuid,
    pub mode: BattleMode,
    pub problem: String,
    pub players: Vec<PlayerRef>,
}

/// The first message on a new connection: who the server took the socket for, and which
/// replica holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub user_id: Uuid,
    pub username: String,
    pub server: Uuid,
}

/// A player's socket came into a battle's room, or their last one left it. When a player
/// (or a spectator) comes in, each player already in the room answers with their own
/// `online` presence marked `reply` (answers are not answered), so whoever comes later
/// learns who is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub battle_id: Uuid,
    pub user_id: Uuid,
    pub online: bool,
    /// Unix milliseconds.
    pub at_ms: i64,
    /// An answer to another player's arrival: "I was already here".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reply: bool,
    /// Between replicas only: a spectator (`user_id`) came in; players answer, the
    /// message itself is not sent to sockets.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub spectator: bool,
}
