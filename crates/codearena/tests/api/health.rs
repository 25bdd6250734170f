//! `/healthz` and `/readyz`, including what happens while PostgreSQL or Redis is away.

use std::time::Duration;

use codearena::cluster::Service;
use reqwest::StatusCode;
use serde_json::Value;
use testkit::{TcpProxy, TestDatabase, TestServer, wait_until};

use crate::app::{Mode, TestApp, cluster_settings};

#[tokio::test]
async fn embedded_mode_is_live_and_ready() {
    let app = TestApp::spawn(Mode::Embedded).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["checks"]["sqlite"], "ok");
    assert!(ready_header_has_request_id(app.server(Service::Auth)).await);
}

async fn ready_header_has_request_id(server: &TestServer) -> bool {
    let response = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", "given-id-42")
        .send()
        .await
        .unwrap();
    response.headers()["x-request-id"] == "given-id-42"
}

async fn readiness(server: &TestServer) -> (StatusCode, Value) {
    let response = server.get("/readyz").await;
    let status = response.status();
    (status, response.json().await.unwrap_or_default())
}

fn port_of(url: &str) -> String {
    let authority = url.split("//").nth(1).unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    host_port.split('/').next().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_service_is_unready_while_postgres_or_redis_is_unreachable() {
    let db = TestDatabase::postgres().await;
    let data = tempfile::tempdir().unwrap();
    let mut settings = cluster_settings(&db, data.path());
    let pg_proxy = TcpProxy::start(&port_of(db.url())).await;
    let redis_proxy = TcpProxy::start(&port_of(&testkit::redis_url())).await;
    let db_name = db.url().rsplit('/').next().unwrap().to_owned();
    settings.database.url = Some(format!("postgres://postgres@{}/{db_name}", pg_proxy.addr()));
    settings.redis.url = Some(format!("redis://{}", redis_proxy.addr()));
    let shutdown = platform::shutdown::Shutdown::new();
    let app = codearena::cluster::build(Service::Auth, &settings, &shutdown)
        .await
        .unwrap();
    let server = TestServer::start(app.router).await;

    let (status, body) = readiness(&server).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["checks"]["postgres"], "ok");
    assert_eq!(body["checks"]["redis"], "ok");

    for (name, proxy) in [("postgres", &pg_proxy), ("redis", &redis_proxy)] {
        proxy.cut();
        wait_until(
            Duration::from_secs(20),
            &format!("503 while {name} is away"),
            || async {
                let (status, body) = readiness(&server).await;
                status == StatusCode::SERVICE_UNAVAILABLE && body["checks"][name] != "ok"
            },
        )
        .await;
        assert_eq!(
            server.get("/healthz").await.status(),
            StatusCode::OK,
            "still live"
        );
        proxy.restore();
        wait_until(
            Duration::from_secs(20),
            &format!("200 once {name} is back"),
            || async { readiness(&server).await.0 == StatusCode::OK },
        )
        .await;
    }
}
