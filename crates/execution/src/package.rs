//! Publishing a problem package: packed by the judge's format ([`judge::package`]) and
//! stored in the shared blob store under its content hash, where workers fetch it and
//! unpack it once into their local cache.

use std::path::Path;

use judge::Problem;
use judge::package::{PackageError, pack};
use platform::blobs::{BlobError, BlobStore};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("loading the problem: {0}")]
    Problem(#[from] judge::ProblemError),
    #[error(transparent)]
    Pack(#[from] PackageError),
    #[error("storing the package: {0}")]
    Store(#[from] BlobError),
    #[error("the packing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Packs the package at `dir`, stores it under its content hash and returns the hash:
/// what the owner of a problem does once so that judge jobs can name it.
pub async fn publish(packages: &dyn BlobStore, dir: &Path) -> Result<String, PublishError> {
    let dir = dir.to_owned();
    let (hash, archive) = tokio::task::spawn_blocking(move || {
        let hash = Problem::load(&dir)?.content_hash()?;
        let archive = pack(&dir)?;
        Ok::<_, PublishError>((hash, archive))
    })
    .await??;
    packages.put(&hash, &archive).await?;
    Ok(hash)
}
