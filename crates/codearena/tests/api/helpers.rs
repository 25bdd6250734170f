//! Assertions and the macro that runs a test body in both modes.

use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Asserts a problem+json answer with `status` and `code`, and returns its body.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "body: {body}");
    assert_eq!(body["status"], status.as_u16());
    body
}

/// Runs each test body once per mode.
#[macro_export]
macro_rules! in_both_modes {
    ($($case:ident),* $(,)?) => {
        mod embedded {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::app::Mode::Embedded).await;
            })*
        }
        mod cluster {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case($crate::app::Mode::Cluster).await;
            })*
        }
    };
}

/// The sum of the samples in a Prometheus text exposition whose series starts with
/// `prefix` (a name, or a name and the first labels: `name{a="b"`). Series are registered
/// at zero when a service starts, so a test of a count asks for its value, not its name.
pub fn metric_sum(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|line| !line.starts_with('#') && line.starts_with(prefix))
        .filter(|line| {
            // `name` must not match `name_more`.
            let rest = &line[prefix.len()..];
            prefix.ends_with(['{', '"', ',']) || rest.starts_with([' ', '{'])
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
