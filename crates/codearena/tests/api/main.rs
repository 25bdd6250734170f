//! End-to-end tests of the `codearena` program over HTTP: each test starts the real
//! application (as the binary composes it) on port 0, in embedded mode (SQLite, in-process
//! queues) and in cluster mode (every service on its own port, on PostgreSQL, Redis and
//! RabbitMQ), and talks to it like a client would (see `app`).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod app;
mod auth;
mod battle;
mod battle_crash;
mod battle_refusals;
mod binary;
mod browser;
mod durability;
mod embedded_restart;
mod execution;
mod health;
mod helpers;
mod ingress;
mod rating;
mod rating_crash;
mod realtime;
mod shutdown;
mod verifier;
mod web;
