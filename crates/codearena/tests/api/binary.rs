//! The real `codearena` binary: the README's first command.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use testkit::wait_until;

const BIN: &str = env!("CARGO_BIN_EXE_codearena");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn embedded_mode_generates_a_private_secret_and_serves_auth() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Child(
        Command::new(BIN)
            .env_clear()
            .env("CODEARENA_EMBEDDED__DATA_DIR", data.path())
            .env("CODEARENA_HTTP__HOST", "127.0.0.1")
            .env("CODEARENA_HTTP__PORT", port.to_string())
            .env("CODEARENA_AUTH__BCRYPT_COST", "4")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_until(
        Duration::from_secs(30),
        "the binary to answer /healthz",
        || {
            let request = client.get(format!("{base}/healthz")).send();
            async move { request.await.is_ok_and(|r| r.status() == StatusCode::OK) }
        },
    )
    .await;

    let secret = data.path().join("jwt-secret");
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the generated secret is private");
    let registered = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"username": "first", "email": "first@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);

    // SIGTERM stops it cleanly.
    let pid = child.0.id() as i32;
    assert_eq!(send_sigterm(pid), 0);
    let status = child.0.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut stdout = String::new();
    if let Some(mut out) = child.0.stdout.take() {
        use std::io::Read;
        out.read_to_string(&mut stdout).unwrap();
    }
    let first_line: serde_json::Value =
        serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert!(
        first_line["level"].is_string(),
        "logs are JSON: {first_line}"
    );
}

fn send_sigterm(pid: i32) -> i32 {
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .map(|s| s.code().unwrap_or(-1))
        .unwrap_or(-1)
}

#[test]
fn cluster_mode_refuses_to_start_without_a_secret() {
    let output = Command::new(BIN)
        .args(["service", "auth"])
        .env_clear()
        .env("CODEARENA_DATABASE__URL", testkit::postgres_admin_url())
        .env("CODEARENA_REDIS__URL", testkit::redis_url())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("CODEARENA_AUTH__JWT_SECRET"), "{stderr}");
}

#[test]
fn a_bad_configuration_value_is_reported_not_defaulted() {
    let output = Command::new(BIN)
        .env_clear()
        .env("CODEARENA_HTTP__PORT", "eighty")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("configuration"), "{stderr}");
}

/// Traces reach an OTLP/HTTP collector when one is configured: a stand-in collector on
/// port 0 counts what the real binary exports.
#[tokio::test]
async fn traces_are_exported_to_the_configured_otlp_endpoint() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let received = Arc::new(AtomicUsize::new(0));
    let collector = {
        let received = received.clone();
        axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: axum::body::Bytes| {
                let received = received.clone();
                async move {
                    if !body.is_empty() {
                        received.fetch_add(1, Ordering::SeqCst);
                    }
                    StatusCode::OK
                }
            }),
        )
    };
    let collector = testkit::TestServer::start(collector).await;

    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = Child(
        Command::new(BIN)
            .env_clear()
            .env("CODEARENA_EMBEDDED__DATA_DIR", data.path())
            .env("CODEARENA_HTTP__HOST", "127.0.0.1")
            .env("CODEARENA_HTTP__PORT", port.to_string())
            .env(
                "CODEARENA_TELEMETRY__OTLP_ENDPOINT",
                collector.url("/v1/traces"),
            )
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_until(
        Duration::from_secs(30),
        "the binary to answer /healthz",
        || {
            let request = client.get(format!("{base}/healthz")).send();
            async move { request.await.is_ok_and(|r| r.status() == StatusCode::OK) }
        },
    )
    .await;
    // Stopping flushes the batch of spans.
    assert_eq!(send_sigterm(child.0.id() as i32), 0);
    let status = child.0.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    wait_until(Duration::from_secs(10), "spans at the collector", || {
        let received = received.clone();
        async move { received.load(Ordering::SeqCst) > 0 }
    })
    .await;
}
