//! One socket's view of the battles it follows: for each, the sequence number of the last
//! event sent to it (its cursor). Every event goes through the cursor, under the socket's
//! lock, whether it comes live from the bus or from the battle's log: a number at or below
//! the cursor is a duplicate and is dropped; a number past the cursor's next is a gap,
//! filled from the log first. So a socket gets each battle's events once each, in order,
//! whichever way they arrive — across replicas, lost bus messages and reconnects (the
//! client tells `battle:join` the last number it saw). The bus is only the fast path.

use std::collections::HashMap;
use std::sync::Arc;

use contracts::battle::BattleEvent;
use contracts::realtime::Role;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::clients::{BattleLog, LogError, Viewer};

/// Where events for one socket go (the socket itself; a recorder in tests).
pub trait Sink: Send + Sync {
    fn send(&self, event: &'static str, payload: &serde_json::Value) -> Result<(), SendError>;
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The socket's buffer is full: it is too slow and must be dropped.
    #[error("the socket's buffer is full")]
    Full,
    /// The socket is gone.
    #[error("the socket is closed")]
    Closed,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Log(#[from] LogError),
    #[error("an event could not be encoded: {0}")]
    Encode(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Copy)]
struct Followed {
    cursor: i64,
    role: Role,
}

/// A connected socket's user and battles; kept in the socket's extensions, which hand out
/// clones — so everything is behind `Arc`s and a clone per event and socket costs nothing.
#[derive(Clone)]
pub struct Session {
    pub viewer: Arc<Viewer>,
    battles: Arc<Mutex<HashMap<Uuid, Followed>>>,
}

/// Why a socket may not follow one more battle.
#[derive(Debug, thiserror::Error)]
#[error("a socket follows at most {0} battles")]
pub struct TooMany(pub usize);

impl Session {
    pub fn new(viewer: Viewer) -> Self {
        Self {
            viewer: Arc::new(viewer),
            battles: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Starts following `battle` after sequence number `after` and sends what the log has
    /// past it. Joining again moves the cursor back to `after` if it is earlier (a
    /// client that lost events asks for them again).
    pub async fn follow(
        &self,
        log: &dyn BattleLog,
        sink: &dyn Sink,
        battle: Uuid,
        role: Role,
        after: i64,
        limits: Limits,
    ) -> Result<(), FollowError> {
        let mut battles = self.battles.lock().await;
        if !battles.contains_key(&battle) && battles.len() >= limits.max_battles {
            return Err(FollowError::TooMany(TooMany(limits.max_battles)));
        }
        let followed = battles.entry(battle).or_insert(Followed {
            cursor: after,
            role,
        });
        followed.cursor = followed.cursor.min(after.max(0));
        followed.role = role;
        catch_up(
            log,
            sink,
            &self.viewer,
            battle,
            &mut followed.cursor,
            limits.page,
        )
        .await?;
        Ok(())
    }

    /// Stops following `battle`; its role, if it was followed.
    pub async fn unfollow(&self, battle: Uuid) -> Option<Role> {
        self.battles.lock().await.remove(&battle).map(|f| f.role)
    }

    /// The battles this socket is in as a player.
    pub async fn playing(&self) -> Vec<Uuid> {
        let battles = self.battles.lock().await;
        battles
            .iter()
            .filter(|(_, f)| f.role == Role::Player)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Sends `event` (already encoded as `payload`, once for a whole room) unless this
    /// socket does not follow its battle or already had it; fills a gap before it from
    /// the log.
    pub async fn deliver(
        &self,
        log: &dyn BattleLog,
        sink: &dyn Sink,
        event: &BattleEvent,
        payload: &serde_json::Value,
        page: u32,
    ) -> Result<bool, DeliveryError> {
        let mut battles = self.battles.lock().await;
        let Some(followed) = battles.get_mut(&event.battle_id) else {
            return Ok(false);
        };
        if event.seq <= followed.cursor {
            return Ok(false);
        }
        if event.seq > followed.cursor + 1 {
            // Committed before it was published: the log has it and what came before.
            catch_up(
                log,
                sink,
                &self.viewer,
                event.battle_id,
                &mut followed.cursor,
                page,
            )
            .await?;
            return Ok(true);
        }
        sink.send("battle:event", payload)?;
        followed.cursor = event.seq;
        Ok(true)
    }

    /// Catches up every followed battle from the log (after the bus said it may have lost
    /// messages).
    pub async fn resync(
        &self,
        log: &dyn BattleLog,
        sink: &dyn Sink,
        page: u32,
    ) -> Result<(), DeliveryError> {
        let mut battles = self.battles.lock().await;
        for (battle, followed) in battles.iter_mut() {
            catch_up(log, sink, &self.viewer, *battle, &mut followed.cursor, page).await?;
        }
        Ok(())
    }
}

/// What bounds one socket's following.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_battles: usize,
    pub page: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(transparent)]
    TooMany(#[from] TooMany),
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

impl From<LogError> for FollowError {
    fn from(e: LogError) -> Self {
        FollowError::Delivery(e.into())
    }
}

/// Sends every event of `battle` past `cursor` from the log, moving the cursor.
async fn catch_up(
    log: &dyn BattleLog,
    sink: &dyn Sink,
    viewer: &Viewer,
    battle: Uuid,
    cursor: &mut i64,
    page: u32,
) -> Result<(), DeliveryError> {
    loop {
        let events = log.events(viewer, battle, *cursor, page).await?;
        for event in &events {
            if event.seq > *cursor {
                sink.send("battle:event", &serde_json::to_value(event)?)?;
                *cursor = event.seq;
            }
        }
        if events.len() < page as usize {
            return Ok(());
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
#[path = "session_tests.rs"]
mod tests;
