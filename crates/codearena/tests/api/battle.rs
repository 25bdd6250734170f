//! The battle service end to end: two (or more) players over HTTP, with every other
//! service running, in both modes. Games that need verdicts run a real sandbox worker.

use std::time::Duration;

use codearena::cluster::Service;
use contracts::execution::{JobResult, JudgeJob, TestOutcome, Verdict};
use execution::queue::JobQueue;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app::{Mode, SUM, TestApp};
use crate::helpers::assert_problem;
use crate::in_both_modes;

/// Passes every test.
const CORRECT: &str = "a, b = map(int, input().split())\nprint(a + b)\n";
/// Passes the first two secret tests (and the sample), fails the third: score 2.
const PARTIAL: &str =
    "a, b = map(int, input().split())\nprint(a + b if abs(a + b) < 10**9 else 0)\n";
/// Fails everything.
const WRONG: &str = "print(42)\n";

in_both_modes!(
    the_catalogue_shows_statements_and_samples_but_no_secret_data,
    an_accepted_submission_wins_at_once_and_then_both_codes_are_public,
    on_time_the_higher_score_wins,
    on_time_equal_scores_go_to_whoever_reached_them_first,
    nothing_passed_by_either_is_a_draw,
    resigning_gives_the_opponent_the_win,
    a_matched_player_who_never_arrives_cancels_the_battle,
    strangers_get_403_on_anything_private,
    submissions_outside_the_active_window_are_refused,
    a_result_delivered_twice_changes_nothing,
    bad_input_gets_clear_problems,
    one_battle_at_a_time_and_no_queue_while_in_one,
);

async fn json_of(response: reqwest::Response, status: StatusCode) -> Value {
    let got = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn battle(app: &TestApp, token: &str, id: &str) -> Value {
    json_of(
        app.get_with_token(&format!("/api/battle/{id}"), token)
            .await,
        StatusCode::OK,
    )
    .await
}

/// Waits (with a deadline) until the battle is in `state`, and returns it.
async fn wait_state(app: &TestApp, token: &str, id: &str, state: &str) -> Value {
    let mut last = Value::Null;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        last = battle(app, token, id).await;
        if last["state"] == state {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("battle {id} never became {state}: {last}");
}

/// Ada creates a battle on the sum problem, Bob joins; returns their tokens and the
/// battle's id once it is active.
async fn started(app: &TestApp) -> (String, String, String) {
    started_by(app, "ada", "bob").await
}

/// Like [`started`], between players of other names.
async fn started_by(app: &TestApp, first: &str, second: &str) -> (String, String, String) {
    let ada = app.user(first).await;
    let bob = app.user(second).await;
    let created = json_of(
        app.post(&ada, "/api/battle/create", &json!({"problem": SUM}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let code = created["invite_code"].as_str().unwrap().to_owned();
    assert!(
        created["invite_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/join/{code}"))
    );
    let id = created["id"].as_str().unwrap().to_owned();
    json_of(
        app.post(&bob, &format!("/api/battle/join/{code}"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    wait_state(app, &ada, &id, "active").await;
    (ada, bob, id)
}

async fn submit(app: &TestApp, token: &str, id: &str, source: &str) -> Value {
    let r = app
        .post(
            token,
            &format!("/api/battle/{id}/submissions"),
            &json!({"language": "python", "source": source}),
        )
        .await;
    json_of(r, StatusCode::ACCEPTED).await
}

/// Waits until `token`'s submission `sid` is judged, and returns it.
async fn judged(app: &TestApp, token: &str, id: &str, sid: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let s = json_of(
            app.get_with_token(&format!("/api/battle/{id}/submissions/{sid}"), token)
                .await,
            StatusCode::OK,
        )
        .await;
        if s["status"] == "judged" {
            return s;
        }
        assert!(std::time::Instant::now() < deadline, "never judged: {s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn events(app: &TestApp, token: &str, id: &str, after: i64) -> Vec<Value> {
    let page = json_of(
        app.get_with_token(&format!("/api/battle/{id}/events?after={after}"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    page["events"].as_array().unwrap().clone()
}

/// Waits (with a deadline) until `token`'s player is matched; the battle's id.
async fn matched(app: &TestApp, token: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = json_of(
            app.get_with_token("/api/battle/queue", token).await,
            StatusCode::OK,
        )
        .await;
        if let Some(id) = status["battle_id"].as_str() {
            return id.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never matched: {status}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn user_id(battle: &Value, name: &str) -> Value {
    battle["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["username"] == name)
        .unwrap()["user_id"]
        .clone()
}

async fn the_catalogue_shows_statements_and_samples_but_no_secret_data(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let list = json_of(app.get("/api/battle/problems").await, StatusCode::OK).await;
    let problems = list["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0]["slug"], SUM);
    assert_eq!(problems[0]["tests"], 3);
    let detail = json_of(
        app.get(&format!("/api/battle/problems/{SUM}")).await,
        StatusCode::OK,
    )
    .await;
    assert!(detail["statement"].as_str().unwrap().contains("$a + b$"));
    assert_eq!(detail["samples"][0]["input"], "1 2\n");
    let text = detail.to_string();
    assert!(
        !text.contains("1500000000"),
        "a secret input leaked: {text}"
    );
    assert_problem(
        app.get("/api/battle/problems/nope").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn an_accepted_submission_wins_at_once_and_then_both_codes_are_public(mode: Mode) {
    let app = TestApp::spawn_judging(mode).await;
    let (ada, bob, id) = started(&app).await;
    let wrong = submit(&app, &bob, &id, WRONG).await;
    let wrong = judged(&app, &bob, &id, wrong["id"].as_str().unwrap()).await;
    assert_eq!(wrong["verdict"], "WA");
    // Per-test verdicts for the submitter.
    assert!(
        wrong["report"]["tests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["verdict"] == "WA")
    );
    let right = submit(&app, &ada, &id, CORRECT).await;
    judged(&app, &ada, &id, right["id"].as_str().unwrap()).await;
    let done = wait_state(&app, &bob, &id, "finished").await;
    assert_eq!(done["winner"], user_id(&done, "ada"));
    assert_eq!(done["reason"], "accepted");
    let codes: Vec<&str> = done["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&CORRECT) && codes.contains(&WRONG),
        "{codes:?}"
    );
    // A stranger may read a finished battle.
    let cy = app.user("cyd").await;
    assert_eq!(
        battle(&app, &cy, &id).await["submissions"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let log = events(&app, &cy, &id, 0).await;
    let kinds: Vec<&str> = log.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"created"));
    assert_eq!(kinds.last(), Some(&"finished"));
    let seqs: Vec<i64> = log.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
    assert!(
        !log.iter().any(|e| e.to_string().contains("print(")),
        "code in an event"
    );
    assert_eq!(events(&app, &cy, &id, 3).await.len(), log.len() - 3);
    // The battle service's metrics.
    let url = app.server(Service::Battle).url("/metrics");
    let metrics = app
        .client
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "battle_submissions_total",
        "battle_judged_total{verdict=\"AC\"}",
        "battle_events_total{type=\"finished\"}",
        "battle_outbox_delay_seconds",
        "battle_outbox_pending",
        "battle_battles{state=",
    ] {
        assert!(metrics.contains(name), "{name} missing");
    }
}

/// A battle of `secs` seconds between Ada and Bob.
async fn timed(mode: Mode, secs: i64) -> (TestApp, String, String, String) {
    let app = TestApp::spawn_with(mode, |s| {
        s.execution.workers = Some(1);
        s.battle.duration_secs = secs;
    })
    .await;
    let (ada, bob, id) = started(&app).await;
    (app, ada, bob, id)
}

async fn on_time_the_higher_score_wins(mode: Mode) {
    let (app, ada, bob, id) = timed(mode, 6).await;
    let s = submit(&app, &bob, &id, WRONG).await;
    judged(&app, &bob, &id, s["id"].as_str().unwrap()).await;
    let s = submit(&app, &ada, &id, PARTIAL).await;
    let s = judged(&app, &ada, &id, s["id"].as_str().unwrap()).await;
    assert_eq!(
        (s["verdict"].as_str(), s["score"].as_i64()),
        (Some("WA"), Some(2))
    );
    let done = wait_state(&app, &ada, &id, "finished").await;
    assert_eq!(done["winner"], user_id(&done, "ada"));
    assert_eq!(done["reason"], "score");
}

async fn on_time_equal_scores_go_to_whoever_reached_them_first(mode: Mode) {
    let (app, ada, bob, id) = timed(mode, 8).await;
    let first = submit(&app, &bob, &id, PARTIAL).await;
    judged(&app, &bob, &id, first["id"].as_str().unwrap()).await;
    let second = submit(&app, &ada, &id, PARTIAL).await;
    judged(&app, &ada, &id, second["id"].as_str().unwrap()).await;
    let done = wait_state(&app, &ada, &id, "finished").await;
    assert_eq!(done["winner"], user_id(&done, "bob"));
    assert_eq!(done["reason"], "tie_break");
}

async fn nothing_passed_by_either_is_a_draw(mode: Mode) {
    let (app, ada, _bob, id) = timed(mode, 2).await;
    let done = wait_state(&app, &ada, &id, "finished").await;
    assert_eq!(done["reason"], "draw");
    assert!(done.get("winner").is_none(), "{done}");
}

async fn resigning_gives_the_opponent_the_win(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let (ada, bob, id) = started(&app).await;
    let done = json_of(
        app.post(&ada, &format!("/api/battle/{id}/resign"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(done["state"], "finished");
    assert_eq!(done["winner"], user_id(&done, "bob"));
    assert_eq!(done["reason"], "resigned");
    assert_problem(
        app.post(&bob, &format!("/api/battle/{id}/resign"), &json!({}))
            .await,
        StatusCode::CONFLICT,
        "battle_over",
    )
    .await;
    // Both are free to play again.
    let mine = json_of(
        app.get_with_token("/api/battle/mine", &ada).await,
        StatusCode::OK,
    )
    .await;
    assert!(mine.get("active").is_none());
    assert_eq!(mine["history"][0]["id"], id.as_str());
}

async fn a_matched_player_who_never_arrives_cancels_the_battle(mode: Mode) {
    let app = TestApp::spawn_with(mode, |s| s.battle.arrive_secs = 1).await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    for token in [&ada, &bob] {
        let queued = json_of(
            app.post(token, "/api/battle/queue", &json!({"mode": "rated"}))
                .await,
            StatusCode::ACCEPTED,
        )
        .await;
        assert_eq!(queued["state"], "queued");
    }
    let id = matched(&app, &ada).await;
    let arrived = json_of(
        app.post(&ada, &format!("/api/battle/{id}/ready"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(arrived["state"], "waiting");
    let done = wait_state(&app, &ada, &id, "cancelled").await;
    assert_eq!(done["reason"], "no_show");
    assert_eq!(done["mode"], "rated");
    let status = json_of(
        app.get_with_token("/api/battle/queue", &bob).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(status["state"], "idle");
}

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
    // No sandbox worker: this test plays the worker, taking the job off the queue.
    let app = TestApp::spawn(mode).await;
    let (ada, _bob, id) = started(&app).await;
    let queue = JobQueue::new(app.infra().broker().await.unwrap())
        .await
        .unwrap();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let mut jobs = queue.consume_jobs(1, shutdown.clone());
    let s = submit(&app, &ada, &id, WRONG).await;
    let delivery = tokio::time::timeout(Duration::from_secs(20), jobs.recv())
        .await
        .unwrap()
        .unwrap();
    let job: JudgeJob = serde_json::from_slice(&delivery.payload).unwrap();
    delivery.ack.ack().await.unwrap();
    let mut result = JobResult::for_job(&job, Verdict::WrongAnswer);
    result.tests = vec![
        TestOutcome {
            name: "sample/1".into(),
            verdict: Verdict::Accepted,
            time_ms: 1,
            memory_bytes: 1,
        },
        TestOutcome {
            name: "secret/1".into(),
            verdict: Verdict::Accepted,
            time_ms: 1,
            memory_bytes: 1,
        },
        TestOutcome {
            name: "secret/2".into(),
            verdict: Verdict::WrongAnswer,
            time_ms: 1,
            memory_bytes: 1,
        },
    ];
    queue.publish_result(&result).await.unwrap();
    queue.publish_result(&result).await.unwrap();
    let mut accepted = result.clone();
    accepted.verdict = Verdict::Accepted;
    queue.publish_result(&accepted).await.unwrap();
    let judged = judged(&app, &ada, &id, s["id"].as_str().unwrap()).await;
    assert_eq!(
        (judged["verdict"].as_str(), judged["score"].as_i64()),
        (Some("WA"), Some(1))
    );
    // Wait for every delivery to be handled: the battle's log settles.
    testkit::wait_until(Duration::from_secs(20), "results handled", || async {
        let depth = app
            .infra()
            .broker()
            .await
            .unwrap()
            .depth(&contracts::names::subscriber_queue(
                contracts::names::EXECUTION_RESULTS,
                "battle",
            ))
            .await
            .unwrap_or(1);
        depth == 0
    })
    .await;
    let log = events(&app, &ada, &id, 0).await;
    assert_eq!(log.iter().filter(|e| e["type"] == "judged").count(), 1);
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
    assert_problem(
        app.get_with_token(&format!("/api/battle/{id}/events?after=x"), &ada)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
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

/// Two battle replicas run matchmaking rounds over one queue: every player ends up in
/// exactly one battle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_battle_replicas_never_pair_a_player_twice() {
    let app = TestApp::spawn(Mode::Cluster).await;
    let second = app.replica(Service::Battle).await;
    let mut tokens = Vec::new();
    for i in 0..16 {
        tokens.push(app.user(&format!("player{i}")).await);
    }
    for (i, token) in tokens.iter().enumerate() {
        let url = if i % 2 == 0 {
            app.url("/api/battle/queue")
        } else {
            second.url("/api/battle/queue")
        };
        let r = app
            .client
            .post(url)
            .bearer_auth(token)
            .json(&json!({"mode": "rated"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    let mut battles = std::collections::HashMap::new();
    for token in &tokens {
        let id = matched(&app, token).await;
        *battles.entry(id).or_insert(0) += 1;
    }
    assert_eq!(battles.len(), 8, "{battles:?}");
    assert!(battles.values().all(|n| *n == 2), "{battles:?}");
    let mut players = std::collections::HashSet::new();
    for id in battles.keys() {
        let b = battle(&app, &tokens[0], id).await;
        for p in b["players"].as_array().unwrap() {
            assert!(
                players.insert(p["user_id"].to_string()),
                "{} in two battles",
                p["username"]
            );
        }
    }
    assert_eq!(players.len(), 16);
}
