//! Embedded mode's JWT secret: generated on first start and kept in the data directory,
//! readable by the owner only.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::tokens::MIN_SECRET_BYTES;

pub const FILE_NAME: &str = "jwt-secret";

#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0} is not a regular file")]
    NotAFile(PathBuf),
    #[error("{0} is readable by other users; run `chmod 600 {0}`")]
    Exposed(PathBuf),
    #[error("{0} holds fewer than {MIN_SECRET_BYTES} bytes")]
    TooShort(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SecretFileError + '_ {
    move |source| SecretFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Reads the secret from `data_dir`, creating it (mode 0600) if there is none.
pub fn load_or_create(data_dir: &Path) -> Result<String, SecretFileError> {
    let path = data_dir.join(FILE_NAME);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) => read_existing(&path, &meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(data_dir, &path),
        Err(e) => Err(io(&path)(e)),
    }
}

/// Writes a new secret beside its place and renames it there, so a failed write never
/// leaves an empty or partial secret behind; if another process won the race, its secret
/// is the one used.
fn create(data_dir: &Path, path: &Path) -> Result<String, SecretFileError> {
    let temp = data_dir.join(format!(".{FILE_NAME}.{}", std::process::id()));
    let secret = crate::tokens::generate_secret();
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temp)
        .and_then(|mut file| {
            file.write_all(secret.as_bytes())?;
            file.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io(&temp)(e));
    }
    // link(2) fails if the secret appeared meanwhile, unlike rename(2).
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated a new JWT secret");
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = std::fs::symlink_metadata(path).map_err(io(path))?;
            read_existing(path, &meta)
        }
        Err(e) => Err(io(path)(e)),
    }
}

fn read_existing(path: &Path, meta: &std::fs::Metadata) -> Result<String, SecretFileError> {
    if !meta.is_file() {
        return Err(SecretFileError::NotAFile(path.to_owned()));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SecretFileError::Exposed(path.to_owned()));
    }
    let secret = std::fs::read_to_string(path).map_err(io(path))?;
    let secret = secret.trim().to_owned();
    if secret.len() < MIN_SECRET_BYTES {
        return Err(SecretFileError::TooShort(path.to_owned()));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(FILE_NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create(dir.path()).unwrap(), first);
        assert!(first.len() >= 32);
    }

    #[test]
    fn a_secret_others_can_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        load_or_create(dir.path()).unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create(dir.path()).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
    }
}
