//! Who is calling: the [`AuthUser`] extractor and the token verifiers behind it.
//!
//! A service never decodes tokens itself. In cluster mode it asks the auth service's
//! `GET /api/auth/verify` ([`RemoteVerifier`], with a short bounded cache); in embedded mode
//! the auth library verifies in-process. Both implement [`TokenVerifier`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use contracts::auth::Identity;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The token is malformed, forged, expired or its session has ended.
    #[error("the access token is not valid")]
    Invalid,
    /// The verifier could not decide (auth service down); not the client's fault.
    #[error("cannot verify the token now: {0}")]
    Unavailable(Box<dyn std::error::Error + Send + Sync>),
}

#[async_trait::async_trait]
pub trait TokenVerifier: Send + Sync {
    async fn verify(&self, token: &str) -> Result<Identity, VerifyError>;
}

pub type SharedVerifier = Arc<dyn TokenVerifier>;

/// The bearer token of a request, if it has one.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The authenticated caller. Rejects with 401 problem+json (and `WWW-Authenticate`), or 503
/// when the token cannot be checked right now.
#[derive(Debug, Clone)]
pub struct AuthUser(pub Identity);

pub struct AuthRejection(ApiError);

/// The answers of [`AuthUser`] when it refuses a request, for a handler's `responses(...)`
/// in the OpenAPI document (see [`crate::openapi`]).
#[derive(utoipa::IntoResponses)]
pub enum AuthUserErrors {
    #[response(status = 401, description = "`missing_token` or `invalid_token`")]
    Unauthorized,
    #[response(status = 503, description = "`auth_unavailable`; see `Retry-After`")]
    Unavailable,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let unauthorized = self.0.status == axum::http::StatusCode::UNAUTHORIZED;
        let mut response = self.0.into_response();
        if unauthorized {
            response
                .headers_mut()
                .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    SharedVerifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = SharedVerifier::from_ref(state);
        authenticate(verifier.as_ref(), bearer_token(&parts.headers))
            .await
            .map(AuthUser)
            .map_err(|failure| AuthRejection(failure.into()))
    }
}

/// Why a caller could not be identified.
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    #[error("no access token was sent")]
    Missing,
    #[error("the access token is invalid, expired or revoked")]
    Invalid,
    /// Not the caller's fault: the auth service could not be asked.
    #[error("credentials cannot be checked now")]
    Unavailable,
}

impl AuthFailure {
    /// The stable code clients branch on, over HTTP and over sockets alike.
    pub fn code(&self) -> &'static str {
        match self {
            AuthFailure::Missing => "missing_token",
            AuthFailure::Invalid => "invalid_token",
            AuthFailure::Unavailable => "auth_unavailable",
        }
    }
}

impl From<AuthFailure> for ApiError {
    fn from(failure: AuthFailure) -> Self {
        match failure {
            AuthFailure::Missing => ApiError::unauthorized(
                failure.code(),
                "Send an access token as `Authorization: Bearer <token>`.",
            ),
            AuthFailure::Invalid => ApiError::unauthorized(
                failure.code(),
                "The access token is invalid, expired or revoked.",
            ),
            AuthFailure::Unavailable => {
                ApiError::unavailable(failure.code(), "Cannot check credentials now.")
                    .with_retry_after(1)
            }
        }
    }
}

/// The identity behind `token`, outside any HTTP request: what the `AuthUser` extractor
/// and the Socket.IO handshake (token in its `auth` payload) both use.
pub async fn authenticate(
    verifier: &dyn TokenVerifier,
    token: Option<&str>,
) -> Result<Identity, AuthFailure> {
    let token = token.map(str::trim).filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(AuthFailure::Missing);
    };
    match verifier.verify(token).await {
        Ok(identity) => Ok(identity),
        Err(VerifyError::Invalid) => Err(AuthFailure::Invalid),
        Err(VerifyError::Unavailable(reason)) => {
            tracing::warn!(%reason, "token verification unavailable");
            Err(AuthFailure::Unavailable)
        }
    }
}

/// Asks the auth service's verify endpoint, remembering answers briefly.
pub struct RemoteVerifier {
    client: reqwest::Client,
    verify_url: String,
    cache: VerifyCache,
}

impl RemoteVerifier {
    /// `auth_base_url` is where the auth service answers, e.g. `http://auth:3001`.
    pub fn new(auth_base_url: &str, cache: CacheSettings) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .connect_timeout(Duration::from_secs(1))
            .build()?;
        Ok(Self {
            client,
            verify_url: format!("{}/api/auth/verify", auth_base_url.trim_end_matches('/')),
            cache: VerifyCache::new(cache),
        })
    }
}

#[async_trait::async_trait]
impl TokenVerifier for RemoteVerifier {
    async fn verify(&self, token: &str) -> Result<Identity, VerifyError> {
        // Not even shaped like a JWT: no need to ask, nor to fill the cache with it.
        if !looks_like_jwt(token) {
            return Err(VerifyError::Invalid);
        }
        let key = VerifyCache::key(token);
        if let Some(answer) = self.cache.get(&key) {
            return answer.ok_or(VerifyError::Invalid);
        }
        let response = self
            .client
            .get(&self.verify_url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| VerifyError::Unavailable(e.into()))?;
        match response.status().as_u16() {
            200 => {
                let identity: Identity = response
                    .json()
                    .await
                    .map_err(|e| VerifyError::Unavailable(e.into()))?;
                self.cache.put(key, Some(identity.clone()));
                Ok(identity)
            }
            401 => {
                self.cache.put(key, None);
                Err(VerifyError::Invalid)
            }
            other => Err(VerifyError::Unavailable(
                format!("the auth service answered {other}").into(),
            )),
        }
    }
}

/// Largest token worth sending to the auth service.
const MAX_TOKEN_BYTES: usize = 4096;

fn looks_like_jwt(token: &str) -> bool {
    token.len() <= MAX_TOKEN_BYTES
        && token.split('.').count() == 3
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// How long and how many verify answers are remembered.
#[derive(Debug, Clone, Copy)]
pub struct CacheSettings {
    pub capacity: usize,
    /// How long a valid token's identity is reused: a logout takes at most this long to
    /// reach services that use this cache.
    pub ttl: Duration,
    /// How long a rejected token stays rejected without asking again.
    pub negative_ttl: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            capacity: 10_000,
            ttl: Duration::from_secs(15),
            negative_ttl: Duration::from_secs(5),
        }
    }
}

/// A bounded map from token hash to a value with an expiry (Unix seconds).
struct Bounded<T> {
    capacity: usize,
    entries: Mutex<HashMap<[u8; 32], (T, f64)>>,
}

impl<T: Clone> Bounded<T> {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, key: &[u8; 32], now: f64) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(value, _)| value.clone())
    }

    fn put(&self, key: [u8; 32], value: T, expires: f64, now: f64) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            entries.retain(|_, (_, e)| *e > now);
            if entries.len() >= self.capacity {
                // Still full of live entries: drop those closest to expiry (about half).
                let mut expiries: Vec<f64> = entries.values().map(|(_, e)| *e).collect();
                expiries.sort_by(f64::total_cmp);
                let median = expiries[expiries.len() / 2];
                entries.retain(|_, (_, e)| *e > median);
            }
        }
        entries.insert(key, (value, expires));
    }

    fn remove(&self, key: &[u8; 32]) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }

    fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Verify answers by SHA-256 of the token, so the cache never holds a usable credential.
/// Valid and rejected tokens are kept apart, each bounded: a flood of bad tokens can fill
/// only the smaller rejected side, never push out the identities of real users.
pub struct VerifyCache {
    settings: CacheSettings,
    valid: Bounded<Identity>,
    rejected: Bounded<()>,
}

impl VerifyCache {
    pub fn new(settings: CacheSettings) -> Self {
        Self {
            settings,
            valid: Bounded::new(settings.capacity),
            rejected: Bounded::new(settings.capacity / 4),
        }
    }

    pub fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// `Some(Some(identity))` valid, `Some(None)` rejected, `None` unknown.
    pub fn get(&self, key: &[u8; 32]) -> Option<Option<Identity>> {
        let now = now_secs();
        if let Some(identity) = self.valid.get(key, now) {
            return Some(Some(identity));
        }
        self.rejected.get(key, now).map(|()| None)
    }

    pub fn put(&self, key: [u8; 32], answer: Option<Identity>) {
        let now = now_secs();
        match answer {
            Some(identity) => {
                // Never past the token's own expiry.
                let expires =
                    (now + self.settings.ttl.as_secs_f64()).min(identity.expires_at as f64);
                self.rejected.remove(&key);
                self.valid.put(key, identity, expires, now);
            }
            None => {
                let expires = now + self.settings.negative_ttl.as_secs_f64();
                self.rejected.put(key, (), expires, now);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.valid.len() + self.rejected.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn identity(expires_in: i64) -> Identity {
        Identity {
            user_id: Uuid::now_v7(),
            username: "ada".into(),
            session_id: Uuid::now_v7(),
            expires_at: now_secs() as i64 + expires_in,
        }
    }

    #[test]
    fn bearer_token_is_read_case_insensitively_and_empty_is_none() {
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, HeaderValue::from_static("bearer abc.def"));
        assert_eq!(bearer_token(&headers), Some("abc.def"));
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn cache_never_holds_more_than_its_capacity() {
        let cache = VerifyCache::new(CacheSettings {
            capacity: 100,
            ..CacheSettings::default()
        });
        for i in 0..1_000 {
            cache.put(VerifyCache::key(&format!("t{i}")), Some(identity(3600)));
            assert!(cache.len() <= 100);
        }
        let latest = VerifyCache::key("t999");
        assert!(
            cache.get(&latest).is_some(),
            "the newest entry survives eviction"
        );
    }

    #[test]
    fn cached_identity_expires_with_its_token() {
        let cache = VerifyCache::new(CacheSettings::default());
        let key = VerifyCache::key("expired");
        cache.put(key, Some(identity(-1)));
        assert_eq!(cache.get(&key), None);
    }

    #[tokio::test]
    async fn malformed_tokens_are_refused_without_asking() {
        // Nothing listens on port 9: asking would answer Unavailable, not Invalid.
        let verifier = RemoteVerifier::new("http://127.0.0.1:9", CacheSettings::default()).unwrap();
        for token in [
            "garbage",
            "a.b",
            "a.b.c.d",
            "a.b.c d",
            &"x.y.z".repeat(2000),
        ] {
            assert!(
                matches!(verifier.verify(token).await, Err(VerifyError::Invalid)),
                "{token}"
            );
        }
        assert!(verifier.cache.is_empty());
    }

    #[test]
    fn a_flood_of_rejected_tokens_does_not_push_out_valid_ones() {
        let cache = VerifyCache::new(CacheSettings {
            capacity: 100,
            ..CacheSettings::default()
        });
        let valid = VerifyCache::key("valid");
        cache.put(valid, Some(identity(3600)));
        for i in 0..10_000 {
            cache.put(VerifyCache::key(&format!("junk{i}")), None);
        }
        assert!(matches!(cache.get(&valid), Some(Some(_))));
        assert!(cache.len() <= 100 + 25);
    }

    #[test]
    fn negative_answers_are_cached() {
        let cache = VerifyCache::new(CacheSettings::default());
        let key = VerifyCache::key("bad");
        cache.put(key, None);
        assert_eq!(cache.get(&key), Some(None));
    }
}
