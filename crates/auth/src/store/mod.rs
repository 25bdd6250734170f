//! Where users and refresh tokens live: the [`UserStore`] trait, with PostgreSQL (cluster)
//! and SQLite (embedded) implementations that share one body of SQL ([`sql`]) and pass
//! one behavioural suite (`tests/suites/store.rs`).

mod postgres;
mod sql;
mod sqlite;

pub use postgres::PostgresUserStore;
pub use sqlite::SqliteUserStore;

use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub created_at: OffsetDateTime,
}

/// A user with the password hash, only for checking a login.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: [u8; 32],
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What presenting a refresh token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// The token was live; it is now replaced by the new one, in the same session.
    Rotated { user: User, session_id: Uuid },
    /// The token had already been replaced: it was stolen or replayed. The whole session
    /// is now revoked.
    Reused { session_id: Uuid },
    /// Unknown, expired, or revoked.
    Invalid,
}

/// Which unique field a new user collided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Username,
    Email,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already taken: {0:?}")]
    Taken(Vec<Taken>),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

#[async_trait::async_trait]
pub trait UserStore: Send + Sync {
    /// Inserts the user, or fails with [`StoreError::Taken`] naming every field in use
    /// (case-insensitively).
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError>;

    /// The user whose username or email equals `login`, ignoring case.
    async fn credentials_by_login(&self, login: &str) -> Result<Option<Credentials>, StoreError>;

    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError>;

    /// Starts a session with its first refresh token.
    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError>;

    /// Atomically replaces the live token with hash `presented` by `next` (whose
    /// `family_id` and `user_id` are taken from the presented token), or detects reuse.
    async fn rotate_refresh_token(
        &self,
        presented: &[u8; 32],
        next: &NewRefreshToken,
    ) -> Result<Rotation, StoreError>;

    /// Revokes every token of the session; false if it was not active.
    async fn revoke_session(
        &self,
        session_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Whether the session still has a token that is not revoked.
    async fn session_active(&self, session_id: Uuid) -> Result<bool, StoreError>;
}
