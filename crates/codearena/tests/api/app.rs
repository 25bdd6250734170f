//! The one test harness: [`TestApp::spawn`] starts every service as the binary composes
//! them, in embedded mode (one router on SQLite and in-process queues) or in cluster mode
//! (each service on its own port, on a fresh PostgreSQL database and unique Redis and
//! RabbitMQ names), and offers typed client calls. A request goes to the service its
//! path names (`/api/auth/…` → auth), as nginx routes it in production.

use std::sync::Arc;
use std::time::Duration;

use codearena::Settings;
use codearena::cluster::Service;
use execution::queue::JobQueue;
use platform::Infra;
use platform::blobs::BlobStore;
use platform::shutdown::Shutdown;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};

/// The secret test apps sign with, so tests can mint tokens of their own.
pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The `codearena` binary, which the sandbox re-executes as its zygote.
pub const ZYGOTE: &str = env!("CARGO_BIN_EXE_codearena");
/// The secret battle presents to execution in cluster mode.
pub const SERVICE_TOKEN: &str = "service-token-service-token-0123456789";
/// The one problem of test apps: [`write_sum_package`], under this slug.
pub const SUM: &str = "sum";

#[derive(Debug, Clone, Copy)]
pub enum Mode {
    Embedded,
    /// Every service on its own, on PostgreSQL, Redis and RabbitMQ.
    Cluster,
}

/// Settings every test app starts from: cheap bcrypt, a known secret, no sandbox slots
/// (API only; tests that run code ask for workers).
pub fn base_settings(data: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.auth.bcrypt_cost = 4;
    settings.auth.jwt_secret = Some(SECRET.to_owned());
    settings.embedded.data_dir = data.join("data");
    settings.execution.workers = Some(0);
    settings.execution.sandbox_init = Some(ZYGOTE.into());
    settings.execution.package_cache_dir = Some(data.join("packages"));
    settings.execution.service_token = Some(SERVICE_TOKEN.to_owned());
    let problems = data.join("problems");
    write_sum_package(&problems.join(SUM));
    settings.battle.problems_dir = problems;
    settings.battle.countdown_secs = 0;
    settings.battle.tick_ms = 50;
    settings.rating.tick_ms = 50;
    settings.rating.leaderboard_check_secs = 1;
    settings
}

/// Cluster settings on `db` and unique Redis and RabbitMQ names.
pub fn cluster_settings(db: &TestDatabase, data: &std::path::Path) -> Settings {
    let mut settings = base_settings(data);
    settings.database.url = Some(db.url().to_owned());
    settings.redis.url = Some(testkit::redis_url());
    settings.redis.prefix = testkit::unique_prefix();
    settings.amqp.url = Some(testkit::amqp_url());
    settings.amqp.prefix = testkit::unique_prefix();
    settings
}

pub struct TestApp {
    /// One server in embedded mode; one per service in cluster mode.
    servers: Vec<(Service, TestServer)>,
    pub client: reqwest::Client,
    /// What the services run on (in cluster mode, the same servers and names).
    infra: Arc<Infra>,
    shutdown: Shutdown,
    /// The settings it was started with (cluster: with the services' addresses).
    pub settings: Settings,
    _db: Option<TestDatabase>,
    _data: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl TestApp {
    pub async fn spawn(mode: Mode) -> Self {
        Self::spawn_with(mode, |_| {}).await
    }

    /// With one sandbox slot, to run and judge code.
    pub async fn spawn_judging(mode: Mode) -> Self {
        Self::spawn_with(mode, |s| s.execution.workers = Some(1)).await
    }

    pub async fn spawn_with(mode: Mode, adjust: impl FnOnce(&mut Settings)) -> Self {
        let data = tempfile::tempdir().unwrap();
        let shutdown = Shutdown::new();
        let client = reqwest::Client::new();
        match mode {
            Mode::Embedded => {
                let mut settings = base_settings(data.path());
                adjust(&mut settings);
                let app = codearena::embedded::build(&settings, &shutdown)
                    .await
                    .unwrap();
                let server = TestServer::start(app.router).await;
                TestApp {
                    servers: vec![(Service::Auth, server)],
                    client,
                    infra: app.infra,
                    shutdown,
                    settings,
                    _db: None,
                    _data: data,
                }
            }
            Mode::Cluster => {
                let db = TestDatabase::postgres().await;
                let mut settings = cluster_settings(&db, data.path());
                adjust(&mut settings);
                let mut servers = Vec::new();
                for service in [
                    Service::Auth,
                    Service::Execution,
                    Service::Rating,
                    Service::Battle,
                    Service::Realtime,
                ] {
                    let app = codearena::cluster::build(service, &settings, &shutdown)
                        .await
                        .unwrap();
                    let server = TestServer::start(app.router).await;
                    match service {
                        Service::Auth => {
                            settings.cluster.auth_url = format!("http://{}", server.addr)
                        }
                        Service::Execution => {
                            settings.cluster.execution_url = format!("http://{}", server.addr)
                        }
                        Service::Rating => {
                            settings.cluster.rating_url = format!("http://{}", server.addr)
                        }
                        Service::Battle => {
                            settings.cluster.battle_url = format!("http://{}", server.addr)
                        }
                        Service::Realtime | Service::Web => {}
                    }
                    servers.push((service, server));
                }
                let infra = Infra::cluster(&settings.database, &settings.redis, &settings.amqp);
                TestApp {
                    servers,
                    client,
                    infra: Arc::new(infra),
                    shutdown,
                    settings,
                    _db: Some(db),
                    _data: data,
                }
            }
        }
    }

    /// Starts another replica of `service` (cluster mode) on the same infrastructure; it
    /// stops with the app.
    pub async fn replica(&self, service: Service) -> TestServer {
        let app = codearena::cluster::build(service, &self.settings, &self.shutdown)
            .await
            .unwrap();
        TestServer::start(app.router).await
    }

    /// What the services run on.
    pub fn infra(&self) -> &Arc<Infra> {
        &self.infra
    }

    /// The server of `service` (in embedded mode, the one server).
    pub fn server(&self, service: Service) -> &TestServer {
        self.servers
            .iter()
            .find(|(s, _)| *s == service)
            .or(self.servers.first())
            .map(|(_, server)| server)
            .unwrap()
    }

    /// The URL of `path` on the service it names (`/api/<service>/…`); other paths
    /// (`/healthz`, `/metrics`) go to the first service.
    pub fn url(&self, path: &str) -> String {
        let named = self
            .servers
            .iter()
            .find(|(service, _)| path.starts_with(&format!("/api/{}/", service.name())));
        let (_, server) = named.or(self.servers.first()).unwrap();
        server.url(path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    // --- auth -------------------------------------------------------------------------

    pub async fn register(&self, username: &str, password: &str) -> Response {
        self.post_json(
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

    /// Registers `name` and returns an access token.
    pub async fn user(&self, name: &str) -> String {
        let session = self.signed_up(name).await;
        session["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &json!({"login": login, "password": password}),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.post_json(
            "/api/auth/refresh",
            &json!({"refresh_token": refresh_token}),
        )
        .await
    }

    pub async fn logout(&self, token: &str) -> Response {
        self.client
            .post(self.url("/api/auth/logout"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    // --- execution --------------------------------------------------------------------

    pub async fn run(&self, token: &str, language: &str, source: &str, stdin: &str) -> Response {
        self.post(
            token,
            "/api/execution/run",
            &json!({"language": language, "source": source, "stdin": stdin}),
        )
        .await
    }

    pub async fn judge(&self, token: &str, language: &str, source: &str, hash: &str) -> Response {
        self.post(
            token,
            "/api/execution/judge",
            &json!({"language": language, "source": source, "problem_hash": hash}),
        )
        .await
    }

    /// Reads a job, waiting up to `wait` seconds for it to finish.
    pub async fn job(&self, token: &str, id: &str, wait: u64) -> Response {
        self.get_with_token(&format!("/api/execution/jobs/{id}?wait={wait}"), token)
            .await
    }

    /// Submits and waits (with a deadline) for the finished job record.
    pub async fn finished(&self, token: &str, submitted: Response) -> Value {
        assert_eq!(submitted.status(), StatusCode::ACCEPTED);
        let body: Value = submitted.json().await.unwrap();
        let id = body["job_id"].as_str().unwrap().to_owned();
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        loop {
            let record: Value = self.job(token, &id, 20).await.json().await.unwrap();
            if record["state"] == "done" {
                return record;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "job {id} not done: {record}"
            );
        }
    }

    /// The shared store problem packages are published to.
    pub async fn packages(&self) -> Arc<dyn BlobStore> {
        self.infra
            .blobs(contracts::names::EXECUTION_PACKAGES)
            .await
            .unwrap()
    }

    pub async fn publish_package(&self, dir: &std::path::Path) -> String {
        execution::package::publish(self.packages().await.as_ref(), dir)
            .await
            .unwrap()
    }

    /// Jobs in the dead-letter queue.
    pub async fn dead_letters(&self) -> u64 {
        let broker = self.infra.broker().await.unwrap();
        JobQueue::new(broker)
            .await
            .unwrap()
            .dead_letters()
            .await
            .unwrap()
    }
}

/// A small package: read two integers, print their sum. Three secret tests.
pub fn sum_package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_sum_package(dir.path());
    dir
}

/// Writes the sum package at `root`.
pub fn write_sum_package(root: &std::path::Path) {
    testkit::problems::write_sum_package(root).unwrap();
}
