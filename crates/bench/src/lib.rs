//! Shared pieces of the benchmark binaries: latency summaries and timed load loops.

use std::time::{Duration, Instant};

/// Latencies in microseconds, summarised.
pub struct Summary {
    pub count: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

pub fn summarise(mut micros: Vec<u64>, elapsed: Duration) -> Summary {
    micros.sort_unstable();
    let at = |q: f64| -> f64 {
        if micros.is_empty() {
            return 0.0;
        }
        let index = ((micros.len() as f64 - 1.0) * q).round() as usize;
        micros[index] as f64 / 1000.0
    };
    Summary {
        count: micros.len(),
        per_second: micros.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>8} requests  {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            self.count, self.per_second, self.p50_ms, self.p99_ms, self.max_ms
        )
    }
}

/// Runs `make_request` in a loop on `clients` tasks until `duration` has passed; returns
/// the latency of every successful request and the number of failures.
pub async fn hammer<F, Fut>(
    clients: usize,
    duration: Duration,
    make_request: F,
) -> (Vec<u64>, usize)
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let make_request = make_request.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0;
                while Instant::now() < deadline {
                    let started = Instant::now();
                    if make_request().await {
                        latencies.push(started.elapsed().as_micros() as u64);
                    } else {
                        failures += 1;
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut failures = 0;
    for task in tasks {
        if let Ok((latencies, failed)) = task.await {
            all.extend(latencies);
            failures += failed;
        }
    }
    (all, failures)
}
