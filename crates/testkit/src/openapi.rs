//! Does a service's router serve exactly the operations its OpenAPI document lists?

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use platform::http::{Layers, finish};
use serde_json::Value;

use crate::TestServer;

/// The methods a document can list that axum routes by (HEAD follows GET by itself).
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// The `(METHOD, path)` of every operation in `document`, e.g. `("GET", "/api/x/{id}")`.
pub fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().cloned().unwrap_or_default();
    paths
        .into_iter()
        .flat_map(|(path, item)| {
            let methods: Vec<String> = item
                .as_object()
                .into_iter()
                .flat_map(|item| item.keys())
                .filter(|key| METHODS.iter().any(|m| m.as_str().eq_ignore_ascii_case(key)))
                .map(|key| key.to_ascii_uppercase())
                .collect();
            methods.into_iter().map(move |m| (m, path.clone()))
        })
        .collect()
}

/// Panics unless `document` lists exactly `expected`, as `(METHOD, path)`.
pub fn assert_operations(document: &Value, expected: &[(&str, &str)]) {
    let expected: BTreeSet<(String, String)> = expected
        .iter()
        .map(|(method, path)| (method.to_string(), path.to_string()))
        .collect();
    assert_eq!(
        operations(document),
        expected,
        "documented (left), expected (right)"
    );
}

/// Panics unless `router` serves exactly what `document` lists: the same paths, on each
/// documented path the documented methods (a request is not answered by the fallbacks'
/// 404 "No such route." or 405 `method_not_allowed`), and no other method (those are 405).
///
/// The router is served as [`platform::http::finish`] serves it, on a real port, and asked
/// without credentials or a body: handlers answer such requests without touching storage.
pub async fn assert_serves_exactly(router: axum::Router, document: &Value) {
    let mut documented: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (method, path) in operations(document) {
        documented.entry(path).or_default().insert(method);
    }
    let served = route_paths(&router);
    assert!(!served.is_empty(), "found no routes in the router");
    let listed: BTreeSet<String> = documented.keys().cloned().collect();
    assert_eq!(
        served, listed,
        "the router's paths (left) are not the document's"
    );

    let app = finish(
        router,
        Layers {
            readiness: Vec::new(),
            trust_forwarded_for: false,
            fallback: None,
        },
    );
    let server = TestServer::start(app).await;
    for (path, methods) in &documented {
        let url = server.url(&with_parameters_filled(path));
        for method in METHODS {
            let response = server
                .client
                .request(method.clone(), &url)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let not_allowed =
                status == StatusCode::METHOD_NOT_ALLOWED && body["code"] == "method_not_allowed";
            let no_route = status == StatusCode::NOT_FOUND && body["detail"] == "No such route.";
            if methods.contains(method.as_str()) {
                assert!(
                    !not_allowed && !no_route,
                    "{method} {path} is documented but not served: {status} {body}"
                );
            } else {
                assert!(
                    not_allowed,
                    "{method} {path} is served but not documented: {status} {body}"
                );
            }
        }
    }
}

/// The paths `router` has routes for. axum has no API for this; its `Debug` output lists
/// them as `RouteId(n): "/path"`, the routes' before the fallback's. Should that change,
/// this finds none and the caller fails.
fn route_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let (routes, _fallbacks) = debug.split_once("fallback_router").unwrap_or_default();
    routes
        .split("RouteId(")
        .skip(1)
        .filter_map(|rest| {
            let (_, after) = rest.split_once("): \"")?;
            let (path, _) = after.split_once('"')?;
            Some(path.to_owned())
        })
        .collect()
}

/// `/jobs/{id}` → `/jobs/00000000-0000-0000-0000-000000000000`.
fn with_parameters_filled(path: &str) -> String {
    let mut filled = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        filled.push_str(before);
        filled.push_str(&uuid::Uuid::nil().to_string());
        rest = after.split_once('}').map_or("", |(_, tail)| tail);
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::{get, post};
    use serde_json::json;

    fn document() -> Value {
        json!({"paths": {
            "/a": {"get": {}, "summary": "not an operation"},
            "/b/{id}": {"post": {}, "parameters": []},
        }})
    }

    fn router() -> axum::Router {
        axum::Router::new()
            .route("/a", get(|| async {}))
            .route("/b/{id}", post(|| async {}))
    }

    #[test]
    fn operations_are_method_and_path() {
        assert_operations(&document(), &[("GET", "/a"), ("POST", "/b/{id}")]);
    }

    #[tokio::test]
    async fn a_router_that_serves_what_is_documented_passes() {
        assert_serves_exactly(router(), &document()).await;
    }

    #[tokio::test]
    #[should_panic(expected = "not the document's")]
    async fn an_undocumented_path_fails() {
        let router = router().route("/c", get(|| async {}));
        assert_serves_exactly(router, &document()).await;
    }

    #[tokio::test]
    #[should_panic(expected = "DELETE /a is served but not documented")]
    async fn an_undocumented_method_fails() {
        let router = router().route("/a", axum::routing::delete(|| async {}));
        assert_serves_exactly(router, &document()).await;
    }

    #[tokio::test]
    #[should_panic(expected = "PUT /b/{id} is documented but not served")]
    async fn a_documented_operation_that_is_not_served_fails() {
        let mut document = document();
        document["paths"]["/b/{id}"]["put"] = json!({});
        assert_serves_exactly(router(), &document).await;
    }

    #[test]
    fn parameters_are_filled_in() {
        assert_eq!(with_parameters_filled("/a"), "/a");
        assert_eq!(
            with_parameters_filled("/a/{id}/b"),
            "/a/00000000-0000-0000-0000-000000000000/b"
        );
    }

    #[test]
    fn route_paths_are_read_from_the_router() {
        let router = axum::Router::new()
            .route("/a", axum::routing::get(|| async {}))
            .route("/b/{id}", axum::routing::post(|| async {}));
        let expected: BTreeSet<String> = ["/a", "/b/{id}"].map(String::from).into();
        assert_eq!(route_paths(&router), expected);
        let with_fallback = router.fallback(|| async {});
        assert_eq!(route_paths(&with_fallback), expected);
    }
}
