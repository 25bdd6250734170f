//! The rating service end to end, in both modes: a rated battle played over HTTP moves
//! both players' ratings once (the battle's outbox → the results stream → the rating
//! consumer), the change is published on the rating channel, the leaderboard and history
//! show it, and matchmaking uses the new ratings. Private battles change nothing.

use std::time::Duration;

use contracts::names;
use platform::bus::BusEvent;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app::{Mode, TestApp};
use crate::battle::{battle, json_of, matched, started, user_id, wait_state};
use crate::helpers::assert_problem;
use crate::in_both_modes;

in_both_modes!(
    a_rated_battle_moves_both_ratings_once_and_matchmaking_uses_them,
    a_private_battle_changes_no_rating,
    bad_rating_requests_get_problems,
);

/// Ada and Bob meet through the rated queue; Ada resigns. The battle's id.
async fn rated_game(app: &TestApp, ada: &str, bob: &str) -> String {
    for token in [ada, bob] {
        json_of(
            app.post(token, "/api/battle/queue", &json!({"mode": "rated"}))
                .await,
            StatusCode::ACCEPTED,
        )
        .await;
    }
    let id = matched(app, ada).await;
    for token in [ada, bob] {
        json_of(
            app.post(token, &format!("/api/battle/{id}/ready"), &json!({}))
                .await,
            StatusCode::OK,
        )
        .await;
    }
    wait_state(app, ada, &id, "active").await;
    json_of(
        app.post(ada, &format!("/api/battle/{id}/resign"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    id
}

async fn player(app: &TestApp, user: &str) -> Value {
    json_of(
        app.get(&format!("/api/rating/users/{user}")).await,
        StatusCode::OK,
    )
    .await
}

/// Waits (with a deadline) until `user` has played `games` rated battles.
async fn after_games(app: &TestApp, user: &str, games: u64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let p = player(app, user).await;
        if p["games"] == games {
            return p;
        }
        assert!(std::time::Instant::now() < deadline, "never applied: {p}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn id_of(v: &Value) -> String {
    v.as_str().unwrap().to_owned()
}

async fn a_rated_battle_moves_both_ratings_once_and_matchmaking_uses_them(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let bus = app.infra().bus().await.unwrap();
    let mut channel = bus.subscribe(names::RATING_EVENTS).await.unwrap();
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let id = rated_game(&app, &ada, &bob).await;
    let done = battle(&app, &ada, &id).await;
    let (ada_id, bob_id) = (id_of(&user_id(&done, "ada")), id_of(&user_id(&done, "bob")));

    let winner = after_games(&app, &bob_id, 1).await;
    assert_eq!(winner["rating"], 1520.0);
    assert_eq!(
        (winner["wins"].clone(), winner["rank"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(winner["username"], "bob");
    assert_eq!(winner["peak"], 1520.0);
    let loser = after_games(&app, &ada_id, 1).await;
    assert_eq!(loser["rating"], 1480.0);
    assert_eq!(
        (loser["losses"].clone(), loser["rank"].clone()),
        (json!(1), json!(2))
    );

    // The change reaches the channel, once, with both players before and after.
    let event = tokio::time::timeout(Duration::from_secs(30), channel.recv())
        .await
        .expect("a rating event")
        .unwrap();
    let BusEvent::Message(payload) = event else {
        panic!("expected a message, got {event:?}");
    };
    let event: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(event["type"], "rating.updated");
    assert_eq!(event["battle_id"], id.as_str());
    let players = event["players"].as_array().unwrap();
    let bob_change = players.iter().find(|p| p["username"] == "bob").unwrap();
    assert_eq!(
        (bob_change["before"].clone(), bob_change["after"].clone()),
        (json!(1500.0), json!(1520.0))
    );
    assert_eq!(bob_change["k"], 40);

    let board = json_of(app.get("/api/rating/leaderboard").await, StatusCode::OK).await;
    assert_eq!(board["total"], 2);
    let names: Vec<_> = board["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["username"].clone())
        .collect();
    assert_eq!(names, vec![json!("bob"), json!("ada")]);
    assert_eq!(board["rows"][0]["rank"], 1);

    let history = json_of(
        app.get(&format!("/api/rating/users/{bob_id}/history"))
            .await,
        StatusCode::OK,
    )
    .await;
    let points = history["points"].as_array().unwrap();
    assert_eq!(points.len(), 1);
    assert_eq!(points[0]["battle_id"], id.as_str());
    assert_eq!(points[0]["opponent"], ada_id.as_str());
    assert_eq!(
        (points[0]["delta"].clone(), points[0]["outcome"].clone()),
        (json!(20.0), json!("win"))
    );

    // Matchmaking now sees Bob at 1520 and Ada at 1480.
    for (token, rating) in [(&bob, 1520), (&ada, 1480)] {
        let queued = json_of(
            app.post(token, "/api/battle/queue", &json!({"mode": "casual"}))
                .await,
            StatusCode::ACCEPTED,
        )
        .await;
        assert_eq!(queued["rating"], rating, "{queued}");
    }
}

async fn a_private_battle_changes_no_rating(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let (ada, bob, id) = started(&app).await;
    // Bob loses the private battle, then wins a rated one: only the win may count.
    json_of(
        app.post(&bob, &format!("/api/battle/{id}/resign"), &json!({}))
            .await,
        StatusCode::OK,
    )
    .await;
    let done = battle(&app, &ada, &id).await;
    let (ada_id, bob_id) = (id_of(&user_id(&done, "ada")), id_of(&user_id(&done, "bob")));
    let rated = rated_game(&app, &ada, &bob).await;
    let bob_rating = after_games(&app, &bob_id, 1).await;
    assert_eq!(
        (
            bob_rating["rating"].clone(),
            bob_rating["wins"].clone(),
            bob_rating["losses"].clone()
        ),
        (json!(1520.0), json!(1), json!(0))
    );
    let ada_rating = after_games(&app, &ada_id, 1).await;
    assert_eq!(
        (ada_rating["wins"].clone(), ada_rating["losses"].clone()),
        (json!(0), json!(1))
    );
    let history = json_of(
        app.get(&format!("/api/rating/users/{bob_id}/history"))
            .await,
        StatusCode::OK,
    )
    .await;
    let battles: Vec<_> = history["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["battle_id"].clone())
        .collect();
    assert_eq!(battles, vec![json!(rated)]);
}

async fn bad_rating_requests_get_problems(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    for query in ["page=0", "page=1001", "page=abc", "page=-1"] {
        assert_problem(
            app.get(&format!("/api/rating/leaderboard?{query}")).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        )
        .await;
    }
    assert_problem(
        app.get("/api/rating/users/not-a-user").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    for query in ["limit=x", "limit=0", "limit=1001", "after=-1"] {
        assert_problem(
            app.get(&format!(
                "/api/rating/users/00000000-0000-0000-0000-000000000001/history?{query}"
            ))
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
        )
        .await;
    }
    // Someone who never played a rated battle stands at 1500, unranked, with no history.
    let nobody = uuid::Uuid::now_v7();
    let p = player(&app, &nobody.to_string()).await;
    assert_eq!(
        (p["rating"].clone(), p["rank"].clone(), p["games"].clone()),
        (json!(1500.0), Value::Null, json!(0))
    );
    let history = json_of(
        app.get(&format!("/api/rating/users/{nobody}/history"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(history["points"], json!([]));
    let board = json_of(
        app.get("/api/rating/leaderboard?page=3").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (board["rows"].clone(), board["page"].clone()),
        (json!([]), json!(3))
    );
}
