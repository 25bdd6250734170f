//! What the realtime service needs from the battle service, as a trait of its own;
//! `codearena` implements it in-process (embedded) and over HTTP with the viewer's own
//! token (cluster), so the battle service decides what the viewer may read.

use contracts::auth::Identity;
use contracts::battle::{BattleEvent, BattleMode, BattleState};
use uuid::Uuid;

/// Who is asking: the socket's user, and the token they connected with.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub identity: Identity,
    pub token: String,
}

/// What joining a battle's room needs to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub battle_id: Uuid,
    pub mode: BattleMode,
    pub state: BattleState,
    pub players: Vec<Uuid>,
    /// The sequence number of its newest event.
    pub last_seq: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("no such battle")]
    NotFound,
    #[error("the battle service is unavailable: {0}")]
    Unavailable(String),
}

/// A battle's state and event log, as the battle service serves them.
#[async_trait::async_trait]
pub trait BattleLog: Send + Sync {
    async fn snapshot(&self, viewer: &Viewer, battle: Uuid) -> Result<Snapshot, LogError>;
    /// Events with `seq > after`, in order, at most `limit`.
    async fn events(
        &self,
        viewer: &Viewer,
        battle: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<BattleEvent>, LogError>;
}
