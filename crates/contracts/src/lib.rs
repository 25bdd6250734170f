//! The contracts between CodeArena services.
//!
//! Anything that crosses a process boundary — an HTTP body one service reads from another,
//! a message on a queue, an event on a channel — is defined here once, so that producer and
//! consumer cannot drift apart. Names of queues, exchanges, streams and channels are
//! constants in [`names`]; deployments add their own prefix to them (see
//! [`names::prefixed`]) so that two deployments, or two tests, can share one broker.

pub mod auth;
pub mod battle;
pub mod execution;
pub mod names;
pub mod rating;
pub mod realtime;
pub mod verdict;
