//! Starting the application in each mode, and typed client calls.

use codearena::Settings;
use codearena::cluster::Service;
use platform::shutdown::Shutdown;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};

/// The secret test apps sign with, so tests can mint tokens of their own.
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

#[derive(Debug, Clone, Copy)]
pub enum Mode {
    Embedded,
    /// The auth service alone, on PostgreSQL and Redis.
    Cluster,
}

pub struct TestApp {
    pub server: TestServer,
    _db: TestDatabase,
    _data: Option<tempfile::TempDir>,
    shutdown: Shutdown,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn base_settings() -> Settings {
    let mut settings = Settings::default();
    settings.auth.bcrypt_cost = 4;
    settings.auth.jwt_secret = Some(SECRET.to_owned());
    // Auth tests judge nothing: no sandbox slots.
    settings.execution.workers = Some(0);
    settings.execution.sandbox_init = Some(crate::arena::ZYGOTE.into());
    settings
}

pub fn cluster_settings(db: &TestDatabase) -> Settings {
    let mut settings = base_settings();
    settings.database.url = Some(db.url().to_owned());
    settings.redis.url = Some(testkit::redis_url());
    settings.redis.prefix = testkit::unique_prefix();
    settings
}

impl TestApp {
    pub async fn spawn(mode: Mode) -> Self {
        Self::spawn_with(mode, |_| {}).await
    }

    pub async fn spawn_with(mode: Mode, adjust: impl FnOnce(&mut Settings)) -> Self {
        match mode {
            Mode::Embedded => {
                let data = tempfile::tempdir().unwrap();
                let mut settings = base_settings();
                settings.embedded.data_dir = data.path().to_owned();
                adjust(&mut settings);
                let shutdown = Shutdown::new();
                let app = codearena::embedded::build(&settings, &shutdown)
                    .await
                    .unwrap();
                TestApp {
                    server: TestServer::start(app.router).await,
                    _db: TestDatabase::sqlite(),
                    _data: Some(data),
                    shutdown,
                }
            }
            Mode::Cluster => {
                let db = TestDatabase::postgres().await;
                let mut settings = cluster_settings(&db);
                adjust(&mut settings);
                let shutdown = Shutdown::new();
                let app = codearena::cluster::build(Service::Auth, &settings, &shutdown)
                    .await
                    .unwrap();
                TestApp {
                    server: TestServer::start(app.router).await,
                    _db: db,
                    _data: None,
                    shutdown,
                }
            }
        }
    }

    pub async fn register(&self, username: &str, password: &str) -> Response {
        self.server
            .post_json(
                "/api/auth/register",
                &json!({"username": username, "email": format!("{username}@example.com"), "password": password}),
            )
            .await
    }

    /// Registers `username` (password `correct horse`) and returns the token response.
    pub async fn signed_up(&self, username: &str) -> Value {
        let response = self.register(username, "correct horse").await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.server
            .post_json(
                "/api/auth/login",
                &json!({"login": login, "password": password}),
            )
            .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.server
            .post_json(
                "/api/auth/refresh",
                &json!({"refresh_token": refresh_token}),
            )
            .await
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> Response {
        self.server
            .client
            .get(self.server.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn logout(&self, token: &str) -> Response {
        self.server
            .client
            .post(self.server.url("/api/auth/logout"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }
}

/// Asserts a problem+json answer with `status` and `code`, and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status.as_u16());
    body
}

/// Runs each test body once per mode.
#[macro_export]
macro_rules! in_both_modes {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::helpers::Mode::Embedded).await;
            })*
        }
        mod cluster {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::helpers::Mode::Cluster).await;
            })*
        }
    };
}
