/**
 * Throwaway student bundles for tests: `deno task release` into a temp folder, with any
 * exercise's entry file replaced by a solution, a variant or inline source.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildRelease } from "../course/release.ts";
import { exerciseById } from "../course/metadata.ts";

/** The repository's root folder. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** A student bundle in a temp folder; dispose it with `await using`. */
export interface Workspace extends AsyncDisposable {
  root: string;
  /** Replaces the entry file of `exercise` with `source`. */
  write(exercise: string, source: string): Promise<void>;
  /** Replaces the entry file of `exercise` with a file of the repository. */
  use(exercise: string, repoPath: string): Promise<void>;
  /** The path of `exercise`'s entry file in the bundle. */
  entry(exercise: string): string;
}

/** Builds a fresh student bundle in a temp folder. */
export async function makeWorkspace(): Promise<Workspace> {
  const root = await Deno.makeTempDir({ prefix: "workspace-" });
  await buildRelease(root);
  const entry = (id: string) => join(root, "exercises", id, exerciseById(id).entry);
  return {
    root,
    entry,
    write: (id, source) => Deno.writeTextFile(entry(id), source),
    use: async (id, repoPath) =>
      Deno.writeTextFile(entry(id), await Deno.readTextFile(join(ROOT, repoPath))),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/**
 * The course secret of the tests' grading runs: fixed, so that the hidden inputs (and so
 * every grade the tests assert) are the same on every run and every machine. The suites'
 * own tests check many seeds; these tests check the tools.
 */
export const TEST_SECRET = "tests-fixed-course-secret-4f9c2a71";

/**
 * Runs `deno task <args>` in `cwd` as a student or instructor would and captures its
 * output. Grading runs use {@linkcode TEST_SECRET}.
 */
export async function task(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", ...args],
    cwd,
    env: { NO_COLOR: "1", GRADER_SECRET: TEST_SECRET },
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

/**
 * Runs `deno task grade` on a class for some exercises, as an instructor does; it must exit
 * 0 (grading ran, whatever the scores).
 *
 * @param submissions The class's folder.
 * @param out Where the reports go.
 * @param exercises The exercises to grade.
 * @returns What it printed.
 */
export async function gradeClass(
  submissions: string,
  out: string,
  exercises: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await task(
    ROOT,
    "grade",
    "--submissions",
    submissions,
    "--out",
    out,
    ...exercises.flatMap((id) => ["--exercise", id]),
  );
  assert.equal(code, 0, stdout + stderr);
  return { stdout, stderr };
}

/** The variant files of an exercise in tests/variants/, with their declared bug. */
export async function variants(
  exercise: string,
): Promise<{ path: string; name: string; bug?: { symbol: string; what: string } }[]> {
  const folder = join(ROOT, "tests", "variants", exercise);
  const out = [];
  for await (const item of Deno.readDir(folder)) {
    if (!item.isFile || !item.name.endsWith(".ts")) continue;
    const path = `tests/variants/${exercise}/${item.name}`;
    const firstLine = (await Deno.readTextFile(join(ROOT, path))).split("\n", 1)[0];
    const bug = firstLine.match(/^\/\/ bug: ([A-Za-z.]+): (.+)$/);
    out.push({
      path,
      name: item.name,
      bug: bug ? { symbol: bug[1], what: bug[2] } : undefined,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
