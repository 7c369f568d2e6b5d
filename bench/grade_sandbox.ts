/**
 * The sandbox's overhead: the same tiny submission graded by a bare `deno run` of the
 * harness, and through the sandbox (bubblewrap, private storage, limits, and the V8 profile
 * that 02-lms is graded with), and through the sandbox's `trusted` mode (no bubblewrap).
 *
 * Each figure is the median time per run with `concurrency` runs at a time, measured from
 * the grading process: spawning, writing the request and reading every frame, up to the
 * harness's "done" (after which a bare child exits on its own and the sandbox kills its
 * child, reaping it in the background).
 * The sandbox's figure also covers its per-run work (copying the submission, a private
 * `DENO_DIR`, polling memory). The three kinds of run are interleaved, so a noisy
 * neighbour slows them alike. Then the machine's processor time per run, bare and sandboxed,
 * one run at a time: what a child costs, whatever the cores do meanwhile.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { exerciseById } from "../course/metadata.ts";
import { toWire } from "../grader/child/calls.ts";
import { formatRequest } from "../grader/child/protocol.ts";
import { openSandbox, type Sandbox, type SandboxRequest } from "../grader/sandbox.ts";
import { machineCpuMs, quantile } from "./_stats.ts";

const HARNESS = fileURLToPath(new URL("../grader/child/harness.ts", import.meta.url));
const ENTRY = "lms.ts";
const SOURCE = `export function predict(theta: number[], x: number[]): number {
  let sum = 0;
  for (let j = 0; j < theta.length; j++) sum += theta[j] * x[j];
  return sum;
}
`;
const CASES = [[{ fn: "predict", args: [[1, 2], [3, 4]] }]];

/** Options for {@linkcode measureSandboxOverhead}. */
export interface OverheadOptions {
  /**
   * Runs of each kind.
   *
   * @default {20}
   */
  runs?: number;
  /**
   * Runs at a time.
   *
   * @default {2}
   */
  concurrency?: number;
}

/** Runs of each kind whose processor time is measured, one at a time. */
const CPU_RUNS = 20;

/** Median milliseconds per run of each kind, and processor time per run. */
export interface Overhead {
  /** `deno run` of the harness on the submission, no sandbox. */
  bareMs: number;
  /** {@linkcode Sandbox.run} with bubblewrap. */
  sandboxMs: number;
  /** {@linkcode Sandbox.run} in trusted mode (no bubblewrap). */
  trustedMs: number;
  /**
   * The machine's processor time per bare run, every process's (the child's, this
   * process's, the system's), one run at a time; `undefined` without Linux's `/proc/stat`.
   */
  bareCpuMs?: number;
  /** The same for {@linkcode Sandbox.run} with bubblewrap. */
  sandboxCpuMs?: number;
}

/**
 * Measures the sandbox's overhead over a bare run of the harness.
 *
 * @param options How many runs, and how many at a time.
 * @returns The median time per run of each kind, in milliseconds.
 * @throws {Error} If a run does not return the right result.
 */
export async function measureSandboxOverhead(options: OverheadOptions = {}): Promise<Overhead> {
  const runs = options.runs ?? 20;
  const concurrency = options.concurrency ?? 2;
  const folder = await Deno.makeTempDir({ prefix: "bench-sandbox-" });
  const sandboxes: Sandbox[] = [];
  const exits: Promise<unknown>[] = [];
  try {
    await Deno.writeTextFile(join(folder, ENTRY), SOURCE);
    await Deno.writeTextFile(
      join(folder, "main.js"),
      `import { runHarness } from ${JSON.stringify(pathToFileURL(HARNESS).href)};\n` +
        `await runHarness([{ student: () => import(${
          JSON.stringify(pathToFileURL(join(folder, ENTRY)).href)
        }) }]);\n`,
    );
    const sandbox = await openSandbox();
    sandboxes.push(sandbox);
    const trusted = await openSandbox({ trusted: true });
    sandboxes.push(trusted);
    // Graded as 02-lms is: with its V8 profile (`jit` in course/metadata.ts).
    const { jit } = exerciseById("02-lms").limits;
    const request: SandboxRequest = { submission: folder, entry: ENTRY, cases: CASES, jit };
    const kinds = {
      bareMs: () => bareRun(folder, exits),
      sandboxMs: () => checked(sandbox.run(request)),
      trustedMs: () => checked(trusted.run(request)),
    };
    type Kind = "bareMs" | "sandboxMs" | "trustedMs";
    const samples: Record<Kind, number[]> = { bareMs: [], sandboxMs: [], trustedMs: [] };
    for (const run of Object.values(kinds)) await run(); // Warm the page cache.
    for (let round = 0; round < runs; round += concurrency) {
      for (const [kind, run] of Object.entries(kinds) as [Kind, () => Promise<void>][]) {
        const started = performance.now();
        const batch = Math.min(concurrency, runs - round);
        await Promise.all(Array.from({ length: batch }, run));
        samples[kind].push((performance.now() - started) / batch);
      }
    }
    // Then what a run costs the machine, whatever its cores do meanwhile.
    const cpuMs = async (run: () => Promise<void>) => {
      await Promise.all(exits);
      const before = machineCpuMs();
      for (let i = 0; i < CPU_RUNS; i++) await run();
      await Promise.all(exits); // A bare child's exit is its own.
      const after = machineCpuMs();
      return before && after ? (after.busy - before.busy) / CPU_RUNS : undefined;
    };
    const bareCpuMs = await cpuMs(kinds.bareMs);
    const sandboxCpuMs = await cpuMs(kinds.sandboxMs);
    return {
      bareMs: quantile(samples.bareMs, 0.5),
      sandboxMs: quantile(samples.sandboxMs, 0.5),
      trustedMs: quantile(samples.trustedMs, 0.5),
      ...(bareCpuMs === undefined ? {} : { bareCpuMs, sandboxCpuMs }),
    };
  } finally {
    await Promise.all(exits);
    for (const sandbox of sandboxes) await sandbox.close();
    await Deno.remove(folder, { recursive: true });
  }
}

/**
 * A bare run, timed as the sandbox's runs are: until the harness's "done" frame is in (the
 * child then exits on its own; the sandbox kills its child there). `exits` collects the
 * exits, for the caller to await before it removes the folder.
 */
async function bareRun(folder: string, exits: Promise<unknown>[]): Promise<void> {
  const nonce = "bench0123456789abcdef";
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      "--no-remote",
      "--cached-only",
      "--no-config",
      join(folder, "main.js"),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  exits.push(child.status);
  const writer = child.stdin.getWriter();
  await writer.write(
    formatRequest(
      nonce,
      toWire({ parts: [{ root: pathToFileURL(folder + "/").href, cases: CASES }] }),
    ),
  );
  await writer.close();
  let text = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    text += chunk;
    if (text.includes(`${nonce} {"type":"done"}`)) return;
  }
  throw new Error("Cannot benchmark: the bare run did not finish");
}

async function checked(result: ReturnType<Sandbox["run"]>): Promise<void> {
  const { status, cases } = await result;
  const first = cases[0]?.[0];
  if (status !== "ok" || !first?.ok || first.value !== 11) {
    throw new Error(`Cannot benchmark: a sandboxed run ended with "${status}"`);
  }
}
