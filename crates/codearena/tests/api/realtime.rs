//! The realtime service end to end with the official `socket.io-client` (Node, from
//! `tests/socket`, installed by `scripts/test`): a whole rated battle played by two
//! sockets — one on websocket, one on long-polling — with a reconnect in the middle, bad
//! tokens, a stranger at a private battle and malformed requests (`tests/socket/battle.mjs`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use codearena::cluster::Service;
use platform::shutdown::Shutdown;
use serde_json::json;
use testkit::{TcpProxy, TestServer};

use crate::app::{Mode, TestApp};
use crate::battle::{CORRECT, WRONG, started};

fn socket_tests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/socket")
}

/// Runs `script` against `base` with Node (and `env`); panics with its output unless it
/// passes.
pub(crate) fn run_node(script: &str, base: &str, env: &[(&str, &str)]) {
    let dir = socket_tests();
    assert!(
        dir.join("node_modules/socket.io-client").is_dir(),
        "socket.io-client is not installed: run `npm ci --prefix {}` (scripts/test does)",
        dir.display()
    );
    let output = Command::new("node")
        .arg(dir.join(script))
        .env("BASE", base)
        .env("CORRECT", CORRECT)
        .env("WRONG", WRONG)
        .envs(env.iter().copied())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_whole_battle_through_socket_io_client() {
    let app = TestApp::spawn_judging(Mode::Embedded).await;
    let base = app.url("").trim_end_matches('/').to_owned();
    tokio::task::spawn_blocking(move || run_node("battle.mjs", &base, &[]))
        .await
        .unwrap();
}

/// Clients join the moment `connect` fires (the web app does, on every reconnect): the
/// join handler is registered before the connect packet goes out, so no join is dropped.
/// (socketioxide sends that packet after the middleware and only then runs the connect
/// handler; handlers registered there missed such joins now and then, and the chaos run
/// saw a reconnected socket that never got its battle's last events.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_join_sent_on_connect_is_always_answered() {
    let app = TestApp::spawn(Mode::Embedded).await;
    let (ada, _bob, id) = started(&app).await;
    let base = app.url("").trim_end_matches('/').to_owned();
    tokio::task::spawn_blocking(move || {
        run_node(
            "join-on-connect.mjs",
            &base,
            &[("TOKEN", &ada), ("BATTLE", &id), ("SOCKETS", "1000")],
        )
    })
    .await
    .unwrap();
}

/// A realtime replica whose Redis connection is cut while a battle ends: the event never
/// reaches it over pub/sub, and when Redis is back its subscription resubscribes by itself,
/// says it may have missed messages, and the socket gets the end from the battle's log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_a_replica_cut_off_from_redis_catches_up_when_it_is_back() {
    let app = TestApp::spawn(Mode::Cluster).await;
    let redis = TcpProxy::start(&testkit::redis_url().replace("redis://", "")).await;
    let mut settings = app.settings.clone();
    settings.redis.url = Some(format!("redis://{}", redis.addr()));
    let shutdown = Shutdown::new();
    let replica = codearena::cluster::build(Service::Realtime, &settings, &shutdown)
        .await
        .unwrap();
    let replica = TestServer::start(replica.router).await;
    let (ada, bob, id) = started(&app).await;
    // What Redis carries, seen from outside the cut.
    let bus = app.infra().bus().await.unwrap();
    let mut channel = bus
        .subscribe(contracts::names::BATTLE_EVENTS)
        .await
        .unwrap();

    let dir = socket_tests();
    let mut node = testkit::ChildProcess::spawn(
        Command::new("node")
            .arg(dir.join("follow.mjs"))
            .env("BASE", replica.url(""))
            .env("TOKEN", &ada)
            .env("BATTLE", &id)
            .env("UNTIL", "finished")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit()),
    );
    let mut lines = BufReader::new(node.0.stdout.take().unwrap()).lines();
    let joined = tokio::task::spawn_blocking(move || {
        let first = lines.next().unwrap().unwrap();
        (first, lines)
    });
    let (first, lines) = joined.await.unwrap();
    assert!(first.starts_with("joined "), "{first}");

    redis.cut();
    let resigned = app
        .post(&bob, &format!("/api/battle/{id}/resign"), &json!({}))
        .await;
    assert_eq!(resigned.status(), reqwest::StatusCode::OK);
    // The end is published while the replica is cut off; only then does Redis come back.
    loop {
        let event = tokio::time::timeout(std::time::Duration::from_secs(30), channel.recv())
            .await
            .expect("the end is published")
            .unwrap();
        if let platform::bus::BusEvent::Message(payload) = event {
            let event: serde_json::Value = serde_json::from_slice(&payload).unwrap();
            if event["battle_id"] == id.as_str() && event["type"] == "finished" {
                break;
            }
        }
    }
    redis.restore();

    let rest = tokio::task::spawn_blocking(move || {
        let status = node.0.wait().unwrap();
        let out: Vec<String> = lines.map_while(Result::ok).collect();
        (status, out)
    });
    let (status, out) = rest.await.unwrap();
    assert!(status.success(), "follow.mjs failed: {out:?}");
    let seqs: serde_json::Value = serde_json::from_str(out.last().unwrap()).unwrap();
    let log = app
        .get_with_token(&format!("/api/battle/{id}/events"), &ada)
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let all: Vec<i64> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs["seqs"], json!(all), "every event once, in order");
    shutdown.cancel();
}
