//! Finished battles applied exactly once through the real path — the results stream, the
//! consumers of the `rating` group, the store — by two replicas at once on PostgreSQL and
//! Redis, and in embedded mode across a restart (SQLite file, SQLite stream).
//! 500 battles among 20 players; one in ten is delivered a second time.

use std::time::Duration;

use contracts::battle::BattleResult;
use contracts::names;
use platform::Infra;
use platform::infra::{AmqpSettings, DatabaseSettings, EmbeddedSettings, RedisSettings};
use platform::shutdown::Shutdown;
use platform::streams::DurableStream;
use rating::{RatingParts, RatingSettings};
use testkit::{TestDatabase, wait_until};
use uuid::Uuid;

use crate::common::{assert_unbroken_chains, battles, players};

const BATTLES: usize = 500;
const DEADLINE: Duration = Duration::from_secs(120);

fn settings() -> RatingSettings {
    RatingSettings {
        batch: 32,
        concurrency: 4,
        claim_idle_ms: 300,
        tick_ms: 50,
        ..RatingSettings::default()
    }
}

/// Appends every battle, and one in ten a second time under another key (a producer that
/// sent it again); then two entries that cannot be rated.
async fn deliver(stream: &dyn DurableStream, results: &[BattleResult]) {
    for (i, result) in results.iter().enumerate() {
        let payload = serde_json::to_vec(result).unwrap();
        let key = result.battle_id.to_string();
        assert!(
            stream
                .append_once(names::BATTLE_RESULTS, &key, &payload)
                .await
                .unwrap()
        );
        if i % 10 == 3 {
            let again = format!("{key}:again");
            assert!(
                stream
                    .append_once(names::BATTLE_RESULTS, &again, &payload)
                    .await
                    .unwrap()
            );
        }
    }
    let mut alone = results[0].clone();
    alone.battle_id = Uuid::now_v7();
    alone.players[1] = alone.players[0];
    let unratable = [
        ("garbage", b"{not json".to_vec()),
        ("alone", serde_json::to_vec(&alone).unwrap()),
    ];
    for (key, payload) in unratable {
        let appended = stream.append_once(names::BATTLE_RESULTS, key, &payload);
        assert!(appended.await.unwrap());
    }
}

/// The two entries that cannot be rated went to the dead-letter stream.
async fn assert_dead_letters(stream: &dyn DurableStream) {
    let dead = stream
        .read(names::RATING_DEAD, "operator", "me", 10, Duration::ZERO)
        .await
        .unwrap();
    let mut keys: Vec<_> = dead.iter().map(|e| e.key.as_str()).collect();
    keys.sort();
    assert_eq!(keys, vec!["alone", "garbage"]);
}

async fn applied(parts: &RatingParts) -> u64 {
    parts
        .service
        .store()
        .totals()
        .await
        .map_or(0, |t| t.battles)
}

async fn assert_all_applied_once(
    parts: &RatingParts,
    stream: &dyn DurableStream,
    p: &[(Uuid, String)],
    battles: usize,
) {
    let store = parts.service.store();
    wait_until(
        DEADLINE,
        "every battle applied and acknowledged",
        || async {
            applied(parts).await == battles as u64
                && stream
                    .lag(names::BATTLE_RESULTS, names::RATING_GROUP)
                    .await
                    .unwrap()
                    == 0
        },
    )
    .await;
    let totals = store.totals().await.unwrap();
    assert_eq!(
        (totals.battles, totals.history_rows),
        (battles as u64, 2 * battles as u64)
    );
    assert_unbroken_chains(store.as_ref(), p).await;
    assert_dead_letters(stream).await;
    // The leaderboard shows everyone, best first.
    let page = parts.service.leaderboard(1).await.unwrap();
    assert_eq!(page.total, p.len() as u64);
    assert!(page.rows.windows(2).all(|w| w[0].rating >= w[1].rating));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_and_redis_apply_each_battle_once() {
    let db = TestDatabase::postgres().await;
    let database = DatabaseSettings {
        url: Some(db.url().to_owned()),
        ..DatabaseSettings::default()
    };
    let redis = RedisSettings {
        url: Some(testkit::redis_url()),
        prefix: testkit::unique_prefix(),
        ..Default::default()
    };
    let amqp = AmqpSettings::default();
    let p = players(20);
    let results = battles(&p, BATTLES, 7);
    let producer = Infra::cluster(&database, &redis, &amqp);
    let stream = producer.streams().await.unwrap();
    deliver(stream.as_ref(), &results).await;

    let shutdown = Shutdown::new();
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let infra = Infra::cluster(&database, &redis, &amqp);
        replicas.push(rating::parts(&settings(), &infra, &shutdown).await.unwrap());
    }
    assert_all_applied_once(&replicas[0], stream.as_ref(), &p, BATTLES).await;
    shutdown.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_mode_applies_each_battle_once_across_a_restart() {
    let dir = tempfile_dir();
    let embedded = EmbeddedSettings {
        data_dir: dir.path().join("data"),
    };
    let p = players(20);
    // More than in cluster mode, so that the restart surely comes before the end.
    let total = 3 * BATTLES;
    let results = battles(&p, total, 11);

    let first = Infra::embedded(&embedded).await.unwrap();
    let stream = first.streams().await.unwrap();
    deliver(stream.as_ref(), &results).await;
    let shutdown = Shutdown::new();
    let parts = rating::parts(&settings(), &first, &shutdown).await.unwrap();
    wait_until(DEADLINE, "some battles applied", || async {
        applied(&parts).await >= 20
    })
    .await;
    // The process dies: its tasks stop wherever they are, transactions in flight roll back.
    for task in &parts.parts.background {
        task.abort();
    }
    let before = applied(&parts).await;
    assert!(before < total as u64, "the restart comes in the middle");
    drop((parts, stream, first));

    let second = Infra::embedded(&embedded).await.unwrap();
    let shutdown = Shutdown::new();
    let parts = rating::parts(&settings(), &second, &shutdown)
        .await
        .unwrap();
    let stream = second.streams().await.unwrap();
    assert_all_applied_once(&parts, stream.as_ref(), &p, total).await;
    shutdown.cancel();
}

fn tempfile_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}
