//! What happens to jobs when things break, against real RabbitMQ and Redis: a worker
//! process killed mid-job or stopped with SIGTERM, and a job delivered twice.

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use codearena::cluster::Service;
use contracts::execution::{JobResult, JudgeJob, Task};
use execution::queue::JobQueue;
use platform::messaging::AmqpBroker;
use serde_json::{Value, json};
use testkit::{ChildProcess, TestDatabase, TestServer, free_port, wait_for_ok, wait_until};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::app::{Mode, TestApp, ZYGOTE, cluster_settings};

/// Every result published on a deployment's results exchange, as a client sees them.
async fn tap_results(prefix: &str) -> mpsc::UnboundedReceiver<JobResult> {
    queue(prefix).await.watch_results().await.unwrap()
}

/// Execution's queues on RabbitMQ under `prefix`.
async fn queue(prefix: &str) -> JobQueue {
    let broker = AmqpBroker::connect(&testkit::amqp_url(), prefix)
        .await
        .unwrap();
    JobQueue::new(Arc::new(broker)).await.unwrap()
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

/// A user, a deployment prefix that worker processes share, and a tap on its results.
struct Fleet {
    _auth: TestApp,
    token: String,
    auth_url: String,
    prefix: String,
    cache: tempfile::TempDir,
    results: mpsc::UnboundedReceiver<JobResult>,
    client: reqwest::Client,
}

impl Fleet {
    async fn new(user: &str) -> Self {
        let auth = TestApp::spawn(Mode::Cluster).await;
        let token = auth.signed_up(user).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let prefix = testkit::unique_prefix();
        Fleet {
            auth_url: format!("http://{}", auth.server(Service::Auth).addr),
            _auth: auth,
            token,
            results: tap_results(&prefix).await,
            prefix,
            cache: tempfile::tempdir().unwrap(),
            client: reqwest::Client::new(),
        }
    }

    /// Starts `codearena service execution` and waits until it is ready; returns it and
    /// its base URL.
    async fn start_worker(&self) -> (ChildProcess, String) {
        let port = free_port();
        let worker = execution_process(port, &self.prefix, &self.auth_url, self.cache.path());
        let base = format!("http://127.0.0.1:{port}");
        wait_for_ok(&format!("{base}/readyz"), Duration::from_secs(60)).await;
        (worker, base)
    }

    /// Submits a Python run through `base` and waits until a worker has started it.
    async fn submit_and_wait_running(&self, base: &str, source: &str) -> String {
        let submitted: Value = self
            .client
            .post(format!("{base}/api/execution/run"))
            .bearer_auth(&self.token)
            .json(&json!({"language": "python", "source": source}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = submitted["job_id"].as_str().unwrap().to_owned();
        wait_until(Duration::from_secs(30), "a worker to start the job", || {
            let state = self.job_state(base, &id);
            async move { state.await["state"] == "running" }
        })
        .await;
        id
    }

    async fn job_state(&self, base: &str, id: &str) -> Value {
        self.client
            .get(format!("{base}/api/execution/jobs/{id}"))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap_or_default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_job_leaves_the_job_to_another_which_publishes_once() {
    let mut fleet = Fleet::new("survivor").await;
    let (mut first, first_base) = fleet.start_worker().await;
    let source = "import time\ntime.sleep(3)\nprint('finished')\n";
    let id = fleet.submit_and_wait_running(&first_base, source).await;
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    assert!(
        next_result(&mut fleet.results, Duration::from_millis(200))
            .await
            .is_none(),
        "no result from the dead worker"
    );

    let (_second, second_base) = fleet.start_worker().await;
    let result = next_result(&mut fleet.results, Duration::from_secs(60))
        .await
        .expect("the second worker publishes the result");
    assert_eq!(result.job_id.to_string(), id);
    assert_eq!(result.run.as_ref().unwrap().stdout, "finished\n");
    let record = fleet.job_state(&second_base, &id).await;
    assert_eq!(record["state"], "done");
    assert_eq!(record["result"]["run"]["stdout"], "finished\n");
    assert!(
        next_result(&mut fleet.results, Duration::from_secs(2))
            .await
            .is_none(),
        "the result is published once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_delivered_twice_has_one_result() {
    let db = TestDatabase::postgres().await;
    let data = tempfile::tempdir().unwrap();
    let mut settings = cluster_settings(&db, data.path());
    // Two slots, so both copies are judged at the same time.
    settings.execution.workers = Some(2);
    let prefix = settings.amqp.prefix.clone();
    settings.redis.prefix = prefix.clone();
    let mut results = tap_results(&prefix).await;
    let shutdown = platform::shutdown::Shutdown::new();
    let app = codearena::cluster::build(Service::Execution, &settings, &shutdown)
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
    let queue = queue(&prefix).await;
    queue.publish_job(&job).await.unwrap();
    queue.publish_job(&job).await.unwrap();
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
    let mut fleet = Fleet::new("graceful").await;
    let (mut worker, base) = fleet.start_worker().await;
    let source = "import time\ntime.sleep(2)\nprint('kept')\n";
    let id = fleet.submit_and_wait_running(&base, source).await;

    let status = tokio::task::spawn_blocking(move || {
        let status = worker.terminate();
        (status, worker)
    })
    .await
    .unwrap()
    .0;
    assert!(status.success(), "exit status {status}");
    // The result was published before the process exited: it is already on its way.
    let result = next_result(&mut fleet.results, Duration::from_secs(5))
        .await
        .expect("the job in hand is finished and published before exit");
    assert_eq!(result.job_id.to_string(), id);
    assert_eq!(result.run.unwrap().stdout, "kept\n");
    assert!(
        next_result(&mut fleet.results, Duration::from_secs(1))
            .await
            .is_none(),
        "and only once"
    );
}
