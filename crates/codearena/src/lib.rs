//! The `codearena` program, as a library so tests start exactly what the binary starts.
//!
//! This is the composition root, and the only place that knows every service: each
//! service crate exposes `parts(settings, &Infra, …)` and knows nothing of the others;
//! here they are given their infrastructure and the clients of the services they call.
//!
//! - [`settings`]: the whole configuration, one section per service.
//! - [`embedded`]: every service in one process on SQLite and in-process queues (:8083).
//! - [`cluster`]: one service on its own, on PostgreSQL, Redis and RabbitMQ (the spec's
//!   layout).
//! - [`web`]: the web app compiled into the binary, served in embedded mode (nginx serves
//!   it in cluster mode).
//! - [`openapi`]: the services' OpenAPI documents, as `codearena openapi` writes them.

pub mod battle_log;
pub mod cluster;
pub mod embedded;
pub mod judging;
pub mod openapi;
pub mod problems;
pub mod ratings;
pub mod settings;
pub mod web;

pub use settings::Settings;

use std::sync::Arc;

use axum::Router;
use platform::http::{self, Layers};
use platform::{Infra, ServiceParts};
use tokio::task::JoinHandle;

/// A composed application, ready to serve.
pub struct App {
    /// Every route of its services, with health, metrics, request ids and problem+json
    /// around them.
    pub router: Router,
    /// Workers and consumers; they finish after shutdown, once their work in hand is
    /// settled.
    pub background: Vec<JoinHandle<()>>,
    /// What the services run on.
    pub infra: Arc<Infra>,
}

impl App {
    /// Serves `parts` with the readiness checks of their own and of the infrastructure
    /// they connected to; `fallback` answers what no route matches (embedded mode: the
    /// web app), or a problem+json 404 without one.
    fn new(
        infra: Infra,
        parts: ServiceParts,
        settings: &Settings,
        fallback: Option<Router>,
    ) -> Self {
        let mut readiness = infra.readiness();
        readiness.extend(parts.readiness);
        let router = http::finish(
            parts.router,
            Layers {
                readiness,
                trust_forwarded_for: settings.http.trust_forwarded_for,
                fallback,
            },
        );
        Self {
            router,
            background: parts.background,
            infra: Arc::new(infra),
        }
    }
}
