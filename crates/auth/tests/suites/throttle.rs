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

type Make =
    fn(Duration) -> std::pin::Pin<Box<dyn std::future::Future<Output = Arc<dyn LoginThrottle>>>>;

testkit::suite!(
    memory => |w| Box::pin(memory(w)),
    redis => |w| Box::pin(redis(w));
    refuses_attempts_past_the_limit,
    parallel_attempts_cannot_overshoot_the_limit,
    counters_are_independent_and_any_full_one_refuses,
    clearing_and_forgiving_give_attempts_back,
    a_counter_resets_when_its_window_ends,
    separate_instances_do_not_share_counters,
);

fn limit(key: &str, max: u32) -> Limit {
    Limit {
        key: key.into(),
        max_failures: max,
    }
}

async fn refuses_attempts_past_the_limit(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let limits = [limit("user:a", 3)];
    for _ in 0..3 {
        assert_eq!(throttle.attempt(&limits).await.unwrap(), None);
    }
    let wait = throttle.attempt(&limits).await.unwrap().expect("refused");
    assert!((1..=600).contains(&wait), "retry after {wait}");
    assert!(
        throttle.attempt(&limits).await.unwrap().is_some(),
        "still refused"
    );
}

async fn parallel_attempts_cannot_overshoot_the_limit(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let attempts: Vec<_> = (0..40)
        .map(|_| {
            let throttle = throttle.clone();
            tokio::spawn(async move { throttle.attempt(&[limit("user:par", 5)]).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for attempt in attempts {
        if attempt.await.unwrap().is_none() {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5);
}

async fn counters_are_independent_and_any_full_one_refuses(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let account = limit("user:b", 2);
    let address = limit("addr:10.0.0.1", 5);
    for _ in 0..2 {
        let both = [account.clone(), address.clone()];
        assert!(throttle.attempt(&both).await.unwrap().is_none());
    }
    // The account is full; the address (at 3 of 5 after this) is not.
    let both = [account.clone(), address.clone()];
    assert!(throttle.attempt(&both).await.unwrap().is_some());
    assert!(
        throttle
            .attempt(std::slice::from_ref(&address))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        throttle
            .attempt(&[limit("user:c", 2)])
            .await
            .unwrap()
            .is_none()
    );
    assert!(throttle.attempt(&[]).await.unwrap().is_none());
}

async fn clearing_and_forgiving_give_attempts_back(make: Make) {
    let throttle = make(Duration::from_secs(600)).await;
    let limits = [limit("user:d", 1)];
    assert!(throttle.attempt(&limits).await.unwrap().is_none());
    assert!(throttle.attempt(&limits).await.unwrap().is_some());
    throttle.clear("user:d").await.unwrap();
    assert!(throttle.attempt(&limits).await.unwrap().is_none());
    throttle.forgive("user:d").await.unwrap();
    assert!(
        throttle.attempt(&limits).await.unwrap().is_none(),
        "the forgiven attempt is back"
    );
    // Forgiving a counter that does not exist creates nothing.
    throttle.forgive("user:none").await.unwrap();
    assert!(
        throttle
            .attempt(&[limit("user:none", 1)])
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_counter_resets_when_its_window_ends(make: Make) {
    let throttle = make(Duration::from_millis(300)).await;
    let limits = [limit("user:e", 1)];
    assert!(throttle.attempt(&limits).await.unwrap().is_none());
    assert!(throttle.attempt(&limits).await.unwrap().is_some());
    testkit::wait_until(Duration::from_secs(5), "the window to end", || {
        let throttle = throttle.clone();
        async move {
            // Once the window is over the first attempt of a new one is allowed.
            throttle
                .attempt(&[limit("user:e", 1)])
                .await
                .unwrap()
                .is_none()
        }
    })
    .await;
}

async fn separate_instances_do_not_share_counters(make: Make) {
    let first = make(Duration::from_secs(600)).await;
    let second = make(Duration::from_secs(600)).await;
    let limits = [limit("user:f", 1)];
    first.attempt(&limits).await.unwrap();
    assert!(first.attempt(&limits).await.unwrap().is_some());
    assert!(second.attempt(&limits).await.unwrap().is_none());
}
