//! Request extractors whose rejections are problem+json like every other error.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use futures_util::StreamExt;
use tokio::sync::Mutex;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// `axum::Json`, but a body that is too large, not JSON, or of the wrong shape is answered
/// with problem+json (413 `payload_too_large`, 415 `unsupported_media_type`, 400
/// `malformed_json`, 422 `invalid_body`).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // The body is read through a handle this extractor keeps: when it is refused as too
        // large, the rest of what the client sends is read and thrown away before the 413
        // goes out. Otherwise the connection would be closed with unread data, the kernel
        // would reset it, and the client could lose the answer.
        let (parts, body) = req.into_parts();
        let source = Arc::new(Mutex::new(body.into_data_stream()));
        let reader = futures_util::stream::unfold(source.clone(), |source| async move {
            let next = source.lock().await.next().await;
            next.map(|chunk| (chunk, source))
        });
        let req = Request::from_parts(parts, Body::from_stream(reader));
        let error = match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => return Ok(Json(value)),
            Err(rejection) => json_rejection(rejection),
        };
        if error.status == StatusCode::PAYLOAD_TOO_LARGE {
            discard_rest(&source).await;
        }
        Err(error)
    }
}

/// At most this much of a refused body is read and discarded, for at most this long;
/// beyond, the connection is closed.
const DISCARD_BYTES: usize = 8 << 20;
const DISCARD_TIME: Duration = Duration::from_secs(2);

async fn discard_rest(source: &Mutex<BodyDataStream>) {
    let mut stream = source.lock().await;
    let mut read = 0;
    let _ = tokio::time::timeout(DISCARD_TIME, async {
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len();
            if read > DISCARD_BYTES {
                break;
            }
        }
    })
    .await;
}

/// The answers of [`Json`] to a body it refuses, for a handler's `responses(...)` in the
/// OpenAPI document (see [`crate::openapi`]).
#[derive(utoipa::IntoResponses)]
pub enum JsonErrors {
    #[response(status = 400, description = "`malformed_json` or `unreadable_body`")]
    Malformed,
    #[response(status = 413, description = "`payload_too_large`")]
    TooLarge,
    #[response(status = 415, description = "`unsupported_media_type`")]
    NotJson,
    #[response(status = 422, description = "`invalid_body`")]
    WrongFields,
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let detail = rejection.body_text();
    match rejection {
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "The body does not have the expected fields",
        )
        .with_detail(detail),
        JsonRejection::JsonSyntaxError(_) => ApiError::bad_request("malformed_json", detail),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is too large",
        ),
        other => ApiError::bad_request("unreadable_body", other.body_text()),
    }
}

/// `axum::extract::Query`, but a query string that does not parse is a 400 problem
/// (`invalid_query`).
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(ApiError::bad_request(
                "invalid_query",
                rejection.body_text(),
            )),
        }
    }
}

/// Whether `X-Forwarded-For` may be believed; a request extension set by the server.
#[derive(Debug, Clone, Copy)]
pub struct TrustForwardedFor(pub bool);

/// The client's IP address: the peer address, or behind a trusted proxy the address the
/// proxy appended last to `X-Forwarded-For` (the one a client cannot forge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let trusted = parts
            .extensions
            .get::<TrustForwardedFor>()
            .is_some_and(|t| t.0);
        if trusted {
            // Only the last hop was written by our proxy; earlier ones are the client's word.
            let entries: Vec<&str> = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .collect();
            let forwarded = entries.last().and_then(|s| s.trim().parse::<IpAddr>().ok());
            if let Some(ip) = forwarded {
                return Ok(ClientAddr(ip));
            }
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(ClientAddr(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;

    /// A body over the limit gets its 413 problem every time: the server reads the rest
    /// before answering, so the connection is not reset under the client.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_over_the_limit_is_answered_not_reset() {
        async fn echo(Json(v): Json<serde_json::Value>) -> axum::Json<serde_json::Value> {
            axum::Json(v)
        }
        let app = Router::new()
            .route("/x", post(echo))
            .layer(DefaultBodyLimit::max(128 * 1024));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let client = reqwest::Client::new();
        let body = serde_json::json!({ "source": "#".repeat(1 << 20) }).to_string();
        let mut tasks = Vec::new();
        for _ in 0..24 {
            let (client, body) = (client.clone(), body.clone());
            tasks.push(tokio::spawn(async move {
                let response = client
                    .post(format!("http://{addr}/x"))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("an answer, not a reset connection");
                let status = response.status();
                let problem: serde_json::Value = response.json().await.unwrap();
                (
                    status,
                    problem["code"].as_str().unwrap_or_default().to_owned(),
                )
            }));
        }
        for task in tasks {
            let (status, code) = task.await.unwrap();
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
            assert_eq!(code, "payload_too_large");
        }
    }
}
