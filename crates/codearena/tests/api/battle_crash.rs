//! The battle process killed (SIGKILL) right after a state change commits: the change's
//! events still reach the event channel, and a finished rated battle the results stream,
//! exactly once per sequence number, after a restart — also when a relay dies between
//! publishing and marking an event published.

use std::process::{Command, Stdio};
use std::time::Duration;

use contracts::battle::{BattleEvent, BattleResult};
use contracts::names;
use platform::Infra;
use platform::bus::BusEvent;
use platform::infra::{AmqpSettings, DatabaseSettings, RedisSettings};
use serde_json::{Value, json};
use sqlx::postgres::PgPool;
use testkit::{ChildProcess, TcpProxy, TestDatabase, free_port, wait_for_ok, wait_until};

use crate::app::{Mode, SERVICE_TOKEN, SUM, TestApp, ZYGOTE, write_sum_package};

/// What a battle process is started with; each start gets a new port.
struct BattleProcess {
    db_url: String,
    prefix: String,
    auth_url: String,
    execution_url: String,
    rating_url: String,
    problems: std::path::PathBuf,
}

impl BattleProcess {
    fn start(&self, redis_url: &str) -> (ChildProcess, String) {
        let port = free_port();
        let child = ChildProcess::spawn(
            Command::new(ZYGOTE)
                .args(["service", "battle"])
                .env_clear()
                .env("CODEARENA_HTTP__HOST", "127.0.0.1")
                .env("CODEARENA_HTTP__PORT", port.to_string())
                .env("CODEARENA_DATABASE__URL", &self.db_url)
                .env("CODEARENA_REDIS__URL", redis_url)
                .env("CODEARENA_REDIS__PREFIX", &self.prefix)
                .env("CODEARENA_AMQP__URL", testkit::amqp_url())
                .env("CODEARENA_AMQP__PREFIX", &self.prefix)
                .env("CODEARENA_CLUSTER__AUTH_URL", &self.auth_url)
                .env("CODEARENA_CLUSTER__EXECUTION_URL", &self.execution_url)
                .env("CODEARENA_CLUSTER__RATING_URL", &self.rating_url)
                .env("CODEARENA_EXECUTION__SERVICE_TOKEN", SERVICE_TOKEN)
                .env("CODEARENA_BATTLE__PROBLEMS_DIR", &self.problems)
                .env("CODEARENA_BATTLE__COUNTDOWN_SECS", "0")
                .env("CODEARENA_BATTLE__TICK_MS", "50")
                .env("CODEARENA_TELEMETRY__LOG_FILTER", "error")
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        (child, format!("http://127.0.0.1:{port}"))
    }
}

fn kill(mut child: ChildProcess) {
    child.0.kill().unwrap();
    child.0.wait().unwrap();
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
) -> Value {
    let r = client
        .request(method, url)
        .bearer_auth(token)
        .json(&json!({"mode": "rated"}))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn unpublished(pool: &PgPool) -> i64 {
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM battle_events WHERE published_at_ms IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    let results: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM battle_results_outbox WHERE published_at_ms IS NULL",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    events + results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_committed_before_a_kill_reach_the_channel_and_stream_exactly_once() {
    // Auth and execution as usual; the battle service under test runs as its own process,
    // on its own database and names, with Redis behind a proxy that can be cut.
    let app = TestApp::spawn(Mode::Cluster).await;
    let (ada, bob) = (app.user("ada").await, app.user("bob").await);
    let db = TestDatabase::postgres().await;
    let problems = tempfile::tempdir().unwrap();
    write_sum_package(&problems.path().join(SUM));
    let process = BattleProcess {
        db_url: db.url().to_owned(),
        prefix: testkit::unique_prefix(),
        auth_url: app.settings.cluster.auth_url.clone(),
        execution_url: app.settings.cluster.execution_url.clone(),
        rating_url: app.settings.cluster.rating_url.clone(),
        problems: problems.path().to_owned(),
    };
    let redis = TcpProxy::start("127.0.0.1:6379").await;
    let proxied = format!("redis://{}", redis.addr());

    // What subscribers see: the channel and the stream, on the real Redis.
    let redis_settings = RedisSettings {
        url: Some(testkit::redis_url()),
        prefix: process.prefix.clone(),
        ..Default::default()
    };
    let infra = Infra::cluster(
        &DatabaseSettings::default(),
        &redis_settings,
        &AmqpSettings::default(),
    );
    let bus = infra.bus().await.unwrap();
    let mut channel = bus.subscribe(names::BATTLE_EVENTS).await.unwrap();
    let streams = infra.streams().await.unwrap();

    let (first, url) = process.start(&proxied);
    wait_for_ok(&format!("{url}/readyz"), Duration::from_secs(60)).await;
    let client = reqwest::Client::new();
    for token in [&ada, &bob] {
        call(
            &client,
            reqwest::Method::POST,
            format!("{url}/api/battle/queue"),
            token,
        )
        .await;
    }
    let mut id = String::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while id.is_empty() {
        let status = call(
            &client,
            reqwest::Method::GET,
            format!("{url}/api/battle/queue"),
            &ada,
        )
        .await;
        id = status["battle_id"].as_str().unwrap_or_default().to_owned();
        assert!(std::time::Instant::now() < deadline, "never matched");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for token in [&ada, &bob] {
        call(
            &client,
            reqwest::Method::POST,
            format!("{url}/api/battle/{id}/ready"),
            token,
        )
        .await;
    }
    // Everything so far reaches the channel: created, ready, ready, countdown, started.
    let mut seen: Vec<BattleEvent> = Vec::new();
    while seen.len() < 5 {
        let Some(BusEvent::Message(m)) =
            tokio::time::timeout(Duration::from_secs(20), channel.recv())
                .await
                .unwrap()
        else {
            continue;
        };
        seen.push(serde_json::from_slice(&m).unwrap());
    }
    assert_eq!(seen.last().unwrap().body.kind(), "started");

    // Redis goes away; the resignation commits (PostgreSQL), and the process dies before
    // its relay can publish.
    redis.cut();
    let done = call(
        &client,
        reqwest::Method::POST,
        format!("{url}/api/battle/{id}/resign"),
        &ada,
    )
    .await;
    assert_eq!(done["state"], "finished");
    kill(first);
    let pool = platform::db::connect_postgres(db.url(), 2).await.unwrap();
    assert_eq!(
        unpublished(&pool).await,
        2,
        "the finished event and the rated result wait in the outbox"
    );

    // Restarted (Redis back): the relay publishes what was committed.
    let (second, url) = process.start(&testkit::redis_url());
    wait_for_ok(&format!("{url}/readyz"), Duration::from_secs(60)).await;
    wait_until(
        Duration::from_secs(30),
        "the outbox is published",
        || async { unpublished(&pool).await == 0 },
    )
    .await;

    // A relay that died after publishing but before marking: the marks are lost, the
    // next process publishes again — and nothing is delivered twice.
    kill(second);
    sqlx::query("UPDATE battle_events SET published_at_ms = NULL")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("UPDATE battle_results_outbox SET published_at_ms = NULL")
        .execute(&pool)
        .await
        .unwrap();
    let (_third, url) = process.start(&testkit::redis_url());
    wait_for_ok(&format!("{url}/readyz"), Duration::from_secs(60)).await;
    wait_until(
        Duration::from_secs(30),
        "the outbox is published again",
        || async { unpublished(&pool).await == 0 },
    )
    .await;

    // Redis delivers in the order it executes: a message published now arrives after
    // everything the relays published.
    bus.publish(names::BATTLE_EVENTS, b"sentinel")
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(20), channel.recv())
            .await
            .unwrap()
        {
            Some(BusEvent::Message(m)) if m == b"sentinel" => break,
            Some(BusEvent::Message(m)) => seen.push(serde_json::from_slice(&m).unwrap()),
            other => panic!("{other:?}"),
        }
    }
    let seqs: Vec<i64> = seen.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=6).collect::<Vec<i64>>(),
        "each event once, in order"
    );
    assert_eq!(seen[5].body.kind(), "finished");

    let entries = streams
        .read(
            names::BATTLE_RESULTS,
            "rating",
            "test",
            10,
            Duration::from_millis(100),
        )
        .await
        .unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let result: BattleResult = serde_json::from_slice(&entries[0].payload).unwrap();
    assert_eq!(result.battle_id.to_string(), id);
    assert_eq!(entries[0].key, id);
}
