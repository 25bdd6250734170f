//! The auth service's HTTP API, under `/api/auth`.

mod account;
mod openapi;
mod session;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::SharedVerifier;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::service::{AuthError, AuthService, Session};
use crate::store::{Taken, User};

#[derive(Clone)]
pub struct AppState {
    pub auth: Arc<AuthService>,
    pub verifier: SharedVerifier,
}

impl FromRef<AppState> for SharedVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// All auth routes, with their full paths, ready to merge into a service or embedded app.
pub fn router(auth: Arc<AuthService>) -> Router {
    let limit = auth.settings().max_body_bytes;
    let state = AppState {
        verifier: auth.clone(),
        auth,
    };
    let (router, _) = routes().split_for_parts();
    router.layer(DefaultBodyLimit::max(limit)).with_state(state)
}

/// The OpenAPI document, exactly as `GET /api/auth/openapi.json` serves it; `codearena
/// openapi` writes it for the web app, whose API types are generated from it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes().into_openapi()
}

/// Every route with its operation in the OpenAPI document, which is served too: a route is
/// registered together with its documentation (`#[utoipa::path]` on the handler).
fn routes() -> OpenApiRouter<AppState> {
    let routes = OpenApiRouter::with_openapi(openapi::Info::openapi())
        .routes(routes!(account::register))
        .routes(routes!(account::login))
        .routes(routes!(account::me))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(session::verify));
    platform::openapi::with_document(routes, "/api/auth/openapi.json")
}

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            username: u.username,
            email: u.email,
            created_at: u.created_at,
        }
    }
}

/// OAuth 2 token response (RFC 6749 §5.1) plus the user.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(inline)]
    pub token_type: TokenType,
    /// Seconds
    pub expires_in: i64,
    pub refresh_token: String,
    pub user: UserView,
}

/// Always `Bearer`.
#[derive(Debug, Serialize, ToSchema)]
pub enum TokenType {
    Bearer,
}

impl From<Session> for TokenResponse {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            token_type: TokenType::Bearer,
            expires_in: s.expires_in,
            refresh_token: s.refresh_token,
            user: s.user.into(),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Invalid(fields) => ApiError::validation(
                fields
                    .into_iter()
                    .map(|(field, message)| platform::problem::FieldError {
                        field: field.into(),
                        message,
                    })
                    .collect(),
            ),
            AuthError::Taken(fields) => {
                let mut error = ApiError::conflict(
                    "already_taken",
                    "An account with this username or email already exists.",
                );
                for field in fields {
                    let name = match field {
                        Taken::Username => "username",
                        Taken::Email => "email",
                    };
                    error = error.with_field(name, "is already taken");
                }
                error
            }
            AuthError::BadCredentials => {
                ApiError::unauthorized("invalid_credentials", "Wrong login or password.")
            }
            AuthError::Throttled(seconds) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                "Too many attempts",
            )
            .with_detail(format!("Try again in {seconds} seconds."))
            .with_retry_after(seconds),
            AuthError::InvalidRefreshToken => ApiError::unauthorized(
                "invalid_refresh_token",
                "The refresh token is unknown, expired or revoked.",
            ),
            AuthError::RefreshTokenReused => ApiError::unauthorized(
                "refresh_token_reused",
                "This refresh token was already used; the session has been ended. Log in again.",
            ),
            AuthError::UnknownUser => {
                ApiError::unauthorized("invalid_token", "The account no longer exists.")
            }
            AuthError::Throttle(e) => {
                tracing::error!(error = %e, "login throttle unavailable");
                ApiError::unavailable(
                    "throttle_unavailable",
                    "Logins are paused; try again shortly.",
                )
                .with_retry_after(5)
            }
            other @ (AuthError::Store(_) | AuthError::Hash(_) | AuthError::Sign(_)) => {
                ApiError::internal(other)
            }
        }
    }
}
