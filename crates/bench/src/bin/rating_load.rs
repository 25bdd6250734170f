//! The rating service under load, through the real path:
//!
//! 1. **Rated battles applied per second.** `--battles` finished rated battles among
//!    `--players` players (random pairs and winner, one in ten a draw) are appended to the
//!    results stream with `append_once`, as battle does; then `--replicas` rating services
//!    start (`rating::parts`, each over its own `Infra`: its own consumer of the group), and
//!    the clock runs until the database counts every battle applied (then until the outbox
//!    is published). A second pass appends as many again while the consumers run.
//! 2. **Reads per second.** `--clients` keep-alive clients GET the first replica's
//!    `/api/rating/leaderboard?page=K` (K random), then `/users/{id}` and
//!    `/users/{id}/history` of random players, for `--seconds` each.
//!
//! `cargo run --release -j 2 -p bench --bin rating_load -- --mode cluster [--replicas 2]`
//! (a fresh PostgreSQL database and Redis prefix); `--mode embedded` (SQLite, one replica).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::ensure;
use bench::summarise;
use clap::{Parser, ValueEnum};
use contracts::battle::{BattleResult, EndReason};
use contracts::names;
use futures_util::StreamExt as _;
use platform::Infra;
use platform::infra::{AmqpSettings, Database, DatabaseSettings, EmbeddedSettings, RedisSettings};
use platform::shutdown::Shutdown;
use platform::streams::DurableStream;
use rating::{PostgresRatingStore, RatingSettings, RatingStore, SqliteRatingStore};
use uuid::Uuid;

#[derive(Clone, Copy, ValueEnum, Debug, PartialEq, Eq)]
enum Mode {
    Embedded,
    Cluster,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "cluster")]
    mode: Mode,
    /// Finished rated battles per pass.
    #[arg(long, default_value_t = 5000)]
    battles: usize,
    #[arg(long, default_value_t = 200)]
    players: usize,
    /// Rating services consuming the stream, each its own Infra (cluster mode only).
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// `rating.batch` (the service's default when absent).
    #[arg(long)]
    batch: Option<usize>,
    /// `rating.concurrency` (the service's default when absent).
    #[arg(long)]
    concurrency: Option<usize>,
    /// Skip the second pass (applied while appending).
    #[arg(long)]
    no_live: bool,
    /// Concurrent keep-alive HTTP clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Seconds per read phase.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Log filter for the service's logs on stderr.
    #[arg(long, default_value = "warn")]
    log: String,
}

/// How long one pass may take before the run fails.
const PATIENCE: Duration = Duration::from_secs(600);
/// How often the applied count is read from the database.
const POLL: Duration = Duration::from_millis(20);
/// Appends in flight while filling the stream.
const PRODUCERS: usize = 16;

fn main() -> anyhow::Result<()> {
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
    ensure!(args.players >= 2, "--players must be at least 2");
    ensure!(
        args.replicas >= 1 && (args.mode == Mode::Cluster || args.replicas == 1),
        "--replicas: at least 1, and 1 in embedded mode (one process owns the SQLite file)"
    );
    let defaults = RatingSettings::default();
    let settings = RatingSettings {
        batch: args.batch.unwrap_or(defaults.batch),
        concurrency: args.concurrency.unwrap_or(defaults.concurrency),
        ..defaults
    };
    let dir = tempfile::tempdir()?;
    let db = match args.mode {
        Mode::Cluster => Some(testkit::TestDatabase::postgres().await),
        Mode::Embedded => None,
    };
    let database = DatabaseSettings {
        url: db.as_ref().map(|db| db.url().to_owned()),
        ..DatabaseSettings::default()
    };
    let redis = RedisSettings {
        url: Some(testkit::redis_url()),
        prefix: testkit::unique_prefix(),
        ..Default::default()
    };
    let cluster = || Infra::cluster(&database, &redis, &AmqpSettings::default());
    // The producer (battle's side); in cluster mode each replica has an Infra of its own.
    let (producer, own) = match args.mode {
        Mode::Cluster => (cluster(), (0..args.replicas).map(|_| cluster()).collect()),
        Mode::Embedded => {
            let data_dir = dir.path().join("data");
            (
                Infra::embedded(&EmbeddedSettings { data_dir }).await?,
                Vec::new(),
            )
        }
    };
    let consumers: Vec<&Infra> = match args.mode {
        Mode::Cluster => own.iter().collect(),
        Mode::Embedded => vec![&producer],
    };
    // The watcher's store (the migrations run here, before any clock starts).
    let store: Arc<dyn RatingStore> = match producer.database().await? {
        Database::Postgres(pool) => Arc::new(PostgresRatingStore::new(pool).await?),
        Database::Sqlite(pool) => Arc::new(SqliteRatingStore::new(pool).await?),
    };
    let stream = producer.streams().await?;
    println!(
        "mode {:?}, {} replica(s), {} battles per pass among {} players, \
         database.max_connections {} (cluster)",
        args.mode, args.replicas, args.battles, args.players, database.max_connections,
    );
    let mut rng = Rng(0x5eed_cafe_f00d);
    let players: Vec<(Uuid, String)> = (0..args.players)
        .map(|i| (Uuid::now_v7(), format!("player{i}")))
        .collect();

    // --- 1. applied per second ----------------------------------------------------------
    let n = args.battles as u64;
    let appended = append(stream.clone(), battles(&players, n, &mut rng)).await?;
    println!();
    println!(
        "1. {n} appended in {:.2} s ({:.0} appends/s)",
        appended.as_secs_f64(),
        n as f64 / appended.as_secs_f64(),
    );
    let shutdown = Shutdown::new();
    let started = Instant::now();
    let mut replicas = Vec::new();
    for infra in &consumers {
        replicas.push(rating::parts(&settings, infra, &shutdown).await?);
    }
    let [first, done, outbox] = wait(store.as_ref(), n, started).await?;
    // As the service runs them (on SQLite it applies one battle at a time).
    let settings = replicas[0].service.settings().clone();
    println!(
        "   applied from a full stream: {:>6.0} battles/s  ({n} in {:.2} s; first after \
         {:.0} ms; outbox published by {:.2} s)",
        n as f64 / done.as_secs_f64(),
        done.as_secs_f64(),
        first.as_secs_f64() * 1000.0,
        outbox.as_secs_f64()
    );
    let mut target = n;
    if !args.no_live {
        let started = Instant::now();
        let producing = tokio::spawn(append(stream.clone(), battles(&players, n, &mut rng)));
        target += n;
        let [_, done, outbox] = wait(store.as_ref(), target, started).await?;
        let appended = producing.await??;
        println!(
            "   applied while appending:    {:>6.0} battles/s  ({n} in {:.2} s; appending took \
             {:.2} s; outbox published by {:.2} s)",
            n as f64 / done.as_secs_f64(),
            done.as_secs_f64(),
            appended.as_secs_f64(),
            outbox.as_secs_f64()
        );
    }
    let totals = store.totals().await?;
    ensure!(
        totals.battles == target && totals.history_rows == 2 * target,
        "expected {target} battles, twice as many history rows; the store holds {totals:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let lag = stream
        .lag(names::BATTLE_RESULTS, names::RATING_GROUP)
        .await?;
    println!(
        "   store: {} battles, {} history rows, {} players; stream lag {lag}\n   {settings:?}",
        totals.battles, totals.history_rows, totals.players
    );

    // --- 2. reads per second over HTTP --------------------------------------------------
    let server = testkit::TestServer::start(replicas[0].parts.router.clone()).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()?;
    let pages = totals.players.div_ceil(settings.page_size.into()).max(1);
    println!();
    println!(
        "2. reads: {} keep-alive clients, {} s each; {pages} leaderboard pages",
        args.clients, args.seconds
    );
    println!(
        "{:<26} {:>8} {:>9} {:>10} {:>10} {:>10} {:>7}",
        "", "requests", "req/s", "p50", "p99", "max", "failed"
    );
    let ids: Arc<Vec<Uuid>> = Arc::new(players.iter().map(|(id, _)| *id).collect());
    let pick = move |n: u64| ids[(n % ids.len() as u64) as usize];
    let by_id = pick.clone();
    let paths: [(&str, Path); 3] = [
        (
            "GET /leaderboard?page=K",
            Arc::new(move |n| format!("/leaderboard?page={}", n % pages + 1)),
        ),
        (
            "GET /users/{id}",
            Arc::new(move |n| format!("/users/{}", by_id(n))),
        ),
        (
            "GET /users/{id}/history",
            Arc::new(move |n| format!("/users/{}/history", pick(n))),
        ),
    ];
    let base = format!("http://{}/api/rating", server.addr);
    let duration = Duration::from_secs(args.seconds);
    for (name, path) in paths {
        let s = read(&client, &base, path, args.clients, duration).await;
        println!(
            "{name:<26} {:>8} {:>9.0} {:>7.2} ms {:>7.2} ms {:>7.2} ms {:>7}",
            s.0.count, s.0.per_second, s.0.p50_ms, s.0.p99_ms, s.0.max_ms, s.1
        );
    }

    shutdown.cancel();
    Ok(())
}

/// A path under `/api/rating`, made of a random number.
type Path = Arc<dyn Fn(u64) -> String + Send + Sync>;

/// `clients` keep-alive clients GET `base` + `path(random)` for `duration`; a success is a
/// 200 whose body was read. The latencies, and how many failed.
async fn read(
    client: &reqwest::Client,
    base: &str,
    path: Path,
    clients: usize,
    duration: Duration,
) -> (bench::Summary, usize) {
    static COUNTER: AtomicU64 = AtomicU64::new(1);
    let (client, base) = (client.clone(), base.to_owned());
    let get = move || {
        let n = mix(COUNTER.fetch_add(1, Ordering::Relaxed));
        let request = client.get(format!("{base}{}", path(n))).send();
        async move {
            match request.await {
                Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                _ => false,
            }
        }
    };
    let started = Instant::now();
    let (latencies, failed) = bench::hammer(clients, duration, get).await;
    (summarise(latencies, started.elapsed()), failed)
}

/// Appends every battle under its id, [`PRODUCERS`] at a time; how long it took.
async fn append(
    stream: Arc<dyn DurableStream>,
    battles: Vec<BattleResult>,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let appended: Vec<anyhow::Result<bool>> = futures_util::stream::iter(battles)
        .map(|b| {
            let stream = stream.clone();
            async move {
                let payload = serde_json::to_vec(&b)?;
                let key = b.battle_id.to_string();
                Ok(stream
                    .append_once(names::BATTLE_RESULTS, &key, &payload)
                    .await?)
            }
        })
        .buffer_unordered(PRODUCERS)
        .collect()
        .await;
    for one in appended {
        ensure!(one?, "a fresh battle id was taken for a repeat");
    }
    Ok(started.elapsed())
}

/// Waits until the database counts `target` battles applied, then until the outbox is
/// empty; when the count first moved, when it reached `target`, and when every
/// `rating.updated` event was published, from `started`.
async fn wait(
    store: &dyn RatingStore,
    target: u64,
    started: Instant,
) -> anyhow::Result<[Duration; 3]> {
    let before = store.totals().await?.battles;
    let mut first = None;
    loop {
        let applied = store.totals().await?.battles;
        if applied > before {
            first.get_or_insert(started.elapsed());
        }
        if applied >= target {
            break;
        }
        ensure!(
            started.elapsed() < PATIENCE,
            "{applied} of {target} applied"
        );
        tokio::time::sleep(POLL).await;
    }
    let done = started.elapsed();
    while store.outbox_lag().await? > 0 {
        ensure!(started.elapsed() < PATIENCE, "the outbox did not drain");
        tokio::time::sleep(POLL).await;
    }
    Ok([first.unwrap_or(done), done, started.elapsed()])
}

/// `n` finished rated battles between random pairs; about one in ten a draw.
fn battles(players: &[(Uuid, String)], n: u64, rng: &mut Rng) -> Vec<BattleResult> {
    let len = players.len() as u64;
    (0..n)
        .map(|_| {
            let a = (rng.next() % len) as usize;
            let b = (a + 1 + (rng.next() % (len - 1)) as usize) % players.len();
            let (winner, reason) = match rng.next() % 10 {
                0 => (None, EndReason::Draw),
                r if r % 2 == 0 => (Some(players[a].0), EndReason::Accepted),
                _ => (Some(players[b].0), EndReason::Resigned),
            };
            BattleResult {
                battle_id: Uuid::now_v7(),
                players: [players[a].0, players[b].0],
                usernames: [players[a].1.clone(), players[b].1.clone()],
                winner,
                reason,
                finished_at_ms: rating::service::now_ms(),
            }
        })
        .collect()
}

/// xorshift64: reproducible pairs without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// splitmix64's finaliser: a counter made random-looking.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}
