//! `POST /register`, `POST /login`, `GET /me`.

use axum::Json as JsonBody;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::ApiError;
use platform::auth::{AuthUser, AuthUserErrors};
use platform::extract::{ClientAddr, Json, JsonErrors};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{AppState, TokenResponse, UserView};

// The limits are `crate::domain`'s; a test in `openapi.rs` keeps them equal.
#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(pattern = "^[A-Za-z0-9_-]{3,32}$")]
    username: String,
    #[schema(format = Email, max_length = 254)]
    email: String,
    #[schema(min_length = 8, max_length = 128)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Username or email.
    login: String,
    password: String,
}

/// Create an account and start a session
#[utoipa::path(
    post,
    path = "/api/auth/register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = TokenResponse),
        JsonErrors,
        (status = 409, description = "`already_taken`: username or email in use"),
        (status = 422, description = "`validation_failed` or `invalid_body`"),
        (status = 429, description = "`too_many_attempts`: too many accounts from this address; see `Retry-After`"),
        (status = 500, description = "`internal`"),
        (status = 503, description = "`throttle_unavailable`; see `Retry-After`"),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<RegisterRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .auth
        .register(&body.username, &body.email, &body.password, client)
        .await?;
    Ok(tokens(StatusCode::CREATED, session.into()))
}

/// Log in with username or email
#[utoipa::path(
    post,
    path = "/api/auth/login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        JsonErrors,
        (status = 401, description = "`invalid_credentials`"),
        (status = 429, description = "`too_many_attempts`; see `Retry-After`"),
        (status = 500, description = "`internal`"),
        (status = 503, description = "`throttle_unavailable`; see `Retry-After`"),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let session = state
        .auth
        .login(&body.login, &body.password, client)
        .await?;
    Ok(tokens(StatusCode::OK, session.into()))
}

/// The caller's account
#[utoipa::path(
    get,
    path = "/api/auth/me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserView),
        AuthUserErrors,
        (status = 500, description = "`internal`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn me(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<JsonBody<UserView>, ApiError> {
    Ok(JsonBody(state.auth.user(identity.user_id).await?.into()))
}

/// Token responses must not be cached anywhere (RFC 6749 §5.1).
pub(super) fn tokens(status: StatusCode, body: TokenResponse) -> Response {
    let mut response = (status, JsonBody(body)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
