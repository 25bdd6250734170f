//! [`BattleStore`](super::BattleStore) on SQLite (embedded mode).

use sqlx::sqlite::{SqlitePool, SqliteRow};

use super::sql_impl::sql_battle_store;

/// The migrations table of this service (the SQLite file is shared with auth).
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_battle";

pub struct SqliteBattleStore {
    pool: SqlitePool,
}

impl SqliteBattleStore {
    /// Runs the battle migrations on `pool` and returns the store.
    pub async fn new(pool: SqlitePool) -> Result<Self, super::StoreError> {
        let mut migrator = sqlx::migrate!("./migrations/sqlite");
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrator.run(&pool).await?;
        Ok(Self { pool })
    }
}

/// SQLite takes the write lock at `BEGIN IMMEDIATE`: a transaction that reads and then
/// writes never fails on the upgrade, and a matchmaking round has the queue to itself.
async fn begin(pool: &SqlitePool) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// `BEGIN IMMEDIATE` already serialises every writer.
const LOCK_USER: Option<&str> = None;

sql_battle_store!(
    SqliteBattleStore,
    SqliteRow,
    begin = begin,
    queue = QUEUE_OF_MODE,
    lock_user = LOCK_USER
);
