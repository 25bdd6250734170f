//! `POST /refresh`, `POST /logout`, `GET /verify`.

use axum::Json as JsonBody;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use contracts::auth::{HEADER_USER_ID, HEADER_USERNAME};
use platform::ApiError;
use platform::auth::AuthUser;
use platform::extract::Json;
use serde::Deserialize;

use super::AppState;
use super::account::tokens;

#[derive(Deserialize)]
pub struct RefreshRequest {
    refresh_token: String,
}

#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<Response, ApiError> {
    let session = state.auth.refresh(&body.refresh_token).await?;
    Ok(tokens(StatusCode::OK, session.into()))
}

/// Ends the caller's session: its refresh token and every access token issued in it.
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn logout(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<StatusCode, ApiError> {
    state.auth.logout(identity.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 200 with the identity (and `X-User-Id`/`X-Username` for nginx `auth_request`), or 401.
pub async fn verify(AuthUser(identity): AuthUser) -> Response {
    let mut response = JsonBody(&identity).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&identity.user_id.to_string()) {
        headers.insert(HeaderName::from_static(HEADER_USER_ID), value);
    }
    if let Ok(value) = HeaderValue::from_str(&identity.username) {
        headers.insert(HeaderName::from_static(HEADER_USERNAME), value);
    }
    response
}
