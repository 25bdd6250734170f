//! The `JobStore` contract, in memory, in SQLite and in Redis.

use std::sync::Arc;
use std::time::Duration;

use contracts::execution::{JobResult, Verdict};
use execution::store::{
    JobRecord, JobState, JobStore, MemoryJobStore, RedisJobStore, SqliteJobStore, now_ms,
};
use testkit::TestDatabase;
use uuid::Uuid;

async fn memory() -> (Option<TestDatabase>, Arc<dyn JobStore>) {
    (None, Arc::new(MemoryJobStore::new(Duration::from_secs(60))))
}

async fn sqlite() -> (Option<TestDatabase>, Arc<dyn JobStore>) {
    let database = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(database.path()).await.unwrap();
    let store = SqliteJobStore::new(pool, Duration::from_secs(60))
        .await
        .unwrap();
    (Some(database), Arc::new(store))
}

async fn redis() -> (Option<TestDatabase>, Arc<dyn JobStore>) {
    let conn = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    let store = RedisJobStore::new(conn, &testkit::unique_prefix(), Duration::from_secs(60));
    (None, Arc::new(store))
}

testkit::suite_with_guard!(
    memory => memory().await,
    sqlite => sqlite().await,
    redis => redis().await;
    admitted_jobs_move_from_queued_to_running_to_done,
    a_job_keeps_its_first_result,
    the_in_flight_cap_is_per_owner_and_freed_by_finishing,
    concurrent_admissions_never_overshoot_the_cap,
    withdrawn_jobs_are_gone_and_free_their_slot,
    attempts_are_counted,
);

fn record(owner: Uuid) -> JobRecord {
    JobRecord {
        id: Uuid::now_v7(),
        owner,
        kind: "run".into(),
        language: "python3".into(),
        state: JobState::Queued,
        submitted_at_ms: now_ms(),
        result: None,
    }
}

fn result(job: &JobRecord, verdict: Verdict) -> JobResult {
    JobResult {
        job_id: job.id,
        owner: job.owner,
        kind: job.kind.clone(),
        verdict,
        compile_output: String::new(),
        run: None,
        tests: Vec::new(),
        passed: 0,
        total: 0,
        score: None,
        time_ms: 1,
        memory_bytes: 1,
        error: None,
        started_at_ms: now_ms(),
        finished_at_ms: now_ms(),
    }
}

async fn admitted_jobs_move_from_queued_to_running_to_done(store: Arc<dyn JobStore>) {
    let job = record(Uuid::now_v7());
    assert!(store.admit(&job, 4).await.unwrap());
    assert_eq!(
        store.get(job.id).await.unwrap().unwrap().state,
        JobState::Queued
    );
    store.mark_running(job.id).await.unwrap();
    assert_eq!(
        store.get(job.id).await.unwrap().unwrap().state,
        JobState::Running
    );
    let stored = store
        .finish(&result(&job, Verdict::Accepted))
        .await
        .unwrap();
    assert_eq!(stored.verdict, Verdict::Accepted);
    let done = store.get(job.id).await.unwrap().unwrap();
    assert_eq!(done.state, JobState::Done);
    assert_eq!(done.result, Some(stored));
    assert_eq!(done.owner, job.owner);
    assert!(store.get(Uuid::now_v7()).await.unwrap().is_none());
}

async fn a_job_keeps_its_first_result(store: Arc<dyn JobStore>) {
    let job = record(Uuid::now_v7());
    store.admit(&job, 4).await.unwrap();
    let first = store
        .finish(&result(&job, Verdict::WrongAnswer))
        .await
        .unwrap();
    let second = store
        .finish(&result(&job, Verdict::Accepted))
        .await
        .unwrap();
    assert_eq!(second, first, "a second finish returns the stored result");
    assert_eq!(
        store
            .get(job.id)
            .await
            .unwrap()
            .unwrap()
            .result
            .unwrap()
            .verdict,
        Verdict::WrongAnswer
    );
}

async fn the_in_flight_cap_is_per_owner_and_freed_by_finishing(store: Arc<dyn JobStore>) {
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let jobs: Vec<_> = (0..2).map(|_| record(alice)).collect();
    for job in &jobs {
        assert!(store.admit(job, 2).await.unwrap());
    }
    assert!(
        !store.admit(&record(alice), 2).await.unwrap(),
        "third job refused"
    );
    assert!(
        store.admit(&record(bob), 2).await.unwrap(),
        "other users unaffected"
    );
    store
        .finish(&result(&jobs[0], Verdict::Accepted))
        .await
        .unwrap();
    assert!(
        store.admit(&record(alice), 2).await.unwrap(),
        "a finished job frees its slot"
    );
}

async fn concurrent_admissions_never_overshoot_the_cap(store: Arc<dyn JobStore>) {
    let owner = Uuid::now_v7();
    let attempts: Vec<_> = (0..12)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.admit(&record(owner), 3).await.unwrap() })
        })
        .collect();
    let mut admitted = 0;
    for attempt in attempts {
        if attempt.await.unwrap() {
            admitted += 1;
        }
    }
    assert_eq!(admitted, 3);
}

async fn withdrawn_jobs_are_gone_and_free_their_slot(store: Arc<dyn JobStore>) {
    let owner = Uuid::now_v7();
    let job = record(owner);
    assert!(store.admit(&job, 1).await.unwrap());
    store.withdraw(job.id, owner).await.unwrap();
    assert!(store.get(job.id).await.unwrap().is_none());
    assert!(store.admit(&record(owner), 1).await.unwrap());
}

async fn attempts_are_counted(store: Arc<dyn JobStore>) {
    let job = record(Uuid::now_v7());
    store.admit(&job, 1).await.unwrap();
    assert_eq!(store.count_attempt(job.id).await.unwrap(), 1);
    assert_eq!(store.count_attempt(job.id).await.unwrap(), 2);
    assert_eq!(
        store.get(job.id).await.unwrap().unwrap().state,
        JobState::Queued
    );
}
