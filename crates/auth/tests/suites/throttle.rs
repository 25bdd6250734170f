//! The `LoginThrottle` contract, run against the in-process and the Redis implementation.

use std::sync::Arc;
use std::time::Duration;

use auth::throttle::Limit;
use auth::{LoginThrottle, MemoryThrottle, RedisThrottle};

async fn memory(window: Duration) -> Arc<dyn LoginThrottle> {
    Arc::new(MemoryThrottle::new(window))
}

async fn redis(window: Duration) -> Arc<dyn LoginThrottle> {
    let conn = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    Arc::new(RedisThrottle::new(conn, testkit::unique_prefix(), window))
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $case() {
                super::$case(|w| Box::pin(super::memory(w))).await;
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $case() {
                super::$case(|w| Box::pin(super::redis(w))).await;
            })*
        }
    };
}

type Make =
    fn(Duration) -> std::pin::Pin<Box<dyn std::future::Future<Output = Arc<dyn LoginThrottle>>>>;

suite!(
    blocks_once_the_limit_is_reached,
    counters_are_independent_and_any_full_one_blocks,
    clearing_a_counter_unblocks_it,
    a_counter_resets_when_its_window_ends,
    separate_instances_do_not_share_counters,
);

fn limit(key: &str, max: u32) -> Limit {
    Limit {
        key: key.into(),
        max_failures: max,
    }
}

async fn blocks_once_the_limit_is_reached(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let limits = [limit("user:a", 3)];
    for _ in 0..2 {
        throttle.record_failure(&limits).await.unwrap();
        assert_eq!(throttle.blocked_for(&limits).await.unwrap(), None);
    }
    throttle.record_failure(&limits).await.unwrap();
    let wait = throttle
        .blocked_for(&limits)
        .await
        .unwrap()
        .expect("blocked");
    assert!((1..=600).contains(&wait), "retry after {wait}");
}

async fn counters_are_independent_and_any_full_one_blocks(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let account = limit("user:b", 2);
    let address = limit("addr:10.0.0.1", 5);
    throttle
        .record_failure(&[account.clone(), address.clone()])
        .await
        .unwrap();
    throttle
        .record_failure(&[account.clone(), address.clone()])
        .await
        .unwrap();
    assert!(
        throttle
            .blocked_for(std::slice::from_ref(&account))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        throttle
            .blocked_for(std::slice::from_ref(&address))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        throttle
            .blocked_for(&[address, account])
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        throttle
            .blocked_for(&[limit("user:c", 2)])
            .await
            .unwrap()
            .is_none()
    );
    assert!(throttle.blocked_for(&[]).await.unwrap().is_none());
}

async fn clearing_a_counter_unblocks_it(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let limits = [limit("user:d", 1)];
    throttle.record_failure(&limits).await.unwrap();
    assert!(throttle.blocked_for(&limits).await.unwrap().is_some());
    throttle.clear("user:d").await.unwrap();
    assert!(throttle.blocked_for(&limits).await.unwrap().is_none());
}

async fn a_counter_resets_when_its_window_ends(make: Make) {
    let throttle = make(Duration::from_millis(300)).await;
    let limits = [limit("user:e", 1)];
    throttle.record_failure(&limits).await.unwrap();
    assert!(throttle.blocked_for(&limits).await.unwrap().is_some());
    testkit::wait_until(Duration::from_secs(5), "the window to end", || {
        let throttle = throttle.clone();
        let limits = limits.clone();
        async move { throttle.blocked_for(&limits).await.unwrap().is_none() }
    })
    .await;
}

async fn separate_instances_do_not_share_counters(make: Make) {
    let first = make(Duration::from_secs(600)).await;
    let second = make(Duration::from_secs(600)).await;
    let limits = [limit("user:f", 1)];
    first.record_failure(&limits).await.unwrap();
    assert!(first.blocked_for(&limits).await.unwrap().is_some());
    assert!(second.blocked_for(&limits).await.unwrap().is_none());
}
