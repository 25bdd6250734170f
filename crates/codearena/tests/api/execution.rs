//! The execution API in both modes: custom runs, judging against a package, limits.

use reqwest::StatusCode;
use serde_json::json;

use crate::app::{Mode, TestApp, sum_package};
use crate::helpers::{assert_problem, metric_sum};
use crate::in_both_modes;

in_both_modes!(
    a_run_returns_the_programs_output,
    a_compile_error_is_reported_with_the_compilers_words,
    judging_against_a_package_gives_verdicts_per_test,
    a_missing_package_is_an_internal_error_not_a_hang,
    oversized_unknown_and_unauthenticated_submissions_are_refused,
    too_many_jobs_in_flight_answer_429,
    nobody_reads_another_users_job,
    installed_languages_are_listed,
    metrics_count_jobs_by_language_and_verdict,
    a_job_that_keeps_failing_internally_ends_as_ie_and_is_dead_lettered,
);

async fn a_run_returns_the_programs_output(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("runner").await;
    let source = "s = input()\nprint(s[::-1])\nimport sys\nprint('note', file=sys.stderr)\n";
    let record = arena
        .finished(&token, arena.run(&token, "python", source, "arena\n").await)
        .await;
    let result = &record["result"];
    assert_eq!(result["verdict"], "AC", "{record}");
    assert_eq!(result["run"]["stdout"], "anera\n");
    assert_eq!(result["run"]["stderr"], "note\n");
    assert_eq!(result["run"]["exit_code"], 0);
    assert_eq!(record["kind"], "run");

    let crash = "int main() { int *p = 0; return *p; }\n";
    let record = arena
        .finished(&token, arena.run(&token, "c", crash, "").await)
        .await;
    assert_eq!(record["result"]["verdict"], "RTE", "{record}");
}

async fn a_compile_error_is_reported_with_the_compilers_words(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("typo").await;
    let source = "int main() { return missing_name; }\n";
    let record = arena
        .finished(&token, arena.run(&token, "cpp", source, "").await)
        .await;
    assert_eq!(record["result"]["verdict"], "CE", "{record}");
    let output = record["result"]["compile_output"].as_str().unwrap();
    assert!(output.contains("missing_name"), "{output}");
    assert!(record["result"].get("run").is_none());
}

async fn judging_against_a_package_gives_verdicts_per_test(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("judged").await;
    let package = sum_package();
    let hash = arena.publish_package(package.path()).await;

    let right = "a, b = map(int, input().split())\nprint(a + b)\n";
    let record = arena
        .finished(&token, arena.judge(&token, "python", right, &hash).await)
        .await;
    let result = &record["result"];
    assert_eq!(result["verdict"], "AC", "{record}");
    assert_eq!(result["passed"], 4);
    assert_eq!(result["total"], 4);
    assert_eq!(result["tests"].as_array().unwrap().len(), 4);

    // Overflows on the last test only: the first failing test decides.
    let overflow =
        "#include <stdio.h>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n";
    let record = arena
        .finished(&token, arena.judge(&token, "c", overflow, &hash).await)
        .await;
    let result = &record["result"];
    assert_eq!(result["verdict"], "WA", "{record}");
    assert_eq!(result["passed"], 3);
    let tests = result["tests"].as_array().unwrap();
    assert_eq!(tests.last().unwrap()["verdict"], "WA");
}

async fn a_missing_package_is_an_internal_error_not_a_hang(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("lost").await;
    let hash = "ab".repeat(32);
    let record = arena
        .finished(
            &token,
            arena.judge(&token, "python", "print(1)", &hash).await,
        )
        .await;
    assert_eq!(record["result"]["verdict"], "IE", "{record}");
    let error = record["result"]["error"].as_str().unwrap();
    assert!(
        error.contains(&hash) && error.contains("not available"),
        "{error}"
    );
}

async fn oversized_unknown_and_unauthenticated_submissions_are_refused(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("limits").await;
    let big_source = "#".repeat(64 * 1024 + 1);
    let response = arena.run(&token, "python", &big_source, "").await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let big_input = "1".repeat(1024 * 1024 + 1);
    let response = arena.run(&token, "python", "print(1)", &big_input).await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let response = arena.run(&token, "cobol", "DISPLAY 'HI'.", "").await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_language",
    )
    .await;
    let response = arena
        .judge(&token, "python", "print(1)", "../../etc/passwd")
        .await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let response = arena.run(&token, "python", "   ", "").await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let response = arena
        .post_json(
            "/api/execution/run",
            &json!({"language": "python", "source": "print(1)"}),
        )
        .await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "missing_token").await;
}

async fn too_many_jobs_in_flight_answer_429(mode: Mode) {
    // No workers: accepted jobs stay queued, so the cap is reached deterministically.
    let arena = TestApp::spawn_with(mode, |s| {
        s.execution.max_jobs_in_flight_per_user = 2;
    })
    .await;
    let token = arena.user("eager").await;
    for _ in 0..2 {
        assert_eq!(
            arena.run(&token, "python", "print(1)", "").await.status(),
            StatusCode::ACCEPTED
        );
    }
    let third = arena.run(&token, "python", "print(1)", "").await;
    assert!(third.headers().contains_key("retry-after"));
    assert_problem(third, StatusCode::TOO_MANY_REQUESTS, "too_many_jobs").await;
    let other = arena.user("patient").await;
    assert_eq!(
        arena.run(&other, "python", "print(1)", "").await.status(),
        StatusCode::ACCEPTED
    );
}

async fn nobody_reads_another_users_job(mode: Mode) {
    let arena = TestApp::spawn(mode).await;
    let owner = arena.user("owner").await;
    let snoop = arena.user("snoop").await;
    let submitted: serde_json::Value = arena
        .run(&owner, "python", "print(1)", "")
        .await
        .json()
        .await
        .unwrap();
    let id = submitted["job_id"].as_str().unwrap();
    let mine = arena.job(&owner, id, 0).await;
    assert_eq!(mine.status(), StatusCode::OK);
    let body: serde_json::Value = mine.json().await.unwrap();
    assert_eq!(body["state"], "queued");
    assert_problem(
        arena.job(&snoop, id, 0).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        arena.job(&owner, "not-a-uuid", 0).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn installed_languages_are_listed(mode: Mode) {
    let arena = TestApp::spawn(mode).await;
    let body: serde_json::Value = arena
        .get("/api/execution/languages")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = body["languages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    for id in [
        "c",
        "cpp",
        "python",
        "javascript",
        "java",
        "rust",
        "go",
        "pypy3",
        "kotlin",
        "csharp",
        "ruby",
        "php",
        "haskell",
        "ocaml",
        "scala",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(
        body["languages"][0]["version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
}

async fn metrics_count_jobs_by_language_and_verdict(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("counted").await;
    let record = arena
        .finished(&token, arena.run(&token, "python", "print(42)", "").await)
        .await;
    assert_eq!(record["result"]["verdict"], "AC");
    let text = arena.get("/metrics").await.text().await.unwrap();
    for prefix in [
        r#"execution_jobs_total{kind="run",language="python",verdict="AC"}"#,
        r#"execution_jobs_submitted_total{kind="run",language="python"}"#,
        r#"execution_queue_wait_seconds_count{kind="run"}"#,
        r#"execution_run_duration_seconds_count{kind="run",language="python"}"#,
        r#"http_request_duration_seconds_count{method="POST",route="/api/execution/run",status="202"}"#,
    ] {
        let value = metric_sum(&text, prefix);
        assert!(value >= 1.0, "{prefix} is {value}, not counted:\n{text}");
    }
    for name in [
        "execution_busy_slots",
        "execution_queue_depth",
        "execution_dead_letters",
    ] {
        assert!(
            text.contains(&format!("\n{name} ")),
            "/metrics lacks {name}"
        );
    }
}

async fn a_job_that_keeps_failing_internally_ends_as_ie_and_is_dead_lettered(mode: Mode) {
    let arena = TestApp::spawn_judging(mode).await;
    let token = arena.user("unlucky").await;
    // A package stored under a hash its content does not have: every worker refuses it,
    // which is the platform's fault, so the job is retried and then given up.
    let package = sum_package();
    let archive = judge::package::pack(package.path()).unwrap();
    let wrong_hash = "cd".repeat(32);
    arena
        .packages()
        .await
        .put(&wrong_hash, &archive)
        .await
        .unwrap();
    let record = arena
        .finished(
            &token,
            arena.judge(&token, "python", "print(1)", &wrong_hash).await,
        )
        .await;
    let result = &record["result"];
    assert_eq!(result["verdict"], "IE", "{record}");
    let error = result["error"].as_str().unwrap();
    assert!(
        error.contains("3 attempts") && error.contains("content hash"),
        "{error}"
    );
    testkit::wait_until(
        std::time::Duration::from_secs(10),
        "the job in the dead-letter queue",
        || async { arena.dead_letters().await == 1 },
    )
    .await;
}

/// `POST /internal/execution/judge` answers only the holder of the service token, and
/// says nothing about what it expects to anyone else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_endpoint_wants_the_service_token_before_anything_else() {
    for mode in [Mode::Embedded, Mode::Cluster] {
        let app = TestApp::spawn(mode).await;
        let url = app
            .server(codearena::cluster::Service::Execution)
            .url("/internal/execution/judge");
        for token in [None, Some("wrong-token-wrong-token-wrong-token-00")] {
            let mut request = app.client.post(&url).body("not json");
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_service_token").await;
        }
        let bad_hash = json!({
            "job_id": uuid::Uuid::now_v7(), "owner": uuid::Uuid::now_v7(),
            "language": "python", "source": "print(1)", "problem_hash": "nope",
        });
        let response = app
            .client
            .post(&url)
            .bearer_auth(crate::app::SERVICE_TOKEN)
            .json(&bad_hash)
            .send()
            .await
            .unwrap();
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
    }
}
