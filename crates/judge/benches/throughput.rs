//! Judge throughput: test runs per second with 1 and 2 workers (one `Judge`,
//! hence one sandbox zygote, per worker thread), judging an accepted A+B
//! solution against a generated package with many test cases.
//!
//! `cargo bench -p judge --bench throughput` (needs root and the
//! toolchains). Prints the numbers; it asserts nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use judge::{Judge, Languages, Problem, Verdict};

const TESTS: usize = 200;

fn package(dir: &Path) {
    std::fs::create_dir_all(dir.join("data/secret")).expect("mkdir");
    std::fs::write(
        dir.join("problem.yaml"),
        "problem_format_version: 2023-07-draft\nname: Bench\nuuid: bench\nlimits:\n  time_limit: 1\n  memory: 256\n",
    )
    .expect("write");
    for i in 0..TESTS {
        let (a, b) = (i as i64 * 7919 - 500_000, i as i64 * 104_729);
        std::fs::write(
            dir.join(format!("data/secret/{i:03}.in")),
            format!("{a} {b}\n"),
        )
        .expect("write");
        std::fs::write(
            dir.join(format!("data/secret/{i:03}.ans")),
            format!("{}\n", a + b),
        )
        .expect("write");
    }
}

fn judge() -> Judge {
    let languages = Languages::discover();
    let mut config = Judge::sandbox_config(&languages);
    config.init_exe = PathBuf::from(env!("CARGO_BIN_EXE_codearena-judge"));
    Judge::with_sandbox_config(languages, config).expect("sandbox")
}

/// Judges `source` on `workers` threads at once; returns test runs/second.
fn throughput(problem: &Problem, source: &Path, workers: usize) -> f64 {
    let judges: Vec<Judge> = (0..workers).map(|_| judge()).collect();
    let code = std::fs::read(source).expect("read source");
    let start = Instant::now();
    let runs: usize = std::thread::scope(|s| {
        let handles: Vec<_> = judges
            .iter()
            .map(|j| {
                let code = &code;
                s.spawn(move || {
                    let lang = j.language_for(source, None).expect("language");
                    let tl = problem.time_limit().unwrap_or(judge::DEFAULT_TIME_LIMIT);
                    let r = j.judge(problem, lang, source, code, tl);
                    assert_eq!(r.verdict, Verdict::Accepted, "{:?}", r.message);
                    r.tests.len()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    runs as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    sandbox::enter_if_requested();
    let dir = tempfile::tempdir().expect("tempdir");
    let pkg = dir.path().join("bench");
    package(&pkg);
    let problem = Problem::load(&pkg).expect("package");
    let sources =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/packages/aplusb/submissions/accepted");
    println!(
        "{TESTS} test cases per submission; each worker judges one submission (compile + all tests)"
    );
    for file in ["sum.c", "sum.py"] {
        let source = sources.join(file);
        for workers in [1, 2] {
            let rate = throughput(&problem, &source, workers);
            println!("{file:<7} {workers} worker(s): {rate:7.1} test runs/s");
        }
    }
}
