//! The execution service's metrics, described and registered when the service starts so
//! that `/metrics` lists every one of them (at zero) before the first job: alerts and
//! dashboards then see a series from the first scrape, not only after something happened.

use contracts::execution::Verdict;

pub const BUSY_SLOTS: &str = "execution_busy_slots";
pub const SLOTS: &str = "execution_slots";
pub const LOST_SLOTS: &str = "execution_lost_slots";
pub const QUEUE_DEPTH: &str = "execution_queue_depth";
pub const DEAD_LETTERS: &str = "execution_dead_letters";
pub const QUEUE_WAIT: &str = "execution_queue_wait_seconds";
pub const RUN_DURATION: &str = "execution_run_duration_seconds";
pub const JOBS: &str = "execution_jobs_total";
pub const JOBS_SUBMITTED: &str = "execution_jobs_submitted_total";

const KINDS: [&str; 2] = ["run", "judge"];

/// Describes the metrics and registers them for the known label values: both job kinds,
/// the `languages` this process judges, every verdict. `slots` is this process's number
/// of sandbox slots.
pub fn register(slots: usize, languages: &[String]) {
    use metrics::Unit;
    metrics::describe_gauge!(BUSY_SLOTS, "Sandbox slots judging a job now");
    metrics::describe_gauge!(SLOTS, "Sandbox slots of this process");
    metrics::describe_gauge!(
        LOST_SLOTS,
        "Sandbox slots lost (their sandbox could not be rebuilt)"
    );
    metrics::describe_gauge!(QUEUE_DEPTH, "Jobs waiting in the broker's job queue");
    metrics::describe_gauge!(
        DEAD_LETTERS,
        "Jobs given up on, waiting in the dead-letter queue"
    );
    metrics::describe_histogram!(
        QUEUE_WAIT,
        Unit::Seconds,
        "From submission to a worker taking the job, by kind"
    );
    metrics::describe_histogram!(
        RUN_DURATION,
        Unit::Seconds,
        "Judging time of a job, by kind and language"
    );
    metrics::describe_counter!(JOBS, "Jobs finished, by kind, language and verdict");
    metrics::describe_counter!(
        JOBS_SUBMITTED,
        "Jobs accepted by the API, by kind and language"
    );

    // Gauges: registered without changing a value another instance in this process set.
    for gauge in [BUSY_SLOTS, LOST_SLOTS, QUEUE_DEPTH, DEAD_LETTERS] {
        metrics::gauge!(gauge).increment(0.0);
    }
    metrics::gauge!(SLOTS).set(slots as f64);
    for kind in KINDS {
        let _ = metrics::histogram!(QUEUE_WAIT, "kind" => kind);
        for language in languages {
            let _ =
                metrics::histogram!(RUN_DURATION, "kind" => kind, "language" => language.clone());
            metrics::counter!(JOBS_SUBMITTED, "kind" => kind, "language" => language.clone())
                .increment(0);
            for verdict in Verdict::ALL {
                metrics::counter!(
                    JOBS,
                    "kind" => kind,
                    "language" => language.clone(),
                    "verdict" => verdict.code(),
                )
                .increment(0);
            }
        }
    }
}
