import assert from "node:assert/strict";
import { z } from "zod";
import { runCalls } from "../child/calls.ts";
import { noMutationCase } from "./_judge.ts";

/** A case of `double(v)`, which must return 2·v and leave v alone. */
const unchanged = noMutationCase({
  symbol: "double",
  name: "double(): does not change v",
  fn: "double",
  inputs: [{ args: [[1, 2]], text: "v = [1, 2]" }, { args: [[3]], text: "v = [3]" }],
  argNames: ["v"],
  misconception: "double-mutates-input",
  schema: z.array(z.number()),
  shape: "an array of numbers",
  check: (actual, i) =>
    actual.join() === [[2, 4], [6]][i].join() ? { ok: true } : { ok: false, problem: "wrong" },
});

async function judge(double: (v: number[]) => unknown) {
  return await unchanged.judge(await runCalls({ double }, unchanged.calls));
}

Deno.test("noMutationCase() passes a right result that left the arguments alone", async () => {
  assert.deepEqual(await judge((v) => v.map((x) => 2 * x)), { pass: true });
});

Deno.test("noMutationCase() names the misconception of a changed argument", async () => {
  const verdict = await judge((v) => v.map((x, i) => (v[i] = 2 * x)));
  assert.equal(verdict.pass, false);
  assert.match(verdict.reason ?? "", /changed its argument v/);
  assert.deepEqual(verdict.symptoms, ["double-mutates-input"]);
});

Deno.test("noMutationCase() fails a wrong result even when no argument changed", async () => {
  for (const garbage of [NaN, [], 0, [0, 0]]) {
    const verdict = await judge(() => garbage);
    assert.equal(verdict.pass, false, String(garbage));
    assert.equal(verdict.symptoms, undefined);
  }
});
