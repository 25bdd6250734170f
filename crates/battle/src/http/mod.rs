//! The battle service's HTTP API, under `/api/battle`: problems ([`problems`]), battles
//! ([`battles`]), submissions ([`submissions`]), matchmaking ([`queue`]) and the OpenAPI
//! document ([`openapi`]).

mod battles;
mod openapi;
mod problems;
mod queue;
mod submissions;
pub mod views;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::SharedVerifier;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::clients::JudgingError;
use crate::rules::Refusal;
use crate::service::{BattleError, BattleService};

#[derive(Clone)]
pub struct AppState {
    pub service: Arc<BattleService>,
    pub verifier: SharedVerifier,
}

impl FromRef<AppState> for SharedVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

pub fn router(service: Arc<BattleService>, verifier: SharedVerifier) -> Router {
    let limit = service.settings().max_body_bytes;
    let (router, _) = routes().split_for_parts();
    router
        .layer(DefaultBodyLimit::max(limit))
        .with_state(AppState { service, verifier })
}

/// The OpenAPI document, exactly as `GET /api/battle/openapi.json` serves it; `codearena
/// openapi` writes it for the web app, whose API types are generated from it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

fn routes() -> OpenApiRouter<AppState> {
    let mut routes = OpenApiRouter::with_openapi(openapi::Info::openapi())
        .routes(routes!(problems::list))
        .routes(routes!(problems::detail))
        .routes(routes!(battles::create))
        .routes(routes!(battles::join))
        .routes(routes!(battles::mine))
        .routes(routes!(battles::live))
        .routes(routes!(battles::get, battles::withdraw))
        .routes(routes!(battles::arrive))
        .routes(routes!(battles::resign))
        .routes(routes!(battles::events))
        .routes(routes!(submissions::submit, submissions::list))
        .routes(routes!(submissions::get))
        .routes(routes!(queue::join, queue::leave, queue::status));
    optional_body(&mut routes, "/api/battle/create");
    platform::openapi::with_document(routes, "/api/battle/openapi.json")
}

/// Marks the request body of `POST path` as optional, as its handler reads a missing body
/// as an empty request. (`request_body(content = Option<T>)` would also say `null` is a
/// valid body, which it is not.)
fn optional_body(routes: &mut OpenApiRouter<AppState>, path: &str) {
    let body = routes
        .get_openapi_mut()
        .paths
        .paths
        .get_mut(path)
        .and_then(|item| item.post.as_mut())
        .and_then(|operation| operation.request_body.as_mut());
    if let Some(utoipa::openapi::RefOr::T(body)) = body {
        body.required = Some(utoipa::openapi::Required::False);
    }
}

/// A battle id from the path; anything else names no battle.
fn battle_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found("No such battle."))
}

impl From<BattleError> for ApiError {
    fn from(err: BattleError) -> Self {
        let detail = err.to_string();
        match err {
            BattleError::NotFound => ApiError::not_found("No such battle."),
            BattleError::ProblemNotFound => ApiError::not_found("No such problem."),
            BattleError::InviteNotFound => ApiError::not_found("No such invite."),
            BattleError::SubmissionNotFound => ApiError::not_found("No such submission."),
            BattleError::Refused(r) => refusal(r, detail),
            BattleError::InBattle => ApiError::conflict("already_in_battle", detail),
            BattleError::Queued => ApiError::conflict("already_queued", detail),
            BattleError::AlreadyQueued => ApiError::conflict("already_queued", detail),
            BattleError::SourceTooLarge(..) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "Too large",
            )
            .with_detail(detail),
            BattleError::EmptySource | BattleError::NulInSource => {
                ApiError::validation(vec![platform::problem::FieldError {
                    field: "source".into(),
                    message: detail,
                }])
            }
            BattleError::UnknownLanguage(_) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_language",
                "Unknown language",
            )
            .with_detail(format!("{detail}; see GET /api/execution/languages")),
            BattleError::PrivateQueue => {
                ApiError::validation(vec![platform::problem::FieldError {
                    field: "mode".into(),
                    message: "must be rated or casual".into(),
                }])
            }
            BattleError::NoProblems => {
                ApiError::unavailable("no_problems", "No problem is installed on this server.")
            }
            BattleError::Busy => ApiError::unavailable("battle_busy", detail).with_retry_after(1),
            BattleError::Judging(JudgingError::Unavailable(e)) => {
                tracing::error!(error = %e, "execution unavailable");
                ApiError::unavailable(
                    "execution_unavailable",
                    "Code cannot be judged now; try again shortly.",
                )
                .with_retry_after(2)
            }
            BattleError::Judging(JudgingError::Refused(e)) => {
                tracing::error!(error = %e, "execution refused a request");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "execution_refused",
                    "Execution refused",
                )
                .with_detail("The execution service refused the request.")
            }
            BattleError::Ratings(e) => {
                tracing::error!(error = %e, "rating unavailable");
                ApiError::unavailable(
                    "rating_unavailable",
                    "Ratings cannot be read now; try again shortly.",
                )
                .with_retry_after(2)
            }
            BattleError::Store(e) => {
                tracing::error!(error = %e, "battle store");
                ApiError::unavailable(
                    "store_unavailable",
                    "Battles cannot be read or changed now.",
                )
                .with_retry_after(2)
            }
        }
    }
}

fn refusal(r: Refusal, detail: String) -> ApiError {
    match r {
        Refusal::NotParticipant => ApiError::new(
            StatusCode::FORBIDDEN,
            "not_a_participant",
            "Not a participant",
        )
        .with_detail(detail),
        Refusal::StillJudging => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "still_judging",
            "Still judging",
        )
        .with_detail(detail)
        .with_retry_after(1),
        Refusal::OwnInvite => ApiError::conflict("own_invite", detail),
        Refusal::InviteTaken => ApiError::conflict("invite_taken", detail),
        Refusal::NotActive => ApiError::conflict("battle_not_active", detail),
        Refusal::Over => ApiError::conflict("battle_over", detail),
        Refusal::TimeUp => ApiError::conflict("time_up", detail),
        Refusal::CannotWithdraw => ApiError::conflict("cannot_withdraw", detail),
        Refusal::NotAnInvite => ApiError::conflict("not_an_invite", detail),
        Refusal::SubmissionLimit => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "submission_limit",
            "Submission limit",
        )
        .with_detail(detail),
    }
}
