//! [`UserStore`] on PostgreSQL.

use sqlx::postgres::PgPool;
use sqlx::{FromRow, Row};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Credentials, NewRefreshToken, NewUser, Rotation, StoreError, Taken, User, UserStore, taken_from,
};

pub struct PostgresUserStore {
    pool: PgPool,
}

impl PostgresUserStore {
    /// Runs the auth migrations on `pool` and returns the store.
    pub async fn new(pool: PgPool) -> Result<Self, StoreError> {
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}

#[derive(FromRow)]
struct UserRow {
    id: Uuid,
    username: String,
    email: String,
    created_at: OffsetDateTime,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            username: r.username,
            email: r.email,
            created_at: r.created_at,
        }
    }
}

#[async_trait::async_trait]
impl UserStore for PostgresUserStore {
    #[tracing::instrument(skip_all, fields(username = %user.username))]
    async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
        let clashes = sqlx::query(
            "SELECT lower(username) = lower($1) AS username, lower(email) = lower($2) AS email \
             FROM users WHERE lower(username) = lower($1) OR lower(email) = lower($2)",
        )
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
        let row = sqlx::query_as::<_, UserRow>(
            "INSERT INTO users (id, username, email, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id, username, email, created_at",
        )
        .bind(user.id)
        .bind(&user.username)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .fetch_one(&self.pool)
        .await
        // A concurrent registration can still win between the check and the insert.
        .map_err(|e| match taken_from(&e) {
            Some(field) => StoreError::Taken(vec![field]),
            None => StoreError::Database(e),
        })?;
        Ok(row.into())
    }

    #[tracing::instrument(skip_all)]
    async fn credentials_by_login(&self, login: &str) -> Result<Option<Credentials>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, email, created_at, password_hash FROM users \
             WHERE lower(username) = lower($1) OR lower(email) = lower($1) LIMIT 1",
        )
        .bind(login)
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(row) => Some(Credentials {
                password_hash: row.try_get("password_hash")?,
                user: UserRow::from_row(&row)?.into(),
            }),
            None => None,
        })
    }

    #[tracing::instrument(skip(self))]
    async fn user_by_id(&self, id: Uuid) -> Result<Option<User>, StoreError> {
        let row = sqlx::query_as::<_, UserRow>(
            "SELECT id, username, email, created_at FROM users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(skip_all, fields(session = %token.family_id))]
    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.id)
        .bind(token.family_id)
        .bind(token.user_id)
        .bind(&token.token_hash[..])
        .bind(token.created_at)
        .bind(token.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn rotate_refresh_token(
        &self,
        presented: &[u8; 32],
        next: &NewRefreshToken,
    ) -> Result<Rotation, StoreError> {
        let now = next.created_at;
        let mut tx = self.pool.begin().await?;
        // The conditional update is the lock: of two concurrent refreshes with the same
        // token, exactly one sees the row still live.
        let live = sqlx::query(
            "UPDATE refresh_tokens SET replaced_at = $2 \
             WHERE token_hash = $1 AND replaced_at IS NULL AND revoked_at IS NULL AND expires_at > $2 \
             RETURNING family_id, user_id",
        )
        .bind(&presented[..])
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(live) = live else {
            let known = sqlx::query(
                "SELECT family_id, replaced_at IS NOT NULL AS replaced FROM refresh_tokens WHERE token_hash = $1",
            )
            .bind(&presented[..])
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match known {
                Some(row) if row.try_get::<bool, _>("replaced")? => {
                    let family: Uuid = row.try_get("family_id")?;
                    sqlx::query(
                        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
                    )
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
        let family: Uuid = live.try_get("family_id")?;
        let user_id: Uuid = live.try_get("user_id")?;
        sqlx::query(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(next.id)
        .bind(family)
        .bind(user_id)
        .bind(&next.token_hash[..])
        .bind(next.created_at)
        .bind(next.expires_at)
        .execute(&mut *tx)
        .await?;
        let user = sqlx::query_as::<_, UserRow>(
            "SELECT id, username, email, created_at FROM users WHERE id = $1",
        )
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Rotation::Rotated {
            user: user.into(),
            session_id: family,
        })
    }

    #[tracing::instrument(skip(self))]
    async fn revoke_session(
        &self,
        session_id: Uuid,
        now: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
        )
        .bind(session_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(skip(self))]
    async fn session_active(&self, session_id: Uuid) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL) AS active",
        )
        .bind(session_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("active")?)
    }
}
