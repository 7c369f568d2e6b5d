/**
 * The portal's pages as HTTP sees them: server-rendered HTML for each role, islands marked
 * for hydration, the same access rules as the JSON routes, error pages, the security
 * headers and the browser files. `browser_test.ts` runs them in Chromium.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { Assets, islandSources } from "./_assets.ts";
import { CONTENT_SECURITY_POLICY } from "./_render.tsx";
import { openStore, type Store } from "./store/mod.ts";
import { gradeFor } from "./store/_testing.ts";

const ORIGIN = "http://portal.test";
const PASSWORD = "correct horse battery";

type App = ReturnType<typeof createApp>;

async function signIn(app: App, id: string): Promise<string> {
  const response = await app.fetch(
    new Request(`${ORIGIN}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify({ id, password: PASSWORD }),
    }),
  );
  assert.equal(response.status, 200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

async function page(app: App, path: string, cookie?: string) {
  const response = await app.fetch(
    new Request(`${ORIGIN}${path}`, { headers: cookie ? { cookie } : {} }),
  );
  return { response, html: await response.text() };
}

/** The props an island was rendered with, read back from its marker as a browser would. */
function islandProps(html: string, name: string): unknown {
  const match = html.match(new RegExp(`data-island="${name}" data-props="([^"]*)"`));
  assert.ok(match, `no ${name} island in the page`);
  const text = match[1].replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
  return JSON.parse(text);
}

async function withPortal(run: (app: App, store: Store) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "web-pages-test-" });
  const store = await openStore({ dataDir });
  try {
    await store.createUser({ id: "prof", name: "Prof", role: "instructor", password: PASSWORD });
    await store.createUser({
      id: "mallory",
      name: `<img src=x onerror="alert(1)">`,
      role: "student",
      password: PASSWORD,
    });
    await store.createUser({ id: "ada", name: "Ada L.", role: "student", password: PASSWORD });
    await run(createApp({ store, origin: ORIGIN }), store);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function submitAndGrade(store: Store, student: string, score: number): Promise<string> {
  const outcome = await store.submit({
    student,
    exercise: "02-lms",
    files: { "lms.ts": new TextEncoder().encode("export {};\n") },
  });
  assert.equal(outcome.accepted, true);
  const job = await store.claimJob("pages-test");
  assert.ok(job);
  await store.completeJob(job, {
    ...gradeFor(job, score),
    groups: [{
      symbol: "cost",
      title: "J(θ)",
      points: 10,
      score,
      cases: [{
        symbol: "cost",
        name: "cost(): <b>halves</b> the sum",
        passed: score === 10,
        ...(score === 10 ? {} : { reason: "returned 2 × the expected value" }),
      }],
      questions: score === 10 ? [] : ["Is the ½ there?"],
    }],
  });
  return job.submissionId;
}

Deno.test("pages are server-rendered for each role, with their islands", async (t) => {
  await withPortal(async (app, store) => {
    await t.step("a visitor gets the sign-in form and the page's security headers", async () => {
      const { response, html } = await page(app, "/");
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(response.headers.get("content-security-policy"), CONTENT_SECURITY_POLICY);
      assert.match(CONTENT_SECURITY_POLICY, /script-src 'self';/);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.ok(html.startsWith("<!doctype html>"));
      assert.match(html, /data-island="SignInForm"/);
      assert.match(html, /<script type="module" src="\/islands\/SignInForm\.js"><\/script>/);
      assert.match(html, /<input name="password" type="password"/);
      // No inline script anywhere: the policy would block it.
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
    });

    await t.step("a student sees their progress, the upload form, and no one else", async () => {
      await submitAndGrade(store, "mallory", 10);
      const id = await submitAndGrade(store, "ada", 4);
      const cookie = await signIn(app, "ada");
      const { response, html } = await page(app, "/", cookie);
      assert.equal(response.status, 200);
      assert.match(html, /<title>Your exercises/);
      assert.match(html, /Ada L\./);
      assert.match(html, /02-lms.*?4 \/ 10.*?<td class="number">1<\/td>/s);
      assert.match(html, new RegExp(`href="/submissions/${id}">done<`));
      assert.doesNotMatch(html, /mallory|onerror/);
      const props = islandProps(html, "SubmitForm") as { exercises: { id: string }[] };
      assert.deepEqual(props.exercises.map((e) => e.id).slice(0, 2), ["01-dual-numbers", "02-lms"]);
    });

    await t.step("markup in a display name stays text", async () => {
      const { html } = await page(app, "/", await signIn(app, "mallory"));
      assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;>/);
      assert.doesNotMatch(html, /<img/);
    });

    await t.step("staff see the class and the gradebook link", async () => {
      const { html } = await page(app, "/", await signIn(app, "prof"));
      assert.match(html, /<title>The class/);
      assert.match(html, /href="\/api\/grades\.csv"/);
      assert.match(html, /2 students: best graded scores/);
      assert.match(html, /Ada L\. <span class="hint">ada<\/span>/);
      assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;>/);
    });
  });
});

Deno.test("a submission's page: its owner and staff only, with live status and results", async (t) => {
  await withPortal(async (app, store) => {
    const graded = await submitAndGrade(store, "ada", 4);
    const queued = await store.submit({
      student: "ada",
      exercise: "02-lms",
      files: { "lms.ts": new TextEncoder().encode("export {};\n") },
    });
    assert.equal(queued.accepted, true);
    const ada = await signIn(app, "ada");

    await t.step("the owner sees the score, the tests and the grader's summary", async () => {
      const { response, html } = await page(app, `/submissions/${graded}`, ada);
      assert.equal(response.status, 200);
      assert.match(html, /<h1>02-lms: /);
      assert.match(html, /Score: <strong>4 \/ 10<\/strong>/);
      assert.match(html, /cost\(\): &lt;b>halves&lt;\/b> the sum/);
      assert.match(html, /Failed: returned 2 × the expected value\nIs the ½ there\?/);
      const props = islandProps(html, "LiveStatus") as { status: string; tests: unknown[] };
      assert.equal(props.status, "done");
      assert.equal(props.tests.length, 1);
    });

    await t.step("a queued submission renders as queued, for the island to follow", async () => {
      assert.ok(queued.accepted);
      const { html } = await page(app, `/submissions/${queued.submission.id}`, ada);
      assert.match(html, /data-status="queued"/);
      assert.match(html, /<script type="module" src="\/islands\/LiveStatus\.js">/);
      const props = islandProps(html, "LiveStatus") as { status: string; id: string };
      assert.deepEqual([props.id, props.status], [queued.submission.id, "queued"]);
    });

    await t.step("another student gets the same 404 page as for an unknown id", async () => {
      const mallory = await signIn(app, "mallory");
      const theirs = await page(app, `/submissions/${graded}`, mallory);
      const unknown = await page(app, "/submissions/00000000-0000-0000-0000-000000000000", mallory);
      assert.equal(theirs.response.status, 404);
      assert.equal(unknown.response.status, 404);
      assert.match(theirs.html, /<h1>Not found<\/h1>/);
      assert.doesNotMatch(theirs.html, /Score|cost\(\)|Ada/);
    });

    await t.step("staff see it and whose it is", async () => {
      const { response, html } = await page(
        app,
        `/submissions/${graded}`,
        await signIn(app, "prof"),
      );
      assert.equal(response.status, 200);
      assert.match(html, /By ada, submitted/);
    });

    await t.step("a visitor is asked to sign in, and sees nothing of it", async () => {
      const { response, html } = await page(app, `/submissions/${graded}`);
      assert.equal(response.status, 401);
      assert.match(html, /data-island="SignInForm"/);
      assert.doesNotMatch(html, /Score|cost\(\)/);
    });

    await t.step("an unknown page is an HTML 404; an unknown API route stays JSON", async () => {
      const missing = await page(app, "/no/such/page");
      assert.equal(missing.response.status, 404);
      assert.match(missing.response.headers.get("content-type") ?? "", /^text\/html/);
      const api = await page(app, "/api/no-such-route");
      assert.equal(api.response.status, 404);
      assert.deepEqual(JSON.parse(api.html), { error: "No route for GET /api/no-such-route" });
    });
  });
});

Deno.test("GET /setup renders the first instructor's form as an island", async () => {
  await withPortal(async (app) => {
    const { response, html } = await page(app, "/setup");
    assert.equal(response.status, 200);
    assert.match(html, /data-island="SetupForm"/);
    assert.match(html, /<input name="password" type="password" required minLength="8"/i);
  });
});

Deno.test("the browser files: bundled islands and static files, and nothing else", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "web-pages-assets-" });
  const store = await openStore({ dataDir });
  try {
    const assets = await Assets.load({ islands: true });
    const app = createApp({ store, origin: ORIGIN, assets });

    await t.step("every island is a default export named as its file, and is bundled", async () => {
      const islands = await islandSources();
      assert.deepEqual([...islands.keys()], [
        "LiveStatus",
        "SetupForm",
        "SignInForm",
        "SignOutButton",
        "SubmitForm",
        "TokenForm",
      ]);
      for (const [name, source] of islands) {
        const module = await import(new URL(`file://${source}`).href);
        assert.equal(module.default?.name, name, source);
        const { response, html } = await page(app, `/islands/${name}.js`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-type"), "text/javascript; charset=utf-8");
        assert.match(html, new RegExp(`data-island=\\\\?"${name}\\\\?"`));
        assert.match(html, /\bhydrate\b|\.hydrate|from"\.\/chunk-/);
      }
    });

    await t.step("a file is sent again only when it changed (ETag)", async () => {
      const first = await page(app, "/static/style.css");
      assert.equal(first.response.status, 200);
      assert.match(first.response.headers.get("content-type") ?? "", /^text\/css/);
      const etag = first.response.headers.get("etag");
      assert.ok(etag);
      const again = await app.fetch(
        new Request(`${ORIGIN}/static/style.css`, { headers: { "if-none-match": etag } }),
      );
      assert.equal(again.status, 304);
      assert.equal(await again.text(), "");
    });

    await t.step("no path reaches files outside the assets", async () => {
      for (
        const path of [
          "/static/../deno.json",
          "/static/%2e%2e/deno.json",
          "/static/..%2fdeno.json",
          "/islands/../../deno.json",
          "/islands/LiveStatus.tsx",
          "/static/",
          "/web/static/style.css",
        ]
      ) {
        const { response, html } = await page(app, path);
        assert.equal(response.status, 404, path);
        assert.doesNotMatch(html, /"imports"/, path);
      }
    });
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
