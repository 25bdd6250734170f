//! The package cache: problem packages fetched by content hash from the store, unpacked
//! into a private (0700) directory, checked against their hash, and kept loaded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use judge::Problem;
use platform::blobs::BlobStore;
use uuid::Uuid;

use super::{EngineError, SetupError};

pub(super) struct PackageCache {
    packages: Arc<dyn BlobStore>,
    dir: PathBuf,
    _guard: Option<tempfile::TempDir>,
    problems: Mutex<HashMap<String, Arc<Problem>>>,
}

impl PackageCache {
    /// A cache in `dir`, which must be this user's own (it is created with mode 0700,
    /// and refused if someone else owns it); without one, in a private temporary
    /// directory removed when the cache is dropped.
    pub(super) fn new(
        packages: Arc<dyn BlobStore>,
        dir: Option<PathBuf>,
    ) -> Result<PackageCache, SetupError> {
        let (dir, guard) = match dir {
            Some(dir) => {
                private_dir(&dir).map_err(|source| SetupError::Cache {
                    path: dir.clone(),
                    source,
                })?;
                (dir, None)
            }
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("codearena-packages-")
                    .tempdir()
                    .map_err(|source| SetupError::Cache {
                        path: std::env::temp_dir(),
                        source,
                    })?;
                (temp.path().to_owned(), Some(temp))
            }
        };
        Ok(PackageCache {
            packages,
            dir,
            _guard: guard,
            problems: Mutex::new(HashMap::new()),
        })
    }

    /// The problem with content hash `hash`, from memory, the local cache, or the blob store.
    pub(super) async fn problem(&self, hash: &str) -> Result<Option<Arc<Problem>>, EngineError> {
        if let Some(problem) = self
            .problems
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
        {
            return Ok(Some(problem.clone()));
        }
        let dir = self.dir.join(hash);
        if !dir.is_dir() {
            let Some(archive) = self.packages.get(hash).await? else {
                return Ok(None);
            };
            // Unpack beside the final place and rename: a half-written package is never
            // seen by a concurrent job.
            let staging = self
                .dir
                .join(format!(".{hash}.{}", Uuid::new_v4().simple()));
            let unpacked = {
                let staging = staging.clone();
                tokio::task::spawn_blocking(move || judge::package::unpack(&archive, &staging))
                    .await
            };
            match unpacked {
                Ok(Ok(())) => {}
                Ok(Err(source)) => {
                    let _ = std::fs::remove_dir_all(&staging);
                    return Err(EngineError::Unpack {
                        hash: hash.to_owned(),
                        source,
                    });
                }
                Err(e) => return Err(e.into()),
            }
            if std::fs::rename(&staging, &dir).is_err() {
                // Another job unpacked it first.
                let _ = std::fs::remove_dir_all(&staging);
            }
        }
        let loaded = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || load_verified(&dir)).await
        };
        let problem = match loaded {
            Ok(Ok(problem)) => Arc::new(problem),
            Ok(Err(source)) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(EngineError::Load {
                    hash: hash.to_owned(),
                    source,
                });
            }
            Err(e) => return Err(e.into()),
        };
        match problem.content_hash() {
            Ok(actual) if actual == hash => {}
            Ok(actual) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(EngineError::HashMismatch {
                    expected: hash.to_owned(),
                    actual,
                });
            }
            Err(source) => {
                return Err(EngineError::Load {
                    hash: hash.to_owned(),
                    source,
                });
            }
        }
        self.problems
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(hash.to_owned(), problem.clone());
        Ok(Some(problem))
    }
}

/// Creates `dir` (mode 0700) or checks that an existing one is a real directory of this
/// user's: packages in it decide verdicts, so nobody else may be able to change them.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    match std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(dir)?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_dir() || meta.uid() != me {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "not a directory owned by this user",
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn load_verified(dir: &Path) -> Result<Problem, judge::ProblemError> {
    Problem::load(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_cache_must_be_a_real_directory_of_this_user() {
        let root = tempfile::tempdir().unwrap();
        let fresh = root.path().join("a/b");
        private_dir(&fresh).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);

        let link = root.path().join("link");
        std::os::unix::fs::symlink(&fresh, &link).unwrap();
        assert!(private_dir(&link).is_err(), "a symlink is refused");

        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            let foreign = root.path().join("foreign");
            std::fs::create_dir(&foreign).unwrap();
            std::os::unix::fs::chown(&foreign, Some(65534), Some(65534)).unwrap();
            assert!(
                private_dir(&foreign).is_err(),
                "someone else's directory is refused"
            );
        }
    }
}
