/**
 * Visible tests accept correct code in any style and reject the common mistakes: every
 * `correct_*` variant in tests/variants/ passes, and every `bug_<symbol>_*` variant fails
 * the tests of the symbol its first line names.
 */
import assert from "node:assert/strict";
import { EXERCISES } from "../course/metadata.ts";
import { runVisibleTests } from "../course/visible_tests.ts";
import { makeWorkspace, variants } from "./_workspace.ts";

for (const exercise of EXERCISES) {
  Deno.test(`${exercise.id}: visible tests pass correct variants and catch each bug`, async () => {
    const all = await variants(exercise.id);
    assert.ok(all.some((v) => !v.bug), `tests/variants/${exercise.id} needs a correct_ variant`);
    assert.ok(all.some((v) => v.bug), `tests/variants/${exercise.id} needs bug_ variants`);
    await using workspace = await makeWorkspace();
    for (const variant of all) {
      await workspace.use(exercise.id, variant.path);
      const outcome = await runVisibleTests(exercise, { root: workspace.root });
      if (!variant.bug) {
        const failures = outcome.groups.flatMap((g) => g.tests).filter((t) =>
          t.status !== "passed"
        );
        assert.equal(
          outcome.status,
          "passed",
          `${variant.path} is correct but fails: ${JSON.stringify(failures)}` +
            (outcome.loadError ?? ""),
        );
        continue;
      }
      assert.ok(
        variant.name.startsWith(`bug_${variant.bug.symbol}_`),
        `${variant.path}: a bug variant is named bug_<symbol>_<mistake>.ts after its symbol`,
      );
      const group = outcome.groups.find((g) => g.group.symbol === variant.bug!.symbol);
      assert.ok(group, `${variant.path} names "${variant.bug.symbol}", which is no group`);
      assert.equal(
        group.status,
        "failed",
        `${variant.path} (${variant.bug.what}) passes the visible tests of ` +
          `"${variant.bug.symbol}": add a test that catches it`,
      );
    }
  });
}
