//! Sandbox overhead: median time of a sandboxed run of a trivial static C
//! program minus the median time of running it directly.
//!
//! `cargo bench -p sandbox --bench overhead` (needs root and gcc). Prints
//! the numbers; it asserts nothing.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use sandbox::{BoxFile, RunSpec, Sandbox, SandboxConfig, Source};

const RUNS: usize = 500;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn pct(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p) as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    sandbox::enter_if_requested();
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("true.c");
    let prog = dir.path().join("true");
    std::fs::write(&src, "int main(void) { return 0; }\n").expect("write");
    let ok = Command::new("gcc")
        .args(["-O2", "-static", "-o"])
        .arg(&prog)
        .arg(&src)
        .status();
    assert!(ok.is_ok_and(|s| s.success()), "gcc -static failed");

    // Bare: fork + exec + wait of the same binary.
    for _ in 0..20 {
        let _ = Command::new(&prog).status();
    }
    let bare: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let s = Command::new(&prog).status().expect("run");
            assert!(s.success());
            t.elapsed()
        })
        .collect();

    let config = SandboxConfig {
        init_exe: PathBuf::from(env!("CARGO_BIN_EXE_codearena-sandbox")),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::new(config).expect("sandbox");
    // As the judge runs a compiled submission: the binary is copied into the
    // fresh work directory, stdin comes from a file.
    let input = dir.path().join("input");
    std::fs::write(&input, "1 2\n").expect("write");
    let mut spec = RunSpec::new(["/box/prog"]);
    spec.files = vec![BoxFile {
        name: "prog".into(),
        source: Source::File(prog.clone()),
        executable: true,
    }];
    spec.stdin = Some(Source::File(input));
    spec.limits.cpu_time = Duration::from_secs(1);
    spec.limits.wall_time = Duration::from_secs(2);
    for _ in 0..20 {
        sb.run(&spec).expect("warm-up run");
    }
    let sandboxed: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            let out = sb.run(&spec).expect("run");
            assert!(out.status.success());
            t.elapsed()
        })
        .collect();

    let binary_kib = std::fs::metadata(&prog)
        .map(|m| m.len() / 1024)
        .unwrap_or(0);
    println!("sandbox: {}", sb.description());
    println!("trivial static C program ({binary_kib} KiB), {RUNS} runs each");
    println!(
        "bare:      median {:.3} ms  p10 {:.3} ms  p90 {:.3} ms",
        ms(median(bare.clone())),
        ms(pct(bare.clone(), 0.1)),
        ms(pct(bare.clone(), 0.9))
    );
    println!(
        "sandboxed: median {:.3} ms  p10 {:.3} ms  p90 {:.3} ms",
        ms(median(sandboxed.clone())),
        ms(pct(sandboxed.clone(), 0.1)),
        ms(pct(sandboxed.clone(), 0.9))
    );
    println!(
        "overhead (median sandboxed - median bare): {:.3} ms",
        ms(median(sandboxed)) - ms(median(bare))
    );
}
