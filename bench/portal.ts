/**
 * `deno task bench portal`: the course portal under load, on PGlite and on PostgreSQL.
 *
 * For each engine: seeds a store with 1000 students × 5 exercises × 10 graded attempts,
 * starts `web/server.ts` as its own process (PGlite in a temporary `DATA_DIR`, then a
 * throwaway PostgreSQL server), and measures
 *
 * - `GET /api/leaderboard?exercise=ID` and `GET /api/progress` from 50 concurrent clients,
 *   each a signed-in student sending its next request when the previous one is answered;
 * - a burst of 500 submissions of 02-lms, one every 120 ms from distinct students with API
 *   tokens, graded in the real sandbox by the server's own workers: the time from the start
 *   of each upload to its result on the submission's event stream, and, after the server
 *   has stopped, that every submission is in the database with its grade.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Exercise, EXERCISES } from "../course/metadata.ts";
import { createRng, type Rng } from "../fixtures/random.ts";
import type { SubmissionGrade } from "../grader/report.ts";
import { SESSION_COOKIE } from "../web/_middleware.ts";
import { startThrowawayPostgres } from "../web/store/_testing.ts";
import { openStore, type Store, type StoreOptions } from "../web/store/mod.ts";
import type { BenchOptions } from "./main.ts";
import { printFigures, quantile, round } from "./_stats.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const STUDENTS = 1000;
const ATTEMPTS = 10;
const CLIENTS = 50;
const LOAD_MS = 10_000;
const WARMUP_MS = 2_000;
const BURST = 500;
const BURST_MS = 60_000;
const BURST_EXERCISE = "02-lms";
/**
 * Two in-process workers for two cores: grading is a sandboxed child process per
 * submission, so the server's own thread stays mostly idle and two children keep both cores
 * busy; more would only queue for the same cores.
 */
const WORKERS = 2;
const DAY_MS = 86_400_000;
const SECRET = "bench-portal-secret-0123456789abcdef";

/** What the load and the burst need from the seeded store. */
interface Seeded {
  /** Session tokens of the first {@linkcode CLIENTS} students, for the cookie. */
  sessions: { student: string; token: string }[];
  /** API tokens of the {@linkcode BURST} students who submit in the burst. */
  apiTokens: string[];
  /** One more student's API token, for the warm-up submission. */
  warmupToken: string;
  seedMs: number;
}

const studentId = (i: number) => `student${String(i).padStart(4, "0")}`;

/** A grade as the grader writes it: groups with their cases, the metric where ranked. */
function fakeGrade(student: string, exercise: Exercise, rng: Rng): SubmissionGrade {
  const groups = exercise.groups.map((group) => {
    const passed = rng.uniform() < 0.7;
    return {
      symbol: group.symbol,
      title: group.title,
      points: group.points,
      score: passed ? group.points : 0,
      cases: Array.from({ length: 4 }, (_, k) => ({
        symbol: group.symbol,
        name: `${group.symbol}() hidden case ${k + 1}`,
        passed: passed || k > 0,
        ...(passed || k > 0 ? {} : { reason: "expected 1.25, got 1.5 (tolerance 1e-9)" }),
      })),
      questions: passed ? [] : ["Which θ measures the error of the second example?"],
    };
  });
  return {
    student,
    exercise: exercise.id,
    status: "graded",
    score: groups.reduce((sum, g) => sum + g.score, 0),
    maxScore: groups.reduce((sum, g) => sum + g.points, 0),
    groups,
    ...(exercise.metric ? { metric: { ...exercise.metric, value: 0.5 + rng.uniform() / 2 } } : {}),
    durationMs: Math.round(50 + rng.uniform() * 100),
  };
}

/**
 * Seeds the store: students and graded submissions in bulk through the real schema
 * (batched `INSERT … SELECT FROM unnest(…)`, the columns the worker writes when it records a
 * grade), sessions and API tokens through the store's own API. The attempts lie in the past
 * weeks, outside the attempt windows of the burst.
 */
async function seed(store: Store): Promise<Seeded> {
  const started = performance.now();
  const ids = Array.from({ length: STUDENTS }, (_, i) => studentId(i));
  const now = Date.now();
  await store.engine.query(
    `INSERT INTO users (id, display_name, role, created_at)
    SELECT id, name, 'student', $3 FROM unnest($1::text[], $2::text[]) AS u(id, name)`,
    [ids, ids.map((_, i) => `Student ${i + 1}`), new Date(now - 60 * DAY_MS)],
  );
  // The same seed on both engines: they get the same scores.
  const rng = createRng("bench-portal");
  const columns = {
    id: [] as string[],
    student: [] as string[],
    exercise: [] as string[],
    createdAt: [] as string[],
    score: [] as number[],
    maxScore: [] as number[],
    metric: [] as (number | null)[],
    result: [] as string[],
  };
  const flush = async () => {
    if (columns.id.length === 0) return;
    await store.engine.query(
      `INSERT INTO submissions (id, student_id, exercise, created_at, status, score, max_score,
        metric, result, attempt_counted, finished_at)
      SELECT id, student, exercise, created_at, 'done', score, max_score, metric,
        result::jsonb, true, created_at + interval '2 seconds'
      FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[],
        $6::float8[], $7::float8[], $8::text[])
        AS s(id, student, exercise, created_at, score, max_score, metric, result)`,
      [
        columns.id,
        columns.student,
        columns.exercise,
        columns.createdAt,
        columns.score,
        columns.maxScore,
        columns.metric,
        columns.result,
      ],
    );
    for (const list of Object.values(columns)) list.length = 0;
  };
  for (const student of ids) {
    for (const exercise of EXERCISES) {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        const grade = fakeGrade(student, exercise, rng);
        const at = now - (2 + rng.uniform() * 40) * DAY_MS;
        columns.id.push(crypto.randomUUID());
        columns.student.push(student);
        columns.exercise.push(exercise.id);
        columns.createdAt.push(new Date(at).toISOString());
        columns.score.push(grade.score);
        columns.maxScore.push(grade.maxScore);
        columns.metric.push(grade.metric?.value ?? null);
        columns.result.push(JSON.stringify(grade));
      }
    }
    if (columns.id.length >= 2_000) await flush();
  }
  await flush();
  await store.engine.exec("ANALYZE");
  const sessions = [];
  for (const student of ids.slice(0, CLIENTS)) {
    sessions.push({ student, token: (await store.createSession(student)).token });
  }
  const apiTokens = [];
  for (const student of ids.slice(0, BURST)) {
    apiTokens.push((await store.createApiToken(student)).token);
  }
  const warmupToken = (await store.createApiToken(ids[STUDENTS - 1])).token;
  return { sessions, apiTokens, warmupToken, seedMs: performance.now() - started };
}

/** The portal as a process of its own. */
interface Portal {
  base: string;
  /** Stops it with SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
}

/** Hands each line of a stream to `onLine`, and keeps the last ones for error messages. */
async function tail(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  lines: string[],
  onLine: (line: string) => void,
): Promise<void> {
  let partial = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const line of parts.filter(Boolean)) {
      onLine(line);
      lines.push(line);
    }
    lines.splice(0, Math.max(0, lines.length - 20));
  }
}

async function startPortal(place: StoreOptions): Promise<Portal> {
  const env: Record<string, string> = { PORT: "0", GRADER_SECRET: SECRET };
  // An empty DATABASE_URL leaves the portal on PGlite even where the caller's is set.
  if (place.databaseUrl) env.DATABASE_URL = place.databaseUrl;
  else Object.assign(env, { DATABASE_URL: "", DATA_DIR: place.dataDir! });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "web/server.ts", "--workers", String(WORKERS)],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const listening = Promise.withResolvers<string>();
  const onLine = (line: string) => {
    const port = line.match(/^Portal on http:\/\/localhost:(\d+)\//)?.[1];
    if (port) listening.resolve(`http://127.0.0.1:${port}`);
  };
  const output = Promise.all([tail(child.stdout, log, onLine), tail(child.stderr, log, () => {})]);
  child.status.then(() => listening.reject(new Error(`it exited\n${log.join("\n")}`)));
  const timer = setTimeout(() => listening.reject(new Error("it did not start in 60 s")), 60_000);
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Already exited.
    }
    await child.status;
    await output;
  };
  try {
    const base = await listening.promise;
    return { base, stop };
  } catch (error) {
    await stop();
    throw new Error(`Cannot benchmark: the portal did not start: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Latencies of one closed-loop run: each client sends its next request once answered. */
async function closedLoop(
  clients: number,
  durationMs: number,
  request: (client: number, n: number) => Promise<void>,
): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const t0 = performance.now();
      await request(client, n);
      latencies.push(performance.now() - t0);
    }
  }));
  return { latencies, perSecond: latencies.length / ((performance.now() - started) / 1000) };
}

/**
 * Sends a GET and reads the whole answer; parses it only when asked, so that the clients,
 * which share the cores with the portal, spend little time of their own.
 */
async function get(url: string, headers: HeadersInit, parse = false): Promise<unknown> {
  const response = await fetch(url, { headers });
  if (response.status !== 200) {
    throw new Error(
      `Cannot benchmark: GET ${url} answered ${response.status}: ${await response.text()}`,
    );
  }
  return parse ? await response.json() : await response.arrayBuffer();
}

/** Runs leaderboard, then progress requests from {@linkcode CLIENTS} students. */
async function measureReads(base: string, seeded: Seeded) {
  const cookie = (client: number) => ({
    cookie: `${SESSION_COOKIE}=${seeded.sessions[client].token}`,
  });
  const board = (exercise: string) => `${base}/api/leaderboard?exercise=${exercise}`;
  const sample = await get(board(EXERCISES[0].id), cookie(0), true) as { rows: unknown[] };
  if (sample.rows.length !== STUDENTS) {
    throw new Error(
      `Cannot benchmark: the leaderboard has ${sample.rows.length} rows, not ${STUDENTS}`,
    );
  }
  const leaderboard = async (client: number, n: number) => {
    await get(board(EXERCISES[(client + n) % EXERCISES.length].id), cookie(client));
  };
  const progress = async (client: number) => {
    await get(`${base}/api/progress`, cookie(client));
  };
  await closedLoop(CLIENTS, WARMUP_MS, leaderboard);
  const leaderboards = await closedLoop(CLIENTS, LOAD_MS, leaderboard);
  await closedLoop(CLIENTS, WARMUP_MS, progress);
  const progresses = await closedLoop(CLIENTS, LOAD_MS, progress);
  return { board: leaderboards, mine: progresses };
}

/** Uploads one submission and follows its event stream until it is graded. */
async function submitAndWait(base: string, token: string, source: string): Promise<{
  id: string;
  ms: number;
}> {
  const started = performance.now();
  const form = new FormData();
  form.set("exercise", BURST_EXERCISE);
  form.set("file", new File([source], "lms.ts"));
  const authorization = { authorization: `Bearer ${token}` };
  const response = await fetch(`${base}/api/submissions`, {
    method: "POST",
    headers: authorization,
    body: form,
  });
  const body = await response.json();
  if (response.status !== 202) {
    throw new Error(`Cannot benchmark: a submission got ${response.status}: ${body.error}`);
  }
  const events = await fetch(`${base}/api/submissions/${body.id}/events`, {
    headers: authorization,
  });
  if (!events.ok || !events.body) {
    throw new Error(`Cannot benchmark: the event stream of "${body.id}" answered ${events.status}`);
  }
  let buffer = "";
  for await (const chunk of events.body.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    const status = [...buffer.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]).status).pop();
    if (status === "done" || status === "error") {
      const ms = performance.now() - started;
      await events.body.cancel().catch(() => {});
      if (status === "error") {
        throw new Error(`Cannot benchmark: submission "${body.id}" failed to grade`);
      }
      return { id: body.id, ms };
    }
  }
  throw new Error(`Cannot benchmark: the event stream of "${body.id}" ended before its grade`);
}

/** Sends {@linkcode BURST} submissions evenly over {@linkcode BURST_MS} (open loop). */
async function measureBurst(base: string, seeded: Seeded) {
  const source = await Deno.readTextFile(join(ROOT, "solutions", BURST_EXERCISE, "lms.ts"));
  await submitAndWait(base, seeded.warmupToken, source); // warms the sandbox and its caches
  const interval = BURST_MS / BURST;
  const started = performance.now();
  const results = await Promise.all(seeded.apiTokens.map(async (token, i) => {
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, started + i * interval - performance.now()))
    );
    return await submitAndWait(base, token, source);
  }));
  return { results, wallMs: performance.now() - started };
}

/** Counts the burst's submissions that the database holds graded, after the server stopped. */
async function countDurable(place: StoreOptions, ids: string[]): Promise<number> {
  const store = await openStore(place);
  try {
    const [row] = await store.engine.query(
      `SELECT count(*)::int AS "graded" FROM submissions
      WHERE id = ANY($1::text[]) AND status = 'done' AND score IS NOT NULL AND result IS NOT NULL`,
      [ids],
    );
    return row.graded as number;
  } finally {
    await store.close();
  }
}

/** Seeds a store at `place`, runs the portal on it and measures; the figures get `prefix`. */
async function benchEngine(prefix: string, place: StoreOptions): Promise<Record<string, number>> {
  const store = await openStore(place);
  let seeded: Seeded;
  try {
    seeded = await seed(store);
  } finally {
    await store.close();
  }
  console.error(
    `${prefix}: seeded ${STUDENTS * EXERCISES.length * ATTEMPTS} submissions in ${
      round(seeded.seedMs / 1000)
    } s`,
  );
  const portal = await startPortal(place);
  let reads, burst;
  try {
    reads = await measureReads(portal.base, seeded);
    console.error(`${prefix}: reads measured`);
    burst = await measureBurst(portal.base, seeded);
  } finally {
    await portal.stop();
  }
  const ids = burst.results.map((r) => r.id);
  const durable = await countDurable(place, ids);
  const burstMs = burst.results.map((r) => r.ms);
  return {
    [`${prefix}_seed_s`]: round(seeded.seedMs / 1000),
    [`${prefix}_leaderboard_p50_ms`]: round(quantile(reads.board.latencies, 0.5)),
    [`${prefix}_leaderboard_p95_ms`]: round(quantile(reads.board.latencies, 0.95)),
    [`${prefix}_leaderboard_per_s`]: round(reads.board.perSecond),
    [`${prefix}_progress_p50_ms`]: round(quantile(reads.mine.latencies, 0.5)),
    [`${prefix}_progress_p95_ms`]: round(quantile(reads.mine.latencies, 0.95)),
    [`${prefix}_progress_per_s`]: round(reads.mine.perSecond),
    [`${prefix}_burst_accepted`]: burst.results.length,
    [`${prefix}_burst_durable`]: durable,
    [`${prefix}_burst_p50_s`]: round(quantile(burstMs, 0.5) / 1000, 2),
    [`${prefix}_burst_p95_s`]: round(quantile(burstMs, 0.95) / 1000, 2),
    [`${prefix}_burst_max_s`]: round(Math.max(...burstMs) / 1000, 2),
    [`${prefix}_burst_wall_s`]: round(burst.wallMs / 1000, 1),
  };
}

/** Runs the benchmark and prints its figures. */
export default async function benchPortal(options: BenchOptions): Promise<void> {
  const figures: Record<string, number> = {};
  const dataDir = await Deno.makeTempDir({ prefix: "bench-portal-" });
  try {
    Object.assign(figures, await benchEngine("pglite", { dataDir }));
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
  const server = await startThrowawayPostgres();
  try {
    Object.assign(
      figures,
      await benchEngine("postgres", { databaseUrl: await server.createDatabase() }),
    );
  } finally {
    await server.stop();
  }
  printFigures(
    `Portal (${STUDENTS} students × ${EXERCISES.length} exercises × ${ATTEMPTS} attempts; ` +
      `${CLIENTS} clients; ${BURST} submissions of ${BURST_EXERCISE} in ${BURST_MS / 1000} s)`,
    { ...figures, workers: WORKERS, cores: navigator.hardwareConcurrency },
    options.json,
  );
}
