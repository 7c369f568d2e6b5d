/**
 * `deno task release --out DIR`: builds the student bundle.
 *
 * The bundle holds what a student needs and nothing else: each exercise's README, stub and
 * visible tests, the `check` task and the modules it runs on, the seeded data generators
 * the visible tests use, and a `deno.json` with the student tasks and the tfjs import. It is
 * built from an allowlist, then verified: every relative import of every bundled module
 * must resolve inside the bundle, so a new dependency cannot silently pull in (or leave
 * out) a file.
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EXERCISES } from "./metadata.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The course modules and data generators that ship to students, relative to the root. */
export const STUDENT_MODULES: readonly string[] = [
  "course/check.ts",
  "course/cli.ts",
  "course/junit.ts",
  "course/metadata.ts",
  "course/report.ts",
  "course/submit.ts",
  "course/testing.ts",
  "course/tolerance.ts",
  "course/visible_tests.ts",
  "fixtures/hep.ts",
  "fixtures/random.ts",
  "fixtures/README.md",
];

/** The npm imports student code and the student tasks may use. */
const STUDENT_IMPORTS = ["@tensorflow/tfjs", "zod"];

/** Every file of the bundle, relative to its root, from the allowlist and the metadata. */
export function bundleFiles(): string[] {
  const exerciseFiles = EXERCISES.flatMap((e) =>
    ["README.md", e.entry, e.tests].map((f) => `exercises/${e.id}/${f}`)
  );
  return [...STUDENT_MODULES, ...exerciseFiles];
}

/**
 * Writes the student bundle to `out`.
 *
 * @param out The folder to create; it must not exist or be empty.
 * @returns The files written, relative to `out`.
 * @throws {Deno.errors.AlreadyExists} If `out` exists and is not empty.
 * @throws {Deno.errors.NotFound} If a file of the allowlist is missing from the repository.
 * @throws {ReferenceError} If a bundled module imports a file that is not bundled.
 */
export async function buildRelease(out: string): Promise<string[]> {
  try {
    for await (const _ of Deno.readDir(out)) {
      throw new Deno.errors.AlreadyExists(
        `Cannot write the release to "${out}": the folder exists and is not empty`,
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }

  const files = bundleFiles();
  for (const file of files) {
    await Deno.mkdir(join(out, dirname(file)), { recursive: true });
    try {
      await Deno.copyFile(join(ROOT, file), join(out, file));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Deno.errors.NotFound(`Cannot build the release: "${file}" is missing`);
      }
      throw error;
    }
  }
  await verifyImports(out, files);

  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const studentConfig = {
    tasks: { check: config.tasks.check, submit: config.tasks.submit },
    imports: Object.fromEntries(STUDENT_IMPORTS.map((name) => [name, config.imports[name]])),
    compilerOptions: config.compilerOptions,
    fmt: { lineWidth: config.fmt.lineWidth },
  };
  await Deno.writeTextFile(join(out, "deno.json"), JSON.stringify(studentConfig, null, 2) + "\n");

  const table = EXERCISES.map((e) =>
    `- [\`${e.id}\`](exercises/${e.id}/README.md): ${e.title} — complete \`${e.entry}\``
  ).join("\n");
  const readme = await Deno.readTextFile(join(ROOT, "course/student_readme.md"));
  await Deno.writeTextFile(join(out, "README.md"), readme.replace("{{EXERCISES}}", table));
  await Deno.writeTextFile(join(out, ".gitignore"), "node_modules/\n");
  return [...files, "deno.json", "README.md", ".gitignore"];
}

/** Fails when a bundled module imports a relative path that is not in the bundle. */
async function verifyImports(out: string, files: string[]): Promise<void> {
  const bundled = new Set(files.map((f) => resolve(out, f)));
  for (const file of files.filter((f) => f.endsWith(".ts"))) {
    const source = await Deno.readTextFile(join(out, file));
    // Statements only (line-initial import/export, or a dynamic import), not examples in comments.
    const specifiers = source.matchAll(
      /^\s*(?:import|export)\b[^;"']*?(?:from\s*|import\s*)["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']/gm,
    );
    for (const [, staticSpecifier, dynamicSpecifier] of specifiers) {
      const specifier = staticSpecifier ?? dynamicSpecifier;
      const target = resolve(out, dirname(file), specifier);
      if (!bundled.has(target)) {
        throw new ReferenceError(
          `Cannot build the release: "${file}" imports "${specifier}", which is not bundled ` +
            `(add "${
              relative(out, target)
            }" to STUDENT_MODULES in course/release.ts, or drop the import)`,
        );
      }
    }
  }
}

const USAGE = `Usage: deno task release --out DIR

Builds the student bundle in DIR (which must not exist or be empty): exercises with their
stubs, visible tests and READMEs, and the student tasks. No solutions, hidden tests or
grader files.`;

async function main(args: string[]): Promise<number> {
  let out: string | undefined;
  try {
    const { values } = parseArgs({
      args,
      options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    out = values.out;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (!out) {
    console.error(`Missing --out DIR\n\n${USAGE}`);
    return 2;
  }
  try {
    const files = await buildRelease(out);
    console.log(`Wrote the student bundle to ${out} (${files.length} files).`);
    console.log(`Try it: cd ${out} && deno task check`);
    return 0;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      console.error((error as Error).message);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
