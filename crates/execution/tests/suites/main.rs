//! Behavioural suites for the execution service's infrastructure traits: every test body
//! runs against the in-process implementation and the real one (Redis, RabbitMQ).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod broker;
mod store;
