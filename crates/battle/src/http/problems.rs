//! `GET /problems`, `GET /problems/{slug}`: the catalogue, as players may read it.

use axum::Json;
use axum::extract::{Path, State};
use platform::ApiError;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use crate::catalogue::{ProblemDetail, ProblemSummary};

#[derive(Serialize, ToSchema)]
pub struct ProblemList {
    pub problems: Vec<ProblemSummary>,
}

/// The problems battles are played on
#[utoipa::path(
    get,
    path = "/api/battle/problems",
    operation_id = "list_problems",
    responses((status = 200, description = "Every installed problem", body = ProblemList))
)]
#[tracing::instrument(skip_all)]
pub async fn list(State(state): State<AppState>) -> Json<ProblemList> {
    let problems = state
        .service
        .catalogue()
        .list()
        .map(|e| e.detail.summary.clone())
        .collect();
    Json(ProblemList { problems })
}

/// A problem's statement, samples and limits
#[utoipa::path(
    get,
    path = "/api/battle/problems/{slug}",
    operation_id = "get_problem",
    params(("slug" = String, Path, description = "The problem's short name")),
    responses(
        (status = 200, description = "What players may read of the problem", body = ProblemDetail),
        (status = 404, description = "`not_found`"),
    )
)]
#[tracing::instrument(skip(state))]
pub async fn detail(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ProblemDetail>, ApiError> {
    state
        .service
        .catalogue()
        .get(&slug)
        .map(|e| Json(e.detail.clone()))
        .ok_or_else(|| ApiError::not_found("No such problem."))
}
