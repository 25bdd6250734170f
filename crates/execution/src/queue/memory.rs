//! [`Broker`] in process memory (embedded mode): a priority queue with the same settle
//! semantics as RabbitMQ. Results are fanned out on a broadcast channel.
//!
//! Jobs live only as long as the process: embedded mode has one process, and a restart
//! loses what was queued (the API then answers those job ids with 404).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex};

use contracts::execution::{JobResult, JudgeJob};
use tokio::sync::{Notify, Semaphore, broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Ack, Broker, Delivery, QueueError, priority};

/// (priority, order of arrival reversed so that earlier comes first, redelivered, payload)
type Entry = (u8, Reverse<u64>, bool, Vec<u8>);

struct Shared {
    queue: Mutex<(BinaryHeap<Entry>, u64)>,
    ready: Notify,
    dead: Mutex<Vec<Vec<u8>>>,
}

impl Shared {
    fn push(&self, priority: u8, redelivered: bool, payload: Vec<u8>) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        queue.1 += 1;
        let order = queue.1;
        queue
            .0
            .push((priority, Reverse(order), redelivered, payload));
        drop(queue);
        self.ready.notify_one();
    }

    fn pop(&self) -> Option<Entry> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).0.pop()
    }
}

pub struct MemoryBroker {
    shared: Arc<Shared>,
    results: broadcast::Sender<JobResult>,
}

impl Default for MemoryBroker {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryBroker {
    pub fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                queue: Mutex::new((BinaryHeap::new(), 0)),
                ready: Notify::new(),
                dead: Mutex::new(Vec::new()),
            }),
            results: broadcast::channel(1024).0,
        }
    }

    /// Results as they are published (what the battle service consumes in embedded mode).
    pub fn subscribe_results(&self) -> broadcast::Receiver<JobResult> {
        self.results.subscribe()
    }

    /// Jobs given up on.
    pub fn dead_letters(&self) -> usize {
        self.shared
            .dead
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }
}

/// Settles one delivery. Dropped unsettled (a worker task died), it puts the job back,
/// as RabbitMQ does with the unacknowledged messages of a closed channel.
struct MemoryAck {
    shared: Arc<Shared>,
    priority: u8,
    payload: Option<Vec<u8>>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for MemoryAck {
    fn drop(&mut self) {
        if let Some(payload) = self.payload.take() {
            self.shared.push(self.priority, true, payload);
        }
    }
}

#[async_trait::async_trait]
impl Ack for MemoryAck {
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        self.payload = None;
        Ok(())
    }

    async fn retry(mut self: Box<Self>) -> Result<(), QueueError> {
        if let Some(payload) = self.payload.take() {
            self.shared.push(self.priority, true, payload);
        }
        Ok(())
    }

    async fn dead_letter(mut self: Box<Self>) -> Result<(), QueueError> {
        if let Some(payload) = self.payload.take() {
            self.shared
                .dead
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(payload);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Broker for MemoryBroker {
    async fn publish_job(&self, job: &JudgeJob) -> Result<(), QueueError> {
        self.shared
            .push(priority(job), false, serde_json::to_vec(job)?);
        Ok(())
    }

    async fn publish_result(&self, result: &JobResult) -> Result<(), QueueError> {
        // No subscriber is fine: results are also in the store.
        let _ = self.results.send(result.clone());
        Ok(())
    }

    async fn queue_depth(&self) -> Result<u64, QueueError> {
        Ok(self
            .shared
            .queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .len() as u64)
    }

    fn consume(&self, prefetch: u16, shutdown: CancellationToken) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
        let shared = self.shared.clone();
        let slots = Arc::new(Semaphore::new(usize::from(prefetch.max(1))));
        tokio::spawn(async move {
            loop {
                let slot = tokio::select! {
                    permit = slots.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => return,
                    },
                    () = shutdown.cancelled() => return,
                };
                let (priority, _, redelivered, payload) = loop {
                    // Register interest before looking, so a push in between is not missed.
                    let notified = shared.ready.notified();
                    if let Some(entry) = shared.pop() {
                        break entry;
                    }
                    tokio::select! {
                        () = notified => {}
                        () = shutdown.cancelled() => return,
                    }
                };
                let ack = Box::new(MemoryAck {
                    shared: shared.clone(),
                    priority,
                    payload: Some(payload.clone()),
                    _slot: slot,
                });
                let delivery = Delivery {
                    payload,
                    redelivered,
                    ack,
                };
                if tx.send(delivery).await.is_err() {
                    return;
                }
            }
        });
        rx
    }

    async fn ping(&self) -> Result<(), QueueError> {
        Ok(())
    }
}
