//! Behavioural suites for the platform's infrastructure traits: every test body runs
//! against the in-process implementation and the real one (Redis).

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod bus;
