//! `POST /register`, `POST /login`, `GET /me`.

use axum::Json as JsonBody;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use platform::ApiError;
use platform::auth::AuthUser;
use platform::extract::{ClientAddr, Json};
use serde::Deserialize;

use super::{AppState, TokenResponse, UserView};

#[derive(Deserialize)]
pub struct RegisterRequest {
    username: String,
    email: String,
    password: String,
}

#[derive(Deserialize)]
pub struct LoginRequest {
    /// Username or email.
    login: String,
    password: String,
}

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
