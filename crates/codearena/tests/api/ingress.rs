//! The ingress (`deploy/nginx/codearena.conf.template`): the file nginx runs is valid
//! (`nginx -t`), and a whole battle is played through nginx in cluster mode with two
//! realtime and two execution replicas, the players' sockets on different replicas (the
//! official socket.io-client; `tests/socket/battle.mjs`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use codearena::cluster::Service;
use testkit::{ChildProcess, free_port, wait_for_ok};

use crate::app::{Mode, TestApp};
use crate::realtime::run_node;

fn template() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/nginx/codearena.conf.template");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn nginx() -> &'static str {
    if Path::new("/usr/sbin/nginx").exists() {
        "/usr/sbin/nginx"
    } else {
        "nginx"
    }
}

/// The template with its placeholders filled: `upstreams` maps each placeholder (AUTH,
/// BATTLE, EXECUTION, RATING, REALTIME) to its servers.
fn render(listen: &str, run_dir: &Path, upstreams: &[(&str, Vec<SocketAddr>)]) -> String {
    let mut config = template()
        .replace("{{LISTEN}}", listen)
        .replace("{{RUN_DIR}}", &run_dir.display().to_string());
    for (name, servers) in upstreams {
        let lines: Vec<String> = servers.iter().map(|s| format!("server {s};")).collect();
        config = config.replace(&format!("{{{{{name}}}}}"), &lines.join("\n        "));
    }
    assert!(!config.contains("{{"), "a placeholder is left: {config}");
    config
}

/// nginx in the foreground on a free port, with its files in a directory of its own.
struct Ingress {
    child: ChildProcess,
    base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Ingress {
    /// nginx's workers outlive a master killed with SIGKILL: stop it with SIGTERM, which
    /// takes them along.
    fn drop(&mut self) {
        self.child.terminate();
    }
}

impl Ingress {
    async fn start(upstreams: &[(&str, Vec<SocketAddr>)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = dir.path().join("nginx.conf");
        std::fs::write(
            &config,
            render(&format!("127.0.0.1:{port}"), dir.path(), upstreams),
        )
        .unwrap();
        let child = ChildProcess::spawn(
            Command::new(nginx())
                .arg("-c")
                .arg(&config)
                .arg("-p")
                .arg(dir.path())
                .arg("-e")
                .arg(dir.path().join("startup.log"))
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let base = format!("http://127.0.0.1:{port}");
        wait_for_ok(&format!("{base}/healthz"), Duration::from_secs(20)).await;
        Ingress {
            child,
            base,
            _dir: dir,
        }
    }
}

fn addr(server: &testkit::TestServer) -> SocketAddr {
    server.addr
}

#[test]
fn the_ingress_configuration_passes_nginx_t() {
    let dir = tempfile::tempdir().unwrap();
    let some: Vec<SocketAddr> = vec!["127.0.0.1:9".parse().unwrap()];
    let upstreams: Vec<(&str, Vec<SocketAddr>)> =
        ["AUTH", "BATTLE", "EXECUTION", "RATING", "REALTIME"]
            .into_iter()
            .map(|name| (name, some.clone()))
            .collect();
    let config = dir.path().join("nginx.conf");
    std::fs::write(&config, render("127.0.0.1:8083", dir.path(), &upstreams)).unwrap();
    let output = Command::new(nginx())
        .arg("-t")
        .arg("-c")
        .arg(&config)
        .arg("-p")
        .arg(dir.path())
        .arg("-e")
        .arg(dir.path().join("startup.log"))
        .output()
        .expect("nginx is installed (scripts/test installs it)");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("syntax is ok"), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_a_whole_battle_through_nginx_on_two_realtime_replicas() {
    let app = TestApp::spawn_judging(Mode::Cluster).await;
    let realtime = app.replica(Service::Realtime).await;
    let execution = app.replica(Service::Execution).await;
    let upstreams = [
        ("AUTH", vec![addr(app.server(Service::Auth))]),
        ("BATTLE", vec![addr(app.server(Service::Battle))]),
        (
            "EXECUTION",
            vec![addr(app.server(Service::Execution)), addr(&execution)],
        ),
        ("RATING", vec![addr(app.server(Service::Rating))]),
        (
            "REALTIME",
            vec![addr(app.server(Service::Realtime)), addr(&realtime)],
        ),
    ];
    let ingress = Ingress::start(&upstreams).await;
    let base = ingress.base.clone();
    tokio::task::spawn_blocking(move || run_node("battle.mjs", &base, &[("REPLICAS", "2")]))
        .await
        .unwrap();
}
