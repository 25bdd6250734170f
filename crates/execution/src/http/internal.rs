//! `POST /internal/execution/judge`: judge jobs from other services (battle), on behalf of
//! their players, authenticated by the shared `execution.service_token`. Not under `/api`:
//! the ingress never routes it; the network rules let only battle reach it.

use axum::Json as JsonBody;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use contracts::execution::Task;
use platform::ApiError;
use platform::extract::{Json, JsonErrors};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{AppState, SubmitErrors};

#[derive(Deserialize, ToSchema)]
pub struct ServiceJudgeRequest {
    /// The id the caller matches the result by (unique per job).
    job_id: Uuid,
    /// The player the job is for.
    owner: Uuid,
    /// A language id from `GET /api/execution/languages`.
    language: String,
    #[schema(max_length = 65536)]
    source: String,
    /// The problem package's content hash.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    problem_hash: String,
}

#[derive(serde::Serialize, ToSchema)]
pub struct Queued {
    job_id: Uuid,
}

/// `true` if the request carries the configured service token. Compared as SHA-256
/// digests, so the time taken says nothing about how much of a guess was right.
fn authorized(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token else {
        return false;
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    Sha256::digest(presented.as_bytes()) == Sha256::digest(token.as_bytes())
}

/// Queue a judge job for a player (service to service)
#[utoipa::path(
    post,
    path = "/internal/execution/judge",
    security(("service" = [])),
    request_body = ServiceJudgeRequest,
    responses(
        (status = 202, description = "Queued with judge priority", body = Queued),
        JsonErrors,
        (status = 401, description = "`invalid_service_token`"),
        SubmitErrors,
    )
)]
#[tracing::instrument(skip_all)]
pub async fn judge(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<ServiceJudgeRequest>,
) -> Result<(StatusCode, JsonBody<Queued>), ApiError> {
    if !authorized(&headers, state.service.settings().service_token.as_deref()) {
        return Err(ApiError::unauthorized(
            "invalid_service_token",
            "This endpoint is for CodeArena's own services.",
        ));
    }
    tracing::Span::current().record("job_id", tracing::field::display(body.job_id));
    let task = Task::Judge {
        problem_hash: body.problem_hash,
    };
    state
        .service
        .submit_for_service(body.job_id, body.owner, &body.language, body.source, task)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        JsonBody(Queued {
            job_id: body.job_id,
        }),
    ))
}
