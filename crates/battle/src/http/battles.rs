//! Battles: create and join (invites), arrive, resign, withdraw, read one, mine, live, and
//! the event log.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use contracts::battle::BattleEvent;
use platform::ApiError;
use platform::auth::{AuthUser, AuthUserErrors};
use platform::extract::{JsonErrors, Query};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::views::{BattleView, SubmissionView};
use super::{AppState, battle_id};
use crate::model::Battle;
use crate::service::MAX_EVENTS_PAGE;

/// Most battles a list answers.
const LIST_LIMIT: u32 = 50;

#[derive(Deserialize, ToSchema, Default)]
pub struct CreateRequest {
    /// A problem's slug; when absent, one is chosen for the creator's rating.
    #[serde(default)]
    #[schema(max_length = 64)]
    problem: Option<String>,
}

pub(super) fn view(state: &AppState, battle: &Battle, viewer: Uuid) -> BattleView {
    let problem = state
        .service
        .catalogue()
        .get(&battle.problem)
        .map(|e| &e.detail.summary);
    BattleView::new(
        battle,
        problem,
        Some(viewer),
        &state.service.settings().public_url,
    )
}

/// Create a private battle; answers its invite code and link
#[utoipa::path(
    post,
    path = "/api/battle/create",
    operation_id = "create_battle",
    security(("bearer" = [])),
    request_body(content = CreateRequest, description = "May be left out: any problem will do"),
    responses(
        (status = 201, description = "Waiting for the second player", body = BattleView),
        JsonErrors, AuthUserErrors,
        (status = 404, description = "`not_found`: no such problem"),
        (status = 409, description = "`already_in_battle`, `already_queued`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn create(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<BattleView>), ApiError> {
    // An empty body is an empty request: any problem will do.
    let request: CreateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        CreateRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(
                "malformed_json",
                format!("The body is not a create request: {e}"),
            )
        })?
    };
    let battle = state
        .service
        .create(&identity, request.problem.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(view(&state, &battle, identity.user_id)),
    ))
}

/// Take an invite: the countdown starts
#[utoipa::path(
    post,
    path = "/api/battle/join/{code}",
    operation_id = "join_invite",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "The invite code")),
    responses(
        (status = 200, description = "Joined; the countdown runs", body = BattleView),
        AuthUserErrors,
        (status = 404, description = "`not_found`: no such invite"),
        (status = 409, description = "`own_invite`, `invite_taken`, `already_in_battle`, `already_queued`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn join(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(code): Path<String>,
) -> Result<Json<BattleView>, ApiError> {
    // Codes are short and alphanumeric; anything else names no invite.
    if code.len() > 32 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::not_found("No such invite."));
    }
    let battle = state.service.join(&identity, &code).await?;
    Ok(Json(view(&state, &battle, identity.user_id)))
}

#[derive(Serialize, ToSchema)]
pub struct MyBattles {
    /// The battle I am in now, if any.
    #[schema(nullable = false)]
    #[serde(skip_serializing_if = "Option::is_none")]
    active: Option<BattleView>,
    /// My latest battles, newest first.
    history: Vec<BattleView>,
}

/// My current battle and my history
#[utoipa::path(
    get,
    path = "/api/battle/mine",
    operation_id = "my_battles",
    security(("bearer" = [])),
    responses((status = 200, description = "Mine", body = MyBattles), AuthUserErrors)
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn mine(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<Json<MyBattles>, ApiError> {
    let (active, history) = state.service.mine(identity.user_id, LIST_LIMIT).await?;
    Ok(Json(MyBattles {
        active: active.map(|b| view(&state, &b, identity.user_id)),
        history: history
            .iter()
            .map(|b| view(&state, b, identity.user_id))
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct LiveBattles {
    battles: Vec<BattleView>,
}

/// Battles being played now, for spectators
#[utoipa::path(
    get,
    path = "/api/battle/live",
    operation_id = "live_battles",
    security(("bearer" = [])),
    responses((status = 200, description = "Newest first", body = LiveBattles), AuthUserErrors)
)]
#[tracing::instrument(skip_all)]
pub async fn live(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<Json<LiveBattles>, ApiError> {
    let battles = state.service.live(LIST_LIMIT).await?;
    Ok(Json(LiveBattles {
        battles: battles
            .iter()
            .map(|b| view(&state, b, identity.user_id))
            .collect(),
    }))
}

/// A battle; once it is over, with both players' code
#[utoipa::path(
    get,
    path = "/api/battle/{id}",
    operation_id = "get_battle",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id")),
    responses(
        (status = 200, description = "The battle", body = BattleView),
        AuthUserErrors,
        (status = 404, description = "`not_found`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn get(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<BattleView>, ApiError> {
    let battle = state.service.battle(battle_id(&id)?).await?;
    let mut body = view(&state, &battle, identity.user_id);
    if battle.state.is_over() {
        let (_, submissions) = state
            .service
            .submissions(identity.user_id, battle.id)
            .await?;
        body.submissions = submissions.iter().map(SubmissionView::from).collect();
    }
    Ok(Json(body))
}

/// Withdraw my private battle before anyone joined
#[utoipa::path(
    delete,
    path = "/api/battle/{id}",
    operation_id = "withdraw_battle",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id")),
    responses(
        (status = 200, description = "Cancelled", body = BattleView),
        AuthUserErrors,
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`cannot_withdraw`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn withdraw(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<BattleView>, ApiError> {
    let battle = state
        .service
        .withdraw(identity.user_id, battle_id(&id)?)
        .await?;
    Ok(Json(view(&state, &battle, identity.user_id)))
}

/// Arrive at a matched battle; it starts when both players have
#[utoipa::path(
    post,
    path = "/api/battle/{id}/ready",
    operation_id = "ready",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id")),
    responses(
        (status = 200, description = "Arrived (again: harmless)", body = BattleView),
        AuthUserErrors,
        (status = 403, description = "`not_a_participant`"),
        (status = 404, description = "`not_found`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn arrive(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<BattleView>, ApiError> {
    let battle = state
        .service
        .arrive(identity.user_id, battle_id(&id)?)
        .await?;
    Ok(Json(view(&state, &battle, identity.user_id)))
}

/// Resign: the opponent wins
#[utoipa::path(
    post,
    path = "/api/battle/{id}/resign",
    operation_id = "resign",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id")),
    responses(
        (status = 200, description = "Finished", body = BattleView),
        AuthUserErrors,
        (status = 403, description = "`not_a_participant`"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`battle_not_active`, `battle_over`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn resign(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<BattleView>, ApiError> {
    let battle = state
        .service
        .resign(identity.user_id, battle_id(&id)?)
        .await?;
    Ok(Json(view(&state, &battle, identity.user_id)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Events with a greater sequence number (0, or less: from the start).
    #[serde(default)]
    after: i64,
    /// At most this many (default and maximum 500).
    #[serde(default)]
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct EventPage {
    events: Vec<BattleEvent>,
}

/// The battle's event log, for reconnecting clients and replays
#[utoipa::path(
    get,
    path = "/api/battle/{id}/events",
    operation_id = "battle_events",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id"), EventsQuery),
    responses(
        (status = 200, description = "In sequence order", body = EventPage),
        (status = 400, description = "`invalid_query` (a limit outside 1–500)"),
        AuthUserErrors,
        (status = 404, description = "`not_found`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn events(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
    Query(query): Query<EventsQuery>,
) -> Result<Json<EventPage>, ApiError> {
    // A limit outside the documented range is refused, not quietly clamped.
    let limit = query.limit.unwrap_or(MAX_EVENTS_PAGE);
    if !(1..=MAX_EVENTS_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be between 1 and {MAX_EVENTS_PAGE}"),
        ));
    }
    let events = state
        .service
        .events(battle_id(&id)?, query.after.max(0), limit)
        .await?;
    Ok(Json(EventPage { events }))
}
