/**
 * The course's own consistency: metadata, folders, stubs and solutions agree, every stub
 * fails its visible tests, every solution passes them, and each visible test belongs to a
 * graded group. Each failure message names the fix.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { EXERCISES } from "../course/metadata.ts";
import { runVisibleTests } from "../course/visible_tests.ts";
import { makeWorkspace, ROOT } from "./_workspace.ts";

async function names(folder: string): Promise<string[]> {
  const out = [];
  for await (const item of Deno.readDir(join(ROOT, folder))) out.push(item.name);
  return out.sort();
}

Deno.test("EXERCISES lists exactly the folders of exercises/ and solutions/", async () => {
  const ids = EXERCISES.map((e) => e.id).sort();
  assert.deepEqual(
    (await names("exercises")).filter((n) => !n.startsWith("_")),
    ids,
    "exercises/ and course/metadata.ts disagree: add the missing folder or metadata entry",
  );
  assert.deepEqual(
    await names("solutions"),
    ids,
    "solutions/ must mirror exercises/: one folder per exercise",
  );
});

for (const exercise of EXERCISES) {
  Deno.test(`${exercise.id}: the exercise folder holds its README, stub and tests only`, async () => {
    assert.deepEqual(
      await names(`exercises/${exercise.id}`),
      ["README.md", exercise.entry, exercise.tests].sort(),
      `exercises/${exercise.id} should hold README.md, ${exercise.entry} and ${exercise.tests}`,
    );
    assert.deepEqual(
      await names(`solutions/${exercise.id}`),
      [exercise.entry],
      `solutions/${exercise.id} should hold ${exercise.entry} only, mirroring the stub`,
    );
  });

  Deno.test(`${exercise.id}: the stub and the solution export the same names`, async () => {
    const stub = await import(join(ROOT, "exercises", exercise.id, exercise.entry));
    const solution = await import(join(ROOT, "solutions", exercise.id, exercise.entry));
    assert.deepEqual(
      Object.keys(stub).sort(),
      Object.keys(solution).sort(),
      `${exercise.entry}: the stub and the solution must export exactly the same names`,
    );
    for (const [name, value] of Object.entries(stub)) {
      if (typeof value !== "function") continue;
      const isClass = (f: unknown) => /^class\b/.test(Function.prototype.toString.call(f));
      const methods = (f: unknown) =>
        isClass(f) ? Object.getOwnPropertyNames((f as { prototype: object }).prototype).sort() : [];
      assert.equal(
        isClass(value),
        isClass(solution[name]),
        `${exercise.entry}: "${name}" is a class in one file only`,
      );
      assert.deepEqual(
        methods(value),
        methods(solution[name]),
        `${exercise.entry}: "${name}" has different methods in the stub and the solution`,
      );
    }
  });

  Deno.test(`${exercise.id}: the stub marks every place to change and the solution none`, async () => {
    const stub = await Deno.readTextFile(join(ROOT, "exercises", exercise.id, exercise.entry));
    const solution = await Deno.readTextFile(join(ROOT, "solutions", exercise.id, exercise.entry));
    const todos = stub.match(/\/\/ TODO:/g)?.length ?? 0;
    const throws = stub.match(/throw new Error\("TODO: /g)?.length ?? 0;
    assert.ok(throws > 0, `${exercise.entry}: the stub's bodies should throw new Error("TODO: …")`);
    assert.ok(todos >= throws, `${exercise.entry}: each TODO error needs a // TODO: comment`);
    assert.doesNotMatch(solution, /TODO/, `solutions/${exercise.id}: a solution has no TODO`);
  });

  Deno.test(`${exercise.id}: every stub fails and the solution passes its visible tests`, async () => {
    await using workspace = await makeWorkspace();
    const stub = await runVisibleTests(exercise, { root: workspace.root });
    assert.equal(stub.status, "failed", `the stub of ${exercise.id} should fail its tests`);
    for (const group of stub.groups) {
      assert.equal(
        group.status,
        "todo",
        `${exercise.id}: the stub's "${group.group.symbol}" tests should all fail with TODO, ` +
          `got ${JSON.stringify(group.tests)}`,
      );
    }

    await workspace.use(exercise.id, `solutions/${exercise.id}/${exercise.entry}`);
    const solved = await runVisibleTests(exercise, { root: workspace.root });
    const failures = [...solved.groups.flatMap((g) => g.tests), ...solved.ungrouped]
      .filter((t) => t.status !== "passed");
    assert.equal(
      solved.status,
      "passed",
      `solutions/${exercise.id} fails its visible tests: ${JSON.stringify(failures)}` +
        (solved.loadError ?? ""),
    );
    assert.deepEqual(
      solved.ungrouped.map((t) => t.name),
      [],
      `${exercise.id}: every visible test name must start with a group's "<symbol>()"`,
    );
    for (const group of solved.groups) {
      assert.ok(
        group.tests.length > 0,
        `${exercise.id}: group "${group.group.symbol}" has no visible test; add one`,
      );
    }
  });
}
