//! The battle service under load, through its HTTP API and its event channel:
//!
//! 1. **Battles per second.** `--clients` pairs of players play `--battles` private battles
//!    between them, each pair one battle after another: create → join → wait for the
//!    battle's `started` event on the event channel → resign (finished). Reports battles
//!    per second over the whole run, and p50/p99/max of the wall time of a battle, of each
//!    HTTP call and of join → `started` seen.
//! 2. **Result to event.** The pairs start one battle each and then submit, one player at a
//!    time per pair; this program plays the sandbox worker (the app runs without one): it
//!    takes the judge job off the jobs queue, publishes a WA result for it on the results
//!    exchange, and measures from just before `publish_result` to the moment the
//!    subscription yields the submission's `judged` event. `--results` results in all.
//!
//! `cargo run --release -p bench --bin battle_load -- --mode embedded`
//! `cargo run --release -p bench --bin battle_load -- --mode cluster` (PostgreSQL, Redis,
//! RabbitMQ; auth, execution and battle each on their own port, as in production)
//!
//! Users are registered (bcrypt cost 4) before any clock starts. The battle clock runs
//! every `battle.tick_ms` (the service's default, 200 ms, unless `--tick-ms`); with
//! `countdown_secs = 0` a joined battle opens on the next tick. The event channel is also
//! checked: every battle's events must arrive once each, in sequence order, without gaps.
//! An event's `at_ms` (the service's clock when it decided the change, just before the
//! commit; whole milliseconds) splits the latencies into the part up to the commit (clock
//! tick, results consumer) and the part from the commit to the channel (outbox relay).
//! The services' logs (`--log`, default `warn`) go to stderr.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod channel;
mod games;
mod stack;

use channel::Watcher;
use games::{BattleTimings, Jobs, ResultTimings, judge_one, open_battle, play_one};
use stack::{Api, Stack};

use anyhow::bail;
use bench::summarise;
use clap::{Parser, ValueEnum};
use platform::shutdown::Shutdown;
use serde_json::json;

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Mode {
    Embedded,
    Cluster,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "embedded")]
    mode: Mode,
    /// Battles to create and finish (phase 1).
    #[arg(long, default_value_t = 200)]
    battles: usize,
    /// Concurrent pairs of players (both phases).
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Judge results to publish (phase 2).
    #[arg(long, default_value_t = 200)]
    results: usize,
    /// `battle.tick_ms` (clock, matchmaker); the service's default when absent.
    #[arg(long)]
    tick_ms: Option<u64>,
    /// Log filter for the services' logs on stderr.
    #[arg(long, default_value = "warn")]
    log: String,
}

/// How long any one awaited thing (an event, a job) may take before the run fails.
const PATIENCE: Duration = Duration::from_secs(30);
/// The problem every battle is played on.
const PROBLEM: &str = "sum";
/// Submissions per pair in one battle in phase 2 (the service allows 50 per player).
const ROUNDS_PER_BATTLE: usize = 40;
/// The secret battle presents to execution in cluster mode.
const SERVICE_TOKEN: &str = "bench-service-token-bench-service-token-00";

fn main() -> anyhow::Result<()> {
    sandbox::enter_if_requested();
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log)
        .map_err(|e| anyhow::anyhow!("--log {:?}: {e}", args.log))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.clients > 0, "--clients must be at least 1");
    let shutdown = Shutdown::new();
    let stack = Stack::start(&args, &shutdown).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(4 * args.clients)
        .build()?;
    let api = Api {
        client,
        auth: stack.auth.clone(),
        battle: stack.battle.clone(),
    };

    let mut pairs = Vec::new();
    for i in 0..args.clients {
        let first = api.register(&format!("load{i}a")).await?;
        let second = api.register(&format!("load{i}b")).await?;
        pairs.push(Arc::new((first, second)));
    }
    // Live before the first battle exists: every event of every battle must come through.
    let watcher = Watcher::start(&stack.infra).await?;

    println!(
        "mode {:?}, {} pairs of players, battle.tick_ms {}, countdown 0 s",
        args.mode, args.clients, stack.tick_ms
    );

    // --- 1. battles per second --------------------------------------------------------
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = pairs
        .iter()
        .map(|pair| {
            let (api, pair, watcher, next) =
                (api.clone(), pair.clone(), watcher.clone(), next.clone());
            let total = args.battles;
            tokio::spawn(async move {
                let mut timings = Vec::new();
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    timings.push(play_one(&api, &pair, &watcher).await?);
                }
                anyhow::Ok(timings)
            })
        })
        .collect();
    let mut played: Vec<BattleTimings> = Vec::new();
    for task in tasks {
        played.extend(task.await??);
    }
    let elapsed = started.elapsed();
    println!();
    println!(
        "1. battles: {} created and finished in {:.2} s = {:.1} battles/s ({} concurrent pairs)",
        played.len(),
        elapsed.as_secs_f64(),
        played.len() as f64 / elapsed.as_secs_f64(),
        args.clients
    );
    header();
    row(
        "battle, create → finished",
        played.iter().map(|t| t.total).collect(),
    );
    row(
        "  POST create (201)",
        played.iter().map(|t| t.create).collect(),
    );
    row("  POST join (200)", played.iter().map(|t| t.join).collect());
    row(
        "  join → `started` seen",
        played.iter().map(|t| t.until_started).collect(),
    );
    row(
        "    join → clock opens it (at_ms)",
        played.iter().map(|t| t.until_opened).collect(),
    );
    row(
        "    opened → `started` seen",
        played.iter().map(|t| t.opened_to_seen).collect(),
    );
    row(
        "  POST resign (200)",
        played.iter().map(|t| t.resign).collect(),
    );

    // --- 2. result → judged event -----------------------------------------------------
    let jobs = Jobs::start(&stack.infra, &shutdown).await?;
    let mut battles = Vec::new();
    for pair in &pairs {
        battles.push(open_battle(&api, pair, &watcher).await?);
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = pairs
        .iter()
        .zip(battles)
        .map(|(pair, battle)| {
            let (api, pair, watcher, jobs, next) = (
                api.clone(),
                pair.clone(),
                watcher.clone(),
                jobs.clone(),
                next.clone(),
            );
            let total = args.results;
            tokio::spawn(async move {
                let mut timings = Vec::new();
                let mut battle = battle;
                let mut round = 0;
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    if round == ROUNDS_PER_BATTLE {
                        // Below the cap on submissions per player and battle.
                        api.post(
                            &format!("/api/battle/{battle}/resign"),
                            &pair.0,
                            &json!({}),
                            200,
                        )
                        .await?;
                        battle = open_battle(&api, &pair, &watcher).await?;
                        round = 0;
                    }
                    // The players of a pair take turns: each waits for its verdict first.
                    let player = if round % 2 == 0 { &pair.0 } else { &pair.1 };
                    round += 1;
                    timings.push(judge_one(&api, player, battle, &watcher, &jobs).await?);
                }
                anyhow::Ok(timings)
            })
        })
        .collect();
    let mut judged: Vec<ResultTimings> = Vec::new();
    for task in tasks {
        judged.extend(task.await??);
    }
    let elapsed = started.elapsed();
    println!();
    println!(
        "2. results: {} judged in {:.2} s ({} players submitting at once, one pending each)",
        judged.len(),
        elapsed.as_secs_f64(),
        args.clients
    );
    header();
    row(
        "result published → `judged` seen",
        judged.iter().map(|t| t.to_event).collect(),
    );
    row(
        "  published → committed (at_ms)",
        judged.iter().map(|t| t.until_committed).collect(),
    );
    row(
        "  committed → `judged` seen",
        judged.iter().map(|t| t.committed_to_seen).collect(),
    );
    row(
        "  POST submissions (202)",
        judged.iter().map(|t| t.submit).collect(),
    );
    row(
        "  202 → judge job taken",
        judged.iter().map(|t| t.until_job).collect(),
    );
    row(
        "  publish_result call",
        judged.iter().map(|t| t.publish).collect(),
    );

    // --- the event channel ------------------------------------------------------------
    // Let the last events arrive, then look at what came.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stats = watcher.stats();
    let gaps = stats.gaps();
    println!();
    println!(
        "event channel: {} events of {} battles ({}); {} duplicate, {} out of order, \
         {} missing (gaps), {} `Missed`, {} undecodable",
        stats.events,
        stats.seen.len(),
        stats
            .by_kind
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        stats.duplicates,
        stats.out_of_order,
        gaps,
        stats.missed,
        stats.undecodable
    );
    header();
    row(
        "event committed → seen (at_ms, 1 ms)",
        stats.lag_micros.clone(),
    );
    let broken = stats.duplicates + stats.out_of_order + gaps + stats.missed;
    drop(stats);
    shutdown.cancel();
    if broken > 0 {
        bail!("the event channel lost, repeated or reordered events (see above)");
    }
    Ok(())
}

// --- output -------------------------------------------------------------------------------

fn header() {
    println!(
        "{:<40} {:>7} {:>10} {:>10} {:>10}",
        "", "count", "p50", "p99", "max"
    );
}

fn row(name: &str, micros: Vec<u64>) {
    let s = summarise(micros, Duration::from_secs(1));
    println!(
        "{name:<40} {:>7} {:>7.2} ms {:>7.2} ms {:>7.2} ms",
        s.count, s.p50_ms, s.p99_ms, s.max_ms
    );
}
