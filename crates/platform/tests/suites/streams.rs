//! The `DurableStream` contract, in memory, on Redis and in SQLite; then what only one of
//! them shows: the in-process stream's trimming, a waiting Redis read beside other
//! commands, SQLite's entries surviving a restart.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use platform::streams::{
    DurableStream, MemoryStream, RedisStream, SqliteStream, StreamEntry, StreamError,
};
use testkit::{TestDatabase, wait_until};

/// How long anything that should happen may take.
const DEADLINE: Duration = Duration::from_secs(15);
/// `block` for reads that must not wait.
const NOW: Duration = Duration::ZERO;
/// `block` for reads that an append must end long before it passes.
const LONG: Duration = Duration::from_secs(60);

async fn memory() -> Arc<dyn DurableStream> {
    Arc::new(MemoryStream::new())
}

async fn redis() -> Arc<dyn DurableStream> {
    Arc::new(redis_stream(&testkit::redis_url(), &testkit::unique_prefix()).await)
}

async fn redis_stream(url: &str, prefix: &str) -> RedisStream {
    let connection = platform::redis::connect(url).await.unwrap();
    RedisStream::new(connection, ::redis::Client::open(url).unwrap(), prefix)
}

async fn sqlite() -> Arc<dyn DurableStream> {
    let database = TestDatabase::sqlite();
    let pool = platform::db::connect_sqlite(database.path()).await.unwrap();
    let stream = SqliteStream::new(pool).await.unwrap();
    Arc::new(OnTestDatabase {
        stream,
        _database: database,
    })
}

/// A stream with the test database it lives in, removed when the test drops the stream.
struct OnTestDatabase<S> {
    stream: S,
    _database: TestDatabase,
}

#[async_trait::async_trait]
impl<S: DurableStream> DurableStream for OnTestDatabase<S> {
    async fn append_once(
        &self,
        stream: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, StreamError> {
        self.stream.append_once(stream, key, payload).await
    }

    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        self.stream
            .read(stream, group, consumer, count, block)
            .await
    }

    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), StreamError> {
        self.stream.ack(stream, group, id).await
    }

    async fn claim_stale(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        self.stream
            .claim_stale(stream, group, consumer, idle, count)
            .await
    }

    async fn lag(&self, stream: &str, group: &str) -> Result<u64, StreamError> {
        self.stream.lag(stream, group).await
    }
}

testkit::suite!(
    memory => memory().await,
    redis => redis().await,
    sqlite => sqlite().await;
    append_once_appends_a_key_once,
    a_group_reads_every_entry_once_in_order,
    an_unacked_entry_comes_back_and_goes_to_another_consumer_once_stale,
    every_group_sees_every_entry,
    concurrent_readers_of_a_group_never_share_an_entry,
    lag_counts_what_a_group_has_not_acked,
    a_read_waits_for_an_append,
    a_read_given_up_on_loses_nothing,
);

fn keys(entries: &[StreamEntry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.key.as_str()).collect()
}

fn deliveries(entries: &[StreamEntry]) -> Vec<u64> {
    entries.iter().map(|entry| entry.deliveries).collect()
}

async fn append(stream: &Arc<dyn DurableStream>, keys: &[&str]) {
    for key in keys {
        let payload = format!("payload of {key}");
        assert!(
            stream
                .append_once("rated", key, payload.as_bytes())
                .await
                .unwrap()
        );
    }
}

async fn ack_all(stream: &Arc<dyn DurableStream>, group: &str, entries: &[StreamEntry]) {
    for entry in entries {
        stream.ack("rated", group, &entry.id).await.unwrap();
    }
}

async fn append_once_appends_a_key_once(stream: Arc<dyn DurableStream>) {
    assert!(stream.append_once("rated", "a", b"first").await.unwrap());
    assert!(!stream.append_once("rated", "a", b"again").await.unwrap());
    let racers: Vec<_> = (0..10)
        .map(|i| {
            let stream = stream.clone();
            tokio::spawn(async move {
                let payload = format!("racer {i}");
                stream
                    .append_once("rated", "b", payload.as_bytes())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut appended = 0;
    for racer in racers {
        appended += usize::from(racer.await.unwrap());
    }
    assert_eq!(appended, 1, "exactly one concurrent append of a key");
    // Keys are per stream.
    assert!(
        stream
            .append_once("other", "a", b"elsewhere")
            .await
            .unwrap()
    );

    let read = stream.read("rated", "rating", "c", 10, NOW).await.unwrap();
    assert_eq!(keys(&read), ["a", "b"]);
    assert_eq!(read[0].payload, b"first", "the first payload is kept");
    assert!(read[1].payload.starts_with(b"racer "));
}

async fn a_group_reads_every_entry_once_in_order(stream: Arc<dyn DurableStream>) {
    let appended: Vec<String> = (0..10).map(|i| format!("battle-{i}")).collect();
    let appended: Vec<&str> = appended.iter().map(String::as_str).collect();
    append(&stream, &appended).await;
    let mut read = Vec::new();
    loop {
        let batch = stream.read("rated", "rating", "c", 3, NOW).await.unwrap();
        if batch.is_empty() {
            break;
        }
        assert!(batch.len() <= 3);
        assert!(batch.iter().all(|entry| entry.deliveries == 1));
        ack_all(&stream, "rating", &batch).await;
        read.extend(batch);
    }
    assert_eq!(keys(&read), appended);
    assert_eq!(read[4].payload, b"payload of battle-4");
    let ids: HashSet<&str> = read.iter().map(|entry| entry.id.as_str()).collect();
    assert_eq!(ids.len(), read.len(), "ids are unique");
}

async fn an_unacked_entry_comes_back_and_goes_to_another_consumer_once_stale(
    stream: Arc<dyn DurableStream>,
) {
    append(&stream, &["a", "b"]).await;
    let first = stream
        .read("rated", "rating", "one", 10, NOW)
        .await
        .unwrap();
    assert_eq!(
        (keys(&first), deliveries(&first)),
        (vec!["a", "b"], vec![1, 1])
    );
    // Not acked: the same consumer gets them again, before anything new.
    append(&stream, &["c"]).await;
    let again = stream.read("rated", "rating", "one", 2, NOW).await.unwrap();
    assert_eq!(
        (keys(&again), deliveries(&again)),
        (vec!["a", "b"], vec![2, 2])
    );
    assert_eq!(again[0].id, first[0].id);
    stream.ack("rated", "rating", &again[0].id).await.unwrap();
    let then = stream
        .read("rated", "rating", "one", 10, NOW)
        .await
        .unwrap();
    assert_eq!(
        (keys(&then), deliveries(&then)),
        (vec!["b", "c"], vec![3, 1])
    );

    // Another consumer gets neither until they have been idle long enough.
    let other = stream
        .read("rated", "rating", "two", 10, NOW)
        .await
        .unwrap();
    assert!(other.is_empty());
    let hour = Duration::from_secs(3600);
    let fresh = stream.claim_stale("rated", "rating", "two", hour, 10).await;
    assert!(
        fresh.unwrap().is_empty(),
        "nothing has been idle for an hour"
    );
    let claimed = claimed_eventually(&stream, "two", Duration::from_millis(200)).await;
    assert_eq!(
        (keys(&claimed), deliveries(&claimed)),
        (vec!["b", "c"], vec![4, 2])
    );

    // They are the new consumer's now.
    let one = stream
        .read("rated", "rating", "one", 10, NOW)
        .await
        .unwrap();
    assert!(one.is_empty(), "claimed entries left their old consumer");
    let two = stream
        .read("rated", "rating", "two", 10, NOW)
        .await
        .unwrap();
    assert_eq!((keys(&two), deliveries(&two)), (vec!["b", "c"], vec![5, 3]));
    ack_all(&stream, "rating", &two).await;
    assert_eq!(stream.lag("rated", "rating").await.unwrap(), 0);
}

/// What `consumer` claims once something has been idle for `idle`.
async fn claimed_eventually(
    stream: &Arc<dyn DurableStream>,
    consumer: &str,
    idle: Duration,
) -> Vec<StreamEntry> {
    let claimed = &Mutex::new(Vec::new());
    wait_until(
        DEADLINE,
        "entries idle long enough to claim",
        move || async move {
            let entries = stream
                .claim_stale("rated", "rating", consumer, idle, 10)
                .await
                .unwrap();
            let found = !entries.is_empty();
            claimed.lock().unwrap().extend(entries);
            found
        },
    )
    .await;
    std::mem::take(&mut *claimed.lock().unwrap())
}

async fn every_group_sees_every_entry(stream: Arc<dyn DurableStream>) {
    append(&stream, &["a", "b", "c"]).await;
    let rating = stream.read("rated", "rating", "r", 10, NOW).await.unwrap();
    ack_all(&stream, "rating", &rating).await;
    // Created after the first group read and acked everything: still from the start.
    let stats = stream.read("rated", "stats", "s", 10, NOW).await.unwrap();
    assert_eq!(keys(&rating), ["a", "b", "c"]);
    assert_eq!(keys(&stats), ["a", "b", "c"]);
    assert!(stats.iter().all(|entry| entry.deliveries == 1));

    append(&stream, &["d"]).await;
    let rating = stream.read("rated", "rating", "r", 10, NOW).await.unwrap();
    let stats = stream.read("rated", "stats", "s", 10, NOW).await.unwrap();
    assert_eq!(keys(&rating), ["d"]);
    assert_eq!(
        keys(&stats),
        ["a", "b", "c", "d"],
        "unacked, so handed out again"
    );
}

async fn concurrent_readers_of_a_group_never_share_an_entry(stream: Arc<dyn DurableStream>) {
    const PER_PRODUCER: usize = 30;
    const TOTAL: usize = 2 * PER_PRODUCER;
    let received = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..4)
        .map(|reader| {
            let (stream, received) = (stream.clone(), received.clone());
            tokio::spawn(async move {
                let consumer = format!("reader-{reader}");
                let mut mine = Vec::new();
                while received.load(Ordering::SeqCst) < TOTAL {
                    let batch = stream
                        .read("rated", "rating", &consumer, 4, Duration::from_millis(50))
                        .await
                        .unwrap();
                    for entry in batch {
                        stream.ack("rated", "rating", &entry.id).await.unwrap();
                        received.fetch_add(1, Ordering::SeqCst);
                        mine.push(entry.key);
                    }
                }
                mine
            })
        })
        .collect();
    let producers: Vec<_> = ["p", "q"]
        .into_iter()
        .map(|producer| {
            let stream = stream.clone();
            tokio::spawn(async move {
                for i in 0..PER_PRODUCER {
                    let key = format!("{producer}{i}");
                    stream.append_once("rated", &key, b"x").await.unwrap();
                }
            })
        })
        .collect();
    for producer in producers {
        producer.await.unwrap();
    }
    let mut all = Vec::new();
    for reader in readers {
        let mine = tokio::time::timeout(DEADLINE, reader)
            .await
            .expect("the readers finish")
            .unwrap();
        all.extend(mine);
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), TOTAL, "every entry once: {all:?}");
    assert_eq!(unique.len(), TOTAL, "no entry twice: {all:?}");
}

async fn lag_counts_what_a_group_has_not_acked(stream: Arc<dyn DurableStream>) {
    assert_eq!(
        stream.lag("rated", "rating").await.unwrap(),
        0,
        "no stream yet"
    );
    append(&stream, &["a", "b", "c", "d", "e"]).await;
    assert_eq!(
        stream.lag("rated", "rating").await.unwrap(),
        5,
        "no group yet"
    );
    let read = stream.read("rated", "rating", "c", 2, NOW).await.unwrap();
    assert_eq!(
        stream.lag("rated", "rating").await.unwrap(),
        5,
        "2 pending, 3 new"
    );
    stream.ack("rated", "rating", &read[0].id).await.unwrap();
    // Acking twice counts once.
    stream.ack("rated", "rating", &read[0].id).await.unwrap();
    assert_eq!(stream.lag("rated", "rating").await.unwrap(), 4);
    let rest = stream.read("rated", "rating", "c", 10, NOW).await.unwrap();
    assert_eq!(keys(&rest), ["b", "c", "d", "e"]);
    assert_eq!(
        stream.lag("rated", "rating").await.unwrap(),
        4,
        "all pending"
    );
    ack_all(&stream, "rating", &rest).await;
    assert_eq!(stream.lag("rated", "rating").await.unwrap(), 0);
    assert_eq!(
        stream.lag("rated", "stats").await.unwrap(),
        5,
        "another group"
    );
}

async fn a_read_waits_for_an_append(stream: Arc<dyn DurableStream>) {
    let block = Duration::from_millis(300);
    let started = Instant::now();
    let nothing = stream
        .read("rated", "rating", "c", 10, block)
        .await
        .unwrap();
    assert!(nothing.is_empty());
    // Redis times blocked reads out on its own clock: allow a little.
    assert!(
        started.elapsed() >= block - Duration::from_millis(50),
        "it waited"
    );

    let reader = {
        let stream = stream.clone();
        tokio::spawn(async move { stream.read("rated", "rating", "c", 10, LONG).await })
    };
    append(&stream, &["a"]).await;
    let read = tokio::time::timeout(DEADLINE, reader)
        .await
        .expect("the append ends the wait, long before its block")
        .unwrap()
        .unwrap();
    assert_eq!((keys(&read), deliveries(&read)), (vec!["a"], vec![1]));
}

async fn a_read_given_up_on_loses_nothing(stream: Arc<dyn DurableStream>) {
    let reader = {
        let stream = stream.clone();
        tokio::spawn(async move { stream.read("rated", "rating", "c", 10, LONG).await })
    };
    tokio::task::yield_now().await;
    reader.abort();
    assert!(reader.await.unwrap_err().is_cancelled());
    append(&stream, &["a"]).await;
    // Whether or not the abandoned read took it, it is the consumer's to read now.
    let read = tokio::time::timeout(DEADLINE, stream.read("rated", "rating", "c", 10, LONG))
        .await
        .expect("the entry is there to read")
        .unwrap();
    assert_eq!(keys(&read), ["a"]);
}

// In memory only: the deterministic wake-up, and what is trimmed.

#[tokio::test(flavor = "current_thread")]
async fn memory_a_waiting_read_is_woken_by_an_append() {
    let stream: Arc<dyn DurableStream> = Arc::new(MemoryStream::new());
    let reader = {
        let stream = stream.clone();
        tokio::spawn(async move { stream.read("rated", "rating", "c", 10, LONG).await })
    };
    // On this one thread, the reader runs until it waits.
    tokio::task::yield_now().await;
    assert!(!reader.is_finished());
    append(&stream, &["a"]).await;
    let read = tokio::time::timeout(DEADLINE, reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(keys(&read.unwrap()), ["a"]);
}

#[tokio::test]
async fn memory_keeps_unacked_entries_and_only_a_few_acked_ones() {
    let stream: Arc<dyn DurableStream> = Arc::new(MemoryStream::with_limits(2, 100));
    append(&stream, &["a", "b", "c", "d", "e"]).await;
    let rating = stream.read("rated", "rating", "r", 10, NOW).await.unwrap();
    let _stats = stream.read("rated", "stats", "s", 1, NOW).await.unwrap();
    ack_all(&stream, "rating", &rating).await;
    // "stats" has not acked anything: all is kept.
    let late = stream.read("rated", "late", "l", 10, NOW).await.unwrap();
    assert_eq!(keys(&late), ["a", "b", "c", "d", "e"]);
    ack_all(&stream, "late", &late).await;

    let stats = stream.read("rated", "stats", "s", 10, NOW).await.unwrap();
    assert_eq!(keys(&stats), ["a", "b", "c", "d", "e"]);
    ack_all(&stream, "stats", &stats).await;
    // Acked by every group: only the newest two are kept, for groups that come later.
    let later = stream.read("rated", "later", "l", 10, NOW).await.unwrap();
    assert_eq!(keys(&later), ["d", "e"]);
    assert_eq!(stream.lag("rated", "new").await.unwrap(), 2);
    // Keys are remembered beyond the entries.
    assert!(!stream.append_once("rated", "a", b"again").await.unwrap());
}

// On Redis only: a waiting read has a connection of its own.

/// The test Redis, but database 9, so that this test can find its blocked read among
/// every other test's clients.
fn redis_db9_url() -> String {
    let client = ::redis::Client::open(testkit::redis_url()).unwrap();
    match client.get_connection_info().addr() {
        ::redis::ConnectionAddr::Tcp(host, port) => format!("redis://{host}:{port}/9"),
        other => panic!("this test needs a plain TCP Redis, not {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_a_waiting_read_holds_up_no_other_command() {
    let url = redis_db9_url();
    let stream: Arc<dyn DurableStream> =
        Arc::new(redis_stream(&url, &testkit::unique_prefix()).await);
    let reader = {
        let stream = stream.clone();
        tokio::spawn(async move { stream.read("rated", "rating", "c", 10, LONG).await })
    };
    let admin = platform::redis::connect(&url).await.unwrap();
    wait_until(DEADLINE, "a read blocked in Redis", || {
        let mut admin = admin.clone();
        async move {
            let clients: String = ::redis::cmd("CLIENT")
                .arg("LIST")
                .query_async(&mut admin)
                .await
                .unwrap();
            clients.lines().any(|client| {
                let fields: Vec<&str> = client.split(' ').collect();
                fields.contains(&"db=9")
                    && fields.contains(&"cmd=xreadgroup")
                    && fields
                        .iter()
                        .any(|f| f.starts_with("flags=") && f.contains('b'))
            })
        }
    })
    .await;

    // The stream's other commands go on meanwhile (the shared connection would have them
    // wait for the read, and time out after 1 s).
    let quick = Duration::from_secs(2);
    let lag = tokio::time::timeout(quick, stream.lag("rated", "rating")).await;
    assert_eq!(lag.expect("lag answers").unwrap(), 0);
    let appended = tokio::time::timeout(quick, stream.append_once("rated", "a", b"p")).await;
    assert!(appended.expect("append_once answers").unwrap());

    let read = tokio::time::timeout(DEADLINE, reader)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(keys(&read.unwrap()), ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_entries_deleted_by_hand_are_skipped_and_not_counted() {
    let prefix = testkit::unique_prefix();
    let stream: Arc<dyn DurableStream> =
        Arc::new(redis_stream(&testkit::redis_url(), &prefix).await);
    let mut admin = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    append(&stream, &["a", "b", "c"]).await;
    let a = stream.read("rated", "rating", "c", 1, NOW).await.unwrap();
    let b = stream.read("rated", "other", "o", 2, NOW).await.unwrap();
    let delete = |id: String| {
        let key = format!("{prefix}:rated");
        ::redis::cmd("XDEL").arg(key).arg(id).to_owned()
    };
    // Deleted after what the group has read: Redis no longer knows the lag by itself.
    let _: i64 = delete(b[1].id.clone())
        .query_async(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        stream.lag("rated", "rating").await.unwrap(),
        2,
        "a pending, c new"
    );
    // Deleted while pending: dropped from the consumer's pending entries, not handed out.
    let _: i64 = delete(a[0].id.clone())
        .query_async(&mut admin)
        .await
        .unwrap();
    let rest = stream.read("rated", "rating", "c", 10, NOW).await.unwrap();
    assert_eq!(keys(&rest), ["c"]);
    ack_all(&stream, "rating", &rest).await;
    assert_eq!(stream.lag("rated", "rating").await.unwrap(), 0);
}

// In SQLite only: a restart loses nothing.

async fn sqlite_on(database: &TestDatabase) -> (sqlx::SqlitePool, Arc<dyn DurableStream>) {
    let pool = platform::db::connect_sqlite(database.path()).await.unwrap();
    let stream = SqliteStream::new(pool.clone()).await.unwrap();
    (pool, Arc::new(stream))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_unacked_entries_survive_a_restart() {
    let database = TestDatabase::sqlite();
    let (pool, stream) = sqlite_on(&database).await;
    append(&stream, &["a"]).await;
    let before = stream.read("rated", "rating", "c", 10, NOW).await.unwrap();
    assert_eq!((keys(&before), deliveries(&before)), (vec!["a"], vec![1]));
    // Never delivered.
    append(&stream, &["b"]).await;
    drop(stream);
    pool.close().await;

    let (_pool, stream) = sqlite_on(&database).await;
    assert_eq!(
        stream.lag("rated", "rating").await.unwrap(),
        2,
        "a pending, b new"
    );
    let after = stream.read("rated", "rating", "c", 10, NOW).await.unwrap();
    assert_eq!(
        (keys(&after), deliveries(&after)),
        (vec!["a", "b"], vec![2, 1]),
        "a still pending for its consumer, b still new"
    );
    assert_eq!(after[0].id, before[0].id);
    assert!(after[0].id.parse::<u64>().unwrap() < after[1].id.parse::<u64>().unwrap());
    assert_eq!(after[1].payload, b"payload of b");
    assert!(
        !stream.append_once("rated", "a", b"again").await.unwrap(),
        "keys are remembered"
    );
    ack_all(&stream, "rating", &after).await;
    assert_eq!(stream.lag("rated", "rating").await.unwrap(), 0);
}

// What `Infra` hands out.

#[tokio::test]
async fn infra_embedded_services_share_one_stream() {
    let data = tempfile::tempdir().unwrap();
    let settings = platform::infra::EmbeddedSettings {
        data_dir: data.path().to_owned(),
    };
    let infra = platform::Infra::embedded(&settings).await.unwrap();
    let (battle, rating) = (
        infra.streams().await.unwrap(),
        infra.streams().await.unwrap(),
    );
    append(&battle, &["a"]).await;
    let read = rating.read("rated", "rating", "r", 10, NOW).await.unwrap();
    assert_eq!(keys(&read), ["a"]);
    // A waiting read is woken by an append through another handle.
    let reader = {
        let rating = rating.clone();
        tokio::spawn(async move { rating.read("rated", "rating", "r2", 10, LONG).await })
    };
    append(&battle, &["b"]).await;
    let read = tokio::time::timeout(DEADLINE, reader)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(keys(&read), ["b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infra_embedded_streams_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let settings = platform::infra::EmbeddedSettings {
        data_dir: data.path().to_owned(),
    };
    let infra = platform::Infra::embedded(&settings).await.unwrap();
    let battle = infra.streams().await.unwrap();
    append(&battle, &["a"]).await;
    drop(battle);
    let platform::infra::Database::Sqlite(pool) = infra.database().await.unwrap() else {
        panic!("embedded mode is on SQLite");
    };
    pool.close().await;
    drop(infra);

    let infra = platform::Infra::embedded(&settings).await.unwrap();
    let rating = infra.streams().await.unwrap();
    let read = rating.read("rated", "rating", "r", 10, NOW).await.unwrap();
    assert_eq!(keys(&read), ["a"]);
    assert!(!rating.append_once("rated", "a", b"again").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infra_cluster_streams_are_in_redis_under_the_prefix() {
    let prefix = testkit::unique_prefix();
    let redis = platform::infra::RedisSettings {
        url: Some(testkit::redis_url()),
        prefix: prefix.clone(),
        ..Default::default()
    };
    let infra = platform::Infra::cluster(&Default::default(), &redis, &Default::default());
    let stream = infra.streams().await.unwrap();
    append(&stream, &["a"]).await;
    let mut admin = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    let names = [
        format!("{prefix}:rated"),
        format!("{prefix}:stream:appended:rated:a"),
    ];
    let exists: u64 = ::redis::cmd("EXISTS")
        .arg(&names)
        .query_async(&mut admin)
        .await
        .unwrap();
    assert_eq!(exists, 2, "{names:?}");
}
