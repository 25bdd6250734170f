//! The battle service: the problem catalogue, matchmaking, the battle itself (a state
//! machine in the database), submissions and their judging, and the battle's events.
//!
//! - [`catalogue`]: the problem packages, loaded at start and stored for the workers;
//! - [`model`] and [`rules`]: a battle and the game's rules as pure functions;
//! - [`store`]: [`BattleStore`] on PostgreSQL and SQLite (one SQL text, one suite);
//! - [`service`]: [`BattleService`], commands and queries, no HTTP;
//! - [`matchmaker`]: rating windows and pairing;
//! - [`workers`]: the clock, the results subscription, matchmaking rounds, the outbox relay;
//! - [`clients`]: what it needs of execution ([`Judging`]) and rating ([`Ratings`]);
//! - [`http`]: the API under `/api/battle`; [`parts`]: all of it over an `Infra`.

pub mod catalogue;
pub mod clients;
pub mod http;
pub mod matchmaker;
pub mod metrics;
pub mod model;
mod parts;
pub mod rules;
pub mod service;
pub mod settings;
pub mod store;
pub mod workers;

pub use clients::{FixedRatings, JudgeRequest, Judging, JudgingError, Ratings, RatingsError};
pub use parts::{BattleParts, parts};
pub use service::{BattleError, BattleService};
pub use settings::BattleSettings;
pub use store::{BattleStore, PostgresBattleStore, SqliteBattleStore, StoreError};
