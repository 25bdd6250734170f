//! The realtime service under load (issue 11): sockets held by one replica, memory per
//! socket, and the delay from an event's publication on the bus to its arrival at every
//! socket of a battle's room.
//!
//! Starts CodeArena in this process (embedded; `--mode cluster`: auth, execution without
//! sandbox slots, rating, battle and one realtime replica on PostgreSQL, Redis, RabbitMQ),
//! has two players matched, and runs `crates/codearena/tests/socket/load.mjs` (the official
//! socket.io-client in Node), which opens `--sockets` websocket connections with a
//! spectator's token and joins each to the battle's room. RSS (`/proc/self/status`) is read
//! before and after. Then `--events` synthetic events of the battle go on the bus, numbered
//! right after its last one (every cursor passes them straight on), `at_ms` = now; Node
//! records Date.now() − at_ms on every socket. Node shares the machine's cores with the server.
//!
//! `npm ci --prefix crates/codearena/tests/socket`, then
//! `cargo run --release -j 2 -p bench --bin realtime_load -- --sockets 10000 --events 50`
//!
//! A benchmark: it stops with an error at the first unexpected answer; nothing the network
//! sent is unwrapped.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use codearena::Settings;
use codearena::cluster::Service;
use contracts::battle::{BattleEvent, EventBody};
use contracts::names::BATTLE_EVENTS;
use platform::Infra;
use platform::shutdown::Shutdown;
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::ChildStdout;
use uuid::Uuid;

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Mode {
    Embedded,
    Cluster,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "embedded")]
    mode: Mode,
    /// Sockets to open, all in one battle's room.
    #[arg(long, default_value_t = 10_000)]
    sockets: usize,
    /// Events to publish once they are all in.
    #[arg(long, default_value_t = 50)]
    events: usize,
    /// Pause between two events.
    #[arg(long, default_value_t = 200)]
    interval_ms: u64,
    /// Sockets connecting at once.
    #[arg(long, default_value_t = 200)]
    batch: usize,
    /// Log filter for the services' logs on stderr.
    #[arg(long, default_value = "warn")]
    log: String,
}

/// How long connecting all sockets may take.
const CONNECTING: Duration = Duration::from_secs(1800);
/// How long the last event may take to reach every socket.
const DRAIN: Duration = Duration::from_secs(60);
const SERVICE_TOKEN: &str = "bench-service-token-bench-service-token-00";

fn main() -> anyhow::Result<()> {
    sandbox::enter_if_requested();
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)?;
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    logs.with_writer(std::io::stderr).init();
    // The server and Node (which inherits the limit) each hold one fd per socket.
    let want = args.sockets as u64 + 1024;
    let fds = raise_fd_limit(want);
    println!("open files limit (this process and Node): {fds}");
    if fds < want {
        println!("  the hard limit (raising it needs CAP_SYS_RESOURCE): EMFILE near {fds} sockets");
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

/// Raises RLIMIT_NOFILE to `want` (the hard limit too, when allowed); the soft limit now.
fn raise_fd_limit(want: u64) -> u64 {
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
struct Stack {
    auth: String,
    battle: String,
    realtime: String,
    infra: Arc<Infra>,
    _keep: (Vec<TestServer>, Option<TestDatabase>, tempfile::TempDir),
}

async fn start(mode: Mode, shutdown: &Shutdown) -> anyhow::Result<Stack> {
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
            Realtime => {}
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
async fn call(request: reqwest::RequestBuilder, expect: u16) -> anyhow::Result<Value> {
    let response = request.send().await?;
    let (status, url) = (response.status().as_u16(), response.url().clone());
    let body: Value = response.json().await.unwrap_or(Value::Null);
    anyhow::ensure!(status == expect, "{url}: {status}, not {expect}: {body}");
    Ok(body)
}

/// Registers `name`: its access token and id.
async fn register(
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
fn rss(pid: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    let kib: u64 = line.split_whitespace().nth(1).context("VmRSS")?.parse()?;
    Ok(kib * 1024)
}

/// Unix milliseconds, as events' `at_ms`.
fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// CPU time (user + system) this process has used.
fn cpu() -> Duration {
    // SAFETY: an all-zero rusage is valid, and getrusage only writes to it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage to write to.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The JSON after `prefix ` on the next line of Node's stdout that has it.
async fn line(lines: &mut Lines<BufReader<ChildStdout>>, prefix: &str) -> anyhow::Result<Value> {
    while let Some(line) = lines.next_line().await? {
        if let Some(rest) = line.strip_prefix(prefix) {
            return Ok(serde_json::from_str(rest.trim())?);
        }
    }
    bail!("load.mjs ended without a `{prefix}` line")
}

async fn run(args: Args) -> anyhow::Result<()> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../codearena/tests/socket");
    anyhow::ensure!(
        script.join("node_modules/socket.io-client").exists(),
        "run `npm ci --prefix crates/codearena/tests/socket` first"
    );
    let shutdown = Shutdown::new();
    let stack = start(args.mode, &shutdown).await?;
    let http = reqwest::Client::new();
    let (first, first_id) = register(&http, &stack.auth, "rt_ada").await?;
    let (second, _) = register(&http, &stack.auth, "rt_bob").await?;
    let (spectator, _) = register(&http, &stack.auth, "rt_eve").await?;
    let queue = format!("{}/api/battle/queue", stack.battle);
    for token in [&first, &second] {
        let rated = json!({"mode": "rated"});
        call(http.post(&queue).bearer_auth(token).json(&rated), 202).await?;
    }
    let waiting = Instant::now();
    let battle: Uuid = loop {
        let status = call(http.get(&queue).bearer_auth(&first), 200).await?;
        if let Some(id) = status["battle_id"].as_str() {
            break id.parse()?;
        }
        let patient = waiting.elapsed() < Duration::from_secs(30);
        anyhow::ensure!(patient, "no match: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    let rss_before = rss("self")?;
    let mut node = tokio::process::Command::new("node")
        .arg("--max-old-space-size=8192")
        .arg(script.join("load.mjs"))
        .env("BASE", &stack.realtime)
        .env("TOKEN", &spectator)
        .env("BATTLE", battle.to_string())
        .env("SOCKETS", args.sockets.to_string())
        .env("EVENTS", args.events.to_string())
        .env("BATCH", args.batch.to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("starting node")?;
    let node_pid = node.id().context("node exited")?.to_string();
    let mut stdin = node.stdin.take().context("node's stdin")?;
    let mut lines = BufReader::new(node.stdout.take().context("node's stdout")?).lines();
    let ready = tokio::time::timeout(CONNECTING, line(&mut lines, "ready ")).await??;
    let joined = ready["joined"].as_u64().context("joined")?;
    let last_seq = ready["last_seq"].as_i64().context("no socket joined")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss("self")?;
    let node_rss = rss(&node_pid)?;

    let bus = stack.infra.bus().await?;
    let cpu_before = cpu();
    let publishing = Instant::now();
    for i in 1..=args.events as i64 {
        let event = BattleEvent {
            battle_id: battle,
            seq: last_seq + i,
            at_ms: now_ms(),
            body: EventBody::Ready { user_id: first_id },
        };
        let payload = serde_json::to_vec(&event)?;
        bus.publish(BATTLE_EVENTS, &payload).await?;
        tokio::time::sleep(Duration::from_millis(args.interval_ms)).await;
    }
    let result = match tokio::time::timeout(DRAIN, line(&mut lines, "result ")).await {
        Ok(result) => result?,
        Err(_) => {
            stdin.write_all(b"end\n").await?;
            line(&mut lines, "result ").await?
        }
    };
    let server_cpu = cpu() - cpu_before;
    let wall = publishing.elapsed();
    let _ = node.wait().await;

    let mib = |b: u64| format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0));
    let ms = |v: &Value| v.as_f64().map_or("–".to_owned(), |v| format!("{v:.0} ms"));
    let per_socket = rss_after.saturating_sub(rss_before) as f64 / joined.max(1) as f64 / 1024.0;
    let (before, after, node_rss) = (mib(rss_before), mib(rss_after), mib(node_rss));
    let (r, n) = (&result, args.events.max(1) as f64);
    let server_cpu = server_cpu.as_secs_f64() * 1e3;
    let node_cpu = r["client_cpu_ms"].as_f64().unwrap_or(0.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (mode, events, apart, asked) = (args.mode, args.events, args.interval_ms, args.sockets);
    println!("mode {mode:?}, {events} events {apart} ms apart");
    println!("load average now: {}", load.trim());
    println!("\n| measure | value |\n|---|---|");
    println!("| sockets held (in the room) | {joined} of {asked} |");
    println!("| failed | {} {} |", ready["failed"], ready["failures"]);
    let (batch, connecting) = (args.batch, ms(&ready["connect_ms"]));
    println!("| connecting them, {batch} at a time | {connecting} |");
    println!("| server RSS before → after | {before} → {after} |");
    println!("| server memory per socket | {per_socket:.1} KiB |");
    println!("| Node RSS (the clients) | {node_rss} |");
    let (got, want, bad) = (&r["received"], &r["expected"], &r["out_of_order"]);
    println!("| events received / expected | {got} / {want} (out of order {bad}) |");
    println!("| sockets dropped while events flowed | {} |", r["dropped"]);
    let (all, first, last) = ("all (socket, event) pairs", "first socket", "last socket");
    for (name, s) in [
        (all, &r["all"]),
        (first, &r["first_socket"]),
        (last, &r["last_socket"]),
    ] {
        let values = [&s["p50"], &s["p95"], &s["p99"], &s["max"]].map(ms);
        println!(
            "| delay, {name}: p50 / p95 / p99 / max | {} |",
            values.join(" / ")
        );
    }
    let wall = wall.as_secs_f64();
    let cpu = format!("{server_cpu:.0} ms / {node_cpu:.0} ms");
    println!("| CPU in {wall:.1} s of events: server / Node | {cpu} |");
    let (s, c) = (server_cpu / n, node_cpu / n);
    println!("| CPU per event: server / Node | {s:.1} ms / {c:.1} ms |");
    // Background work stops before its database goes.
    shutdown.cancel();
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(stack);
    Ok(())
}
