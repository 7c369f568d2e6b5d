/**
 * `deno task admin`: bootstraps the portal's store from a terminal.
 *
 * ```
 * deno task admin create-instructor <id> [--name NAME]
 * deno task admin sign-out <id>
 * deno task admin invite <id>
 * ```
 *
 * `create-instructor`'s password comes from standard input: typed without echo at a
 * terminal (twice), or the first line of a pipe
 * (`printf '%s\n' "$PASSWORD" | deno task admin create-instructor ada`).
 * The store is the portal's: `DATABASE_URL`, else PGlite in `DATA_DIR` (default `.data`).
 *
 * `sign-out` ends every session of a user and revokes their personal API tokens, for an
 * account whose password or token may have leaked.
 *
 * `invite` prints a fresh one-time invite code for an existing user (a lost code, a forgotten
 * password), replacing any unredeemed one; redeeming it sets the new password and, as
 * `sign-out` does, ends the user's sessions and tokens.
 *
 * The embedded database serves one process: while a portal runs on it, every command exits
 * with status 2 and says so (stop the portal first, run it on PostgreSQL through
 * `DATABASE_URL`, or use the portal's API instead).
 *
 * Exit status: 0 when it was done; 2 for bad usage, an id that is taken (or, for
 * `sign-out` and `invite`, unknown) or not acceptable, a password that is too short or too long, or an
 * embedded database that a running portal holds.
 *
 * @module
 */
import {
  ConflictError,
  DatabaseInUseError,
  NotFoundError,
  openStore,
  type Store,
} from "./store/mod.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./store/passwords.ts";
import { UserIdSchema } from "./store/records.ts";
import { CommandError, count, parseArguments, runCommand, UsageError } from "../course/cli.ts";

const USAGE = `Usage: deno task admin create-instructor <id> [--name NAME]
       deno task admin sign-out <id>
       deno task admin invite <id>

In the portal's database (DATABASE_URL, else the embedded one in DATA_DIR, default .data):

  create-instructor  creates an instructor. The password is read from standard input:
                     typed at a terminal (not echoed), or the first line of a pipe.
  sign-out           ends every session of a user and revokes their personal tokens
                     (a password or token that may have leaked).
  invite             prints a new one-time invite code for a user (a lost code or a
                     forgotten password), replacing any unredeemed one. Redeeming it sets
                     the password and ends the user's sessions and tokens.

The embedded database serves one process: stop a portal that runs on it first, or use the
portal's API while it runs.

Options:
  --name NAME  the display name (default: the id)
  --help       show this message`;

const COMMANDS = ["create-instructor", "sign-out", "invite"] as const;

type Command = { command: typeof COMMANDS[number]; id: string; name?: string };

/** What each command does, and the API route that does it while the portal runs. */
const ACTIONS: Record<Command["command"], { doing: string; route: string }> = {
  "create-instructor": { doing: "create instructor", route: "POST /api/users" },
  "sign-out": { doing: "sign out", route: "POST /api/users/<id>/sign-out" },
  "invite": { doing: "invite", route: "POST /api/users/<id>/invite" },
};

function parseCommand(args: string[]): Command | "help" {
  const parsed = parseArguments({
    args,
    allowPositionals: true,
    options: { name: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (parsed.values.help) return "help";
  const [command, id, ...rest] = parsed.positionals;
  if (!COMMANDS.some((known) => known === command)) {
    throw new UsageError(
      command === undefined ? "Missing command" : `Unknown command "${command}"`,
    );
  }
  const known = command as Command["command"];
  const whose = known === "create-instructor" ? "instructor" : "user";
  if (id === undefined) throw new UsageError(`Missing the ${whose}'s id`);
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}"`);
  if (known !== "create-instructor" && parsed.values.name !== undefined) {
    throw new UsageError("--name is for create-instructor");
  }
  if (!UserIdSchema.safeParse(id).success) {
    throw new UsageError(
      `Cannot ${ACTIONS[known].doing} "${id}": an id has ` +
        "1 to 64 letters, digits, '.', '_' or '-'",
    );
  }
  return { command: known, id, name: parsed.values.name };
}

/** Reads the first line of standard input when it is not a terminal. */
async function readPipedLine(): Promise<string> {
  const text = await new Response(Deno.stdin.readable).text();
  return text.split(/\r?\n/, 1)[0];
}

/** Prompts on standard error and reads a line from the terminal without echoing it. */
async function readHidden(prompt: string): Promise<string> {
  const encoder = new TextEncoder();
  await Deno.stderr.write(encoder.encode(prompt));
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  try {
    const buffer = new Uint8Array(64);
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      for (const byte of buffer.subarray(0, n)) {
        if (byte === 0x03) throw new CommandError("Interrupted");
        if (byte === 0x0d || byte === 0x0a || byte === 0x04) {
          return new TextDecoder().decode(new Uint8Array(bytes));
        }
        if (byte === 0x7f || byte === 0x08) bytes.pop();
        else bytes.push(byte);
      }
    }
    return new TextDecoder().decode(new Uint8Array(bytes));
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(encoder.encode("\n"));
  }
}

async function readPassword(id: string): Promise<string> {
  if (!Deno.stdin.isTerminal()) return await readPipedLine();
  const password = await readHidden(`Password for "${id}": `);
  if (password.length < MIN_PASSWORD_LENGTH) return password;
  if ((await readHidden("Repeat it: ")) !== password) {
    throw new CommandError(`Cannot create instructor "${id}": the passwords differ`);
  }
  return password;
}

/**
 * Opens the portal's store; an embedded database that a running portal holds becomes one
 * line that says what to do instead.
 */
async function openPortalStore({ command, id }: Command): Promise<Store> {
  try {
    return await openStore();
  } catch (error) {
    if (!(error instanceof DatabaseInUseError)) throw error;
    const { doing, route } = ACTIONS[command];
    throw new CommandError(
      `Cannot ${doing} "${id}": the database in "${error.dataDir}" is in use by a running ` +
        "portal; stop the portal first, run the portal on PostgreSQL through DATABASE_URL, " +
        `or use ${route} as an instructor while it runs`,
    );
  }
}

async function createInstructor(command: Command): Promise<number> {
  const { id } = command;
  const store = await openPortalStore(command);
  try {
    if (await store.getUser(id)) {
      throw new CommandError(`Cannot create instructor "${id}": the id is taken`);
    }
    const password = await readPassword(id);
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      throw new CommandError(
        `Cannot create instructor "${id}": the password must have ${MIN_PASSWORD_LENGTH} to ` +
          `${MAX_PASSWORD_LENGTH} characters, not ${password.length}`,
      );
    }
    try {
      await store.createUser({ id, name: command.name, role: "instructor", password });
    } catch (error) {
      if (error instanceof ConflictError || error instanceof RangeError) {
        throw new CommandError(error.message);
      }
      throw error;
    }
    console.log(`Created instructor "${id}" in ${store.engine.description}.`);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * Runs `work` on the portal's store for the user `command.id`, closing the store after; an
 * unknown user is the command's refusal (exit status 2), not a crash.
 */
async function onUser(
  command: Command,
  work: (store: Store, id: string) => Promise<string>,
): Promise<number> {
  const store = await openPortalStore(command);
  try {
    console.log(await work(store, command.id));
    return 0;
  } catch (error) {
    if (error instanceof NotFoundError) throw new CommandError(error.message);
    throw error;
  } finally {
    await store.close();
  }
}

const signOut = (command: Command) =>
  onUser(command, async (store, id) => {
    const { sessions, tokens } = await store.signOutEverywhere(id);
    return `Signed "${id}" out: ${count(sessions, "session")} ended, ` +
      `${count(tokens, "personal token")} revoked.`;
  });

const invite = (command: Command) =>
  onUser(command, async (store, id) => {
    const { code, expiresAt } = await store.createInvite(id);
    return `Invite code for "${id}" (one use, until ${expiresAt.toISOString()}; any earlier ` +
      `unredeemed code no longer works):\n${code}`;
  });

/** Each command's work. */
const RUN: Record<Command["command"], (command: Command) => Promise<number>> = {
  "create-instructor": createInstructor,
  "sign-out": signOut,
  "invite": invite,
};

if (import.meta.main) {
  Deno.exit(
    await runCommand({
      usage: USAGE,
      parse: parseCommand,
      run: (command) => RUN[command.command](command),
    }, Deno.args),
  );
}
