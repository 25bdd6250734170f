//! [`MessageBroker`] in process memory, with RabbitMQ's semantics for
//! what CodeArena uses: direct and fanout exchanges, priority queues, prefetch, settling
//! (a delivery dropped unsettled goes back, marked redelivered), dead-letter exchanges,
//! and subscriber queues that keep messages while nobody consumes them.
//!
//! Messages live as long as the process, so a restart loses what was queued: for tests
//! and tools; embedded mode uses [`SqliteBroker`](super::SqliteBroker).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Ack, Delivery, ExchangeKind, MessageBroker, Outgoing, QueueError, Topology};

/// (priority, order of arrival reversed so that earlier comes first, redelivered, payload)
type Entry = (u8, Reverse<u64>, bool, Vec<u8>);

struct MemoryQueue {
    entries: Mutex<(BinaryHeap<Entry>, u64)>,
    ready: Notify,
    max_priority: u8,
    dead_letter_exchange: Option<String>,
}

impl MemoryQueue {
    fn push(&self, priority: u8, payload: Vec<u8>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.1 += 1;
        let order = entries.1;
        let priority = priority.min(self.max_priority);
        entries.0.push((priority, Reverse(order), false, payload));
        drop(entries);
        self.ready.notify_one();
    }

    /// Puts a delivered message back where it was, as RabbitMQ requeues.
    fn requeue(&self, priority: u8, order: u64, payload: Vec<u8>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.0.push((priority, Reverse(order), true, payload));
        drop(entries);
        self.ready.notify_one();
    }

    fn pop(&self) -> Option<Entry> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .pop()
    }

    fn len(&self) -> usize {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .len()
    }
}

#[derive(Default)]
struct State {
    /// Exchange → its kind and bindings (queue, routing key).
    exchanges: HashMap<String, (ExchangeKind, Vec<(String, String)>)>,
    queues: HashMap<String, Arc<MemoryQueue>>,
    watchers: HashMap<String, Vec<mpsc::UnboundedSender<Vec<u8>>>>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Routes a message to the queues bound to `exchange`; how many took it.
    fn route(
        &self,
        exchange: &str,
        routing_key: &str,
        priority: u8,
        payload: &[u8],
    ) -> Result<usize, QueueError> {
        let mut state = self.state();
        let Some((kind, bindings)) = state.exchanges.get(exchange) else {
            return Err(QueueError::NotDeclared(exchange.to_owned()));
        };
        let targets: Vec<Arc<MemoryQueue>> = bindings
            .iter()
            .filter(|(_, key)| *kind == ExchangeKind::Fanout || key == routing_key)
            .filter_map(|(queue, _)| state.queues.get(queue).cloned())
            .collect();
        if let Some(watchers) = state.watchers.get_mut(exchange) {
            watchers.retain(|w| w.send(payload.to_vec()).is_ok());
        }
        drop(state);
        for queue in &targets {
            queue.push(priority, payload.to_vec());
        }
        Ok(targets.len())
    }
}

/// The in-process broker. Clones share the same exchanges and queues.
#[derive(Clone, Default)]
pub struct MemoryBroker {
    shared: Arc<Shared>,
}

impl MemoryBroker {
    pub fn new() -> Self {
        Self::default()
    }
}

/// Settles one delivery. Dropped unsettled (a task died), it puts the message back, as
/// RabbitMQ does with the unacknowledged messages of a closed channel.
struct MemoryAck {
    shared: Arc<Shared>,
    queue: Arc<MemoryQueue>,
    priority: u8,
    order: u64,
    payload: Option<Vec<u8>>,
    _slot: OwnedSemaphorePermit,
}

impl Drop for MemoryAck {
    fn drop(&mut self) {
        if let Some(payload) = self.payload.take() {
            self.queue.requeue(self.priority, self.order, payload);
        }
    }
}

#[async_trait::async_trait]
impl Ack for MemoryAck {
    async fn ack(mut self: Box<Self>) -> Result<(), QueueError> {
        self.payload.take().ok_or(QueueError::AlreadySettled)?;
        Ok(())
    }

    async fn retry(mut self: Box<Self>) -> Result<(), QueueError> {
        let payload = self.payload.take().ok_or(QueueError::AlreadySettled)?;
        self.queue.requeue(self.priority, self.order, payload);
        Ok(())
    }

    async fn dead_letter(mut self: Box<Self>) -> Result<(), QueueError> {
        let payload = self.payload.take().ok_or(QueueError::AlreadySettled)?;
        if let Some(exchange) = &self.queue.dead_letter_exchange {
            self.shared.route(exchange, "", self.priority, &payload)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl MessageBroker for MemoryBroker {
    async fn declare(&self, topology: &Topology) -> Result<(), QueueError> {
        let mut state = self.shared.state();
        for exchange in &topology.exchanges {
            state
                .exchanges
                .entry(exchange.name.clone())
                .or_insert_with(|| (exchange.kind, Vec::new()));
        }
        for queue in &topology.queues {
            state.queues.entry(queue.name.clone()).or_insert_with(|| {
                Arc::new(MemoryQueue {
                    entries: Mutex::new((BinaryHeap::new(), 0)),
                    ready: Notify::new(),
                    max_priority: queue.max_priority.unwrap_or(0),
                    dead_letter_exchange: queue.dead_letter_exchange.clone(),
                })
            });
        }
        for binding in &topology.bindings {
            if !state.queues.contains_key(&binding.queue) {
                return Err(QueueError::NotDeclared(binding.queue.clone()));
            }
            let Some((_, bindings)) = state.exchanges.get_mut(&binding.exchange) else {
                return Err(QueueError::NotDeclared(binding.exchange.clone()));
            };
            let pair = (binding.queue.clone(), binding.routing_key.clone());
            if !bindings.contains(&pair) {
                bindings.push(pair);
            }
        }
        Ok(())
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Outgoing<'_>,
    ) -> Result<(), QueueError> {
        let taken = self
            .shared
            .route(exchange, routing_key, message.priority, message.payload)?;
        if taken == 0 && message.mandatory {
            return Err(QueueError::Unroutable(exchange.to_owned()));
        }
        Ok(())
    }

    fn consume(
        &self,
        queue: &str,
        prefetch: u16,
        shutdown: CancellationToken,
    ) -> mpsc::Receiver<Delivery> {
        let (tx, rx) = mpsc::channel(usize::from(prefetch.max(1)));
        let shared = self.shared.clone();
        let Some(queue) = shared.state().queues.get(queue).cloned() else {
            tracing::error!(queue, "consuming from a queue that was never declared");
            return rx;
        };
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
                let (priority, Reverse(order), redelivered, payload) = loop {
                    // Register interest before looking, so a push in between is not missed.
                    let notified = queue.ready.notified();
                    if let Some(entry) = queue.pop() {
                        break entry;
                    }
                    tokio::select! {
                        () = notified => {}
                        () = shutdown.cancelled() => return,
                    }
                };
                let ack = Box::new(MemoryAck {
                    shared: shared.clone(),
                    queue: queue.clone(),
                    priority,
                    order,
                    payload: Some(payload.clone()),
                    _slot: slot,
                });
                let delivery = Delivery {
                    payload,
                    redelivered,
                    ack,
                };
                // A closed receiver drops the delivery, which puts it back.
                if tx.send(delivery).await.is_err() {
                    return;
                }
            }
        });
        rx
    }

    async fn watch(&self, exchange: &str) -> Result<mpsc::UnboundedReceiver<Vec<u8>>, QueueError> {
        let mut state = self.shared.state();
        if !state.exchanges.contains_key(exchange) {
            return Err(QueueError::NotDeclared(exchange.to_owned()));
        }
        let (tx, rx) = mpsc::unbounded_channel();
        state
            .watchers
            .entry(exchange.to_owned())
            .or_default()
            .push(tx);
        Ok(rx)
    }

    async fn depth(&self, queue: &str) -> Result<u64, QueueError> {
        match self.shared.state().queues.get(queue) {
            Some(queue) => Ok(queue.len() as u64),
            None => Err(QueueError::NotDeclared(queue.to_owned())),
        }
    }

    async fn ping(&self) -> Result<(), QueueError> {
        Ok(())
    }
}
