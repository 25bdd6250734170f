//! The one implementation of [`UserStore`](super::UserStore), for PostgreSQL and SQLite.
//!
//! Both databases are given the same schema shapes (UUIDs, Unix-second integers for
//! times, `lower(...)` unique indexes) so that every statement is written once, in the
//! SQL both speak: `$N` placeholders, `RETURNING`, `lower()` for case-insensitive matches.
//! sqlx's executor traits are unwieldy to write generically, so [`sql_user_store!`]
//! stamps this one body out for each pool type.

use time::OffsetDateTime;

use super::{StoreError, Taken};

pub(super) const FIND_CLASHES: &str = "SELECT lower(username) = lower($1) AS username, lower(email) = lower($2) AS email \
     FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2)";
pub(super) const INSERT_USER: &str = "INSERT INTO users (id, username, email, password_hash, created_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id, username, email, created_at";
pub(super) const CREDENTIALS_BY_LOGIN: &str = "SELECT id, username, email, created_at, password_hash FROM users \
     WHERE lower(username) = lower($1) OR lower(email) = lower($1) LIMIT 1";
pub(super) const USER_BY_ID: &str =
    "SELECT id, username, email, created_at FROM users WHERE id = $1";
pub(super) const INSERT_REFRESH_TOKEN: &str = "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";
/// The conditional update is the lock: of two concurrent refreshes with the same token,
/// exactly one sees the row still live (PostgreSQL's row lock; SQLite's write lock, which
/// the UPDATE takes at once).
pub(super) const REPLACE_LIVE_TOKEN: &str = "UPDATE refresh_tokens SET replaced_at = $2 \
     WHERE token_hash = $1 AND replaced_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
     RETURNING family_id, user_id";
pub(super) const FIND_TOKEN: &str = "SELECT family_id, replaced_at IS NOT NULL AS replaced FROM refresh_tokens WHERE token_hash = $1";
pub(super) const REVOKE_FAMILY: &str =
    "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL";
pub(super) const SESSION_ACTIVE: &str = "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL) AS active";

pub(super) fn from_unix(secs: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))
}

/// Reads which unique index a database error is about, from its constraint name or, where
/// the database gives none (SQLite), its message.
pub(super) fn taken_from(err: &sqlx::Error) -> Option<Taken> {
    let db = err.as_database_error()?;
    if !db.is_unique_violation() {
        return None;
    }
    let text = format!("{} {}", db.constraint().unwrap_or_default(), db.message());
    if text.contains("username") {
        Some(Taken::Username)
    } else if text.contains("email") {
        Some(Taken::Email)
    } else {
        None
    }
}

/// `impl UserStore for $store`, whose `pool` field is a sqlx pool.
macro_rules! sql_user_store {
    ($store:ty) => {
        fn user_from<R: sqlx::Row>(
            row: &R,
        ) -> Result<$crate::store::User, $crate::store::StoreError>
        where
            for<'r> uuid::Uuid: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
            for<'a> &'a str: sqlx::ColumnIndex<R>,
        {
            Ok($crate::store::User {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                email: row.try_get("email")?,
                created_at: $crate::store::sql::from_unix(row.try_get("created_at")?)?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::store::UserStore for $store {
            #[tracing::instrument(skip_all, fields(username = %user.username))]
            async fn create_user(
                &self,
                user: &$crate::store::NewUser,
            ) -> Result<$crate::store::User, $crate::store::StoreError> {
                use sqlx::Row;
                use $crate::store::{StoreError, Taken, sql};
                let clashes = sqlx::query(sql::FIND_CLASHES)
                    .bind(&user.username)
                    .bind(&user.email)
                    .fetch_all(&self.pool)
                    .await?;
                let mut taken = Vec::new();
                if clashes.iter().any(|r| r.get::<bool, _>("username")) {
                    taken.push(Taken::Username);
                }
                if clashes.iter().any(|r| r.get::<bool, _>("email")) {
                    taken.push(Taken::Email);
                }
                if !taken.is_empty() {
                    return Err(StoreError::Taken(taken));
                }
                let row = sqlx::query(sql::INSERT_USER)
                    .bind(user.id)
                    .bind(&user.username)
                    .bind(&user.email)
                    .bind(&user.password_hash)
                    .bind(user.created_at.unix_timestamp())
                    .fetch_one(&self.pool)
                    .await
                    // A concurrent registration can still win between the check and the
                    // insert.
                    .map_err(|e| match sql::taken_from(&e) {
                        Some(field) => StoreError::Taken(vec![field]),
                        None => StoreError::Database(e),
                    })?;
                user_from(&row)
            }

            #[tracing::instrument(skip_all)]
            async fn credentials_by_login(
                &self,
                login: &str,
            ) -> Result<Option<$crate::store::Credentials>, $crate::store::StoreError> {
                use sqlx::Row;
                let row = sqlx::query($crate::store::sql::CREDENTIALS_BY_LOGIN)
                    .bind(login)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => Ok(Some($crate::store::Credentials {
                        password_hash: row.try_get("password_hash")?,
                        user: user_from(&row)?,
                    })),
                    None => Ok(None),
                }
            }

            #[tracing::instrument(skip(self))]
            async fn user_by_id(
                &self,
                id: uuid::Uuid,
            ) -> Result<Option<$crate::store::User>, $crate::store::StoreError> {
                let row = sqlx::query($crate::store::sql::USER_BY_ID)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(user_from).transpose()
            }

            #[tracing::instrument(skip_all, fields(session = %token.family_id))]
            async fn insert_refresh_token(
                &self,
                token: &$crate::store::NewRefreshToken,
            ) -> Result<(), $crate::store::StoreError> {
                sqlx::query($crate::store::sql::INSERT_REFRESH_TOKEN)
                    .bind(token.id)
                    .bind(token.family_id)
                    .bind(token.user_id)
                    .bind(&token.token_hash[..])
                    .bind(token.created_at.unix_timestamp())
                    .bind(token.expires_at.unix_timestamp())
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            #[tracing::instrument(skip_all)]
            async fn rotate_refresh_token(
                &self,
                presented: &[u8; 32],
                next: &$crate::store::NewRefreshToken,
            ) -> Result<$crate::store::Rotation, $crate::store::StoreError> {
                use sqlx::Row;
                use $crate::store::{Rotation, sql};
                let now = next.created_at.unix_timestamp();
                let mut tx = self.pool.begin().await?;
                let live = sqlx::query(sql::REPLACE_LIVE_TOKEN)
                    .bind(&presented[..])
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(live) = live else {
                    let known = sqlx::query(sql::FIND_TOKEN)
                        .bind(&presented[..])
                        .fetch_optional(&mut *tx)
                        .await?;
                    let outcome = match known {
                        Some(row) if row.try_get::<bool, _>("replaced")? => {
                            let family: uuid::Uuid = row.try_get("family_id")?;
                            sqlx::query(sql::REVOKE_FAMILY)
                                .bind(family)
                                .bind(now)
                                .execute(&mut *tx)
                                .await?;
                            Rotation::Reused { session_id: family }
                        }
                        _ => Rotation::Invalid,
                    };
                    tx.commit().await?;
                    return Ok(outcome);
                };
                let family: uuid::Uuid = live.try_get("family_id")?;
                let user_id: uuid::Uuid = live.try_get("user_id")?;
                sqlx::query(sql::INSERT_REFRESH_TOKEN)
                    .bind(next.id)
                    .bind(family)
                    .bind(user_id)
                    .bind(&next.token_hash[..])
                    .bind(now)
                    .bind(next.expires_at.unix_timestamp())
                    .execute(&mut *tx)
                    .await?;
                let user = sqlx::query(sql::USER_BY_ID)
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let user = user_from(&user)?;
                tx.commit().await?;
                Ok(Rotation::Rotated {
                    user,
                    session_id: family,
                })
            }

            #[tracing::instrument(skip(self))]
            async fn revoke_session(
                &self,
                session_id: uuid::Uuid,
                now: time::OffsetDateTime,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query($crate::store::sql::REVOKE_FAMILY)
                    .bind(session_id)
                    .bind(now.unix_timestamp())
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            #[tracing::instrument(skip(self))]
            async fn session_active(
                &self,
                session_id: uuid::Uuid,
            ) -> Result<bool, $crate::store::StoreError> {
                use sqlx::Row;
                let row = sqlx::query($crate::store::sql::SESSION_ACTIVE)
                    .bind(session_id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.try_get("active")?)
            }
        }
    };
}

pub(super) use sql_user_store;
