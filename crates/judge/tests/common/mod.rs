//! Shared set-up for the judge's integration tests: one judge (one sandbox
//! zygote, this crate's `codearena-judge` binary) per test binary, used by one
//! test at a time so that timings and the leftover-process check are not
//! disturbed by other tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use judge::{Judge, Languages, Problem, Report};

pub const SANDBOX_UID: u32 = 60999;

/// This crate's `codearena-judge` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_codearena-judge");

/// `codearena-judge verify-problem --json DIR` (one at a time, like the judge): whether
/// it passed, and its report.
pub fn verify_problem(dir: &Path) -> (bool, serde_json::Value) {
    let (_g, _) = judge();
    let out = std::process::Command::new(BIN)
        .args(["verify-problem", "--json"])
        .arg(dir)
        .output()
        .expect("run codearena-judge");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "one JSON object: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_nothing_left();
    (out.status.success(), report)
}

/// [`verify_problem`] on a package that must pass, every submission as expected.
pub fn verify_passing(dir: &Path) -> serde_json::Value {
    let (ok, report) = verify_problem(dir);
    assert!(ok, "{}: {report:#}", dir.display());
    assert_eq!(report["failures"], 0, "{report:#}");
    report
}

pub fn packages() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packages")
}

pub fn judge() -> (MutexGuard<'static, ()>, &'static Judge) {
    static LOCK: Mutex<()> = Mutex::new(());
    static JUDGE: OnceLock<Judge> = OnceLock::new();
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let judge = JUDGE.get_or_init(|| {
        let languages = Languages::discover();
        let mut config = Judge::sandbox_config(&languages);
        config.init_exe = PathBuf::from(env!("CARGO_BIN_EXE_codearena-judge"));
        Judge::with_sandbox_config(languages, config).expect("sandbox available (run as root)")
    });
    (guard, judge)
}

pub fn problem(name: &str) -> Problem {
    Problem::load(packages().join(name)).expect("example package loads")
}

/// Judges `code` saved as `file_name` (its extension picks the language).
pub fn judge_source(judge: &Judge, problem: &Problem, file_name: &str, code: &str) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(file_name);
    std::fs::write(&path, code).expect("write source");
    let report = judge.judge_file(problem, &path, None).expect("judge");
    assert_nothing_left();
    report
}

/// No process of the sandbox uid may survive a run on the host.
pub fn assert_nothing_left() {
    let left = testkit::processes_of_uid(SANDBOX_UID);
    assert!(
        left.is_empty(),
        "sandbox processes left on the host: {left:?}"
    );
}
