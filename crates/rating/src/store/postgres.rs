//! [`RatingStore`](super::RatingStore) on PostgreSQL (cluster mode).

use sqlx::postgres::{PgPool, PgRow};

use super::sql::sql_rating_store;

/// The migrations table of this service, so that services sharing one database keep
/// their migration histories apart.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_rating";

pub struct PostgresRatingStore {
    pool: PgPool,
}

impl PostgresRatingStore {
    /// Runs the rating migrations on `pool` and returns the store.
    pub async fn new(pool: PgPool) -> Result<Self, super::StoreError> {
        let mut migrator = sqlx::migrate!("./migrations/postgres");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await?;
        Ok(Self { pool })
    }
}

async fn begin(pool: &PgPool) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    pool.begin().await
}

sql_rating_store!(
    PostgresRatingStore,
    PgRow,
    begin = begin,
    for_update = STANDING_FOR_UPDATE
);
