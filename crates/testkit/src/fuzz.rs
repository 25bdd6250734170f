//! The committed cargo-fuzz corpus (`fuzz/corpus/<target>/`), for the tests that replay it
//! through the same checks the fuzz targets run, on every `cargo test` without libFuzzer.

use std::path::PathBuf;

/// The corpus directory of fuzz target `target`.
pub fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

/// Feeds every file of `target`'s corpus, in name order, to `check` (which panics on a
/// failure); panics if the corpus is missing or empty.
#[allow(clippy::unwrap_used)] // test support: a missing corpus is the failure to report
pub fn replay_corpus(target: &str, check: impl Fn(&[u8])) {
    let dir = corpus_dir(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has no corpus", dir.display());
    for file in files {
        println!("{}", file.display());
        check(&std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
    }
}
