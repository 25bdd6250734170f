//! The real `codearena` binary: the README's first command.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;
use testkit::{ChildProcess, free_port, wait_for_ok, wait_until};

const BIN: &str = env!("CARGO_BIN_EXE_codearena");
/// The problem bank in the repository.
const PROBLEMS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../problems");

/// Starts `codearena` (embedded mode) on a free port with its data in `data`, plus `env`,
/// and waits until it answers; returns the process and its base URL.
async fn start_embedded(
    data: &std::path::Path,
    env: &[(&str, String)],
    stdout: Stdio,
) -> (ChildProcess, String) {
    let port = free_port();
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("CODEARENA_EMBEDDED__DATA_DIR", data)
        .env("CODEARENA_HTTP__HOST", "127.0.0.1")
        .env("CODEARENA_HTTP__PORT", port.to_string())
        .env("CODEARENA_AUTH__BCRYPT_COST", "4")
        .env("CODEARENA_BATTLE__PROBLEMS_DIR", PROBLEMS)
        .stdout(stdout)
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let child = ChildProcess::spawn(&mut command);
    let base = format!("http://127.0.0.1:{port}");
    wait_for_ok(&format!("{base}/healthz"), Duration::from_secs(60)).await;
    (child, base)
}

#[tokio::test]
async fn embedded_mode_generates_a_private_secret_and_serves_auth() {
    let data = tempfile::tempdir().unwrap();
    let (mut child, base) = start_embedded(data.path(), &[], Stdio::piped()).await;

    let secret = data.path().join("jwt-secret");
    let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the generated secret is private");
    let registered = reqwest::Client::new()
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"username": "first", "email": "first@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::CREATED);

    // SIGTERM stops it cleanly.
    let status = child.terminate();
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
    let endpoint = (
        "CODEARENA_TELEMETRY__OTLP_ENDPOINT",
        collector.url("/v1/traces"),
    );
    let (mut child, _) = start_embedded(data.path(), &[endpoint], Stdio::null()).await;
    // Stopping flushes the batch of spans.
    let status = child.terminate();
    assert!(status.success(), "exit status {status}");
    wait_until(Duration::from_secs(10), "spans at the collector", || {
        let received = received.clone();
        async move { received.load(Ordering::SeqCst) > 0 }
    })
    .await;
}

/// `codearena problem add`: a package whose submissions get their folders' verdicts is
/// copied into the catalogue; one that fails the verifier, or whose name is taken, is not.
#[test]
fn problem_add_takes_verified_packages_only() {
    let dir = tempfile::tempdir().unwrap();
    let catalogue = dir.path().join("problems");
    let add = |path: &std::path::Path| {
        Command::new(BIN)
            .args(["problem", "add"])
            .arg(path)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CODEARENA_BATTLE__PROBLEMS_DIR", &catalogue)
            .output()
            .unwrap()
    };
    let good = std::path::Path::new(PROBLEMS).join("twobells");
    let added = add(&good);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(catalogue.join("twobells/problem.yaml").is_file());
    let again = add(&good);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    // A "wrong answer" filed as accepted: the verifier says no.
    let broken = dir.path().join("broken");
    copy_dir(&good, &broken);
    let accepted = broken.join("submissions/accepted");
    for entry in std::fs::read_dir(&accepted).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    std::fs::write(accepted.join("wrong.py"), "print(0)\n").unwrap();
    let refused = add(&broken);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("was not added"));
    let names: Vec<_> = std::fs::read_dir(&catalogue)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("twobells")]);
}

fn copy_dir(src: &std::path::Path, dest: &std::path::Path) {
    std::fs::create_dir_all(dest).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let target = dest.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `codearena service web`: the SPA on its own (what Kubernetes runs behind ingress-nginx),
/// with no store or peer configured, and the health and metrics endpoints of every service.
#[tokio::test]
async fn the_web_role_serves_the_app_alone() {
    let port = free_port();
    let mut child = ChildProcess::spawn(
        Command::new(BIN)
            .args(["service", "web"])
            .env_clear()
            .env("CODEARENA_HTTP__HOST", "127.0.0.1")
            .env("CODEARENA_HTTP__PORT", port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for_ok(&format!("{base}/healthz"), Duration::from_secs(60)).await;
    let client = reqwest::Client::new();

    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK, "nothing to wait for");
    let page = client
        .get(format!("{base}/battle/some-id"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    // The binary embeds web/dist as it was at build time (scripts/test builds it first).
    let built = codearena::web::BUILT
        .iter()
        .any(|a| a.path == "/index.html");
    if built {
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        assert!(page.text().await.unwrap().contains("<div id=\"root\""));
    } else {
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page.text().await.unwrap(), codearena::web::NOT_BUILT_PAGE);
    }
    // API paths are not the app's: a problem, not index.html.
    let api = client
        .get(format!("{base}/api/battle/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let metrics = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("http_request_duration_seconds")
    );

    let status = child.terminate();
    assert!(status.success(), "exit status {status}");
}
