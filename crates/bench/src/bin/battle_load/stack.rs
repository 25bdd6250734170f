//! The application under load, started in this process as the binary composes it, and
//! the HTTP client that drives it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use codearena::Settings;
use codearena::cluster::Service;
use platform::Infra;
use platform::shutdown::Shutdown;
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};

use crate::{Args, Mode, PROBLEM, SERVICE_TOKEN};

/// The app, started in this process as the binary composes it.
pub(crate) struct Stack {
    pub(crate) auth: String,
    pub(crate) battle: String,
    /// What the battle service runs on (cluster: the same servers and names).
    pub(crate) infra: Arc<Infra>,
    pub(crate) tick_ms: u64,
    pub(crate) _servers: Vec<TestServer>,
    pub(crate) _db: Option<TestDatabase>,
    pub(crate) _data: tempfile::TempDir,
}

impl Stack {
    pub(crate) async fn start(args: &Args, shutdown: &Shutdown) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let mut settings = Settings::default();
        settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret-00".into());
        settings.auth.bcrypt_cost = 4;
        settings.embedded.data_dir = data.path().join("data");
        // No sandbox slots: this program takes the judge jobs itself.
        settings.execution.workers = Some(0);
        settings.execution.package_cache_dir = Some(data.path().join("packages"));
        settings.execution.service_token = Some(SERVICE_TOKEN.into());
        let problems = data.path().join("problems");
        testkit::problems::write_sum_package(&problems.join(PROBLEM))?;
        settings.battle.problems_dir = problems;
        settings.battle.countdown_secs = 0;
        if let Some(tick) = args.tick_ms {
            settings.battle.tick_ms = tick;
        }
        let tick_ms = settings.battle.tick_ms;
        match args.mode {
            Mode::Embedded => {
                let app = codearena::embedded::build(&settings, shutdown).await?;
                let server = TestServer::start(app.router).await;
                let base = format!("http://{}", server.addr);
                Ok(Self {
                    auth: base.clone(),
                    battle: base,
                    infra: app.infra,
                    tick_ms,
                    _servers: vec![server],
                    _db: None,
                    _data: data,
                })
            }
            Mode::Cluster => {
                let db = TestDatabase::postgres().await;
                settings.database.url = Some(db.url().to_owned());
                settings.redis.url = Some(testkit::redis_url());
                settings.redis.prefix = testkit::unique_prefix();
                settings.amqp.url = Some(testkit::amqp_url());
                settings.amqp.prefix = testkit::unique_prefix();
                let mut servers = Vec::new();
                for service in [
                    Service::Auth,
                    Service::Execution,
                    Service::Rating,
                    Service::Battle,
                ] {
                    let app = codearena::cluster::build(service, &settings, shutdown).await?;
                    let server = TestServer::start(app.router).await;
                    let base = format!("http://{}", server.addr);
                    match service {
                        Service::Auth => settings.cluster.auth_url = base,
                        Service::Execution => settings.cluster.execution_url = base,
                        Service::Rating => settings.cluster.rating_url = base,
                        Service::Realtime | Service::Battle | Service::Web => {}
                    }
                    servers.push(server);
                }
                let infra = Infra::cluster(&settings.database, &settings.redis, &settings.amqp);
                Ok(Self {
                    auth: settings.cluster.auth_url.clone(),
                    battle: format!("http://{}", servers[3].addr),
                    infra: Arc::new(infra),
                    tick_ms,
                    _servers: servers,
                    _db: Some(db),
                    _data: data,
                })
            }
        }
    }
}

#[derive(Clone)]
pub(crate) struct Api {
    pub(crate) client: reqwest::Client,
    pub(crate) auth: String,
    pub(crate) battle: String,
}

impl Api {
    /// Registers `username`; its access token.
    pub(crate) async fn register(&self, username: &str) -> anyhow::Result<String> {
        let body = json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": "correct horse",
        });
        let url = format!("{}/api/auth/register", self.auth);
        let (body, _) = self.call(&url, "", &body, 201).await?;
        Ok(body["access_token"]
            .as_str()
            .context("no access token")?
            .to_owned())
    }

    /// POSTs `body` to the battle service; the answer and how long it took (µs), or an
    /// error when the status is not `expect`.
    pub(crate) async fn post(
        &self,
        path: &str,
        token: &str,
        body: &Value,
        expect: u16,
    ) -> anyhow::Result<(Value, u64)> {
        let url = format!("{}{path}", self.battle);
        self.call(&url, token, body, expect).await
    }

    pub(crate) async fn call(
        &self,
        url: &str,
        token: &str,
        body: &Value,
        expect: u16,
    ) -> anyhow::Result<(Value, u64)> {
        let started = Instant::now();
        let mut request = self.client.post(url).json(body);
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .with_context(|| format!("POST {url}: {status}, not JSON"))?;
        let took = micros(started.elapsed());
        if status.as_u16() != expect {
            bail!("POST {url}: {status} (expected {expect}): {answer}");
        }
        Ok((answer, took))
    }
}

/// Unix milliseconds, as events' `at_ms`.
pub(crate) use platform::clock::now_ms;

/// A difference of Unix milliseconds in µs (never negative).
pub(crate) fn whole_ms(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0) * 1000
}

pub(crate) fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}
