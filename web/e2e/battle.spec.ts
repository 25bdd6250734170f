// A whole rated battle in three browsers (Debian's Chromium) against a running CodeArena:
// Ada and Bob sign up and queue, and are matched; Carol watches from the lobby's live list;
// Ada's tab reloads mid-battle and gets the room and her code back; Bob submits a wrong
// solution and sees WA, Ada a right one; all three see the end, the winner and the rating
// changes. Screenshots of the lobby, the battle room and the end screen are saved.
//
//   BASE_URL=http://127.0.0.1:PORT CORRECT=... WRONG=... LANGUAGE=python npx playwright test
//
// The battle's problem is whatever the server's catalogue has (the Rust test that runs this
// installs only "sum": read a and b, print a + b); CORRECT and WRONG are its solutions.

import { expect, test, type Browser, type Page } from "@playwright/test";
import path from "node:path";

const CORRECT = process.env.CORRECT ?? "a, b = map(int, input().split())\nprint(a + b)\n";
const WRONG = process.env.WRONG ?? "print(42)\n";
const LANGUAGE = process.env.LANGUAGE ?? "python";
const SHOTS = process.env.SCREENSHOTS ?? path.join(process.cwd(), "test-results", "screenshots");
const tag = Math.random().toString(36).slice(2, 7);

async function signUp(browser: Browser, name: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => console.log(`[${name}] page error: ${e.message}`));
  await page.goto("/");
  // Signed out: the lobby sends to sign-in, which links to sign-up.
  await expect(page).toHaveURL(/\/signin/);
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

async function editorText(page: Page): Promise<string> {
  return page.locator(".cm-content").first().evaluate((el) => (el as HTMLElement).innerText);
}

test("two players battle, a third watches, a reload loses nothing", async ({ browser }) => {
  const ada = await signUp(browser, "ada");
  const bob = await signUp(browser, "bob");
  const carol = await signUp(browser, "carol");

  await ada.screenshot({ path: path.join(SHOTS, "lobby.png") });

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
  await live.getByRole("link", { name: "Watch" }).first().click();
  await expect(carol).toHaveURL(battleUrl);
  await expect(carol.getByText("spectating")).toBeVisible();
  await expect(carol.getByTestId("submit")).toHaveCount(0);

  // Ada writes half her solution, and her tab reloads: the room and the code come back.
  await setCode(ada, "# thinking...\n" + CORRECT);
  await ada.getByTestId("run").click();
  await expect(ada.getByTestId("stdout")).toHaveText("3");
  await expect(ada.getByTestId("sample-match")).toHaveText("Matches the sample's output");
  await ada.reload();
  await expect(ada.getByTestId("submit")).toBeEnabled();
  expect(await editorText(ada)).toContain("# thinking...");
  expect(await editorText(ada)).toContain("print(a + b)");

  // Bob submits a wrong answer: WA, with his verdict per test; everyone sees his attempt.
  await setCode(bob, WRONG);
  await bob.getByTestId("submit").click();
  await expect(bob.getByTestId("submission-verdict").first()).toContainText("WA", { timeout: 60_000 });
  await bob.getByTestId("submissions").locator("button").first().click();
  await expect(bob.locator(".tests")).toContainText("WA");
  await expect(ada.getByTestId("opponent-card")).toContainText("1 attempt");
  await expect(ada.getByTestId("opponent-card").locator("[data-verdict=WA]")).toBeVisible();
  await expect(carol.locator("[data-verdict=WA]").first()).toBeVisible();

  await ada.screenshot({ path: path.join(SHOTS, "battle-room.png") });

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
  await expect(ada.locator(".final-code-col").nth(1)).toContainText("print(42)");
  await ada.screenshot({ path: path.join(SHOTS, "end-screen.png") });

  // The replay lists the submissions with their verdicts and code.
  await ada.getByRole("link", { name: "Watch the replay" }).click();
  const timeline = ada.getByTestId("timeline");
  await expect(timeline).toContainText("submitted #1");
  await timeline.getByRole("button", { name: /AC/ }).click();
  await expect(ada.locator(".replay-code")).toContainText("print(a + b)");

  // The profile shows the new rating.
  await ada.getByRole("link", { name: "Profile" }).click();
  await expect(ada.getByTestId("profile-rating")).not.toHaveText("1500");
  await expect(ada.locator(".chart svg")).toBeVisible();
});
