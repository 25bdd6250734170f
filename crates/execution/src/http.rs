//! The execution service's HTTP API, under `/api/execution`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, FromRef, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json as JsonBody, Router};
use contracts::execution::Task;
use platform::ApiError;
use platform::auth::{AuthUser, SharedVerifier};
use platform::extract::{Json, Query};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::service::{ExecutionService, SubmitError};
use crate::store::JobRecord;

#[derive(Clone)]
pub struct AppState {
    pub service: Arc<ExecutionService>,
    pub verifier: SharedVerifier,
}

impl FromRef<AppState> for SharedVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

pub fn router(service: Arc<ExecutionService>, verifier: SharedVerifier) -> Router {
    let settings = service.settings();
    // JSON escaping can double a body; the exact limits are checked after parsing.
    let limit = 2 * (settings.max_source_bytes + settings.max_stdin_bytes) + 4096;
    Router::new()
        .route("/api/execution/run", post(run))
        .route("/api/execution/judge", post(judge))
        .route("/api/execution/jobs/{id}", get(job))
        .route("/api/execution/languages", get(languages))
        .route("/api/execution/openapi.json", get(openapi))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { service, verifier })
}

#[derive(Deserialize)]
pub struct RunRequest {
    language: String,
    source: String,
    #[serde(default)]
    stdin: String,
}

#[derive(Deserialize)]
pub struct JudgeRequest {
    language: String,
    source: String,
    problem_hash: String,
}

#[derive(Serialize)]
struct Accepted {
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
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, location);
    }
    response
}

#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
async fn run(
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

#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
async fn judge(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
    Json(body): Json<JudgeRequest>,
) -> Result<Response, ApiError> {
    let task = Task::Judge {
        problem_hash: body.problem_hash,
    };
    let id = state
        .service
        .submit(identity.user_id, &body.language, body.source, task)
        .await?;
    Ok(accepted(id))
}

#[derive(Deserialize)]
struct WaitQuery {
    /// Seconds to wait for the job to finish (bounded by the server).
    #[serde(default)]
    wait: Option<u64>,
}

async fn job(
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
        Err(e) => Err(
            ApiError::unavailable("store_unavailable", "Job state cannot be read now.")
                .with_detail(e.to_string()),
        ),
    }
}

async fn languages(State(state): State<AppState>) -> JsonBody<Value> {
    JsonBody(json!({ "languages": state.service.languages() }))
}

impl From<SubmitError> for ApiError {
    fn from(err: SubmitError) -> Self {
        match &err {
            SubmitError::SourceTooLarge(..) | SubmitError::StdinTooLarge(..) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Too large",
            )
            .with_detail(err.to_string()),
            SubmitError::EmptySource => ApiError::validation(vec![platform::problem::FieldError {
                field: "source".into(),
                message: "is empty".into(),
            }]),
            SubmitError::UnknownLanguage(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_language",
                "Unknown language",
            )
            .with_detail(format!("{err}; see GET /api/execution/languages")),
            SubmitError::BadHash(_) => ApiError::validation(vec![platform::problem::FieldError {
                field: "problem_hash".into(),
                message: "must be 64 lowercase hex digits".into(),
            }]),
            SubmitError::TooManyJobs(_) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_jobs",
                "Too many jobs in flight",
            )
            .with_detail(format!("{err}; wait for one to finish"))
            .with_retry_after(1),
            SubmitError::Queue(e) => {
                tracing::error!(error = %e, "cannot queue a job");
                ApiError::unavailable(
                    "queue_unavailable",
                    "Jobs cannot be queued now; try again shortly.",
                )
                .with_retry_after(2)
            }
            SubmitError::Store(e) => {
                tracing::error!(error = %e, "job store unavailable");
                ApiError::unavailable(
                    "store_unavailable",
                    "Jobs cannot be accepted now; try again shortly.",
                )
                .with_retry_after(2)
            }
        }
    }
}

async fn openapi() -> JsonBody<Value> {
    JsonBody(spec())
}

fn problem(description: &str) -> Value {
    json!({"description": description, "content": {"application/problem+json": {}}})
}

pub fn spec() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "CodeArena execution service", "version": env!("CARGO_PKG_VERSION")},
        "paths": {
            "/api/execution/run": {"post": {
                "summary": "Compile and run code on custom input",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["language", "source"],
                    "properties": {"language": {"type": "string"}, "source": {"type": "string", "maxLength": 65536}, "stdin": {"type": "string", "maxLength": 1048576}}
                }}}},
                "responses": {
                    "202": {"description": "Queued; poll the Location"},
                    "413": problem("`payload_too_large`"),
                    "422": problem("`unknown_language`, `validation_failed`, `invalid_body`"),
                    "401": problem("`missing_token`, `invalid_token`"),
                    "429": problem("`too_many_jobs`"),
                    "503": problem("`queue_unavailable`, `store_unavailable`, `auth_unavailable`")
                }
            }},
            "/api/execution/judge": {"post": {
                "summary": "Judge a submission against a problem package (by content hash)",
                "security": [{"bearer": []}],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["language", "source", "problem_hash"],
                    "properties": {"language": {"type": "string"}, "source": {"type": "string"}, "problem_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}
                }}}},
                "responses": {
                    "202": {"description": "Queued"},
                    "401": problem("`missing_token`, `invalid_token`"),
                    "413": problem("`payload_too_large`"),
                    "422": problem("`unknown_language`, `validation_failed`, `invalid_body`"),
                    "429": problem("`too_many_jobs`"),
                    "503": problem("`queue_unavailable`, `store_unavailable`, `auth_unavailable`")
                }
            }},
            "/api/execution/jobs/{id}": {"get": {
                "summary": "A job's state and, once done, its result",
                "security": [{"bearer": []}],
                "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}},
                    {"name": "wait", "in": "query", "schema": {"type": "integer", "maximum": 30}, "description": "Seconds to wait for the result"}
                ],
                "responses": {
                    "200": {"description": "state: queued | running | done; result when done"},
                    "400": problem("`invalid_query`"),
                    "401": problem("`missing_token`, `invalid_token`"),
                    "404": problem("`not_found`"),
                    "503": problem("`store_unavailable`, `auth_unavailable`")
                }
            }},
            "/api/execution/languages": {"get": {"summary": "Installed languages and versions", "responses": {"200": {"description": "languages"}}}},
            "/api/execution/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}}
    })
}
