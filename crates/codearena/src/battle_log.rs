//! The realtime service's [`realtime::BattleLog`]: straight into the battle service of the
//! same process (embedded), or over HTTP with the viewer's own token (cluster), so the
//! battle service decides what each viewer may read.

use std::sync::Arc;
use std::time::Duration;

use battle::{BattleError, BattleService};
use contracts::battle::{BattleEvent, BattleMode, BattleState};
use realtime::{BattleLog, LogError, Snapshot, Viewer};
use reqwest::StatusCode;
use serde::Deserialize;
use uuid::Uuid;

/// Embedded mode: the battle service is in this process.
pub struct InProcessBattleLog(pub Arc<BattleService>);

fn log_error(e: BattleError) -> LogError {
    match e {
        BattleError::NotFound => LogError::NotFound,
        other => LogError::Unavailable(other.to_string()),
    }
}

#[async_trait::async_trait]
impl BattleLog for InProcessBattleLog {
    async fn snapshot(&self, _viewer: &Viewer, battle: Uuid) -> Result<Snapshot, LogError> {
        let b = self.0.battle(battle).await.map_err(log_error)?;
        Ok(Snapshot {
            battle_id: b.id,
            mode: b.mode,
            state: b.state,
            players: b.players.iter().map(|p| p.user_id).collect(),
            last_seq: b.last_seq,
        })
    }

    async fn events(
        &self,
        _viewer: &Viewer,
        battle: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<BattleEvent>, LogError> {
        self.0.events(battle, after, limit).await.map_err(log_error)
    }
}

/// Cluster mode: `GET /api/battle/{id}` and `GET /api/battle/{id}/events` on the battle
/// service, as the viewer.
pub struct RemoteBattleLog {
    client: reqwest::Client,
    base: String,
}

impl RemoteBattleLog {
    pub fn new(base: &str) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(1))
            .timeout(Duration::from_secs(5))
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        viewer: &Viewer,
        path: &str,
    ) -> Result<T, LogError> {
        let unavailable = |e: reqwest::Error| LogError::Unavailable(e.to_string());
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&viewer.token)
            .send()
            .await
            .map_err(unavailable)?;
        if response.status() == StatusCode::NOT_FOUND {
            return Err(LogError::NotFound);
        }
        response
            .error_for_status()
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)
    }
}

/// What a snapshot needs of the battle service's `BattleView`.
#[derive(Deserialize)]
struct View {
    id: Uuid,
    mode: BattleMode,
    state: BattleState,
    players: Vec<PlayerView>,
    last_seq: i64,
}

#[derive(Deserialize)]
struct PlayerView {
    user_id: Uuid,
}

#[derive(Deserialize)]
struct EventPage {
    events: Vec<BattleEvent>,
}

#[async_trait::async_trait]
impl BattleLog for RemoteBattleLog {
    #[tracing::instrument(skip(self, viewer))]
    async fn snapshot(&self, viewer: &Viewer, battle: Uuid) -> Result<Snapshot, LogError> {
        let view: View = self.get(viewer, &format!("/api/battle/{battle}")).await?;
        Ok(Snapshot {
            battle_id: view.id,
            mode: view.mode,
            state: view.state,
            players: view.players.iter().map(|p| p.user_id).collect(),
            last_seq: view.last_seq,
        })
    }

    #[tracing::instrument(skip(self, viewer))]
    async fn events(
        &self,
        viewer: &Viewer,
        battle: Uuid,
        after: i64,
        limit: u32,
    ) -> Result<Vec<BattleEvent>, LogError> {
        let page: EventPage = self
            .get(
                viewer,
                &format!("/api/battle/{battle}/events?after={after}&limit={limit}"),
            )
            .await?;
        Ok(page.events)
    }
}
