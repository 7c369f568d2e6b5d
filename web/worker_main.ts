/**
 * `deno task worker`: grading workers in a process of their own, taking queued submissions
 * from the portal's database (`DATABASE_URL`, else PGlite in `DATA_DIR`) until SIGINT or
 * SIGTERM. The first signal lets each worker finish and record the job in hand; a second
 * one stops at once (the jobs' leases run out and other workers take them again).
 *
 * ```
 * deno task worker [--workers N] [--trusted]
 * ```
 *
 * Prints one line per graded submission. Exit status: 0 after a signal, 2 for bad
 * arguments or configuration (the sandbox or the database cannot be opened).
 *
 * @module
 */
import { EXERCISES } from "../course/metadata.ts";
import { commandSandboxExecutor } from "../grader/execute.ts";
import { loadCourseSecret } from "../grader/secret.ts";
import { openStore, type Store } from "./store/mod.ts";
import { notifyDatabase } from "./events.ts";
import { runWorker, type WorkerEvent } from "./worker.ts";
import {
  abortOnSignals,
  count,
  integerSetting,
  parseArguments,
  runCommand,
  UsageError,
} from "../course/cli.ts";

const USAGE = `Usage: deno task worker [options]

Grades queued submissions from the portal's database (DATABASE_URL, else the embedded one
in DATA_DIR, default .data) until SIGINT or SIGTERM; the job in hand is finished first.

Options:
  --workers N  submissions graded at once (default: 1)
  --trusted    run student code WITHOUT the bubblewrap sandbox (only for code you trust)
  --help       show this message`;

function parseOptions(args: string[]): { workers: number; trusted: boolean } | "help" {
  const { values } = parseArguments({
    args,
    options: {
      workers: { type: "string" },
      trusted: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  const workers = integerSetting("--workers", values.workers ?? "1", 1, 64);
  return { workers, trusted: values.trusted ?? false };
}

function report(event: WorkerEvent): void {
  const what = `${event.student}/${event.exercise} (${event.submission})`;
  if (event.status === "done" && event.grade) {
    const { grade } = event;
    console.log(
      `Graded ${what}: ${grade.score}/${grade.maxScore}, ${grade.status}, ` +
        `${(grade.durationMs / 1000).toFixed(1)} s`,
    );
  } else if (event.status === "error") {
    console.error(`Not graded ${what}: ${event.reason} (${event.queue})`);
  }
}

async function work(options: { workers: number; trusted: boolean }): Promise<number> {
  await using executor = await commandSandboxExecutor({
    trusted: options.trusted,
    exercises: EXERCISES,
  });
  const { secret } = await loadCourseSecret({ value: Deno.env.get("GRADER_SECRET") });
  let store: Store;
  try {
    store = await openStore();
  } catch (error) {
    throw new UsageError(`Cannot open the portal's database: ${(error as Error).message}`);
  }
  const stop = new AbortController();
  using _signals = abortOnSignals(
    stop,
    "Stopping: finishing the jobs in hand (signal again to stop at once)",
    // The jobs in hand go back to the queue when their lease runs out.
    () => executor.sandbox.removeNow(),
  );
  try {
    console.log(
      `${count(options.workers, "worker")} grading from ` +
        `${store.engine.description} (${options.trusted ? "no sandbox: --trusted" : "bubblewrap"})`,
    );
    await Promise.all(
      Array.from({ length: options.workers }, () =>
        runWorker(store, {
          signal: stop.signal,
          execute: executor.execute,
          secret,
          onEvent: (event) => {
            report(event);
            // Portals on the same PostgreSQL database update their live status views.
            notifyDatabase(store, event).catch((error) => {
              console.error(`Cannot announce a status change: ${(error as Error).message}`);
            });
          },
        })),
    );
    console.log("Stopped.");
    return 0;
  } finally {
    await store.close();
  }
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, parse: parseOptions, run: work }, Deno.args));
}
