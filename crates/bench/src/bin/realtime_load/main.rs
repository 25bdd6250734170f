//! The realtime service under load (issue 11): sockets held by one replica, memory per
//! socket, and the delay from an event's publication on the bus to its arrival at every
//! socket of a battle's room.
//!
//! Starts CodeArena in this process (embedded; `--mode cluster`: auth, execution without
//! sandbox slots, rating, battle and one realtime replica on PostgreSQL, Redis, RabbitMQ),
//! has two players matched, and runs `crates/codearena/tests/socket/load.mjs` (the official
//! socket.io-client in Node), which opens `--sockets` websocket connections with a
//! spectator's token. `--room` of them (default: all), spread evenly over the connecting
//! order, join the battle's room; the others are only connected and held (each socket is
//! in its user's room, which no battle event goes to). RSS (`/proc/self/status`) is read
//! before and after. Then `--events` synthetic events of the battle go on the bus, numbered
//! right after its last one (every cursor passes them straight on), `at_ms` = now; Node
//! records Date.now() − at_ms on every socket of the room. Node shares the machine's cores
//! with the server.
//!
//! `npm ci --prefix crates/codearena/tests/socket`, then
//! `cargo run --release -j 2 -p bench --bin realtime_load -- --sockets 10000 --events 50`
//! `cargo run --release -j 2 -p bench --bin realtime_load -- --sockets 10000 --room 2`
//!
//! A benchmark: it stops with an error at the first unexpected answer; nothing the network
//! sent is unwrapped.

use std::path::PathBuf;
use std::time::{Duration, Instant};

mod stack;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use contracts::battle::{BattleEvent, EventBody};
use contracts::names::BATTLE_EVENTS;
use platform::shutdown::Shutdown;
use serde_json::{Value, json};
use stack::{call, cpu, now_ms, raise_fd_limit, register, rss, start};
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
    /// Sockets to open and hold.
    #[arg(long, default_value_t = 10_000)]
    sockets: usize,
    /// How many of them join the measured battle's room (default: all); the others are
    /// only connected.
    #[arg(long)]
    room: Option<usize>,
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

fn main() -> anyhow::Result<()> {
    sandbox::enter_if_requested();
    let args = Args::parse();
    let room = args.room.unwrap_or(args.sockets);
    anyhow::ensure!(
        (1..=args.sockets).contains(&room),
        "--room must be 1..=--sockets"
    );
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
        .env("ROOM", args.room.unwrap_or(args.sockets).to_string())
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
    let held = joined + ready["held"].as_u64().context("held")?;
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
    let per_socket = rss_after.saturating_sub(rss_before) as f64 / held.max(1) as f64 / 1024.0;
    let (before, after, node_rss) = (mib(rss_before), mib(rss_after), mib(node_rss));
    let (r, n) = (&result, args.events.max(1) as f64);
    let server_cpu = server_cpu.as_secs_f64() * 1e3;
    let node_cpu = r["client_cpu_ms"].as_f64().unwrap_or(0.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let (mode, events, apart, asked) = (args.mode, args.events, args.interval_ms, args.sockets);
    let room = args.room.unwrap_or(asked);
    println!(
        "mode {mode:?}, {asked} sockets, {room} in the room, {events} events {apart} ms apart"
    );
    println!("load average now: {}", load.trim());
    println!("\n| measure | value |\n|---|---|");
    println!("| sockets held | {held} of {asked} |");
    println!("| in the measured battle's room | {joined} |");
    println!("| failed | {} {} |", ready["failed"], ready["failures"]);
    let (batch, connecting) = (args.batch, ms(&ready["connect_ms"]));
    println!("| connecting them, {batch} at a time | {connecting} |");
    println!("| server RSS before → after | {before} → {after} |");
    println!("| server memory per socket | {per_socket:.1} KiB |");
    println!("| Node RSS (the clients) | {node_rss} |");
    let (got, want, bad) = (&r["received"], &r["expected"], &r["out_of_order"]);
    println!("| events received / expected | {got} / {want} (out of order {bad}) |");
    println!("| events at sockets outside the room | {} |", r["stray"]);
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
