// A whole rated battle in three browsers (Debian's Chromium) against a running CodeArena:
// Ada and Bob sign up and queue, and are matched; Carol watches from the lobby's live list;
// Bob's connection drops (a banner) while Ada tries a wrong solution, and his screen catches
// up when he is back; Ada's tab reloads mid-battle and gets the room and her code back; Bob
// submits a wrong solution and sees WA, Ada a right one; all three see the end, the winner
// and the rating changes. Screenshots of the lobby, the battle room and the end screen.
//
//   BASE_URL=http://127.0.0.1:PORT CORRECT=... WRONG=... LANGUAGE=python npx playwright test
//
// The battle's problem is whatever the server's catalogue has (the Rust test that runs this
// installs only "sum": read a and b, print a + b); CORRECT and WRONG are its solutions.

import { expect, test, type Browser, type Page, type WebSocketRoute } from "@playwright/test";
import { AxeBuilder } from "@axe-core/playwright";
import path from "node:path";

const CORRECT = process.env.CORRECT ?? "a, b = map(int, input().split())\nprint(a + b)\n";
const WRONG = process.env.WRONG ?? "print(42)\n";
const LANGUAGE = process.env.LANGUAGE ?? "python";
const SHOTS = process.env.SCREENSHOTS ?? path.join(process.cwd(), "test-results", "screenshots");
const tag = Math.random().toString(36).slice(2, 7);

/** No WCAG 2 A/AA violation that axe-core calls serious or critical on the page. */
async function accessible(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const found = bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `accessibility of ${what}`).toEqual([]);
}

async function signUp(browser: Browser, name: string, colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`[${name}] page error: ${e.message}`));
  await page.goto("/");
  // Signed out: the lobby sends to sign-in, which links to sign-up.
  await expect(page).toHaveURL(/\/signin/);
  await accessible(page, `the sign-in page (${colorScheme})`);
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Username").fill(`${name}${tag}`);
  await page.getByLabel("Email").fill(`${name}${tag}@example.com`);
  // A password the API refuses: its message appears at the field.
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator("#f-password-error")).toContainText("Password");
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByRole("heading", { name: "Play now" })).toBeVisible();
  await expect(page.getByTestId("whoami")).toHaveText(`${name}${tag}`);
  return page;
}

/** Replaces the editor's text (as a paste would). */
async function setCode(page: Page, code: string) {
  const editor = page.locator(".cm-content").first();
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(code);
}

/**
 * A switch for a page's connection to the realtime service: while cut, its websocket is
 * closed and new ones (and long-polling requests) are refused, as when a laptop drops off
 * the network; the rest of the page keeps working.
 */
async function cuttable(page: Page) {
  let cut = false;
  const open = new Set<WebSocketRoute>();
  await page.context().routeWebSocket(/\/socket\.io\//, (ws) => {
    if (cut) {
      void ws.close();
      return;
    }
    const server = ws.connectToServer();
    // Engine.IO's upgrade packet ("5") says the page moved off long-polling onto this one.
    ws.onMessage((message) => {
      server.send(message);
      if (message === "5") open.add(ws);
    });
    ws.onClose(() => open.delete(ws));
  });
  // Long-polling, and the battle's event log over HTTP: while cut, what Bob missed can only
  // come from the socket's catch-up once he is back.
  await page.context().route(/\/socket\.io\/|\/api\/battle\/[^/]+\/events/, (route) =>
    cut ? route.abort() : route.continue(),
  );
  return {
    /** Resolves once the page's socket is on a websocket (it starts on long-polling, and a
     * cut before the upgrade would wait for the pending poll to time out). */
    async upgraded() {
      await expect.poll(() => open.size, { timeout: 30_000 }).toBeGreaterThan(0);
    },
    async cut() {
      cut = true;
      for (const ws of [...open]) await ws.close();
      open.clear();
    },
    restore() {
      cut = false;
    },
  };
}

test("two players battle, a third watches, a reload loses nothing", async ({ browser }) => {
  const ada = await signUp(browser, "ada");
  const bob = await signUp(browser, "bob");
  // Carol's browser prefers the dark scheme.
  const carol = await signUp(browser, "carol", "dark");

  // Ada queues first and waits, with the time she has waited and a way out.
  await ada.getByRole("button", { name: "Play rated" }).click();
  await expect(ada.getByTestId("queue-status")).toContainText("Looking for a rated opponent");
  await expect(ada.getByRole("button", { name: "Cancel" })).toBeVisible();
  await bob.getByRole("button", { name: "Play rated" }).click();

  // Matched: both land in the same battle room.
  await ada.waitForURL(/\/battle\/[0-9a-f-]{36}$/);
  await bob.waitForURL(/\/battle\/[0-9a-f-]{36}$/);
  const battleUrl = ada.url();
  expect(bob.url()).toBe(battleUrl);

  // The statement (Markdown with math) and the samples are there.
  await expect(ada.getByRole("heading", { name: "Sum" })).toBeVisible();
  await expect(ada.locator(".statement .katex").first()).toBeVisible();
  await expect(ada.getByRole("button", { name: "Copy input" })).toBeVisible();

  // Both arrive, the countdown runs, the battle starts.
  for (const page of [ada, bob]) {
    await expect(page.getByTestId("submit")).toBeEnabled({ timeout: 60_000 });
    await page.getByTestId("language").selectOption(LANGUAGE);
  }

  // Carol finds the battle in the lobby's live list and watches.
  await carol.reload();
  const live = carol.getByTestId("live-battles");
  await expect(live).toContainText(`ada${tag}`);
  await carol.screenshot({ path: path.join(SHOTS, "lobby.png") });
  await accessible(carol, "the lobby (dark)");
  await live.locator("li", { hasText: `ada${tag}` }).getByRole("link", { name: "Watch" }).click();
  await expect(carol).toHaveURL(battleUrl);
  await expect(carol.getByText("spectating")).toBeVisible();
  await expect(carol.getByTestId("submit")).toHaveCount(0);
  // Both players were there before her: she sees both connected.
  await expect(carol.locator(".player-card [aria-label=connected]")).toHaveCount(2);

  // Bob's connection drops: he sees a banner. Meanwhile Ada runs and submits a wrong first
  // try; when Bob is back, his screen has caught up with it.
  const bobLine = await cuttable(bob);
  await bob.reload();
  await expect(bob.getByTestId("submit")).toBeEnabled();
  await bobLine.upgraded();
  await bobLine.cut();
  await expect(bob.getByTestId("reconnecting")).toBeVisible();
  await setCode(ada, WRONG);
  await ada.getByTestId("submit").click();
  await expect(ada.getByTestId("submission-verdict").first()).toContainText("WA", { timeout: 60_000 });
  bobLine.restore();
  await expect(bob.getByTestId("reconnecting")).toBeHidden({ timeout: 30_000 });
  await expect(bob.getByTestId("opponent-card")).toContainText("1 attempt");
  await expect(bob.getByTestId("opponent-card").locator("[data-verdict=WA]")).toBeVisible();

  // Ada writes half her solution, and her tab reloads: the room and the code come back.
  await setCode(ada, "# thinking...\n" + CORRECT);
  await ada.getByRole("tab", { name: "Run" }).click();
  await ada.getByTestId("run").click();
  await expect(ada.getByTestId("stdout")).toHaveText("3");
  await expect(ada.getByTestId("sample-match")).toHaveText("Matches the sample's output");
  await ada.reload();
  await expect(ada.getByTestId("submit")).toBeEnabled();
  await expect(ada.locator(".cm-content").first()).toContainText("# thinking...");
  await expect(ada.locator(".cm-content").first()).toContainText("print(a + b)");

  // Bob submits a wrong answer: WA, with his verdict per test; everyone sees his attempt.
  await setCode(bob, WRONG);
  await bob.getByTestId("submit").click();
  await expect(bob.getByTestId("submission-verdict").first()).toContainText("WA", { timeout: 60_000 });
  await bob.getByTestId("submissions").locator("button").first().click();
  await expect(bob.locator(".tests")).toContainText("WA");
  await expect(ada.getByTestId("opponent-card")).toContainText("1 attempt");
  await expect(ada.getByTestId("opponent-card").locator("[data-verdict=WA]")).toBeVisible();
  const bobOnCarols = carol.locator(".player-card", { hasText: `bob${tag}` });
  await expect(bobOnCarols).toContainText("1 attempt");
  await expect(bobOnCarols.locator("[data-verdict=WA]")).toBeVisible();

  await ada.screenshot({ path: path.join(SHOTS, "battle-room.png") });
  await accessible(ada, "the battle room");
  await accessible(carol, "the battle room of a spectator (dark)");

  // Ada submits the right one and wins.
  await setCode(ada, CORRECT);
  await ada.getByTestId("submit").click();

  await expect(ada.getByTestId("end-title")).toHaveText("You won!", { timeout: 60_000 });
  await expect(bob.getByTestId("end-title")).toHaveText("You lost");
  await expect(carol.getByTestId("end-title")).toHaveText(`ada${tag} won`);

  // The rating changes reach every screen: Ada up, Bob down.
  for (const page of [ada, bob, carol]) {
    await expect(page.getByTestId(`rating-change-ada${tag}`)).toContainText("(+", { timeout: 60_000 });
    await expect(page.getByTestId(`rating-change-bob${tag}`)).toContainText("(-");
  }
  // Both codes side by side.
  await expect(ada.locator(".final-code-col")).toHaveCount(2);
  await expect(ada.locator(".final-code-col", { hasText: `bob${tag}` })).toContainText("print(42)");
  await expect(ada.locator(".final-code-col", { hasText: `ada${tag}` })).toContainText("print(a + b)");
  await ada.screenshot({ path: path.join(SHOTS, "end-screen.png") });
  await accessible(ada, "the end screen");

  // The replay lists the submissions with their verdicts and code.
  await ada.getByRole("link", { name: "Watch the replay" }).click();
  const timeline = ada.getByTestId("timeline");
  await expect(timeline).toContainText("submitted #1");
  await timeline.getByRole("button", { name: /AC/ }).click();
  await expect(ada.locator(".replay-code")).toContainText("print(a + b)");

  // The profile shows the new rating.
  await ada.getByRole("link", { name: "Profile" }).click();
  await expect(ada.getByTestId("profile-rating")).toHaveText(/^15[0-9][0-9]$/);
  await expect(ada.getByTestId("profile-rating")).not.toHaveText("1500");
  await expect(ada.locator(".chart svg")).toBeVisible();
});
