//! The package's content hash: what decides verdicts (test data, output
//! validator, included code, constants, limits) and nothing else, so that a package can be named by it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Problem, ProblemError, io_err};

impl Problem {
    /// A stable content hash (hex SHA-256) of what decides verdicts: the test
    /// data, the output validator, included code, the constants and the limits. Metadata such as the name
    /// does not change it.
    pub fn content_hash(&self) -> Result<String, ProblemError> {
        let mut h = Sha256::new();
        let mut files = BTreeMap::new();
        for sub in ["data", "output_validator", "output_validators", "include"] {
            collect_files(&self.dir, &self.dir.join(sub), &mut files)?;
        }
        for (rel, path) in files {
            let bytes = std::fs::read(&path).map_err(io_err(&path))?;
            h.update((rel.len() as u64).to_le_bytes());
            h.update(rel.as_bytes());
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
        let mut limits = serde_json::json!({
            "type": self.problem_type,
            "time_limit_ms": self.limits.time_limit.map(|t| t.as_millis() as u64),
            "memory_bytes": self.limits.memory_bytes,
            "output_bytes": self.limits.output_bytes,
            "ac_to_time_limit": self.limits.ac_to_time_limit,
            "time_resolution": self.limits.time_resolution,
            "root_validator_args": self.secret.settings.output_validator_args,
        });
        // Only when set, so that the hashes of other packages stay as they were.
        // Constants change validators and included code.
        if let Some(m) = limits.as_object_mut() {
            if !self.constants.is_empty() {
                m.insert("constants".into(), serde_json::json!(self.constants));
            }
            if self.interactive {
                m.insert("interactive".into(), true.into());
                // It bounds the interactor, so it can decide a verdict.
                m.insert(
                    "validation_time_ms".into(),
                    (self.limits.validation_time.as_millis() as u64).into(),
                );
            }
            if let Some(passes) = self.multi_pass {
                m.insert("validation_passes".into(), passes.into());
            }
        }
        h.update(limits.to_string().as_bytes());
        Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, PathBuf>,
) -> Result<(), ProblemError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(ProblemError::Io {
                path: dir.to_path_buf(),
                source: e,
            });
        }
    };
    for e in entries {
        let e = e.map_err(io_err(dir))?;
        let path = e.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else if path.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            out.insert(rel, path);
        }
    }
    Ok(())
}
