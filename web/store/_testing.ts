/**
 * Test helpers for the store: a throwaway PostgreSQL server, and a runner that gives one
 * suite of cases to both engines — PGlite in a temporary `DATA_DIR` and PostgreSQL on that
 * server — each with a fresh store, a settable clock and a small course.
 *
 * @module
 */
import { join } from "node:path";
import { EXERCISES, parseExercises } from "../../course/metadata.ts";
import type { SubmissionGrade } from "../../grader/report.ts";
import type { Engine } from "./engine.ts";
import { openPostgresEngine } from "./postgres_engine.ts";
import type { GradingJob, Store, StoreOptions } from "./store.ts";
import { openStore } from "./store.ts";

/** A PostgreSQL server in a temporary folder, for one test file. */
export interface ThrowawayPostgres {
  /** The URL of its `postgres` database. */
  url: string;
  /**
   * Creates an empty database.
   *
   * @returns Its URL.
   */
  createDatabase(): Promise<string>;
  /** Stops the server and deletes its folder. */
  stop(): Promise<void>;
}

const INSTALL_HINT = "install them with `apt-get install postgresql` (scripts/install.sh does)";

/**
 * Starts a PostgreSQL server on a free port of 127.0.0.1, in a new temporary folder: runs
 * `initdb` and `postgres` (as the `postgres` user when this process is root, which the
 * server refuses to be) and waits until it answers.
 *
 * @returns The running server; stop it in a `finally`.
 * @throws {Error} If the server binaries are missing (saying how to install them), or the
 *   server does not start (with its log).
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = await findServerBinaries();
  const owner = Deno.uid() === 0 ? await unprivilegedUser() : undefined;
  const dir = await Deno.makeTempDir({ prefix: "store-test-postgres-" });
  const data = join(dir, "data");
  let server: Deno.ChildProcess | undefined;
  let admin: Engine | undefined;
  const log: string[] = [];
  const stop = async () => {
    await admin?.close();
    if (server) {
      // SIGINT asks for a fast shutdown: sessions are ended, nothing is flushed to keep.
      server.kill("SIGINT");
      const killer = setTimeout(() => server?.kill("SIGKILL"), 10_000);
      await server.status;
      clearTimeout(killer);
    }
    await Deno.remove(dir, { recursive: true });
  };
  try {
    if (owner) await Deno.chown(dir, owner.uid, owner.gid);
    const initdb = await new Deno.Command(join(bin, "initdb"), {
      args: ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"]
        .concat(["--no-sync", "--no-instructions"]),
      ...owner,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!initdb.success) {
      throw new Error(
        `Cannot start a throwaway PostgreSQL server: initdb failed\n${
          new TextDecoder().decode(initdb.stderr)
        }`,
      );
    }
    const port = freePort();
    server = new Deno.Command(join(bin, "postgres"), {
      args: ["-D", data, "-k", dir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"]
        // A throwaway server needs no durability, and speed keeps the suite short.
        .concat(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
      ...owner,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    collect(server.stderr, log);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    admin = await waitUntilReady(url, server, log);
    let databases = 0;
    return {
      url,
      async createDatabase() {
        const name = `test_${++databases}`;
        await admin!.query(`CREATE DATABASE ${name}`);
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function findServerBinaries(): Promise<string> {
  const versions: string[] = [];
  try {
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) versions.push(entry.name);
  } catch {
    // No Debian packages: only the other places remain.
  }
  const candidates = [
    "/usr/local/bin",
    ...versions.sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`),
    ...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean),
  ];
  for (const dir of candidates) {
    if ((await isFile(join(dir, "initdb"))) && (await isFile(join(dir, "postgres")))) return dir;
  }
  throw new Error(
    "Cannot start a throwaway PostgreSQL server: initdb and postgres are not in /usr/local/bin, " +
      `/usr/lib/postgresql/*/bin or PATH; ${INSTALL_HINT}`,
  );
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The `postgres` user (the Debian package creates it), else `nobody`. */
async function unprivilegedUser(): Promise<{ uid: number; gid: number }> {
  const users = new Map(
    (await Deno.readTextFile("/etc/passwd")).split("\n").map((line) => {
      const [name, , uid, gid] = line.split(":");
      return [name, { uid: Number(uid), gid: Number(gid) }] as const;
    }),
  );
  const user = users.get("postgres") ?? users.get("nobody");
  if (!user) {
    throw new Error(
      "Cannot start a throwaway PostgreSQL server as root: there is no postgres or nobody user " +
        `to run it as; ${INSTALL_HINT}`,
    );
  }
  return user;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

/** Keeps the last lines the server wrote, for the message if it fails. */
async function collect(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  lines: string[],
): Promise<void> {
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    lines.push(...chunk.split("\n").filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - 40));
  }
}

async function waitUntilReady(
  url: string,
  server: Deno.ChildProcess,
  log: string[],
): Promise<Engine> {
  let exited = false;
  server.status.then(() => exited = true);
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await openPostgresEngine(url, { maxConnections: 2 });
    } catch (error) {
      if (exited || Date.now() > deadline) {
        throw new Error(
          `Cannot start a throwaway PostgreSQL server: ${
            exited ? "it exited" : "it did not answer within 20 s"
          } (${(error as Error).message})\n${log.join("\n")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A clock that moves only when told to. */
export class TestClock {
  #time = Date.parse("2025-03-03T09:00:00Z");

  /** The clock's time; hand this to the store. */
  readonly now = (): Date => new Date(this.#time);

  /**
   * Moves the clock forward.
   *
   * @param ms How far.
   */
  advance(ms: number): void {
    this.#time += ms;
  }
}

const template = EXERCISES[0];

/** A small course whose policies the cases rely on, whatever the real course says. */
export const TEST_EXERCISES = parseExercises([
  { ...template, id: "91-unlimited", attempts: {}, metric: undefined },
  {
    ...template,
    id: "92-limited",
    attempts: { perDay: 3, cooldownMinutes: 5 },
    metric: { name: "AUC", higherIsBetter: true },
  },
  {
    ...template,
    id: "93-lower-is-better",
    attempts: {},
    metric: { name: "loss", higherIsBetter: false },
  },
]);

/** What a case of {@linkcode testOnBothEngines} gets. */
export interface EngineContext {
  kind: Engine["kind"];
  /** A store on an empty database (the schema is there), using {@linkcode TEST_EXERCISES}. */
  store: Store;
  clock: TestClock;
  /**
   * Opens another store on the same database, as another process would (PostgreSQL only).
   *
   * @param options Options besides the database and the clock.
   * @returns The store; the runner closes it after the case.
   */
  openAnother(options?: StoreOptions): Promise<Store>;
  /** The server, on PostgreSQL. */
  server?: ThrowawayPostgres;
}

/** One case of {@linkcode testOnBothEngines}. */
export interface EngineCase {
  /** A sentence about the symbol under test. */
  name: string;
  /** An engine this case does not apply to, with the reason. */
  skip?: { engine: Engine["kind"]; reason: string };
  fn(context: EngineContext): Promise<void>;
}

/**
 * Registers one test per engine that runs every case, each on an emptied database with a
 * fresh clock: PGlite in a temporary `DATA_DIR`, then PostgreSQL on a throwaway server.
 *
 * @param subject What the cases test, for the tests' names.
 * @param cases The cases.
 */
export function testOnBothEngines(subject: string, cases: readonly EngineCase[]): void {
  for (const kind of ["pglite", "postgres"] as const) {
    const where = kind === "pglite" ? "PGlite in a temporary DATA_DIR" : "PostgreSQL";
    Deno.test(`${subject} works on ${where}`, async (t) => {
      const server = kind === "postgres" ? await startThrowawayPostgres() : undefined;
      const dataDir = server ? undefined : await Deno.makeTempDir({ prefix: "store-test-" });
      const place: StoreOptions = server ? { databaseUrl: server.url } : { dataDir };
      let clock = new TestClock();
      const open = (options: StoreOptions = {}) =>
        openStore({ exercises: TEST_EXERCISES, ...options, ...place, now: () => clock.now() });
      try {
        const store = await open();
        try {
          for (const c of cases) {
            const others: Store[] = [];
            await t.step({
              name: c.name,
              ignore: c.skip?.engine === kind,
              fn: async () => {
                await emptyTables(store.engine);
                clock = new TestClock();
                await c.fn({
                  kind,
                  store,
                  clock,
                  server,
                  async openAnother(options) {
                    if (!server) throw new Error("Cannot open another store: PGlite serves one");
                    const other = await open(options);
                    others.push(other);
                    return other;
                  },
                });
              },
            });
            for (const other of others) await other.close();
            if (c.skip?.engine === kind) console.log(`  (${c.name}: ${c.skip.reason})`);
          }
        } finally {
          await store.close();
        }
      } finally {
        await server?.stop();
        if (dataDir) await Deno.remove(dataDir, { recursive: true });
      }
    });
  }
}

async function emptyTables(engine: Engine): Promise<void> {
  const tables = await engine.query(
    `SELECT tablename FROM pg_tables
    WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
  );
  if (tables.length === 0) return;
  await engine.exec(`TRUNCATE ${tables.map((t) => t.tablename).join(", ")} CASCADE`);
}

/**
 * A grade for a job, as the grader would return it.
 *
 * @param job The job being graded.
 * @param score The score out of 10.
 * @param metric The metric's value, where the exercise has one.
 * @returns The grade.
 */
export function gradeFor(job: GradingJob, score: number, metric?: number): SubmissionGrade {
  const exercise = TEST_EXERCISES.find((e) => e.id === job.exercise);
  return {
    student: job.student,
    exercise: job.exercise,
    status: "graded",
    score,
    maxScore: 10,
    groups: [],
    ...(metric === undefined || !exercise?.metric
      ? {}
      : { metric: { ...exercise.metric, value: metric } }),
    durationMs: 12,
  };
}
