//! A rating consumer killed (SIGKILL) in the middle of a batch, on PostgreSQL and Redis:
//! the entries it held pending are taken over by another consumer once they have been
//! idle for `rating.claim_idle_ms`, and every finished battle — the ones delivered twice
//! included — is applied exactly once: 500 battles, 1000 history rows, and every player's
//! history an unbroken chain ending at their rating (no update lost, none doubled).

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use contracts::battle::{BattleResult, EndReason};
use contracts::names;
use platform::Infra;
use platform::infra::{AmqpSettings, DatabaseSettings, RedisSettings};
use platform::streams::DurableStream;
use redis::aio::MultiplexedConnection;
use redis::streams::StreamPendingReply;
use sqlx::postgres::PgPool;
use testkit::{ChildProcess, TestDatabase, free_port, wait_for_ok, wait_until};
use uuid::Uuid;

use crate::app::ZYGOTE;

const PLAYERS: usize = 20;
const BATTLES: usize = 500;
/// Battles appended a second time, under another key (a producer that sent them again).
const AGAIN: usize = 50;
/// The first consumer is killed once it has applied this many…
const KILL_AFTER: i64 = 100;
/// …and while at least this many of its entries are pending: with 4 applied at a time,
/// its batch cannot end (and everything be acknowledged) before the kill lands.
const KILL_WHILE_PENDING: usize = 16;
const DEADLINE: Duration = Duration::from_secs(120);

/// `codearena service rating` on the test's database and Redis prefix.
struct RatingProcess {
    db_url: String,
    prefix: String,
}

impl RatingProcess {
    fn start(&self, claim_idle_ms: u64) -> (ChildProcess, String) {
        let port = free_port();
        let child = ChildProcess::spawn(
            Command::new(ZYGOTE)
                .args(["service", "rating"])
                .env_clear()
                .env("CODEARENA_HTTP__HOST", "127.0.0.1")
                .env("CODEARENA_HTTP__PORT", port.to_string())
                .env("CODEARENA_DATABASE__URL", &self.db_url)
                .env("CODEARENA_REDIS__URL", testkit::redis_url())
                .env("CODEARENA_REDIS__PREFIX", &self.prefix)
                .env("CODEARENA_RATING__BATCH", "64")
                .env("CODEARENA_RATING__CONCURRENCY", "4")
                .env("CODEARENA_RATING__CLAIM_IDLE_MS", claim_idle_ms.to_string())
                .env("CODEARENA_TELEMETRY__LOG_FILTER", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit()),
        );
        (child, format!("http://127.0.0.1:{port}"))
    }
}

/// `BATTLES` battles between random pairs of distinct players, a third of them draws.
fn battles(players: &[(Uuid, String)]) -> Vec<BattleResult> {
    let seed = Uuid::new_v4().as_u64_pair().0 | 1;
    eprintln!("rating_crash: battles from seed {seed}");
    let mut x = seed;
    let mut next = move |n: usize| {
        // xorshift64
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n as u64) as usize
    };
    (0..BATTLES)
        .map(|i| {
            let a = next(PLAYERS);
            let b = (a + 1 + next(PLAYERS - 1)) % PLAYERS;
            let (a, b) = (&players[a], &players[b]);
            let winner = [Some(a.0), Some(b.0), None][next(3)];
            BattleResult {
                battle_id: Uuid::new_v4(),
                players: [a.0, b.0],
                usernames: [a.1.clone(), b.1.clone()],
                winner,
                reason: if winner.is_some() {
                    EndReason::Accepted
                } else {
                    EndReason::Draw
                },
                finished_at_ms: 1_700_000_000_000 + i as i64,
            }
        })
        .collect()
}

/// Battles applied so far (0 before the service has created its tables).
async fn applied(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM rating_battles")
        .fetch_one(pool)
        .await
        .unwrap_or(0)
}

/// Entries of the results stream delivered to the `rating` group and not acknowledged.
async fn pending(redis: &mut MultiplexedConnection, prefix: &str) -> usize {
    redis::cmd("XPENDING")
        .arg(names::prefixed(prefix, names::BATTLE_RESULTS))
        .arg(names::RATING_GROUP)
        .query_async::<StreamPendingReply>(redis)
        .await
        .map_or(0, |reply| reply.count())
}

async fn lag(stream: &dyn DurableStream) -> u64 {
    stream
        .lag(names::BATTLE_RESULTS, names::RATING_GROUP)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_mid_batch_leaves_its_entries_to_another_and_each_applies_once() {
    let db = TestDatabase::postgres().await;
    let process = RatingProcess {
        db_url: db.url().to_owned(),
        prefix: testkit::unique_prefix(),
    };
    let infra = Infra::cluster(
        &DatabaseSettings::default(),
        &RedisSettings {
            url: Some(testkit::redis_url()),
            prefix: process.prefix.clone(),
            ..Default::default()
        },
        &AmqpSettings::default(),
    );
    let stream = infra.streams().await.unwrap();
    let mut redis = redis::Client::open(testkit::redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let pool = platform::db::connect_postgres(db.url(), 2).await.unwrap();

    let players: Vec<(Uuid, String)> = (0..PLAYERS)
        .map(|i| (Uuid::new_v4(), format!("player{i}")))
        .collect();
    let results = battles(&players);
    for (i, result) in results.iter().enumerate() {
        let json = serde_json::to_vec(result).unwrap();
        let id = result.battle_id.to_string();
        let mut keys = vec![id.clone()];
        if i % (BATTLES / AGAIN) == 3 {
            keys.push(format!("{id}:again"));
        }
        for key in keys {
            let appended = stream.append_once(names::BATTLE_RESULTS, &key, &json);
            assert!(appended.await.unwrap(), "{key} appended");
        }
    }
    assert_eq!(lag(stream.as_ref()).await, (BATTLES + AGAIN) as u64);

    // The first consumer never claims anything; it is killed in the middle of a batch.
    let started = Instant::now();
    let (mut first, _) = process.start(60_000);
    let mut polls = 0_u32;
    loop {
        let done = applied(&pool).await;
        assert!(
            done < BATTLES as i64,
            "the first consumer finished before the kill; make the workload larger"
        );
        if done >= KILL_AFTER && pending(&mut redis, &process.prefix).await >= KILL_WHILE_PENDING {
            first.0.kill().unwrap(); // SIGKILL
            first.0.wait().unwrap();
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "the first consumer never got going"
        );
        polls += 1;
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let killed = Instant::now();
    let at_kill = applied(&pool).await;
    let left_pending = pending(&mut redis, &process.prefix).await;
    let left = lag(stream.as_ref()).await;
    eprintln!(
        "rating_crash: killed after {:?} ({polls} polls): {at_kill} applied, \
         {left_pending} pending, lag {left}",
        killed - started
    );
    assert!(
        at_kill < BATTLES as i64,
        "killed mid-way: {at_kill} applied"
    );
    assert!(left_pending > 0, "the dead consumer left entries pending");
    assert!(left > 0, "lag counts them");

    // Another consumer takes over the dead one's entries once idle for a second, and reads
    // the rest.
    let (_second, url) = process.start(1000);
    wait_for_ok(&format!("{url}/readyz"), Duration::from_secs(60)).await;
    wait_until(
        DEADLINE,
        "every battle applied and every entry acknowledged",
        || async { applied(&pool).await == BATTLES as i64 && lag(stream.as_ref()).await == 0 },
    )
    .await;
    eprintln!(
        "rating_crash: all applied {:?} after the kill",
        killed.elapsed()
    );
    assert_eq!(pending(&mut redis, &process.prefix).await, 0);

    // Each battle once: 500 recorded, two history rows each…
    assert_eq!(applied(&pool).await, BATTLES as i64);
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rating_history")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(history, 2 * BATTLES as i64);
    // …and for every player an unbroken chain from 1500 to their rating, as many games as
    // battles they played: no update lost, none applied twice.
    let mut played: HashMap<Uuid, usize> = HashMap::new();
    for result in &results {
        for player in result.players {
            *played.entry(player).or_default() += 1;
        }
    }
    for (user, name) in &players {
        let chain: Vec<(i32, f64, f64)> = sqlx::query_as(
            "SELECT game, rating_before, rating_after FROM rating_history \
             WHERE user_id = $1 ORDER BY game",
        )
        .bind(user)
        .fetch_all(&pool)
        .await
        .unwrap();
        let expected = played.get(user).copied().unwrap_or(0);
        assert_eq!(chain.len(), expected, "{name}'s history rows");
        let mut rating = rating::elo::INITIAL_RATING;
        for (i, &(game, before, after)) in chain.iter().enumerate() {
            assert_eq!(game as usize, i + 1, "{name}'s game numbers");
            assert_eq!(
                before, rating,
                "{name}'s game {game} starts where the last ended"
            );
            rating = after;
        }
        let standing: Option<(f64, i32)> =
            sqlx::query_as("SELECT rating, games FROM ratings WHERE user_id = $1")
                .bind(user)
                .fetch_optional(&pool)
                .await
                .unwrap();
        if expected == 0 {
            assert_eq!(standing, None, "{name} never played");
            continue;
        }
        let (current, games) = standing.unwrap();
        assert_eq!(current, rating, "{name}'s rating is their last game's");
        assert_eq!(games as usize, expected, "{name}'s games");
    }
}
