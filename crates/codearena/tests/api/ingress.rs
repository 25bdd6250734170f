//! The ingress (`deploy/nginx/codearena.conf.template`): the file nginx runs is valid
//! (`nginx -t`); it serves the web app with the headers embedded mode sends and leaves
//! every API path to the services; and a whole battle is played through nginx in cluster
//! mode with two realtime and two execution replicas, the players' sockets on different
//! replicas (the official socket.io-client; `tests/socket/battle.mjs`).

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use codearena::cluster::Service;
use codearena::web;
use platform::http::{Layers, finish};
use reqwest::StatusCode;
use testkit::{ChildProcess, TestServer, free_port, wait_for_ok};

use crate::app::{Mode, TestApp};
use crate::helpers::assert_problem;
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

/// The web app nginx serves: `web/dist` when it is built, else (as scripts/cluster never
/// does) a directory of its own with the page of a build without it as index.html.
struct WebRoot {
    path: PathBuf,
    _made: Option<tempfile::TempDir>,
}

impl WebRoot {
    fn new() -> Self {
        let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web/dist");
        if dist.join("index.html").is_file() {
            let path = dist.canonicalize().unwrap();
            return WebRoot { path, _made: None };
        }
        let made = tempfile::tempdir().unwrap();
        // nginx's workers may run as another user than the test.
        std::fs::set_permissions(made.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(made.path().join("index.html"), web::NOT_BUILT_PAGE).unwrap();
        WebRoot {
            path: made.path().to_owned(),
            _made: Some(made),
        }
    }

    fn index(&self) -> String {
        std::fs::read_to_string(self.path.join("index.html")).unwrap()
    }
}

/// The template with its placeholders filled: `upstreams` maps each placeholder (AUTH,
/// BATTLE, EXECUTION, RATING, REALTIME) to its servers.
fn render(
    listen: &str,
    run_dir: &Path,
    web_root: &Path,
    upstreams: &[(&str, Vec<SocketAddr>)],
) -> String {
    let mut config = template()
        .replace("{{LISTEN}}", listen)
        .replace("{{RUN_DIR}}", &run_dir.display().to_string())
        .replace("{{WEB_ROOT}}", &web_root.display().to_string());
    for (name, servers) in upstreams {
        let lines: Vec<String> = servers.iter().map(|s| format!("server {s};")).collect();
        config = config.replace(&format!("{{{{{name}}}}}"), &lines.join("\n        "));
    }
    assert!(!config.contains("{{"), "a placeholder is left: {config}");
    config
}

/// nginx in the foreground on a free port, with its files in a directory of its own.
pub(crate) struct Ingress {
    child: ChildProcess,
    pub base: String,
    web_root: WebRoot,
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
        let web_root = WebRoot::new();
        let port = free_port();
        let config = dir.path().join("nginx.conf");
        let listen = format!("127.0.0.1:{port}");
        std::fs::write(
            &config,
            render(&listen, dir.path(), &web_root.path, upstreams),
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
            web_root,
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
    let web_root = WebRoot::new();
    let rendered = render("127.0.0.1:8083", dir.path(), &web_root.path, &upstreams);
    std::fs::write(&config, rendered).unwrap();
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

/// A cluster behind nginx: every service, plus a second realtime and a second execution
/// replica. The replicas and the app stay up while the value lives.
pub(crate) struct ClusterBehindNginx {
    pub ingress: Ingress,
    pub _replicas: [TestServer; 2],
    pub _app: TestApp,
}

pub(crate) async fn cluster_behind_nginx() -> ClusterBehindNginx {
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
    ClusterBehindNginx {
        ingress,
        _replicas: [realtime, execution],
        _app: app,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_a_whole_battle_through_nginx_on_two_realtime_replicas() {
    let cluster = cluster_behind_nginx().await;
    let base = cluster.ingress.base.clone();
    tokio::task::spawn_blocking(move || run_node("battle.mjs", &base, &[("REPLICAS", "2")]))
        .await
        .unwrap();
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_ingress_serves_the_web_app_and_leaves_api_paths_to_the_services() {
    // Every upstream is a service with no routes: whatever nginx passes on is its 404.
    let nothing = finish(
        axum::Router::new(),
        Layers {
            readiness: Vec::new(),
            trust_forwarded_for: false,
            fallback: None,
        },
    );
    let service = TestServer::start(nothing).await;
    let upstreams: Vec<(&str, Vec<SocketAddr>)> =
        ["AUTH", "BATTLE", "EXECUTION", "RATING", "REALTIME"]
            .into_iter()
            .map(|name| (name, vec![service.addr]))
            .collect();
    let ingress = Ingress::start(&upstreams).await;
    let client = reqwest::Client::new();
    let get = |path: &str| client.get(format!("{}{path}", ingress.base)).send();
    let index = ingress.web_root.index();

    for path in ["/", "/battle/x", "/join/AB12CD", "/leaderboard"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8"
        );
        assert_eq!(header(&response, "cache-control"), "no-cache");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "referrer-policy"), "same-origin");
        assert_eq!(
            header(&response, "content-security-policy"),
            web::CONTENT_SECURITY_POLICY
        );
        assert_eq!(response.text().await.unwrap(), index, "{path}");
    }

    let missing = get("/assets/missing.js").await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&missing, "cache-control"), "", "a 404 is not kept");
    for path in ["/internal/execution/judge", "/metrics", "/readyz"] {
        let response = get(path).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    for path in ["/api/nope", "/api/auth/nope", "/api/rating/nope"] {
        let response = get(path).await.unwrap();
        let body = assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        assert_eq!(body["detail"], "No such route.", "{path}");
    }

    // The built app's scripts, with their type and cached for good.
    let assets = ingress.web_root.path.join("assets");
    let script = std::fs::read_dir(&assets)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(".js"));
    let Some(script) = script else {
        println!("no scripts checked: web/dist is not built (scripts/build-web builds it)");
        return;
    };
    let response = get(&format!("/assets/{script}")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&response, "content-security-policy"), "");
}

#[tokio::test]
async fn a_service_with_no_replica_up_is_a_503_problem_not_a_bad_gateway_page() {
    // A port nothing listens on: every connection is refused, as while a replica restarts.
    let down: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let upstreams: Vec<(&str, Vec<SocketAddr>)> =
        ["AUTH", "BATTLE", "EXECUTION", "RATING", "REALTIME"]
            .into_iter()
            .map(|name| (name, vec![down]))
            .collect();
    let ingress = Ingress::start(&upstreams).await;
    let client = reqwest::Client::new();
    let response = client
        .post(format!("{}/api/battle/queue", ingress.base))
        .json(&serde_json::json!({"mode": "rated"}))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "retry-after"), "1");
    let body = assert_problem(
        response,
        StatusCode::SERVICE_UNAVAILABLE,
        "upstream_unavailable",
    )
    .await;
    assert_eq!(body["status"], 503);
}
