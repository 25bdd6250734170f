//! The rating service's suites: the store against SQLite and PostgreSQL ([`store`]), the
//! leaderboard in memory and on Redis ([`leaderboard`]), and finished battles applied
//! exactly once by consumers of the results stream ([`exactly_once`]).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;
mod exactly_once;
mod leaderboard;
mod repair;
mod store;
