//! Embedded mode killed (SIGKILL) with one job done, one running and three queued, then
//! started again on the same data directory: every accepted job is run after the restart
//! (the one that was running is delivered again), and each job's result is readable,
//! the one finished before the crash included, as in cluster mode (`broker_restart.rs`,
//! `durability.rs`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use testkit::{ChildProcess, free_port, wait_for_ok};

use crate::app::{SECRET, ZYGOTE};

/// `codearena` (embedded mode) with one sandbox slot on `data`; waits until it answers.
async fn start(data: &std::path::Path) -> (ChildProcess, String) {
    let port = free_port();
    let child = ChildProcess::spawn(
        Command::new(ZYGOTE)
            .env_clear()
            .env("CODEARENA_EMBEDDED__DATA_DIR", data)
            .env("CODEARENA_HTTP__HOST", "127.0.0.1")
            .env("CODEARENA_HTTP__PORT", port.to_string())
            .env("CODEARENA_AUTH__BCRYPT_COST", "4")
            .env("CODEARENA_AUTH__JWT_SECRET", SECRET)
            .env("CODEARENA_BATTLE__PROBLEMS_DIR", data.join("problems"))
            .env("CODEARENA_EXECUTION__WORKERS", "1")
            .env("CODEARENA_EXECUTION__MAX_JOBS_IN_FLIGHT_PER_USER", "10")
            .env("CODEARENA_EXECUTION__PACKAGE_CACHE_DIR", data.join("cache"))
            .env("CODEARENA_TELEMETRY__LOG_FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit()),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_for_ok(&format!("{base}/healthz"), Duration::from_secs(60)).await;
    (child, base)
}

async fn job(client: &reqwest::Client, base: &str, token: &str, id: &str, wait: u64) -> Value {
    let response = client
        .get(format!("{base}/api/execution/jobs/{id}?wait={wait}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "job {id}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_mode_runs_every_accepted_job_after_a_crash() {
    let data = tempfile::tempdir().unwrap();
    let problems = data.path().join("problems");
    std::fs::create_dir_all(&problems).unwrap();
    let (mut first, base) = start(data.path()).await;
    let client = reqwest::Client::new();
    let session: Value = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"username": "patient", "email": "patient@example.com", "password": "correct horse"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["access_token"].as_str().unwrap().to_owned();

    // One job is done before the crash: its result is still readable after it.
    let response = client
        .post(format!("{base}/api/execution/run"))
        .bearer_auth(&token)
        .json(&json!({"language": "python", "source": "print('before')\n", "stdin": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let body: Value = response.json().await.unwrap();
    let done_before = body["job_id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    while job(&client, &base, &token, &done_before, 20).await["state"] != "done" {
        assert!(Instant::now() < deadline, "the first job never finished");
    }

    // The first of these is still running when the process dies; the others wait behind it.
    let mut jobs = Vec::new();
    for i in 0..4 {
        let source = if i == 0 {
            "import time\ntime.sleep(2)\nprint(0)\n".to_owned()
        } else {
            format!("print({i})\n")
        };
        let response = client
            .post(format!("{base}/api/execution/run"))
            .bearer_auth(&token)
            .json(&json!({"language": "python", "source": source, "stdin": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        jobs.push((
            body["job_id"].as_str().unwrap().to_owned(),
            format!("{i}\n"),
        ));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while job(&client, &base, &token, &jobs[0].0, 0).await["state"] != "running" {
        assert!(Instant::now() < deadline, "the first job never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (id, _) in &jobs[1..] {
        assert_eq!(job(&client, &base, &token, id, 0).await["state"], "queued");
    }
    first.0.kill().unwrap();
    first.0.wait().unwrap();

    let (_second, base) = start(data.path()).await;
    jobs.push((done_before, "before\n".to_owned()));
    for (id, stdout) in &jobs {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let record = job(&client, &base, &token, id, 20).await;
            if record["state"] == "done" {
                assert_eq!(record["result"]["verdict"], "AC", "{record}");
                assert_eq!(
                    record["result"]["run"]["stdout"],
                    stdout.as_str(),
                    "{record}"
                );
                break;
            }
            assert!(Instant::now() < deadline, "job {id} lost: {record}");
        }
    }
}
