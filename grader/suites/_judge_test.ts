import assert from "node:assert/strict";
import { z } from "zod";
import { runCalls } from "../child/calls.ts";
import {
  callFailure,
  describe,
  judgeCalls,
  mutationFailure,
  noMutationCase,
  once,
  sameValue,
  showMatrix,
  showVector,
  unchangedFailure,
  verdictOf,
} from "./_judge.ts";

Deno.test("verdictOf() reports the first failure, where it was, how many failed, and the symptoms all failures share", () => {
  assert.deepEqual(verdictOf([undefined, undefined, undefined]), { pass: true });
  assert.deepEqual(
    verdictOf([
      undefined,
      { reason: "f() is wrong", symptoms: ["a", "b"] },
      { reason: "f() is off", symptoms: ["b"] },
    ]),
    { pass: false, reason: "f() is wrong (input 2 of 3; 2 of the 3 inputs fail)", symptoms: ["b"] },
  );
  assert.deepEqual(verdictOf([{ reason: "f() is wrong" }]), {
    pass: false,
    reason: "f() is wrong",
  });
  assert.deepEqual(verdictOf([{ reason: "you returned 1" }, { reason: "you returned 2" }]), {
    pass: false,
    reason: "You returned 1 (input 1 of 2; all 2 fail)",
  });
});

Deno.test("verdictOf() makes a sentence of a reason that does not open with a call", () => {
  assert.equal(verdictOf([{ reason: "you returned 2" }]).reason, "You returned 2");
  assert.equal(verdictOf([{ reason: "Dual.mul() is wrong" }]).reason, "Dual.mul() is wrong");
  assert.equal(verdictOf([{ reason: "θ is unchanged" }]).reason, "θ is unchanged");
});

Deno.test("judgeCalls() fails a call that threw with its error and checks the others", async () => {
  const calls = [{ fn: "f", args: [1] }, { fn: "f", args: [2] }];
  const verdict = await judgeCalls(
    [{ ok: true, value: 1, ms: 0 }, { ok: false, error: "Error: TODO: implement f", ms: 0 }],
    calls,
    (value) => (value === 1 ? undefined : { reason: "wrong" }),
    () => ["throws"],
  );
  assert.deepEqual(verdict, {
    pass: false,
    reason: "f() threw: Error: TODO: implement f (input 2 of 2)",
    symptoms: ["throws"],
  });
  assert.equal(
    (await judgeCalls([], calls.slice(0, 1), () => undefined)).reason,
    "f() did not return",
  );
});

Deno.test("sameValue() compares plain data with NaN equal to NaN and infinities kept", () => {
  assert.ok(sameValue([1, NaN, -Infinity, { a: [2] }], [1, NaN, -Infinity, { a: [2] }]));
  assert.ok(!sameValue([1, 2], [1, 2, 3]));
  assert.ok(!sameValue({ a: 1 }, { b: 1 }));
  assert.ok(!sameValue([-Infinity], [Infinity]));
});

Deno.test("mutationFailure() names the first argument the call changed", () => {
  const call = { fn: "softmax", args: [[1, 2], 3], returnArgs: true };
  assert.equal(mutationFailure(call, { result: 0, args: [[1, 2], 3] }, ["z", "k"], "m"), undefined);
  const failure = mutationFailure(call, { result: 0, args: [[2, 1], 3] }, ["z", "k"], "m");
  assert.match(failure?.reason ?? "", /^softmax\(\) changed its argument z: /);
  assert.deepEqual(failure?.symptoms, ["m"]);
  assert.match(
    mutationFailure(call, { result: 0, args: [[1, 2]] }, ["z", "k"], "m")?.reason ?? "",
    /could not be checked/,
  );
});

Deno.test("unchangedFailure() fails a changed argument, then a wrong result of a call that changed none", async () => {
  const call = { fn: "softmax", args: [[1, 2]], returnArgs: true };
  const right = (result: unknown) => (result === 0.5 ? undefined : { reason: "wrong" });
  const changed = await unchangedFailure(call, { result: 0.5, args: [[2, 1]] }, ["z"], "m", right);
  assert.deepEqual(changed?.symptoms, ["m"]);
  assert.equal(
    await unchangedFailure(call, { result: 0.5, args: [[1, 2]] }, ["z"], "m", right),
    undefined,
  );
  for (const garbage of [NaN, [], 0, undefined]) {
    const failure = await unchangedFailure(
      call,
      { result: garbage, args: [[1, 2]] },
      ["z"],
      "m",
      right,
    );
    assert.equal(
      failure?.reason,
      "the argument z is unchanged, but this test also needs the right result: wrong",
    );
  }
  const three = { fn: "cost", args: [[1], [[2]], [3]], returnArgs: true };
  assert.equal(
    (await unchangedFailure(three, { result: 0, args: three.args }, ["θ", "X", "y"], "m", right))
      ?.reason,
    "the arguments θ, X and y are unchanged, but this test also needs the right result: wrong",
  );
});

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
  check: (actual, i) => actual.join() === [[2, 4], [6]][i].join() ? undefined : { reason: "wrong" },
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

Deno.test("describe(), showVector() and showMatrix() keep a student's output short", () => {
  assert.equal(showVector([1, 0.123456789, NaN, 4, 5, 6, 7], 3), "[1, 0.1235, NaN, … (7 entries)]");
  assert.equal(showMatrix([[1, 2], [3, 4], [5, 6]], { rows: 2 }), "[[1, 2], [3, 4], … (3 rows)]");
  assert.equal(describe(undefined), "undefined");
  assert.equal(describe("x".repeat(100)), "a string");
  assert.equal(describe([1, "a"]), "an array of 2 entries");
  assert.equal(describe({ re: 1 }), "an object");
});

Deno.test("once() computes once", async () => {
  let runs = 0;
  const value = once(() => Promise.resolve(++runs));
  assert.equal(await value(), 1);
  assert.equal(await value(), 1);
  assert.equal(runs, 1);
});

Deno.test("callFailure() tells a value the harness could not send from a throw", () => {
  const call = { fn: "cost", args: [] };
  assert.equal(
    callFailure(call, { ok: false, error: "the result contains a function", ms: 0 }),
    "cost() returned a value the grader cannot read: the result contains a function",
  );
  assert.equal(
    callFailure(call, { ok: false, error: "Error: no θ", ms: 0 }),
    "cost() threw: Error: no θ",
  );
  assert.equal(callFailure(call, undefined), "cost() did not return");
  assert.equal(callFailure(call, { ok: true, value: 1, ms: 0 }), undefined);
});
