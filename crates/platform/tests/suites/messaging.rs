//! The `MessageBroker` contract, run against the in-process broker and RabbitMQ: the
//! semantics services rely on (durable subscriptions, settling, dead-lettering, routing).
//! Execution's own queue is tested on top of both in `crates/execution/tests`.

use std::sync::Arc;
use std::time::Duration;

use platform::messaging::{
    AmqpBroker, Delivery, ExchangeKind, MemoryBroker, MessageBroker, Outgoing, Queue, QueueError,
    Topology,
};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

async fn memory() -> Arc<dyn MessageBroker> {
    Arc::new(MemoryBroker::new())
}

async fn rabbit() -> Arc<dyn MessageBroker> {
    let broker = AmqpBroker::connect(&testkit::amqp_url(), &testkit::unique_prefix())
        .await
        .unwrap();
    Arc::new(broker)
}

testkit::suite!(
    memory => memory().await,
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
