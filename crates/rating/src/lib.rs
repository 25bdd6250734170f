//! The rating service: Elo applied exactly once per finished rated battle, the
//! leaderboard and each player's rating history.
//!
//! - [`elo`]: the formula and K, pure; [`model`]: standings, history rows, and
//!   [`model::settle`], what one battle changes;
//! - [`store`]: [`RatingStore`] on PostgreSQL and SQLite (one SQL text, one suite), whose
//!   `apply` is the exactly-once transaction;
//! - [`leaderboard`]: the ranked copy for reads (Redis sorted set, or in process);
//! - [`service`]: [`RatingService`], applying and querying, no HTTP;
//! - [`workers`]: the results-stream consumer, the `rating.updated` relay, upkeep;
//! - [`http`]: the API under `/api/rating`; [`parts`]: all of it over an `Infra`.

pub mod elo;
pub mod http;
pub mod leaderboard;
pub mod metrics;
pub mod model;
mod parts;
pub mod service;
pub mod settings;
pub mod store;
pub mod workers;

pub use parts::{RatingParts, parts};
pub use service::{RatingError, RatingService};
pub use settings::RatingSettings;
pub use store::{PostgresRatingStore, RatingStore, SqliteRatingStore, StoreError};
