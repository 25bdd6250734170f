//! The `EventBus` contract, in memory and on Redis; then what only Redis can do to a
//! subscriber: go away and come back.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use platform::bus::{BusError, BusEvent, EventBus, MemoryBus, RedisBus, Subscription};
use testkit::{TcpProxy, wait_until};

/// Per channel and subscriber: small, so that overflowing it is quick.
const CAPACITY: usize = 16;
/// How long any single event may take to arrive.
const DEADLINE: Duration = Duration::from_secs(15);

async fn memory() -> Arc<dyn EventBus> {
    Arc::new(MemoryBus::with_capacity(CAPACITY))
}

async fn redis() -> Arc<dyn EventBus> {
    Arc::new(redis_bus(&testkit::unique_prefix(), &testkit::redis_url()).await)
}

/// A bus that publishes straight to Redis and subscribes through `subscribe_url`.
async fn redis_bus(prefix: &str, subscribe_url: &str) -> RedisBus {
    let publisher = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    let client = ::redis::Client::open(subscribe_url).unwrap();
    RedisBus::new(publisher, client, prefix).with_capacity(CAPACITY)
}

type Make = fn() -> Pin<Box<dyn Future<Output = Arc<dyn EventBus>> + Send>>;

testkit::suite!(
    memory => || Box::pin(memory()),
    redis => || Box::pin(redis());
    a_message_reaches_every_subscriber_of_its_channel_and_no_other,
    messages_from_one_publisher_keep_their_order,
    publishing_without_subscribers_is_fine_and_not_replayed,
    buses_with_different_prefixes_do_not_see_each_other,
    a_dropped_subscription_leaves_the_others_and_the_channel_working,
    a_slow_subscriber_is_told_it_missed_messages_and_keeps_receiving,
    publish_once_publishes_a_key_once,
    publish_once_publishes_each_key,
    publish_once_from_concurrent_callers_publishes_once,
);

async fn next(subscription: &mut Subscription) -> BusEvent {
    tokio::time::timeout(DEADLINE, subscription.recv())
        .await
        .unwrap_or_else(|_| panic!("no event within {DEADLINE:?}"))
        .expect("the subscription is open")
}

fn message(payload: &str) -> BusEvent {
    BusEvent::Message(payload.as_bytes().to_vec())
}

async fn a_message_reaches_every_subscriber_of_its_channel_and_no_other(make: Make) {
    let bus = make().await;
    let mut first = bus.subscribe("battle:1").await.unwrap();
    let mut second = bus.subscribe("battle:1").await.unwrap();
    let mut other = bus.subscribe("battle:2").await.unwrap();

    bus.publish("battle:1", b"hello").await.unwrap();
    assert_eq!(next(&mut first).await, message("hello"));
    assert_eq!(next(&mut second).await, message("hello"));

    // Anything that had leaked to the other channel would arrive before this.
    bus.publish("battle:2", b"two").await.unwrap();
    assert_eq!(next(&mut other).await, message("two"));
    bus.publish("battle:1", b"three").await.unwrap();
    assert_eq!(next(&mut first).await, message("three"));
    assert_eq!(next(&mut second).await, message("three"));
}

async fn messages_from_one_publisher_keep_their_order(make: Make) {
    let bus = make().await;
    let mut subscription = bus.subscribe("battle:order").await.unwrap();
    // In batches that fit the buffer, so that nothing is dropped and any loss is a failure.
    for batch in 0..10 {
        let sent: Vec<String> = (0..CAPACITY / 2).map(|i| format!("{batch}.{i}")).collect();
        for payload in &sent {
            bus.publish("battle:order", payload.as_bytes())
                .await
                .unwrap();
        }
        for expected in &sent {
            assert_eq!(&next(&mut subscription).await, &message(expected));
        }
    }
}

async fn publishing_without_subscribers_is_fine_and_not_replayed(make: Make) {
    let bus = make().await;
    bus.publish("battle:empty", b"nobody hears this")
        .await
        .unwrap();
    let mut subscription = bus.subscribe("battle:empty").await.unwrap();
    bus.publish("battle:empty", b"later").await.unwrap();
    assert_eq!(next(&mut subscription).await, message("later"));
}

async fn buses_with_different_prefixes_do_not_see_each_other(make: Make) {
    let (a, b) = (make().await, make().await);
    let mut on_a = a.subscribe("battle:shared").await.unwrap();
    let mut on_b = b.subscribe("battle:shared").await.unwrap();
    a.publish("battle:shared", b"from a").await.unwrap();
    b.publish("battle:shared", b"from b").await.unwrap();
    a.publish("battle:shared", b"again from a").await.unwrap();
    assert_eq!(next(&mut on_a).await, message("from a"));
    assert_eq!(next(&mut on_a).await, message("again from a"));
    assert_eq!(next(&mut on_b).await, message("from b"));
}

async fn a_dropped_subscription_leaves_the_others_and_the_channel_working(make: Make) {
    let bus = make().await;
    let dropped = bus.subscribe("battle:drop").await.unwrap();
    let mut kept = bus.subscribe("battle:drop").await.unwrap();
    drop(dropped);
    bus.publish("battle:drop", b"after one left").await.unwrap();
    assert_eq!(next(&mut kept).await, message("after one left"));

    // The last one leaving closes the channel; joining it again opens it again.
    drop(kept);
    let mut again = bus.subscribe("battle:drop").await.unwrap();
    bus.publish("battle:drop", b"after all left").await.unwrap();
    assert_eq!(next(&mut again).await, message("after all left"));
}

async fn a_slow_subscriber_is_told_it_missed_messages_and_keeps_receiving(make: Make) {
    let bus = make().await;
    let mut slow = bus.subscribe("battle:slow").await.unwrap();
    let mut witness = bus.subscribe("battle:slow").await.unwrap();
    let total = CAPACITY * 4;
    for i in 0..total {
        bus.publish("battle:slow", i.to_string().as_bytes())
            .await
            .unwrap();
    }
    bus.publish("battle:slow", b"last").await.unwrap();
    // Once the witness has seen "last", everything is in the slow subscriber's buffer too.
    while next(&mut witness).await != message("last") {}

    assert_eq!(next(&mut slow).await, BusEvent::Missed);
    let mut tail = Vec::new();
    loop {
        match next(&mut slow).await {
            BusEvent::Message(payload) if payload == b"last" => break,
            BusEvent::Message(payload) => {
                tail.push(
                    String::from_utf8(payload)
                        .unwrap()
                        .parse::<usize>()
                        .unwrap(),
                );
            }
            BusEvent::Missed => panic!("one gap, reported once"),
        }
    }
    assert!(tail.len() < total, "some messages were dropped: {tail:?}");
    assert!(
        tail.windows(2).all(|w| w[1] == w[0] + 1) && tail.last() == Some(&(total - 1)),
        "what is left is the newest messages in order: {tail:?}"
    );
    bus.publish("battle:slow", b"after").await.unwrap();
    assert_eq!(next(&mut slow).await, message("after"));
}

async fn publish_once_publishes_a_key_once(make: Make) {
    let bus = make().await;
    let mut subscription = bus.subscribe("battle:once").await.unwrap();
    assert!(
        bus.publish_once("battle:once", "battle:1:7", b"first")
            .await
            .unwrap()
    );
    assert!(
        !bus.publish_once("battle:once", "battle:1:7", b"again")
            .await
            .unwrap(),
        "the same key is not published twice"
    );
    // Had "again" been published, it would arrive before this.
    bus.publish("battle:once", b"marker").await.unwrap();
    assert_eq!(next(&mut subscription).await, message("first"));
    assert_eq!(next(&mut subscription).await, message("marker"));
}

async fn publish_once_publishes_each_key(make: Make) {
    let bus = make().await;
    let mut subscription = bus.subscribe("battle:keys").await.unwrap();
    assert!(bus.publish_once("battle:keys", "a", b"a").await.unwrap());
    assert!(bus.publish_once("battle:keys", "b", b"b").await.unwrap());
    assert_eq!(next(&mut subscription).await, message("a"));
    assert_eq!(next(&mut subscription).await, message("b"));
}

async fn publish_once_from_concurrent_callers_publishes_once(make: Make) {
    let bus = make().await;
    let mut subscription = bus.subscribe("battle:race").await.unwrap();
    let callers: Vec<_> = (0..10)
        .map(|i| {
            let bus = bus.clone();
            tokio::spawn(async move {
                bus.publish_once("battle:race", "battle:2:1", format!("from {i}").as_bytes())
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut published = 0;
    for caller in callers {
        published += usize::from(caller.await.unwrap());
    }
    assert_eq!(published, 1, "exactly one caller published");

    bus.publish("battle:race", b"marker").await.unwrap();
    assert!(
        matches!(next(&mut subscription).await, BusEvent::Message(p) if p.starts_with(b"from "))
    );
    assert_eq!(
        next(&mut subscription).await,
        message("marker"),
        "exactly one delivery"
    );
}

// Redis only: the subscriber connection goes through a proxy that a test can cut.

/// `host:port` of the test Redis, for the proxy.
fn redis_address() -> String {
    let client = ::redis::Client::open(testkit::redis_url()).unwrap();
    match client.get_connection_info().addr() {
        ::redis::ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
        other => panic!("the proxy needs a plain TCP Redis, not {other:?}"),
    }
}

/// How many connections Redis has subscribed to `channel` (already prefixed).
async fn subscribers_on_redis(channel: &str) -> i64 {
    let mut connection = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    let (_, count): (String, i64) = ::redis::cmd("PUBSUB")
        .arg("NUMSUB")
        .arg(channel)
        .query_async(&mut connection)
        .await
        .unwrap();
    count
}

async fn redis_subscribers_become(channel: &str, expected: i64) {
    wait_until(
        DEADLINE,
        &format!("{expected} Redis subscriber(s) of {channel}"),
        || async { subscribers_on_redis(channel).await == expected },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_subscription_reports_missed_after_an_outage_then_receives_again() {
    let proxy = TcpProxy::start(&redis_address()).await;
    let prefix = testkit::unique_prefix();
    let bus = redis_bus(&prefix, &format!("redis://{}", proxy.addr())).await;
    let channel = format!("{prefix}:battle:outage");
    let mut subscription = bus.subscribe("battle:outage").await.unwrap();
    bus.publish("battle:outage", b"before").await.unwrap();
    assert_eq!(next(&mut subscription).await, message("before"));

    proxy.cut();
    redis_subscribers_become(&channel, 0).await;
    // Published while the subscriber is away: lost to pub/sub, so it must hear of a gap.
    bus.publish("battle:outage", b"during").await.unwrap();
    proxy.restore();

    assert_eq!(next(&mut subscription).await, BusEvent::Missed);
    // `Missed` comes after the resubscription: what is published now arrives.
    bus.publish("battle:outage", b"after").await.unwrap();
    assert_eq!(next(&mut subscription).await, message("after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_subscribe_fails_while_unreachable_and_works_once_back() {
    let proxy = TcpProxy::start(&redis_address()).await;
    let prefix = testkit::unique_prefix();
    let bus = redis_bus(&prefix, &format!("redis://{}", proxy.addr())).await;
    proxy.cut();
    let refused = tokio::time::timeout(DEADLINE, bus.subscribe("battle:down"))
        .await
        .expect("subscribe gives up instead of hanging");
    assert!(
        matches!(refused, Err(BusError::NotConfirmed(_))),
        "not confirmed while Redis is unreachable"
    );

    proxy.restore();
    let mut subscription = bus.subscribe("battle:down").await.unwrap();
    bus.publish("battle:down", b"back").await.unwrap();
    assert_eq!(next(&mut subscription).await, message("back"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_channel_is_unsubscribed_when_its_last_local_subscriber_leaves() {
    let prefix = testkit::unique_prefix();
    let bus = redis_bus(&prefix, &testkit::redis_url()).await;
    let channel = format!("{prefix}:battle:leave");
    let first = bus.subscribe("battle:leave").await.unwrap();
    let second = bus.subscribe("battle:leave").await.unwrap();
    // Local subscribers share the bus's one Redis subscription.
    assert_eq!(subscribers_on_redis(&channel).await, 1);
    drop(first);
    drop(second);
    redis_subscribers_become(&channel, 0).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_every_replica_receives_what_any_process_publishes() {
    let prefix = testkit::unique_prefix();
    let url = testkit::redis_url();
    let (replica_a, replica_b) = (
        redis_bus(&prefix, &url).await,
        redis_bus(&prefix, &url).await,
    );
    let publisher = redis_bus(&prefix, &url).await;
    let mut on_a = replica_a.subscribe("battle:fanout").await.unwrap();
    let mut on_b = replica_b.subscribe("battle:fanout").await.unwrap();
    publisher
        .publish("battle:fanout", b"to everyone")
        .await
        .unwrap();
    assert_eq!(next(&mut on_a).await, message("to everyone"));
    assert_eq!(next(&mut on_b).await, message("to everyone"));
}
