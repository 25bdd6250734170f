//! Execution under load: N jobs submitted at once through the HTTP API, all awaited
//! through the results stream; none may be lost. Reports throughput and queue wait.
//!
//! `cargo run --release -p bench --bin execution_load -- --mode cluster --jobs 1000 --workers 1`
//! `cargo run --release -p bench --bin execution_load -- --mode embedded --jobs 1000 --workers 2`
//!
//! Each job is a Python "Run" (`print(input()[::-1])` on a short input): start-up of the
//! interpreter in a fresh sandbox dominates, as it does for most player runs.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bench::summarise;
use clap::{Parser, ValueEnum};
use codearena::Settings;
use codearena::cluster::Service;
use contracts::execution::JobResult;
use serde_json::{Value, json};
use tokio::sync::mpsc;

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Mode {
    Embedded,
    Cluster,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "cluster")]
    mode: Mode,
    #[arg(long, default_value_t = 1000)]
    jobs: usize,
    /// Sandbox slots.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Concurrent HTTP submissions.
    #[arg(long, default_value_t = 32)]
    submitters: usize,
}

fn main() -> anyhow::Result<()> {
    sandbox::enter_if_requested();
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let db = match args.mode {
        Mode::Cluster => Some(testkit::TestDatabase::postgres().await),
        Mode::Embedded => None,
    };
    let mut settings = Settings::default();
    settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret-00".into());
    settings.auth.bcrypt_cost = 4;
    settings.embedded.data_dir = data.path().join("data");
    settings.execution.workers = Some(args.workers);
    settings.execution.max_jobs_in_flight_per_user = u32::try_from(args.jobs)?.max(1);
    settings.execution.package_cache_dir = Some(data.path().join("packages"));
    let prefix = testkit::unique_prefix();
    settings.redis.prefix = prefix.clone();
    settings.amqp.prefix = prefix.clone();
    if let Some(db) = &db {
        settings.database.url = Some(db.url().to_owned());
        settings.redis.url = Some(testkit::redis_url());
        settings.amqp.url = Some(testkit::amqp_url());
    }

    let shutdown = platform::shutdown::Shutdown::new();
    let (base, auth_base, mut results) = match args.mode {
        Mode::Embedded => {
            let app = codearena::embedded::build(&settings, &shutdown).await?;
            let rx = watch_results(&app.infra).await?;
            let base = serve(app.router, &shutdown).await?;
            (base.clone(), base, rx)
        }
        Mode::Cluster => {
            let auth = codearena::cluster::build(Service::Auth, &settings, &shutdown).await?;
            let auth_base = serve(auth.router, &shutdown).await?;
            settings.cluster.auth_url = auth_base.clone();
            let exec = codearena::cluster::build(Service::Execution, &settings, &shutdown).await?;
            let rx = watch_results(&exec.infra).await?;
            (serve(exec.router, &shutdown).await?, auth_base, rx)
        }
    };

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.submitters)
        .build()?;
    let registered: Value = client
        .post(format!("{auth_base}/api/auth/register"))
        .json(&json!({"username": "loader", "email": "loader@example.com", "password": "correct horse"}))
        .send()
        .await?
        .json()
        .await?;
    let token = registered["access_token"]
        .as_str()
        .context("no token")?
        .to_owned();

    println!(
        "mode {:?}, {} jobs, {} worker slot(s), {} concurrent submitters",
        args.mode, args.jobs, args.workers, args.submitters
    );
    let started = Instant::now();
    let (accepted_tx, mut accepted_rx) = mpsc::unbounded_channel::<(String, Instant)>();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let submitters: Vec<_> = (0..args.submitters)
        .map(|_| {
            let client = client.clone();
            let url = format!("{base}/api/execution/run");
            let token = token.clone();
            let next = next.clone();
            let accepted = accepted_tx.clone();
            let total = args.jobs;
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= total {
                        return Ok::<_, anyhow::Error>(());
                    }
                    let body = json!({"language": "python", "source": "print(input()[::-1])", "stdin": format!("job {i}\n")});
                    let response = client.post(&url).bearer_auth(&token).json(&body).send().await?;
                    let status = response.status();
                    let body: Value = response.json().await?;
                    if status != 202 {
                        bail!("job {i} refused: {status} {body}");
                    }
                    let id = body["job_id"].as_str().context("no job id")?.to_owned();
                    let _ = accepted.send((id, Instant::now()));
                }
            })
        })
        .collect();
    drop(accepted_tx);
    for submitter in submitters {
        submitter.await??;
    }
    let submit_elapsed = started.elapsed();
    let mut accepted = HashMap::new();
    while let Some((id, at)) = accepted_rx.recv().await {
        accepted.insert(id, at);
    }
    println!(
        "accepted {} jobs in {:.2} s ({:.0} jobs/s)",
        accepted.len(),
        submit_elapsed.as_secs_f64(),
        accepted.len() as f64 / submit_elapsed.as_secs_f64()
    );

    let mut done: HashMap<String, JobResult> = HashMap::new();
    let deadline = Instant::now() + Duration::from_secs(1800);
    while done.len() < accepted.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, results.recv()).await {
            Ok(Some(result)) => {
                done.insert(result.job_id.to_string(), result);
            }
            _ => bail!("only {} of {} results arrived", done.len(), accepted.len()),
        }
    }
    let elapsed = started.elapsed();
    let lost = accepted.keys().filter(|id| !done.contains_key(*id)).count();
    let wrong = done
        .values()
        .filter(|r| r.verdict != contracts::execution::Verdict::Accepted)
        .count();
    let waits: Vec<u64> = done
        .values()
        .filter_map(|r| {
            let accepted_ms = epoch_ms(*accepted.get(&r.job_id.to_string())?);
            // In microseconds, as `summarise` expects.
            Some((r.started_at_ms - accepted_ms).max(0) as u64 * 1000)
        })
        .collect();
    let wait = summarise(waits, elapsed);
    println!(
        "completed {} jobs in {:.1} s: {:.1} jobs/s; lost {lost}; not AC {wrong}",
        done.len(),
        elapsed.as_secs_f64(),
        done.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "queue wait (accepted → worker start): p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        wait.p50_ms, wait.p99_ms, wait.max_ms
    );
    shutdown.cancel();
    if lost > 0 || wrong > 0 {
        bail!("{lost} jobs lost, {wrong} not accepted");
    }
    Ok(())
}

/// Converts a monotonic instant of the past to Unix milliseconds.
fn epoch_ms(at: Instant) -> i64 {
    execution::store::now_ms() - Instant::now().saturating_duration_since(at).as_millis() as i64
}

async fn serve(
    router: axum::Router,
    shutdown: &platform::shutdown::Shutdown,
) -> anyhow::Result<String> {
    let server = platform::http::Server::bind("127.0.0.1", 0).await?;
    let base = format!("http://{}", server.local_addr());
    let stop = shutdown.clone();
    tokio::spawn(async move { server.run_until_stopped(router, stop).await });
    Ok(base)
}

/// Every result the workers publish, from the application's own broker.
async fn watch_results(
    infra: &platform::Infra,
) -> anyhow::Result<mpsc::UnboundedReceiver<JobResult>> {
    let queue = execution::queue::JobQueue::new(infra.broker().await?).await?;
    Ok(queue.watch_results().await?)
}
