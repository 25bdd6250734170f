//! Problem packages as bytes, to store and send them: a plain tar of the files judging
//! needs (`problem.yaml`, `data/`, `output_validators/`, `input_validators/`,
//! `testdata.yaml` …), packed in name order with neutral metadata so the same files give
//! the same archive. Unpacking accepts only regular files and directories with plain
//! relative paths, and creates every file new: nothing in an archive can point outside
//! its destination.

use std::fs;
use std::io::{Cursor, Read};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("reading the package: {0}")]
    Io(#[from] std::io::Error),
    #[error("the package archive holds a disallowed entry: {0}")]
    Unsafe(String),
}

/// Folders and files of a package that judging reads; statements and submissions are left
/// out (they are not needed by workers, and submissions can be large).
const INCLUDED: &[&str] = &[
    "problem.yaml",
    "data",
    "output_validators",
    "output_validator",
    "input_validators",
    "input_validator",
    "include",
    ".timelimit",
];

/// Most bytes an archive may unpack to, so a corrupt or hostile one cannot fill the disk.
pub const MAX_UNPACKED_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Packs the judging files of the package at `dir` into a tar archive. Directories are
/// packed in name order with neutral metadata, so the same files give the same archive.
pub fn pack(dir: &Path) -> Result<Vec<u8>, PackageError> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.follow_symlinks(false);
    for name in INCLUDED {
        let path = dir.join(name);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            append_dir(&mut builder, dir, &path)?;
        } else if meta.is_file() {
            append_file(&mut builder, &path, Path::new(name), &meta)?;
        }
    }
    Ok(builder.into_inner()?)
}

fn append_dir(
    builder: &mut tar::Builder<Vec<u8>>,
    root: &Path,
    dir: &Path,
) -> Result<(), PackageError> {
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    // Sorted, so the same package always packs to the same bytes.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let meta = fs::symlink_metadata(&path)?;
        let name = path
            .strip_prefix(root)
            .map_err(|_| PackageError::Unsafe(path.display().to_string()))?;
        if meta.is_dir() {
            append_dir(builder, root, &path)?;
        } else if meta.is_file() {
            append_file(builder, &path, name, &meta)?;
        }
    }
    Ok(())
}

fn append_file(
    builder: &mut tar::Builder<Vec<u8>>,
    path: &Path,
    name: &Path,
    meta: &fs::Metadata,
) -> Result<(), PackageError> {
    let mut header = tar::Header::new_gnu();
    header.set_size(meta.len());
    header.set_mode(if meta_is_executable(meta) {
        0o755
    } else {
        0o644
    });
    header.set_mtime(0);
    header.set_cksum();
    builder.append_data(&mut header, name, fs::File::open(path)?)?;
    Ok(())
}

fn meta_is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

/// Unpacks `archive` into `dest` (which must not exist yet; it is created).
pub fn unpack(archive: &[u8], dest: &Path) -> Result<(), PackageError> {
    unpack_at_most(archive, dest, MAX_UNPACKED_BYTES)
}

/// [`unpack`] with another cap on the bytes unpacked (the fuzz target's is small).
pub fn unpack_at_most(archive: &[u8], dest: &Path, max_bytes: u64) -> Result<(), PackageError> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::create_dir_all(dest.parent().unwrap_or(Path::new("/")))?;
    fs::create_dir(dest)?;
    let mut tar = tar::Archive::new(Cursor::new(archive));
    let mut written = 0u64;
    for entry in tar.entries()? {
        let mut entry = entry?;
        let relative: PathBuf = entry.path()?.into_owned();
        if relative.as_os_str().is_empty()
            || !relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)))
        {
            return Err(PackageError::Unsafe(relative.display().to_string()));
        }
        let target = dest.join(&relative);
        match entry.header().entry_type() {
            tar::EntryType::Directory => fs::create_dir_all(&target)?,
            tar::EntryType::Regular | tar::EntryType::GNUSparse => {
                if let Some(parent) = target.parent() {
                    fs::create_dir_all(parent)?;
                }
                let mode = if entry.header().mode()? & 0o111 != 0 {
                    0o755
                } else {
                    0o644
                };
                let mut file = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(mode)
                    .open(&target)?;
                let room = max_bytes - written;
                let copied = std::io::copy(&mut (&mut entry).take(room + 1), &mut file)?;
                if copied > room {
                    return Err(PackageError::Unsafe(format!(
                        "the package unpacks to more than {max_bytes} bytes"
                    )));
                }
                written += copied;
            }
            other => {
                return Err(PackageError::Unsafe(format!(
                    "{} ({other:?})",
                    relative.display()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_deterministically_and_round_trips() {
        let src = tempfile::tempdir().unwrap();
        fs::write(src.path().join("problem.yaml"), "name: x\n").unwrap();
        fs::create_dir_all(src.path().join("data/secret/g1")).unwrap();
        fs::write(src.path().join("data/secret/g1/1.in"), "1 2\n").unwrap();
        fs::write(src.path().join("data/secret/g1/1.ans"), "3\n").unwrap();
        fs::create_dir_all(src.path().join("submissions/accepted")).unwrap();
        fs::write(src.path().join("submissions/accepted/a.py"), "print(3)\n").unwrap();
        let first = pack(src.path()).unwrap();
        assert_eq!(first, pack(src.path()).unwrap());

        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("pkg");
        unpack(&first, &dest).unwrap();
        assert_eq!(
            fs::read_to_string(dest.join("data/secret/g1/1.ans")).unwrap(),
            "3\n"
        );
        assert_eq!(
            fs::read_to_string(dest.join("problem.yaml")).unwrap(),
            "name: x\n"
        );
        assert!(
            !dest.join("submissions").exists(),
            "submissions are not shipped"
        );
    }

    #[test]
    fn refuses_links_and_escaping_paths() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Symlink);
        header.set_size(0);
        builder
            .append_link(&mut header, "data/evil", "/etc/shadow")
            .unwrap();
        let archive = builder.into_inner().unwrap();
        let out = tempfile::tempdir().unwrap();
        assert!(matches!(
            unpack(&archive, &out.path().join("a")),
            Err(PackageError::Unsafe(_))
        ));

        // A raw header whose name climbs out of the destination.
        let mut header = tar::Header::new_old();
        header.as_old_mut().name[..12].copy_from_slice(b"../../escape");
        header.set_size(1);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        let mut raw = header.as_bytes().to_vec();
        raw.extend_from_slice(b"x");
        raw.resize(raw.len() + 511, 0);
        raw.extend_from_slice(&[0; 1024]);
        assert!(matches!(
            unpack(&raw, &out.path().join("b")),
            Err(PackageError::Unsafe(_))
        ));
        assert!(!out.path().join("../escape").exists());
    }
}
