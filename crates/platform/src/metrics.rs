//! The process's Prometheus recorder and the HTTP metrics every service records.
//!
//! One recorder is installed per process ([`handle`]), however many routers the process
//! serves: in embedded mode all five services share it, and `/metrics` on any of them
//! shows everything. Names follow Prometheus conventions (`_seconds`, `_bytes`, `_total`).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUEST_DURATION: &str = "http_request_duration_seconds";
pub const HTTP_REQUESTS_IN_FLIGHT: &str = "http_requests_in_flight";

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Waits and runs that last seconds to minutes: a waiting job, a player waiting for a
/// match, a judge run over many tests. Their alerts ask about tens of seconds, which the
/// request buckets (up to 10 s) cannot tell apart from an hour.
const LONG_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];
pub const LONG_DURATIONS: &[&str] = &[
    "execution_queue_wait_seconds",
    "execution_run_duration_seconds",
    "battle_queue_wait_seconds",
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static STARTED: OnceLock<f64> = OnceLock::new();

/// The process-wide recorder, installed on first use.
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        // Full-name matchers are consulted before suffix ones.
        let builder = LONG_DURATIONS.iter().fold(
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS),
            |builder, name| {
                builder.and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full((*name).into()), LONG_BUCKETS)
                })
            },
        );
        let recorder = builder
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics shows only its own");
        }
        // Histograms are drained into their buckets on upkeep; do it even if nobody scrapes.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
        if let Err(err) = spawned {
            tracing::warn!(error = %err, "cannot start the metrics upkeep thread");
        }
        STARTED.get_or_init(unix_now);
        describe();
        handle
    })
}

fn describe() {
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION,
        metrics::Unit::Seconds,
        "HTTP request duration by method, route and status"
    );
    metrics::describe_gauge!(HTTP_REQUESTS_IN_FLIGHT, "HTTP requests being served");
    metrics::describe_gauge!(
        "process_resident_memory_bytes",
        metrics::Unit::Bytes,
        "Resident set size"
    );
    metrics::describe_gauge!("process_open_fds", "Open file descriptors");
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// The Prometheus text exposition of everything recorded in this process.
pub fn render() -> String {
    let handle = handle();
    record_process();
    handle.run_upkeep();
    handle.render()
}

/// `GET /metrics`.
pub async fn serve_metrics() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        render(),
    )
}

/// The `route` label of a response that no route template matched (a fallback answered
/// it), in place of `unmatched`: a fallback that serves many paths (the web app's pages)
/// puts one name in the response's extensions, never the path.
#[derive(Debug, Clone, Copy)]
pub struct RouteLabel(pub &'static str);

/// Middleware: request duration by method, route template and status; requests in flight.
pub async fn track_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    // Socket.IO's long polls and websockets last as long as a client stays: they would
    // swamp the request-duration histogram. The realtime service counts them itself.
    if route.starts_with("/socket.io") {
        return next.run(request).await;
    }
    let method = request.method().as_str().to_owned();
    let in_flight = metrics::gauge!(HTTP_REQUESTS_IN_FLIGHT);
    in_flight.increment(1.0);
    let started = Instant::now();
    let response = next.run(request).await;
    in_flight.decrement(1.0);
    let route = match response.extensions().get::<RouteLabel>() {
        Some(RouteLabel(label)) => (*label).to_owned(),
        None => route,
    };
    metrics::histogram!(
        HTTP_REQUEST_DURATION,
        "method" => method,
        "route" => route,
        "status" => response.status().as_u16().to_string(),
    )
    .record(started.elapsed().as_secs_f64());
    response
}

/// Process gauges read from `/proc` at scrape time (Linux; elsewhere they stay absent).
fn record_process() {
    if let Some(start) = STARTED.get() {
        metrics::gauge!("process_start_time_seconds").set(*start);
    }
    if let Ok(dir) = std::fs::read_dir("/proc/self/fd") {
        metrics::gauge!("process_open_fds").set(dir.count() as f64);
    }
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    for line in status.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let number = value
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<f64>().ok());
        let Some(number) = number else { continue };
        match key {
            "VmRSS" => metrics::gauge!("process_resident_memory_bytes").set(number * 1024.0),
            "VmHWM" => metrics::gauge!("process_resident_memory_peak_bytes").set(number * 1024.0),
            "VmSize" => metrics::gauge!("process_virtual_memory_bytes").set(number * 1024.0),
            "Threads" => metrics::gauge!("process_threads").set(number),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_waits_get_buckets_past_the_alerts_thresholds() {
        handle();
        metrics::histogram!("execution_queue_wait_seconds", "kind" => "judge").record(45.0);
        metrics::histogram!("platform_test_request_seconds").record(45.0);
        let text = render();
        // 45 s falls between the 30 s and 60 s buckets of a long wait …
        assert!(
            text.contains(r#"execution_queue_wait_seconds_bucket{kind="judge",le="30"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"execution_queue_wait_seconds_bucket{kind="judge",le="60"} 1"#),
            "{text}"
        );
        // … while other durations keep the request buckets, up to 10 s.
        assert!(
            text.contains(r#"platform_test_request_seconds_bucket{le="10"} 0"#),
            "{text}"
        );
        assert!(
            !text.contains(r#"platform_test_request_seconds_bucket{le="60"}"#),
            "{text}"
        );
    }
}
