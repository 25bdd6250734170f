//! The in-process fan-out table both buses share: one bounded `broadcast` channel per
//! channel name (mini-redis's pub/sub). The memory bus publishes into it directly; the Redis
//! bus feeds it from its one subscriber connection, so local subscribers of a channel share
//! one Redis subscription.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::broadcast;

/// What travels through a channel's buffer. The payload is shared, not copied per
/// subscriber, until a subscriber takes it.
#[derive(Debug, Clone)]
pub(super) enum Signal {
    Message(Arc<[u8]>),
    Missed,
}

pub(super) struct Topics {
    channels: Mutex<HashMap<String, broadcast::Sender<Signal>>>,
    capacity: usize,
}

impl Topics {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            channels: Mutex::new(HashMap::new()),
            // `broadcast::channel` panics on 0.
            capacity: capacity.max(1),
        }
    }

    /// A receiver for `channel`, creating the channel if nobody listened yet.
    pub(super) fn join(&self, channel: &str) -> broadcast::Receiver<Signal> {
        let mut channels = self.lock();
        match channels.get(channel) {
            Some(sender) => sender.subscribe(),
            None => {
                let (sender, receiver) = broadcast::channel(self.capacity);
                channels.insert(channel.to_owned(), sender);
                receiver
            }
        }
    }

    /// Forgets `channel` if its last receiver is gone; `true` if it did.
    pub(super) fn leave(&self, channel: &str) -> bool {
        let mut channels = self.lock();
        let unused = channels
            .get(channel)
            .is_some_and(|sender| sender.receiver_count() == 0);
        if unused {
            channels.remove(channel);
        }
        unused
    }

    /// Hands `payload` to every receiver of `channel` (if any).
    pub(super) fn deliver(&self, channel: &str, payload: &[u8]) {
        if let Some(sender) = self.lock().get(channel) {
            // An error only means every receiver left in the meantime.
            let _ = sender.send(Signal::Message(Arc::from(payload)));
        }
    }

    /// Tells every receiver of every channel that messages may have been lost.
    pub(super) fn missed_everywhere(&self) {
        for sender in self.lock().values() {
            let _ = sender.send(Signal::Missed);
        }
    }

    pub(super) fn contains(&self, channel: &str) -> bool {
        self.lock().contains_key(channel)
    }

    pub(super) fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, broadcast::Sender<Signal>>> {
        // No code path panics while holding the lock; the map is valid either way.
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_lives_while_someone_listens() {
        let topics = Topics::new(4);
        let first = topics.join("a");
        let second = topics.join("a");
        assert!(!topics.leave("a"), "two receivers still listen");
        drop(first);
        assert!(!topics.leave("a"), "one receiver still listens");
        drop(second);
        assert!(topics.leave("a"));
        assert!(!topics.contains("a"));
        assert!(!topics.leave("a"), "already gone");
    }

    #[tokio::test]
    async fn missed_reaches_every_channel_after_earlier_messages() {
        let topics = Topics::new(4);
        let mut a = topics.join("a");
        let mut b = topics.join("b");
        topics.deliver("a", b"1");
        topics.missed_everywhere();
        assert!(matches!(a.recv().await, Ok(Signal::Message(p)) if &*p == b"1"));
        assert!(matches!(a.recv().await, Ok(Signal::Missed)));
        assert!(matches!(b.recv().await, Ok(Signal::Missed)));
    }
}
