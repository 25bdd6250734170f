//! A fresh database per test.

use std::path::PathBuf;

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

pub enum TestDatabase {
    /// A database created for this test on the shared server; dropped with the value.
    Postgres { url: String, name: String },
    /// A file in a temporary directory, removed with the value.
    Sqlite {
        path: PathBuf,
        _dir: tempfile::TempDir,
    },
}

impl TestDatabase {
    pub async fn postgres() -> Self {
        let admin = crate::postgres_admin_url();
        let name = crate::unique_prefix();
        let mut conn = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {admin}: {e}"));
        // The name is ours (unique_prefix), not input: safe to splice.
        conn.execute(AssertSqlSafe(format!(r#"CREATE DATABASE "{name}""#)))
            .await
            .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
        let _ = conn.close().await;
        let base = admin
            .rsplit_once('/')
            .map(|(base, _)| base.to_owned())
            .unwrap_or(admin);
        Self::Postgres {
            url: format!("{base}/{name}"),
            name,
        }
    }

    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temp dir: {e}"));
        Self::Sqlite {
            path: dir.path().join("test.db"),
            _dir: dir,
        }
    }

    /// The PostgreSQL URL; panics for SQLite.
    pub fn url(&self) -> &str {
        match self {
            Self::Postgres { url, .. } => url,
            Self::Sqlite { .. } => panic!("an SQLite test database has a path, not a URL"),
        }
    }

    /// The SQLite file; panics for PostgreSQL.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::Sqlite { path, .. } => path,
            Self::Postgres { .. } => panic!("a PostgreSQL test database has a URL, not a path"),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Self::Postgres { name, .. } = self else {
            return;
        };
        let name = name.clone();
        let admin = crate::postgres_admin_url();
        // Drop runs inside the test's runtime, which cannot be blocked on; use a thread
        // with its own small runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&admin).await.ok()?;
                conn.execute(AssertSqlSafe(format!(
                    r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
                )))
                .await
                .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("note: test database was not dropped");
        }
    }
}
