//! The battle service end to end: two (or more) players over HTTP, with every other
//! service running, in both modes. Games that need verdicts run a real sandbox worker.

use std::time::Duration;

use codearena::cluster::Service;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app::{Mode, SUM, TestApp};
use crate::helpers::{assert_problem, metric_sum};
use crate::in_both_modes;

/// Passes every test.
pub(crate) const CORRECT: &str = "a, b = map(int, input().split())\nprint(a + b)\n";
/// Fails the first secret test and passes the other two (and the sample): score 2, as
/// battles judge every test.
pub(crate) const PARTIAL: &str =
    "a, b = map(int, input().split())\nprint(a + b if a + b != 30 else 0)\n";
/// Fails everything.
pub(crate) const WRONG: &str = "print(42)\n";

in_both_modes!(
    the_catalogue_shows_statements_and_samples_but_no_secret_data,
    an_accepted_submission_wins_at_once_and_then_both_codes_are_public,
    on_time_the_higher_score_wins,
    on_time_equal_scores_go_to_whoever_reached_them_first,
    nothing_passed_by_either_is_a_draw,
    resigning_gives_the_opponent_the_win,
    a_matched_player_who_never_arrives_cancels_the_battle,
);

pub(crate) async fn json_of(response: reqwest::Response, status: StatusCode) -> Value {
    let got = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

pub(crate) async fn battle(app: &TestApp, token: &str, id: &str) -> Value {
    json_of(
        app.get_with_token(&format!("/api/battle/{id}"), token)
            .await,
        StatusCode::OK,
    )
    .await
}

/// Waits (with a deadline) until the battle is in `state`, and returns it.
pub(crate) async fn wait_state(app: &TestApp, token: &str, id: &str, state: &str) -> Value {
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
pub(crate) async fn started(app: &TestApp) -> (String, String, String) {
    started_by(app, "ada", "bob").await
}

/// Like [`started`], between players of other names.
pub(crate) async fn started_by(
    app: &TestApp,
    first: &str,
    second: &str,
) -> (String, String, String) {
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

pub(crate) async fn submit(app: &TestApp, token: &str, id: &str, source: &str) -> Value {
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
pub(crate) async fn judged(app: &TestApp, token: &str, id: &str, sid: &str) -> Value {
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

pub(crate) async fn events(app: &TestApp, token: &str, id: &str, after: i64) -> Vec<Value> {
    let page = json_of(
        app.get_with_token(&format!("/api/battle/{id}/events?after={after}"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    page["events"].as_array().unwrap().clone()
}

/// Waits (with a deadline) until `token`'s player is matched; the battle's id.
pub(crate) async fn matched(app: &TestApp, token: &str) -> String {
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

pub(crate) fn user_id(battle: &Value, name: &str) -> Value {
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
    for counted in [
        "battle_submissions_total",
        "battle_judged_total{verdict=\"AC\"}",
        "battle_events_total{type=\"finished\"}",
        "battle_outbox_delay_seconds_count",
    ] {
        let value = metric_sum(&metrics, counted);
        assert!(value >= 1.0, "{counted} is {value}");
    }
    for name in ["battle_outbox_pending", "battle_battles{state="] {
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
