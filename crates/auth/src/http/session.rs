//! `POST /refresh`, `POST /logout`, `GET /verify`.

use axum::Json as JsonBody;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use contracts::auth::{HEADER_USER_ID, HEADER_USERNAME, Identity};
use platform::ApiError;
use platform::auth::{AuthUser, AuthUserErrors};
use platform::extract::{Json, JsonErrors};
use serde::Deserialize;
use utoipa::ToSchema;

use super::account::tokens;
use super::{AppState, TokenResponse};

#[derive(Deserialize, ToSchema)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// Exchange a refresh token for new tokens (rotation)
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens; the presented refresh token is now spent", body = TokenResponse),
        JsonErrors,
        (status = 401, description = "`invalid_refresh_token`, or `refresh_token_reused` (the session is revoked)"),
        (status = 500, description = "`internal`"),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> Result<Response, ApiError> {
    let session = state.auth.refresh(&body.refresh_token).await?;
    Ok(tokens(StatusCode::OK, session.into()))
}

/// End the caller's session
///
/// Ends its refresh token and every access token issued in it.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Session ended"),
        AuthUserErrors,
        (status = 500, description = "`internal`"),
    )
)]
#[tracing::instrument(skip_all, fields(user_id = %identity.user_id))]
pub async fn logout(
    State(state): State<AppState>,
    AuthUser(identity): AuthUser,
) -> Result<StatusCode, ApiError> {
    state.auth.logout(identity.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Check an access token (service-to-service, nginx auth_request)
#[utoipa::path(
    get,
    path = "/api/auth/verify",
    security(("bearer" = [])),
    responses(
        (
            status = 200,
            description = "Valid; also sent as X-User-Id and X-Username headers",
            body = Identity,
            headers(
                ("x-user-id" = uuid::Uuid, description = "The user's id"),
                ("x-username" = String, description = "The user's name"),
            ),
        ),
        AuthUserErrors,
    )
)]
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
