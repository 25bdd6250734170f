//! `POST /run`, `POST /judge`, `GET /jobs/{id}`: jobs are accepted at once (202) and read
//! back, with a bounded long-poll, until they are done.

use std::time::Duration;

use axum::Json as JsonBody;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use contracts::execution::Task;
use platform::ApiError;
use platform::auth::{AuthUser, AuthUserErrors};
use platform::extract::{Json, JsonErrors, Query};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{AppState, SubmitErrors};
use crate::store::JobRecord;

#[derive(Deserialize, ToSchema)]
pub struct RunRequest {
    /// A language id from `GET /api/execution/languages`.
    language: String,
    /// The program: not blank (only whitespace is refused with 422 as well).
    #[schema(min_length = 1, max_length = 65536)]
    source: String,
    /// The program's standard input.
    #[serde(default)]
    #[schema(max_length = 1048576)]
    stdin: String,
}

#[derive(Deserialize, ToSchema)]
pub struct JudgeRequest {
    /// A language id from `GET /api/execution/languages`.
    language: String,
    /// The program: not blank (only whitespace is refused with 422 as well).
    #[schema(min_length = 1, max_length = 65536)]
    source: String,
    /// The problem package's content hash; the package is stored under it.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    problem_hash: String,
}

/// A job was queued; its state is at `status_url` (also sent as `Location`).
#[derive(Serialize, ToSchema)]
pub struct Accepted {
    job_id: Uuid,
    status_url: String,
}

fn accepted(id: Uuid) -> Response {
    let body = Accepted {
        job_id: id,
        status_url: format!("/api/execution/jobs/{id}"),
    };
    let mut response = (StatusCode::ACCEPTED, JsonBody(body)).into_response();
    if let Ok(location) = format!("/api/execution/jobs/{id}").parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Compile and run code on custom input
#[utoipa::path(
    post,
    path = "/api/execution/run",
    security(("bearer" = [])),
    request_body = RunRequest,
    responses(
        (status = 202, description = "Queued; poll the Location", body = Accepted, headers(("location" = String))),
        JsonErrors, AuthUserErrors, SubmitErrors,
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn run(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Json(body): Json<RunRequest>,
) -> Result<Response, ApiError> {
    let id = state
        .service
        .submit(
            identity.user_id,
            &body.language,
            body.source,
            Task::Run { stdin: body.stdin },
        )
        .await?;
    Ok(accepted(id))
}

/// Judge a submission against a problem package (by content hash)
#[utoipa::path(
    post,
    path = "/api/execution/judge",
    security(("bearer" = [])),
    request_body = JudgeRequest,
    responses(
        (status = 202, description = "Queued", body = Accepted, headers(("location" = String))),
        JsonErrors, AuthUserErrors, SubmitErrors,
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn judge(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Json(body): Json<JudgeRequest>,
) -> Result<Response, ApiError> {
    let task = Task::Judge {
        problem_hash: body.problem_hash,
        all_tests: false,
    };
    let id = state
        .service
        .submit(identity.user_id, &body.language, body.source, task)
        .await?;
    Ok(accepted(id))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitQuery {
    /// Seconds to wait for the result (the server may wait less).
    #[serde(default)]
    #[param(maximum = 30)]
    wait: Option<u64>,
}

/// A job's state and, once done, its result
#[utoipa::path(
    get,
    path = "/api/execution/jobs/{id}",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The job's id"), WaitQuery),
    responses(
        (status = 200, description = "state: queued | running | done; result when done", body = JobRecord),
        (status = 400, description = "`invalid_query`"),
        AuthUserErrors,
        (status = 404, description = "`not_found`"),
        (status = 503, description = "`store_unavailable`, `auth_unavailable`"),
    )
)]
pub async fn job(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Path(id): Path<String>,
    Query(query): Query<WaitQuery>,
) -> Result<JsonBody<JobRecord>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("No such job."))?;
    let wait = Duration::from_secs(query.wait.unwrap_or(0));
    match state.service.job(identity.user_id, id, wait).await {
        Ok(Some(record)) => Ok(JsonBody(record)),
        // Someone else's job looks exactly like a missing one.
        Ok(None) => Err(ApiError::not_found("No such job.")),
        Err(e) => {
            tracing::error!(error = %e, job = %id, "cannot read a job");
            Err(ApiError::unavailable(
                "store_unavailable",
                "Job state cannot be read now.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use contracts::auth::Identity;
    use platform::auth::{TokenVerifier, VerifyError};
    use serde_json::Value;

    use crate::store::RedisJobStore;

    struct EveryTokenIsAda;

    #[async_trait::async_trait]
    impl TokenVerifier for EveryTokenIsAda {
        async fn verify(&self, _token: &str) -> Result<Identity, VerifyError> {
            Ok(Identity {
                user_id: Uuid::nil(),
                username: "ada".into(),
                session_id: Uuid::nil(),
                expires_at: i64::MAX,
            })
        }
    }

    #[tokio::test]
    async fn a_store_failure_is_a_503_without_its_cause() {
        let conn = platform::redis::connect(&testkit::redis_url())
            .await
            .unwrap();
        let prefix = testkit::unique_prefix();
        let store = RedisJobStore::new(conn.clone(), &prefix, Duration::from_secs(60));
        let router = super::super::test_router(Arc::new(store), Arc::new(EveryTokenIsAda)).await;
        let server = testkit::TestServer::start(router).await;
        // A job key of the wrong type: Redis answers WRONGTYPE.
        let id = Uuid::now_v7();
        let key = contracts::names::prefixed(
            &prefix,
            &format!("{}:{id}", contracts::names::EXECUTION_JOBS_STATE),
        );
        let _: () = ::redis::AsyncCommands::set(&mut conn.clone(), &key, "not a hash")
            .await
            .unwrap();

        let response = server
            .client
            .get(server.url(&format!("/api/execution/jobs/{id}")))
            .bearer_auth("any")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "store_unavailable");
        assert_eq!(body["detail"], "Job state cannot be read now.");
        let _: () = ::redis::AsyncCommands::del(&mut conn.clone(), &key)
            .await
            .unwrap();
    }
}
