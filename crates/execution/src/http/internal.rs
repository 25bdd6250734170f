//! `POST /internal/execution/judge`: judge jobs from other services (battle), on behalf of
//! their players, authenticated by the shared `execution.service_token`. Not under `/api`:
//! the ingress never routes it; the network rules let only battle reach it.

use axum::Json as JsonBody;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
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
    /// The program: not blank (only whitespace is refused with 422 as well).
    #[schema(min_length = 1, max_length = 65536)]
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

/// A caller that presented the service token. Checked before the body is read, so
/// strangers learn nothing about what the endpoint expects.
pub struct ServiceCaller;

impl FromRequestParts<AppState> for ServiceCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if authorized(
            &parts.headers,
            state.service.settings().service_token.as_deref(),
        ) {
            Ok(ServiceCaller)
        } else {
            Err(ApiError::unauthorized(
                "invalid_service_token",
                "This endpoint is for CodeArena's own services.",
            ))
        }
    }
}

/// Queue a judge job for a player (service to service)
#[utoipa::path(
    post,
    path = "/internal/execution/judge",
    operation_id = "judge_internal",
    security(("service" = [])),
    request_body = ServiceJudgeRequest,
    responses(
        (status = 202, description = "Queued with judge priority", body = Queued),
        JsonErrors,
        (status = 401, description = "`invalid_service_token`"),
        SubmitErrors,
    )
)]
#[tracing::instrument(skip_all, fields(job_id = %body.job_id, user_id = %body.owner))]
pub async fn judge(
    State(state): State<AppState>,
    _caller: ServiceCaller,
    Json(body): Json<ServiceJudgeRequest>,
) -> Result<(StatusCode, JsonBody<Queued>), ApiError> {
    // Battles score by secret tests passed: every test is run.
    let task = Task::Judge {
        problem_hash: body.problem_hash,
        all_tests: true,
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
