//! The in-process [`EventBus`] for embedded mode: every service lives in one process, so a
//! fan-out table is the whole bus. No prefix: nothing else shares it.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::topics::Topics;
use super::{
    BusError, DEFAULT_CAPACITY, EventBus, ONCE_CAPACITY, ONCE_WINDOW, Owner, Subscription,
};

#[derive(Clone)]
pub struct MemoryBus {
    topics: Arc<Topics>,
    once: Arc<Mutex<RecentKeys>>,
}

impl MemoryBus {
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A bus whose channels keep at most `capacity` undelivered messages per subscriber.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            topics: Arc::new(Topics::new(capacity)),
            once: Arc::new(Mutex::new(RecentKeys::new(ONCE_WINDOW, ONCE_CAPACITY))),
        }
    }
}

impl Default for MemoryBus {
    fn default() -> Self {
        Self::new()
    }
}

impl Owner for Topics {
    fn leave(&self, channel: &str) {
        Topics::leave(self, channel);
    }
}

#[async_trait::async_trait]
impl EventBus for MemoryBus {
    #[tracing::instrument(skip(self, payload), fields(bytes = payload.len()))]
    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<(), BusError> {
        self.topics.deliver(channel, payload);
        Ok(())
    }

    #[tracing::instrument(skip(self, payload), fields(bytes = payload.len()))]
    async fn publish_once(
        &self,
        channel: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, BusError> {
        let first = {
            let mut once = self.once.lock().unwrap_or_else(|p| p.into_inner());
            once.insert(key, Instant::now())
        };
        // Nothing can fail between the check and the delivery, and a crash takes the whole
        // bus with it: together they are one step.
        if first {
            self.topics.deliver(channel, payload);
        }
        Ok(first)
    }

    #[tracing::instrument(skip(self))]
    async fn subscribe(&self, channel: &str) -> Result<Subscription, BusError> {
        let receiver = self.topics.join(channel);
        Ok(Subscription::new(
            receiver,
            channel.to_owned(),
            self.topics.clone(),
        ))
    }
}

/// The keys `publish_once` saw lately: each for `window`, at most `capacity` of them (when
/// full, the oldest is forgotten early).
struct RecentKeys {
    window: Duration,
    capacity: usize,
    keys: HashSet<Arc<str>>,
    /// The same keys by when they were first seen, oldest first.
    by_age: VecDeque<(Instant, Arc<str>)>,
}

impl RecentKeys {
    fn new(window: Duration, capacity: usize) -> Self {
        Self {
            window,
            capacity: capacity.max(1),
            keys: HashSet::new(),
            by_age: VecDeque::new(),
        }
    }

    /// Remembers `key` as seen at `now` (never earlier than a previous call's); `false` if
    /// it was seen within the window.
    fn insert(&mut self, key: &str, now: Instant) -> bool {
        while let Some((seen, _)) = self.by_age.front() {
            if now.duration_since(*seen) < self.window {
                break;
            }
            self.forget_oldest();
        }
        if self.keys.contains(key) {
            return false;
        }
        if self.by_age.len() >= self.capacity {
            self.forget_oldest();
        }
        let key: Arc<str> = Arc::from(key);
        self.keys.insert(key.clone());
        self.by_age.push_back((now, key));
        true
    }

    fn forget_oldest(&mut self) {
        if let Some((_, key)) = self.by_age.pop_front() {
            self.keys.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_remembered_for_the_window_then_forgotten() {
        let start = Instant::now();
        let mut keys = RecentKeys::new(Duration::from_secs(10), 100);
        assert!(keys.insert("a", start));
        assert!(!keys.insert("a", start + Duration::from_secs(9)));
        assert!(keys.insert("a", start + Duration::from_secs(10)));
        assert_eq!(keys.by_age.len(), 1);
    }

    #[test]
    fn at_capacity_the_oldest_key_is_forgotten_first() {
        let start = Instant::now();
        let mut keys = RecentKeys::new(Duration::from_secs(10), 2);
        assert!(keys.insert("a", start));
        assert!(keys.insert("b", start));
        assert!(keys.insert("c", start));
        assert_eq!(keys.keys.len(), 2);
        assert!(!keys.insert("b", start));
        assert!(!keys.insert("c", start));
        assert!(keys.insert("a", start), "the oldest key was forgotten");
    }
}
