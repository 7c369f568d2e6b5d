import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import {
  listenToDatabase,
  Notifier,
  notifyDatabase,
  type StatusChange,
  type StatusEvent,
} from "./events.ts";
import { gradeFor, startThrowawayPostgres } from "./store/_testing.ts";
import { openStore, type Store } from "./store/mod.ts";

const ORIGIN = "http://portal.test";

/** Reads `event: status` messages off a server-sent event stream, one at a time. */
class EventReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array<ArrayBuffer>>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next status message, or `null` when the stream ended. */
  async next(): Promise<StatusEvent | null> {
    while (true) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const message = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const data = message.match(/^event: status\ndata: (.*)$/);
        if (data) return JSON.parse(data[1]);
        continue;
      }
      const { done, value } = await this.#reader.read();
      if (done) return null;
      this.#buffer += value;
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

async function withPortal(
  run: (portal: {
    store: Store;
    notifier: Notifier;
    get: (path: string, token: string, method?: string) => Promise<Response>;
    tokens: Record<string, string>;
  }) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "web-events-test-" });
  const store = await openStore({ dataDir });
  const notifier = new Notifier();
  const app = createApp({ store, origin: ORIGIN, notifier });
  try {
    const tokens: Record<string, string> = {};
    for (const [id, role] of [["ada", "student"], ["bob", "student"], ["tia", "ta"]] as const) {
      await store.createUser({ id, role, password: "correct horse battery" });
      tokens[id] = (await store.createApiToken(id)).token;
    }
    const get = async (path: string, token: string, method = "GET") =>
      await app.fetch(
        new Request(`${ORIGIN}${path}`, { method, headers: { authorization: `Bearer ${token}` } }),
      );
    await run({ store, notifier, get, tokens });
  } finally {
    notifier.close();
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function submitLms(store: Store, student: string): Promise<string> {
  const outcome = await store.submit({
    student,
    exercise: "02-lms",
    files: { "lms.ts": new TextEncoder().encode("export {};\n") },
  });
  assert.ok(outcome.accepted);
  return outcome.submission.id;
}

async function grade(store: Store, notifier: Notifier, score: number): Promise<void> {
  const job = await store.claimJob("test");
  assert.ok(job);
  notifier.publish({ submission: job.submissionId, student: job.student });
  await store.completeJob(job, gradeFor(job, score));
  notifier.publish({ submission: job.submissionId, student: job.student });
}

Deno.test("statusStream() sends the owner queued, running and done, then closes", async () => {
  await withPortal(async ({ store, notifier, get, tokens }) => {
    const id = await submitLms(store, "ada");
    const response = await get(`/api/submissions/${id}/events`, tokens.ada);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = new EventReader(response.body!);
    assert.deepEqual(await events.next(), { id, status: "queued" });
    const job = await store.claimJob("test");
    assert.ok(job);
    notifier.publish({ submission: id, student: "ada" });
    assert.deepEqual(await events.next(), { id, status: "running" });
    await store.completeJob(job, gradeFor(job, 7));
    notifier.publish({ submission: id, student: "ada" });
    assert.deepEqual(await events.next(), { id, status: "done", score: 7, maxScore: 10 });
    assert.equal(await events.next(), null);
  });
});

Deno.test("statusStream() sends a graded submission's final state and closes at once", async () => {
  await withPortal(async ({ store, notifier, get, tokens }) => {
    const id = await submitLms(store, "ada");
    await grade(store, notifier, 10);
    const response = await get(`/api/submissions/${id}/events`, tokens.tia);
    assert.equal(response.status, 200);
    const events = new EventReader(response.body!);
    assert.deepEqual(await events.next(), { id, status: "done", score: 10, maxScore: 10 });
    assert.equal(await events.next(), null);
  });
});

Deno.test("statusStream() does not exist for another student or an unknown id", async () => {
  await withPortal(async ({ store, get, tokens }) => {
    const id = await submitLms(store, "ada");
    const other = await get(`/api/submissions/${id}/events`, tokens.bob);
    assert.equal(other.status, 404);
    assert.deepEqual(await other.json(), { error: `Unknown submission "${id}"` });
    const unknown = await get("/api/submissions/nope/events", tokens.ada);
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    const anonymous = await get(`/api/submissions/${id}/events`, "not-a-token");
    assert.equal(anonymous.status, 401);
    await anonymous.body?.cancel();
  });
});

Deno.test("statusStream() follows all of a student's submissions on /api/events", async () => {
  await withPortal(async ({ store, notifier, get, tokens }) => {
    const first = await submitLms(store, "ada");
    const response = await get("/api/events", tokens.ada);
    assert.equal(response.status, 200);
    const events = new EventReader(response.body!);
    assert.deepEqual(await events.next(), { id: first, status: "queued" });
    await grade(store, notifier, 4);
    // The stream sees the running state unless grading was quicker than its re-read.
    let event = await events.next();
    if (event?.status === "running") event = await events.next();
    assert.deepEqual(event, { id: first, status: "done", score: 4, maxScore: 10 });
    await events.cancel();
  });
});

Deno.test("statusStream() is for students only on /api/events", async () => {
  await withPortal(async ({ get, tokens }) => {
    const response = await get("/api/events", tokens.tia);
    assert.equal(response.status, 403);
    await response.body?.cancel();
  });
});

Deno.test("statusStream() allows a user 16 streams at a time (portal red team)", async () => {
  // Every stream re-reads the database once a second: one student's thousands slowed every
  // page of the portal.
  await withPortal(async ({ get, tokens }) => {
    const open: Response[] = [];
    for (let i = 0; i < 16; i++) {
      const response = await get("/api/events", tokens.ada);
      assert.equal(response.status, 200);
      open.push(response);
    }
    const refused = await get("/api/events", tokens.ada);
    assert.equal(refused.status, 429);
    assert.match((await refused.json()).error, /Too many live-status streams/);
    const other = await get("/api/events", tokens.bob);
    assert.equal(other.status, 200, "another student's streams are theirs");
    await other.body?.cancel();
    await open.pop()!.body?.cancel();
    const again = await get("/api/events", tokens.ada);
    assert.equal(again.status, 200, "a closed stream frees its place");
    await again.body?.cancel();
    for (const response of open) await response.body?.cancel();
  });
});

Deno.test("statusStream() answers HEAD without opening a stream (portal red team, round 2)", async () => {
  // Hono answers HEAD with the GET handler and drops its body uncancelled: sixteen HEADs
  // held every place of a student's streams until a restart.
  await withPortal(async ({ store, get, tokens }) => {
    const id = await submitLms(store, "ada");
    for (let i = 0; i < 20; i++) {
      for (const path of ["/api/events", `/api/submissions/${id}/events`]) {
        const head = await get(path, tokens.ada, "HEAD");
        assert.equal(head.status, 200, path);
        assert.match(head.headers.get("content-type") ?? "", /text\/event-stream/);
      }
    }
    const stream = await get("/api/events", tokens.ada);
    assert.equal(stream.status, 200);
    await stream.body?.cancel();
    const other = await get(`/api/submissions/${id}/events`, tokens.bob, "HEAD");
    assert.equal(other.status, 404, "HEAD tells no more than GET");
  });
});

Deno.test("statusStream() ends, over a real connection, when its client goes away", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "web-events-test-" });
  const store = await openStore({ dataDir });
  const notifier = new Notifier();
  const app = createApp({ store, origin: ORIGIN, notifier });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    await store.createUser({ id: "ada", role: "student", password: "correct horse battery" });
    const { token } = await store.createApiToken("ada");
    const id = await submitLms(store, "ada");
    // A plain TCP client, closed once the first event is in: the server sees it go away.
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
    await conn.write(
      new TextEncoder().encode(
        `GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      ),
    );
    let received = "";
    const buffer = new Uint8Array(4096);
    while (!received.includes(`"status":"queued"}`)) {
      const n = await conn.read(buffer);
      if (n === null) break;
      received += new TextDecoder().decode(buffer.subarray(0, n));
    }
    assert.match(received, new RegExp(`data: \\{"id":"${id}","status":"queued"\\}`));
    assert.equal(notifier.size, 1);
    conn.close();
    for (let i = 0; i < 500 && notifier.size > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(notifier.size, 0, "the stream still listens after its client left");
  } finally {
    await server.shutdown();
    notifier.close();
    await store.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("Notifier.close() ends the open streams", async () => {
  await withPortal(async ({ store, notifier, get, tokens }) => {
    const id = await submitLms(store, "ada");
    const response = await get(`/api/submissions/${id}/events`, tokens.ada);
    const events = new EventReader(response.body!);
    assert.deepEqual(await events.next(), { id, status: "queued" });
    notifier.close();
    assert.equal(await events.next(), null);
  });
});

Deno.test("listenToDatabase() hands notifyDatabase()'s changes to the notifier on PostgreSQL", async () => {
  const server = await startThrowawayPostgres();
  try {
    const store = await openStore({ databaseUrl: server.url });
    const notifier = new Notifier();
    const unlisten = await listenToDatabase(server.url, notifier);
    try {
      const received = new Promise<StatusChange | null>((resolve) => notifier.subscribe(resolve));
      await notifyDatabase(store, { submission: "s1", student: "ada" });
      assert.deepEqual(await received, { submission: "s1", student: "ada" });
    } finally {
      await unlisten();
      await store.close();
    }
  } finally {
    await server.stop();
  }
});
