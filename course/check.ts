/**
 * `deno task check [exercise-id] [--watch]`: runs the visible tests of one or all
 * exercises and prints, per exercise, which functions pass and why the others fail.
 *
 * Exit status: 0 when every selected exercise passes, 1 when one fails, 2 for bad
 * arguments. With `--watch` it re-runs an exercise each time one of its files is saved,
 * until interrupted.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Exercise, EXERCISES, findExercise } from "./metadata.ts";
import { formatOutcome } from "./report.ts";
import { runVisibleTests } from "./visible_tests.ts";

const USAGE = `Usage: deno task check [exercise-id] [--watch]

Runs the visible tests of one exercise (or all of them) and explains what fails.

  exercise-id   e.g. 02-lms, or just 02 or lms; all exercises when absent
  --watch       re-run an exercise whenever one of its files is saved
  --help        show this message

Exercises: ${EXERCISES.map((e) => e.id).join(", ")}`;

async function checkAll(exercises: readonly Exercise[], color: boolean): Promise<boolean> {
  let passed = 0;
  for (const exercise of exercises) {
    const outcome = await runVisibleTests(exercise);
    console.log(formatOutcome(outcome, { color }));
    if (outcome.status === "passed") passed++;
  }
  if (exercises.length > 1) {
    console.log(`${passed} of ${exercises.length} exercises pass.`);
  }
  return passed === exercises.length;
}

async function watch(exercises: readonly Exercise[], color: boolean): Promise<never> {
  const folders = new Map(
    exercises.map((e) => [new URL(`../exercises/${e.id}/`, import.meta.url).pathname, e]),
  );
  const watcher = Deno.watchFs([...folders.keys()]);
  const clear = color ? "\x1b[2J\x1b[H" : "";
  const pending = new Set<Exercise>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = Promise.resolve();
  const say = () =>
    console.log(
      `Watching ${exercises.length === 1 ? exercises[0].id : "exercises"}: ` +
        "save a file to re-run its tests (Ctrl-C to stop).",
    );
  say();
  for await (const event of watcher) {
    // Editors save in place ("modify") or atomically, writing a new file ("create", "rename").
    if (!["modify", "create", "rename"].includes(event.kind)) continue;
    for (const path of event.paths) {
      if (!path.endsWith(".ts")) continue;
      const folder = [...folders.keys()].find((f) => path.startsWith(f));
      if (folder) pending.add(folders.get(folder)!);
    }
    // Editors save in several writes; wait until they settle, then run once.
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...pending];
      pending.clear();
      running = running.then(async () => {
        await Deno.stdout.write(new TextEncoder().encode(clear));
        for (const exercise of batch) {
          console.log(formatOutcome(await runVisibleTests(exercise), { color }));
        }
        say();
      });
    }, 25);
  }
  throw new Error("The file watcher stopped unexpectedly");
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { watch: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    console.error(`Expected at most one exercise, got ${parsed.positionals.length}\n\n${USAGE}`);
    return 2;
  }
  let exercises: readonly Exercise[] = EXERCISES;
  if (parsed.positionals.length === 1) {
    const exercise = findExercise(parsed.positionals[0]);
    if (!exercise) {
      console.error(`Unknown exercise "${parsed.positionals[0]}"\n\n${USAGE}`);
      return 2;
    }
    exercises = [exercise];
  }
  const color = Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR");
  if (parsed.values.watch) {
    await checkAll(exercises, color);
    return await watch(exercises, color);
  }
  return (await checkAll(exercises, color)) ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
