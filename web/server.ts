/**
 * `deno task start`: the course portal on `Deno.serve`, with its database (`DATABASE_URL`,
 * else PGlite in `DATA_DIR`, default `.data`) and grading workers in the same process,
 * until SIGINT or SIGTERM.
 *
 * ```
 * deno task start [--workers N] [--trusted] [--demo]
 * ```
 *
 * `PORT` (default 8000) is the port; `PORTAL_ORIGIN` (default `http://localhost:<port>`) is
 * the origin browsers see, which cookie-authenticated changes must come from: set it to the
 * public `https://` address behind a proxy. Exit status: 0 after a signal, 2 for bad
 * arguments or configuration.
 *
 * @module
 */
import { createApp } from "./app.ts";
import { Assets } from "./_assets.ts";
import { loadDemo } from "./demo.ts";
import { SetupToken } from "./_setup.ts";
import { listenToDatabase, Notifier } from "./events.ts";
import { openStore, type Store } from "./store/mod.ts";
import { runWorker, type WorkerEvent } from "./worker.ts";
import {
  abortOnSignals,
  integerSetting,
  parseArguments,
  runCommand,
  UsageError,
} from "../course/cli.ts";

const USAGE = `Usage: deno task start [options]

Serves the course portal on PORT (default 8000) with its database (DATABASE_URL, else the
embedded one in DATA_DIR, default .data) and grades submissions in the same process.

Options:
  --workers N  in-process grading workers (default: 1; 0 leaves grading to deno task worker)
  --trusted    run student code WITHOUT the bubblewrap sandbox (only for code you trust)
  --demo       on an empty database, load the sample class as students with submissions
  --help       show this message

Environment: PORT, PORTAL_ORIGIN (the public origin, default http://localhost:PORT),
DATABASE_URL, DATA_DIR, TRUSTED_PROXIES (the addresses of reverse proxies in front of the
portal, comma-separated, whose X-Forwarded-For names the client).`;

interface ServerOptions {
  port: number;
  origin: string;
  trustedProxies: string[];
  workers: number;
  trusted: boolean;
  demo: boolean;
}

function parseOptions(args: string[]): ServerOptions | "help" {
  const { values } = parseArguments({
    args,
    options: {
      workers: { type: "string" },
      trusted: { type: "boolean" },
      demo: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const workers = integerSetting("--workers", values.workers ?? "1", 0, 64);
  const port = integerSetting("PORT", Deno.env.get("PORT") || "8000", 0, 65535);
  const origin = Deno.env.get("PORTAL_ORIGIN") || `http://localhost:${port}`;
  if (!URL.canParse(origin)) {
    throw new UsageError(`Invalid PORTAL_ORIGIN "${origin}": expected a URL such as https://x.org`);
  }
  // The proxies in front of the portal, whose X-Forwarded-For names the client.
  const trustedProxies = (Deno.env.get("TRUSTED_PROXIES") ?? "").split(",").map((a) => a.trim())
    .filter((address) => address !== "");
  return {
    port,
    origin,
    trustedProxies,
    workers,
    trusted: values.trusted ?? false,
    demo: values.demo ?? false,
  };
}

function report(event: WorkerEvent): void {
  const what = `${event.student}/${event.exercise} (${event.submission})`;
  if (event.status === "done" && event.grade) {
    console.log(`Graded ${what}: ${event.grade.score}/${event.grade.maxScore}`);
  } else if (event.status === "error") {
    console.error(`Not graded ${what}: ${event.reason}`);
  }
}

/** Loads the demo class into an empty store and prints its credentials once. */
async function startDemo(store: Store, origin: string): Promise<void> {
  const demo = await loadDemo(store);
  if (demo === null) {
    console.log("Demo: the database already has users; not loading the sample class");
    return;
  }
  console.log("Demo credentials (shown once; random passwords, for a look around only):");
  for (const { id, name, role, password } of demo.credentials) {
    console.log(`  ${role.padEnd(10)} ${id.padEnd(16)} ${password}  (${name})`);
  }
  const students = demo.credentials.filter(({ role }) => role === "student").length;
  console.log(
    `Demo: ${students} students, ${demo.queued} submissions queued; sign in with ` +
      `POST ${origin.replace(/\/$/, "")}/api/session {"id", "password"} as demo-instructor ` +
      "or a student (see the README's Quick start)",
  );
}

/**
 * On a store without an instructor, makes a one-time setup token and prints the one line
 * that tells how to use it.
 */
async function firstStartSetup(store: Store, origin: string): Promise<SetupToken | null> {
  if ((await store.listUsers({ role: "instructor" })).length > 0) return null;
  const { token, setup } = await SetupToken.create();
  const base = origin.replace(/\/$/, "");
  console.log(
    `No instructor yet: open ${base}/setup#${token} or POST {token, id, password, name?} ` +
      `to /api/setup within 24 h`,
  );
  return setup;
}

async function serve(options: ServerOptions): Promise<number> {
  let store: Store;
  try {
    store = await openStore();
  } catch (error) {
    throw new UsageError(`Cannot open the portal's database: ${(error as Error).message}`);
  }
  const stop = new AbortController();
  try {
    const notifier = new Notifier();
    // Open event streams end when the server stops, so that it need not wait for them.
    stop.signal.addEventListener("abort", () => notifier.close());
    const databaseUrl = Deno.env.get("DATABASE_URL");
    // Workers in other processes announce their changes with NOTIFY (web/events.ts).
    const unlisten = store.engine.kind === "postgres" && databaseUrl
      ? await listenToDatabase(databaseUrl, notifier)
      : undefined;
    if (options.demo) await startDemo(store, options.origin);
    const setup = await firstStartSetup(store, options.origin);
    // The pages' islands are bundled for the browser at every start.
    const assets = await Assets.load({ islands: true });
    const app = createApp({
      store,
      origin: options.origin,
      notifier,
      setupToken: setup,
      assets,
      trustedProxies: options.trustedProxies,
    });
    const server = Deno.serve({
      port: options.port,
      signal: stop.signal,
      onListen: ({ port }) =>
        console.log(`Portal on http://localhost:${port}/ (${store.engine.description})`),
    }, app.fetch);
    const workers = Array.from(
      { length: options.workers },
      () =>
        runWorker(store, {
          signal: stop.signal,
          trusted: options.trusted,
          onEvent: (event) => {
            report(event);
            notifier.publish({ submission: event.submission, student: event.student });
          },
        })
          .catch((error) => {
            // The portal still takes submissions; they wait for a working worker.
            console.error(`A grading worker stopped: ${(error as Error).message}`);
          }),
    );
    using _signals = abortOnSignals(
      stop,
      "Stopping: finishing the requests and jobs in hand (signal again to stop at once)",
    );
    try {
      await Promise.all([server.finished, ...workers]);
    } finally {
      await unlisten?.();
    }
    console.log("Stopped.");
    return 0;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, parse: parseOptions, run: serve }, Deno.args));
}
