//! Behavioural suites that every implementation of a storage trait must pass: the same
//! test bodies run against SQLite and PostgreSQL ([`store`]).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod store;
