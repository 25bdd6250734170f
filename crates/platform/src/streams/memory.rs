//! The in-process [`DurableStream`] for embedded mode: Redis Streams' consumer groups,
//! modelled in one mutex. Entry ids are a counter per stream (1, 2, …). Each group keeps
//! the last id it handed out and its pending entries (consumer, deliveries, when last
//! handed out); a waiting `read` sleeps on the stream's `Notify`, which every append wakes.
//! No prefix: nothing else shares it.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::{APPENDED_KEYS, DurableStream, RETAINED_ACKED, StreamEntry, StreamError};

/// Streams in process memory. Clones share the same streams.
#[derive(Clone)]
pub struct MemoryStream {
    inner: Arc<Inner>,
}

struct Inner {
    streams: Mutex<HashMap<String, Stream>>,
    /// Per stream: how many entries every group has acknowledged are still kept.
    retained_acked: usize,
    /// Per stream: how many `append_once` keys are remembered.
    appended_keys: usize,
}

impl MemoryStream {
    pub fn new() -> Self {
        Self::with_limits(RETAINED_ACKED, APPENDED_KEYS)
    }

    /// Keeps at most `retained_acked` entries that every group has acknowledged, and the
    /// newest `appended_keys` keys, per stream.
    pub fn with_limits(retained_acked: usize, appended_keys: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                streams: Mutex::new(HashMap::new()),
                retained_acked,
                appended_keys: appended_keys.max(1),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Stream>> {
        self.inner
            .streams
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The stream's wake-up for waiting readers (creating the stream if needed).
    fn appended(&self, stream: &str) -> Arc<Notify> {
        self.lock()
            .entry(stream.to_owned())
            .or_default()
            .appended
            .clone()
    }

    /// What `read` returns without waiting.
    fn read_now(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
    ) -> Vec<StreamEntry> {
        let mut streams = self.lock();
        let Stream {
            entries, groups, ..
        } = streams.entry(stream.to_owned()).or_default();
        let group = groups.entry(group.to_owned()).or_default();
        let now = Instant::now();
        let mut read = Vec::new();
        let own = group
            .pending
            .iter_mut()
            .filter(|(_, pending)| pending.consumer == consumer)
            .take(count);
        for (&id, pending) in own {
            pending.deliveries += 1;
            pending.delivered_at = now;
            // Pending entries are never trimmed.
            if let Some(entry) = find(entries, id) {
                read.push(entry.handed_out(pending.deliveries));
            }
        }
        let first_new = entries.partition_point(|entry| entry.id <= group.last_delivered);
        for entry in entries.range(first_new..).take(count - read.len()) {
            group.pending.insert(
                entry.id,
                Pending {
                    consumer: consumer.to_owned(),
                    deliveries: 1,
                    delivered_at: now,
                },
            );
            group.last_delivered = entry.id;
            read.push(entry.handed_out(1));
        }
        read
    }
}

impl Default for MemoryStream {
    fn default() -> Self {
        Self::new()
    }
}

#[derive(Default)]
struct Stream {
    /// Oldest first; ids increase.
    entries: VecDeque<Entry>,
    last_id: u64,
    groups: HashMap<String, Group>,
    /// The keys `append_once` remembers, and the same keys oldest first.
    keys: HashSet<Arc<str>>,
    keys_by_age: VecDeque<Arc<str>>,
    appended: Arc<Notify>,
}

impl Stream {
    /// Drops what every group has acknowledged, beyond the newest `retained` such entries.
    fn trim(&mut self, retained: usize) {
        let Some(keep_from) = self
            .groups
            .values()
            .map(|group| {
                let undelivered = group.last_delivered + 1;
                group
                    .pending
                    .first_key_value()
                    .map_or(undelivered, |(&id, _)| id.min(undelivered))
            })
            .min()
        else {
            // No group yet: whichever comes first must see everything.
            return;
        };
        let acked = self.entries.partition_point(|entry| entry.id < keep_from);
        if acked > retained {
            self.entries.drain(..acked - retained);
        }
    }

    fn remember(&mut self, key: &str, capacity: usize) -> bool {
        if self.keys.contains(key) {
            return false;
        }
        if self.keys_by_age.len() >= capacity
            && let Some(oldest) = self.keys_by_age.pop_front()
        {
            self.keys.remove(&oldest);
        }
        let key: Arc<str> = Arc::from(key);
        self.keys.insert(key.clone());
        self.keys_by_age.push_back(key);
        true
    }
}

struct Entry {
    id: u64,
    key: String,
    payload: Vec<u8>,
}

impl Entry {
    fn handed_out(&self, deliveries: u64) -> StreamEntry {
        StreamEntry {
            id: self.id.to_string(),
            key: self.key.clone(),
            payload: self.payload.clone(),
            deliveries,
        }
    }
}

fn find(entries: &VecDeque<Entry>, id: u64) -> Option<&Entry> {
    let at = entries.binary_search_by_key(&id, |entry| entry.id).ok()?;
    entries.get(at)
}

/// A group starts before the first entry (ids start at 1): it sees every entry kept.
#[derive(Default)]
struct Group {
    last_delivered: u64,
    pending: BTreeMap<u64, Pending>,
}

struct Pending {
    consumer: String,
    deliveries: u64,
    delivered_at: Instant,
}

#[async_trait::async_trait]
impl DurableStream for MemoryStream {
    #[tracing::instrument(skip(self, payload), fields(bytes = payload.len()))]
    async fn append_once(
        &self,
        stream: &str,
        key: &str,
        payload: &[u8],
    ) -> Result<bool, StreamError> {
        let appended = {
            let mut streams = self.lock();
            let stream = streams.entry(stream.to_owned()).or_default();
            if !stream.remember(key, self.inner.appended_keys) {
                return Ok(false);
            }
            stream.last_id += 1;
            let entry = Entry {
                id: stream.last_id,
                key: key.to_owned(),
                payload: payload.to_vec(),
            };
            stream.entries.push_back(entry);
            stream.appended.clone()
        };
        appended.notify_waiters();
        Ok(true)
    }

    #[tracing::instrument(skip(self))]
    async fn read(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Duration,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        let deadline = super::read_deadline(block);
        let appended = self.appended(stream);
        loop {
            // Registered before looking, so an append in between still wakes this read.
            let notified = appended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let read = self.read_now(stream, group, consumer, count);
            if !read.is_empty() || count == 0 {
                return Ok(read);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    #[tracing::instrument(skip(self))]
    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), StreamError> {
        let id: u64 = id
            .parse()
            .map_err(|_| StreamError::InvalidId(id.to_owned()))?;
        let mut streams = self.lock();
        let Some(stream) = streams.get_mut(stream) else {
            return Ok(());
        };
        let acked = stream
            .groups
            .get_mut(group)
            .is_some_and(|group| group.pending.remove(&id).is_some());
        if acked {
            stream.trim(self.inner.retained_acked);
        }
        Ok(())
    }

    #[tracing::instrument(skip(self))]
    async fn claim_stale(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, StreamError> {
        let mut streams = self.lock();
        let Stream {
            entries, groups, ..
        } = streams.entry(stream.to_owned()).or_default();
        let group = groups.entry(group.to_owned()).or_default();
        let now = Instant::now();
        let stale = group
            .pending
            .iter_mut()
            .filter(|(_, pending)| now.duration_since(pending.delivered_at) >= idle)
            .take(count);
        let mut claimed = Vec::new();
        for (&id, pending) in stale {
            pending.consumer = consumer.to_owned();
            pending.deliveries += 1;
            pending.delivered_at = now;
            if let Some(entry) = find(entries, id) {
                claimed.push(entry.handed_out(pending.deliveries));
            }
        }
        Ok(claimed)
    }

    #[tracing::instrument(skip(self))]
    async fn lag(&self, stream: &str, group: &str) -> Result<u64, StreamError> {
        let streams = self.lock();
        let Some(stream) = streams.get(stream) else {
            return Ok(0);
        };
        let Some(group) = stream.groups.get(group) else {
            return Ok(stream.entries.len() as u64);
        };
        let delivered = stream
            .entries
            .partition_point(|entry| entry.id <= group.last_delivered);
        Ok((group.pending.len() + stream.entries.len() - delivered) as u64)
    }
}
