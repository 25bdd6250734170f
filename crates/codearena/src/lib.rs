//! The `codearena` program, as a library so tests start exactly what the binary starts.
//!
//! - [`settings`]: the whole configuration, one section per service.
//! - [`embedded`]: every service in one process on SQLite and in-process queues (:8083).
//! - [`cluster`]: one service on its own, on PostgreSQL and Redis (the spec's layout).

pub mod cluster;
pub mod embedded;
pub mod secret;
pub mod settings;

pub use settings::Settings;
