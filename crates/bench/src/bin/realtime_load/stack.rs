//! The app under load, started in this process as the binary composes it; its HTTP calls;
//! and what the benchmark reads of processes (RSS, CPU time, the open-files limit).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use codearena::Settings;
use codearena::cluster::Service;
use platform::Infra;
use platform::shutdown::Shutdown;
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};
use uuid::Uuid;

use crate::Mode;

const SERVICE_TOKEN: &str = "bench-service-token-bench-service-token-00";

/// Raises RLIMIT_NOFILE to `want` (the hard limit too, when allowed); the soft limit now.
pub(crate) fn raise_fd_limit(want: u64) -> u64 {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `old` is a valid rlimit to write to.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) };
    // Raising the hard limit needs privileges; without them, up to the hard limit.
    for max in [old.rlim_max.max(want), old.rlim_max] {
        let new = libc::rlimit {
            rlim_cur: want.min(max).max(old.rlim_cur),
            rlim_max: max,
        };
        // SAFETY: `new` is a valid rlimit.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) } == 0 {
            return new.rlim_cur;
        }
    }
    old.rlim_cur
}

/// The app, started in this process, and where each part of it answers.
pub(crate) struct Stack {
    pub(crate) auth: String,
    pub(crate) battle: String,
    pub(crate) realtime: String,
    pub(crate) infra: Arc<Infra>,
    _keep: (Vec<TestServer>, Option<TestDatabase>, tempfile::TempDir),
}

pub(crate) async fn start(mode: Mode, shutdown: &Shutdown) -> anyhow::Result<Stack> {
    let data = tempfile::tempdir()?;
    let mut settings = Settings::default();
    settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret-00".into());
    settings.auth.bcrypt_cost = 4;
    settings.embedded.data_dir = data.path().join("data");
    settings.execution.workers = Some(0);
    settings.execution.package_cache_dir = Some(data.path().join("packages"));
    settings.execution.service_token = Some(SERVICE_TOKEN.into());
    let problems = data.path().join("problems");
    testkit::problems::write_sum_package(&problems.join("sum"))?;
    settings.battle.problems_dir = problems;
    // The players never arrive: the battle must not be cancelled (an event of its own
    // would take the numbers this program publishes) while the sockets connect.
    settings.battle.arrive_secs = 24 * 3600;
    if let Mode::Embedded = mode {
        let app = codearena::embedded::build(&settings, shutdown).await?;
        let server = TestServer::start(app.router).await;
        let base = format!("http://{}", server.addr);
        return Ok(Stack {
            auth: base.clone(),
            battle: base.clone(),
            realtime: base,
            infra: app.infra,
            _keep: (vec![server], None, data),
        });
    }
    let db = TestDatabase::postgres().await;
    settings.database.url = Some(db.url().to_owned());
    settings.redis.url = Some(testkit::redis_url());
    settings.redis.prefix = testkit::unique_prefix();
    settings.amqp.url = Some(testkit::amqp_url());
    settings.amqp.prefix = testkit::unique_prefix();
    let mut servers = Vec::new();
    use Service::*;
    for service in [Auth, Execution, Rating, Battle, Realtime] {
        let app = codearena::cluster::build(service, &settings, shutdown).await?;
        let server = TestServer::start(app.router).await;
        let base = format!("http://{}", server.addr);
        match service {
            Auth => settings.cluster.auth_url = base,
            Execution => settings.cluster.execution_url = base,
            Rating => settings.cluster.rating_url = base,
            Battle => settings.cluster.battle_url = base,
            Realtime | Web => {}
        }
        servers.push(server);
    }
    let infra = Infra::cluster(&settings.database, &settings.redis, &settings.amqp);
    Ok(Stack {
        auth: settings.cluster.auth_url.clone(),
        battle: settings.cluster.battle_url.clone(),
        realtime: format!("http://{}", servers[4].addr),
        infra: Arc::new(infra),
        _keep: (servers, Some(db), data),
    })
}

/// One HTTP call; the answer's JSON, or an error unless the status is `expect`.
pub(crate) async fn call(request: reqwest::RequestBuilder, expect: u16) -> anyhow::Result<Value> {
    let response = request.send().await?;
    let (status, url) = (response.status().as_u16(), response.url().clone());
    let body: Value = response.json().await.unwrap_or(Value::Null);
    anyhow::ensure!(status == expect, "{url}: {status}, not {expect}: {body}");
    Ok(body)
}

/// Registers `name`: its access token and id.
pub(crate) async fn register(
    http: &reqwest::Client,
    auth: &str,
    name: &str,
) -> anyhow::Result<(String, Uuid)> {
    let (email, password) = (format!("{name}@example.com"), "correct horse");
    let body = json!({"username": name, "email": email, "password": password});
    let answer = call(
        http.post(format!("{auth}/api/auth/register")).json(&body),
        201,
    )
    .await?;
    let token = answer["access_token"].as_str().context("no access_token")?;
    let id = answer["user"]["id"].as_str().context("no user.id")?;
    Ok((token.to_owned(), id.parse()?))
}

/// VmRSS of process `pid` (`self` for this one), in bytes.
pub(crate) fn rss(pid: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    let kib: u64 = line.split_whitespace().nth(1).context("VmRSS")?.parse()?;
    Ok(kib * 1024)
}

/// Unix milliseconds, as events' `at_ms`.
pub(crate) use platform::clock::now_ms;

/// CPU time (user + system) this process has used.
pub(crate) fn cpu() -> Duration {
    // SAFETY: an all-zero rusage is valid, and getrusage only writes to it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage to write to.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
