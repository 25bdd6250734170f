//! The battle event channel, watched from one subscription: awaited events handed to
//! their waiters, and every event checked (once each, in order, without gaps).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use contracts::battle::{BattleEvent, EventBody};
use contracts::names;
use platform::Infra;
use platform::bus::BusEvent;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::stack::{now_ms, whole_ms};

/// When an awaited event was yielded, and (Unix ms) when it committed and was yielded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arrival {
    pub(crate) at: Instant,
    pub(crate) committed_ms: i64,
    pub(crate) seen_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Awaited {
    /// A battle's `started` event.
    Started(Uuid),
    /// A submission's `judged` event.
    Judged(Uuid),
}

/// Everything published on the battle event channel, watched from one subscription.
pub(crate) struct Watcher {
    /// When each awaited event was yielded.
    pub(crate) arrivals: Rendezvous<Awaited, Arrival>,
    pub(crate) stats: Mutex<ChannelStats>,
}

#[derive(Default)]
pub(crate) struct ChannelStats {
    pub(crate) events: usize,
    pub(crate) missed: usize,
    pub(crate) undecodable: usize,
    pub(crate) duplicates: usize,
    pub(crate) out_of_order: usize,
    pub(crate) by_kind: BTreeMap<&'static str, usize>,
    /// Per battle: the highest sequence number seen, and every one seen.
    pub(crate) seen: HashMap<Uuid, (i64, HashSet<i64>)>,
    /// From the event's `at_ms` to the moment it was yielded, in µs (of whole ms).
    pub(crate) lag_micros: Vec<u64>,
}

impl ChannelStats {
    pub(crate) fn record(&mut self, event: &BattleEvent, now_ms: i64) {
        self.events += 1;
        *self.by_kind.entry(event.body.kind()).or_default() += 1;
        let (highest, seqs) = self.seen.entry(event.battle_id).or_default();
        if !seqs.insert(event.seq) {
            self.duplicates += 1;
        } else if event.seq < *highest {
            self.out_of_order += 1;
        }
        *highest = (*highest).max(event.seq);
        self.lag_micros.push(whole_ms(now_ms - event.at_ms));
    }

    /// Sequence numbers never seen below each battle's highest (they start at 1).
    pub(crate) fn gaps(&self) -> usize {
        self.seen
            .values()
            .map(|(highest, seqs)| usize::try_from(*highest).unwrap_or(0) - seqs.len())
            .sum()
    }
}

impl Watcher {
    pub(crate) async fn start(infra: &Infra) -> anyhow::Result<Arc<Self>> {
        let mut subscription = infra.bus().await?.subscribe(names::BATTLE_EVENTS).await?;
        let watcher = Arc::new(Self {
            arrivals: Rendezvous::default(),
            stats: Mutex::new(ChannelStats::default()),
        });
        let this = watcher.clone();
        tokio::spawn(async move {
            while let Some(signal) = subscription.recv().await {
                let at = Instant::now();
                let seen_ms = now_ms();
                let payload = match signal {
                    BusEvent::Message(payload) => payload,
                    BusEvent::Missed => {
                        this.stats().missed += 1;
                        continue;
                    }
                };
                let Ok(event) = serde_json::from_slice::<BattleEvent>(&payload) else {
                    this.stats().undecodable += 1;
                    continue;
                };
                let awaited = match event.body {
                    EventBody::Started { .. } => Some(Awaited::Started(event.battle_id)),
                    EventBody::Judged { submission_id, .. } => Some(Awaited::Judged(submission_id)),
                    _ => None,
                };
                if let Some(key) = awaited {
                    let arrival = Arrival {
                        at,
                        committed_ms: event.at_ms,
                        seen_ms,
                    };
                    this.arrivals.deliver(key, arrival);
                }
                this.stats().record(&event, seen_ms);
            }
        });
        Ok(watcher)
    }

    pub(crate) fn stats(&self) -> MutexGuard<'_, ChannelStats> {
        self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Hands a value to the one waiting for its key, whichever of the two comes first.
pub(crate) struct Rendezvous<K, V> {
    pub(crate) slots: Mutex<HashMap<K, Slot<V>>>,
}

pub(crate) enum Slot<V> {
    Waiting(oneshot::Sender<V>),
    Arrived(V),
}

impl<K, V> Default for Rendezvous<K, V> {
    fn default() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> Rendezvous<K, V> {
    pub(crate) fn slots(&self) -> MutexGuard<'_, HashMap<K, Slot<V>>> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Gives `value` to the waiter for `key`, or keeps it for them; `false` (and the value
    /// is dropped) when a value for `key` is already kept.
    pub(crate) fn deliver(&self, key: K, value: V) -> bool {
        let mut slots = self.slots();
        match slots.remove(&key) {
            Some(Slot::Waiting(waiter)) => {
                let _ = waiter.send(value);
                true
            }
            Some(kept @ Slot::Arrived(_)) => {
                slots.insert(key, kept);
                false
            }
            None => {
                slots.insert(key, Slot::Arrived(value));
                true
            }
        }
    }

    /// The value for `key`, now or when it comes.
    pub(crate) fn expect(&self, key: K) -> oneshot::Receiver<V> {
        let (tx, rx) = oneshot::channel();
        let mut slots = self.slots();
        match slots.remove(&key) {
            Some(Slot::Arrived(value)) => {
                let _ = tx.send(value);
            }
            _ => {
                slots.insert(key, Slot::Waiting(tx));
            }
        }
        rx
    }
}
