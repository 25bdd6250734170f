//! RabbitMQ restarted under a running execution service: it recovers by itself and no
//! accepted job is lost.
//!
//! This is a test binary of its own with a single test, because restarting the broker
//! would disturb any test running beside it; cargo runs test binaries one at a time.

#![allow(clippy::unwrap_used, dead_code)] // shares the API tests' helpers

#[path = "api/app.rs"]
mod app;

use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use app::{Mode, TestApp};

fn rabbitmqctl(args: &[&str]) {
    let status = Command::new("rabbitmqctl").args(args).status().unwrap();
    assert!(status.success(), "rabbitmqctl {args:?} failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_accepted_before_a_broker_restart_all_finish_after_it() {
    let arena = TestApp::spawn_with(Mode::Cluster, |s| {
        s.execution.workers = Some(1);
        s.execution.max_jobs_in_flight_per_user = 10;
    })
    .await;
    let token = arena.user("patient").await;
    let mut jobs = Vec::new();
    // Each job takes a moment, so most are still queued when the broker goes away.
    for i in 0..5 {
        let source = format!("import time\ntime.sleep(0.3)\nprint({i})\n");
        let response = arena.run(&token, "python", &source, "").await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let body: Value = response.json().await.unwrap();
        jobs.push((
            body["job_id"].as_str().unwrap().to_owned(),
            format!("{i}\n"),
        ));
    }

    tokio::task::spawn_blocking(|| {
        rabbitmqctl(&["stop_app"]);
        rabbitmqctl(&["start_app"]);
        rabbitmqctl(&["await_startup"]);
    })
    .await
    .unwrap();

    // The service takes jobs again without being restarted itself.
    let deadline = Instant::now() + Duration::from_secs(60);
    let after = loop {
        let response = arena.run(&token, "python", "print('after')\n", "").await;
        match response.status() {
            StatusCode::ACCEPTED => {
                let body: Value = response.json().await.unwrap();
                break body["job_id"].as_str().unwrap().to_owned();
            }
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS => {
                assert!(
                    Instant::now() < deadline,
                    "no job accepted after the restart"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            other => panic!("unexpected answer during recovery: {other}"),
        }
    };
    jobs.push((after, "after\n".to_owned()));

    for (id, stdout) in jobs {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let record: Value = arena.job(&token, &id, 20).await.json().await.unwrap();
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
