//! The two phases: whole battles (create, join, started, resign), and judge results
//! published by this program playing the sandbox worker.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use contracts::execution::{JobResult, JudgeJob, TestOutcome, Verdict};
use execution::queue::JobQueue;
use platform::Infra;
use platform::shutdown::Shutdown;
use serde_json::json;
use uuid::Uuid;

use crate::channel::{Awaited, Rendezvous, Watcher};
use crate::stack::{Api, micros, now_ms, whole_ms};
use crate::{PATIENCE, PROBLEM};

/// In microseconds.
pub(crate) struct BattleTimings {
    pub(crate) total: u64,
    pub(crate) create: u64,
    pub(crate) join: u64,
    pub(crate) until_started: u64,
    /// Join answered → the clock's commit (`at_ms` of `started`), whole ms.
    pub(crate) until_opened: u64,
    /// That commit → `started` seen, whole ms.
    pub(crate) opened_to_seen: u64,
    pub(crate) resign: u64,
}

/// The first player creates a battle, the second joins; waits for `started` on the event
/// channel. The battle's id, and the timings so far.
pub(crate) async fn start_battle(
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
pub(crate) async fn play_one(
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
pub(crate) async fn open_battle(
    api: &Api,
    pair: &(String, String),
    watcher: &Watcher,
) -> anyhow::Result<Uuid> {
    Ok(start_battle(api, pair, watcher).await?.0)
}

/// In microseconds.
pub(crate) struct ResultTimings {
    pub(crate) submit: u64,
    pub(crate) until_job: u64,
    pub(crate) publish: u64,
    pub(crate) to_event: u64,
    /// Published → the result's commit (`at_ms` of `judged`), whole ms.
    pub(crate) until_committed: u64,
    /// That commit → `judged` seen, whole ms.
    pub(crate) committed_to_seen: u64,
}

/// `player` submits; the job is taken off the queue and its result published; waits for
/// the `judged` event.
pub(crate) async fn judge_one(
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
pub(crate) struct Jobs {
    pub(crate) queue: JobQueue,
    pub(crate) arrivals: Arc<Rendezvous<Uuid, JudgeJob>>,
}

impl Jobs {
    pub(crate) async fn start(infra: &Infra, shutdown: &Shutdown) -> anyhow::Result<Self> {
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
