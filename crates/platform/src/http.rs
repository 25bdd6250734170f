//! Serving a service: bind (port 0 in tests), wrap the router in the layers every service
//! has, run until the shutdown token is cancelled.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::extract::TrustForwardedFor;
use crate::health::{self, ReadinessCheck};
use crate::problem::ApiError;
use crate::shutdown::Shutdown;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every service router gets around it.
pub struct Layers {
    pub readiness: Vec<Arc<dyn ReadinessCheck>>,
    pub trust_forwarded_for: bool,
    /// What answers a request no route matches (embedded mode: the web app); without one,
    /// the [`no_such_route`] problem.
    pub fallback: Option<Router>,
}

/// Adds `/healthz`, `/readyz`, `/metrics`, problem+json for unknown routes (or the given
/// fallback) and methods, request ids (taken from `X-Request-Id` or made), a span per
/// request, HTTP metrics, and a 500 problem for a panicking handler.
pub fn finish(app: Router, layers: Layers) -> Router {
    crate::metrics::handle();
    let app = app.merge(health::router(layers.readiness));
    let app = match layers.fallback {
        Some(fallback) => app.fallback_service(fallback),
        None => app.fallback(not_found),
    };
    app.method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(crate::metrics::track_http))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("handler panicked").into_response()
        }))
        .layer(axum::Extension(TrustForwardedFor(
            layers.trust_forwarded_for,
        )))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(make_span)
                .on_request(())
                .on_response(on_response),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

fn make_span(request: &Request) -> Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str())
        .unwrap_or("unmatched");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        route,
        request_id,
    )
}

fn on_response(response: &Response, latency: std::time::Duration, _span: &Span) {
    tracing::info!(
        status = response.status().as_u16(),
        latency_ms = latency.as_secs_f64() * 1000.0,
        "response"
    );
}

/// The answer to a path no route serves.
pub fn no_such_route() -> ApiError {
    ApiError::not_found("No such route.")
}

async fn not_found() -> ApiError {
    no_such_route()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
    )
}

/// A bound listener, ready to serve.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Server {
    /// Binds `host:port`; port 0 picks a free port (tests).
    pub async fn bind(host: &str, port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind((host, port)).await?;
        let addr = listener.local_addr()?;
        Ok(Self { listener, addr })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` is cancelled, then lets in-flight requests finish.
    pub async fn run_until_stopped(self, app: Router, shutdown: Shutdown) -> std::io::Result<()> {
        tracing::info!(addr = %self.addr, "listening");
        axum::serve(
            self.listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
    }
}
