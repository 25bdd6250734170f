//! The `MessageBroker` contract, run against the in-process broker, the SQLite one and
//! RabbitMQ: the semantics services rely on (durable subscriptions, settling,
//! dead-lettering, routing). Then what only SQLite's shows: messages, bindings and
//! deliveries in flight surviving a restart. Execution's own queue is tested on top of
//! all three in `crates/execution/tests`.

use std::sync::Arc;
use std::time::Duration;

use platform::messaging::{
    AmqpBroker, Delivery, ExchangeKind, MemoryBroker, MessageBroker, Outgoing, Queue, QueueError,
    SqliteBroker, Topology,
};
use testkit::TestDatabase;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

async fn memory() -> (Option<TestDatabase>, Arc<dyn MessageBroker>) {
    (None, Arc::new(MemoryBroker::new()))
}

async fn sqlite() -> (Option<TestDatabase>, Arc<dyn MessageBroker>) {
    let database = TestDatabase::sqlite();
    let broker = sqlite_broker(&database).await;
    (Some(database), Arc::new(broker))
}

async fn sqlite_broker(database: &TestDatabase) -> SqliteBroker {
    let pool = platform::db::connect_sqlite(database.path()).await.unwrap();
    SqliteBroker::new(pool).await.unwrap()
}

async fn rabbit() -> (Option<TestDatabase>, Arc<dyn MessageBroker>) {
    let broker = AmqpBroker::connect(&testkit::amqp_url(), &testkit::unique_prefix())
        .await
        .unwrap();
    (None, Arc::new(broker))
}

testkit::suite_with_guard!(
    memory => memory().await,
    sqlite => sqlite().await,
    rabbit => rabbit().await;
    a_subscription_keeps_messages_while_its_subscriber_is_away,
    an_unsettled_message_comes_back_to_the_subscription,
    every_subscriber_and_watcher_gets_every_message,
    a_mandatory_message_no_queue_takes_is_refused,
    dead_lettered_messages_reach_the_dead_letter_exchange,
    publishing_to_an_undeclared_exchange_fails,
);

async fn next(rx: &mut mpsc::Receiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a delivery within 10 s")
        .expect("the stream is open")
}

async fn nothing_within(rx: &mut mpsc::Receiver<Delivery>, wait: Duration) -> bool {
    tokio::time::timeout(wait, rx.recv()).await.is_err()
}

async fn publish(broker: &Arc<dyn MessageBroker>, exchange: &str, text: &str) {
    broker
        .publish(exchange, "", Outgoing::new(text.as_bytes(), text))
        .await
        .unwrap();
}

async fn depth_becomes(broker: &Arc<dyn MessageBroker>, queue: &str, expected: u64) {
    testkit::wait_until(Duration::from_secs(10), "the queue depth", || async {
        broker.depth(queue).await.unwrap() == expected
    })
    .await;
}

async fn a_subscription_keeps_messages_while_its_subscriber_is_away(
    broker: Arc<dyn MessageBroker>,
) {
    let away = CancellationToken::new();
    let first = broker
        .subscribe("events", "events.keeper", 4, away.clone())
        .await
        .unwrap();
    // The subscriber goes away.
    drop(first);
    away.cancel();
    for text in ["one", "two", "three"] {
        publish(&broker, "events", text).await;
    }
    depth_becomes(&broker, "events.keeper", 3).await;

    let back = CancellationToken::new();
    let mut rx = broker
        .subscribe("events", "events.keeper", 4, back.clone())
        .await
        .unwrap();
    for expected in ["one", "two", "three"] {
        let delivery = next(&mut rx).await;
        assert_eq!(delivery.payload, expected.as_bytes());
        delivery.ack.ack().await.unwrap();
    }
    depth_becomes(&broker, "events.keeper", 0).await;
    back.cancel();
}

async fn an_unsettled_message_comes_back_to_the_subscription(broker: Arc<dyn MessageBroker>) {
    let stop = CancellationToken::new();
    let mut rx = broker
        .subscribe("events", "events.careful", 1, stop.clone())
        .await
        .unwrap();
    publish(&broker, "events", "fragile").await;
    let delivery = next(&mut rx).await;
    assert!(!delivery.redelivered);
    // The handler failed: the message is not lost.
    delivery.ack.retry().await.unwrap();
    let again = next(&mut rx).await;
    assert_eq!(again.payload, b"fragile");
    assert!(again.redelivered);
    // Dropped unsettled (a task died): back again.
    drop(again);
    let third = next(&mut rx).await;
    assert_eq!(third.payload, b"fragile");
    third.ack.ack().await.unwrap();
    assert!(nothing_within(&mut rx, Duration::from_millis(300)).await);
    stop.cancel();
}

async fn every_subscriber_and_watcher_gets_every_message(broker: Arc<dyn MessageBroker>) {
    let stop = CancellationToken::new();
    let mut a = broker
        .subscribe("events", "events.a", 4, stop.clone())
        .await
        .unwrap();
    let mut b = broker
        .subscribe("events", "events.b", 4, stop.clone())
        .await
        .unwrap();
    let mut watcher = broker.watch("events").await.unwrap();
    publish(&broker, "events", "news").await;
    for rx in [&mut a, &mut b] {
        let delivery = next(rx).await;
        assert_eq!(delivery.payload, b"news");
        delivery.ack.ack().await.unwrap();
    }
    let watched = tokio::time::timeout(Duration::from_secs(10), watcher.recv())
        .await
        .unwrap();
    assert_eq!(watched.as_deref(), Some(&b"news"[..]));
    stop.cancel();
}

async fn a_mandatory_message_no_queue_takes_is_refused(broker: Arc<dyn MessageBroker>) {
    let topology = Topology::default().exchange("lonely", ExchangeKind::Direct);
    broker.declare(&topology).await.unwrap();
    let message = Outgoing {
        mandatory: true,
        ..Outgoing::new(b"lost?", "m1")
    };
    let refused = broker.publish("lonely", "key", message).await;
    assert!(
        matches!(refused, Err(QueueError::Unroutable(_))),
        "{refused:?}"
    );
    // Without `mandatory`, nobody listening is fine.
    broker
        .publish("lonely", "key", Outgoing::new(b"ok", "m2"))
        .await
        .unwrap();
}

async fn dead_lettered_messages_reach_the_dead_letter_exchange(broker: Arc<dyn MessageBroker>) {
    let topology = Topology::default()
        .exchange("graveyard", ExchangeKind::Fanout)
        .queue(Queue {
            name: "graveyard".into(),
            ..Queue::default()
        })
        .bind("graveyard", "graveyard", "")
        .exchange("work", ExchangeKind::Direct)
        .queue(Queue {
            name: "work".into(),
            max_priority: None,
            dead_letter_exchange: Some("graveyard".into()),
        })
        .bind("work", "work", "task");
    broker.declare(&topology).await.unwrap();
    broker
        .publish("work", "task", Outgoing::new(b"hopeless", "t1"))
        .await
        .unwrap();
    let stop = CancellationToken::new();
    let mut rx = broker.consume("work", 1, stop.clone());
    next(&mut rx).await.ack.dead_letter().await.unwrap();
    depth_becomes(&broker, "graveyard", 1).await;
    depth_becomes(&broker, "work", 0).await;
    let mut dead = broker.consume("graveyard", 1, stop.clone());
    assert_eq!(next(&mut dead).await.payload, b"hopeless");
    stop.cancel();
}

async fn publishing_to_an_undeclared_exchange_fails(broker: Arc<dyn MessageBroker>) {
    let result = broker
        .publish("nowhere", "", Outgoing::new(b"?", "x"))
        .await;
    assert!(result.is_err(), "{result:?}");
    // The broker is still usable afterwards.
    broker.ping().await.unwrap();
}

/// A work queue bound to a direct exchange, for the restart tests.
fn work_topology() -> Topology {
    Topology::default()
        .exchange("work", ExchangeKind::Direct)
        .queue(Queue {
            name: "work".into(),
            max_priority: Some(5),
            dead_letter_exchange: None,
        })
        .bind("work", "work", "task")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_keeps_queued_messages_and_bindings_across_a_restart() {
    let database = TestDatabase::sqlite();
    let before: Arc<dyn MessageBroker> = Arc::new(sqlite_broker(&database).await);
    before.declare(&work_topology()).await.unwrap();
    for (text, priority) in [("low", 1), ("high", 5)] {
        let message = Outgoing {
            priority,
            mandatory: true,
            ..Outgoing::new(text.as_bytes(), text)
        };
        before.publish("work", "task", message).await.unwrap();
    }
    drop(before);

    let after: Arc<dyn MessageBroker> = Arc::new(sqlite_broker(&database).await);
    // Bound before anyone declares again: a publish right after a restart is not lost.
    let message = Outgoing {
        mandatory: true,
        ..Outgoing::new(b"later", "later")
    };
    after.publish("work", "task", message).await.unwrap();
    assert_eq!(after.depth("work").await.unwrap(), 3);
    let stop = CancellationToken::new();
    let mut rx = after.consume("work", 1, stop.clone());
    for expected in ["high", "low", "later"] {
        let delivery = next(&mut rx).await;
        assert_eq!(delivery.payload, expected.as_bytes());
        assert!(!delivery.redelivered);
        delivery.ack.ack().await.unwrap();
    }
    depth_becomes(&after, "work", 0).await;
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_redelivers_what_a_dead_process_held_unsettled() {
    let database = TestDatabase::sqlite();
    let before: Arc<dyn MessageBroker> = Arc::new(sqlite_broker(&database).await);
    before.declare(&work_topology()).await.unwrap();
    for text in ["taken", "waiting"] {
        before
            .publish("work", "task", Outgoing::new(text.as_bytes(), text))
            .await
            .unwrap();
    }
    let stop = CancellationToken::new();
    let mut rx = before.consume("work", 1, stop.clone());
    let held = next(&mut rx).await;
    assert_eq!(held.payload, b"taken");
    // The process dies holding it: nothing settles it, nothing puts it back.
    std::mem::forget(held);
    stop.cancel();
    drop(rx);

    let after: Arc<dyn MessageBroker> = Arc::new(sqlite_broker(&database).await);
    depth_becomes(&after, "work", 2).await;
    let stop = CancellationToken::new();
    let mut rx = after.consume("work", 2, stop.clone());
    let again = next(&mut rx).await;
    assert_eq!(again.payload, b"taken", "it keeps its place");
    assert!(again.redelivered);
    let waiting = next(&mut rx).await;
    assert_eq!(waiting.payload, b"waiting");
    assert!(!waiting.redelivered);
    again.ack.ack().await.unwrap();
    waiting.ack.ack().await.unwrap();
    depth_becomes(&after, "work", 0).await;
    assert!(nothing_within(&mut rx, Duration::from_millis(300)).await);
    stop.cancel();
}
