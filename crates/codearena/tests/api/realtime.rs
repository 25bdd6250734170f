//! The realtime service end to end with the official `socket.io-client` (Node, from
//! `tests/socket`, installed by `scripts/test`): a whole rated battle played by two
//! sockets — one on websocket, one on long-polling — with a reconnect in the middle, bad
//! tokens, a stranger at a private battle and malformed requests (`tests/socket/battle.mjs`).

use std::path::PathBuf;
use std::process::Command;

use crate::app::{Mode, TestApp};
use crate::battle::{CORRECT, WRONG};

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
