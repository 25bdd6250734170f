//! [`BattleStore`](super::BattleStore) on PostgreSQL (cluster mode).

use sqlx::postgres::{PgPool, PgRow};

use super::sql_impl::sql_battle_store;

/// The migrations table of this service, so that services sharing one database keep
/// their migration histories apart.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations_battle";

pub struct PostgresBattleStore {
    pool: PgPool,
}

impl PostgresBattleStore {
    /// Runs the battle migrations on `pool` and returns the store.
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

/// A transaction-scoped lock per player (released at commit or rollback).
const LOCK_USER: Option<&str> = Some("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))");

sql_battle_store!(
    PostgresBattleStore,
    PgRow,
    begin = begin,
    queue = QUEUE_OF_MODE_LOCKED,
    lock_user = LOCK_USER
);
