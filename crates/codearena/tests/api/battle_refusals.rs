//! The battle service refusing what it must: strangers, submissions outside the active
//! window, duplicate results, bad input, a second battle. Both modes.

use std::time::Duration;

use contracts::execution::{JobResult, JudgeJob, TestOutcome, Verdict};
use execution::queue::JobQueue;
use reqwest::StatusCode;
use serde_json::json;

use crate::app::{Mode, TestApp};
use crate::battle::{
    CORRECT, WRONG, battle, events, json_of, judged, started, started_by, submit, user_id,
};
use crate::helpers::assert_problem;
use crate::in_both_modes;

in_both_modes!(
    strangers_get_403_on_anything_private,
    submissions_outside_the_active_window_are_refused,
    a_result_delivered_twice_changes_nothing,
    bad_input_gets_clear_problems,
    one_battle_at_a_time_and_no_queue_while_in_one,
);

async fn strangers_get_403_on_anything_private(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let (ada, _bob, id) = started(&app).await;
    let cy = app.user("cyd").await;
    let s = submit(&app, &ada, &id, WRONG).await;
    let sid = s["id"].as_str().unwrap();
    assert_problem(
        app.post(
            &cy,
            &format!("/api/battle/{id}/submissions"),
            &json!({"language": "python", "source": CORRECT}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "not_a_participant",
    )
    .await;
    assert_problem(
        app.get_with_token(&format!("/api/battle/{id}/submissions"), &cy)
            .await,
        StatusCode::FORBIDDEN,
        "not_a_participant",
    )
    .await;
    assert_problem(
        app.get_with_token(&format!("/api/battle/{id}/submissions/{sid}"), &cy)
            .await,
        StatusCode::FORBIDDEN,
        "not_a_participant",
    )
    .await;
    assert_problem(
        app.post(&cy, &format!("/api/battle/{id}/resign"), &json!({}))
            .await,
        StatusCode::FORBIDDEN,
        "not_a_participant",
    )
    .await;
    // The public view has progress, never code.
    let seen = battle(&app, &cy, &id).await;
    assert!(!seen.to_string().contains("print(42)"));
    assert_eq!(seen["players"][0]["submissions"], 1);
    // Nor does the opponent see it while the battle is played.
    let bob_sees = json_of(
        app.get_with_token(&format!("/api/battle/{id}/submissions"), &_bob)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(bob_sees["submissions"].as_array().unwrap().len(), 0);
}

async fn submissions_outside_the_active_window_are_refused(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let ada = app.user("ada").await;
    let created = json_of(
        app.post(&ada, "/api/battle/create", &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().unwrap();
    let body = json!({"language": "python", "source": CORRECT});
    assert_problem(
        app.post(&ada, &format!("/api/battle/{id}/submissions"), &body)
            .await,
        StatusCode::CONFLICT,
        "battle_not_active",
    )
    .await;
    let withdrawn = app
        .client
        .delete(app.url(&format!("/api/battle/{id}")))
        .bearer_auth(&ada)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_of(withdrawn, StatusCode::OK).await["reason"],
        "withdrawn"
    );
    assert_problem(
        app.post(&ada, &format!("/api/battle/{id}/submissions"), &body)
            .await,
        StatusCode::CONFLICT,
        "battle_over",
    )
    .await;
    // One at a time.
    let (ada, _, id) = started_by(&app, "eve", "fay").await;
    submit(&app, &ada, &id, WRONG).await;
    assert_problem(
        app.post(&ada, &format!("/api/battle/{id}/submissions"), &body)
            .await,
        StatusCode::TOO_MANY_REQUESTS,
        "still_judging",
    )
    .await;
}

async fn a_result_delivered_twice_changes_nothing(mode: Mode) {
    // No sandbox worker: this test plays the worker, taking the jobs off the queue.
    let app = TestApp::spawn(mode).await;
    let (ada, bob, id) = started(&app).await;
    let queue = JobQueue::new(app.infra().broker().await.unwrap())
        .await
        .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let mut jobs = queue.consume_jobs(2, shutdown.clone());
    let mine = submit(&app, &ada, &id, WRONG).await;
    let theirs = submit(&app, &bob, &id, WRONG).await;
    let mut taken = Vec::new();
    for _ in 0..2 {
        let delivery = tokio::time::timeout(Duration::from_secs(20), jobs.recv())
            .await
            .unwrap()
            .unwrap();
        taken.push(serde_json::from_slice::<JudgeJob>(&delivery.payload).unwrap());
        delivery.ack.ack().await.unwrap();
    }
    let ada_id = battle(&app, &ada, &id).await;
    let ada_id = user_id(&ada_id, "ada");
    let (ada_job, bob_job) = match taken[0].owner.to_string() == ada_id {
        true => (&taken[0], &taken[1]),
        false => (&taken[1], &taken[0]),
    };
    let outcome = |name: &str, verdict| TestOutcome {
        name: name.into(),
        verdict,
        time_ms: 1,
        memory_bytes: 1,
    };
    let mut result = JobResult::for_job(ada_job, Verdict::WrongAnswer);
    result.tests = vec![
        outcome("sample/1", Verdict::Accepted),
        outcome("secret/1", Verdict::Accepted),
        outcome("secret/2", Verdict::WrongAnswer),
    ];
    queue.publish_result(&result).await.unwrap();
    queue.publish_result(&result).await.unwrap();
    let mut accepted = result.clone();
    accepted.verdict = Verdict::Accepted;
    queue.publish_result(&accepted).await.unwrap();
    // Results are handled in the order they come: once Bob's (published last) is in,
    // every one of Ada's was handled.
    queue
        .publish_result(&JobResult::for_job(bob_job, Verdict::WrongAnswer))
        .await
        .unwrap();
    judged(&app, &bob, &id, theirs["id"].as_str().unwrap()).await;
    let judged = judged(&app, &ada, &id, mine["id"].as_str().unwrap()).await;
    assert_eq!(
        (judged["verdict"].as_str(), judged["score"].as_i64()),
        (Some("WA"), Some(1))
    );
    let log = events(&app, &ada, &id, 0).await;
    let ada_judged = log
        .iter()
        .filter(|e| e["type"] == "judged" && e["user_id"] == ada_id)
        .count();
    assert_eq!(ada_judged, 1);
    assert_eq!(battle(&app, &ada, &id).await["state"], "active");
    shutdown.cancel();
}

async fn bad_input_gets_clear_problems(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let ada = app.user("ada").await;
    let unknown = uuid::Uuid::now_v7();
    assert_problem(
        app.get_with_token(&format!("/api/battle/{unknown}"), &ada)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_with_token("/api/battle/not-a-uuid", &ada).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.post(&ada, "/api/battle/create", &json!({"problem": "nope"}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.post(&ada, "/api/battle/join/nope", &json!({})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_problem(
        app.post(&ada, "/api/battle/queue", &json!({"mode": "private"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/battle/mine").await,
        StatusCode::UNAUTHORIZED,
        "missing_token",
    )
    .await;
    let (ada, _bob, id) = started_by(&app, "eve", "fay").await;
    let path = format!("/api/battle/{id}/submissions");
    assert_problem(
        app.post(
            &ada,
            &path,
            &json!({"language": "cobol", "source": CORRECT}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_language",
    )
    .await;
    let huge = "#".repeat(70 * 1024);
    assert_problem(
        app.post(&ada, &path, &json!({"language": "python", "source": huge}))
            .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    let enormous = "#".repeat(300 * 1024);
    assert_problem(
        app.post(
            &ada,
            &path,
            &json!({"language": "python", "source": enormous}),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert_problem(
        app.post(&ada, &path, &json!({"language": "python", "source": "  "}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.post(&ada, &path, &json!({"source": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    // Nothing was recorded by any of those.
    let mine = json_of(app.get_with_token(&path, &ada).await, StatusCode::OK).await;
    assert_eq!(mine["submissions"].as_array().unwrap().len(), 0);
    // The event log's query outside the bounds its document gives (found by
    // scripts/check-api-fuzz: a limit out of range was clamped and answered 200).
    for query in ["after=x", "limit=0", "limit=501", "limit=-1"] {
        assert_problem(
            app.get_with_token(&format!("/api/battle/{id}/events?{query}"), &ada)
                .await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        )
        .await;
    }
    // A negative `after` is documented as "from the start", like 0.
    let all = json_of(
        app.get_with_token(&format!("/api/battle/{id}/events?after=0&limit=500"), &ada)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!all["events"].as_array().unwrap().is_empty());
    let negative = json_of(
        app.get_with_token(&format!("/api/battle/{id}/events?after=-1"), &ada)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(negative["events"][0], all["events"][0]);
    assert_eq!(all["events"][0]["seq"], 1);
}

async fn one_battle_at_a_time_and_no_queue_while_in_one(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let ada = app.user("ada").await;
    let created = json_of(
        app.post(&ada, "/api/battle/create", &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let code = created["invite_code"].as_str().unwrap();
    assert_problem(
        app.post(&ada, &format!("/api/battle/join/{code}"), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "own_invite",
    )
    .await;
    assert_problem(
        app.post(&ada, "/api/battle/create", &json!({})).await,
        StatusCode::CONFLICT,
        "already_in_battle",
    )
    .await;
    assert_problem(
        app.post(&ada, "/api/battle/queue", &json!({"mode": "casual"}))
            .await,
        StatusCode::CONFLICT,
        "already_in_battle",
    )
    .await;
    let bob = app.user("bob").await;
    json_of(
        app.post(&bob, "/api/battle/queue", &json!({"mode": "casual"}))
            .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_problem(
        app.post(&bob, "/api/battle/queue", &json!({"mode": "casual"}))
            .await,
        StatusCode::CONFLICT,
        "already_queued",
    )
    .await;
    assert_problem(
        app.post(&bob, &format!("/api/battle/join/{code}"), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "already_queued",
    )
    .await;
    let left = app
        .client
        .delete(app.url("/api/battle/queue"))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(left.status(), StatusCode::NO_CONTENT);
    json_of(
        app.post(&bob, &format!("/api/battle/join/{code}"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let cy = app.user("cyd").await;
    assert_problem(
        app.post(&cy, &format!("/api/battle/join/{code}"), &json!({}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}
