//! `codearena-sandbox [--time S] [--memory MIB] -- COMMAND ARGS...`: runs one
//! command in the sandbox and prints the outcome. A debugging aid and the
//! zygote executable for this crate's own tests.

use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    sandbox::enter_if_requested();
    let mut args = std::env::args().skip(1);
    let mut spec = sandbox::RunSpec::new(Vec::<String>::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--time" => {
                let secs: f64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(1.0);
                spec.limits.cpu_time = Duration::from_secs_f64(secs);
                spec.limits.wall_time = Duration::from_secs_f64(secs * 2.0 + 1.0);
            }
            "--memory" => {
                let mib: u64 = args.next().and_then(|v| v.parse().ok()).unwrap_or(256);
                spec.limits.memory_bytes = mib << 20;
            }
            "--" => {
                spec.argv = args.by_ref().collect();
            }
            _ => {
                spec.argv = std::iter::once(a).chain(args.by_ref()).collect();
            }
        }
    }
    if spec.argv.is_empty() {
        eprintln!("usage: codearena-sandbox [--time S] [--memory MIB] -- COMMAND ARGS...");
        return ExitCode::from(2);
    }
    let sb = match sandbox::Sandbox::new(sandbox::SandboxConfig::default()) {
        Ok(sb) => sb,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    eprintln!("sandbox: {}", sb.description());
    match sb.run(&spec) {
        Ok(out) => {
            use std::io::Write;
            let _ = std::io::stdout().write_all(&out.stdout);
            let _ = std::io::stderr().write_all(&out.stderr);
            eprintln!(
                "status={:?} cpu={:?} wall={:?} peak={}KiB limit={:?}",
                out.status,
                out.cpu_time,
                out.wall_time,
                out.peak_memory_bytes / 1024,
                out.limit
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
