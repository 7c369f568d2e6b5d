/**
 * The portal and its grading worker as processes, killed with SIGKILL in the middle of a
 * burst of submissions and started again: every submission that got a 202 ends graded
 * exactly once, and nothing else changes.
 *
 * Each case starts the processes with `deno run` (not `deno task`, whose SIGKILL would leave
 * the real process running), fires 32 submissions of 02-lms from eight students at once over
 * HTTP (a quarter of them wrong, so that the scores tell the files apart), kills the server
 * while requests are on their way and a grader while it grades, starts them again, lets the
 * students go on, waits until the queue is empty, and then reads the database itself.
 *
 * On PostgreSQL a killed worker's lease keeps its job until the lease runs out (30 s); while
 * the processes are down the test moves those leases' end to the past, which is what that
 * wait would do. On PGlite nothing is moved by hand: opening the data folder ends the dead
 * server's leases, and the test checks that it did.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { startThrowawayPostgres } from "./store/_testing.ts";
import { openStore, type Store } from "./store/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVER = join(ROOT, "web", "server.ts");
const WORKER = join(ROOT, "web", "worker_main.ts");
const CORRECT = await Deno.readFile(join(ROOT, "solutions", "02-lms", "lms.ts"));
const WRONG = await Deno.readFile(
  join(ROOT, "tests", "variants", "02-lms", "bug_lmsUpdate_sign_flipped.ts"),
);
const SECRET = "crash-test-fixed-secret-0c41d7e2a9";
const STUDENTS = ["a", "b", "c", "d", "e", "f", "g", "h"].map((s) => `crash-${s}`);
/**
 * Submissions each student means to hand in, the third wrong: fewer than the portal lets a
 * student have waiting at once (`MAX_PENDING`), so that every one is taken.
 */
const PER_STUDENT = 4;
/** On PostgreSQL, the server is killed once this many submissions got their 202. */
const KILL_AFTER = 12;
/** How long any one wait may last before the test gives up and shows the processes' output. */
const WAIT_MS = 90_000;

/** What became of one `POST /api/submissions`. */
type Outcome =
  | { kind: "accepted"; id: string }
  /** The connection was refused: no server was listening, so nothing reached the database. */
  | { kind: "refused" }
  /**
   * The connection died, or the answer could not be read: the server may or may not have
   * committed the submission before it was killed.
   */
  | { kind: "lost"; reason: string }
  | { kind: "answered"; status: number; body: string };

/** One request of the burst. */
type Attempt = Outcome & { student: string; correct: boolean };

/** A process of the portal, with its output kept line by line. */
class PortalProcess {
  readonly name: string;
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly #child: Deno.ChildProcess;
  readonly #pumps: Promise<void>;
  #exited = false;

  constructor(name: string, script: string, args: string[], env: Record<string, string>) {
    this.name = name;
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", script, ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child.status.then(() => this.#exited = true);
    this.#pumps = Promise.all([
      collectLines(this.#child.stdout, this.stdout),
      collectLines(this.#child.stderr, this.stderr),
    ]).then(() => {});
  }

  /** Waits for a line of standard output that matches, failing if the process exits first. */
  async waitForLine(pattern: RegExp): Promise<RegExpMatchArray> {
    return await waitUntil(`${this.name} to print ${pattern}`, () => {
      for (const line of this.stdout) {
        const match = line.match(pattern);
        if (match) return match;
      }
      if (this.#exited) throw new Error(`${this.name} exited early\n${this.transcript()}`);
      return null;
    });
  }

  /** Kills the process at once (unless it has exited) and waits until it is gone. */
  async kill(): Promise<void> {
    this.#signal("SIGKILL");
    await this.#child.status;
    await this.#pumps;
  }

  /** Sends SIGTERM and waits for the exit status (SIGKILL if it takes more than WAIT_MS). */
  async stop(): Promise<Deno.CommandStatus> {
    this.#signal("SIGTERM");
    const timer = setTimeout(() => this.#signal("SIGKILL"), WAIT_MS);
    try {
      const status = await this.#child.status;
      await this.#pumps;
      return status;
    } finally {
      clearTimeout(timer);
    }
  }

  #signal(signal: Deno.Signal): void {
    if (this.#exited) return;
    try {
      this.#child.kill(signal);
    } catch {
      // It exited a moment ago.
    }
  }

  /** The process's output, for a failure's message. */
  transcript(): string {
    return [`--- ${this.name} stdout`, ...this.stdout, `--- ${this.name} stderr`, ...this.stderr]
      .join("\n");
  }
}

async function collectLines(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  lines: string[],
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    lines.push(...parts);
  }
  if (rest) lines.push(rest);
}

/** Asks `probe` every few milliseconds until it returns something other than `null`. */
async function waitUntil<T>(
  what: string,
  probe: () => T | null | Promise<T | null>,
  options: { intervalMs?: number; describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) {
      throw new Error(`Gave up waiting for ${what}\n${options.describe?.() ?? ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
}

/** Whether the portal answers; the students' loops wait on it after a failed request. */
class Availability {
  #up: Promise<void> = Promise.resolve();
  #markUp: () => void = () => {};

  /** Resolves once the portal is up. */
  whenUp(): Promise<void> {
    return this.#up;
  }

  /** Marks the portal as down, before it is killed. */
  down(): void {
    this.#up = new Promise((resolve) => this.#markUp = resolve);
  }

  /** Marks the portal as up again. */
  up(): void {
    this.#markUp();
  }
}

/** Hands one file in as a student would, with a personal token. */
async function postSubmission(
  base: string,
  token: string,
  file: Uint8Array<ArrayBuffer>,
  client: Deno.HttpClient,
): Promise<Outcome> {
  const form = new FormData();
  form.set("exercise", "02-lms");
  form.set("file", new File([file], "lms.ts"));
  let response: Response;
  try {
    response = await fetch(`${base}/api/submissions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: form,
      client,
      signal: AbortSignal.timeout(WAIT_MS),
    });
  } catch (error) {
    // A portal that does not answer at all is a failure, not a crash to ride out.
    if ((error as Error).name === "TimeoutError") throw error;
    const reason = `${error}: ${(error as Error).cause}`;
    return /Connection refused/.test(reason) ? { kind: "refused" } : { kind: "lost", reason };
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    return { kind: "lost", reason: `${response.status}, then ${error}` };
  }
  if (response.status !== 202) return { kind: "answered", status: response.status, body };
  return { kind: "accepted", id: JSON.parse(body).id };
}

/**
 * The burst: every student hands in PER_STUDENT files at the same time as the others, one
 * after another; a request that fails is tried again, as a new request, once the portal is
 * up. Each request's outcome is added to `record.attempts` as it comes, and
 * `record.onAccepted` hears the running count of 202s. Where `record.halfway` is given,
 * each student waits for it before the second half of their submissions.
 */
async function burst(
  base: string,
  tokens: ReadonlyMap<string, string>,
  availability: Availability,
  record: { attempts: Attempt[]; onAccepted: (count: number) => void; halfway?: Promise<void> },
): Promise<void> {
  const { attempts, onAccepted, halfway } = record;
  let accepted = 0;
  // No kept-alive connections: each request opens its own, as separate clients would.
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    await Promise.all(STUDENTS.map(async (student) => {
      for (let i = 0; i < PER_STUDENT; i++) {
        if (i === PER_STUDENT / 2) await halfway;
        const correct = i !== 2;
        for (;;) {
          const outcome = await postSubmission(
            base,
            tokens.get(student)!,
            correct ? CORRECT : WRONG,
            client,
          );
          attempts.push({ ...outcome, student, correct });
          if (outcome.kind === "accepted") {
            onAccepted(++accepted);
            break;
          }
          if (outcome.kind === "answered") break;
          await availability.whenUp();
        }
      }
    }));
  } finally {
    client.close();
  }
}

/** Creates the students with a personal token each, as an instructor's tools would. */
async function createStudents(store: Store): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  for (const id of STUDENTS) {
    await store.createUser({ id, name: `Student ${id}`, role: "student" });
    tokens.set(id, (await store.createApiToken(id)).token);
  }
  return tokens;
}

/**
 * Ends the leases of the killed workers now instead of when they run out, so that the jobs
 * they held are taken again while the test waits.
 *
 * @returns The submissions whose jobs were held.
 */
async function expireLeases(store: Store): Promise<string[]> {
  const rows = await store.engine.query(
    `UPDATE grading_jobs SET leased_until = $1 WHERE lease_token IS NOT NULL
    RETURNING submission_id AS "id"`,
    [new Date(Date.now() - 1000)],
  );
  return rows.map((row) => String(row.id));
}

/** The submissions being graded now (leased and marked running), from the database. */
async function runningInDatabase(store: Store): Promise<string[]> {
  const rows = await store.engine.query(
    `SELECT s.id FROM submissions s JOIN grading_jobs j ON j.submission_id = s.id
    WHERE s.status = 'running' AND j.lease_token IS NOT NULL`,
  );
  return rows.map((row) => String(row.id));
}

/**
 * Waits until a grader starts on a job that was not running when the wait began: a job
 * seen at the first look may be nearly graded, a new one has just begun (grading runs
 * sandboxed processes, which takes far longer than one look).
 */
async function newlyRunning(
  running: () => Promise<string[]>,
  describe: () => string,
): Promise<void> {
  const before = new Set(await running());
  await waitUntil("a grader to start on a job", async () => {
    const now = await running();
    if (now.some((id) => !before.has(id))) return true;
    for (const id of now) before.add(id);
    return null;
  }, { intervalMs: 5, describe });
}

/** Each graded submission's id, as often as a process printed a "Graded" line for it. */
function gradedLines(processes: readonly PortalProcess[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of processes.flatMap((process) => process.stdout)) {
    const match = line.match(/^Graded \S+ \(([^)]+)\):/);
    if (match) counts.set(match[1], (counts.get(match[1]) ?? 0) + 1);
  }
  return counts;
}

interface Evidence {
  attempts: Attempt[];
  /** Every process that ran, killed ones included. */
  processes: PortalProcess[];
  /** Processes killed with SIGKILL that were grading. */
  killedGraders: number;
  /** Submissions whose job a killed grader held. */
  inHand: string[];
}

/** Checks the database against what the students were told; the processes are stopped. */
async function assertGradedOnce(store: Store, evidence: Evidence): Promise<void> {
  const { attempts, processes } = evidence;
  const transcripts = () => processes.map((process) => process.transcript()).join("\n");
  const answered = attempts.filter((attempt) => attempt.kind === "answered");
  assert.deepEqual(answered, [], "a request got an answer other than 202");
  for (const process of processes) {
    const complaints = process.stderr.filter((line) =>
      /not graded|cannot|stopped|error/i.test(line)
    );
    assert.deepEqual(complaints, [], `${process.name} reported a failure`);
  }
  const accepted = new Map<string, Attempt>();
  for (const attempt of attempts) {
    if (attempt.kind === "accepted") accepted.set(attempt.id, attempt);
  }
  assert.equal(accepted.size, STUDENTS.length * PER_STUDENT, "every planned submission got a 202");

  const rows = await store.engine.query(
    `SELECT s.id, s.student_id AS "student", s.status, s.score, s.max_score AS "maxScore",
      s.attempt_counted AS "counted", s.result, f.content
    FROM submissions s JOIN submission_files f ON f.submission_id = s.id AND f.name = 'lms.ts'`,
  );
  assert.equal(
    rows.length,
    (await store.engine.query("SELECT id FROM submissions")).length,
    "every submission has its lms.ts",
  );
  assert.deepEqual(
    await store.engine.query("SELECT * FROM grading_jobs"),
    [],
    "the queue is empty",
  );
  const graded = gradedLines(processes);
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  for (const [id, attempt] of accepted) {
    const row = byId.get(id);
    assert.ok(row, `submission "${id}" got a 202 but is not in the database`);
    assert.equal(row.student, attempt.student);
    assert.deepEqual(
      new Uint8Array(row.content as Uint8Array),
      attempt.correct ? CORRECT : WRONG,
      `submission "${id}" holds another file`,
    );
  }
  for (const row of rows) {
    const id = String(row.id);
    assert.equal(row.status, "done", `submission "${id}" ended "${row.status}"\n${transcripts()}`);
    assert.equal(row.counted, true);
    const result = row.result as { student: string; exercise: string; score: number };
    assert.equal(result.student, row.student);
    assert.equal(result.exercise, "02-lms");
    assert.equal(result.score, row.score);
    const correct = equalBytes(new Uint8Array(row.content as Uint8Array), CORRECT);
    assert.ok(
      correct ? row.score === row.maxScore : Number(row.score) < Number(row.maxScore),
      `submission "${id}" (${correct ? "correct" : "wrong"}) scored ${row.score}/${row.maxScore}`,
    );
    assert.ok((graded.get(id) ?? 0) <= 1, `submission "${id}" was graded ${graded.get(id)} times`);
  }
  for (const id of graded.keys()) assert.ok(byId.has(id), `a grade of an unknown "${id}"`);
  // A grader killed between recording a grade and printing its line leaves a grade with no
  // line: at most one per killed grader.
  const silent = rows.filter((row) => !graded.has(String(row.id))).length;
  assert.ok(silent <= evidence.killedGraders, `${silent} grades without a "Graded" line`);
  for (const id of evidence.inHand) {
    assert.equal(byId.get(id)?.status, "done", `the job in hand "${id}" was not graded again`);
  }

  // A request whose connection died may have been committed before the kill, or not: such
  // submissions are graded like the others, and there are at most as many of them as there
  // were lost requests (refused connections reached no server and count for nothing).
  for (const student of STUDENTS) {
    const mine = rows.filter((row) => row.student === student);
    const acknowledged = [...accepted.values()].filter((a) => a.student === student).length;
    const lost = attempts.filter((a) => a.student === student && a.kind === "lost").length;
    assert.ok(
      mine.length >= acknowledged && mine.length <= acknowledged + lost,
      `${student} has ${mine.length} submissions for ${acknowledged} 202s and ${lost} lost requests`,
    );
    const progress = (await store.progress(student)).find((p) => p.exercise === "02-lms");
    assert.equal(progress?.attempts, mine.length, `${student}'s attempts`);
    assert.equal(progress?.pending, 0);
    assert.equal(progress?.bestScore, 10);
  }

  const users = await store.engine.query("SELECT id, role FROM users ORDER BY id");
  assert.deepEqual(users, STUDENTS.map((id) => ({ id, role: "student" })));
  assert.equal((await store.engine.query("SELECT id FROM api_tokens")).length, STUDENTS.length);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/**
 * Processes started for this test, found by the folder in their command line or their
 * environment (`TMPDIR`), which the sandboxes of a killed worker inherit.
 */
async function processesUsing(folder: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || entry.name === String(Deno.pid)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      const environ = await Deno.readTextFile(`/proc/${entry.name}/environ`);
      if (cmdline.includes(folder) || environ.split("\0").includes(`TMPDIR=${folder}`)) {
        found.push(`${entry.name}: ${cmdline.replaceAll("\0", " ")}`);
      }
    } catch {
      // The process ended while it was looked at.
    }
  }
  return found;
}

/** Stops every process still running; none may be left behind. */
async function stopAll(processes: readonly PortalProcess[], folder: string): Promise<void> {
  await Promise.all(processes.map((process) => process.stop()));
  assert.deepEqual(await processesUsing(folder), [], "processes left running");
}

/** Checks that every submission that got a 202 so far is in the database. */
async function assertStored(store: Store, attempts: readonly Attempt[]): Promise<void> {
  const stored = new Set(
    (await store.engine.query("SELECT id FROM submissions")).map((row) => String(row.id)),
  );
  for (const attempt of attempts) {
    if (attempt.kind === "accepted") {
      assert.ok(stored.has(attempt.id), `submission "${attempt.id}" got a 202 but is missing`);
    }
  }
}

/** The accepted submissions that the portal says are being graded now. */
async function runningOverHttp(
  base: string,
  tokens: ReadonlyMap<string, string>,
  attempts: readonly Attempt[],
  client: Deno.HttpClient,
): Promise<string[]> {
  const accepted = attempts.flatMap((a) => a.kind === "accepted" ? [a] : []);
  const statuses = await Promise.all(accepted.map(async ({ id, student }) => {
    const response = await fetch(`${base}/api/submissions/${id}`, {
      headers: { authorization: `Bearer ${tokens.get(student)}` },
      client,
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const body = await response.json();
    return body.status === "running" ? id : null;
  }));
  return statuses.filter((id) => id !== null);
}

Deno.test("server and worker killed mid-burst on PostgreSQL: each 202 is graded exactly once", async () => {
  const postgres = await startThrowawayPostgres();
  const folder = await Deno.makeTempDir({ prefix: "web-crash-test-" });
  const processes: PortalProcess[] = [];
  let store: Store | undefined;
  try {
    const databaseUrl = await postgres.createDatabase();
    store = await openStore({ databaseUrl, maxConnections: 2 });
    const tokens = await createStudents(store);
    const port = freePort();
    const env = {
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      GRADER_SECRET: SECRET,
      TMPDIR: folder,
    };
    const start = (generation: number) => {
      const server = new PortalProcess(`server ${generation}`, SERVER, ["--workers", "0"], env);
      const worker = new PortalProcess(`worker ${generation}`, WORKER, ["--workers", "1"], env);
      processes.push(server, worker);
      return { server, worker };
    };
    const describe = () => processes.map((process) => process.transcript()).join("\n");
    let { server, worker } = start(1);
    await Promise.all([server.waitForLine(/^Portal on /), worker.waitForLine(/^1 worker grading/)]);

    const availability = new Availability();
    const attempts: Attempt[] = [];
    let serverKilled!: () => void;
    const killed = new Promise<void>((resolve) => serverKilled = resolve);
    const sent = burst(`http://127.0.0.1:${port}`, tokens, availability, {
      attempts,
      onAccepted(count) {
        if (count !== KILL_AFTER) return;
        availability.down();
        server.kill().then(serverKilled);
      },
    });
    await Promise.race([
      killed,
      sent.then(() => Promise.reject(new Error("The burst ended before the server was killed"))),
    ]);
    await assertStored(store, attempts);
    // The worker goes on with the queue while the server is down: kill it in the middle of
    // a job, once it has recorded a grade.
    await worker.waitForLine(/^Graded /);
    await newlyRunning(() => runningInDatabase(store!), describe);
    await worker.kill();
    const inHand = await expireLeases(store);
    // The job seen starting, or, had it just been recorded, the next one.
    assert.equal(inHand.length, 1, "the killed worker held the job it was grading");

    ({ server, worker } = start(2));
    await Promise.all([server.waitForLine(/^Portal on /), worker.waitForLine(/^1 worker grading/)]);
    availability.up();
    await sent;
    await waitUntil("the queue to empty", async () => {
      const [{ left }] = await store!.engine.query(
        "SELECT count(*)::int AS left FROM grading_jobs",
      );
      return left === 0 ? true : null;
    }, { intervalMs: 100, describe });
    await stopAll(processes, folder);
    for (const process of [server, worker]) {
      assert.equal((await process.stop()).code, 0, process.transcript());
    }
    await assertGradedOnce(store, { attempts, processes, killedGraders: 1, inHand });
  } finally {
    await Promise.all(processes.map((process) => process.kill()));
    await store?.close();
    await postgres.stop();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("server killed mid-burst on PGlite: each 202 is graded exactly once", async () => {
  const folder = await Deno.makeTempDir({ prefix: "web-crash-test-" });
  const dataDir = join(folder, "data");
  const processes: PortalProcess[] = [];
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    const setup = await openStore({ dataDir });
    let tokens: Map<string, string>;
    try {
      tokens = await createStudents(setup);
    } finally {
      await setup.close();
    }
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port),
      DATABASE_URL: "",
      DATA_DIR: dataDir,
      GRADER_SECRET: SECRET,
      TMPDIR: folder,
    };
    const start = (generation: number) => {
      const server = new PortalProcess(`server ${generation}`, SERVER, ["--workers", "1"], env);
      processes.push(server);
      return server;
    };
    const describe = () => processes.map((process) => process.transcript()).join("\n");
    let server = start(1);
    await server.waitForLine(/^Portal on /);

    // Half of the burst goes in; once the in-process worker starts on a new job, the second
    // half starts, and the server is killed at its first 202, with the other students'
    // requests on their way and the job in hand.
    const availability = new Availability();
    const attempts: Attempt[] = [];
    let openHalfway!: () => void;
    const halfway = new Promise<void>((resolve) => openHalfway = resolve);
    let killOnNext = false;
    let serverKilled!: () => void;
    const killed = new Promise<void>((resolve) => serverKilled = resolve);
    const sent = burst(base, tokens, availability, {
      attempts,
      halfway,
      onAccepted() {
        if (!killOnNext) return;
        killOnNext = false;
        availability.down();
        server.kill().then(serverKilled);
      },
    });
    await waitUntil(
      "the first half of the burst",
      () =>
        attempts.filter((a) => a.kind === "accepted").length ===
            STUDENTS.length * PER_STUDENT / 2
          ? true
          : null,
    );
    await server.waitForLine(/^Graded /);
    await newlyRunning(() => runningOverHttp(base, tokens, attempts, client), describe);
    killOnNext = true;
    openHalfway();
    await Promise.race([
      killed,
      sent.then(() => Promise.reject(new Error("The burst ended before the server was killed"))),
    ]);

    // The test opens the data folder the killed server left, as the next start would.
    let inHand: string[];
    const recovered = await openStore({ dataDir });
    try {
      await assertStored(recovered, attempts);
      // Opening the folder ended the dead server's leases: its job is free at once.
      const held = await recovered.engine.query(
        `SELECT submission_id AS "id", leased_until > $1 AS "live" FROM grading_jobs
        WHERE lease_token IS NOT NULL`,
        [new Date()],
      );
      inHand = held.map((row) => String(row.id));
      assert.ok(inHand.length <= 1, `the one worker held ${inHand.length} jobs`);
      assert.deepEqual(held.filter((row) => row.live), [], "a dead server's lease is in force");
    } finally {
      await recovered.close();
    }

    server = start(2);
    await server.waitForLine(/^Portal on /);
    availability.up();
    await sent;
    await waitUntil("every submission to be graded", async () => {
      for (const student of STUDENTS) {
        const response = await fetch(`${base}/api/progress`, {
          headers: { authorization: `Bearer ${tokens.get(student)}` },
          client,
          signal: AbortSignal.timeout(WAIT_MS),
        });
        const { exercises } = await response.json();
        if (exercises.find((p: { exercise: string }) => p.exercise === "02-lms").pending > 0) {
          return null;
        }
      }
      return true;
    }, { intervalMs: 100, describe });
    await stopAll(processes, folder);
    assert.equal((await server.stop()).code, 0, server.transcript());
    const store = await openStore({ dataDir });
    try {
      await assertGradedOnce(store, { attempts, processes, killedGraders: 1, inHand });
    } finally {
      await store.close();
    }
  } finally {
    client.close();
    await Promise.all(processes.map((process) => process.kill()));
    await Deno.remove(folder, { recursive: true });
  }
});
