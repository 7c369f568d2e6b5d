/**
 * `deno task bench check`: how long a student waits for `deno task check`.
 *
 * Works in a fresh student bundle (`deno task release`) with the 02-lms solution filled
 * in, the way a student runs it: `deno task check 02-lms` as a process with a warm module
 * cache, and the time from saving the file to the end of the re-run under `--watch`.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildRelease } from "../course/release.ts";
import type { BenchOptions } from "./main.ts";
import { printFigures, quantile, round } from "./_stats.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const EXERCISE = "02-lms";
const RUNS = 15;

async function timeCheck(bundle: string): Promise<number> {
  const started = performance.now();
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "check", EXERCISE],
    cwd: bundle,
    stdout: "null",
    stderr: "null",
  }).output();
  if (code !== 0) throw new Error(`Cannot benchmark: "deno task check ${EXERCISE}" failed`);
  return performance.now() - started;
}

async function timeWatchReruns(bundle: string, entry: string): Promise<number[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "check", EXERCISE, "--watch"],
    cwd: bundle,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const untilWatching = async () => {
    while (!buffer.includes("Watching")) {
      const { value, done } = await lines.read();
      if (done) throw new Error("Cannot benchmark: check --watch exited");
      buffer += value;
    }
    buffer = "";
  };
  const samples: number[] = [];
  try {
    await untilWatching();
    const source = await Deno.readTextFile(entry);
    for (let i = 0; i < RUNS; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const started = performance.now();
      await Deno.writeTextFile(entry, source + `\n// save ${i}\n`);
      await untilWatching();
      samples.push(performance.now() - started);
    }
  } finally {
    // SIGTERM, not SIGKILL: `deno task` passes SIGTERM on to the watcher it started, while a
    // killed task runner would leave the watcher running.
    child.kill("SIGTERM");
    await child.status;
  }
  return samples;
}

/** Runs the benchmark and prints its figures. */
export default async function benchCheck(options: BenchOptions): Promise<void> {
  const bundle = await Deno.makeTempDir({ prefix: "bench-check-" });
  try {
    await buildRelease(bundle);
    const entry = join(bundle, "exercises", EXERCISE, "lms.ts");
    await Deno.copyFile(join(ROOT, "solutions", EXERCISE, "lms.ts"), entry);
    await timeCheck(bundle); // warms the module cache and the transpile cache
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await timeCheck(bundle));
    const reruns = await timeWatchReruns(bundle, entry);
    printFigures(`deno task check ${EXERCISE} (${RUNS} runs each, warm cache)`, {
      exercise: EXERCISE,
      check_p50_ms: round(quantile(runs, 0.5)),
      check_p90_ms: round(quantile(runs, 0.9)),
      watch_rerun_p50_ms: round(quantile(reruns, 0.5)),
      watch_rerun_p90_ms: round(quantile(reruns, 0.9)),
      cores: navigator.hardwareConcurrency,
    }, options.json);
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
}
