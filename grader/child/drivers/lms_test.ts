import assert from "node:assert/strict";
import * as core from "../../../core/lms.ts";
import {
  allCloseEnough,
  closeEnough,
  costScale,
  dotScale,
  updateScale,
} from "../../../core/precision.ts";
import { exerciseById } from "../../../course/metadata.ts";
import { createRng, type Rng } from "../../../fixtures/random.ts";
import { offeredDriver } from "../driver_registry.ts";
import { withBuiltInsPatched } from "./_patched_builtins.ts";
import { STAND_INS } from "./lms.ts";

type Vector = number[];
type Matrix = number[][];

const fns = offeredDriver("lms")!({});
const predict = fns["standIn:predict"] as (theta: Vector, x: Vector) => number;
const cost = fns["standIn:cost"] as (theta: Vector, X: Matrix, y: Vector) => number;
const lmsUpdate = fns["standIn:lmsUpdate"] as (
  theta: Vector,
  x: Vector,
  y: number,
  alpha: number,
) => number[];
type Update = (theta: Vector, X: Matrix, y: Vector, alpha: number) => number[];
const batchUpdate = fns["standIn:batchUpdate"] as Update;
const stochasticEpoch = fns["standIn:stochasticEpoch"] as Update;

/** A problem on a grid of 0.01 (rate 0.001), as the hidden suite draws them. */
function problem(rng: Rng, n: number, d: number): core.UpdateProblem {
  const grid = (sd: number) => Math.round(rng.normal(0, sd) * 100) / 100;
  return {
    theta: Array.from({ length: d }, () => grid(2)),
    X: Array.from({ length: n }, () => [1, ...Array.from({ length: d - 1 }, () => grid(1))]),
    y: Array.from({ length: n }, () => grid(3)),
    alpha: Math.round(rng.between(0.001, 0.1) * 1000) / 1000,
  };
}

/** Problems of several sizes: no examples, one, and up to 12; one to five parameters. */
function problems(seed: string): core.UpdateProblem[] {
  const rng = createRng(seed);
  const sizes = [[0, 1], [0, 3], [1, 1], [1, 4], [2, 2], [3, 2], [5, 3], [8, 5], [12, 4]];
  return [...sizes, ...sizes].map(([n, d]) => problem(rng, n, d));
}

const epochScale = (theta: number[]) => Math.max(1, ...theta.map(Math.abs));

Deno.test("STAND_INS lists the graded exports of 02-lms, in the order of its groups", () => {
  assert.deepEqual([...STAND_INS], exerciseById("02-lms").groups.map((g) => g.symbol));
  assert.deepEqual(Object.keys(fns), STAND_INS.map((name) => `standIn:${name}`));
});

Deno.test("lms.ts exports nothing but STAND_INS", async () => {
  assert.deepEqual(Object.keys(await import("./lms.ts")), ["STAND_INS"]);
});

Deno.test("stand-ins reproduce the README's worked example", () => {
  const X = [[1, 1], [1, 2], [1, 3]];
  const y = [3, 4, 7];
  const near = (actual: number[], expected: number[]) =>
    assert.ok(actual.every((a, j) => Math.abs(a - expected[j]) < 1e-12), `${actual}`);
  assert.equal(predict([1, 1], [1, 3]), 4);
  assert.equal(cost([1, 1], X, y), 5.5);
  near(lmsUpdate([1, 1], [1, 3], 7, 0.1), [1.3, 1.9]);
  near(batchUpdate([1, 1], X, y, 0.1), [1.5, 2.2]);
  near(stochasticEpoch([1, 1], X, y, 0.1), [1.381, 1.873]);
  near(stochasticEpoch([1, 1], X.toReversed(), y.toReversed(), 0.1), [1.203, 1.693]);
});

Deno.test("predict() and cost() stand-ins agree with core/lms.ts on problems of several lengths", async () => {
  const ps = problems("lms predict cost");
  const pairs = ps.flatMap(({ theta, X }) => X.map((x) => ({ theta, x })));
  const predictions = await core.predictMany(pairs);
  pairs.forEach(({ theta, x }, i) => {
    const actual = predict(theta, x);
    assert.ok(
      closeEnough("lms.predict", actual, predictions[i], dotScale(theta, x)),
      `predict(${theta}, ${x}) = ${actual}, the core gives ${predictions[i]}`,
    );
  });
  const costs = await core.costMany(ps);
  ps.forEach(({ theta, X, y }, i) => {
    const actual = cost(theta, X, y);
    assert.ok(
      closeEnough("lms.cost", actual, costs[i], costScale(theta, X, y)),
      `cost() of problem ${i} = ${actual}, the core gives ${costs[i]}`,
    );
  });
});

Deno.test("lmsUpdate(), batchUpdate() and stochasticEpoch() stand-ins agree with core/lms.ts", async () => {
  const ps = problems("lms updates");
  const single = ps.flatMap(({ theta, X, y, alpha }) =>
    X.map((x, i) => ({ theta, x, y: y[i], alpha }))
  );
  const steps = await core.lmsUpdateMany(single);
  single.forEach(({ theta, x, y, alpha }, i) => {
    const actual = lmsUpdate(theta, x, y, alpha);
    assert.ok(
      allCloseEnough("lms.update", actual, steps[i], updateScale(theta, [x], [y], alpha)),
      `lmsUpdate() of step ${i} = ${actual}, the core gives ${steps[i]}`,
    );
  });
  const batches = await core.batchUpdateMany(ps);
  const epochs = await core.stochasticEpochMany(ps);
  ps.forEach(({ theta, X, y, alpha }, i) => {
    const batch = batchUpdate(theta, X, y, alpha);
    assert.ok(
      allCloseEnough("lms.update", batch, batches[i], updateScale(theta, X, y, alpha)),
      `batchUpdate() of problem ${i} = ${batch}, the core gives ${batches[i]}`,
    );
    const epoch = stochasticEpoch(theta, X, y, alpha);
    assert.ok(
      allCloseEnough("lms.stochasticEpoch", epoch, epochs[i], epochScale(epochs[i])),
      `stochasticEpoch() of problem ${i} = ${epoch}, the core gives ${epochs[i]}`,
    );
  });
});

Deno.test("stand-ins leave their inputs unchanged and return fresh arrays", () => {
  for (const p of problems("lms mutation")) {
    const before = structuredClone(p);
    const { theta, X, y, alpha } = p;
    predict(theta, theta);
    cost(theta, X, y);
    const results = [
      lmsUpdate(theta, theta, 1, alpha),
      batchUpdate(theta, X, y, alpha),
      stochasticEpoch(theta, X, y, alpha),
    ];
    assert.deepEqual(p, before);
    for (const result of results) {
      assert.ok(Array.isArray(result));
      assert.notEqual(result, theta);
      assert.equal(Object.getPrototypeOf(result), Array.prototype);
    }
  }
  // No examples: θ itself, as a new array.
  const theta = [1, 2];
  assert.notEqual(stochasticEpoch(theta, [], [], 0.1), theta);
  assert.deepEqual(stochasticEpoch(theta, [], [], 0.1), theta);
  assert.deepEqual(batchUpdate(theta, [], [], 0.1), theta);
});

Deno.test("stand-ins read typed arrays as they read arrays", () => {
  const { theta, X, y, alpha } = problem(createRng("lms typed"), 6, 3);
  const typedX = X.map((x) => Float64Array.from(x));
  assert.equal(
    predict(Float64Array.from(theta) as never, typedX[0] as never),
    predict(theta, X[0]),
  );
  assert.equal(cost(theta, typedX as never, Float64Array.from(y) as never), cost(theta, X, y));
  assert.deepEqual(
    stochasticEpoch(Float64Array.from(theta) as never, typedX as never, y, alpha),
    stochasticEpoch(theta, X, y, alpha),
  );
});

Deno.test("stand-ins refuse malformed input with a TypeError", () => {
  const X = [[1, 1], [1, 2]];
  assert.throws(() => predict([1, 2], [1, 2, 3]), TypeError);
  assert.throws(() => predict("12" as never, [1, 2]), TypeError);
  assert.throws(() => cost([1, 1], X, [1]), TypeError);
  assert.throws(() => cost([1, 1], [[1, 1], [1]], [1, 2]), TypeError);
  assert.throws(() => cost([1, 1], [1, 2] as never, [1, 2]), TypeError);
  assert.throws(() => lmsUpdate([1, 1], [1], 1, 0.1), TypeError);
  assert.throws(() => batchUpdate([1, 1], X, [1, 2, 3], 0.1), TypeError);
  assert.throws(() => stochasticEpoch([1, 1], X, null as never, 0.1), TypeError);
  assert.throws(
    () => stochasticEpoch([1, 1], new DataView(new ArrayBuffer(8)) as never, [], 0.1),
    TypeError,
  );
});

Deno.test("stand-ins compute the same after student code patches Array.prototype and Math", () => {
  const { theta, X, y, alpha } = problem(createRng("lms hostile"), 7, 3);
  const run = () => [
    [predict(theta, X[0])],
    [cost(theta, X, y)],
    lmsUpdate(theta, X[0], y[0], alpha),
    batchUpdate(theta, X, y, alpha),
    stochasticEpoch(theta, X, y, alpha),
  ];
  const expected = run();
  assert.deepEqual(withBuiltInsPatched(run), expected);
});
