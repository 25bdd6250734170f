import { defineConfig } from "@playwright/test";

// Browser tests against a running CodeArena: BASE_URL is where it is served (the Rust test
// that starts embedded mode or a cluster behind nginx sets it). Debian's Chromium is used;
// Playwright never downloads a browser (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 at install).
const base = process.env.BASE_URL ?? "http://localhost:8083";

export default defineConfig({
  testDir: "e2e",
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: process.env.E2E_OUTPUT ?? "test-results",
  use: {
    baseURL: base,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
});
