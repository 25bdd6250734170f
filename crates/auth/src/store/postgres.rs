//! [`UserStore`](super::UserStore) on PostgreSQL (cluster mode): the shared SQL of
//! [`super::sql`] over a PostgreSQL pool.

use sqlx::postgres::PgPool;

use super::StoreError;
use super::sql::sql_user_store;

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

sql_user_store!(PostgresUserStore);
