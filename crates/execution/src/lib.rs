//! The execution service (:3003): runs code in the sandbox, behind a durable queue.
//!
//! - [`http`]: `POST /api/execution/run` (a player's "Run" on custom input),
//!   `POST /api/execution/judge` (a submission against a problem package, for the battle
//!   service), `GET /api/execution/jobs/{id}` (with bounded long-poll),
//!   `GET /api/execution/languages`.
//! - [`queue`]: [`queue::JobQueue`], jobs and results on the message broker (RabbitMQ or
//!   in-process).
//! - [`store`]: job records, results, per-user caps (Redis or in-process).
//! - [`worker`]: takes jobs, judges them in the sandbox, stores and publishes results.
//! - [`package`]: publishing problem packages (the judge's archive format) by content
//!   hash.
//! - [`parts`]: all of it over the mode's infrastructure.

pub mod engine;
pub mod http;
pub mod metrics;
pub mod package;
mod parts;
pub mod queue;
pub mod service;
pub mod settings;
pub mod store;
pub mod worker;

pub use parts::{ExecutionParts, parts};
pub use settings::ExecutionSettings;
