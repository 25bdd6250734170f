//! What happens to jobs when things break, against real RabbitMQ and Redis: a worker
//! process killed mid-job, and a job delivered twice.

use std::process::{Command, Stdio};
use std::time::Duration;

use contracts::execution::{JobResult, JudgeJob, Task};
use execution::queue::{Broker, RabbitBroker};
use serde_json::{Value, json};
use testkit::{ChildProcess, TestDatabase, TestServer, free_port, wait_for_ok, wait_until};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::arena::ZYGOTE;
use crate::helpers::{Mode, TestApp, cluster_settings};

/// Every result published on a deployment's results exchange, as a client sees them.
async fn tap_results(prefix: &str) -> mpsc::UnboundedReceiver<JobResult> {
    RabbitBroker::connect(&testkit::amqp_url(), prefix)
        .await
        .unwrap()
        .watch_results()
        .await
        .unwrap()
}

async fn next_result(
    rx: &mut mpsc::UnboundedReceiver<JobResult>,
    wait: Duration,
) -> Option<JobResult> {
    tokio::time::timeout(wait, rx.recv()).await.ok().flatten()
}

/// `codearena service execution` as its own process, on the given prefixes.
fn execution_process(
    port: u16,
    prefix: &str,
    auth_url: &str,
    cache: &std::path::Path,
) -> ChildProcess {
    ChildProcess::spawn(
        Command::new(ZYGOTE)
            .args(["service", "execution"])
            .env_clear()
            .env("CODEARENA_HTTP__HOST", "127.0.0.1")
            .env("CODEARENA_HTTP__PORT", port.to_string())
            .env("CODEARENA_REDIS__URL", testkit::redis_url())
            .env("CODEARENA_REDIS__PREFIX", prefix)
            .env("CODEARENA_AMQP__URL", testkit::amqp_url())
            .env("CODEARENA_AMQP__PREFIX", prefix)
            .env("CODEARENA_CLUSTER__AUTH_URL", auth_url)
            .env("CODEARENA_EXECUTION__WORKERS", "1")
            .env("CODEARENA_EXECUTION__PACKAGE_CACHE_DIR", cache)
            .env("CODEARENA_TELEMETRY__LOG_FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
}

async fn job_state(client: &reqwest::Client, base: &str, token: &str, id: &str) -> Value {
    client
        .get(format!("{base}/api/execution/jobs/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_job_leaves_the_job_to_another_which_publishes_once() {
    let auth = TestApp::spawn(Mode::Cluster).await;
    let token = auth.signed_up("survivor").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth_url = format!("http://{}", auth.server.addr);
    let prefix = testkit::unique_prefix();
    let cache = tempfile::tempdir().unwrap();
    let mut results = tap_results(&prefix).await;
    let client = reqwest::Client::new();

    let first_port = free_port();
    let mut first = execution_process(first_port, &prefix, &auth_url, cache.path());
    let first_base = format!("http://127.0.0.1:{first_port}");
    wait_for_ok(&format!("{first_base}/readyz"), Duration::from_secs(60)).await;

    let source = "import time\ntime.sleep(3)\nprint('finished')\n";
    let submitted: Value = client
        .post(format!("{first_base}/api/execution/run"))
        .bearer_auth(&token)
        .json(&json!({"language": "python", "source": source}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = submitted["job_id"].as_str().unwrap().to_owned();
    wait_until(
        Duration::from_secs(30),
        "the first worker to start the job",
        || {
            let state = job_state(&client, &first_base, &token, &id);
            async move { state.await["state"] == "running" }
        },
    )
    .await;
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    assert!(
        next_result(&mut results, Duration::from_millis(200))
            .await
            .is_none(),
        "no result from the dead worker"
    );

    let second_port = free_port();
    let _second = execution_process(second_port, &prefix, &auth_url, cache.path());
    let result = next_result(&mut results, Duration::from_secs(60))
        .await
        .expect("the second worker publishes the result");
    assert_eq!(result.job_id.to_string(), id);
    assert_eq!(result.run.as_ref().unwrap().stdout, "finished\n");
    let second_base = format!("http://127.0.0.1:{second_port}");
    let record = job_state(&client, &second_base, &token, &id).await;
    assert_eq!(record["state"], "done");
    assert_eq!(record["result"]["run"]["stdout"], "finished\n");
    assert!(
        next_result(&mut results, Duration::from_secs(2))
            .await
            .is_none(),
        "the result is published once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_delivered_twice_has_one_result() {
    let db = TestDatabase::postgres().await;
    let mut settings = cluster_settings(&db);
    let data = tempfile::tempdir().unwrap();
    crate::arena::execution_settings(&mut settings, data.path());
    // Two slots, so both copies are judged at the same time.
    settings.execution.workers = Some(2);
    let prefix = settings.amqp.prefix.clone();
    settings.redis.prefix = prefix.clone();
    let mut results = tap_results(&prefix).await;
    let shutdown = platform::shutdown::Shutdown::new();
    let app =
        codearena::cluster::build(codearena::cluster::Service::Execution, &settings, &shutdown)
            .await
            .unwrap();
    let _server = TestServer::start(app.router).await;

    // A program whose output differs on every run: two judgings would show.
    let job = JudgeJob {
        id: Uuid::now_v7(),
        owner: Uuid::now_v7(),
        language: "python".into(),
        source: "import random\nprint(random.random())\n".into(),
        task: Task::Run {
            stdin: String::new(),
        },
        submitted_at_ms: 0,
    };
    let broker = RabbitBroker::connect(&testkit::amqp_url(), &prefix)
        .await
        .unwrap();
    broker.publish_job(&job).await.unwrap();
    broker.publish_job(&job).await.unwrap();
    let first = next_result(&mut results, Duration::from_secs(60))
        .await
        .expect("a result");
    let second = next_result(&mut results, Duration::from_secs(60))
        .await
        .expect("the duplicate's result");
    assert_eq!(first.job_id, job.id);
    assert_eq!(
        first, second,
        "both deliveries publish the one stored result"
    );
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stopped_with_sigterm_finishes_the_job_in_hand_first() {
    let auth = TestApp::spawn(Mode::Cluster).await;
    let token = auth.signed_up("graceful").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth_url = format!("http://{}", auth.server.addr);
    let prefix = testkit::unique_prefix();
    let cache = tempfile::tempdir().unwrap();
    let mut results = tap_results(&prefix).await;
    let client = reqwest::Client::new();

    let port = free_port();
    let mut worker = execution_process(port, &prefix, &auth_url, cache.path());
    let base = format!("http://127.0.0.1:{port}");
    wait_for_ok(&format!("{base}/readyz"), Duration::from_secs(60)).await;
    let source = "import time\ntime.sleep(2)\nprint('kept')\n";
    let submitted: Value = client
        .post(format!("{base}/api/execution/run"))
        .bearer_auth(&token)
        .json(&json!({"language": "python", "source": source}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = submitted["job_id"].as_str().unwrap().to_owned();
    wait_until(
        Duration::from_secs(30),
        "the worker to start the job",
        || {
            let state = job_state(&client, &base, &token, &id);
            async move { state.await["state"] == "running" }
        },
    )
    .await;

    let status = tokio::task::spawn_blocking(move || {
        let status = worker.terminate();
        (status, worker)
    })
    .await
    .unwrap()
    .0;
    assert!(status.success(), "exit status {status}");
    // The result was published before the process exited: it is already on its way.
    let result = next_result(&mut results, Duration::from_secs(5))
        .await
        .expect("the job in hand is finished and published before exit");
    assert_eq!(result.job_id.to_string(), id);
    assert_eq!(result.run.unwrap().stdout, "kept\n");
    assert!(
        next_result(&mut results, Duration::from_secs(1))
            .await
            .is_none(),
        "and only once"
    );
}
