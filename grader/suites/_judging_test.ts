import assert from "node:assert/strict";
import {
  brief,
  judgeCalls,
  lazy,
  mutationFailure,
  sameValue,
  showVector,
  unchangedFailure,
  verdictOf,
} from "./_judging.ts";

Deno.test("verdictOf() reports the first failure, where it was, and the symptoms all failures share", () => {
  assert.deepEqual(verdictOf([], 3), { pass: true });
  assert.deepEqual(
    verdictOf([
      { index: 1, failure: { reason: "f() is wrong", symptoms: ["a", "b"] } },
      { index: 2, failure: { reason: "f() is off", symptoms: ["b"] } },
    ], 3),
    { pass: false, reason: "f() is wrong (input 2 of 3; 2 of the 3 inputs fail)", symptoms: ["b"] },
  );
  assert.deepEqual(verdictOf([{ index: 0, failure: { reason: "f() is wrong" } }], 1), {
    pass: false,
    reason: "f() is wrong",
  });
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
    assert.equal(failure?.reason, "wrong");
  }
});

Deno.test("brief() and showVector() keep a student's output short", () => {
  assert.equal(showVector([1, 0.123456789, NaN, 4, 5, 6, 7], 3), "[1, 0.1235, NaN, … (7 entries)]");
  assert.equal(brief(undefined), "undefined");
  assert.equal(brief("x".repeat(100)).length, 58);
});

Deno.test("lazy() computes once", async () => {
  let runs = 0;
  const value = lazy(() => Promise.resolve(++runs));
  assert.equal(await value(), 1);
  assert.equal(await value(), 1);
  assert.equal(runs, 1);
});
