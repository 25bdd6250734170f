//! Auth verify throughput and latency, alone and while other clients keep logging in.
//!
//! The service runs in this process on its own runtime (as many worker threads as the
//! real binary gets), with production settings: bcrypt cost 12, default hash concurrency.
//! Load comes from a separate runtime over loopback HTTP.
//!
//! `cargo run --release -p bench --bin auth_verify -- --mode embedded`
//! `cargo run --release -p bench --bin auth_verify -- --mode cluster` (PostgreSQL + Redis)

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bench::{hammer, summarise};
use clap::{Parser, ValueEnum};
use codearena::Settings;
use codearena::cluster::Service;
use serde_json::{Value, json};

#[derive(Clone, Copy, ValueEnum, Debug)]
enum Mode {
    Embedded,
    Cluster,
}

#[derive(Parser)]
struct Args {
    #[arg(long, value_enum, default_value = "embedded")]
    mode: Mode,
    /// Seconds per phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent verify clients.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Concurrent clients logging in during the second phase.
    #[arg(long, default_value_t = 4)]
    login_clients: usize,
    /// Worker threads of the server runtime.
    #[arg(long, default_value_t = 2)]
    server_threads: usize,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.server_threads)
        .thread_name("server")
        .enable_all()
        .build()?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("client")
        .enable_all()
        .build()?;

    let data = tempfile::tempdir()?;
    let db = match args.mode {
        Mode::Cluster => Some(client_rt.block_on(testkit::TestDatabase::postgres())),
        Mode::Embedded => None,
    };
    let mut settings = Settings::default();
    settings.auth.jwt_secret = Some("bench-secret-bench-secret-bench-secret-00".into());
    settings.embedded.data_dir = data.path().to_owned();
    // Only auth is measured here: no sandbox slots.
    settings.execution.workers = Some(0);
    if let Some(db) = &db {
        settings.database.url = Some(db.url().to_owned());
        settings.redis.url = Some(testkit::redis_url());
        settings.redis.prefix = testkit::unique_prefix();
    }
    let (addr, shutdown) = server_rt.block_on(async {
        let shutdown = platform::shutdown::Shutdown::new();
        let router = match args.mode {
            Mode::Embedded => {
                codearena::embedded::build(&settings, &shutdown)
                    .await?
                    .router
            }
            Mode::Cluster => {
                codearena::cluster::build(Service::Auth, &settings, &shutdown)
                    .await?
                    .router
            }
        };
        let server = platform::http::Server::bind("127.0.0.1", 0).await?;
        let addr = server.local_addr();
        let stop = shutdown.clone();
        tokio::spawn(async move { server.run_until_stopped(router, stop).await });
        anyhow::Ok((addr, shutdown))
    })?;

    let base = format!("http://{addr}");
    client_rt.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(args.connections + args.login_clients)
            .build()?;
        let token = register(&client, &base, "bencher").await?;
        for i in 0..args.login_clients {
            register(&client, &base, &format!("login{i}")).await?;
        }
        println!(
            "mode {:?}, {} verify clients, {} s per phase, server runtime {} threads, bcrypt cost 12",
            args.mode, args.connections, args.seconds, args.server_threads
        );

        let duration = Duration::from_secs(args.seconds);
        let verify = {
            let client = client.clone();
            let url = format!("{base}/api/auth/verify");
            let token = Arc::new(token);
            move || {
                let request = client.get(&url).bearer_auth(token.as_str()).send();
                async move { request.await.is_ok_and(|r| r.status() == 200) }
            }
        };

        let started = Instant::now();
        let (latencies, failures) = hammer(args.connections, duration, verify.clone()).await;
        println!("verify alone:           {}  ({failures} failed)", summarise(latencies, started.elapsed()));

        let logins = {
            let client = client.clone();
            let url = format!("{base}/api/auth/login");
            let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
            let users = args.login_clients.max(1);
            move || {
                let i = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let body = json!({"login": format!("login{}", i % users), "password": "correct horse battery"});
                let request = client.post(&url).json(&body).send();
                async move { request.await.is_ok_and(|r| r.status() == 200) }
            }
        };
        let started = Instant::now();
        let login_task = tokio::spawn(hammer(args.login_clients, duration, logins));
        let (latencies, failures) = hammer(args.connections, duration, verify).await;
        let verify_elapsed = started.elapsed();
        let (login_latencies, login_failures) = login_task.await?;
        println!("verify during logins:   {}  ({failures} failed)", summarise(latencies, verify_elapsed));
        println!(
            "logins (bcrypt 12):     {}  ({login_failures} failed)",
            summarise(login_latencies, started.elapsed())
        );
        anyhow::Ok(())
    })?;
    shutdown.cancel();
    drop(db);
    Ok(())
}

async fn register(client: &reqwest::Client, base: &str, name: &str) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"username": name, "email": format!("{name}@example.com"), "password": "correct horse battery"}))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    anyhow::ensure!(status == 201, "register answered {status}: {body}");
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("no access token in the register answer")
}
