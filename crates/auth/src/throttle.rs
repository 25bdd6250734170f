//! Counting login attempts, per account and per client address, to answer 429 once a
//! limit is reached. Counters are fixed windows that start at the first attempt.
//!
//! An attempt is counted *before* the password is checked, in one atomic step per
//! counter, so parallel guesses cannot all slip past a check that has not yet seen the
//! others; a successful login then takes its attempt back.
//!
//! [`RedisThrottle`] shares the counters between auth replicas (cluster mode);
//! [`MemoryThrottle`] keeps them in the process (embedded mode). Both pass the suite in
//! `tests/throttle.rs`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

/// A counter and the number of failures it allows within a window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub key: String,
    pub max_failures: u32,
}

#[derive(Debug, thiserror::Error)]
#[error("login throttle unavailable: {0}")]
pub struct ThrottleError(pub String);

#[async_trait::async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Counts one attempt against every counter. If any counter is now past its limit,
    /// returns how many seconds until it resets: the attempt must be refused.
    async fn attempt(&self, limits: &[Limit]) -> Result<Option<u64>, ThrottleError>;
    /// Takes one attempt back from a counter (the attempt succeeded).
    async fn forgive(&self, key: &str) -> Result<(), ThrottleError>;
    /// Forgets a counter.
    async fn clear(&self, key: &str) -> Result<(), ThrottleError>;
}

/// Entries kept before expired ones are swept out.
const SWEEP_AT: usize = 10_000;

pub struct MemoryThrottle {
    window: Duration,
    counters: Mutex<HashMap<String, (u32, Instant)>>,
}

impl MemoryThrottle {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            counters: Mutex::new(HashMap::new()),
        }
    }
}

#[async_trait::async_trait]
impl LoginThrottle for MemoryThrottle {
    async fn attempt(&self, limits: &[Limit]) -> Result<Option<u64>, ThrottleError> {
        let now = Instant::now();
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if counters.len() >= SWEEP_AT {
            counters.retain(|_, (_, resets)| *resets > now);
        }
        let mut blocked = None;
        for limit in limits {
            let entry = counters
                .entry(limit.key.clone())
                .or_insert((0, now + self.window));
            if entry.1 <= now {
                *entry = (0, now + self.window);
            }
            entry.0 = entry.0.saturating_add(1);
            if entry.0 > limit.max_failures {
                let wait = (entry.1 - now).as_secs_f64().ceil() as u64;
                blocked = Some(blocked.map_or(wait, |b: u64| b.max(wait)));
            }
        }
        Ok(blocked)
    }

    async fn forgive(&self, key: &str) -> Result<(), ThrottleError> {
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(entry) = counters.get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
        }
        Ok(())
    }

    async fn clear(&self, key: &str) -> Result<(), ThrottleError> {
        self.counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        Ok(())
    }
}

pub struct RedisThrottle {
    conn: ConnectionManager,
    /// Key prefix, e.g. `codearena:auth:login-failures`.
    namespace: String,
    window: Duration,
}

impl RedisThrottle {
    pub fn new(conn: ConnectionManager, namespace: String, window: Duration) -> Self {
        Self {
            conn,
            namespace,
            window,
        }
    }

    fn redis_key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }
}

fn unavailable(err: redis::RedisError) -> ThrottleError {
    ThrottleError(err.to_string())
}

#[async_trait::async_trait]
impl LoginThrottle for RedisThrottle {
    async fn attempt(&self, limits: &[Limit]) -> Result<Option<u64>, ThrottleError> {
        if limits.is_empty() {
            return Ok(None);
        }
        let window_ms = self.window.as_millis().max(1) as i64;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for limit in limits {
            let key = self.redis_key(&limit.key);
            // NX: the window starts at the first attempt and later ones do not extend it.
            pipe.incr(&key, 1u32)
                .cmd("PEXPIRE")
                .arg(&key)
                .arg(window_ms)
                .arg("NX")
                .ignore()
                .pttl(&key);
        }
        let mut conn = self.conn.clone();
        let answers: Vec<(u32, i64)> = pipe.query_async(&mut conn).await.map_err(unavailable)?;
        Ok(limits
            .iter()
            .zip(answers)
            .filter(|(limit, (count, _))| *count > limit.max_failures)
            .map(|(_, (_, pttl))| (pttl.max(1) as u64).div_ceil(1000))
            .max())
    }

    async fn forgive(&self, key: &str) -> Result<(), ThrottleError> {
        let mut conn = self.conn.clone();
        // Only a counter that exists is taken down, so a forgiveness never creates one.
        let script = redis::Script::new(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end return 0",
        );
        script
            .key(self.redis_key(key))
            .invoke_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn clear(&self, key: &str) -> Result<(), ThrottleError> {
        let mut conn = self.conn.clone();
        redis::cmd("DEL")
            .arg(self.redis_key(key))
            .query_async::<()>(&mut conn)
            .await
            .map_err(unavailable)
    }
}
