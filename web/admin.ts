/**
 * `deno task admin`: bootstraps the portal's store from a terminal.
 *
 * ```
 * deno task admin create-instructor <id> [--name NAME]
 * ```
 *
 * The password comes from standard input: typed without echo at a terminal (twice), or the
 * first line of a pipe (`printf '%s\n' "$PASSWORD" | deno task admin create-instructor ada`).
 * The store is the portal's: `DATABASE_URL`, else PGlite in `DATA_DIR` (default `.data`).
 *
 * Exit status: 0 when the instructor was created; 2 for bad usage, an id that is taken or
 * not acceptable, or a password that is too short or too long.
 *
 * @module
 */
import { ConflictError, openStore } from "./store/mod.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./store/passwords.ts";
import { UserIdSchema } from "./store/records.ts";
import { CommandError, parseArguments, runCommand, UsageError } from "../course/cli.ts";

const USAGE = `Usage: deno task admin create-instructor <id> [--name NAME]

Creates an instructor in the portal's database (DATABASE_URL, else the embedded one in
DATA_DIR, default .data). The password is read from standard input: typed at a terminal
(not echoed), or the first line of a pipe.

Options:
  --name NAME  the display name (default: the id)
  --help       show this message`;

function parseCommand(args: string[]): { id: string; name?: string } | "help" {
  const parsed = parseArguments({
    args,
    allowPositionals: true,
    options: { name: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (parsed.values.help) return "help";
  const [command, id, ...rest] = parsed.positionals;
  if (command !== "create-instructor") {
    throw new UsageError(
      command === undefined ? "Missing command" : `Unknown command "${command}"`,
    );
  }
  if (id === undefined) throw new UsageError("Missing the instructor's id");
  if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}"`);
  if (!UserIdSchema.safeParse(id).success) {
    throw new UsageError(
      `Cannot create instructor "${id}": an id has 1 to 64 letters, digits, '.', '_' or '-'`,
    );
  }
  return { id, name: parsed.values.name };
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

async function createInstructor(command: { id: string; name?: string }): Promise<number> {
  const { id } = command;
  const store = await openStore();
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

if (import.meta.main) {
  Deno.exit(
    await runCommand({ usage: USAGE, parse: parseCommand, run: createInstructor }, Deno.args),
  );
}
