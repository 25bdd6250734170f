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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bench::summarise;
use clap::{Parser, ValueEnum};
use codearena::Settings;
use codearena::cluster::Service;
use contracts::battle::{BattleEvent, EventBody};
use contracts::execution::{JobResult, JudgeJob, TestOutcome, Verdict};
use contracts::names;
use execution::queue::JobQueue;
use platform::Infra;
use platform::bus::BusEvent;
use platform::shutdown::Shutdown;
use serde_json::{Value, json};
use testkit::{TestDatabase, TestServer};
use tokio::sync::oneshot;
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

// --- the application ----------------------------------------------------------------------

/// The app, started in this process as the binary composes it.
struct Stack {
    auth: String,
    battle: String,
    /// What the battle service runs on (cluster: the same servers and names).
    infra: Arc<Infra>,
    tick_ms: u64,
    _servers: Vec<TestServer>,
    _db: Option<TestDatabase>,
    _data: tempfile::TempDir,
}

impl Stack {
    async fn start(args: &Args, shutdown: &Shutdown) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let mut settings = Settings::default();
        settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret-00".into());
        settings.auth.bcrypt_cost = 4;
        settings.embedded.data_dir = data.path().join("data");
        // No sandbox slots: this program takes the judge jobs itself.
        settings.execution.workers = Some(0);
        settings.execution.package_cache_dir = Some(data.path().join("packages"));
        settings.execution.service_token = Some(SERVICE_TOKEN.into());
        let problems = data.path().join("problems");
        write_sum_package(&problems.join(PROBLEM))?;
        settings.battle.problems_dir = problems;
        settings.battle.countdown_secs = 0;
        if let Some(tick) = args.tick_ms {
            settings.battle.tick_ms = tick;
        }
        let tick_ms = settings.battle.tick_ms;
        match args.mode {
            Mode::Embedded => {
                let app = codearena::embedded::build(&settings, shutdown).await?;
                let server = TestServer::start(app.router).await;
                let base = format!("http://{}", server.addr);
                Ok(Self {
                    auth: base.clone(),
                    battle: base,
                    infra: app.infra,
                    tick_ms,
                    _servers: vec![server],
                    _db: None,
                    _data: data,
                })
            }
            Mode::Cluster => {
                let db = TestDatabase::postgres().await;
                settings.database.url = Some(db.url().to_owned());
                settings.redis.url = Some(testkit::redis_url());
                settings.redis.prefix = testkit::unique_prefix();
                settings.amqp.url = Some(testkit::amqp_url());
                settings.amqp.prefix = testkit::unique_prefix();
                let mut servers = Vec::new();
                for service in [Service::Auth, Service::Execution, Service::Battle] {
                    let app = codearena::cluster::build(service, &settings, shutdown).await?;
                    let server = TestServer::start(app.router).await;
                    let base = format!("http://{}", server.addr);
                    match service {
                        Service::Auth => settings.cluster.auth_url = base,
                        Service::Execution => settings.cluster.execution_url = base,
                        Service::Battle => {}
                    }
                    servers.push(server);
                }
                let infra = Infra::cluster(&settings.database, &settings.redis, &settings.amqp);
                Ok(Self {
                    auth: settings.cluster.auth_url.clone(),
                    battle: format!("http://{}", servers[2].addr),
                    infra: Arc::new(infra),
                    tick_ms,
                    _servers: servers,
                    _db: Some(db),
                    _data: data,
                })
            }
        }
    }
}

/// The small "sum" package the end-to-end tests use: two integers in, their sum out; one
/// sample and three secret tests.
fn write_sum_package(root: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(root.join("statement"))?;
    std::fs::write(
        root.join("statement/problem.en.md"),
        "Read two integers $a$ and $b$; print $a + b$.\n",
    )?;
    std::fs::write(
        root.join("problem.yaml"),
        "problem_format_version: 2023-07-draft\nname: Sum\nlimits:\n  time_limit: 2\n  memory: 256\n",
    )?;
    let groups = [
        ("sample", vec![("1", "1 2", "3")]),
        (
            "secret",
            vec![
                ("1", "10 20", "30"),
                ("2", "-5 5", "0"),
                ("3", "1500000000 1500000000", "3000000000"),
            ],
        ),
    ];
    for (group, cases) in groups {
        let data = root.join("data").join(group);
        std::fs::create_dir_all(&data)?;
        for (name, input, answer) in cases {
            std::fs::write(data.join(format!("{name}.in")), format!("{input}\n"))?;
            std::fs::write(data.join(format!("{name}.ans")), format!("{answer}\n"))?;
        }
    }
    Ok(())
}

// --- HTTP ---------------------------------------------------------------------------------

#[derive(Clone)]
struct Api {
    client: reqwest::Client,
    auth: String,
    battle: String,
}

impl Api {
    /// Registers `username`; its access token.
    async fn register(&self, username: &str) -> anyhow::Result<String> {
        let body = json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": "correct horse",
        });
        let url = format!("{}/api/auth/register", self.auth);
        let (body, _) = self.call(&url, "", &body, 201).await?;
        Ok(body["access_token"]
            .as_str()
            .context("no access token")?
            .to_owned())
    }

    /// POSTs `body` to the battle service; the answer and how long it took (µs), or an
    /// error when the status is not `expect`.
    async fn post(
        &self,
        path: &str,
        token: &str,
        body: &Value,
        expect: u16,
    ) -> anyhow::Result<(Value, u64)> {
        let url = format!("{}{path}", self.battle);
        self.call(&url, token, body, expect).await
    }

    async fn call(
        &self,
        url: &str,
        token: &str,
        body: &Value,
        expect: u16,
    ) -> anyhow::Result<(Value, u64)> {
        let started = Instant::now();
        let mut request = self.client.post(url).json(body);
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .with_context(|| format!("POST {url}: {status}, not JSON"))?;
        let took = micros(started.elapsed());
        if status.as_u16() != expect {
            bail!("POST {url}: {status} (expected {expect}): {answer}");
        }
        Ok((answer, took))
    }
}

/// Unix milliseconds, as events' `at_ms`.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

/// A difference of Unix milliseconds in µs (never negative).
fn whole_ms(ms: i64) -> u64 {
    u64::try_from(ms.max(0)).unwrap_or(0) * 1000
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

// --- phase 1 ------------------------------------------------------------------------------

/// In microseconds.
struct BattleTimings {
    total: u64,
    create: u64,
    join: u64,
    until_started: u64,
    /// Join answered → the clock's commit (`at_ms` of `started`), whole ms.
    until_opened: u64,
    /// That commit → `started` seen, whole ms.
    opened_to_seen: u64,
    resign: u64,
}

/// The first player creates a battle, the second joins; waits for `started` on the event
/// channel. The battle's id, and the timings so far.
async fn start_battle(
    api: &Api,
    pair: &(String, String),
    watcher: &Watcher,
) -> anyhow::Result<(Uuid, BattleTimings)> {
    let (created, create) = api
        .post(
            "/api/battle/create",
            &pair.0,
            &json!({"problem": PROBLEM}),
            201,
        )
        .await?;
    let id: Uuid = created["id"]
        .as_str()
        .context("no battle id")?
        .parse()
        .context("battle id")?;
    let code = created["invite_code"].as_str().context("no invite code")?;
    // Expected before the join, which is what makes it start.
    let started = watcher.arrivals.expect(Awaited::Started(id));
    let (_, join) = api
        .post(
            &format!("/api/battle/join/{code}"),
            &pair.1,
            &json!({}),
            200,
        )
        .await?;
    let joined = Instant::now();
    let joined_ms = now_ms();
    let seen = tokio::time::timeout(PATIENCE, started)
        .await
        .with_context(|| format!("battle {id}: no `started` event within {PATIENCE:?}"))??;
    let timings = BattleTimings {
        total: 0,
        create,
        join,
        until_started: micros(seen.at.saturating_duration_since(joined)),
        until_opened: whole_ms(seen.committed_ms - joined_ms),
        opened_to_seen: whole_ms(seen.seen_ms - seen.committed_ms),
        resign: 0,
    };
    Ok((id, timings))
}

/// One whole battle: create, join, started, resign.
async fn play_one(
    api: &Api,
    pair: &(String, String),
    watcher: &Watcher,
) -> anyhow::Result<BattleTimings> {
    let began = Instant::now();
    let (id, mut timings) = start_battle(api, pair, watcher).await?;
    let (done, resign) = api
        .post(
            &format!("/api/battle/{id}/resign"),
            &pair.0,
            &json!({}),
            200,
        )
        .await?;
    if done["state"] != "finished" {
        bail!("battle {id} after resigning: {done}");
    }
    timings.resign = resign;
    timings.total = micros(began.elapsed());
    Ok(timings)
}

/// A battle that stays active for phase 2.
async fn open_battle(
    api: &Api,
    pair: &(String, String),
    watcher: &Watcher,
) -> anyhow::Result<Uuid> {
    Ok(start_battle(api, pair, watcher).await?.0)
}

// --- phase 2 ------------------------------------------------------------------------------

/// In microseconds.
struct ResultTimings {
    submit: u64,
    until_job: u64,
    publish: u64,
    to_event: u64,
    /// Published → the result's commit (`at_ms` of `judged`), whole ms.
    until_committed: u64,
    /// That commit → `judged` seen, whole ms.
    committed_to_seen: u64,
}

/// `player` submits; the job is taken off the queue and its result published; waits for
/// the `judged` event.
async fn judge_one(
    api: &Api,
    player: &str,
    battle: Uuid,
    watcher: &Watcher,
    jobs: &Jobs,
) -> anyhow::Result<ResultTimings> {
    let (submission, submit) = api
        .post(
            &format!("/api/battle/{battle}/submissions"),
            player,
            &json!({"language": "python", "source": "print(1)"}),
            202,
        )
        .await?;
    let accepted = Instant::now();
    let sid: Uuid = submission["id"]
        .as_str()
        .context("no submission id")?
        .parse()
        .context("submission id")?;
    let owner: Uuid = submission["user_id"]
        .as_str()
        .context("no user id")?
        .parse()
        .context("user id")?;
    // The job may well be on the queue before the 202: it is kept until asked for.
    let job = tokio::time::timeout(PATIENCE, jobs.arrivals.expect(owner))
        .await
        .with_context(|| format!("submission {sid}: no judge job within {PATIENCE:?}"))??;
    let until_job = micros(accepted.elapsed());
    let mut result = JobResult::for_job(&job, Verdict::WrongAnswer);
    result.tests = [
        ("sample/1", Verdict::Accepted),
        ("secret/1", Verdict::Accepted),
        ("secret/2", Verdict::WrongAnswer),
    ]
    .into_iter()
    .map(|(name, verdict)| TestOutcome {
        name: name.into(),
        verdict,
        time_ms: 1,
        memory_bytes: 1,
    })
    .collect();
    let judged = watcher.arrivals.expect(Awaited::Judged(sid));
    let published = Instant::now();
    let published_ms = now_ms();
    jobs.queue.publish_result(&result).await?;
    let publish = micros(published.elapsed());
    let seen = tokio::time::timeout(PATIENCE, judged)
        .await
        .with_context(|| format!("submission {sid}: no `judged` event within {PATIENCE:?}"))??;
    Ok(ResultTimings {
        submit,
        until_job,
        publish,
        to_event: micros(seen.at.saturating_duration_since(published)),
        until_committed: whole_ms(seen.committed_ms - published_ms),
        committed_to_seen: whole_ms(seen.seen_ms - seen.committed_ms),
    })
}

/// This program as the sandbox worker: takes every judge job off the jobs queue (and
/// acknowledges it), and hands it to whoever waits for its owner's next job.
#[derive(Clone)]
struct Jobs {
    queue: JobQueue,
    arrivals: Arc<Rendezvous<Uuid, JudgeJob>>,
}

impl Jobs {
    async fn start(infra: &Infra, shutdown: &Shutdown) -> anyhow::Result<Self> {
        let queue = JobQueue::new(infra.broker().await?).await?;
        let mut deliveries = queue.consume_jobs(64, shutdown.clone());
        let arrivals = Arc::new(Rendezvous::default());
        let to = arrivals.clone();
        tokio::spawn(async move {
            let mut taken = HashSet::new();
            while let Some(delivery) = deliveries.recv().await {
                let job = serde_json::from_slice::<JudgeJob>(&delivery.payload);
                if let Err(e) = delivery.ack.ack().await {
                    eprintln!("acknowledging a job: {e}");
                }
                match job {
                    // A job delivered twice is handed out once.
                    Ok(job) if taken.insert(job.id) => {
                        if !to.deliver(job.owner, job) {
                            eprintln!("a second job for one player before the first was used");
                        }
                    }
                    Ok(job) => eprintln!("job {} delivered again", job.id),
                    Err(e) => eprintln!("an undecodable job: {e}"),
                }
            }
        });
        Ok(Self { queue, arrivals })
    }
}

// --- the event channel --------------------------------------------------------------------

/// When an awaited event was yielded, and (Unix ms) when it committed and was yielded.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    at: Instant,
    committed_ms: i64,
    seen_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Awaited {
    /// A battle's `started` event.
    Started(Uuid),
    /// A submission's `judged` event.
    Judged(Uuid),
}

/// Everything published on the battle event channel, watched from one subscription.
struct Watcher {
    /// When each awaited event was yielded.
    arrivals: Rendezvous<Awaited, Arrival>,
    stats: Mutex<ChannelStats>,
}

#[derive(Default)]
struct ChannelStats {
    events: usize,
    missed: usize,
    undecodable: usize,
    duplicates: usize,
    out_of_order: usize,
    by_kind: BTreeMap<&'static str, usize>,
    /// Per battle: the highest sequence number seen, and every one seen.
    seen: HashMap<Uuid, (i64, HashSet<i64>)>,
    /// From the event's `at_ms` to the moment it was yielded, in µs (of whole ms).
    lag_micros: Vec<u64>,
}

impl ChannelStats {
    fn record(&mut self, event: &BattleEvent, now_ms: i64) {
        self.events += 1;
        *self.by_kind.entry(event.body.kind()).or_default() += 1;
        let (highest, seqs) = self.seen.entry(event.battle_id).or_default();
        if !seqs.insert(event.seq) {
            self.duplicates += 1;
        } else if event.seq < *highest {
            self.out_of_order += 1;
        }
        *highest = (*highest).max(event.seq);
        self.lag_micros.push(whole_ms(now_ms - event.at_ms));
    }

    /// Sequence numbers never seen below each battle's highest (they start at 1).
    fn gaps(&self) -> usize {
        self.seen
            .values()
            .map(|(highest, seqs)| usize::try_from(*highest).unwrap_or(0) - seqs.len())
            .sum()
    }
}

impl Watcher {
    async fn start(infra: &Infra) -> anyhow::Result<Arc<Self>> {
        let mut subscription = infra.bus().await?.subscribe(names::BATTLE_EVENTS).await?;
        let watcher = Arc::new(Self {
            arrivals: Rendezvous::default(),
            stats: Mutex::new(ChannelStats::default()),
        });
        let this = watcher.clone();
        tokio::spawn(async move {
            while let Some(signal) = subscription.recv().await {
                let at = Instant::now();
                let seen_ms = now_ms();
                let payload = match signal {
                    BusEvent::Message(payload) => payload,
                    BusEvent::Missed => {
                        this.stats().missed += 1;
                        continue;
                    }
                };
                let Ok(event) = serde_json::from_slice::<BattleEvent>(&payload) else {
                    this.stats().undecodable += 1;
                    continue;
                };
                let awaited = match event.body {
                    EventBody::Started { .. } => Some(Awaited::Started(event.battle_id)),
                    EventBody::Judged { submission_id, .. } => Some(Awaited::Judged(submission_id)),
                    _ => None,
                };
                if let Some(key) = awaited {
                    let arrival = Arrival {
                        at,
                        committed_ms: event.at_ms,
                        seen_ms,
                    };
                    this.arrivals.deliver(key, arrival);
                }
                this.stats().record(&event, seen_ms);
            }
        });
        Ok(watcher)
    }

    fn stats(&self) -> MutexGuard<'_, ChannelStats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

// --- waiting for things that may come first -----------------------------------------------

/// Hands a value to the one waiting for its key, whichever of the two comes first.
struct Rendezvous<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
}

enum Slot<V> {
    Waiting(oneshot::Sender<V>),
    Arrived(V),
}

impl<K, V> Default for Rendezvous<K, V> {
    fn default() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> Rendezvous<K, V> {
    fn slots(&self) -> MutexGuard<'_, HashMap<K, Slot<V>>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Gives `value` to the waiter for `key`, or keeps it for them; `false` (and the value
    /// is dropped) when a value for `key` is already kept.
    fn deliver(&self, key: K, value: V) -> bool {
        let mut slots = self.slots();
        match slots.remove(&key) {
            Some(Slot::Waiting(waiter)) => {
                let _ = waiter.send(value);
                true
            }
            Some(kept @ Slot::Arrived(_)) => {
                slots.insert(key, kept);
                false
            }
            None => {
                slots.insert(key, Slot::Arrived(value));
                true
            }
        }
    }

    /// The value for `key`, now or when it comes.
    fn expect(&self, key: K) -> oneshot::Receiver<V> {
        let (tx, rx) = oneshot::channel();
        let mut slots = self.slots();
        match slots.remove(&key) {
            Some(Slot::Arrived(value)) => {
                let _ = tx.send(value);
            }
            _ => {
                slots.insert(key, Slot::Waiting(tx));
            }
        }
        rx
    }
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
