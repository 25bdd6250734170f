//! `include/`: files added to every submission before it is compiled —
//! `include/<language>/` for one language, `include/default/` for the others (a
//! language's own directory replaces the default one, as the format says).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{ProblemError, io_err};

/// `include/<dir>/` → its files (top level, sorted, hidden files skipped).
pub(super) fn load_include(dir: &Path) -> Result<BTreeMap<String, Vec<PathBuf>>, ProblemError> {
    let root = dir.join("include");
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Ok(out);
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(String::from) else {
            continue;
        };
        if !path.is_dir() || name.starts_with('.') {
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
            .map_err(io_err(&path))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.'))
            })
            .collect();
        if files.is_empty() {
            return Err(ProblemError::Invalid(format!(
                "include/{name}/ is empty (the format requires each include directory to have files)"
            )));
        }
        files.sort();
        out.insert(name, files);
    }
    Ok(out)
}
