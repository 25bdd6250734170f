//! The auth API as a client sees it, in both modes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app::{Mode, SECRET, TestApp};
use crate::helpers::assert_problem;
use crate::in_both_modes;

in_both_modes!(
    register_login_me_verify_refresh_logout,
    verify_rejects_forged_expired_and_unsigned_tokens,
    registration_validates_every_field,
    malformed_oversized_and_mistyped_bodies_are_problems,
    duplicate_username_or_email_is_a_conflict,
    unknown_user_and_wrong_password_look_the_same,
    repeated_failures_on_an_account_answer_429,
    repeated_failures_from_one_address_answer_429,
    parallel_guesses_cannot_outrun_the_limit,
    one_address_cannot_register_without_end,
    a_reused_refresh_token_ends_the_session,
    unknown_routes_and_methods_are_problems,
    openapi_document_is_served,
    metrics_record_duration_by_route_and_status,
);

async fn register_login_me_verify_refresh_logout(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let registered = app.signed_up("ada").await;
    assert_eq!(registered["token_type"], "Bearer");
    assert_eq!(registered["expires_in"], 7 * 24 * 3600);
    assert_eq!(registered["user"]["username"], "ada");
    assert_eq!(registered["user"]["email"], "ada@example.com");

    // Login by email, in another case; token responses are never cached.
    let response = app.login("ADA@example.com", "correct horse").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let session: Value = response.json().await.unwrap();
    let access = session["access_token"].as_str().unwrap().to_owned();
    assert_eq!(session["user"]["id"], registered["user"]["id"]);

    let me = app.get_with_token("/api/auth/me", &access).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["username"], "ada");
    assert!(me.get("password_hash").is_none());

    let verified = app.get_with_token("/api/auth/verify", &access).await;
    assert_eq!(verified.status(), StatusCode::OK);
    assert_eq!(verified.headers()["x-username"], "ada");
    assert_eq!(
        verified.headers()["x-user-id"],
        registered["user"]["id"].as_str().unwrap()
    );
    let identity: Value = verified.json().await.unwrap();
    assert_eq!(identity["user_id"], registered["user"]["id"]);

    let refreshed = app
        .refresh(session["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let refreshed: Value = refreshed.json().await.unwrap();
    assert_ne!(refreshed["refresh_token"], session["refresh_token"]);
    let new_access = refreshed["access_token"].as_str().unwrap().to_owned();
    let verified = app.get_with_token("/api/auth/verify", &new_access).await;
    assert_eq!(verified.status(), StatusCode::OK);

    assert_eq!(
        app.logout(&new_access).await.status(),
        StatusCode::NO_CONTENT
    );
    // Logout ends the session: both access tokens of it and its refresh token are dead.
    for token in [&access, &new_access] {
        let after = app.get_with_token("/api/auth/verify", token).await;
        assert_problem(after, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
    let after = app
        .refresh(refreshed["refresh_token"].as_str().unwrap())
        .await;
    assert_problem(after, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    // The session from registration is a different one and still works.
    let first = registered["access_token"].as_str().unwrap();
    assert_eq!(
        app.get_with_token("/api/auth/me", first).await.status(),
        StatusCode::OK
    );
}

fn sign(header: &Value, claims: &Value, secret: &[u8]) -> String {
    use hmac_sha256::sign as hmac;
    let head = URL_SAFE_NO_PAD.encode(header.to_string());
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(hmac(secret, format!("{head}.{body}").as_bytes()));
    format!("{head}.{body}.{signature}")
}

/// HMAC-SHA256 written out from RFC 2104, so the test does not trust the code under test.
mod hmac_sha256 {
    use sha2::{Digest, Sha256};

    pub fn sign(key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            block[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
        let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
        let inner_hash = Sha256::new()
            .chain_update(&inner)
            .chain_update(message)
            .finalize();
        Sha256::new()
            .chain_update(&outer)
            .chain_update(inner_hash)
            .finalize()
            .to_vec()
    }
}

async fn verify_rejects_forged_expired_and_unsigned_tokens(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let registered = app.signed_up("grace").await;
    let good = registered["access_token"].as_str().unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});

    // Our own signature over the real claims is accepted: the forgeries below differ only
    // in what they test.
    let control = sign(&hs256, &claims, SECRET.as_bytes());
    assert_eq!(
        app.get_with_token("/api/auth/verify", &control)
            .await
            .status(),
        StatusCode::OK
    );

    let mut expired = claims.clone();
    expired["iat"] = json!(claims["iat"].as_i64().unwrap() - 30 * 24 * 3600);
    expired["exp"] = json!(claims["iat"].as_i64().unwrap() - 3600);
    let mut admin = claims.clone();
    admin["name"] = json!("admin");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(admin.to_string()),
        parts[2]
    );
    let none_header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
    let unsigned = format!("{none_header}.{}.", parts[1]);
    let hs512 = sign(
        &json!({"alg": "HS512", "typ": "JWT"}),
        &claims,
        SECRET.as_bytes(),
    );

    let cases = [
        ("expired", sign(&hs256, &expired, SECRET.as_bytes())),
        (
            "wrong secret",
            sign(&hs256, &claims, b"some-other-secret-some-other-secret"),
        ),
        ("tampered claims", tampered),
        ("alg none", unsigned),
        ("other algorithm", hs512),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (what, token) in cases {
        let response = app.get_with_token("/api/auth/verify", &token).await;
        assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
    let missing = app.get("/api/auth/verify").await;
    assert_problem(missing, StatusCode::UNAUTHORIZED, "missing_token").await;
}

async fn registration_validates_every_field(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({"username": "a b", "email": "not-an-email", "password": "short"}),
        )
        .await;
    let body = assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "email", "password"]);
    let long = app.register("x", &"p".repeat(129)).await;
    assert_problem(long, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    // Nothing was written: the name is still free.
    assert_eq!(
        app.register("a_b", "long enough").await.status(),
        StatusCode::CREATED
    );
}

async fn malformed_oversized_and_mistyped_bodies_are_problems(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let url = app.url("/api/auth/register");
    let client = &app.client;
    let send = |body: String, content_type: &'static str| {
        client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let malformed = send("{\"username\":".into(), "application/json")
        .await
        .unwrap();
    assert_problem(malformed, StatusCode::BAD_REQUEST, "malformed_json").await;
    let missing = send("{\"username\":\"ada\"}".into(), "application/json")
        .await
        .unwrap();
    assert_problem(missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let mistyped = send(
        "{\"username\":1,\"email\":2,\"password\":3}".into(),
        "application/json",
    )
    .await
    .unwrap();
    assert_problem(mistyped, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
    let text = send("username=ada".into(), "text/plain").await.unwrap();
    assert_problem(
        text,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let huge =
        json!({"username": "ada", "email": "ada@example.com", "password": "p".repeat(64 * 1024)});
    let huge = send(huge.to_string(), "application/json").await.unwrap();
    assert_problem(huge, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    let login = client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    assert_problem(login, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

async fn duplicate_username_or_email_is_a_conflict(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    app.signed_up("Linus").await;
    let again = app
        .post_json(
            "/api/auth/register",
            &json!({"username": "LINUS", "email": "someone@example.com", "password": "correct horse"}),
        )
        .await;
    let body = assert_problem(again, StatusCode::CONFLICT, "already_taken").await;
    assert_eq!(body["errors"][0]["field"], "username");
    let email = app
        .post_json(
            "/api/auth/register",
            &json!({"username": "torvalds", "email": "Linus@Example.com", "password": "correct horse"}),
        )
        .await;
    let body = assert_problem(email, StatusCode::CONFLICT, "already_taken").await;
    assert_eq!(body["errors"][0]["field"], "email");
}

async fn unknown_user_and_wrong_password_look_the_same(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    app.signed_up("alan").await;
    let wrong = app.login("alan", "wrong password").await;
    let wrong = assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let unknown = app.login("nobody", "wrong password").await;
    let unknown = assert_problem(unknown, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(wrong, unknown);
    assert_eq!(
        app.login("alan", "correct horse").await.status(),
        StatusCode::OK
    );
}

async fn repeated_failures_on_an_account_answer_429(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    app.signed_up("barbara").await;
    // The limit counts per account, whichever of its names is typed.
    for login in [
        "barbara",
        "BARBARA@example.com",
        "barbara",
        "barbara@example.com",
        "Barbara",
    ] {
        let r = app.login(login, "wrong password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = app.login("barbara", "correct horse").await;
    let retry: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "retry-after {retry}");
    assert_problem(locked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Another account from the same address is not locked by this one.
    app.signed_up("edsger").await;
    assert_eq!(
        app.login("edsger", "correct horse").await.status(),
        StatusCode::OK
    );
}

async fn repeated_failures_from_one_address_answer_429(mode: Mode) {
    let app = TestApp::spawn_with(mode, |s| s.auth.login_failures_per_address = 4).await;
    app.signed_up("margaret").await;
    for i in 0..4 {
        let r = app.login(&format!("guess{i}"), "wrong password").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let blocked = app.login("margaret", "correct horse").await;
    assert_problem(blocked, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

async fn parallel_guesses_cannot_outrun_the_limit(mode: Mode) {
    let app = std::sync::Arc::new(TestApp::spawn(mode).await);
    app.signed_up("target").await;
    let guesses: Vec<_> = (0..16)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.login("target", &format!("guess number {i}"))
                    .await
                    .status()
            })
        })
        .collect();
    let mut checked = 0;
    for guess in guesses {
        match guess.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        checked, 5,
        "only the account's 5 attempts reach the password check"
    );
}

async fn one_address_cannot_register_without_end(mode: Mode) {
    let app = TestApp::spawn_with(mode, |s| s.auth.registrations_per_address = 2).await;
    app.signed_up("first").await;
    // An invalid registration costs nothing and does not count.
    let invalid = app.register("x", "short").await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.signed_up("second").await;
    let third = app.register("third", "correct horse").await;
    assert!(third.headers().contains_key("retry-after"));
    assert_problem(third, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

async fn a_reused_refresh_token_ends_the_session(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let session = app.signed_up("mallory").await;
    let first = session["refresh_token"].as_str().unwrap();
    let rotated: Value = app.refresh(first).await.json().await.unwrap();
    let second = rotated["refresh_token"].as_str().unwrap();

    let replay = app.refresh(first).await;
    assert_problem(replay, StatusCode::UNAUTHORIZED, "refresh_token_reused").await;
    let after = app.refresh(second).await;
    assert_problem(after, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
    let access = rotated["access_token"].as_str().unwrap();
    let verify = app.get_with_token("/api/auth/verify", access).await;
    assert_problem(verify, StatusCode::UNAUTHORIZED, "invalid_token").await;
    let bogus = app.refresh("not-a-token").await;
    assert_problem(bogus, StatusCode::UNAUTHORIZED, "invalid_refresh_token").await;
}

async fn unknown_routes_and_methods_are_problems(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let missing = app.get("/api/auth/nope").await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
    let method = app.get("/api/auth/login").await;
    assert_problem(method, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
}

async fn openapi_document_is_served(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    let doc: Value = app
        .get("/api/auth/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/auth/verify"]["get"].is_object());
}

async fn metrics_record_duration_by_route_and_status(mode: Mode) {
    let app = TestApp::spawn(mode).await;
    app.signed_up("metric").await;
    assert_eq!(
        app.login("metric", "nope-nope").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let text = app.get("/metrics").await.text().await.unwrap();
    for needle in [
        r#"http_request_duration_seconds_bucket{method="POST",route="/api/auth/register",status="201""#,
        r#"http_request_duration_seconds_bucket{method="POST",route="/api/auth/login",status="401""#,
        "http_requests_in_flight",
        "process_resident_memory_bytes",
    ] {
        assert!(text.contains(needle), "/metrics lacks {needle}");
    }
}
