/**
 * `deno task submit`: hands an exercise in from a student's terminal with a personal API
 * token, follows its grading live and prints the feedback.
 *
 * ```
 * deno task submit <exercise-id> [file]
 * ```
 *
 * The exercise is named as `deno task check` names it: `02-lms`, `02` or `lms`.
 *
 * `PORTAL_URL` is the portal's address and `PORTAL_TOKEN` a token from the portal's
 * `POST /api/tokens`. Exit status: 0 when graded with full marks, 1 when graded with points
 * lost, 2 for bad usage, a missing or refused token, a file the portal would refuse (missing,
 * empty, too large) or a
 * submission it refused, 3 when grading failed.
 *
 * @module
 */
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { EXERCISES, findExercise } from "./metadata.ts";
import { CommandError, formatSize, isBlank, runCommand } from "./cli.ts";

const USAGE = `Usage: deno task submit <exercise-id> [file]

Submits your work on an exercise to the course portal, shows its grading as it happens and
prints the feedback. The file defaults to exercises/<exercise-id>/<entry file> under the
current folder; a file given must have the entry file's name (such as lms.ts). The
exercise id may be short, as for deno task check: 02-lms, 02 or lms.

Environment:
  PORTAL_URL    the portal's address, such as https://portal.example.org
  PORTAL_TOKEN  your personal token (create one on the portal)

Exit status:
  0  graded, full marks
  1  graded, some points lost (the feedback says where)
  2  bad usage, a missing or refused token, a file that cannot be sent, or a refused
     submission (for instance too many attempts)
  3  grading failed (not your attempt's fault; ask the course staff)

Options:
  --help  show this message`;

/** The largest file sent, in bytes (the portal's default cap on a whole submission). */
const MAX_FILE_BYTES = 512 * 1024;

/** How long the command waits for a grade before giving up. */
const MAX_WAIT_MS = 15 * 60_000;

interface Submission {
  id: string;
  exercise: string;
  status: "queued" | "running" | "done" | "error";
  score: number | null;
  maxScore: number | null;
  tests: { name: string; score: number; max_score: number; output: string; tags: string[] }[];
}

interface Command {
  exercise: string;
  file: string;
  url: URL;
  token: string;
}

function parseCommand(args: string[]): Command | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    throw new CommandError((error as Error).message);
  }
  if (parsed.values.help) return "help";
  const [id, file, ...rest] = parsed.positionals;
  if (id === undefined) throw new CommandError("Missing the exercise id");
  if (rest.length > 0) throw new CommandError(`Unexpected argument "${rest[0]}"`);
  const exercise = findExercise(id);
  if (!exercise) {
    throw new CommandError(
      `Cannot submit "${id}": no such exercise (${EXERCISES.map((e) => e.id).join(", ")})`,
    );
  }
  if (file !== undefined && basename(file) !== exercise.entry) {
    throw new CommandError(
      `Cannot submit "${file}": the file of ${exercise.id} is named ${exercise.entry}`,
    );
  }
  const urlText = Deno.env.get("PORTAL_URL");
  if (!urlText) throw new CommandError("Cannot submit: set PORTAL_URL to the portal's address");
  if (!URL.canParse(urlText)) {
    throw new CommandError(`Cannot submit: PORTAL_URL "${urlText}" is not a URL`);
  }
  const token = Deno.env.get("PORTAL_TOKEN");
  if (!token) {
    throw new CommandError(
      "Cannot submit: set PORTAL_TOKEN to your personal token from the portal",
    );
  }
  return {
    exercise: exercise.id,
    // `deno task` runs in the project's folder; a file given is relative to where it was typed.
    file: file === undefined
      ? join("exercises", exercise.id, exercise.entry)
      : resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), file),
    url: new URL(urlText),
    token,
  };
}

async function readFile(path: string): Promise<Uint8Array<ArrayBuffer>> {
  let info;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandError(`Cannot submit "${path}": there is no such file`);
    }
    throw error;
  }
  if (!info.isFile) throw new CommandError(`Cannot submit "${path}": it is not a file`);
  if (info.size > MAX_FILE_BYTES) {
    throw new CommandError(
      `Cannot submit "${path}": it is larger than ${formatSize(MAX_FILE_BYTES)}`,
    );
  }
  const content = await Deno.readFile(path);
  // The portal refuses an empty entry file too; saying so here needs no round trip.
  if (isBlank(content)) {
    throw new CommandError(
      `Cannot submit "${path}": the file is empty; save your work in it first`,
    );
  }
  return content;
}

/** Sends a request to the portal; a refusal becomes a {@linkcode CommandError}. */
async function call(command: Command, path: string, init: RequestInit = {}): Promise<Response> {
  const url = new URL(path, command.url);
  let response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { authorization: `Bearer ${command.token}`, ...init.headers },
    });
  } catch (error) {
    throw new CommandError(`Cannot reach the portal at ${command.url.origin}: ${error}`);
  }
  if (response.ok) return response;
  const text = await response.text();
  let message = text;
  try {
    message = JSON.parse(text).error ?? text;
  } catch {
    // Not JSON: show the text as it is.
  }
  if (response.status === 401) {
    throw new CommandError("Cannot submit: the portal does not accept PORTAL_TOKEN");
  }
  throw new CommandError(`Cannot submit: the portal answered ${response.status}: ${message}`);
}

/**
 * Prints each status the portal streams that differs from the last one printed; returns
 * once the stream ends, with the last status printed.
 */
async function follow(command: Command, id: string, last: string): Promise<string> {
  const response = await call(command, `/api/submissions/${encodeURIComponent(id)}/events`, {
    headers: { accept: "text/event-stream" },
  });
  let buffer = "";
  for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
    buffer += text.replaceAll("\r\n", "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.match(/^event: status\ndata: (.*)$/m);
      const status = data && String(JSON.parse(data[1]).status);
      if (status && status !== last) console.log(`Status: ${last = status}`);
    }
  }
  return last;
}

function points(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Prints the score, one line per test group, and each failed test with its reasons. */
function printFeedback(submission: Submission): void {
  console.log(
    `\n${submission.exercise}: ${points(submission.score ?? 0)}/${
      points(submission.maxScore ?? 0)
    } points`,
  );
  const groups = new Map<string, Submission["tests"]>();
  for (const test of submission.tests) {
    const group = test.tags[0] ?? "tests";
    groups.set(group, [...(groups.get(group) ?? []), test]);
  }
  for (const [group, tests] of groups) {
    const score = tests.reduce((sum, test) => sum + test.score, 0);
    const max = tests.reduce((sum, test) => sum + test.max_score, 0);
    const failed = tests.filter((test) => test.score < test.max_score);
    console.log(
      `${failed.length === 0 ? "ok  " : "FAIL"} ${group}: ${points(score)}/${points(max)}`,
    );
    // Each failed test ends with its group's questions: print those once per group.
    const printed = new Set<string>();
    for (const test of failed) {
      console.log(`       ${test.name}`);
      for (const line of test.output.split("\n")) {
        if (printed.has(line)) continue;
        printed.add(line);
        console.log(`         ${line}`);
      }
    }
  }
}

async function submit(command: Command): Promise<number> {
  const content = await readFile(command.file);
  const form = new FormData();
  form.set("exercise", command.exercise);
  form.set("file", new File([content], basename(command.file)));
  const created = await call(command, "/api/submissions", { method: "POST", body: form });
  const { id, status } = await created.json() as { id: string; status?: string };
  console.log(`Submitted ${command.file} as ${id}`);
  // The status it was stored with (a portal that does not say it: none printed yet). A
  // worker may take it before the stream below connects, which then starts later.
  let last = status ?? "";
  if (last) console.log(`Status: ${last}`);
  const deadline = Date.now() + MAX_WAIT_MS;
  let submission: Submission;
  while (true) {
    last = await follow(command, id, last);
    const response = await call(command, `/api/submissions/${encodeURIComponent(id)}`);
    submission = await response.json();
    if (submission.status === "done" || submission.status === "error") break;
    if (Date.now() > deadline) {
      console.error(`Still ${submission.status} after ${MAX_WAIT_MS / 60_000} minutes`);
      return 3;
    }
    // The stream ended early (the portal restarted): follow it again after a pause.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (submission.status === "error") {
    console.error(`Grading of ${id} failed; it costs no attempt. Ask the course staff.`);
    return 3;
  }
  printFeedback(submission);
  return (submission.score ?? 0) >= (submission.maxScore ?? 0) - 1e-9 ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, parse: parseCommand, run: submit }, Deno.args));
}
