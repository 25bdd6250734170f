//! Execution's job queue (`JobQueue`) on the in-process broker, the SQLite one and
//! RabbitMQ.

use std::sync::Arc;
use std::time::Duration;

use contracts::execution::{JobResult, JudgeJob, Task, Verdict};
use execution::queue::JobQueue;
use platform::messaging::{AmqpBroker, Delivery, MemoryBroker, SqliteBroker};
use testkit::TestDatabase;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

async fn memory() -> (Option<TestDatabase>, JobQueue) {
    let queue = JobQueue::new(Arc::new(MemoryBroker::new())).await.unwrap();
    (None, queue)
}

async fn sqlite() -> (Option<TestDatabase>, JobQueue) {
    let database = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(database.path()).await.unwrap();
    let broker = SqliteBroker::new(pool).await.unwrap();
    let queue = JobQueue::new(Arc::new(broker)).await.unwrap();
    (Some(database), queue)
}

async fn rabbit() -> (Option<TestDatabase>, JobQueue) {
    let broker = AmqpBroker::connect(&testkit::amqp_url(), &testkit::unique_prefix())
        .await
        .unwrap();
    (None, JobQueue::new(Arc::new(broker)).await.unwrap())
}

testkit::suite_with_guard!(
    memory => memory().await,
    sqlite => sqlite().await,
    rabbit => rabbit().await;
    published_jobs_are_delivered_and_acked_once,
    judge_jobs_overtake_waiting_runs,
    no_more_than_prefetch_deliveries_are_unsettled,
    a_retried_job_comes_back_marked_redelivered,
    dead_lettered_jobs_are_not_delivered_again,
    results_published_while_a_subscriber_is_away_wait_for_it,
);

fn job(task: Task) -> JudgeJob {
    JudgeJob {
        id: Uuid::now_v7(),
        owner: Uuid::now_v7(),
        language: "python3".into(),
        source: "print(1)".into(),
        task,
        submitted_at_ms: 0,
    }
}

fn run_job() -> JudgeJob {
    job(Task::Run {
        stdin: String::new(),
    })
}

fn judge_job() -> JudgeJob {
    job(Task::Judge {
        problem_hash: "0".repeat(64),
        all_tests: false,
    })
}

async fn next(rx: &mut mpsc::Receiver<Delivery>) -> (JudgeJob, Delivery) {
    let delivery = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a delivery within 10 s")
        .expect("the stream is open");
    (serde_json::from_slice(&delivery.payload).unwrap(), delivery)
}

async fn nothing_within(rx: &mut mpsc::Receiver<Delivery>, wait: Duration) -> bool {
    tokio::time::timeout(wait, rx.recv()).await.is_err()
}

async fn depth_becomes(broker: &JobQueue, expected: u64) {
    testkit::wait_until(Duration::from_secs(10), "the queue depth", || async {
        broker.queue_depth().await.unwrap() == expected
    })
    .await;
}

async fn published_jobs_are_delivered_and_acked_once(broker: JobQueue) {
    let sent = run_job();
    broker.publish_job(&sent).await.unwrap();
    depth_becomes(&broker, 1).await;
    let stop = CancellationToken::new();
    let mut rx = broker.consume_jobs(4, stop.clone());
    let (received, delivery) = next(&mut rx).await;
    assert_eq!(received, sent);
    assert!(!delivery.redelivered);
    delivery.ack.ack().await.unwrap();
    assert!(nothing_within(&mut rx, Duration::from_millis(300)).await);
    depth_becomes(&broker, 0).await;
    broker.ping().await.unwrap();
    stop.cancel();
}

async fn judge_jobs_overtake_waiting_runs(broker: JobQueue) {
    let runs: Vec<_> = (0..3).map(|_| run_job()).collect();
    for r in &runs {
        broker.publish_job(r).await.unwrap();
    }
    let judged = judge_job();
    broker.publish_job(&judged).await.unwrap();
    depth_becomes(&broker, 4).await;
    let stop = CancellationToken::new();
    let mut rx = broker.consume_jobs(1, stop.clone());
    let (first, delivery) = next(&mut rx).await;
    assert_eq!(first.id, judged.id, "the judge job comes first");
    delivery.ack.ack().await.unwrap();
    for expected in &runs {
        let (got, delivery) = next(&mut rx).await;
        assert_eq!(got.id, expected.id, "runs keep their order");
        delivery.ack.ack().await.unwrap();
    }
    stop.cancel();
}

async fn no_more_than_prefetch_deliveries_are_unsettled(broker: JobQueue) {
    for _ in 0..3 {
        broker.publish_job(&run_job()).await.unwrap();
    }
    let stop = CancellationToken::new();
    let mut rx = broker.consume_jobs(2, stop.clone());
    let (_, first) = next(&mut rx).await;
    let (_, second) = next(&mut rx).await;
    assert!(
        nothing_within(&mut rx, Duration::from_millis(500)).await,
        "a third is held back"
    );
    first.ack.ack().await.unwrap();
    let (_, third) = next(&mut rx).await;
    second.ack.ack().await.unwrap();
    third.ack.ack().await.unwrap();
    stop.cancel();
}

async fn a_retried_job_comes_back_marked_redelivered(broker: JobQueue) {
    let sent = run_job();
    broker.publish_job(&sent).await.unwrap();
    let stop = CancellationToken::new();
    let mut rx = broker.consume_jobs(1, stop.clone());
    let (_, delivery) = next(&mut rx).await;
    delivery.ack.retry().await.unwrap();
    let (again, delivery) = next(&mut rx).await;
    assert_eq!(again.id, sent.id);
    assert!(delivery.redelivered);
    delivery.ack.ack().await.unwrap();
    stop.cancel();
}

async fn dead_lettered_jobs_are_not_delivered_again(broker: JobQueue) {
    broker.publish_job(&run_job()).await.unwrap();
    let stop = CancellationToken::new();
    let mut rx = broker.consume_jobs(1, stop.clone());
    let (_, delivery) = next(&mut rx).await;
    delivery.ack.dead_letter().await.unwrap();
    assert!(nothing_within(&mut rx, Duration::from_millis(500)).await);
    depth_becomes(&broker, 0).await;
    testkit::wait_until(
        Duration::from_secs(10),
        "the job in the dead-letter queue",
        || async { broker.dead_letters().await.unwrap() == 1 },
    )
    .await;
    stop.cancel();
}

async fn results_published_while_a_subscriber_is_away_wait_for_it(broker: JobQueue) {
    let away = CancellationToken::new();
    drop(
        broker
            .subscribe_results("battle", 4, away.clone())
            .await
            .unwrap(),
    );
    away.cancel();
    let job = run_job();
    let result = JobResult::for_job(&job, Verdict::Accepted);
    broker.publish_result(&result).await.unwrap();

    let back = CancellationToken::new();
    let mut rx = broker
        .subscribe_results("battle", 4, back.clone())
        .await
        .unwrap();
    let delivery = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("the result within 10 s")
        .expect("the stream is open");
    let received: JobResult = serde_json::from_slice(&delivery.payload).unwrap();
    assert_eq!(received, result);
    delivery.ack.ack().await.unwrap();
    assert!(nothing_within(&mut rx, Duration::from_millis(300)).await);
    back.cancel();
}
