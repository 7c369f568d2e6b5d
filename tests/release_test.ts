/**
 * `deno task release --out DIR`, run as an instructor runs it. The bundle must hold what a
 * student needs and, judged by content and not only by name, no solution code.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { EXERCISES } from "../course/metadata.ts";
import { ROOT, task, variants } from "./_workspace.ts";

async function listFiles(root: string, folder = root): Promise<string[]> {
  const out: string[] = [];
  for await (const item of Deno.readDir(folder)) {
    const path = join(folder, item.name);
    if (item.isDirectory) out.push(...await listFiles(root, path));
    else out.push(relative(root, path));
  }
  return out.sort();
}

/** Lines of a file that carry its logic: long enough to be distinctive, not comments or imports. */
function distinctiveLines(source: string): string[] {
  return source.split("\n").map((l) => l.trim()).filter((l) =>
    l.length >= 24 && !/^(\/\/|\*|\/\*|import\b)/.test(l)
  );
}

Deno.test("release writes the student bundle and nothing else", async () => {
  const out = await Deno.makeTempDir({ prefix: "release-" });
  try {
    await Deno.remove(out);
    const { code, stdout } = await task(ROOT, "release", "--out", out);
    assert.equal(code, 0);
    assert.match(stdout, /Wrote the student bundle/);
    const files = await listFiles(out);
    for (const exercise of EXERCISES) {
      for (const file of ["README.md", exercise.entry, exercise.tests]) {
        assert.ok(files.includes(`exercises/${exercise.id}/${file}`), `missing ${file}`);
      }
    }
    for (const file of files) {
      assert.match(
        file,
        /^(exercises\/|course\/|fixtures\/(hep|random)\.ts$|fixtures\/README\.md$|deno\.json$|README\.md$|\.gitignore$)/,
        `${file} does not belong in the student bundle`,
      );
      assert.doesNotMatch(file, /solution|grader|secret|hidden|variants|class\//i);
    }
    const config = JSON.parse(await Deno.readTextFile(join(out, "deno.json")));
    assert.deepEqual(Object.keys(config.tasks), ["check", "submit"]);
    assert.match(config.imports["@tensorflow/tfjs"], /^npm:@tensorflow\/tfjs@\d+\.\d+\.\d+$/);
    const readme = await Deno.readTextFile(join(out, "README.md"));
    for (const exercise of EXERCISES) assert.match(readme, new RegExp(exercise.id));
  } finally {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
});

Deno.test("release contains no solution code, judged by content", async () => {
  const out = join(await Deno.makeTempDir({ prefix: "release-" }), "bundle");
  try {
    const { code } = await task(ROOT, "release", "--out", out);
    assert.equal(code, 0);
    const bundled = new Map<string, string>();
    for (const file of await listFiles(out)) {
      bundled.set(file, await Deno.readTextFile(join(out, file)));
    }
    const everything = [...bundled.values()].join("\n");
    for (const exercise of EXERCISES) {
      const stub = await Deno.readTextFile(join(ROOT, "exercises", exercise.id, exercise.entry));
      const stubLines = new Set(distinctiveLines(stub));
      const correct = (await variants(exercise.id)).filter((v) => !v.bug).map((v) => v.path);
      for (const path of [`solutions/${exercise.id}/${exercise.entry}`, ...correct]) {
        const source = await Deno.readTextFile(join(ROOT, path));
        const secretLines = distinctiveLines(source).filter((l) => !stubLines.has(l));
        assert.ok(secretLines.length > 0, `${path} should differ from the stub`);
        for (const line of secretLines) {
          assert.ok(
            !everything.includes(line),
            `the bundle contains a line of ${path}: ${JSON.stringify(line)}`,
          );
        }
      }
    }
  } finally {
    await Deno.remove(join(out, ".."), { recursive: true });
  }
});

Deno.test("release refuses a folder that is not empty, with exit status 2", async () => {
  const out = await Deno.makeTempDir({ prefix: "release-" });
  try {
    await Deno.writeTextFile(join(out, "notes.txt"), "keep me");
    const { code, stderr } = await task(ROOT, "release", "--out", out);
    assert.equal(code, 2);
    assert.match(stderr, /exists and is not empty/);
    assert.equal(await Deno.readTextFile(join(out, "notes.txt")), "keep me");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("release without --out explains its usage with exit status 2", async () => {
  const { code, stderr } = await task(ROOT, "release");
  assert.equal(code, 2);
  assert.match(stderr, /Missing --out DIR/);
  assert.match(stderr, /Usage: deno task release --out DIR/);
});
