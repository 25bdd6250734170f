//! Content-addressed blobs shared between services: problem packages, stored once under
//! their content hash by the problem's owner and read by every sandbox worker.
//!
//! A blob's key is the hash of its content, so a blob never changes once written and any
//! writer may put it again: no ownership or ordering to agree on. [`RedisBlobs`] keeps
//! them in Redis (cluster mode); [`MemoryBlobs`] in the process (embedded mode). Both
//! pass one suite (`tests/blobs.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use redis::aio::ConnectionManager;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

#[async_trait::async_trait]
pub trait BlobStore: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError>;
    async fn put(&self, key: &str, blob: &[u8]) -> Result<(), BlobError>;
}

/// Blobs in one Redis key space: `{prefix}:{namespace}:{key}`.
pub struct RedisBlobs {
    connection: ConnectionManager,
    space: String,
}

impl RedisBlobs {
    pub fn new(connection: ConnectionManager, prefix: &str, namespace: &str) -> Self {
        Self {
            connection,
            space: contracts::names::prefixed(prefix, namespace),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.space)
    }
}

#[async_trait::async_trait]
impl BlobStore for RedisBlobs {
    #[tracing::instrument(skip(self))]
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let mut connection = self.connection.clone();
        Ok(redis::cmd("GET")
            .arg(self.key(key))
            .query_async(&mut connection)
            .await?)
    }

    #[tracing::instrument(skip(self, blob), fields(bytes = blob.len()))]
    async fn put(&self, key: &str, blob: &[u8]) -> Result<(), BlobError> {
        let mut connection = self.connection.clone();
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(blob)
            .query_async::<()>(&mut connection)
            .await?;
        Ok(())
    }
}

/// Blobs in process memory. Clones share the same blobs; each namespace is apart.
#[derive(Clone, Default)]
pub struct MemoryBlobs {
    blobs: Arc<Mutex<HashMap<String, Arc<Vec<u8>>>>>,
    space: String,
}

impl MemoryBlobs {
    /// The same store, seen under `namespace`.
    pub fn namespace(&self, namespace: &str) -> Self {
        Self {
            blobs: self.blobs.clone(),
            space: namespace.to_owned(),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}:{key}", self.space)
    }
}

#[async_trait::async_trait]
impl BlobStore for MemoryBlobs {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let blobs = self.blobs.lock().unwrap_or_else(|p| p.into_inner());
        Ok(blobs.get(&self.key(key)).map(|blob| blob.as_ref().clone()))
    }

    async fn put(&self, key: &str, blob: &[u8]) -> Result<(), BlobError> {
        let mut blobs = self.blobs.lock().unwrap_or_else(|p| p.into_inner());
        blobs.insert(self.key(key), Arc::new(blob.to_vec()));
        Ok(())
    }
}
