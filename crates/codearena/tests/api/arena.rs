//! A running CodeArena with execution, in either mode, and typed calls to it.

use std::sync::Arc;
use std::time::Duration;

use codearena::Settings;
use codearena::cluster::Service;
use execution::store::{JobStore, RedisJobStore};
use platform::shutdown::Shutdown;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};

use crate::helpers::{Mode, base_settings, cluster_settings};

pub const ZYGOTE: &str = env!("CARGO_BIN_EXE_codearena");

pub struct Arena {
    /// Serves `/api/execution` (and in embedded mode everything else).
    pub api: TestServer,
    /// Serves `/api/auth`.
    auth: Option<TestServer>,
    pub job_store: Arc<dyn JobStore>,
    /// The in-process broker, in embedded mode.
    memory_broker: Option<Arc<execution::queue::MemoryBroker>>,
    pub settings: Settings,
    shutdown: Shutdown,
    _db: Option<TestDatabase>,
    _data: tempfile::TempDir,
}

pub fn execution_settings(settings: &mut Settings, data: &std::path::Path) {
    settings.execution.workers = Some(1);
    settings.execution.sandbox_init = Some(ZYGOTE.into());
    settings.execution.package_cache_dir = Some(data.join("packages"));
    settings.amqp.url = Some(testkit::amqp_url());
    settings.amqp.prefix = testkit::unique_prefix();
}

impl Arena {
    pub async fn spawn(mode: Mode) -> Self {
        Self::spawn_with(mode, |_| {}).await
    }

    pub async fn spawn_with(mode: Mode, adjust: impl FnOnce(&mut Settings)) -> Self {
        let data = tempfile::tempdir().unwrap();
        let shutdown = Shutdown::new();
        match mode {
            Mode::Embedded => {
                let mut settings = base_settings();
                settings.embedded.data_dir = data.path().join("data");
                execution_settings(&mut settings, data.path());
                adjust(&mut settings);
                let app = codearena::embedded::build(&settings, &shutdown)
                    .await
                    .unwrap();
                Arena {
                    api: TestServer::start(app.router).await,
                    auth: None,
                    job_store: app.job_store,
                    memory_broker: Some(app.broker),
                    settings,
                    shutdown,
                    _db: None,
                    _data: data,
                }
            }
            Mode::Cluster => {
                let db = TestDatabase::postgres().await;
                let mut settings = cluster_settings(&db);
                execution_settings(&mut settings, data.path());
                let auth = codearena::cluster::build(Service::Auth, &settings, &shutdown)
                    .await
                    .unwrap();
                let auth = TestServer::start(auth.router).await;
                settings.cluster.auth_url = format!("http://{}", auth.addr);
                adjust(&mut settings);
                let app = codearena::cluster::build(Service::Execution, &settings, &shutdown)
                    .await
                    .unwrap();
                let redis = platform::redis::connect(&testkit::redis_url())
                    .await
                    .unwrap();
                let job_store = Arc::new(RedisJobStore::new(
                    redis,
                    &settings.redis.prefix,
                    Duration::from_secs(600),
                ));
                Arena {
                    api: TestServer::start(app.router).await,
                    auth: Some(auth),
                    job_store,
                    memory_broker: None,
                    settings,
                    shutdown,
                    _db: Some(db),
                    _data: data,
                }
            }
        }
    }

    fn auth_server(&self) -> &TestServer {
        self.auth.as_ref().unwrap_or(&self.api)
    }

    /// Registers `name` and returns an access token.
    pub async fn user(&self, name: &str) -> String {
        let response = self
            .auth_server()
            .post_json(
                "/api/auth/register",
                &json!({"username": name, "email": format!("{name}@example.com"), "password": "correct horse"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.api
            .client
            .post(self.api.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

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
        self.api
            .client
            .get(
                self.api
                    .url(&format!("/api/execution/jobs/{id}?wait={wait}")),
            )
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
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

    /// Jobs in the dead-letter queue.
    pub async fn dead_letters(&self) -> u64 {
        if let Some(broker) = &self.memory_broker {
            return broker.dead_letters() as u64;
        }
        let connection = lapin::Connection::connect(
            &testkit::amqp_url(),
            lapin::ConnectionProperties::default(),
        )
        .await
        .unwrap();
        let channel = connection.create_channel().await.unwrap();
        let name = contracts::names::prefixed(
            &self.settings.amqp.prefix,
            contracts::names::EXECUTION_DEAD,
        );
        let queue = channel
            .queue_declare(
                name.as_str().into(),
                lapin::options::QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                lapin::types::FieldTable::default(),
            )
            .await
            .unwrap();
        u64::from(queue.message_count())
    }

    pub async fn publish_package(&self, dir: &std::path::Path) -> String {
        execution::engine::publish_package(self.job_store.as_ref(), dir)
            .await
            .unwrap()
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A small package: read two integers, print their sum. Three secret tests.
pub fn sum_package() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("problem.yaml"),
        "problem_format_version: 2023-07-draft\nname: Sum\nlimits:\n  time_limit: 2\n  memory: 256\n",
    )
    .unwrap();
    for (group, cases) in [
        ("sample", vec![("1", "1 2", "3")]),
        (
            "secret",
            vec![
                ("1", "10 20", "30"),
                ("2", "-5 5", "0"),
                ("3", "1500000000 1500000000", "3000000000"),
            ],
        ),
    ] {
        let data = root.join("data").join(group);
        std::fs::create_dir_all(&data).unwrap();
        for (name, input, answer) in cases {
            std::fs::write(data.join(format!("{name}.in")), format!("{input}\n")).unwrap();
            std::fs::write(data.join(format!("{name}.ans")), format!("{answer}\n")).unwrap();
        }
    }
    dir
}
