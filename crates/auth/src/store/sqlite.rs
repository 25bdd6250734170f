//! [`UserStore`](super::UserStore) on SQLite (embedded mode): the shared SQL of
//! [`super::sql`] over an SQLite pool.

use sqlx::sqlite::SqlitePool;

use super::StoreError;
use super::sql::sql_user_store;

pub struct SqliteUserStore {
    pool: SqlitePool,
}

impl SqliteUserStore {
    /// Runs the auth migrations on `pool` and returns the store.
    pub async fn new(pool: SqlitePool) -> Result<Self, StoreError> {
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }
}

sql_user_store!(SqliteUserStore);
