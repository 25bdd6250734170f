//! Behavioural suites that every implementation of a storage trait must pass: the same
//! test bodies run against SQLite and PostgreSQL ([`store`]) and against the in-process
//! and Redis login throttles ([`throttle`]).

mod store;
mod throttle;
