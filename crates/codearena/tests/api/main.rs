//! End-to-end tests of the `codearena` program over HTTP: each test starts the real
//! application (as the binary composes it) on port 0, in embedded mode (SQLite, in-process
//! counters) and as the auth service alone on PostgreSQL and Redis, and talks to it like a
//! client would.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod arena;
mod auth;
mod binary;
mod durability;
mod execution;
mod health;
mod helpers;
mod verifier;
