//! The execution service's HTTP API, under `/api/execution`: jobs ([`jobs`]), the installed
//! languages ([`languages`]) and the OpenAPI document ([`openapi`]).

mod internal;
mod jobs;
mod languages;
mod openapi;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::SharedVerifier;
use utoipa::{IntoResponses, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::service::{ExecutionService, SubmitError};

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
    let (router, _) = routes().split_for_parts();
    router
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { service, verifier })
}

/// The router over `store`, an in-process queue and no languages, answering callers as
/// `verifier` says: enough for tests of the HTTP layer.
#[cfg(test)]
async fn test_router(store: Arc<dyn crate::store::JobStore>, verifier: SharedVerifier) -> Router {
    let broker = platform::messaging::MemoryBroker::new();
    let queue = crate::queue::JobQueue::new(Arc::new(broker))
        .await
        .unwrap_or_else(|e| panic!("in-process queue: {e}"));
    let settings = crate::ExecutionSettings::default();
    router(
        Arc::new(ExecutionService::new(settings, store, queue, Vec::new())),
        verifier,
    )
}

/// The OpenAPI document, exactly as `GET /api/execution/openapi.json` serves it; `codearena
/// openapi` writes it for the web app, whose API types are generated from it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// Every route with its operation in the OpenAPI document, which is served too: a route is
/// registered together with its documentation (`#[utoipa::path]` on the handler).
fn routes() -> OpenApiRouter<AppState> {
    let routes = OpenApiRouter::with_openapi(openapi::Info::openapi())
        .routes(routes!(jobs::run))
        .routes(routes!(jobs::judge))
        .routes(routes!(internal::judge))
        .routes(routes!(jobs::job))
        .routes(routes!(languages::languages));
    platform::openapi::with_document(routes, "/api/execution/openapi.json")
}

/// The errors of `run` and `judge` beyond [`JsonErrors`] and [`AuthUserErrors`], as the
/// `From<SubmitError>` below answers them; listed after those, so its 422 and 503 name
/// their codes too.
///
/// [`JsonErrors`]: platform::extract::JsonErrors
/// [`AuthUserErrors`]: platform::auth::AuthUserErrors
#[derive(IntoResponses)]
pub enum SubmitErrors {
    #[response(status = 413, description = "`payload_too_large`")]
    TooLarge,
    #[response(
        status = 422,
        description = "`unknown_language`, `validation_failed`, `invalid_body`"
    )]
    Invalid,
    #[response(status = 429, description = "`too_many_jobs`; see `Retry-After`")]
    TooManyJobs,
    #[response(
        status = 503,
        description = "`queue_unavailable`, `store_unavailable`, `auth_unavailable`; see `Retry-After`"
    )]
    Unavailable,
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
