//! `RemoteVerifier`, the client other services use to check tokens, against the real auth
//! service in cluster mode.

use std::time::Duration;

use platform::auth::{CacheSettings, RemoteVerifier, TokenVerifier, VerifyError};
use reqwest::StatusCode;

use codearena::cluster::Service;

use crate::app::{Mode, TestApp};

fn no_cache() -> CacheSettings {
    CacheSettings {
        capacity: 0,
        ..CacheSettings::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_verifier_accepts_live_tokens_and_rejects_ended_sessions() {
    let app = TestApp::spawn(Mode::Cluster).await;
    let session = app.signed_up("remote").await;
    let token = session["access_token"].as_str().unwrap();
    let base = format!("http://{}", app.server(Service::Auth).addr);

    let uncached = RemoteVerifier::new(&base, no_cache()).unwrap();
    let cached = RemoteVerifier::new(&base, CacheSettings::default()).unwrap();
    let identity = uncached.verify(token).await.unwrap();
    assert_eq!(identity.username, "remote");
    assert_eq!(
        identity.user_id.to_string(),
        session["user"]["id"].as_str().unwrap()
    );
    assert_eq!(cached.verify(token).await.unwrap(), identity);
    assert!(matches!(
        uncached.verify("forged.token.here").await,
        Err(VerifyError::Invalid)
    ));

    assert_eq!(app.logout(token).await.status(), StatusCode::NO_CONTENT);
    assert!(matches!(
        uncached.verify(token).await,
        Err(VerifyError::Invalid)
    ));
    // The cache answers from memory until its entry expires (15 s by default).
    assert_eq!(cached.verify(token).await.unwrap(), identity);
}

#[tokio::test]
async fn remote_verifier_reports_an_unreachable_auth_service_as_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let verifier = RemoteVerifier::new(&format!("http://127.0.0.1:{port}"), no_cache()).unwrap();
    let started = std::time::Instant::now();
    let answer = verifier.verify("any.token.at-all").await;
    assert!(
        matches!(answer, Err(VerifyError::Unavailable(_))),
        "{answer:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}
