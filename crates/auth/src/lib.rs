//! The auth service (:3001): owns `users` and `refresh_tokens`.
//!
//! Registration and login hand out a short JWT access token (HS256) and an opaque refresh
//! token. A login starts a session; refreshing rotates the refresh token within the
//! session, and presenting an already-rotated token revokes the session (it was copied).
//! Logout ends the session, and with it every access token issued in it: `verify` checks
//! the session as well as the signature.
//!
//! The crate is a library: [`AuthService`] holds the logic over a [`UserStore`] and a
//! [`LoginThrottle`]; [`http::router`] puts it behind HTTP; [`parts`] builds both over the
//! mode's infrastructure: SQLite and in-process counters (embedded) or PostgreSQL and
//! Redis (cluster).

pub mod domain;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
mod parts;
pub mod password;
pub mod secret;
pub mod service;
pub mod settings;
pub mod store;
pub mod throttle;
pub mod tokens;

pub use parts::{AuthParts, parts};
pub use service::{AuthError, AuthService};
pub use settings::AuthSettings;
pub use store::{PostgresUserStore, SqliteUserStore, UserStore};
pub use throttle::{LoginThrottle, MemoryThrottle, RedisThrottle};
