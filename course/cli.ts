/**
 * What every `deno task` command of the project shares: parse, run, and turn the two
 * kinds of expected failure into exit status 2 with a message for a person.
 *
 * @module
 */

/** A bad argument or setting: exit status 2, the message, then the command's usage. */
export class UsageError extends Error {}

/** The command cannot go on (a file missing, an id taken, a refusal): exit status 2 and the message. */
export class CommandError extends Error {}

/** A command: its usage text, its parser and what it does. */
export interface Command<T> {
  usage: string;
  /** Parses the arguments; `"help"` for `--help`. Throws {@linkcode UsageError} on bad ones. */
  parse(args: string[]): T | "help";
  /** Does the work; resolves to the exit status. */
  run(options: T): Promise<number>;
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
