//! The platform every CodeArena service stands on.
//!
//! A service crate is a library that builds an axum `Router`; this crate gives it the rest:
//! layered configuration ([`config`]), JSON logs and optional OpenTelemetry export
//! ([`telemetry`]), one Prometheus recorder per process ([`metrics`]), `/healthz` and
//! `/readyz` ([`health`]), serving with request ids and graceful shutdown ([`http`]),
//! `application/problem+json` errors ([`problem`]), request extractors ([`extract`]),
//! the authenticated-user extractor with its token verifiers ([`auth`]) and what every
//! service's OpenAPI document shares ([`openapi`]). Services are built on an [`Infra`]
//! (embedded or cluster: [`infra`]) and hand back [`ServiceParts`] ([`service`]); durable
//! messaging is in [`messaging`], live fan-out of events between processes in [`bus`],
//! durable streams read by consumer groups in [`streams`], shared blobs in [`blobs`];
//! TLS to the stores, with a custom CA per store, is set up in [`tls`].

pub mod auth;
pub mod blobs;
pub mod bus;
pub mod clock;
pub mod config;
pub mod db;
pub mod extract;
pub mod health;
pub mod http;
pub mod infra;
pub mod messaging;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod redis;
pub mod service;
pub mod shutdown;
pub mod streams;
pub mod telemetry;
pub mod tls;

pub use infra::Infra;
pub use problem::ApiError;
pub use service::{ServiceParts, StartError};
