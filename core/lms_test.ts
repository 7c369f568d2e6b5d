import assert from "node:assert/strict";
import { createRng } from "../fixtures/random.ts";
import { backendTest } from "./_backends.ts";
import * as lms from "./lms.ts";
import { batchUpdate, cost, lmsUpdate, predict, stochasticEpoch } from "./lms.ts";
import { allCloseEnough, closeEnough, costScale, dotScale, updateScale } from "./precision.ts";

// float64 references, written out independently of the tensor code.
const dot = (a: number[], b: number[]) => a.reduce((s, ai, j) => s + ai * b[j], 0);
const update64 = (theta: number[], x: number[], y: number, alpha: number) =>
  theta.map((t, j) => t + alpha * (y - dot(theta, x)) * x[j]);

/** A regression problem with the intercept x₀ = 1 and features of a few units. */
function problem(n: number, d: number, seed: string) {
  const rng = createRng(seed);
  const truth = Array.from({ length: d }, () => rng.normal(0, 2));
  const X = Array.from(
    { length: n },
    () => [1, ...Array.from({ length: d - 1 }, () => rng.normal(0, 3))],
  );
  const y = X.map((x) => dot(truth, x) + rng.normal(0, 0.5));
  const theta = Array.from({ length: d }, () => rng.normal(0, 1));
  return { X, y, theta };
}

backendTest("predict() and cost() match float64 and the hand example", async () => {
  assert.equal(await predict([1, 2], [1, 3]), 7);
  // J = ½((7 − 5)² + (1 − 2)²) = 2.5
  assert.equal(await cost([1, 2], [[1, 3], [1, 0]], [5, 2]), 2.5);
  for (const seed of ["a", "b", "c"]) {
    const { X, y, theta } = problem(50, 5, seed);
    for (const x of X.slice(0, 10)) {
      assert.ok(
        closeEnough("lms.predict", await predict(theta, x), dot(theta, x), dotScale(theta, x)),
      );
    }
    const J = X.reduce((s, x, i) => s + 0.5 * (dot(theta, x) - y[i]) ** 2, 0);
    assert.ok(closeEnough("lms.cost", await cost(theta, X, y), J, costScale(theta, X, y)));
  }
});

backendTest("lmsUpdate() and batchUpdate() match float64 and the hand example", async () => {
  // θ = [0, 0], x = [1, 2], y = 3, α = 0.1: θ + 0.1 · 3 · x = [0.3, 0.6]
  assert.ok(allCloseEnough("lms.update", await lmsUpdate([0, 0], [1, 2], 3, 0.1), [0.3, 0.6]));
  for (const seed of ["a", "b"]) {
    const { X, y, theta } = problem(40, 4, seed);
    const one = await lmsUpdate(theta, X[0], y[0], 0.01);
    const scaleOne = updateScale(theta, [X[0]], [y[0]], 0.01);
    assert.ok(allCloseEnough("lms.update", one, update64(theta, X[0], y[0], 0.01), scaleOne));
    const batch64 = theta.map((t, j) =>
      t + 0.001 * X.reduce((s, x, i) => s + (y[i] - dot(theta, x)) * x[j], 0)
    );
    const scale = updateScale(theta, X, y, 0.001);
    assert.ok(allCloseEnough("lms.update", await batchUpdate(theta, X, y, 0.001), batch64, scale));
  }
});

backendTest("stochasticEpoch() applies the updates in order, as float64 does", async () => {
  for (const seed of ["a", "b"]) {
    const { X, y, theta } = problem(100, 4, seed);
    const expected = X.reduce((t, x, i) => update64(t, x, y[i], 0.005), theta);
    const result = await stochasticEpoch(theta, X, y, 0.005);
    const scale = Math.max(1, ...expected.map(Math.abs));
    assert.ok(
      allCloseEnough("lms.stochasticEpoch", result, expected, scale),
      `${result} vs ${expected}`,
    );
    // Reversed order lands elsewhere: the test can tell the order apart.
    const reversed = X.reduceRight((t, x, i) => update64(t, x, y[i], 0.005), theta);
    assert.ok(!allCloseEnough("lms.stochasticEpoch", reversed, expected, scale));
  }
});

backendTest(
  "cost(), batchUpdate() and stochasticEpoch() sum nothing without examples",
  async () => {
    assert.equal(await cost([1, 2], [], []), 0);
    assert.deepEqual(await batchUpdate([1, 2], [], [], 0.1), [1, 2]);
    assert.deepEqual(await stochasticEpoch([1, 2], [], [], 0.1), [1, 2]);
  },
);

backendTest("predict() and cost() reject mismatched shapes", async () => {
  await assert.rejects(() => predict([1, 2], [1]), /example 0 has 1 features but θ has 2/);
  await assert.rejects(() => cost([1, 2], [[1, 2]], [1, 2]), /1 examples but 2 targets/);
});

backendTest("the batched forms give each problem's own result, whatever the sizes", async () => {
  const problems = [problem(1, 2, "p"), problem(6, 4, "q"), problem(25, 3, "r")].map((p, i) => ({
    ...p,
    alpha: [0.01, 0.002, 0.001][i],
  }));
  const predicted = await lms.predictMany(problems.map((p) => ({ theta: p.theta, x: p.X[0] })));
  const costs = await lms.costMany(problems);
  const steps = await lms.lmsUpdateMany(
    problems.map((p) => ({ theta: p.theta, x: p.X[0], y: p.y[0], alpha: p.alpha })),
  );
  const batches = await lms.batchUpdateMany(problems);
  const epochs = await lms.stochasticEpochMany(problems);
  for (const [i, { theta, X, y, alpha }] of problems.entries()) {
    const scale = updateScale(theta, X, y, alpha);
    assert.ok(
      closeEnough("lms.predict", predicted[i], await predict(theta, X[0]), dotScale(theta, X[0])),
    );
    assert.ok(closeEnough("lms.cost", costs[i], await cost(theta, X, y), costScale(theta, X, y)));
    assert.ok(
      allCloseEnough("lms.update", steps[i], await lmsUpdate(theta, X[0], y[0], alpha), scale),
    );
    assert.ok(
      allCloseEnough("lms.update", batches[i], await batchUpdate(theta, X, y, alpha), scale),
    );
    const epoch = await stochasticEpoch(theta, X, y, alpha);
    assert.equal(epochs[i].length, theta.length);
    assert.ok(
      allCloseEnough("lms.stochasticEpoch", epochs[i], epoch, Math.max(1, ...epoch.map(Math.abs))),
    );
  }
  await assert.rejects(lms.costMany([{ theta: [1], X: [[1, 2]], y: [0] }]), TypeError);
});

backendTest(
  "cost() and the updates answer no examples with 0 and θ itself, whatever θ",
  async () => {
    assert.equal(await cost([Infinity, 1], [], []), 0);
    assert.deepEqual(await batchUpdate([0.1, Infinity], [], [], 0.5), [0.1, Infinity]);
    assert.deepEqual(await stochasticEpoch([0.1], [], [], 0.5), [0.1]);
    assert.deepEqual(
      await lms.costMany([{ theta: [NaN], X: [], y: [] }, problem(3, 2, "e")]).then((c) => c[0]),
      0,
    );
  },
);
