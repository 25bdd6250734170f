//! Behavioural suites for the platform's infrastructure traits: every test body runs
//! against the in-process implementation and the real one (Redis, RabbitMQ); then TLS to each store.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod blobs;
mod bus;
mod messaging;
mod streams;
mod tls;
