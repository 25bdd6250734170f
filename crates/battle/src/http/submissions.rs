//! Submissions: send one to be judged, list mine (everyone's once the battle is over), read
//! one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::{AuthUser, AuthUserErrors};
use platform::extract::{self, JsonErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::views::SubmissionView;
use super::{AppState, battle_id};

#[derive(Deserialize, ToSchema)]
pub struct SubmitRequest {
    /// A language id from `GET /api/execution/languages`.
    #[schema(max_length = 32)]
    language: String,
    /// The program: not blank (only whitespace is refused with 422 as well).
    #[schema(min_length = 1, max_length = 65536)]
    source: String,
}

/// Submit code to be judged against the battle's secret tests
#[utoipa::path(
    post,
    path = "/api/battle/{id}/submissions",
    operation_id = "submit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id")),
    request_body = SubmitRequest,
    responses(
        (status = 202, description = "Recorded and sent to be judged; the verdict comes as an event", body = SubmissionView),
        JsonErrors, AuthUserErrors,
        (status = 403, description = "`not_a_participant`"),
        (status = 404, description = "`not_found`"),
        (status = 409, description = "`battle_not_active`, `battle_over`, `time_up`"),
        (status = 429, description = "`still_judging`: one submission at a time"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn submit(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
    extract::Json(body): extract::Json<SubmitRequest>,
) -> Result<(StatusCode, Json<SubmissionView>), ApiError> {
    let id = battle_id(&id)?;
    let submission = state
        .service
        .submit(identity.user_id, id, &body.language, body.source)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SubmissionView::from(&submission)),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SubmissionList {
    submissions: Vec<SubmissionView>,
}

/// My submissions to a battle; everyone's once it is over
#[utoipa::path(
    get,
    path = "/api/battle/{id}/submissions",
    operation_id = "list_submissions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The battle's id")),
    responses(
        (status = 200, description = "Oldest first", body = SubmissionList),
        AuthUserErrors,
        (status = 403, description = "`not_a_participant` (while the battle is played)"),
        (status = 404, description = "`not_found`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn list(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<SubmissionList>, ApiError> {
    let (_, submissions) = state
        .service
        .submissions(identity.user_id, battle_id(&id)?)
        .await?;
    Ok(Json(SubmissionList {
        submissions: submissions.iter().map(SubmissionView::from).collect(),
    }))
}

/// One submission: mine, or anyone's once the battle is over
#[utoipa::path(
    get,
    path = "/api/battle/{id}/submissions/{submission}",
    operation_id = "get_submission",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The battle's id"),
        ("submission" = Uuid, Path, description = "The submission's id"),
    ),
    responses(
        (status = 200, description = "With per-test verdicts", body = SubmissionView),
        AuthUserErrors,
        (status = 403, description = "`not_a_participant`: the opponent's, while the battle is played"),
        (status = 404, description = "`not_found`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn get(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path((id, submission)): Path<(String, String)>,
) -> Result<Json<SubmissionView>, ApiError> {
    let sid =
        Uuid::parse_str(&submission).map_err(|_| ApiError::not_found("No such submission."))?;
    let s = state
        .service
        .submission(identity.user_id, battle_id(&id)?, sid)
        .await?;
    Ok(Json(SubmissionView::from(&s)))
}
