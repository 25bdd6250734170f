//! Every service of a cluster, run as its own process, stops by itself on SIGTERM — its
//! workers and consumers finish instead of waiting for each other — as `scripts/cluster`'s
//! Ctrl-C and Kubernetes' pod termination expect.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::{ChildProcess, TestDatabase, free_port, wait_for_ok};

use crate::app::{SECRET, SERVICE_TOKEN, SUM, ZYGOTE, write_sum_package};

/// How long a service may take to stop after SIGTERM.
const STOP_WITHIN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_process_stops_on_sigterm() {
    let db = TestDatabase::postgres().await;
    let problems = tempfile::tempdir().unwrap();
    write_sum_package(&problems.path().join(SUM));
    let prefix = testkit::unique_prefix();
    for service in ["auth", "execution", "rating", "battle", "realtime"] {
        let port = free_port();
        let mut child = ChildProcess::spawn(
            Command::new(ZYGOTE)
                .args(["service", service])
                .env_clear()
                .env("CODEARENA_HTTP__HOST", "127.0.0.1")
                .env("CODEARENA_HTTP__PORT", port.to_string())
                .env("CODEARENA_DATABASE__URL", db.url())
                .env("CODEARENA_REDIS__URL", testkit::redis_url())
                .env("CODEARENA_REDIS__PREFIX", &prefix)
                .env("CODEARENA_AMQP__URL", testkit::amqp_url())
                .env("CODEARENA_AMQP__PREFIX", &prefix)
                .env("CODEARENA_AUTH__JWT_SECRET", SECRET)
                .env("CODEARENA_EXECUTION__SERVICE_TOKEN", SERVICE_TOKEN)
                .env("CODEARENA_EXECUTION__WORKERS", "0")
                .env("CODEARENA_BATTLE__PROBLEMS_DIR", problems.path())
                .env("CODEARENA_TELEMETRY__LOG_FILTER", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_for_ok(
            &format!("http://127.0.0.1:{port}/readyz"),
            Duration::from_secs(60),
        )
        .await;
        let pid = child.0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < STOP_WITHIN,
                "{service} did not stop within {STOP_WITHIN:?} of SIGTERM"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(status.success(), "{service} exited with {status}");
    }
}
