//! The zip archive an export writes: files under an optional root directory, deflated,
//! executable bits kept (build/run scripts), in a fixed order so that the same package
//! exports to the same bytes.

use std::io::{Cursor, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use zip::DateTime;
use zip::write::SimpleFileOptions;

use super::{ExportError, io_err};
use crate::problem::Constants;

pub struct Archive {
    zip: zip::ZipWriter<Cursor<Vec<u8>>>,
    root: String,
}

impl Archive {
    /// An empty archive whose entries go under `root/` (none when empty).
    pub fn new(root: &str) -> Archive {
        Archive {
            zip: zip::ZipWriter::new(Cursor::new(Vec::new())),
            root: if root.is_empty() {
                String::new()
            } else {
                format!("{root}/")
            },
        }
    }

    /// Adds one file at `path` (relative, `/`-separated).
    pub fn add(&mut self, path: &str, bytes: &[u8], executable: bool) -> Result<(), ExportError> {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(DateTime::default())
            .unix_permissions(if executable { 0o755 } else { 0o644 });
        self.zip
            .start_file(format!("{}{path}", self.root), options)?;
        self.zip
            .write_all(bytes)
            .map_err(|e| ExportError::Zip(e.into()))?;
        Ok(())
    }

    /// Adds every file below `src` under `dest` (sorted; hidden files skipped), with the
    /// constants substituted in text files when given, except where `keep` says no.
    pub fn add_tree(
        &mut self,
        src: &Path,
        dest: &str,
        constants: Option<&Constants>,
        keep: &dyn Fn(&Path) -> bool,
    ) -> Result<(), ExportError> {
        let mut entries: Vec<_> = std::fs::read_dir(src)
            .map_err(io_err(src))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for path in entries {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.starts_with('.') || !keep(&path) {
                continue;
            }
            let target = if dest.is_empty() {
                name.to_string()
            } else {
                format!("{dest}/{name}")
            };
            let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
            if meta.is_dir() {
                self.add_tree(&path, &target, constants, keep)?;
            } else if meta.is_file() {
                let bytes = std::fs::read(&path).map_err(io_err(&path))?;
                let bytes = match constants {
                    Some(c) => c.substitute_bytes(bytes),
                    None => bytes,
                };
                self.add(&target, &bytes, meta.permissions().mode() & 0o111 != 0)?;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<u8>, ExportError> {
        Ok(self.zip.finish()?.into_inner())
    }
}
