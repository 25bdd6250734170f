//! The `BlobStore` contract, in memory and on Redis.

use std::sync::Arc;

use platform::blobs::{BlobStore, MemoryBlobs, RedisBlobs};

async fn memory(namespace: &str) -> Arc<dyn BlobStore> {
    Arc::new(MemoryBlobs::default().namespace(namespace))
}

async fn redis(namespace: &str) -> Arc<dyn BlobStore> {
    let connection = platform::redis::connect(&testkit::redis_url())
        .await
        .unwrap();
    Arc::new(RedisBlobs::new(
        connection,
        &testkit::unique_prefix(),
        namespace,
    ))
}

testkit::suite!(
    memory => memory("packages").await,
    redis => redis("packages").await;
    blobs_are_stored_by_key,
);

async fn blobs_are_stored_by_key(store: Arc<dyn BlobStore>) {
    let key = "ab".repeat(32);
    assert!(store.get(&key).await.unwrap().is_none());
    let bytes: Vec<u8> = (0..=255).cycle().take(100_000).collect();
    store.put(&key, &bytes).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(bytes.clone()));
    // Putting the same blob again is harmless.
    store.put(&key, &bytes).await.unwrap();
    assert_eq!(store.get(&key).await.unwrap(), Some(bytes));
}

#[tokio::test]
async fn namespaces_are_apart_in_memory() {
    let shared = MemoryBlobs::default();
    let a = shared.namespace("a");
    let b = shared.namespace("b");
    a.put("k", b"in a").await.unwrap();
    assert!(b.get("k").await.unwrap().is_none());
    assert_eq!(
        shared.namespace("a").get("k").await.unwrap().unwrap(),
        b"in a"
    );
}
