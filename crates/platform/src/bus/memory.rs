//! The in-process [`EventBus`] for embedded mode: every service lives in one process, so a
//! fan-out table is the whole bus. No prefix: nothing else shares it.

use std::sync::Arc;

use super::topics::Topics;
use super::{BusError, DEFAULT_CAPACITY, EventBus, Owner, Subscription};

#[derive(Clone)]
pub struct MemoryBus {
    topics: Arc<Topics>,
}

impl MemoryBus {
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A bus whose channels keep at most `capacity` undelivered messages per subscriber.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            topics: Arc::new(Topics::new(capacity)),
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
