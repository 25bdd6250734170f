//! Matchmaking: join the queue of a mode, leave it, and see where I stand.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use contracts::battle::BattleMode;
use platform::ApiError;
use platform::auth::{AuthUser, AuthUserErrors};
use platform::extract::{self, JsonErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::matchmaker::window;
use crate::model::QueueEntry;
use crate::service::now_ms;

#[derive(Deserialize, ToSchema)]
pub struct QueueRequest {
    #[schema(schema_with = queue_mode)]
    mode: BattleMode,
    /// The language I mean to play in.
    #[serde(default)]
    #[schema(max_length = 32)]
    language: Option<String>,
}

/// The modes a queue exists for: [`BattleMode`] but `private`.
fn queue_mode() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some([
            BattleMode::Rated.as_str(),
            BattleMode::Casual.as_str(),
        ]))
        .description(Some(
            "`rated` or `casual` (private battles are made with `POST /api/battle/create`).",
        ))
        .build()
}

/// Where I stand: waiting (with my rating window), matched (the battle), or neither.
#[derive(Serialize, ToSchema)]
pub struct QueueStatus {
    /// `queued`, `matched` or `idle`.
    state: &'static str,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<BattleMode>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    rating: Option<i32>,
    /// Ratings within this distance may be matched with me now; it widens as I wait.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<i32>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    waiting_ms: Option<i64>,
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    battle_id: Option<Uuid>,
}

fn queued(state: &AppState, entry: &QueueEntry) -> QueueStatus {
    let waited = (now_ms() - entry.enqueued_at_ms).max(0);
    QueueStatus {
        state: "queued",
        mode: Some(entry.mode),
        rating: Some(entry.rating),
        window: Some(window(state.service.settings(), waited)),
        waiting_ms: Some(waited),
        battle_id: None,
    }
}

/// Join the matchmaking queue
#[utoipa::path(
    post,
    path = "/api/battle/queue",
    operation_id = "join_queue",
    security(("bearer" = [])),
    request_body = QueueRequest,
    responses(
        (status = 202, description = "Waiting to be matched", body = QueueStatus),
        JsonErrors, AuthUserErrors,
        (status = 409, description = "`already_queued`, `already_in_battle`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn join(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    extract::Json(body): extract::Json<QueueRequest>,
) -> Result<(StatusCode, Json<QueueStatus>), ApiError> {
    let entry = state
        .service
        .enqueue(&identity, body.mode, body.language)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(queued(&state, &entry))))
}

/// Leave the matchmaking queue
#[utoipa::path(
    delete,
    path = "/api/battle/queue",
    operation_id = "leave_queue",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Not waiting any more (or never was)"),
        AuthUserErrors,
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn leave(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<StatusCode, ApiError> {
    state.service.leave_queue(identity.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where I stand in matchmaking
#[utoipa::path(
    get,
    path = "/api/battle/queue",
    operation_id = "queue_status",
    security(("bearer" = [])),
    responses((status = 200, description = "queued, matched or idle", body = QueueStatus), AuthUserErrors)
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn status(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<Json<QueueStatus>, ApiError> {
    if let Some(entry) = state.service.queued(identity.user_id).await? {
        return Ok(Json(queued(&state, &entry)));
    }
    let (active, _) = state.service.mine(identity.user_id, 0).await?;
    let idle = QueueStatus {
        state: "idle",
        mode: None,
        rating: None,
        window: None,
        waiting_ms: None,
        battle_id: None,
    };
    Ok(Json(match active {
        Some(b) => QueueStatus {
            state: "matched",
            mode: Some(b.mode),
            battle_id: Some(b.id),
            ..idle
        },
        None => idle,
    }))
}
