//! [`RatingStore`](super::RatingStore) on SQLite (embedded mode).

use sqlx::sqlite::{SqlitePool, SqliteRow};

use super::sql::sql_rating_store;

/// The migrations table of this service (the SQLite file is shared with the others).
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_rating";

pub struct SqliteRatingStore {
    pool: SqlitePool,
}

impl SqliteRatingStore {
    /// Runs the rating migrations on `pool` and returns the store.
    pub async fn new(pool: SqlitePool) -> Result<Self, super::StoreError> {
        let mut migrator = sqlx::migrate!("./migrations/sqlite");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await?;
        Ok(Self { pool })
    }
}

/// SQLite takes the write lock at `BEGIN IMMEDIATE`, so the rows it reads stay as read
/// until it commits (SQLite has no `FOR UPDATE`; the lock covers the whole file).
async fn begin(pool: &SqlitePool) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

sql_rating_store!(
    SqliteRatingStore,
    SqliteRow,
    begin = begin,
    for_update = STANDING
);
