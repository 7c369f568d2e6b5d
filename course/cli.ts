/**
 * What every `deno task` command of the project shares: parse, run, and turn the two
 * kinds of expected failure into exit status 2 with a message for a person.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

/** A bad argument or setting: exit status 2, the message, then the command's usage. */
export class UsageError extends Error {}

/** The command cannot go on (a file missing, an id taken, a refusal): exit status 2 and the message. */
export class CommandError extends Error {}

/**
 * `parseArgs` of `node:util`, with a bad option or value turned into a {@linkcode UsageError}.
 *
 * @param config As for `parseArgs`: the arguments and the options.
 * @returns The parsed values and positionals.
 * @throws {UsageError} If an option is unknown or lacks its value.
 *
 * @example
 * ```ts
 * import { parseArguments, UsageError } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const options = { jobs: { type: "string" } } as const;
 * assert.equal(parseArguments({ args: ["--jobs", "2"], options }).values.jobs, "2");
 * assert.throws(() => parseArguments({ args: ["--job"], options }), UsageError);
 * ```
 */
export function parseArguments<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/**
 * Reads an integer option or setting that must lie in a range.
 *
 * @param name How the person wrote it: `--jobs`, `PORT`.
 * @param text Its value as given.
 * @param min The least value allowed.
 * @param max The greatest value allowed.
 * @returns The integer.
 * @throws {UsageError} `Invalid --jobs "x": expected an integer from 1 to 256`.
 *
 * @example
 * ```ts
 * import { integerSetting, UsageError } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(integerSetting("--jobs", "4", 1, 256), 4);
 * assert.throws(() => integerSetting("--jobs", "0", 1, 256), UsageError);
 * ```
 */
export function integerSetting(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`Invalid ${name} "${text}": expected an integer from ${min} to ${max}`);
  }
  return value;
}

/**
 * Writes a size for a person: in MiB from 1 MiB, in KiB from 1 KiB, else in bytes, with at
 * most one decimal.
 *
 * @param bytes The size.
 * @returns Such as `"512 KiB"`, `"1 MiB"`, `"1.5 KiB"` or `"300 bytes"`.
 *
 * @example
 * ```ts
 * import { formatSize } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatSize(524288), "512 KiB");
 * assert.equal(formatSize(1024 * 1024), "1 MiB");
 * assert.equal(formatSize(1536), "1.5 KiB");
 * assert.equal(formatSize(300), "300 bytes");
 * ```
 */
export function formatSize(bytes: number): string {
  const units: [number, string][] = [[1024 * 1024, "MiB"], [1024, "KiB"]];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * A number of things for a message: the noun gets an "s" unless there is one.
 *
 * @param n How many.
 * @param noun The thing, singular.
 * @returns Such as `"1 student"` or `"3 students"`.
 *
 * @example
 * ```ts
 * import { count } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(count(1, "student"), "1 student");
 * assert.equal(count(0, "token"), "0 tokens");
 * ```
 */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * Whether a file holds nothing to grade: no character but white space, invisible ones
 * (zero-width spaces and joiners, a byte-order mark) and NUL. The portal refuses such an
 * entry file before it costs an attempt, and `deno task submit` before it uploads.
 *
 * @param content The file's bytes.
 * @returns Whether it is blank.
 *
 * @example
 * ```ts
 * import { isBlank } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = (text: string) => new TextEncoder().encode(text);
 * assert.ok(isBlank(bytes(" \n\t\u200b\u200d\ufeff\0")));
 * assert.ok(!isBlank(bytes("//")));
 * ```
 */
export function isBlank(content: Uint8Array): boolean {
  return /^[\s\0\u00ad\u180e\u200b-\u200f\u2060-\u2064\ufeff]*$/u.test(
    new TextDecoder().decode(content),
  );
}

/** A command: its usage text, its parser and what it does. */
export interface Command<T> {
  usage: string;
  /** Parses the arguments; `"help"` for `--help`. Throws {@linkcode UsageError} on bad ones. */
  parse(args: string[]): T | "help";
  /** Does the work; resolves to the exit status. */
  run(options: T): Promise<number>;
}

/** The exit status of a command that a signal stopped: 128 + the signal's number. */
const SIGNAL_STATUS = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** A signal {@linkcode abortOnSignals} listens for. */
export type StopSignal = keyof typeof SIGNAL_STATUS;

/**
 * A second signal this soon after the first, in milliseconds, is the same one: a terminal's
 * Ctrl-C reaches both `deno task` and the command it runs, and `deno task` passes its copy
 * on to the command.
 */
const SAME_SIGNAL_MS = 1000;

/**
 * Whether this process was started with SIGHUP ignored, as `nohup` starts it, from Linux's
 * `/proc/self/status`; `false` where that cannot be read. Read as this module loads: Deno
 * forgets it once any signal listener is added, after which a SIGHUP would end the process.
 */
const STARTED_IGNORING_SIGHUP = (() => {
  try {
    const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & 1n) === 1n; // SIGHUP is signal 1.
  } catch {
    return false;
  }
})();

/**
 * Makes SIGINT, SIGTERM and SIGHUP (a closed terminal; still ignored where the command was
 * started ignoring it, as `nohup` starts it) abort `stop`, for a long-running command that
 * finishes what it has in hand: the first signal aborts with its name as the reason
 * (listeners of `stop` run then), then prints `message` on standard error; a later one runs
 * `atOnce` and exits at once with the status the signal gives (129, 130 or 143). Disposing
 * of the result stops listening.
 *
 * @param stop What the signals abort.
 * @param message What to say on the first signal (a function: what to say then).
 * @param atOnce What to do, synchronously, before exiting on a later signal: kill children,
 *   remove private files, say what is left undone.
 * @returns The listeners, to dispose of (`using`).
 */
export function abortOnSignals(
  stop: AbortController,
  message: string | (() => string),
  atOnce?: () => void,
): Disposable {
  let first = 0;
  const listeners = (Object.keys(SIGNAL_STATUS) as StopSignal[]).map((signal) => {
    const onSignal = () => {
      if (signal === "SIGHUP" && STARTED_IGNORING_SIGHUP) return; // Still ignored.
      if (stop.signal.aborted) {
        if (performance.now() - first <= SAME_SIGNAL_MS) return;
        try {
          atOnce?.();
        } finally {
          Deno.exit(SIGNAL_STATUS[signal]);
        }
      }
      first = performance.now();
      stop.abort(signal);
      console.error(typeof message === "string" ? message : message());
    };
    Deno.addSignalListener(signal, onSignal);
    return () => Deno.removeSignalListener(signal, onSignal);
  });
  return {
    [Symbol.dispose]() {
      for (const remove of listeners) remove();
    },
  };
}

/**
 * The exit status of a command stopped by {@linkcode abortOnSignals}.
 *
 * @param signal The signal that stopped it.
 * @returns 128 + the signal's number.
 */
export function signalStatus(signal: StopSignal): number {
  return SIGNAL_STATUS[signal];
}

/**
 * Runs a command: `--help` prints the usage (status 0), a {@linkcode UsageError} prints its
 * message and the usage (status 2), a {@linkcode CommandError} its message (status 2); any
 * other error is a bug and propagates.
 *
 * @param command The command.
 * @param args Its arguments.
 * @returns The exit status.
 *
 * @example
 * ```ts
 * import { runCommand, UsageError } from "./cli.ts";
 * import assert from "node:assert/strict";
 *
 * const command = {
 *   usage: "Usage: demo <n>",
 *   parse: (args: string[]) => {
 *     if (args[0] === "--help") return "help" as const;
 *     if (args.length !== 1) throw new UsageError("Expected one argument");
 *     return Number(args[0]);
 *   },
 *   run: (n: number) => Promise.resolve(n > 0 ? 0 : 1),
 * };
 * assert.equal(await runCommand(command, ["3"]), 0);
 * assert.equal(await runCommand(command, []), 2);
 * ```
 */
export async function runCommand<T>(command: Command<T>, args: string[]): Promise<number> {
  try {
    const options = command.parse(args);
    if (options === "help") {
      console.log(command.usage);
      return 0;
    }
    return await command.run(options);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${command.usage}`);
      return 2;
    }
    if (error instanceof CommandError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}
