/**
 * Runs untrusted student code: a child process inside bubblewrap, with every Deno
 * permission denied, and limits on time, memory, threads and output.
 *
 * A run copies the submission folder into a private folder (refusing links, odd names and
 * oversized files, see `submission_copy.ts`), then starts the trusted harness
 * (`child/harness.ts`) with `deno run --no-prompt --cached-only --no-remote`, the course's
 * own minimal import map and a frozen lockfile, inside a bubblewrap sandbox that has:
 *
 * - its own user (no capabilities, no further user namespaces), pid (Deno is its pid 1),
 *   network (no interface but loopback), IPC and UTS namespaces, a new session, and death
 *   with its parent;
 * - a filesystem holding only the Deno binary and the libraries it links, the harness
 *   folder, the copy of the submission, Deno's npm cache (read-only; public packages, and
 *   only those in the course's import map resolve as `npm:` imports, because the
 *   lockfile is pruned to them and frozen), and a fresh size-capped tmpfs for `DENO_DIR`
 *   (localStorage, caches): nothing of `/work`, `solutions/`, the grader, `/root` or the
 *   host's `/tmp`, and nothing a run writes survives it or reaches another run;
 * - an empty environment but for `DENO_DIR`, `HOME` and `NO_COLOR`.
 *
 * Limits: the wall clock is enforced by SIGKILL of the process tree (the sandbox's pid
 * namespace dies with bubblewrap); processor time by `RLIMIT_CPU` (`ulimit -t`); the JS heap by V8's `--max-old-space-size`, and all
 * memory (array buffers and wasm memory included) and the thread count by polling the
 * process's `RssAnon` and `Threads` in `/proc` and SIGKILL past the cap (see
 * `process_tree.ts` for why no kernel limit does this portably); output by counting the
 * bytes as they stream and SIGKILL past the cap.
 *
 * Start-up cost: before the first run of each profile (whether the submission may import
 * packages, the V8 flags: `jit` and the memory limit), the sandbox runs a warm-up submission
 * of that profile inside the same layout, importing nothing or every package, and keeps
 * what it left in its `DENO_DIR`: the cache databases (V8 code cache, CommonJS analysis)
 * and the harness's transpiled files. Every run gets private writable copies of the
 * databases (bubblewrap copies them from open file descriptors into the run's tmpfs) and
 * the transpiled harness read-only, so runs start warm and still share nothing writable.
 * Only a submission whose files mention `npm:` or a mapped package gets the tfjs set,
 * megabytes of code cache. A profile is keyed by its V8 flags because V8 rejects a code
 * cache written under other flags.
 *
 * `jit: "quick"` runs the child with V8's `--single-threaded --max-opt=2` and a higher
 * Maglev threshold ({@linkcode QUICK_V8_FLAGS}): no background compiler or GC threads, and
 * no optimising tier above Maglev. For cases that run for milliseconds that is about a
 * third less processor time per child (measured on the course's exercises 01–04: 118 →
 * 82 ms, before the threshold); code that computes for seconds is faster with the default,
 * `"full"`.
 *
 * One student's submissions of several exercises can share a child
 * ({@linkcode Sandbox.runParts}): each part has its own private folder (a random name, so
 * one part cannot name another's files), its own cases and its own limits, counted from
 * when the part begins; the child's start-up is paid once. A part that is stopped ends the
 * child, and the parts after it are left for the caller to run again.
 *
 * `trusted: true` runs the same child without bubblewrap (same permissions, limits and a
 * private `DENO_DIR`): for code you trust, or machines without bubblewrap. It does not
 * hide the filesystem from the child.
 *
 * @example Run two calls of a small module
 * ```ts
 * import { openSandbox } from "./sandbox.ts";
 * import assert from "node:assert/strict";
 *
 * const folder = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${folder}/add.ts`, "export const add = (a: number, b: number) => a + b;\n");
 * await using sandbox = await openSandbox({ trusted: true, imports: [] });
 * const result = await sandbox.run({
 *   submission: folder,
 *   entry: "add.ts",
 *   cases: [[{ fn: "add", args: [1, 2] }, { fn: "add", args: [0.5, NaN] }]],
 * });
 * assert.equal(result.status, "ok");
 * assert.deepEqual(result.cases[0].map((r) => r.ok && r.value), [3, NaN]);
 * await Deno.remove(folder, { recursive: true });
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { z } from "zod";
import { fromWire, toWire, WITHHOLDING_PREFIX } from "./child/calls.ts";
import { type ChildRequest, formatRequest, HELLO } from "./child/protocol.ts";
import { ChildOutput } from "./child_output.ts";
import { swappableFiles, textFiles } from "./isolation.ts";
import { npmClosure, prunedLockfile } from "./pruned_lockfile.ts";
import { findDescendant, processUsage } from "./process_tree.ts";
import { makeOwnedTempDir } from "./temp_folders.ts";
import {
  type CopiedSubmission,
  copySubmission,
  formatBytes,
  type SubmissionLimits,
  SubmissionRefusedError,
} from "./submission_copy.ts";
import type { Call, CallResult } from "./suite.ts";

const CHILD_DIR = fileURLToPath(new URL("./child/", import.meta.url));

/** The harness folder's test files, hidden in the sandbox: only its running code is there. */
const HARNESS_TESTS = [...Deno.readDirSync(CHILD_DIR)]
  .filter((entry) => entry.isFile && entry.name.endsWith("_test.ts"))
  .map((entry) => entry.name)
  .sort();
const COURSE_CONFIG = fileURLToPath(new URL("../deno.json", import.meta.url));

/** Where things are inside the sandbox. */
const INSIDE = {
  deno: "/sandbox/deno",
  main: "/sandbox/main.js",
  harness: "/sandbox/harness",
  config: "/sandbox/config",
  submission: "/sandbox/submission",
  denoDir: "/sandbox/deno-dir",
} as const;

const NPM_REGISTRY = "registry.npmjs.org";
const ENTRY = /^[A-Za-z0-9._-]+\.(ts|js|mts|mjs)$/;
const DRIVER = /^[a-z0-9][a-z0-9-]*$/;
/** bubblewrap copies the cache databases from file descriptors 3 and up (a shell opens them). */
const FIRST_FD = 3;

/**
 * The arguments of `/bin/sh` that start a child with a processor-time backstop and `files`
 * open from {@linkcode FIRST_FD} up; the command and its arguments follow them. Deno cannot
 * hand a child extra file descriptors: the shell opens them, then becomes the command.
 *
 * The child ignores SIGHUP, SIGINT and SIGTERM (an ignored signal stays ignored across
 * `exec`): a terminal's Ctrl-C (or its closing) signals this process's whole group, and a
 * service manager may signal every process of the service, but stopping is this process's
 * to decide (the portal finishes the gradings in hand; the grader kills its children).
 * Reaching bubblewrap, the signal killed the run, and the student was graded as crashed.
 * The sandbox stops a child with SIGKILL only.
 */
function shellArgs(cpuSeconds: number, files: readonly string[] = []): string[] {
  const opens = files.map((_, i) => `${FIRST_FD + i}<"$${i + 1}"`);
  const script = `trap '' HUP INT TERM; ulimit -t ${cpuSeconds}; ${
    opens.length > 0 ? `exec ${opens.join(" ")}; ` : ""
  }shift ${opens.length}; exec "$@"`;
  return ["-c", script, "sh", ...files];
}
const MAX_DATABASES = 7;

/** The harness's first words (see `protocol.ts`), as its standard output carries them. */
const HELLO_BYTES = new TextEncoder().encode(HELLO);

/**
 * A gap between the poller's ticks longer than this, in milliseconds, is a stall of this
 * process's event loop, added to the running part's time limit.
 */
const STALL_MS = 50;

/**
 * The most items a part's results may hold, all frames together: values in arrays, arrays,
 * objects and object keys (counted as the commas, brackets, braces and colons of their JSON,
 * before anything is parsed; one in a string counts too, which only errs toward refusing).
 * Reading an array or a key costs this process far more than reading a number's bytes:
 * 730 000 keys in 16 MiB held it for 3 s, and five runs of 16 MiB of empty arrays each ran
 * it out of memory (red teams, rounds 12 and 13). The exercises' results hold at most about
 * 5 600 items, in under 100 KiB.
 */
export const MAX_RESULT_ITEMS = 65_536;

/** Bytes a line of the child's output may hold and still be a frame; longer is printed text. */
const MAX_FRAME_LINE_BYTES = 16 * 1024 * 1024;

/** How many items of {@linkcode MAX_RESULT_ITEMS} a frame's JSON holds, at most. */
function items(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // , : [ {
    if (c === 44 || c === 58 || c === 91 || c === 123) count++;
  }
  return count;
}

/** A run asked of a sandbox after {@linkcode Sandbox.abort}. */
export class SandboxAbortedError extends Error {
  /** Creates the error. */
  constructor() {
    super("The sandbox was aborted: it runs nothing more");
    this.name = "SandboxAbortedError";
  }
}

/** bubblewrap is missing or does not work here, or the module cache lacks a package. */
export class SandboxUnavailableError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong and how to fix it.
   */
  constructor(message: string) {
    super(message);
    this.name = "SandboxUnavailableError";
  }
}

/** Options for {@linkcode openSandbox}. */
export interface SandboxOptions {
  /**
   * Run without bubblewrap (still a child process with every permission denied and all
   * the limits, but the child can see the host's files).
   *
   * @default {false}
   */
  trusted?: boolean;
  /**
   * The bubblewrap binary.
   *
   * @default {"bwrap" found on PATH}
   */
  bwrap?: string;
  /**
   * The course's `deno.json`, whose import map and lockfile (beside it) pin what student
   * code may import.
   *
   * @default {"<repo>/deno.json"}
   */
  config?: string;
  /**
   * The bare specifiers of that import map that student code may import.
   *
   * @default {["@tensorflow/tfjs"]}
   */
  imports?: string[];
  /**
   * Where the sandbox keeps its private folders.
   *
   * @default {the system's temporary folder}
   */
  tempDir?: string;
  /**
   * The size of each run's writable `DENO_DIR` (a tmpfs), in MiB.
   *
   * @default {64}
   */
  storageMb?: number;
}

/** Limits of one run. */
export interface RunLimits {
  /**
   * Wall-clock time for the whole run (start-up, loading, every case), in milliseconds.
   *
   * @default {10000}
   */
  timeMs?: number;
  /**
   * Processor time of the child, all its threads together, in milliseconds: Workers
   * spinning on every core must not starve the runs beside it for long.
   *
   * @default {2 × timeMs + 1000}
   */
  cpuMs?: number;
  /**
   * Memory of the child (JS heap and native), in MiB.
   *
   * @default {512}
   */
  memoryMb?: number;
  /**
   * Threads of the child (Deno's own and every Worker's).
   *
   * @default {128}
   */
  maxThreads?: number;
  /**
   * What the student's code may print, on both streams together, in bytes.
   *
   * @default {1048576}
   */
  maxOutputBytes?: number;
  /**
   * What the results of all cases may take on the wire, in bytes (the exercises' take under
   * 100 KiB; see also {@linkcode MAX_RESULT_ITEMS}).
   *
   * @default {1048576}
   */
  maxResultBytes?: number;
  /**
   * How often memory and threads are checked, in milliseconds.
   *
   * @default {10}
   */
  pollMs?: number;
  /**
   * Caps on the submission folder.
   *
   * @default {see SubmissionLimits}
   */
  submission?: SubmissionLimits;
}

/** What to run. */
export interface SandboxRequest {
  /** The student's folder: the entry file and any helper files beside it. */
  submission: string;
  /** The entry file, e.g. `"lms.ts"`. */
  entry: string;
  /** An exercise driver, `grader/child/drivers/<driver>.ts` (see `child/harness.ts`). */
  driver?: string;
  /** The cases, each a list of calls (see `suite.ts`); `$ref`s stay within a case. */
  cases: readonly (readonly Call[])[];
  /**
   * Run the cases isolated (see `isolation.ts`): `swaps[i]` names the exports that case `i`
   * finds replaced by the driver's stand-ins. The private copy of the submission's files is
   * made swappable for this run only (see `isolation.ts`). Needs a driver with the
   * stand-ins.
   */
  isolation?: { swaps: readonly (readonly string[])[] };
  /**
   * How V8 compiles the student's code: `"quick"` for cases that run in milliseconds (one
   * thread, Maglev at most), `"full"` for code that trains for seconds (TurboFan, background
   * threads). A shared child ({@linkcode Sandbox.runParts}) is quick only if every part is.
   *
   * @default {"full"}
   */
  jit?: "quick" | "full";
}

/** How a run ended. */
export type SandboxStatus =
  | "ok"
  | "refused"
  | "load-error"
  | "timeout"
  | "memory"
  | "crash"
  | "output-limit";

/** What one case of an isolated run did with its swaps (see `isolation.ts`). */
export interface CaseSwaps {
  /** The stand-ins its code called, refused calls included. */
  standIns: string[];
  /** Those of its swaps that had no stand-in in place. */
  unswapped: string[];
}

/** The outcome of a run. Everything in it came from student code: untrusted. */
export type SandboxResult =
  & {
    /** The results of the cases that finished, in order: a prefix of the request's cases. */
    cases: CallResult[][];
    /**
     * In an isolated run, for each finished case in the same order: the stand-ins it called,
     * and those of its swaps that had no stand-in in place.
     */
    swaps?: CaseSwaps[];
    /** What the student's code printed on standard output (capped, sandbox paths made relative). */
    stdout: string;
    /** What it printed on standard error, Deno's own messages included (capped). */
    stderr: string;
    /** Wall-clock time of the run, copying the submission and start-up included. */
    durationMs: number;
    /**
     * In a shared run ({@linkcode Sandbox.runParts}): the child's built-ins had changed by
     * the end of this part, by its code or by what an earlier part left running, and no
     * further part ran. The result is this submission's own only if it ran first.
     */
    tainted?: boolean;
  }
  & (
    | { status: "ok" }
    | {
      status: Exclude<SandboxStatus, "ok">;
      /** Why, in plain words for the student. */
      message: string;
      /** The case that was running when the run stopped, if one was. */
      running?: number;
    }
  );

const CallResultSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), value: z.unknown(), ms: z.number() }),
  z.object({ ok: z.literal(false), error: z.string(), ms: z.number() }),
]);

const Index = z.number().int().nonnegative();
const FrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("begin"), part: Index }),
  z.object({ type: z.literal("loaded"), part: Index, ms: z.number() }),
  z.object({ type: z.literal("load-error"), part: Index, error: z.string() }),
  z.object({
    type: z.literal("case"),
    part: Index,
    case: Index,
    results: z.array(CallResultSchema),
    standIns: z.array(z.string()).optional(),
    unswapped: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal("end"), part: Index, tainted: z.boolean().optional() }),
  z.object({ type: z.literal("done") }),
]);

/** How a part ended, before its cases and output are attached. */
type Ending =
  | { status: "ok" }
  | { status: Exclude<SandboxStatus, "ok">; message: string; running?: number };

/** One part of a shared run: a submission with its cases, and its limits. */
export interface SandboxPart {
  request: SandboxRequest;
  limits?: RunLimits;
  /**
   * Called when the harness says the part's module has loaded, while its cases run: the
   * grader's own work for the part can start then (see `HiddenCase.prepare`). An exception
   * it throws is ignored.
   */
  onLoaded?: () => void;
}

/** A part inside the child: where its copy is, and what the child sees. */
interface PreparedPart extends SandboxPart {
  /** The private folder's name under the run's `submission/` folder. */
  folder: string;
  /** The `npm:` specifiers its files name that the course does not provide. */
  foreignNpm: readonly string[];
  /** In an isolated run, the swapper its copy of the entry file ends with. */
  swapper?: string;
}

/** The host's side of the sandbox, found once when it opens. */
interface Host {
  deno: string;
  /** Shared libraries the Deno binary links, bound at the same paths. */
  libraries: string[];
  bwrap?: string;
  /**
   * In trusted mode, util-linux's `setpriv`, where there is one: a trusted child dies with
   * this process (`--pdeathsig KILL`), as bubblewrap's does (`--die-with-parent`).
   */
  setpriv?: string;
  /** Deno's npm cache (`deno info --json`), bound read-only. */
  npmCache: string;
  /** The import map student code gets. */
  imports: Record<string, string>;
  base: string;
  /** The generated config and lockfile. */
  configDir: string;
}

/** What a child's start-up depends on: the packages it may load and its V8 flags. */
interface Profile {
  /** Whether the submission may import packages (the tfjs code cache). */
  packages: boolean;
  /** The value of `--v8-flags`. */
  v8Flags: string;
}

/**
 * The profile of a child: whether it may load packages, and its V8 flags (its heap limit,
 * and the quick profile's flags); the defaults of {@linkcode RunLimits} where unset.
 */
function profileOf(
  settings: { packages?: boolean; jit?: "quick" | "full"; memoryMb?: number },
): Profile {
  const { memoryMb } = withDefaults({ memoryMb: settings.memoryMb });
  const flags = [`--max-old-space-size=${memoryMb}`];
  if (settings.jit === "quick") flags.push(...QUICK_V8_FLAGS);
  return { packages: settings.packages ?? false, v8Flags: flags.join(",") };
}

/**
 * V8's flags for a `jit: "quick"` child: no background threads, nothing above Maglev, and
 * Maglev only for a function called 2000 times (V8's default: 400). Compiling on the main
 * thread, the default threshold spent more on compiling the dual-number driver's many small
 * functions than they ran: 01's cases took 8 ms of a child, 3 ms with the higher one.
 */
const QUICK_V8_FLAGS = ["--single-threaded", "--max-opt=2", "--invocation-count-for-maglev=2000"];

/** A `DENO_DIR` that a warm-up run filled, and what later runs reuse of it. */
interface Warmth {
  dir: string;
  /** Its cache databases (file names). */
  databases: string[];
  /** Its transpiled harness files, relative to it. */
  generated: string[];
}

/** A prepared sandbox; runs may overlap. Close it to remove its private folders. */
export class Sandbox implements AsyncDisposable {
  /** Whether runs skip bubblewrap. */
  readonly trusted: boolean;
  readonly #host: Host;
  readonly #storageMb: number;
  /** Each profile's warm-up, keyed by `packages` and the V8 flags, started on first need. */
  readonly #warm = new Map<string, Promise<Warmth>>();
  /** Children killed once their results were in, until they are reaped and their folder gone. */
  readonly #reaping = new Set<Promise<void>>();
  /** Each child that is running: how to kill it, and its exit. */
  readonly #running = new Map<() => void, Promise<unknown>>();
  /** Whether {@linkcode abort} was called: no run starts any more. */
  #aborted = false;

  /** Use {@linkcode openSandbox}. */
  constructor(host: Host, trusted: boolean, storageMb: number) {
    this.#host = host;
    this.trusted = trusted;
    this.#storageMb = storageMb;
  }

  /**
   * Runs a request's cases on a submission.
   *
   * @param request The submission, its entry file, the driver and the cases.
   * @param limits The limits of this run.
   * @returns How it ended, with the results of the cases that finished.
   * @throws {TypeError} If the request is malformed (entry or driver name).
   * @throws {Error} If the sandbox itself fails (never because of the student's code).
   */
  async run(request: SandboxRequest, limits: RunLimits = {}): Promise<SandboxResult> {
    const [result] = await this.runParts([{ request, limits }]);
    return result!;
  }

  /**
   * Runs several submissions of one student in one child, one after another, each with
   * its own cases and limits; the child starts once.
   *
   * @param parts The submissions, in the order to run them, each with its limits.
   * @returns One result per part, as {@linkcode run} would give it; `undefined` for a
   *   part that never began: the child was stopped in an earlier part, or, with more than
   *   one part, it failed before the harness spoke. Run those again on their own.
   * @throws {TypeError} If a request is malformed (entry or driver name).
   * @throws {SandboxAbortedError} If the sandbox was aborted.
   * @throws {Error} If the sandbox itself fails (never because of the student's code).
   */
  async runParts(parts: readonly SandboxPart[]): Promise<(SandboxResult | undefined)[]> {
    if (this.#aborted) throw new SandboxAbortedError();
    let started = performance.now();
    for (const { request } of parts) {
      if (!ENTRY.test(request.entry)) {
        throw new TypeError(`Cannot run "${request.entry}": not a module file name`);
      }
      if (request.driver !== undefined) checkDriver(request.driver);
    }
    const results: (SandboxResult | undefined)[] = parts.map(() => undefined);
    // The run's own files are a few small ones: synchronous calls are faster here.
    const runDir = Deno.makeTempDirSync({ dir: this.#host.base, prefix: "run-" });
    let exiting: Promise<void> | undefined;
    try {
      Deno.mkdirSync(join(runDir, "submission"));
      const prepared: { index: number; part: PreparedPart }[] = [];
      let needsPackages = false;
      const decoder = new TextDecoder();
      parts.forEach((part, index) => {
        const folder = crypto.randomUUID().replaceAll("-", "");
        const copy = join(runDir, "submission", folder);
        Deno.mkdirSync(copy);
        let copied: CopiedSubmission;
        try {
          copied = copySubmission(part.request.submission, copy, part.limits?.submission);
        } catch (error) {
          if (!(error instanceof SubmissionRefusedError)) throw error;
          results[index] = refused(error.message, started);
          return;
        }
        if (!copied.contents.has(part.request.entry)) {
          results[index] = refused(`${part.request.entry} is missing from the submission`, started);
          return;
        }
        const texts = [...copied.contents.values()].map((bytes) => decoder.decode(bytes));
        // The packages' V8 code cache is megabytes: only a run that may import them gets it.
        needsPackages ||= texts.some((text) =>
          text.includes("npm:") ||
          Object.keys(this.#host.imports).some((name) => text.includes(name))
        );
        const foreignNpm = foreignNpmSpecifiers(texts, this.#host.imports);
        const { isolation } = part.request;
        let swapper: string | undefined;
        if (isolation !== undefined) {
          // Only this run's private copy changes; the name is new each run, so no student
          // code can have been written against it.
          swapper = `__swap_${crypto.randomUUID().replaceAll("-", "")}`;
          // A method (`Dual.pow`) is swapped on its class's prototype, with no rewrite; a
          // withheld function's bindings are those of its own name.
          const names = [
            ...new Set(isolation.swaps.flat().map((name) => name.replace(WITHHOLDING_PREFIX, ""))),
          ].filter((name) => !name.includes("."));
          const files = textFiles(copied.contents);
          for (const [path, text] of swappableFiles(files, part.request.entry, names, swapper)) {
            Deno.writeTextFileSync(join(copy, path), text);
          }
        }
        prepared.push({ index, part: { ...part, folder, foreignNpm, swapper } });
      });
      if (prepared.length === 0) return results;
      const running = prepared.map(({ part }) => part);
      const quick = running.every(({ request }) => request.jit === "quick");
      const memoryMb = Math.max(...running.map(({ limits }) => withDefaults(limits).memoryMb));
      const profile = profileOf({
        packages: needsPackages,
        jit: quick ? "quick" : "full",
        memoryMb,
      });
      // A profile's first warm-up is the sandbox's start-up, not this run's time.
      const warming = performance.now();
      const warmth = await this.#warmth(profile);
      started += performance.now() - warming;
      const ran = await this.#execute(runDir, running, started, profile, warmth);
      exiting = ran.exiting;
      prepared.forEach(({ index }, k) => results[index] = ran.results[k]);
      return results;
    } finally {
      if (exiting === undefined) {
        Deno.removeSync(runDir, { recursive: true });
      } else {
        // The results are in and the child is killed: the caller need not wait for it to be
        // reaped, nor for its folder to go.
        const reaped = exiting
          .then(() => Deno.remove(runDir, { recursive: true }))
          .catch(() => {})
          .finally(() => this.#reaping.delete(reaped));
        this.#reaping.add(reaped);
      }
    }
  }

  /**
   * Kills every child that is running and refuses every run from now on (they throw
   * {@linkcode SandboxAbortedError}): for a command that was interrupted. A run in progress
   * still returns, as a child killed by the system; its results mean nothing and are not to
   * be reported. {@linkcode close} the sandbox after.
   */
  abort(): void {
    this.#aborted = true;
    for (const kill of this.#running.keys()) kill();
  }

  /**
   * Kills every child that is running and removes the sandbox's private folders at once,
   * synchronously: for a process about to exit, which cannot wait for {@linkcode close}.
   * The sandbox is unusable after.
   */
  removeNow(): void {
    this.abort();
    try {
      Deno.removeSync(this.#host.base, { recursive: true });
    } catch {
      // Gone already, or being removed by close().
    }
  }

  /**
   * Waits for the children running and those killed to be reaped, then removes the
   * sandbox's private folders.
   */
  async close(): Promise<void> {
    await Promise.all([...this.#running.values(), ...this.#reaping]);
    await Deno.remove(this.#host.base, { recursive: true }).catch(() => {});
  }

  /** Same as {@linkcode close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Forgets every warm-up, then warms the profile of a run with default limits that imports
   * nothing, which also proves that the sandbox works here. {@linkcode openSandbox} does
   * this; do it again after the harness or the module cache changed. Other profiles warm
   * up on their first run.
   *
   * @throws {SandboxUnavailableError} If the warm-up run fails (bubblewrap does not work).
   */
  async warmUp(): Promise<void> {
    this.#warm.clear();
    await this.prepare();
  }

  /**
   * Warms the profile of runs with these settings now, not at the first such run: a
   * command that times its runs prepares the profiles of its exercises first.
   *
   * @param settings The runs' `jit` and memory limit, and whether the submission imports
   *   packages; the defaults of {@linkcode SandboxRequest} and {@linkcode RunLimits}.
   * @throws {SandboxUnavailableError} If the warm-up run fails.
   */
  async prepare(
    settings: { jit?: "quick" | "full"; memoryMb?: number; packages?: boolean } = {},
  ): Promise<void> {
    await this.#warmth(profileOf(settings));
  }

  /** The profile's warm-up, run once (again after a failure), shared by concurrent runs. */
  #warmth(profile: Profile): Promise<Warmth> {
    const key = JSON.stringify(profile);
    let warmth = this.#warm.get(key);
    if (warmth === undefined) {
      warmth = this.#warmUpWith(profile, `warm-${this.#warm.size}`);
      this.#warm.set(key, warmth);
      warmth.catch(() => this.#warm.delete(key));
    }
    return warmth;
  }

  async #warmUpWith(profile: Profile, name: string): Promise<Warmth> {
    const imports = profile.packages ? Object.keys(this.#host.imports) : [];
    const dir = join(this.#host.base, name);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.mkdir(dir);
    const runDir = await Deno.makeTempDir({ dir: this.#host.base, prefix: "warm-" });
    try {
      await Deno.mkdir(join(runDir, "submission", "warm"), { recursive: true });
      await Deno.writeTextFile(
        join(runDir, "submission", "warm", "warmup.js"),
        imports.map((name, i) => `import * as m${i} from ${JSON.stringify(name)};\n`).join("") +
          `export const warm = () => [${imports.map((_, i) => `m${i}`).join(", ")}].length;\n`,
      );
      const request = { submission: "", entry: "warmup.js", cases: [[{ fn: "warm", args: [] }]] };
      const warming = { dir, databases: [], generated: [] };
      let result: SandboxResult;
      try {
        const ran = await this.#execute(
          runDir,
          [{ request, limits: { timeMs: 60_000 }, folder: "warm", foreignNpm: [] }],
          performance.now(),
          profile,
          warming,
          true,
        );
        // What the warm-up wrote is read once it exited.
        await ran.exiting;
        [result] = ran.results as [SandboxResult];
      } catch (error) {
        throw new SandboxUnavailableError(warmUpFailure((error as Error).message, this.trusted));
      }
      const value = result.cases[0]?.[0];
      if (result.status !== "ok" || !value?.ok || value.value !== imports.length) {
        const detail = `${"message" in result ? result.message : ""}\n${result.stderr}`;
        throw new SandboxUnavailableError(
          warmUpFailure(`${result.status}: ${detail}`, this.trusted),
        );
      }
    } finally {
      await Deno.remove(runDir, { recursive: true });
    }
    return await keepWarmth(dir, this.trusted);
  }

  async #execute(
    runDir: string,
    parts: readonly PreparedPart[],
    started: number,
    profile: Profile,
    warmth: Warmth,
    warming = false,
  ): Promise<{ results: (SandboxResult | undefined)[]; exiting?: Promise<void> }> {
    const all = parts.map(({ limits }) => withDefaults(limits));
    const nonce = crypto.randomUUID().replaceAll("-", "");
    const paths = this.trusted ? this.#trustedLayout(runDir, warmth, warming) : {
      submissions: `${INSIDE.submission}/`,
      harness: `${INSIDE.harness}/`,
      npm: `${INSIDE.denoDir}/npm/`,
      denoDir: INSIDE.denoDir,
    };
    const rootOf = (part: number) => `${paths.submissions}${parts[part].folder}/`;
    const driverNames = [...new Set(parts.flatMap(({ request }) => request.driver ?? []))];
    const drivers = Object.fromEntries(
      await Promise.all(driverNames.map(async (name) => [name, await driverSource(name)])),
    );
    const childRequest: ChildRequest = {
      ...(driverNames.length > 0 ? { drivers } : {}),
      parts: parts.map(({ request, swapper }, part) => ({
        root: pathToFileURL(rootOf(part)).href,
        ...(request.driver === undefined ? {} : { driver: request.driver }),
        cases: request.cases.map((calls) => [...calls]),
        ...(request.isolation && swapper
          ? {
            isolation: {
              swapper,
              swaps: request.isolation.swaps.map((names) => [...names]),
            },
          }
          : {}),
      })),
    };
    // The request goes down the child's standard input, a pipe, once the harness says hello
    // (see `protocol.ts`), and the pipe is closed behind it. A module may import any file as
    // text with no permission, `/proc/1/fd/0` among them, the child's standard input, which
    // stays open: before the hello that read waits for a request that never comes (the run
    // times out), and once the harness has drained the pipe it reads nothing. (A file there
    // once let a red team read the nonce and the drivers' source.) The child reads the pipe
    // as fast as this process writes it; a request longer than the pipe's 64 KiB waits for
    // this process's next turn for the rest.
    const requestBytes = formatRequest(nonce, toWire(childRequest));
    /** What came before the hello, while it is not all in. */
    let beforeHello: Uint8Array | undefined = new Uint8Array();
    /** The request's writer, once the hello came. */
    let requested: WritableStreamDefaultWriter<Uint8Array> | undefined;
    const main = join(runDir, "main.js");
    Deno.writeTextFileSync(
      main,
      mainModule(
        pathToFileURL(`${paths.harness}harness.ts`).href,
        parts.map(({ request }, part) => pathToFileURL(`${rootOf(part)}${request.entry}`).href),
      ),
    );
    const denoArgs = [
      "run",
      "--no-prompt",
      "--no-remote",
      "--cached-only",
      `--config=${
        this.trusted ? join(this.#host.configDir, "deno.json") : `${INSIDE.config}/deno.json`
      }`,
      `--lock=${
        this.trusted ? join(this.#host.configDir, "deno.lock") : `${INSIDE.config}/deno.lock`
      }`,
      "--frozen",
      `--v8-flags=${profile.v8Flags}`,
      this.trusted ? main : INSIDE.main,
    ];
    const cpuSeconds = cpuBackstop(all.reduce((sum, limits) => sum + limits.cpuMs, 0));
    const command = this.trusted
      ? new Deno.Command("/bin/sh", {
        args: [
          ...shellArgs(cpuSeconds),
          ...(this.#host.setpriv ? [this.#host.setpriv, "--pdeathsig", "KILL"] : []),
          this.#host.deno,
          ...denoArgs,
        ],
        cwd: runDir,
        clearEnv: true,
        env: { DENO_DIR: paths.denoDir, HOME: runDir, NO_COLOR: "1" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      })
      : this.#bwrapCommand(runDir, denoArgs, warmth, warming, cpuSeconds);

    const output = new ChildOutput(nonce, {
      keepBytes: Math.min(Math.max(...all.map((limits) => limits.maxOutputBytes)), 64 * 1024),
      maxLineBytes: Math.max(MAX_FRAME_LINE_BYTES, ...all.map((limits) => limits.maxResultBytes)),
    });
    const results: (SandboxResult | undefined)[] = parts.map(() => undefined);
    /** The part under way, from its "begin" frame (the first part: from the start). */
    const current = {
      part: 0,
      began: started,
      cases: [] as CallResult[][],
      swaps: [] as CaseSwaps[],
      loadError: undefined as string | undefined,
      /** Whether its module loaded: from then on, its next case is the one running. */
      loaded: false,
      /** Where its share of standard output starts, and the counters when it began. */
      stdoutAt: 0,
      studentBytes: 0,
      frameBytes: 0,
      cpuMs: 0,
      /** Items in its frames so far (see {@linkcode MAX_RESULT_ITEMS}). */
      items: 0,
    };
    let ready = false;
    let done = false;
    let allIn!: () => void;
    const whenAllIn = new Promise<void>((resolve) => allIn = resolve);
    let lastCpuMs = 0;
    let stopped: {
      status: Exclude<SandboxStatus, "ok" | "refused" | "load-error">;
      message: string;
    } | undefined;

    const child = command.spawn();
    let denoPid = this.trusted ? child.pid : undefined;
    let exited = false;
    // Killing bubblewrap kills Deno (it dies with its parent, and with it the pid
    // namespace); Deno is also killed directly. Never once the child was reaped, when
    // its pid could be another process's.
    const kill = () => {
      if (exited) return;
      try {
        child.kill("SIGKILL");
        if (denoPid !== undefined && denoPid !== child.pid) Deno.kill(denoPid, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const exit = child.status.finally(() => {
      exited = true;
      this.#running.delete(kill);
    });
    this.#running.set(kill, exit.catch(() => {}));
    const stop = (status: NonNullable<typeof stopped>["status"], message: string) => {
      if (stopped === undefined && !done) stopped = { status, message };
      kill();
    };
    // The time limit is the child's, not this process's: while this process's event loop
    // was held up by its own work (judging, the reference core, another child's results),
    // it read none of the child's output, and a child with more than a pipe's 64 KiB to
    // print waited for it. Such stalls (gaps between the poller's ticks) are added to the
    // part's time, less the processor time the child used meanwhile: a child that computed
    // through a stall was not held up by it, and crediting it the stall would let one
    // student's results (which cost this process time to read) buy a classmate's slow code
    // seconds past its limit.
    const pollMs = Math.min(...parts.map(({ limits }) => limits?.pollMs ?? 10));
    let lastTick = performance.now();
    /** The child's processor time at the last tick, once it is known. */
    let lastTickCpuMs: number | undefined;
    let stalledMs = 0;
    const noteStall = (cpuMs: number | undefined) => {
      const now = performance.now();
      const gap = now - lastTick - pollMs;
      if (gap > STALL_MS) {
        const computed = cpuMs !== undefined && lastTickCpuMs !== undefined
          ? cpuMs - lastTickCpuMs
          : 0;
        stalledMs += Math.max(0, gap - computed);
      }
      lastTick = now;
      if (cpuMs !== undefined) lastTickCpuMs = cpuMs;
    };
    const childCpuMs = () => denoPid === undefined ? undefined : processUsage(denoPid)?.cpuMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const startClock = () => {
      clearTimeout(timer);
      stalledMs = 0;
      const { timeMs } = all[current.part];
      const expire = () => {
        noteStall(childCpuMs());
        if (stalledMs > 0) {
          timer = setTimeout(expire, stalledMs);
          stalledMs = 0;
          return;
        }
        stop("timeout", `Your code ran for more than ${seconds(timeMs)} and was stopped`);
      };
      timer = setTimeout(expire, timeMs);
    };
    startClock();
    const poller = setInterval(() => {
      denoPid ??= findDescendant(child.pid, "deno");
      const usage = denoPid === undefined ? undefined : processUsage(denoPid);
      noteStall(usage?.cpuMs);
      if (usage === undefined) return;
      lastCpuMs = usage.cpuMs;
      const limits = all[current.part];
      if (usage.cpuMs - current.cpuMs > limits.cpuMs) {
        stop(
          "timeout",
          `Your code used more than ${seconds(limits.cpuMs)} of processor time (all its ` +
            "threads together) and was stopped",
        );
      } else if (usage.anonBytes > limits.memoryMb * 1024 * 1024) {
        stop(
          "memory",
          `Your code used more than ${limits.memoryMb} MiB of memory and was stopped`,
        );
      } else if (usage.threads > limits.maxThreads) {
        stop(
          "crash",
          `Your code started more than ${limits.maxThreads} threads (Workers) and was stopped`,
        );
      }
    }, pollMs);

    const relative = (part: number) =>
      relativizer({ root: rootOf(part), harness: paths.harness, npm: paths.npm });
    // A part's share of standard error lies between the harness's end marks there (see
    // ChildOutput); that stream comes through its own pipe, so a part's share is known
    // only once its mark, or the end of the stream, has been read.
    const stderrOf = (part: number) =>
      output.studentStderr.slice(
        part === 0 ? 0 : output.stderrMarks[part - 1] ?? output.studentStderr.length,
        output.stderrMarks[part],
      );
    let partsEnded = 0;
    let stderrEnded = false;
    const stderrCaughtUp = () => stderrEnded || output.stderrMarks.length >= partsEnded;
    /** Set while the run waits for standard error to catch up with the frames. */
    let stderrWaiter: (() => void) | undefined;
    const checkStderr = () => {
      if (stderrWaiter !== undefined && stderrCaughtUp()) stderrWaiter();
    };
    /** The results of the parts that finished, each with its share of standard error. */
    const settled = () =>
      results.map((result, part) =>
        result && {
          ...result,
          stderr: relative(part)(withoutScriptWarning(stderrOf(part))),
        }
      );
    const finish = (ending: Ending, tainted = false) => {
      const part = current.part;
      const text = relative(part);
      // The part's share of standard output: what came after its "begin" frame.
      const stdout = output.studentStdout.slice(current.stdoutAt);
      results[part] = {
        ...ending,
        ...("message" in ending ? { message: text(ending.message) } : {}),
        ...(tainted ? { tainted } : {}),
        cases: current.cases.map((calls) =>
          calls.map((r) => (r.ok ? r : { ...r, error: text(r.error) }))
        ),
        ...(parts[part].request.isolation ? { swaps: current.swaps } : {}),
        stdout: text(stdout),
        stderr: "", // Filled in by settled().
        durationMs: performance.now() - current.began,
      } as SandboxResult;
    };

    const onFrame = (text: string) => {
      // Counted before anything is parsed: what parsing would cost is what is refused.
      if (resultsTooLarge()) return;
      current.items += items(text);
      if (current.items > MAX_RESULT_ITEMS) {
        stop(
          "output-limit",
          `Your code's results held more than ${MAX_RESULT_ITEMS} values, arrays and object ` +
            "keys, more than the grader reads, and the run was stopped",
        );
        return;
      }
      let frame: z.infer<typeof FrameSchema>;
      try {
        frame = FrameSchema.parse(fromWire(text));
      } catch {
        return; // Not a frame the harness wrote: ignore it.
      }
      if ("part" in frame && frame.part !== current.part) return; // Out of order: not ours.
      switch (frame.type) {
        case "ready":
          ready = true;
          break;
        case "begin":
          break; // The part began when the one before it ended.
        case "load-error":
          current.loadError = frame.error;
          break;
        case "loaded":
          current.loaded = true;
          try {
            parts[current.part].onLoaded?.();
          } catch {
            // The caller's business; the run goes on.
          }
          break;
        case "case":
          if (
            frame.case === current.cases.length &&
            frame.results.length === parts[current.part].request.cases[frame.case]?.length
          ) {
            current.cases.push(frame.results);
            current.swaps.push({
              standIns: frame.standIns ?? [],
              unswapped: frame.unswapped ?? [],
            });
          }
          break;
        case "end": {
          const complete = current.cases.length === parts[current.part].request.cases.length;
          const tainted = frame.tainted === true;
          if (current.loadError !== undefined) {
            finish({
              status: "load-error",
              message: doesNotLoad(current.loadError, parts[current.part], this.#host.imports),
            }, tainted);
          } else if (complete) {
            finish({ status: "ok" }, tainted);
          } else {
            break; // Not the harness's doing: the run ends as a crash.
          }
          partsEnded++;
          if (current.part + 1 < parts.length && stopped === undefined && !tainted) {
            Object.assign(current, {
              part: current.part + 1,
              began: performance.now(),
              cases: [],
              swaps: [],
              loadError: undefined,
              loaded: false,
              stdoutAt: output.studentStdout.length,
              studentBytes: output.studentBytes,
              frameBytes: output.frameBytes,
              cpuMs: lastCpuMs,
              items: 0,
            });
            startClock();
          }
          break;
        }
        case "done":
          // Every part ran, or the harness stopped after a tainted one; the rest never began.
          if (results[current.part] !== undefined) {
            done = true;
            kill(); // Everything is in: no need to wait for the child to exit.
            allIn();
          }
          break;
      }
    };
    /** Stops the run if the part's results, the frame just in included, are over the cap. */
    const resultsTooLarge = () => {
      const { maxResultBytes } = all[current.part];
      if (output.frameBytes - current.frameBytes <= maxResultBytes) return false;
      stop(
        "output-limit",
        `Your code's results took more than ${formatBytes(maxResultBytes)} and the run was stopped`,
      );
      return true;
    };
    const checkOutput = () => {
      const limits = all[current.part];
      if (resultsTooLarge()) return;
      if (output.studentBytes - current.studentBytes > limits.maxOutputBytes) {
        stop(
          "output-limit",
          `Your code printed more than ${formatBytes(limits.maxOutputBytes)} and was stopped`,
        );
      }
    };
    const pumpStdout = (async () => {
      for await (const read of child.stdout) {
        let chunk: Uint8Array = read;
        if (beforeHello !== undefined) {
          const seen: Uint8Array = new Uint8Array(beforeHello.length + chunk.length);
          seen.set(beforeHello);
          seen.set(chunk, beforeHello.length);
          const length = Math.min(seen.length, HELLO_BYTES.length);
          if (!HELLO_BYTES.subarray(0, length).every((byte, i) => seen[i] === byte)) {
            beforeHello = undefined; // Not the harness: no request, and the run ends as a crash.
            chunk = seen;
          } else if (seen.length < HELLO_BYTES.length) {
            beforeHello = seen;
            continue;
          } else {
            beforeHello = undefined;
            requested = child.stdin.getWriter();
            requested.write(requestBytes).then(() => requested!.close()).catch(() => {});
            chunk = seen.subarray(HELLO_BYTES.length);
          }
        }
        // Each frame is handled where it stands, so that a part's share of the output ends
        // at its "end" frame even when the next part's printing came in the same read.
        output.stdout(chunk, onFrame);
        checkOutput();
      }
      output.end();
    })();
    const pumpStderr = (async () => {
      for await (const chunk of child.stderr) {
        output.stderr(chunk);
        checkOutput();
        checkStderr();
      }
      output.endStderr();
      stderrEnded = true;
      checkStderr();
    })();

    const drained = Promise.all([exit, pumpStdout, pumpStderr]);
    try {
      await Promise.race([drained, whenAllIn]);
    } finally {
      clearTimeout(timer);
      clearInterval(poller);
      // A child that never said hello never got its request: its pipe is closed here.
      if (requested === undefined) await child.stdin.close().catch(() => {});
    }
    if (done) {
      // The child is killed, but what it wrote before is still in the pipes: standard
      // error may not have been read up to the last part's mark yet.
      if (!stderrCaughtUp()) await new Promise<void>((resolve) => stderrWaiter = resolve);
      return { results: settled(), exiting: drained.then(() => {}) };
    }
    const [status] = await drained;
    if (results[current.part] !== undefined) return { results: settled() };
    if (!ready && parts.length > 1) {
      // Deno or the module graph failed before the harness spoke: whose part was at fault
      // only a run of each part alone can tell.
      return { results };
    }
    const ended = stopped ??
      (current.loadError !== undefined
        ? {
          status: "load-error" as const,
          message: doesNotLoad(current.loadError, parts[current.part], this.#host.imports),
        }
        : diagnose(
          ready,
          status,
          stderrOf(current.part),
          all[current.part].memoryMb,
          parts[current.part],
          this.#host.imports,
        ));
    finish({
      status: ended.status,
      message: ended.message,
      // Cases run one at a time, in order: once the module loaded, the first case without
      // results is the one that was running.
      ...(current.loaded && current.cases.length < parts[current.part].request.cases.length
        ? { running: current.cases.length }
        : {}),
    });
    return { results: settled() };
  }

  /** The private `DENO_DIR` of a trusted run, warm; the paths the child sees. */
  #trustedLayout(runDir: string, warmth: Warmth, warming: boolean) {
    const denoDir = warming ? warmth.dir : join(runDir, "deno-dir");
    if (!warming) {
      Deno.mkdirSync(denoDir);
      for (const file of [...warmth.databases, ...warmth.generated]) {
        Deno.mkdirSync(join(denoDir, file, ".."), { recursive: true });
        Deno.copyFileSync(join(warmth.dir, file), join(denoDir, file));
      }
    }
    try {
      Deno.symlinkSync(this.#host.npmCache, join(denoDir, "npm"));
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error; // A second warm-up.
    }
    return {
      submissions: join(runDir, "submission") + "/",
      harness: CHILD_DIR,
      npm: `${denoDir}/npm/`,
      denoDir,
    };
  }

  #bwrapCommand(
    runDir: string,
    denoArgs: string[],
    warmth: Warmth,
    warming: boolean,
    cpuSeconds: number,
  ): Deno.Command {
    const host = this.#host;
    const bind = (flag: string, from: string, to: string) => [flag, from, to];
    const args = [
      "--unshare-all",
      "--unshare-user",
      "--disable-userns",
      "--die-with-parent",
      "--as-pid-1",
      "--new-session",
      "--hostname",
      "sandbox",
      "--uid",
      "65534",
      "--gid",
      "65534",
      "--clearenv",
      "--setenv",
      "DENO_DIR",
      INSIDE.denoDir,
      "--setenv",
      "HOME",
      INSIDE.denoDir,
      "--setenv",
      "NO_COLOR",
      "1",
      "--proc",
      "/proc",
      "--dev",
      "/dev",
      ...bind("--ro-bind", host.deno, INSIDE.deno),
      ...host.libraries.flatMap((library) => bind("--ro-bind", library, library)),
      ...bind("--ro-bind", CHILD_DIR, INSIDE.harness),
      // The drivers reach the child in its request (see driverSource()), never as files; and
      // the harness's tests are no part of it (a test's Dual multiplies by the product rule).
      "--tmpfs",
      `${INSIDE.harness}/drivers`,
      ...HARNESS_TESTS.flatMap((name) => ["--ro-bind", "/dev/null", `${INSIDE.harness}/${name}`]),
      ...bind("--ro-bind", host.configDir, INSIDE.config),
      ...bind("--ro-bind", join(runDir, "submission"), INSIDE.submission),
      ...bind("--ro-bind", join(runDir, "main.js"), INSIDE.main),
    ];
    const databases = warmth.databases;
    if (warming) {
      args.push(...bind("--bind", warmth.dir, INSIDE.denoDir));
    } else {
      args.push("--size", String(this.#storageMb * 1024 * 1024), "--tmpfs", INSIDE.denoDir);
      databases.forEach((name, i) =>
        args.push("--perms", "0600", "--file", String(FIRST_FD + i), `${INSIDE.denoDir}/${name}`)
      );
      for (const file of warmth.generated) {
        args.push(...bind("--ro-bind", join(warmth.dir, file), `${INSIDE.denoDir}/${file}`));
      }
    }
    args.push(...bind("--ro-bind", host.npmCache, `${INSIDE.denoDir}/npm`));
    args.push("--chdir", INSIDE.harness, INSIDE.deno, ...denoArgs);
    return new Deno.Command("/bin/sh", {
      args: [
        ...shellArgs(cpuSeconds, databases.map((name) => join(warmth.dir, name))),
        host.bwrap!,
        ...args,
      ],
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    });
  }
}

/** The name of a sandbox's private folder begins with this. */
const BASE_PREFIX = "grader-sandbox-";

/**
 * Prepares a sandbox: finds bubblewrap (unless trusted), the Deno binary and the npm
 * packages student code may import, and runs a warm-up submission through it, which also
 * proves that the sandbox works here.
 *
 * @param options Trusted or not, the course config, the private folders.
 * @returns The sandbox; close it when done.
 * @throws {SandboxUnavailableError} If bubblewrap is missing or does not work, or a
 *   package is not in the module cache; the message says how to fix it.
 */
export async function openSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const trusted = options.trusted ?? false;
  const bwrap = trusted ? undefined : await findBwrap(options.bwrap);
  // A trusted child ignores a terminal's signals (see shellArgs): without bubblewrap's
  // --die-with-parent, it would outlive a grader killed outright until its time limit.
  const setpriv = trusted ? await findOnPath("setpriv") : undefined;
  const deno = await Deno.realPath(Deno.execPath());
  const configPath = options.config ?? COURSE_CONFIG;
  const courseConfig = JSON.parse(await Deno.readTextFile(configPath)) as {
    imports?: Record<string, string>;
  };
  const imports: Record<string, string> = {};
  for (const name of options.imports ?? ["@tensorflow/tfjs"]) {
    const target = courseConfig.imports?.[name];
    if (target === undefined) {
      throw new SandboxUnavailableError(
        `Cannot prepare the sandbox: ${configPath} does not map "${name}"`,
      );
    }
    imports[name] = target;
  }
  const lockPath = join(configPath, "..", "deno.lock");
  const lock = JSON.parse(await Deno.readTextFile(lockPath));
  const npmCache = await findNpmCache(deno);
  for (const { name, version } of npmClosure(lock, Object.values(imports))) {
    const dir = join(npmCache, NPM_REGISTRY, name, version);
    try {
      await Deno.stat(dir);
    } catch {
      throw new SandboxUnavailableError(
        `Cannot prepare the sandbox: the npm package "${name}@${version}" is not in the module cache (${dir}); run \`deno install\` in the course folder`,
      );
    }
  }

  // Marked as this process's: a later one removes it if this one is killed outright.
  const base = await makeOwnedTempDir({ dir: options.tempDir, prefix: BASE_PREFIX });
  const host: Host = {
    deno,
    libraries: await linkedLibraries(deno),
    bwrap,
    ...(setpriv ? { setpriv } : {}),
    npmCache,
    imports,
    base,
    configDir: join(base, "config"),
  };
  const sandbox = new Sandbox(host, trusted, options.storageMb ?? 64);
  try {
    await Deno.mkdir(host.configDir);
    await Deno.writeTextFile(
      join(host.configDir, "deno.json"),
      JSON.stringify({ imports, nodeModulesDir: "none" }, null, 2) + "\n",
    );
    await Deno.writeTextFile(
      join(host.configDir, "deno.lock"),
      JSON.stringify(prunedLockfile(lock, Object.values(imports)), null, 2) + "\n",
    );
    await sandbox.warmUp();
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  return sandbox;
}

/**
 * Runs one request in a sandbox opened for it, then closes it. Opening costs a warm-up
 * run (a few hundred milliseconds): to run many requests, open one sandbox and reuse it.
 *
 * @param request The submission, its entry file, the driver and the cases.
 * @param options How to open the sandbox, and the limits of the run.
 * @returns How the run ended.
 * @throws {SandboxUnavailableError} If the sandbox cannot work here.
 */
export async function runInSandbox(
  request: SandboxRequest,
  options: SandboxOptions & RunLimits = {},
): Promise<SandboxResult> {
  await using sandbox = await openSandbox(options);
  return await sandbox.run(request, options);
}

/**
 * The child's main module: it loads the harness, and hands it each part's student module as
 * a literal dynamic import, which needs no read permission.
 */
function mainModule(harness: string, entries: readonly string[]): string {
  const loaders = entries.map((entry) =>
    `  { student: () => import(${JSON.stringify(entry)}) },\n`
  );
  return `import { runHarness } from ${JSON.stringify(harness)};\n` +
    `await runHarness([\n${loaders.join("")}]);\n`;
}

/** Each driver's source for the child's request, bundled once a process. */
const driverSources = new Map<string, Promise<string>>();

/**
 * A driver as the child gets it: `drivers/<name>.ts` with what it imports, bundled by
 * `deno bundle` (which strips the types) into the body of a function that returns the
 * driver. The child evaluates it from its request (see `child/harness.ts`): the sandbox
 * holds no file of a driver, since student code could import it, as text too, with no
 * permission, and compute with the driver's trusted operations.
 *
 * @param name The driver's name.
 * @returns The function body.
 * @throws {Error} If it cannot be bundled (a grader bug, never the student's).
 */
function driverSource(name: string): Promise<string> {
  let source = driverSources.get(name);
  if (source === undefined) {
    source = bundleDriver(name);
    driverSources.set(name, source);
    source.catch(() => driverSources.delete(name));
  }
  return source;
}

async function bundleDriver(name: string): Promise<string> {
  checkDriver(name);
  const dir = await Deno.makeTempDir({ prefix: "grader-driver-" });
  try {
    // The driver offers itself to a registry when it is evaluated: the bundle's own copy of
    // the registry hands it over.
    const entry = join(dir, "entry.ts");
    const url = (path: string) => JSON.stringify(pathToFileURL(join(CHILD_DIR, path)).href);
    await Deno.writeTextFile(
      entry,
      `import ${url(`drivers/${name}.ts`)};\n` +
        `import { offeredDriver } from ${url("driver_registry.ts")};\n` +
        `export const driver = offeredDriver(${JSON.stringify(name)});\n`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--no-config", "--platform", "deno", entry],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    const exported = /\bexport\s*\{\s*([\w$]+)(?:\s+as\s+driver)?\s*\};?\s*$/;
    if (code !== 0 || !exported.test(text)) {
      throw new Error(
        `Cannot bundle the driver "${name}": ${new TextDecoder().decode(stderr).trim()}`,
      );
    }
    // Strict, as the modules were: a student's Error.prepareStackTrace then sees no
    // receiver and no function of the driver's frames (a sloppy frame hands out its `this`,
    // the driver's own table of trusted operations).
    return `"use strict";\n${text.replace(exported, "return { driver: $1 };\n")}`;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Words a load error for the student: Deno reports a module that does not parse as a
 * `TypeError` wrapping the `SyntaxError`, which is noise to a student; an npm package the
 * course does not provide is named as such.
 */
function doesNotLoad(
  error: string,
  part: PreparedPart,
  imports: Record<string, string>,
): string {
  if (NPM_NOT_PROVIDED.test(error)) return notProvided(part.foreignNpm, imports);
  return `Your code does not load: ${
    capped(error.replace(/^TypeError: (?=\w*Error: |Module not found)/, ""), 2000)
  }`;
}

/**
 * How Deno fails on an npm package that is not the course's: the lockfile is pruned to the
 * course's packages and frozen, and `--cached-only` keeps it from the registry. Which of
 * the two Deno says depends on whether its npm cache holds the packages' registry
 * documents, which `deno install` from a lockfile does not fetch.
 */
const NPM_NOT_PROVIDED = /lockfile is out of date|npm package not found in cache/;

/**
 * The `npm:` specifiers, in quotes, that the texts name and the import map does not
 * provide, in order, once each (a mention in a comment counts too: it names only what
 * a refusal message shows).
 */
function foreignNpmSpecifiers(
  texts: readonly string[],
  imports: Record<string, string>,
): string[] {
  const found = texts.filter((text) => text.includes("npm:")).flatMap((text) =>
    [...text.matchAll(/["'`](npm:[^"'`\s]+)["'`]/g)].map((match) => match[1])
  );
  return [...new Set(found)].filter((specifier) => !isProvided(specifier, imports));
}

/** Whether an `npm:` specifier is one of the import map's targets, or a path inside one. */
function isProvided(specifier: string, imports: Record<string, string>): boolean {
  return Object.values(imports).some((target) =>
    specifier === target || specifier.startsWith(`${target}/`)
  );
}

function notProvided(specifiers: readonly string[], imports: Record<string, string>): string {
  const allowed = Object.keys(imports).join(", ") || "none";
  // The scan finds specifiers anywhere in the files, comments included: name a few.
  const named = specifiers.slice(0, 5).map((specifier) => specifier.slice(0, 100)).join(", ") +
    (specifiers.length > 5 ? ` and ${specifiers.length - 5} more` : "");
  return `Your code imports ${named || "an npm package"}, ` +
    `which the course does not provide (it provides: ${allowed})`;
}

/**
 * Text cut to `max` characters: a load error is copied into every test's reason, and one
 * long enough would make the reports too large to write.
 */
function capped(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function refused(message: string, started: number): SandboxResult {
  return {
    status: "refused",
    message: `Your submission was not run: ${message}`,
    cases: [],
    stdout: "",
    stderr: "",
    durationMs: performance.now() - started,
  };
}

function checkDriver(driver: string): void {
  const path = join(CHILD_DIR, "drivers", `${driver}.ts`);
  try {
    if (DRIVER.test(driver) && Deno.statSync(path).isFile) return;
  } catch {
    // Reported below.
  }
  throw new TypeError(`Cannot run with the driver "${driver}": ${path} does not exist`);
}

/** A program's path, from `PATH` (or `/usr/bin:/bin`), or `undefined` if there is none. */
async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":")) {
    try {
      if ((await Deno.stat(join(dir, name))).isFile) return join(dir, name);
    } catch {
      // Try the next one.
    }
  }
  return undefined;
}

async function findBwrap(explicit: string | undefined): Promise<string> {
  const found = explicit === undefined
    ? await findOnPath("bwrap")
    : await Deno.stat(explicit).then((info) => info.isFile ? explicit : undefined, () => undefined);
  if (found !== undefined) return found;
  throw new SandboxUnavailableError(
    "Cannot run student code in a sandbox: bubblewrap (bwrap) is not installed. " +
      "Install it with `apt-get install bubblewrap`, or grade with --trusted to run the code without a sandbox",
  );
}

async function findNpmCache(deno: string): Promise<string> {
  const { code, stdout } = await new Deno.Command(deno, {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  const npmCache = code === 0 ? JSON.parse(new TextDecoder().decode(stdout)).npmCache : undefined;
  if (typeof npmCache !== "string") {
    throw new SandboxUnavailableError(
      "Cannot prepare the sandbox: `deno info --json` names no npm cache",
    );
  }
  return npmCache;
}

/** The shared libraries a binary links (with `ldd`); none for a static binary. */
async function linkedLibraries(binary: string): Promise<string[]> {
  let stdout: Uint8Array;
  try {
    ({ stdout } = await new Deno.Command("ldd", { args: [binary], stdout: "piped", stderr: "null" })
      .output());
  } catch {
    throw new SandboxUnavailableError(
      "Cannot prepare the sandbox: `ldd` is not installed (it comes with libc)",
    );
  }
  const libraries = new Set<string>();
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const path = /=>\s+(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (path !== undefined) libraries.add(path);
  }
  return [...libraries];
}

/**
 * Makes the warm-up's databases self-contained (no write-ahead log) and lists what every
 * run reuses: the databases, and the transpiled harness files.
 */
async function keepWarmth(warmDir: string, trusted: boolean): Promise<Warmth> {
  const databases: string[] = [];
  for await (const entry of Deno.readDir(warmDir)) {
    if (!entry.isFile || !/_v\d+$/.test(entry.name)) continue;
    const db = new DatabaseSync(join(warmDir, entry.name));
    try {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;");
    } finally {
      db.close();
    }
    databases.push(entry.name);
  }
  databases.sort();
  const harnessGen = trusted
    ? join("gen", "file", ...CHILD_DIR.split("/").filter((part) => part !== ""))
    : join("gen", "file", ...INSIDE.harness.split("/").filter((part) => part !== ""));
  const generated: string[] = [];
  const walk = async (relative: string) => {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = await Array.fromAsync(Deno.readDir(join(warmDir, relative)));
    } catch {
      return; // Nothing was transpiled there.
    }
    for (const entry of entries) {
      if (entry.isDirectory) await walk(join(relative, entry.name));
      else if (entry.isFile) generated.push(join(relative, entry.name));
    }
  };
  await walk(harnessGen);
  return {
    dir: warmDir,
    databases: databases.slice(0, MAX_DATABASES),
    generated: generated.sort(),
  };
}

function warmUpFailure(detail: string, trusted: boolean): string {
  const excerpt = detail.trim().split("\n").slice(0, 6).join("\n");
  if (!trusted && /bwrap:/.test(excerpt)) {
    return `Cannot run student code in a sandbox: bubblewrap does not work here (${excerpt}). ` +
      "It needs unprivileged user namespaces (on Ubuntu 24.04: an AppArmor profile for bwrap, " +
      "or kernel.apparmor_restrict_unprivileged_userns=0); or grade with --trusted";
  }
  return `Cannot prepare the sandbox: the warm-up run failed (${excerpt})`;
}

/** A run's limits with every default filled in (see {@linkcode RunLimits}). */
function withDefaults(limits: RunLimits = {}) {
  const timeMs = limits.timeMs ?? 10_000;
  return {
    timeMs,
    cpuMs: limits.cpuMs ?? 2 * timeMs + 1000,
    memoryMb: limits.memoryMb ?? 512,
    maxThreads: limits.maxThreads ?? 128,
    maxOutputBytes: limits.maxOutputBytes ?? 1024 * 1024,
    maxResultBytes: limits.maxResultBytes ?? 1024 * 1024,
  };
}

function relativizer(
  paths: { root: string; harness: string; npm: string },
): (text: string) => string {
  const replacements: [string, string][] = [
    [pathToFileURL(paths.root).href, ""],
    [paths.root, ""],
    [pathToFileURL(paths.harness).href, "grader/"],
    [paths.harness, "grader/"],
    [pathToFileURL(paths.npm).href + `${NPM_REGISTRY}/`, "npm:"],
  ];
  return (text) => replacements.reduce((t, [from, to]) => t.replaceAll(from, to), text);
}

/**
 * Why a child ended without finishing, when the grader did not stop it and the harness
 * reported no load error.
 *
 * @throws {Error} If the sandbox itself failed, not the student's code.
 */
function diagnose(
  ready: boolean,
  status: Deno.CommandStatus,
  stderr: string,
  memoryMb: number,
  part: PreparedPart,
  imports: Record<string, string>,
): { status: Exclude<SandboxStatus, "ok">; message: string } {
  if (!ready) {
    // Before the harness speaks, only bubblewrap and Deno itself can fail, and Deno only
    // on the module graph, which holds the student's imports (an npm package outside the
    // pruned lockfile, say) and code (nesting deep enough to overflow the parser's stack):
    // that is the student's load error, anything else is ours.
    const bwrap = /^bwrap:/m.test(stderr);
    if (!bwrap && /has overflowed its stack/.test(stderr)) {
      return {
        status: "load-error",
        message: "Your code does not load: it is nested too deeply for Deno's parser " +
          "(its stack overflowed while reading your files)",
      };
    }
    if (bwrap || !/^error:/m.test(stderr)) {
      throw new Error(`Cannot run the sandboxed child: ${stderr.trim() || exitText(status)}`);
    }
    return { status: "load-error", message: startupError(stderr, part, imports) };
  }
  if (/Fatal JavaScript out of memory|JavaScript heap out of memory/.test(stderr)) {
    return {
      status: "memory",
      message: `Your code used more than ${memoryMb} MiB of memory and was stopped`,
    };
  }
  // bubblewrap exits with 128 + the signal that killed Deno.
  if (status.signal === "SIGKILL" || status.code === 128 + 9) {
    return {
      status: "memory",
      message: "Your code was killed by the system, most likely for using too much memory",
    };
  }
  if (/Top-level await promise never resolved/.test(stderr)) {
    return {
      status: "crash",
      message: "Your code returned a promise that never settles (it neither resolves nor rejects)",
    };
  }
  return {
    status: "crash",
    message: `Your code stopped the program before all tests ran (${exitText(status)})`,
  };
}

/**
 * The processor seconds of `RLIMIT_CPU`, a backstop for the polling: a second more than
 * the limit (the kernel then sends SIGKILL; Deno, pid 1 of its namespace, ignores SIGXCPU).
 */
function cpuBackstop(cpuMs: number): number {
  return Math.ceil(cpuMs / 1000) + 1;
}

/** Deno's own start-up error, in words for the student. */
function startupError(
  stderr: string,
  part: PreparedPart,
  imports: Record<string, string>,
): string {
  const message = stderr.slice(stderr.search(/^error:/m)).split(/^Stack backtrace:/m)[0].trim();
  if (NPM_NOT_PROVIDED.test(message)) {
    // Deno's lockfile diff names what the module graph added, where it shows one.
    const added = [...message.matchAll(/^\s*\d*\s*\|\s*\+\s*"(npm:[^"]+)"/gm)]
      .map((match) => match[1])
      .filter((specifier) => !isProvided(specifier, imports));
    return notProvided(added.length > 0 ? added : part.foreignNpm, imports);
  }
  return message.split("\n").slice(0, 20).join("\n");
}

/**
 * Deno warns on every run that it skipped tfjs's dependencies' install scripts (it cannot
 * note in the read-only npm cache that it already did): not the student's output.
 */
function withoutScriptWarning(stderr: string): string {
  return stderr.replace(/^╭ Warning\n(?:│.*\n)*?│\s+Ignored build scripts[\s\S]*?^╰─\n?/m, "");
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}

function exitText(status: Deno.CommandStatus): string {
  return status.signal === null ? `exit code ${status.code}` : `killed by ${status.signal}`;
}
