//! The web app in a real browser: `web/e2e/battle.spec.ts` (Playwright driving Debian's
//! Chromium) plays a whole rated battle in three browser contexts — two players matched
//! from the lobby, a wrong and a right submission, a spectator, a reload mid-battle — in
//! embedded mode and through nginx in cluster mode. Screenshots of the lobby, the battle
//! room and the end screen go to `web/test-results/screenshots/<mode>/`.
//!
//! Needs what `scripts/test` prepares: the web app built before this binary (it is compiled
//! in), its npm packages (`@playwright/test`), and `/usr/bin/chromium`.

use std::path::PathBuf;
use std::process::Command;

use crate::app::{Mode, TestApp};
use crate::battle::{CORRECT, WRONG};
use crate::ingress::cluster_behind_nginx;

fn web_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

/// Runs the browser tests against `base`; panics with Playwright's report unless they pass.
fn run_playwright(base: &str, mode: &str) {
    let web = web_dir();
    assert!(
        web.join("node_modules/@playwright/test").is_dir(),
        "Playwright is not installed: run scripts/build-web (scripts/test does)"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        PathBuf::from(&chromium).exists(),
        "{chromium} is missing: install Debian's chromium (scripts/test does)"
    );
    let results = web.join("test-results").join(mode);
    let output = Command::new("npx")
        .args(["playwright", "test"])
        .current_dir(&web)
        .env("BASE_URL", base)
        .env("CORRECT", CORRECT)
        .env("WRONG", WRONG)
        .env("LANGUAGE", "python")
        .env("CHROMIUM", &chromium)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("E2E_OUTPUT", results.join("output"))
        .env("SCREENSHOTS", results.join("screenshots"))
        .output()
        .expect("npx runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser tests failed ({mode}):\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
    for shot in ["lobby", "battle-room", "end-screen"] {
        let file = results.join("screenshots").join(format!("{shot}.png"));
        assert!(file.is_file(), "no screenshot {}", file.display());
    }
}

fn require_built_web_app() {
    assert!(
        !codearena::web::BUILT.is_empty(),
        "this binary was built without the web app: run scripts/build-web, then the tests \
         again (scripts/test does both)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_a_battle_in_three_browsers() {
    require_built_web_app();
    let app = TestApp::spawn_judging(Mode::Embedded).await;
    let base = app.url("").trim_end_matches('/').to_owned();
    tokio::task::spawn_blocking(move || run_playwright(&base, "embedded"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_a_battle_in_three_browsers_through_nginx() {
    assert!(
        web_dir().join("dist/index.html").is_file(),
        "web/dist is not built: run scripts/build-web (scripts/test does)"
    );
    let cluster = cluster_behind_nginx().await;
    let base = cluster.ingress.base.clone();
    tokio::task::spawn_blocking(move || run_playwright(&base, "cluster"))
        .await
        .unwrap();
}
