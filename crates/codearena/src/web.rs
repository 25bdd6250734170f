//! The web app in embedded mode: the files of `web/dist`, compiled into the binary by
//! `build.rs` ([`BUILT`]), served from the router's fallback — so every API route, health,
//! metrics and `/socket.io/` come first. In cluster mode nginx serves the same files
//! (`deploy/nginx/codearena.conf.template`, with the same headers).
//!
//! - A file of the table is served with its type; files under `/assets/` (Vite names them
//!   by content hash) are cached for a year, everything else is revalidated (`no-cache`).
//!   A `.gz` sibling in the table is sent instead to clients that accept gzip.
//! - Any other GET or HEAD that a browser navigates to (it accepts HTML, or its last
//!   segment has no extension) gets `index.html`: the app's router reads the path. Paths of
//!   the API, `/internal/`, `/socket.io` and the operational endpoints never do; they and
//!   missing files (`/assets/gone.js`) get the usual problem+json 404.
//! - Built without the web app (an empty table), those pages answer 503 with a page
//!   saying how to build it; the API works as ever.

use axum::Router;
use axum::body::Body;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use platform::metrics::RouteLabel;

/// One file of the built web app, at its URL path (`/index.html`, `/assets/index-3f2a.js`).
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub path: &'static str,
    pub bytes: &'static [u8],
}

/// The web app compiled into this binary; empty if `web/dist` was not built.
pub static BUILT: &[Asset] = include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The `content-security-policy` of every HTML answer: Vite's build has no inline script;
/// KaTeX and CodeMirror set inline styles; fonts may be inlined as data URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; \
     frame-ancestors 'none'; base-uri 'self'; object-src 'none'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";
/// Paths that belong to the services, never to the web app (with everything under them).
const NOT_PAGES: [&str; 6] = [
    "/api",
    "/internal",
    "/socket.io",
    "/healthz",
    "/readyz",
    "/metrics",
];

/// The page served in place of the app by a binary built without it.
pub const NOT_BUILT_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CodeArena: the web app is not built</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5 }
code { background: #eee; padding: 0 .2em }
</style>
</head>
<body>
<h1>The web app is not built</h1>
<p>This CodeArena binary was built without its web app (there was no
<code>web/dist</code> when it was compiled), so it has no pages to show.</p>
<p>To fix it, start CodeArena with <code>scripts/run</code>, which builds the web app
first; or build it yourself with <code>npm ci &amp;&amp; npm run build</code> in
<code>web/</code> (Node.js 20.19 or newer) and then rebuild the binary
(<code>cargo build -p codearena</code>).</p>
<p>The API works meanwhile, under
<a href="/api/battle/openapi.json"><code>/api/…</code></a>.</p>
</body>
</html>
"#;

/// Serves `assets` (normally [`BUILT`]) for every request no route matched; meant as the
/// application's fallback (`platform::http::Layers::fallback`).
pub fn router(assets: &'static [Asset]) -> Router {
    Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap| async move {
            serve(assets, &method, uri.path(), &headers)
        },
    )
}

fn serve(assets: &'static [Asset], method: &Method, path: &str, headers: &HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return platform::http::no_such_route().into_response();
    }
    if let Some(asset) = find(assets, path) {
        return file(assets, asset, headers);
    }
    if !is_page(path, headers) {
        return platform::http::no_such_route().into_response();
    }
    match find(assets, "/index.html") {
        Some(index) => file(assets, index, headers),
        None => not_built(),
    }
}

fn find(assets: &'static [Asset], path: &str) -> Option<&'static Asset> {
    assets.iter().find(|asset| asset.path == path)
}

/// A path the app's router answers: not one of the services', not under `/assets/`, and
/// asked for as a page.
fn is_page(path: &str, headers: &HeaderMap) -> bool {
    let reserved = NOT_PAGES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if reserved || path.starts_with("/assets/") {
        return false;
    }
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let last = path.rsplit('/').next().unwrap_or_default();
    accepts_html || !last.contains('.')
}

fn file(assets: &'static [Asset], asset: &'static Asset, headers: &HeaderMap) -> Response {
    let cache = if asset.path.starts_with("/assets/") {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    let gzipped = accepts_gzip(headers)
        .then(|| find(assets, &format!("{}.gz", asset.path)))
        .flatten();
    let content_type = content_type(asset.path);
    let mut response = Response::new(Body::from(gzipped.unwrap_or(asset).bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if gzipped.is_some() {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    secure(&mut response, content_type.starts_with("text/html"));
    response
}

fn not_built() -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, NO_CACHE),
        ],
        NOT_BUILT_PAGE,
    )
        .into_response();
    secure(&mut response, true);
    response
}

/// Headers of every web answer; the route label keeps the metrics at one series for all.
fn secure(response: &mut Response, html: bool) {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    response.extensions_mut().insert(RouteLabel("spa"));
}

/// `gzip` is among the accepted encodings (and not refused with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    let Some(accept) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        name.eq_ignore_ascii_case("gzip") && !refused
    })
}

/// The content type of a file by its extension.
fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn pages_are_what_a_browser_navigates_to_outside_the_services() {
        let none = HeaderMap::new();
        let html = accept("text/html,application/xhtml+xml,*/*;q=0.8");
        for path in [
            "/",
            "/battle/0190b7a4-7d0e-7000-8000-000000000000",
            "/join/AB12CD",
        ] {
            assert!(is_page(path, &none), "{path}");
        }
        assert!(is_page("/u/some.name", &html));
        assert!(!is_page("/favicon.ico", &none));
        assert!(!is_page("/robots.txt", &accept("*/*")));
        for path in [
            "/api",
            "/api/nope",
            "/internal/execution/judge",
            "/socket.io",
            "/socket.io/?EIO=4",
            "/healthz",
            "/readyz",
            "/metrics",
            "/assets/missing",
        ] {
            assert!(!is_page(path, &html), "{path}");
        }
        // Only whole segments are reserved.
        assert!(is_page("/apiary", &none));
        assert!(is_page("/metrics-explained", &none));
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br"));
        assert!(with("br;q=1.0, GZIP;q=0.5"));
        assert!(!with("br"));
        assert!(!with("gzip;q=0"));
        assert!(!with("gzip; q=0.000"));
        assert!(with("gzip;q=0.05"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn types_come_from_the_extension() {
        assert_eq!(content_type("/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("/assets/a.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("/assets/a.js.gz"), "application/octet-stream");
        assert_eq!(content_type("/assets/KaTeX_Main.woff2"), "font/woff2");
        assert_eq!(
            content_type("/manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("/LICENSE"), "application/octet-stream");
    }
}
