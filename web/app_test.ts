import assert from "node:assert/strict";
import { EXERCISES } from "../course/metadata.ts";
import { createApp } from "./app.ts";
import { withPortalProcess } from "./_testing.ts";
import { ANONYMOUS } from "./routes/api/leaderboard.ts";
import { CLIENT_FACTOR } from "./_sign_in_limiter.ts";
import { MAX_API_TOKENS, MAX_PENDING, openStore, type Store } from "./store/mod.ts";

const ORIGIN = "http://portal.test";
const PASSWORD = "correct horse battery";

/** A clock the tests move by hand; the store and the app share it. */
let time = Date.parse("2026-03-02T09:00:00Z");
const now = () => new Date(time);

interface Call {
  method?: string;
  cookie?: string;
  token?: string;
  origin?: string | null;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
}

function request(app: ReturnType<typeof createApp>, path: string, call: Call = {}) {
  const headers = new Headers(call.headers);
  if (call.cookie) headers.set("cookie", call.cookie);
  if (call.token) headers.set("authorization", `Bearer ${call.token}`);
  const method = call.method ?? (call.json !== undefined || call.body ? "POST" : "GET");
  if (call.origin !== null && method !== "GET") headers.set("origin", call.origin ?? ORIGIN);
  let body = call.body;
  if (call.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(call.json);
  }
  return app.fetch(new Request(`${ORIGIN}${path}`, { method, headers, body }));
}

async function signIn(app: ReturnType<typeof createApp>, id: string): Promise<string> {
  const response = await request(app, "/api/session", { json: { id, password: PASSWORD } });
  assert.equal(response.status, 200, await response.clone().text());
  const cookie = response.headers.get("set-cookie") ?? "";
  return cookie.split(";")[0];
}

/**
 * Signs in over `app` as a connection from `peer` would (`Deno.serve`'s connection info),
 * with an `X-Forwarded-For` where one is given; the response's status.
 */
async function signInFrom(
  app: ReturnType<typeof createApp>,
  peer: string,
  credentials: { id: string; password: string },
  forwarded?: string,
): Promise<number> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (forwarded !== undefined) headers["x-forwarded-for"] = forwarded;
  const response = await app.fetch(
    new Request(`${ORIGIN}/api/session`, {
      method: "POST",
      headers,
      body: JSON.stringify(credentials),
    }),
    { remoteAddr: { hostname: peer } },
  );
  await response.body?.cancel();
  return response.status;
}

function submission(exercise: string, files: Record<string, string>): FormData {
  const form = new FormData();
  form.set("exercise", exercise);
  for (const [name, text] of Object.entries(files)) form.append("file", new File([text], name));
  return form;
}

async function grade(store: Store, score: number, metric?: number): Promise<void> {
  const job = await store.claimJob("test");
  assert.ok(job);
  const exercise = EXERCISES.find((e) => e.id === job.exercise)!;
  await store.completeJob(job, {
    student: job.student,
    exercise: job.exercise,
    status: "graded",
    score,
    maxScore: 10,
    groups: [{
      symbol: "softmax",
      title: "sums to one",
      points: 10,
      score,
      cases: [{ symbol: "softmax", name: "softmax() sums to one", passed: score === 10 }],
      questions: [],
    }],
    ...(exercise.metric && metric !== undefined
      ? { metric: { ...exercise.metric, value: metric } }
      : {}),
    durationMs: 5,
  });
}

Deno.test("createApp() serves every JSON route of the portal", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "web-app-test-" });
  const store = await openStore({ dataDir, now });
  const app = createApp({ store, origin: ORIGIN, now, maxUploadBytes: 64 * 1024 });
  try {
    await store.createUser({ id: "prof", name: "Prof", role: "instructor", password: PASSWORD });
    await store.createUser({ id: "tia", name: "Tia", role: "ta", password: PASSWORD });
    await store.createUser({
      id: "ada",
      name: "<script>alert(1)</script>",
      role: "student",
      password: PASSWORD,
    });
    await store.createUser({ id: "bob", name: "Bob", role: "student", password: PASSWORD });

    await t.step("GET / shows the sign-in form to a visitor", async () => {
      const response = await request(app, "/");
      assert.equal(response.status, 200);
      assert.match(await response.text(), /<form[^>]*>.*Sign in/s);
    });

    await t.step("POST /api/session sets an HttpOnly, SameSite=Lax session cookie", async () => {
      const response = await request(app, "/api/session", {
        json: { id: "bob", password: PASSWORD },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        user: { id: "bob", name: "Bob", role: "student" },
      });
      const cookie = response.headers.get("set-cookie") ?? "";
      assert.match(cookie, /^session=/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/);
    });

    await t.step("POST /api/session marks the cookie Secure on an https origin", async () => {
      const secureApp = createApp({ store, origin: "https://portal.test" });
      const response = await secureApp.fetch(
        new Request("https://portal.test/api/session", {
          method: "POST",
          body: JSON.stringify({ id: "bob", password: PASSWORD }),
        }),
      );
      assert.equal(response.status, 200);
      assert.match(response.headers.get("set-cookie") ?? "", /Secure/);
    });

    await t.step("POST /api/session answers 401 to a wrong password or unknown id", async () => {
      for (const id of ["bob", "nobody"]) {
        const response = await request(app, "/api/session", {
          json: { id, password: "wrong password" },
        });
        assert.equal(response.status, 401);
        assert.deepEqual(await response.json(), { error: "Wrong id or password" });
      }
    });

    await t.step("POST /api/session answers 400 to a body that is not the schema", async () => {
      for (const body of ["{", '{"id": 3}', "[]"]) {
        const response = await request(app, "/api/session", {
          body,
          headers: { "content-type": "application/json" },
        });
        assert.equal(response.status, 400);
        assert.match((await response.json()).error, /Invalid request|not valid JSON/);
      }
    });

    await t.step("POST /api/session counts guesses sent together (portal red team)", async () => {
      // Each guess used to pass the check before any had failed: 60 sent at once were all
      // tried, one of them the password.
      await store.createUser({ id: "dora", role: "student", password: PASSWORD });
      const limited = createApp({ store, origin: ORIGIN, now, maxSignInFailures: 3 });
      const guesses = Array.from({ length: 12 }, (_, i) => i === 11 ? PASSWORD : `wrong ${i}`);
      const statuses = await Promise.all(guesses.map(async (password) => {
        const response = await request(limited, "/api/session", { json: { id: "dora", password } });
        await response.body?.cancel();
        return response.status;
      }));
      assert.deepEqual(statuses.filter((s) => s !== 429), [401, 401, 401]);
      time += 16 * 60_000;
      assert.equal(
        (await request(limited, "/api/session", {
          json: { id: "dora", password: PASSWORD },
        })).status,
        200,
      );
    });

    /** A fresh app (fresh sign-in limits: 2 failures a client) behind the proxy 10.0.0.2. */
    const behindProxy = () =>
      createApp({ store, origin: ORIGIN, now, maxSignInFailures: 2, trustedProxies: ["10.0.0.2"] });

    await t.step(
      "POST /api/session counts clients by X-Forwarded-For from a trusted proxy only",
      async () => {
        // Behind a proxy every client's address is the proxy's: ten wrong passwords from anyone
        // would stop everyone's sign-in, unless the proxy's header names the client.
        const proxied = behindProxy();
        const signIn = (peer: string, forwarded: string) =>
          signInFrom(proxied, peer, { id: "nobody", password: "wrong password" }, forwarded);
        for (let i = 0; i < 2; i++) assert.equal(await signIn("10.0.0.2", "192.0.2.1"), 401);
        assert.equal(await signIn("10.0.0.2", "192.0.2.1"), 429);
        assert.equal(await signIn("10.0.0.2", "192.0.2.2"), 401, "another client");
        // A client that writes the header itself, not through the proxy, is still itself.
        for (const forwarded of ["192.0.2.50", "192.0.2.60"]) {
          assert.equal(await signIn("203.0.113.9", forwarded), 401);
        }
        assert.equal(await signIn("203.0.113.9", "192.0.2.99"), 429);
      },
    );

    await t.step(
      "POST /api/session stops one client long before it locks the account's owner out",
      async () => {
        // A red team kept any account from signing in with 10 wrong passwords from one address.
        await store.createUser({ id: "erin", role: "student", password: PASSWORD });
        const proxied = behindProxy();
        const signIn = (client: string, id: string, password: string) =>
          signInFrom(proxied, "10.0.0.2", { id, password }, client);
        assert.equal(await signIn("192.0.2.10", "erin", "wrong"), 401);
        assert.equal(await signIn("192.0.2.10", "erin", "wrong"), 401);
        assert.equal(await signIn("192.0.2.10", "erin", PASSWORD), 429, "that client is stopped");
        assert.equal(await signIn("192.0.2.11", "erin", PASSWORD), 200, "the owner is not");
        // Guesses spread over many clients are bounded per account: five times a client's.
        for (let client = 20; client < 25; client++) {
          for (let i = 0; i < 2; i++) {
            assert.equal(await signIn(`192.0.2.${client}`, "erin", "x"), 401);
          }
        }
        assert.equal(await signIn("192.0.2.30", "erin", PASSWORD), 429);
      },
    );

    await t.step(
      "POST /api/session counts an IPv6 client by its /64 (portal red team, round 2)",
      async () => {
        const limited = createApp({ store, origin: ORIGIN, now, maxSignInFailures: 2 });
        const signIn = (peer: string) =>
          signInFrom(limited, peer, { id: "nobody", password: "wrong password" });
        assert.equal(await signIn("2001:db8:0:7::1"), 401);
        assert.equal(await signIn("2001:db8:0:7::2"), 401);
        assert.equal(await signIn("2001:db8:0:7:ffff::9"), 429, "the same /64");
        assert.equal(await signIn("2001:db8:0:8::1"), 401, "another /64");
      },
    );

    await t.step(
      "POST /api/session lets a student sign in where a classmate at the same address is locked out",
      async () => {
        // A computer lab or a campus NAT is one address: ten typos there locked every student
        // out, correct passwords included (review).
        await store.createUser({ id: "fay", role: "student", password: PASSWORD });
        await store.createUser({ id: "gil", role: "student", password: PASSWORD });
        const limited = createApp({ store, origin: ORIGIN, now, maxSignInFailures: 2 });
        const lab = "192.0.2.40";
        const signIn = (id: string, password: string) => signInFrom(limited, lab, { id, password });
        assert.equal(await signIn("fay", "typo"), 401);
        assert.equal(await signIn("fay", "typo"), 401);
        assert.equal(await signIn("fay", PASSWORD), 429, "fay is stopped at this address");
        assert.equal(await signIn("gil", "typo"), 401);
        assert.equal(await signIn("gil", PASSWORD), 200, "gil is not");
        assert.equal(await signIn("gil", "typo"), 401, "his typos were forgiven");
        assert.equal(await signIn("fay", PASSWORD), 429);
      },
    );

    await t.step(
      "POST /api/session stops one address spraying many accounts at CLIENT_FACTOR times the allowance",
      async () => {
        await store.createUser({ id: "hal", role: "student", password: PASSWORD });
        const limited = createApp({ store, origin: ORIGIN, now, maxSignInFailures: 2 });
        const signIn = (id: string, password: string) =>
          signInFrom(limited, "198.51.100.7", { id, password });
        for (let i = 0; i < 2 * CLIENT_FACTOR; i++) {
          assert.equal(await signIn(`sprayed-${i}`, "password1"), 401);
        }
        assert.equal(await signIn("sprayed-new", "password1"), 429);
        assert.equal(await signIn("hal", PASSWORD), 429, "the ceiling is the address's");
        assert.equal(
          await signInFrom(limited, "198.51.100.8", { id: "hal", password: PASSWORD }),
          200,
        );
      },
    );

    await t.step("POST /api/session answers 429 to a flood of failed sign-ins", async () => {
      await store.createUser({ id: "carol", role: "student", password: PASSWORD });
      const limited = createApp({ store, origin: ORIGIN, now, maxSignInFailures: 3 });
      const attempt = (password: string) =>
        request(limited, "/api/session", { json: { id: "carol", password } });
      for (let i = 0; i < 3; i++) {
        assert.equal((await attempt("wrong password")).status, 401);
      }
      const refused = await attempt(PASSWORD);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      assert.ok(Date.parse((await refused.json()).retryAt) > time);
      time += 16 * 60_000;
      assert.equal((await attempt(PASSWORD)).status, 200);
    });

    await t.step("DELETE /api/session signs out", async () => {
      const cookie = await signIn(app, "bob");
      const out = await request(app, "/api/session", { method: "DELETE", cookie });
      assert.equal(out.status, 200);
      assert.match(out.headers.get("set-cookie") ?? "", /session=;/);
      assert.equal((await request(app, "/api/progress", { cookie })).status, 401);
    });

    await t.step("GET /api/progress answers 401 once the session has expired", async () => {
      const cookie = await signIn(app, "bob");
      assert.equal((await request(app, "/api/progress", { cookie })).status, 200);
      time += 8 * 24 * 3600_000;
      const response = await request(app, "/api/progress", { cookie });
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), { error: "Not signed in" });
    });

    // Sessions made before the clock jumped have expired; these are fresh.
    const [profNow, adaNow, bobNow] = [
      await signIn(app, "prof"),
      await signIn(app, "ada"),
      await signIn(app, "bob"),
    ];

    await t.step("POST /api/users creates a user with a password, or with an invite", async () => {
      const withPassword = await request(app, "/api/users", {
        cookie: profNow,
        json: { id: "dan", name: "Dan", role: "student", password: PASSWORD },
      });
      assert.equal(withPassword.status, 201);
      assert.deepEqual(await withPassword.json(), {
        user: { id: "dan", name: "Dan", role: "student" },
      });
      const invited = await request(app, "/api/users", {
        cookie: profNow,
        json: { id: "eve", role: "ta" },
      });
      assert.equal(invited.status, 201);
      const { inviteCode } = await invited.json();
      assert.equal(typeof inviteCode, "string");
      assert.ok(await store.redeemInvite(inviteCode, PASSWORD));
    });

    await t.step("POST /api/users answers 409 to a taken id and 400 to a bad role", async () => {
      const taken = await request(app, "/api/users", {
        cookie: profNow,
        json: { id: "dan", role: "student" },
      });
      assert.equal(taken.status, 409);
      const badRole = await request(app, "/api/users", {
        cookie: profNow,
        json: { id: "fay", role: "dean" },
      });
      assert.equal(badRole.status, 400);
    });

    await t.step("POST /api/users is for instructors only", async () => {
      for (const cookie of [adaNow, await signIn(app, "tia")]) {
        const response = await request(app, "/api/users", {
          cookie,
          json: { id: "mallory", role: "instructor", password: PASSWORD },
        });
        assert.equal(response.status, 403);
      }
      const anonymous = await request(app, "/api/users", {
        json: { id: "mallory", role: "instructor" },
      });
      assert.equal(anonymous.status, 401);
    });

    await t.step("POST /api/roster creates the missing students with invite codes", async () => {
      const csv = 'id,name,email\ngus,"Gus, Jr.",gus@example.org\nbob,Bob,bob@example.org\n';
      const response = await request(app, "/api/roster", {
        cookie: profNow,
        body: csv,
        headers: { "content-type": "text/csv" },
      });
      assert.equal(response.status, 200);
      const { created, existing } = await response.json();
      assert.deepEqual(existing, ["bob"]);
      assert.equal(created.length, 1);
      assert.equal(created[0].id, "gus");
      assert.equal(created[0].name, "Gus, Jr.");
      assert.equal(typeof created[0].inviteCode, "string");
      const badId = await request(app, "/api/roster", { cookie: profNow, body: "a b,Name\n" });
      assert.equal(badId.status, 400);
    });

    await t.step("POST /api/tokens issues a token that authenticates as Bearer", async () => {
      const response = await request(app, "/api/tokens", { cookie: bobNow, json: {} });
      assert.equal(response.status, 201);
      const { token } = await response.json();
      const progress = await request(app, "/api/progress", { token });
      assert.equal(progress.status, 200);
      assert.equal((await request(app, "/api/progress", { token: "forged" })).status, 401);
    });

    await t.step("a cookie POST without the portal's Origin is refused with 403", async () => {
      for (const origin of [null, "https://evil.example"]) {
        const response = await request(app, "/api/tokens", { cookie: bobNow, json: {}, origin });
        assert.equal(response.status, 403);
        assert.match((await response.json()).error, /Cross-site/);
      }
      const signOut = await request(app, "/api/session", {
        method: "DELETE",
        cookie: bobNow,
        origin: "https://evil.example",
      });
      assert.equal(signOut.status, 403);
    });

    let adaToken = "";
    await t.step("a personal token cannot make tokens (red team, portal round 3)", async () => {
      const issued = await request(app, "/api/tokens", { cookie: adaNow, json: {} });
      adaToken = (await issued.json()).token;
      const response = await request(app, "/api/tokens", {
        token: adaToken,
        json: {},
        origin: null,
      });
      assert.equal(response.status, 403);
      assert.match((await response.json()).error, /cannot make tokens: sign in/);
    });

    let adaSubmission = "";
    await t.step("POST /api/submissions stores the files before answering 202", async () => {
      const response = await request(app, "/api/submissions", {
        token: adaToken,
        origin: null,
        body: submission("04-softmax", { "softmax.ts": "export {};", "util.ts": "//" }),
      });
      assert.equal(response.status, 202, await response.clone().text());
      const { id, status } = await response.json();
      adaSubmission = id;
      assert.equal(status, "queued");
      const stored = await store.getSubmission(id);
      assert.equal(stored?.status, "queued");
      assert.deepEqual(Object.keys(await store.getSubmissionFiles(id)), ["softmax.ts", "util.ts"]);
    });

    await t.step("POST /api/submissions refuses bad exercises, names and bodies", async () => {
      const cases: [FormData | string, number][] = [
        [submission("99-nothing", { "x.ts": "" }), 400],
        [submission("04-softmax", { "lms.ts": "" }), 400],
        [submission("04-softmax", { "softmax.ts": "", "../evil.ts": "" }), 400],
        [submission("04-softmax", { "softmax.ts": "", "notes.txt": "" }), 400],
        [submission("04-softmax", {}), 400],
      ];
      for (const [body, status] of cases) {
        const response = await request(app, "/api/submissions", { cookie: adaNow, body });
        assert.equal(response.status, status, await response.clone().text());
      }
      const malformed = await request(app, "/api/submissions", {
        cookie: adaNow,
        body: "garbage",
        headers: { "content-type": "multipart/form-data; boundary=x" },
      });
      assert.equal(malformed.status, 400);
      assert.match((await malformed.json()).error, /malformed/);
      const noBoundary = await request(app, "/api/submissions", {
        cookie: adaNow,
        body: "--x\r\nnot a part",
        headers: { "content-type": "multipart/form-data" },
      });
      assert.equal(noBoundary.status, 400);
      assert.match((await noBoundary.json()).error, /boundary=<token>/);
      const notMultipart = await request(app, "/api/submissions", {
        cookie: adaNow,
        json: { exercise: "04-softmax" },
      });
      assert.equal(notMultipart.status, 400);
    });

    await t.step(
      "POST /api/submissions refuses an empty entry file without using an attempt",
      async () => {
        const lmsAttempts = async () => {
          const { exercises } = await (await request(app, "/api/progress", { cookie: adaNow }))
            .json();
          return exercises.find((e: { exercise: string }) => e.exercise === "02-lms").attempts;
        };
        const before = await lmsAttempts();
        // Red team, round 16: zero-width characters or NUL alone passed for content.
        for (const text of ["", " \n\t\r\n", "\u200b\u200d", "\0\0", "\ufeff \n"]) {
          const response = await request(app, "/api/submissions", {
            cookie: adaNow,
            body: submission("02-lms", { "lms.ts": text }),
          });
          assert.equal(response.status, 400);
          assert.match((await response.json()).error, /lms\.ts is empty/);
        }
        assert.equal(await lmsAttempts(), before);
      },
    );

    await t.step("POST /api/submissions answers 413 to an upload over the cap", async () => {
      const big = "x".repeat(65 * 1024);
      const response = await request(app, "/api/submissions", {
        cookie: adaNow,
        body: submission("04-softmax", { "softmax.ts": big }),
      });
      assert.equal(response.status, 413);
      assert.deepEqual(await response.json(), { error: "The request body is larger than 64 KiB" });
      let sent = 0;
      const endless = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += 16 * 1024;
          controller.enqueue(new Uint8Array(16 * 1024));
        },
      });
      const streamed = await request(app, "/api/submissions", {
        cookie: adaNow,
        body: endless,
        headers: { "content-type": "multipart/form-data; boundary=x" },
      });
      assert.equal(streamed.status, 413);
      assert.ok(sent < 200 * 1024, "the body is read only up to the cap");
    });

    await t.step(
      "POST /api/session answers 413 to a body larger than a sign-in needs",
      async () => {
        // 16 KiB: a signed-out client that sends a large body slowly holds little of it.
        const response = await request(app, "/api/session", {
          json: { id: "bob", password: "x".repeat(20_000) },
        });
        assert.equal(response.status, 413);
        assert.match((await response.json()).error, /larger than 16 KiB$/);
      },
    );

    await t.step(
      "POST /api/submissions refuses thousands of parts before parsing them",
      async () => {
        // Under the size cap, each part costs the form's parser time on the thread that serves
        // everyone (portal red team: 30 such uploads held a page for 18 s).
        const parts = Array.from(
          { length: 600 },
          (_, i) =>
            `--XyZ\r\ncontent-disposition: form-data; name="file"; filename="a${i}.ts"\r\n\r\nx\r\n`,
        );
        const body = `--XyZ\r\ncontent-disposition: form-data; name="exercise"\r\n\r\n02-lms\r\n` +
          parts.join("") + "--XyZ--\r\n";
        // The refusal used to come from the schema, once the parser had read every part.
        const parse = Request.prototype.formData;
        let parsed = 0;
        Request.prototype.formData = function (this: Request) {
          parsed++;
          return parse.call(this);
        };
        try {
          const response = await request(app, "/api/submissions", {
            cookie: adaNow,
            body,
            headers: { "content-type": "multipart/form-data; boundary=XyZ" },
          });
          assert.equal(response.status, 400);
          assert.match((await response.json()).error, /at most 20 files/);
          // Boundaries the count and the parser read apart (portal red team, round 2): a
          // quoted one with an escape, and one hidden in another parameter's quoted value.
          for (
            const [type, delimiter] of [
              ['multipart/form-data; boundary="A\\"B"', 'A"B'],
              ['multipart/form-data; x="; boundary=FAKE"; boundary=REAL', "REAL"],
            ]
          ) {
            const tricked = await request(app, "/api/submissions", {
              cookie: adaNow,
              body: body.replaceAll("XyZ", delimiter),
              headers: { "content-type": type },
            });
            assert.equal(tricked.status, 400, type);
            assert.match((await tricked.json()).error, /boundary=<token>/);
          }
        } finally {
          Request.prototype.formData = parse;
        }
        assert.equal(parsed, 0, "the form was parsed");
      },
    );

    await t.step("a URL or JSON text holding a NUL character answers 400", async () => {
      // It reached the database's queries, which refuse it, as a 500 with a logged stack.
      for (const path of ["/api/submissions/%00", "/api/submissions/a%00b/events"]) {
        const response = await request(app, path, { cookie: adaNow });
        assert.equal(response.status, 400, path);
        assert.match((await response.json()).error, /NUL/);
      }
      const page = await request(app, "/submissions/%00", { cookie: adaNow });
      assert.equal(page.status, 400);
      assert.match(await page.text(), /<html/i);
      const token = await request(app, "/api/tokens", {
        cookie: adaNow,
        json: { name: "x\u0000y" },
      });
      assert.equal(token.status, 400);
      assert.match((await token.json()).error, /NUL/);
    });

    await t.step("POST /api/submissions answers 429 with retryAt when attempts wait", async () => {
      time += 60_000;
      const body = () => submission("05-autoencoder", { "autoencoder.ts": "export {};" });
      const first = await request(app, "/api/submissions", { cookie: bobNow, body: body() });
      assert.equal(first.status, 202);
      const second = await request(app, "/api/submissions", { cookie: bobNow, body: body() });
      assert.equal(second.status, 429);
      const refusal = await second.json();
      assert.equal(Date.parse(refusal.retryAt), time + 5 * 60_000);
      assert.match(refusal.error, /minutes/);
    });

    await t.step("POST /api/submissions is for students only", async () => {
      const response = await request(app, "/api/submissions", {
        cookie: profNow,
        body: submission("04-softmax", { "softmax.ts": "" }),
      });
      assert.equal(response.status, 403);
    });

    await t.step("GET /api/submissions/:id shows the owner the status and tests", async () => {
      const queued = await request(app, `/api/submissions/${adaSubmission}`, { cookie: adaNow });
      assert.deepEqual(await queued.json(), {
        id: adaSubmission,
        student: "ada",
        exercise: "04-softmax",
        status: "queued",
        score: null,
        maxScore: null,
        tests: [],
        summary: null,
      });
      await grade(store, 10);
      const done = await (await request(app, `/api/submissions/${adaSubmission}`, {
        token: adaToken,
      })).json();
      assert.equal(done.status, "done");
      assert.equal(done.score, 10);
      assert.equal(done.tests[0].name, "softmax() sums to one");
      assert.equal(done.tests[0].status, "passed");
      assert.match(done.summary, /^All 1 tests passed\./);
    });

    await t.step("GET /api/submissions/:id answers 404 to another student", async () => {
      const other = await request(app, `/api/submissions/${adaSubmission}`, { cookie: bobNow });
      assert.equal(other.status, 404);
      const unknown = await request(app, "/api/submissions/nope", { cookie: bobNow });
      assert.equal(unknown.status, 404);
      const staff = await request(app, `/api/submissions/${adaSubmission}`, { cookie: profNow });
      assert.equal(staff.status, 200);
    });

    await t.step("GET /api/progress gives best scores and attempts per exercise", async () => {
      const response = await request(app, "/api/progress", { cookie: adaNow });
      const { exercises } = await response.json();
      assert.equal(exercises.length, EXERCISES.length);
      const softmax = exercises.find((e: { exercise: string }) => e.exercise === "04-softmax");
      assert.equal(softmax.bestScore, 10);
      assert.equal(softmax.attempts, 1);
      assert.equal((await request(app, "/api/progress", { cookie: profNow })).status, 403);
    });

    await t.step("GET /api/leaderboard ranks by display name and never shows ids", async () => {
      await grade(store, 7, 0.91);
      const response = await request(app, "/api/leaderboard?exercise=04-softmax", {
        cookie: bobNow,
      });
      assert.equal(response.status, 200);
      const text = await response.text();
      assert.ok(!text.includes('"ada"') && !text.includes("student"), text);
      assert.ok(!text.includes("<script>"), "markup is escaped in the JSON text");
      const { rows } = JSON.parse(text);
      assert.deepEqual(rows.map((row: { rank: number; name: string }) => [row.rank, row.name]), [
        [1, "<script>alert(1)</script>"],
      ]);
      const metric = await (await request(app, "/api/leaderboard?exercise=05-autoencoder", {
        cookie: adaNow,
      })).json();
      assert.deepEqual(metric.rows.map((row: { name: string; metric: number }) => row), [
        { rank: 1, name: "Bob", score: 7, metric: 0.91, at: metric.rows[0].at },
      ]);
      const unknown = await request(app, "/api/leaderboard?exercise=99-x", { cookie: adaNow });
      assert.equal(unknown.status, 404);
      assert.equal((await request(app, "/api/leaderboard", { cookie: adaNow })).status, 400);
    });

    await t.step("GET /api/grades.csv gives staff the gradebook's columns", async () => {
      const response = await request(app, "/api/grades.csv", { cookie: profNow });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /text\/csv/);
      const lines = (await response.text()).trim().split("\n");
      assert.equal(lines[0], ["student", ...EXERCISES.map((e) => e.id), "total"].join(","));
      assert.ok(lines.includes("ada,0,0,0,10,0,10"), lines.join("\n"));
      assert.ok(lines.includes("bob,0,0,0,0,7,7"), lines.join("\n"));
      assert.ok(!lines.some((line) => line.startsWith("prof")));
    });

    await t.step("GET /api/grades.csv is forbidden to students", async () => {
      const response = await request(app, "/api/grades.csv", { cookie: adaNow });
      assert.equal(response.status, 403);
      assert.equal((await request(app, "/api/grades.csv")).status, 401);
    });

    await t.step("an unknown route answers 404 in JSON", async () => {
      const response = await request(app, "/api/nothing");
      assert.equal(response.status, 404);
      assert.match((await response.json()).error, /No route/);
    });
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

/** A fresh store in a temporary folder and the app on it, both gone when `fn` is done. */
async function withApp(
  fn: (app: ReturnType<typeof createApp>, store: Store) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "web-app-test-" });
  const store = await openStore({ dataDir, now });
  try {
    await fn(createApp({ store, origin: ORIGIN, now }), store);
  } finally {
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("createApp() lets a user list and revoke tokens, up to MAX_API_TOKENS", async (t) => {
  await withApp(async (app, store) => {
    await store.createUser({ id: "ada", name: "Ada", role: "student", password: PASSWORD });
    await store.createUser({ id: "bob", name: "Bob", role: "student", password: PASSWORD });
    const ada = await signIn(app, "ada");
    const bob = await signIn(app, "bob");
    const make = (cookie: string, name?: string) =>
      request(app, "/api/tokens", { cookie, json: name ? { name } : {} });

    const ids: string[] = [];
    await t.step("POST /api/tokens refuses an 11th token with 409", async () => {
      for (let i = 0; i < MAX_API_TOKENS; i++) {
        const response = await make(ada, `laptop ${i}`);
        assert.equal(response.status, 201);
        ids.push((await response.json()).id);
      }
      const refused = await make(ada);
      assert.equal(refused.status, 409);
      assert.match((await refused.json()).error, /revoke one/);
      assert.equal((await make(bob)).status, 201, "another user's are their own");
    });

    await t.step("GET /api/tokens lists the user's tokens, never the tokens", async () => {
      const text = await (await request(app, "/api/tokens", { cookie: ada })).text();
      const { tokens } = JSON.parse(text);
      assert.equal(tokens.length, MAX_API_TOKENS);
      assert.deepEqual(Object.keys(tokens[0]).sort(), [
        "createdAt",
        "expiresAt",
        "id",
        "lastUsedAt",
        "name",
      ]);
      assert.ok(!/hash/i.test(text));
      assert.equal((await request(app, "/api/tokens")).status, 401);
    });

    await t.step(
      "DELETE /api/tokens/:id revokes a token at once, and only its owner's",
      async () => {
        const issued = await make(bob);
        const { token, id } = await issued.json();
        assert.equal((await request(app, "/api/progress", { token })).status, 200);
        const byAda = await request(app, `/api/tokens/${id}`, { method: "DELETE", cookie: ada });
        assert.equal(byAda.status, 404, "not ada's");
        assert.equal((await request(app, "/api/progress", { token })).status, 200);
        const byBob = await request(app, `/api/tokens/${id}`, { method: "DELETE", cookie: bob });
        assert.equal(byBob.status, 200);
        assert.equal((await request(app, "/api/progress", { token })).status, 401);
        // ada's place comes back.
        const revoked = await request(app, `/api/tokens/${ids[0]}`, {
          method: "DELETE",
          cookie: ada,
        });
        assert.equal(revoked.status, 200);
        assert.equal((await make(ada)).status, 201);
      },
    );

    await t.step("DELETE /api/session with a token revokes it", async () => {
      const { token } = await (await make(bob)).json();
      const signOut = await request(app, "/api/session", { method: "DELETE", token });
      assert.equal(signOut.status, 200);
      assert.equal((await request(app, "/api/progress", { token })).status, 401);
      assert.equal((await request(app, "/api/progress", { cookie: bob })).status, 200);
    });

    await t.step("a new password revokes the user's tokens and sessions", async () => {
      const { token } = await (await make(bob)).json();
      await store.setPassword("bob", "another correct horse");
      assert.equal((await request(app, "/api/progress", { token })).status, 401);
      assert.equal((await request(app, "/api/progress", { cookie: bob })).status, 401);
    });
  });
});

Deno.test("POST /api/users/:id/invite lets an instructor give a locked-out user a new code", async (t) => {
  await withApp(async (app, store) => {
    await store.createUser({ id: "prof", name: "Prof", role: "instructor", password: PASSWORD });
    await store.createUser({ id: "tia", name: "Tia", role: "ta", password: PASSWORD });
    await store.createUser({ id: "bob", name: "Bob", role: "student", password: PASSWORD });
    const prof = await signIn(app, "prof");
    const invite = (id: string, cookie = prof) =>
      request(app, `/api/users/${id}/invite`, { method: "POST", cookie });
    const redeem = (code: string, password: string) =>
      request(app, "/api/invites/redeem", { json: { code, password } });

    await t.step(
      "an earlier unredeemed code stops working; the new one sets the password",
      async () => {
        const bob = await signIn(app, "bob");
        const { token } = await (await request(app, "/api/tokens", { cookie: bob, json: {} }))
          .json();
        const first = await invite("bob");
        assert.equal(first.status, 201);
        const { inviteCode: lost } = await first.json();
        const second = await invite("bob");
        const body = await second.json();
        assert.equal(body.id, "bob");
        assert.ok(Date.parse(body.expiresAt) > time);
        assert.equal((await redeem(lost, "a brand new password")).status, 404);
        assert.equal((await request(app, "/api/progress", { cookie: bob })).status, 200);

        const redeemed = await redeem(body.inviteCode, "a brand new password");
        assert.equal(redeemed.status, 200);
        assert.equal((await redeemed.json()).user.id, "bob");
        assert.equal((await request(app, "/api/progress", { cookie: bob })).status, 401);
        assert.equal((await request(app, "/api/progress", { token })).status, 401);
        const old = await request(app, "/api/session", { json: { id: "bob", password: PASSWORD } });
        assert.equal(old.status, 401);
        const fresh = await request(app, "/api/session", {
          json: { id: "bob", password: "a brand new password" },
        });
        assert.equal(fresh.status, 200);
        assert.equal((await redeem(body.inviteCode, "yet another password")).status, 404);
      },
    );

    await t.step("an unknown id is not found, and only instructors may issue codes", async () => {
      const unknown = await invite("nobody");
      assert.equal(unknown.status, 404);
      assert.match((await unknown.json()).error, /no such user/);
      assert.equal((await invite("bob", await signIn(app, "tia"))).status, 403);
      assert.equal((await request(app, "/api/users/bob/invite", { method: "POST" })).status, 401);
      const crossSite = await request(app, "/api/users/bob/invite", {
        method: "POST",
        cookie: prof,
        origin: "https://elsewhere.test",
      });
      assert.equal(crossSite.status, 403);
    });

    await t.step("a personal token issues no code, and no instructor another's", async () => {
      // Red team, round 16: an instructor's token made a code for its own account, and the
      // code became a session (which makes tokens); one instructor took over another's.
      const { token } = await (await request(app, "/api/tokens", { cookie: prof, json: {} }))
        .json();
      for (const path of ["/api/users/prof/invite", "/api/users/bob/sign-out"]) {
        const refused = await request(app, path, { method: "POST", token });
        assert.equal(refused.status, 403);
        assert.match((await refused.json()).error, /A personal token cannot .*: sign in/);
      }
      await store.createUser({ id: "ivy", name: "Ivy", role: "instructor", password: PASSWORD });
      const other = await invite("ivy");
      assert.equal(other.status, 403);
      assert.match((await other.json()).error, /deno task admin invite/);
      assert.equal((await invite("prof")).status, 201, "an instructor's own code");
    });
  });
});

Deno.test("POST /api/users/:id/sign-out ends a user's sessions and tokens while the portal runs", async () => {
  await withApp(async (app, store) => {
    await store.createUser({ id: "prof", name: "Prof", role: "instructor", password: PASSWORD });
    await store.createUser({ id: "tia", name: "Tia", role: "ta", password: PASSWORD });
    await store.createUser({ id: "ada", name: "Ada", role: "student", password: PASSWORD });
    await store.createUser({ id: "bob", name: "Bob", role: "student", password: PASSWORD });
    const prof = await signIn(app, "prof");
    const bob = await signIn(app, "bob");
    const ada = await signIn(app, "ada");
    const { token } = await (await request(app, "/api/tokens", { cookie: bob, json: {} })).json();
    const signOut = (id: string, cookie = prof) =>
      request(app, `/api/users/${id}/sign-out`, { method: "POST", cookie });

    assert.equal((await signOut("bob", await signIn(app, "tia"))).status, 403);
    assert.equal((await signOut("bob", ada)).status, 403);
    const done = await signOut("bob");
    assert.equal(done.status, 200);
    assert.deepEqual(await done.json(), { id: "bob", sessions: 1, tokens: 1 });
    assert.equal((await request(app, "/api/progress", { cookie: bob })).status, 401);
    assert.equal((await request(app, "/api/progress", { token })).status, 401);
    assert.equal((await request(app, "/api/progress", { cookie: ada })).status, 200, "ada's own");
    assert.equal((await signOut("nobody")).status, 404);
    assert.equal((await signIn(app, "bob")).startsWith("session="), true, "bob signs in again");
  });
});

Deno.test("POST /api/submissions refuses a student's submission while MAX_PENDING of theirs wait", async () => {
  await withApp(async (app, store) => {
    await store.createUser({ id: "ada", name: "Ada", role: "student", password: PASSWORD });
    const ada = await signIn(app, "ada");
    const upload = () =>
      request(app, "/api/submissions", {
        cookie: ada,
        body: submission("02-lms", { "lms.ts": "while (true) {}\nexport {};\n" }),
      });
    for (let i = 0; i < MAX_PENDING; i++) assert.equal((await upload()).status, 202);
    const refused = await upload();
    assert.equal(refused.status, 429);
    const body = await refused.json();
    assert.match(body.error, /waiting to be graded or being graded: submit again once/);
    assert.equal(body.retryAt, undefined, "no time can be promised");
  });
});

Deno.test("GET /api/leaderboard never shows the id of a student created without a name", async () => {
  await withApp(async (app, store) => {
    // No name: the store keeps the id as the display name (red team, portal round 3).
    await store.createUser({ id: "s2024-0042", role: "student", password: PASSWORD });
    await store.createUser({ id: "bob", name: "Bob", role: "student", password: PASSWORD });
    for (const student of ["s2024-0042", "bob"]) {
      const outcome = await store.submit({
        student,
        exercise: "04-softmax",
        files: { "softmax.ts": new TextEncoder().encode("export {};\n") },
      });
      assert.ok(outcome.accepted);
      await grade(store, student === "bob" ? 10 : 7);
    }
    const text = await (await request(app, "/api/leaderboard?exercise=04-softmax", {
      cookie: await signIn(app, "bob"),
    })).text();
    assert.ok(!text.includes("s2024-0042"), text);
    assert.deepEqual(JSON.parse(text).rows.map((row: { name: string }) => row.name), [
      "Bob",
      ANONYMOUS,
    ]);
  });
});

Deno.test("deno task start serves the portal until SIGTERM", async () => {
  const { code, stdout, stderr } = await withPortalProcess(
    { workers: 0, password: PASSWORD },
    async ({ base, origin }) => {
      const post = async (path: string, body: unknown, cookie = "") =>
        await fetch(`${base}${path}`, {
          method: "POST",
          headers: { origin, cookie, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      const signedIn = await post("/api/session", { id: "prof", password: PASSWORD });
      assert.equal(signedIn.status, 200);
      await signedIn.body?.cancel();
      const profCookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0];
      const created = await post("/api/users", {
        id: "ada",
        role: "student",
        password: PASSWORD,
      }, profCookie);
      assert.equal(created.status, 201);
      await created.body?.cancel();
      const student = await post("/api/session", { id: "ada", password: PASSWORD });
      await student.body?.cancel();
      const cookie = (student.headers.get("set-cookie") ?? "").split(";")[0];
      const progress = await fetch(`${base}/api/progress`, { headers: { cookie } });
      assert.equal(progress.status, 200);
      assert.equal((await progress.json()).exercises.length, EXERCISES.length);
    },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Portal on http:\/\/localhost:\d+\//);
  assert.match(stdout, /Stopped\./);
});
