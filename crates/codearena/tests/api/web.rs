//! The web app in embedded mode (`codearena::web`): its files with their types and cache
//! headers, the app's page for every path a browser navigates to, 404s for what is missing
//! and for the services' paths, and the page of a binary built without the web app.
//!
//! The serving is tested over tables of its own (with and without the app), served as the
//! application's fallback the way embedded mode serves it; the table compiled into this
//! binary depends on whether `web/dist` was built first, and is tested when it was.

use axum::Router;
use codearena::web::{self, Asset};
use platform::http::{Layers, finish};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_TYPE, HeaderMap};
use testkit::TestServer;

use crate::app::{Mode, TestApp};
use crate::helpers::assert_problem;

const INDEX: &str = "<!doctype html><title>CodeArena</title><div id=root></div>";
const HTML: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

static APP: &[Asset] = &[
    Asset {
        path: "/assets/index-3f2a9c.js",
        bytes: b"console.log('arena')",
    },
    Asset {
        path: "/assets/index-3f2a9c.js.gz",
        bytes: b"\x1f\x8b pretend gzip",
    },
    Asset {
        path: "/assets/index-77b1e0.css",
        bytes: b"body{margin:0}",
    },
    Asset {
        path: "/assets/KaTeX_Main-Regular.woff2",
        bytes: b"wOF2",
    },
    Asset {
        path: "/favicon.svg",
        bytes: b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    },
    Asset {
        path: "/index.html",
        bytes: INDEX.as_bytes(),
    },
];

/// A table of a build without `web/dist`.
static NONE: &[Asset] = &[];

/// An API route beside the web app, to show that routes come first.
async fn serve(assets: &'static [Asset]) -> TestServer {
    let api = Router::new().route("/api/auth/ping", axum::routing::get(|| async { "pong" }));
    let layers = Layers {
        readiness: Vec::new(),
        trust_forwarded_for: false,
        fallback: Some(web::router(assets)),
    };
    TestServer::start(finish(api, layers)).await
}

async fn get(server: &TestServer, path: &str, accept: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .header(ACCEPT, accept)
        .send()
        .await
        .unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_default()
}

fn assert_html_headers(headers: &HeaderMap) {
    assert_eq!(header(headers, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(headers, "cache-control"), "no-cache");
    assert_eq!(header(headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(headers, "referrer-policy"), "same-origin");
    let csp = header(headers, "content-security-policy");
    assert_eq!(csp, web::CONTENT_SECURITY_POLICY);
    for directive in [
        "default-src 'self'",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{csp}");
    }
    assert!(!csp.contains("script-src 'unsafe-inline'"), "{csp}");
}

#[tokio::test]
async fn files_are_served_with_their_type_and_hashed_assets_are_immutable() {
    let server = serve(APP).await;
    for (path, content_type, body) in [
        (
            "/assets/index-3f2a9c.js",
            "text/javascript; charset=utf-8",
            "console.log('arena')",
        ),
        (
            "/assets/index-77b1e0.css",
            "text/css; charset=utf-8",
            "body{margin:0}",
        ),
        ("/assets/KaTeX_Main-Regular.woff2", "font/woff2", "wOF2"),
    ] {
        let response = get(&server, path, "*/*").await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "content-type"), content_type, "{path}");
        assert_eq!(
            header(&headers, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(header(&headers, "content-security-policy"), "", "not HTML");
        assert_eq!(response.text().await.unwrap(), body);
    }

    let icon = get(&server, "/favicon.svg", "image/*").await;
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(header(icon.headers(), "content-type"), "image/svg+xml");
    assert_eq!(header(icon.headers(), "cache-control"), "no-cache");

    let index = get(&server, "/index.html", HTML).await;
    assert_eq!(index.status(), StatusCode::OK);
    assert_html_headers(index.headers());
    assert_eq!(index.text().await.unwrap(), INDEX);

    let head = server
        .client
        .head(server.url("/assets/index-77b1e0.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(head.headers(), "content-length"), "14");
    assert_eq!(head.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn a_gzipped_sibling_goes_to_clients_that_accept_gzip() {
    let server = serve(APP).await;
    // reqwest is built without gzip: it neither asks for nor decodes it.
    let path = "/assets/index-3f2a9c.js";
    let gzipped = server
        .client
        .get(server.url(path))
        .header(ACCEPT_ENCODING, "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(header(gzipped.headers(), "content-encoding"), "gzip");
    assert_eq!(header(gzipped.headers(), "vary"), "accept-encoding");
    assert_eq!(
        header(gzipped.headers(), CONTENT_TYPE.as_str()),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        gzipped.bytes().await.unwrap().as_ref(),
        b"\x1f\x8b pretend gzip"
    );

    let plain = get(&server, path, "*/*").await;
    assert_eq!(header(plain.headers(), "content-encoding"), "");
    assert_eq!(plain.text().await.unwrap(), "console.log('arena')");
    // Files without a sibling are sent as they are.
    let css = server
        .client
        .get(server.url("/assets/index-77b1e0.css"))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(header(css.headers(), "content-encoding"), "");
    assert_eq!(css.text().await.unwrap(), "body{margin:0}");
}

#[tokio::test]
async fn the_apps_routes_get_index_html() {
    let server = serve(APP).await;
    let battle = "/battle/0190b7a4-7d0e-7000-8000-0000000000a1";
    for (path, accept) in [
        ("/", HTML),
        (battle, HTML),
        ("/join/AB12CD", HTML),
        // Navigations without an Accept header still look like pages.
        ("/join/AB12CD", "*/*"),
        ("/leaderboard?page=2", "*/*"),
        // A dot in the last segment is fine for a browser asking for HTML.
        ("/u/jo.doe", HTML),
    ] {
        let response = get(&server, path, accept).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_html_headers(response.headers());
        assert_eq!(response.text().await.unwrap(), INDEX, "{path}");
    }
    let head = server.client.head(server.url(battle)).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(head.headers(), CACHE_CONTROL.as_str()), "no-cache");

    // One series for every page, not one per path.
    let metrics = platform::metrics::render();
    assert!(metrics.contains(r#"route="spa""#), "{metrics}");
    assert!(!metrics.contains(r#"route="/battle"#), "{metrics}");
    assert!(!metrics.contains(r#"route="/join"#), "{metrics}");
}

#[tokio::test]
async fn the_services_paths_and_missing_files_are_404_problems() {
    let server = serve(APP).await;
    let pong = get(&server, "/api/auth/ping", HTML).await;
    assert_eq!(pong.text().await.unwrap(), "pong", "routes come first");
    for path in [
        "/api/nope",
        "/api/battle/battles/x/nope",
        "/api",
        "/internal/execution/judge",
        "/socket.io",
        "/assets/missing.js",
        "/assets/missing",
    ] {
        let response = get(&server, path, HTML).await;
        let body = assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
        assert_eq!(body["detail"], "No such route.", "{path}");
    }
    // A missing file is not a page either, unless a browser navigates to it.
    for (path, accept) in [("/favicon.ico", "image/*"), ("/robots.txt", "*/*")] {
        let response = get(&server, path, accept).await;
        assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    }
    // Only GET and HEAD are the app's.
    let post = server
        .client
        .post(server.url("/battle/x"))
        .send()
        .await
        .unwrap();
    assert_problem(post, StatusCode::NOT_FOUND, "not_found").await;
    // The operational endpoints are the services'.
    let health = get(&server, "/healthz", HTML).await;
    assert_eq!(header(health.headers(), "content-type"), "application/json");
}

#[tokio::test]
async fn without_the_web_app_pages_say_how_to_build_it_and_the_api_still_works() {
    let server = serve(NONE).await;
    for path in [
        "/",
        "/battle/0190b7a4-7d0e-7000-8000-0000000000a1",
        "/join/AB12CD",
    ] {
        let response = get(&server, path, HTML).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert_eq!(
            header(response.headers(), "content-type"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            header(response.headers(), "content-security-policy"),
            web::CONTENT_SECURITY_POLICY
        );
        let page = response.text().await.unwrap();
        assert_eq!(page, web::NOT_BUILT_PAGE);
        for hint in ["scripts/run", "npm ci &amp;&amp; npm run build", "/api/"] {
            assert!(page.contains(hint), "{hint}");
        }
    }
    let missing = get(&server, "/assets/index-3f2a9c.js", "*/*").await;
    assert_problem(missing, StatusCode::NOT_FOUND, "not_found").await;
    let api = get(&server, "/api/nope", HTML).await;
    assert_problem(api, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        get(&server, "/api/auth/ping", HTML)
            .await
            .text()
            .await
            .unwrap(),
        "pong"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_mode_serves_the_web_app_it_was_built_with_beside_the_api() {
    let app = TestApp::spawn(Mode::Embedded).await;
    let nope = app.get("/api/nope").await;
    assert_problem(nope, StatusCode::NOT_FOUND, "not_found").await;
    let document = app.get("/api/rating/openapi.json").await;
    assert_eq!(document.status(), StatusCode::OK);

    let page = app
        .client
        .get(app.url("/battle/0190b7a4-7d0e-7000-8000-0000000000a1"))
        .header(ACCEPT, HTML)
        .send()
        .await
        .unwrap();
    let status = page.status();
    assert_html_headers(page.headers());
    let body = page.text().await.unwrap();
    if web::BUILT.is_empty() {
        println!("skipped: this binary was built without web/dist (scripts/build-web builds it)");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body, web::NOT_BUILT_PAGE);
        return;
    }
    let index = web::BUILT
        .iter()
        .find(|asset| asset.path == "/index.html")
        .expect("a built table has index.html");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_bytes(), index.bytes);
    // Its scripts are in the table too, cached for good.
    let script = web::BUILT
        .iter()
        .find(|asset| asset.path.starts_with("/assets/") && asset.path.ends_with(".js"))
        .expect("Vite's build has a script under /assets/");
    let response = app.get(script.path).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(response.headers(), "cache-control"),
        "public, max-age=31536000, immutable"
    );
}
