//! `GET /leaderboard`, `GET /users/{id}`, `GET /users/{id}/history`.

use axum::Json;
use axum::extract::{Path, State};
use contracts::rating::PlayerRating;
use platform::ApiError;
use platform::extract::Query;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::AppState;
use crate::model::HistoryRow;
use crate::service::{MAX_HISTORY, MAX_PAGE};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    page: Option<u32>,
}

/// One row of the leaderboard.
#[derive(Serialize, ToSchema)]
pub struct LeaderboardRow {
    /// 1-based place.
    rank: u64,
    user_id: Uuid,
    username: String,
    rating: f64,
    games: u32,
    wins: u32,
    losses: u32,
    draws: u32,
}

#[derive(Serialize, ToSchema)]
pub struct LeaderboardPage {
    page: u32,
    page_size: u32,
    /// Players on the whole leaderboard.
    total: u64,
    rows: Vec<LeaderboardRow>,
}

/// The leaderboard, best first
#[utoipa::path(
    get,
    path = "/api/rating/leaderboard",
    params(PageQuery),
    responses(
        (status = 200, description = "One page, best first; equal ratings by user id", body = LeaderboardPage),
        (status = 400, description = "`invalid_query` (a page outside 1–1000)"),
        (status = 503, description = "`store_unavailable`"),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn leaderboard(
    State(state): State<AppState>,
    Query(query): Query<PageQuery>,
) -> Result<Json<LeaderboardPage>, ApiError> {
    let page = query.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("page must be between 1 and {MAX_PAGE}"),
        ));
    }
    let page_size = state.service.settings().page_size;
    let found = state.service.leaderboard(page).await?;
    let first = u64::from(page - 1) * u64::from(page_size) + 1;
    let rows = found
        .rows
        .into_iter()
        .zip(first..)
        .map(|(s, rank)| LeaderboardRow {
            rank,
            user_id: s.user_id,
            username: s.username,
            rating: s.rating,
            games: s.games,
            wins: s.wins,
            losses: s.losses,
            draws: s.draws,
        })
        .collect();
    Ok(Json(LeaderboardPage {
        page,
        page_size,
        total: found.total,
        rows,
    }))
}

/// A player's id from the path; anything else names nobody.
fn user_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found("No such player."))
}

/// A player's rating, rank, record and peak
#[utoipa::path(
    get,
    path = "/api/rating/users/{id}",
    params(("id" = Uuid, Path, description = "The player's user id")),
    responses(
        (status = 200, description = "A player who has not played a rated battle stands at 1500, unranked", body = PlayerRating),
        (status = 404, description = "`not_found` (not a user id)"),
        (status = 503, description = "`store_unavailable`"),
    )
)]
#[tracing::instrument(skip(state))]
pub async fn player(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<PlayerRating>, ApiError> {
    Ok(Json(state.service.player(user_id(&id)?).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Points after this game number (0: from the first).
    // Documented as what it is, an unsigned 32-bit number: `u32` alone is written as
    // `int32`, whose range stops at 2^31 - 1 while the service accepts up to 2^32 - 1.
    #[serde(default)]
    #[param(value_type = i64, minimum = 0, maximum = 4294967295_u64)]
    after: u32,
    /// At most this many (default and maximum 1000).
    #[serde(default)]
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// One rated battle of a player: a point of their rating graph.
#[derive(Serialize, ToSchema)]
pub struct HistoryPoint {
    /// The player's rated games after this one (1 for the first).
    game: u32,
    battle_id: Uuid,
    opponent: Uuid,
    /// `win`, `loss` or `draw`.
    outcome: String,
    before: f64,
    after: f64,
    delta: f64,
    k: u32,
    /// When the battle finished, Unix milliseconds.
    finished_at_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct History {
    user_id: Uuid,
    points: Vec<HistoryPoint>,
}

/// A player's rating history, oldest first
#[utoipa::path(
    get,
    path = "/api/rating/users/{id}/history",
    params(("id" = Uuid, Path, description = "The player's user id"), HistoryQuery),
    responses(
        (status = 200, description = "Points in game order (empty before the first rated battle)", body = History),
        (status = 400, description = "`invalid_query` (a limit outside 1–1000, an `after` outside 0–4294967295)"),
        (status = 404, description = "`not_found` (not a user id)"),
        (status = 503, description = "`store_unavailable`"),
    )
)]
#[tracing::instrument(skip(state, query))]
pub async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Json<History>, ApiError> {
    let user = user_id(&id)?;
    let limit = query.limit.unwrap_or(MAX_HISTORY);
    if !(1..=MAX_HISTORY).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be between 1 and {MAX_HISTORY}"),
        ));
    }
    let points = state
        .service
        .history(user, query.after, limit)
        .await?
        .into_iter()
        .map(point)
        .collect();
    Ok(Json(History {
        user_id: user,
        points,
    }))
}

fn point(h: HistoryRow) -> HistoryPoint {
    HistoryPoint {
        game: h.game,
        battle_id: h.battle_id,
        opponent: h.opponent,
        outcome: h.outcome.as_str().to_owned(),
        before: h.before,
        after: h.after,
        delta: h.delta,
        k: h.k,
        finished_at_ms: h.finished_at_ms,
    }
}
