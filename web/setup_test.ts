import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { SetupToken } from "./_setup.ts";
import { CLIENT_FACTOR } from "./_sign_in_limiter.ts";
import { openStore, type Store } from "./store/mod.ts";

const ORIGIN = "http://portal.test";
const PASSWORD = "correct horse battery";

type App = ReturnType<typeof createApp>;

async function post(app: App, path: string, body: unknown, cookie?: string): Promise<Response> {
  const headers = new Headers({ "content-type": "application/json", origin: ORIGIN });
  if (cookie) headers.set("cookie", cookie);
  return await app.fetch(
    new Request(`${ORIGIN}${path}`, { method: "POST", headers, body: JSON.stringify(body) }),
  );
}

/** `POST /api/invites/redeem` of `code` with the test's password. */
function redeem(app: App, code: string | undefined): Promise<Response> {
  return post(app, "/api/invites/redeem", { code, password: PASSWORD });
}

/** The status of `POST /api/tokens` with the cookie that a response set: 201 if signed in. */
async function tokenStatus(app: App, response: Response): Promise<number> {
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  assert.match(cookie, /^session=./);
  const tokens = await app.fetch(
    new Request(`${ORIGIN}/api/tokens`, { method: "POST", headers: { cookie, origin: ORIGIN } }),
  );
  await tokens.body?.cancel();
  return tokens.status;
}

async function withStore(run: (store: Store) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "web-setup-test-" });
  const store = await openStore({ dataDir });
  try {
    await run(store);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("POST /api/invites/redeem sets the password once and signs the user in", async () => {
  await withStore(async (store) => {
    const app = createApp({ store, origin: ORIGIN, maxSignInFailures: 3 });
    const { inviteCode } = await store.createUser({ id: "ada", name: "Ada", role: "student" });
    assert.ok(inviteCode);

    const short = await post(app, "/api/invites/redeem", { code: inviteCode, password: "short" });
    assert.equal(short.status, 400);
    assert.match((await short.json()).error, /password/);
    const malformed = await post(app, "/api/invites/redeem", { code: 42 });
    assert.equal(malformed.status, 400);
    await malformed.body?.cancel();

    const crossSite = await app.fetch(
      new Request(`${ORIGIN}/api/invites/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://evil.test" },
        body: JSON.stringify({ code: inviteCode, password: PASSWORD }),
      }),
    );
    assert.equal(crossSite.status, 403);
    await crossSite.body?.cancel();

    const redeemed = await redeem(app, inviteCode);
    assert.equal(redeemed.status, 200);
    assert.equal(await tokenStatus(app, redeemed), 201);
    assert.deepEqual(await redeemed.json(), { user: { id: "ada", name: "Ada", role: "student" } });
    assert.ok(await store.authenticate("ada", PASSWORD));

    const reused = await redeem(app, inviteCode);
    assert.equal(reused.status, 404);
    const unknown = await redeem(app, "nope");
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), await reused.json());
  });
});

Deno.test("POST /api/invites/redeem answers 429 after too many wrong tries of a code", async () => {
  await withStore(async (store) => {
    const app = createApp({ store, origin: ORIGIN, maxSignInFailures: 2 });
    const { inviteCode } = await store.createUser({ id: "ada", role: "student" });
    const { inviteCode: bobs } = await store.createUser({ id: "bob", role: "student" });
    // ada retypes her code with a typo at its end: the same code, as far as the limit goes.
    const typo = `${inviteCode!.slice(0, -1)}${inviteCode!.endsWith("A") ? "B" : "A"}`;
    for (let i = 0; i < 2; i++) {
      const response = await redeem(app, typo);
      assert.equal(response.status, 404);
      await response.body?.cancel();
    }
    const blocked = await redeem(app, inviteCode);
    assert.equal(blocked.status, 429);
    assert.ok(blocked.headers.get("retry-after"));
    assert.match((await blocked.json()).error, /Too many/);
    // bob, at the same address (a lab), redeems his own code.
    const other = await redeem(app, bobs);
    assert.equal(other.status, 200);
    await other.body?.cancel();
  });
});

Deno.test("POST /api/invites/redeem stops one address guessing many codes", async () => {
  await withStore(async (store) => {
    const app = createApp({ store, origin: ORIGIN, maxSignInFailures: 2 });
    const { inviteCode } = await store.createUser({ id: "ada", role: "student" });
    for (let i = 0; i < 2 * CLIENT_FACTOR; i++) {
      const code = `${String(i).padStart(2, "0")}-guess`; // A prefix of its own each.
      const response = await redeem(app, code);
      assert.equal(response.status, 404);
      await response.body?.cancel();
    }
    const blocked = await redeem(app, inviteCode);
    assert.equal(blocked.status, 429);
    await blocked.body?.cancel();
  });
});

Deno.test("POST /api/invites/redeem counts codes sent together (portal red team)", async () => {
  await withStore(async (store) => {
    const app = createApp({ store, origin: ORIGIN, maxSignInFailures: 2 });
    await store.createUser({ id: "ada", role: "student" });
    const statuses = await Promise.all(Array.from({ length: 8 }, async (_, i) => {
      const response = await redeem(app, `samecode-${i}`);
      await response.body?.cancel();
      return response.status;
    }));
    assert.deepEqual(statuses.filter((s) => s !== 429), [404, 404]);
  });
});

Deno.test("POST /api/setup creates the first instructor once, with the right token", async () => {
  await withStore(async (store) => {
    const { token, setup } = await SetupToken.create();
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    const app = createApp({ store, origin: ORIGIN, setupToken: setup });
    const body = { token, id: "prof", password: PASSWORD, name: "Prof" };

    const wrong = await post(app, "/api/setup", { ...body, token: "wrong" });
    assert.equal(wrong.status, 404);
    await wrong.body?.cancel();
    const short = await post(app, "/api/setup", { ...body, password: "short" });
    assert.equal(short.status, 400);
    await short.body?.cancel();

    const created = await post(app, "/api/setup", body);
    assert.equal(created.status, 201);
    assert.equal(await tokenStatus(app, created), 201);
    assert.deepEqual(await created.json(), {
      user: { id: "prof", name: "Prof", role: "instructor" },
    });

    const again = await post(app, "/api/setup", { ...body, id: "prof2" });
    assert.equal(again.status, 404);
    await again.body?.cancel();
    assert.deepEqual((await store.listUsers()).map((user) => user.id), ["prof"]);
  });
});

Deno.test("POST /api/setup answers 404 once an instructor exists or without a token", async () => {
  await withStore(async (store) => {
    const none = createApp({ store, origin: ORIGIN });
    const missing = await post(none, "/api/setup", { token: "x", id: "a", password: PASSWORD });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();

    await store.createUser({ id: "prof", role: "instructor", password: PASSWORD });
    const { token, setup } = await SetupToken.create();
    const app = createApp({ store, origin: ORIGIN, setupToken: setup });
    const late = await post(app, "/api/setup", { token, id: "mallory", password: PASSWORD });
    assert.equal(late.status, 404);
    await late.body?.cancel();
    assert.deepEqual((await store.listUsers()).map((user) => user.id), ["prof"]);
  });
});

Deno.test("SetupToken.consume() refuses an expired token", async () => {
  const start = new Date("2026-03-02T09:00:00Z");
  const { token, setup } = await SetupToken.create(start, 1000);
  assert.equal(await setup.consume(token, new Date(start.getTime() + 1000)), false);
  assert.equal(await setup.consume(token, start), true);
  assert.equal(await setup.consume(token, start), false);
});

Deno.test("deno task start prints a one-time setup link on an empty DATA_DIR", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "web-setup-server-" });
  const listener = Deno.listen({ port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "start", "--workers", "0"],
    cwd: new URL("..", import.meta.url),
    env: { PORT: String(port), DATA_DIR: dataDir },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  let text = "";
  try {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) {
      text += decoder.decode(chunk, { stream: true });
      if (/\/api\/setup within 24 h\n/.test(text)) break;
    }
    assert.match(
      text,
      new RegExp(
        `No instructor yet: open http://localhost:${port}/setup#[A-Za-z0-9_-]{43} ` +
          `or POST \\{token, id, password, name\\?\\} to /api/setup within 24 h`,
      ),
    );
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // It has already exited.
    }
    await child.status;
    clearTimeout(timer);
    await Deno.remove(dataDir, { recursive: true });
  }
});
