/**
 * The portal's pages in a real browser: Debian's Chromium driven by `playwright-core`,
 * against the portal over HTTP. The islands must hydrate (a form that was not hydrated
 * would post to a JSON route and leave the page), the live status must follow a grading
 * without a reload, markup in a display name must stay text, and no page may log an error
 * (a Content-Security-Policy violation is one).
 *
 * Chromium comes from `scripts/install.sh` (`apt install chromium`); `CHROMIUM` names
 * another binary.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { createApp } from "./app.ts";
import { Assets } from "./_assets.ts";
import { Notifier } from "./events.ts";
import { SetupToken } from "./_setup.ts";
import { openStore, type Store } from "./store/mod.ts";
import { withPortalProcess } from "./_testing.ts";
import { runWorker } from "./worker.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const PASSWORD = "correct horse battery";
const SOLUTION = await Deno.readTextFile(`${ROOT}solutions/02-lms/lms.ts`);
const STUB = await Deno.readTextFile(`${ROOT}exercises/02-lms/lms.ts`);

/** Playwright keeps pipes and timers open between calls; the browser is closed at the end. */
const BROWSER_TEST = { sanitizeOps: false, sanitizeResources: false };

async function launch(): Promise<Browser> {
  try {
    await Deno.stat(CHROMIUM);
  } catch {
    throw new Error(
      `No Chromium at ${CHROMIUM}: run bash scripts/install.sh (it installs Debian's chromium)`,
    );
  }
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
}

/**
 * The errors worth failing for: all but the browser's own line for a 4xx answer, which the
 * steps that expect a refusal cause.
 */
function unexpected(errors: string[]): string[] {
  return errors.filter((error) => !/the server responded with a status of 4\d\d/.test(error));
}

/** A page that records every error the browser logs or throws. */
async function openPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  return page;
}

/** The portal's app on `Deno.serve` in this process, with its notifier and assets. */
async function servePortal(
  store: Store,
  options: { setupToken?: SetupToken } = {},
): Promise<{ origin: string; notifier: Notifier; server: Deno.HttpServer }> {
  const notifier = new Notifier();
  const assets = await Assets.load({ islands: true });
  const app: { fetch?: (request: Request) => Response | Promise<Response> } = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => app.fetch!(request),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  app.fetch = createApp({
    store,
    origin,
    notifier,
    assets,
    setupToken: options.setupToken ?? null,
  }).fetch;
  return { origin, notifier, server };
}

async function signIn(page: Page, origin: string, id: string, heading: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.fill("input[name=id]", id);
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button:has-text('Sign in')");
  await page.waitForSelector(`h1:has-text('${heading}')`);
}

async function upload(page: Page, exercise: string, source: string): Promise<string> {
  await page.selectOption("select[name=exercise]", exercise);
  await page.setInputFiles("input[name=file]", {
    name: "lms.ts",
    mimeType: "text/plain",
    buffer: Buffer.from(source),
  });
  await page.click("button:has-text('Submit for grading')");
  await page.waitForURL(/\/submissions\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

Deno.test({
  name: "in Chromium, a student signs in, submits, and watches the grading live",
  ...BROWSER_TEST,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "web-browser-test-" });
    const store = await openStore({ dataDir });
    const browser = await launch();
    const { origin, notifier, server } = await servePortal(store);
    const stopWorker = new AbortController();
    let worker: Promise<void> | undefined;
    const errors: string[] = [];
    try {
      await store.createUser({ id: "ada", name: "Ada L.", role: "student", password: PASSWORD });
      await store.createUser({
        id: "mallory",
        name: `<img src=x onerror="window.hacked = true">`,
        role: "student",
        password: PASSWORD,
      });
      const page = await openPage(browser, errors);

      await t.step("the sign-in form signs in without leaving the page", async () => {
        await page.goto(`${origin}/`);
        await page.fill("input[name=id]", "ada");
        await page.fill("input[name=password]", "not the password");
        await page.click("button:has-text('Sign in')");
        assert.match(await page.textContent("[role=alert]") ?? "", /Wrong id or password/);
        await signIn(page, origin, "ada", "Your exercises");
        assert.match(await page.textContent("header .who") ?? "", /Ada L\./);
      });

      let first = "";
      await t.step("a submission shows as queued, then graded, without a reload", async () => {
        first = await upload(page, "02-lms", SOLUTION);
        await page.waitForSelector("[data-status=queued]");
        // Set on this document: a reload would lose it.
        await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));
        worker = runWorker(store, {
          signal: stopWorker.signal,
          pollMs: 50,
          onEvent: (event) =>
            notifier.publish({ submission: event.submission, student: event.student }),
        });
        await page.waitForSelector("[data-status=done]", { timeout: 60_000 });
        assert.equal(await page.evaluate(() => "sameDocument" in globalThis), true);
        assert.equal(await page.textContent(".score strong"), "10 / 10");
        const outcomes = await page.$$eval(
          "table.tests tbody tr td:nth-child(2)",
          (cells) => cells.map((cell) => cell.textContent),
        );
        assert.ok(outcomes.length > 0);
        assert.ok(outcomes.every((outcome) => outcome === "passed"), outcomes.join());
      });

      await t.step("a stub's failures come with feedback and no expected values", async () => {
        await page.goto(`${origin}/`);
        await upload(page, "02-lms", STUB);
        await page.waitForSelector("[data-status=done]", { timeout: 60_000 });
        const score = await page.textContent(".score strong") ?? "";
        assert.match(score, /^0 \/ 10$/);
        const feedback = await page.$$eval(
          "table.tests tr.failed td.feedback",
          (cells) => cells.map((cell) => cell.textContent ?? ""),
        );
        assert.ok(feedback.length > 0);
        assert.ok(feedback.every((text) => text.startsWith("Failed: ")), feedback.join("\n"));
        assert.ok(feedback.every((text) => !/expected [-\d]/i.test(text)), feedback.join("\n"));
      });

      await t.step("the front page links the latest submission of each exercise", async () => {
        await page.goto(`${origin}/`);
        const links = await page.$$eval(
          "table.progress a",
          (anchors) => anchors.map((a) => a.getAttribute("href")),
        );
        assert.equal(links.length, 1);
        assert.notEqual(links[0], `/submissions/${first}`);
        assert.match(await page.textContent("table.progress") ?? "", /10 \/ 10/);
      });

      await t.step("a personal token made on the page works for scripts", async () => {
        await page.fill("input[name=name]", "laptop");
        await page.click("button:has-text('Make a personal token')");
        const lines = (await page.textContent(".token pre") ?? "").split("\n");
        assert.equal(lines[0], `export PORTAL_URL=${origin}`);
        const token = lines[1].replace(/^export PORTAL_TOKEN=/, "");
        assert.match(token, /^\S{20,}$/);
        const progress = await fetch(`${origin}/api/progress`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(progress.status, 200);
        await progress.body?.cancel();
        // Listed, and revoked from the page.
        const listed = page.locator("ul.tokens li", { hasText: "laptop" });
        assert.match(await listed.textContent() ?? "", /never used/);
        await listed.locator("button:has-text('Revoke')").click();
        await page.waitForSelector("ul.tokens li:has-text('laptop')", { state: "detached" });
        const revoked = await fetch(`${origin}/api/progress`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(revoked.status, 401);
        await revoked.body?.cancel();
      });

      await t.step("an upload the portal refuses says why, on the same page", async () => {
        await page.selectOption("select[name=exercise]", "02-lms");
        await page.setInputFiles("input[name=file]", {
          name: "notes.txt",
          mimeType: "text/plain",
          buffer: Buffer.from("not code"),
        });
        await page.click("button:has-text('Submit for grading')");
        assert.match(await page.textContent("[role=alert]") ?? "", /Invalid request/);
        assert.equal(new URL(page.url()).pathname, "/");
      });

      await t.step("signing out returns to the sign-in form", async () => {
        await page.click("button:has-text('Sign out')");
        await page.waitForSelector("h2:has-text('Sign in')");
        const me = await page.evaluate(async () => (await fetch("/api/progress")).status);
        assert.equal(me, 401);
      });

      await t.step("markup in a display name is shown as text and never runs", async () => {
        await signIn(page, origin, "mallory", "Your exercises");
        assert.match(await page.textContent("header .who") ?? "", /<img src=x onerror=/);
        assert.equal(await page.$("header img"), null);
        assert.equal(await page.evaluate(() => "hacked" in globalThis), false);
      });

      assert.deepEqual(unexpected(errors), []);
    } finally {
      stopWorker.abort();
      await worker;
      notifier.close();
      await server.shutdown();
      await browser.close();
      await store.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "in Chromium, the first start's link creates the first instructor",
  ...BROWSER_TEST,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "web-browser-setup-" });
    const store = await openStore({ dataDir });
    const browser = await launch();
    const { token, setup } = await SetupToken.create();
    const { origin, server } = await servePortal(store, { setupToken: setup });
    const errors: string[] = [];
    try {
      const page = await openPage(browser, errors);
      await page.goto(`${origin}/setup#${token}`);
      await page.fill("input[name=id]", "prof");
      await page.fill("input[name=name]", "Professor P.");
      await page.fill("input[name=password]", PASSWORD);
      await page.click("button:has-text('Create')");
      await page.waitForSelector("[role=status]:has-text('Done')");
      assert.equal(
        await page.textContent("[role=status]"),
        "Done: you are signed in as prof. Go to the portal",
      );
      await page.click("a:has-text('Go to the portal')");
      await page.waitForSelector("h1:has-text('The class')");
      assert.match(await page.textContent("header .who") ?? "", /Professor P\. \(instructor\)/);

      // The token worked once.
      await page.goto(`${origin}/setup#${token}`);
      await page.fill("input[name=id]", "eve");
      await page.fill("input[name=password]", PASSWORD);
      await page.click("button:has-text('Create')");
      await page.waitForSelector("[role=status]:has-text('Not done')");
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await server.shutdown();
      await browser.close();
      await store.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "in Chromium, `deno task start` serves the pages with their islands",
  ...BROWSER_TEST,
  async fn() {
    const browser = await launch();
    const errors: string[] = [];
    try {
      const exit = await withPortalProcess({ workers: 0, password: PASSWORD }, async (portal) => {
        const page = await openPage(browser, errors);
        await signIn(page, portal.origin, "prof", "The class");
        const csv = await page.evaluate(async () => (await fetch("/api/grades.csv")).status);
        assert.equal(csv, 200);
      });
      assert.equal(exit.code, 0, exit.stderr);
      assert.deepEqual(unexpected(errors), []);
    } finally {
      await browser.close();
    }
  },
});
