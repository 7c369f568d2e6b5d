import assert from "node:assert/strict";
import { resonanceSample } from "../fixtures/hep.ts";
import { BACKENDS, SKIPS } from "./_backends.ts";
import { decisionFunction, fitStump } from "./adaboost.ts";
import { initCore } from "./backend.ts";
import { referenceGradient, TEST_FUNCTIONS } from "./dual.ts";
import { cost, stochasticEpoch } from "./lms.ts";
import {
  allCloseEnough,
  closeEnough,
  costScale,
  dotScale,
  isEquallyGoodModel,
  isEquallyGoodStump,
  MODEL_MARGINS,
  PRECISION,
  type Quantity,
  stumpError,
  updateScale,
} from "./precision.ts";
import { logSoftmax } from "./softmax.ts";

Deno.test("PRECISION gives every quantity a tolerance above float32 roundoff and a reason", () => {
  for (const [quantity, rule] of Object.entries(PRECISION)) {
    assert.ok(rule.rtol >= 1e-6 && rule.rtol <= 1e-3, quantity);
    assert.ok(rule.why.length > 20 && rule.scale.length > 0, quantity);
  }
  for (const [metric, margin] of Object.entries(MODEL_MARGINS)) {
    assert.ok(margin.margin > 0 && margin.why.length > 20, metric);
  }
});

Deno.test("closeEnough() is relative for large values and absolute below the scale", () => {
  assert.ok(closeEnough("lms.predict", 1e6 + 5, 1e6));
  assert.ok(!closeEnough("lms.predict", 1e6 + 50, 1e6));
  assert.ok(closeEnough("lms.predict", 5e-6, 0));
  assert.ok(!closeEnough("lms.predict", 5e-6, 0, 0.1));
  assert.ok(closeEnough("lms.predict", 5e-4, 0, 100));
  assert.ok(!closeEnough("lms.predict", NaN, 0));
});

Deno.test("allCloseEnough() requires equal lengths and every element close", () => {
  assert.ok(allCloseEnough("softmax.probabilities", [0.5, 0.5], [0.5, 0.5]));
  assert.ok(!allCloseEnough("softmax.probabilities", [0.5], [0.5, 0.5]));
  assert.ok(!allCloseEnough("softmax.probabilities", [0.5, 0.6], [0.5, 0.5]));
  assert.ok(!allCloseEnough("softmax.probabilities", "0.5" as unknown as number[], [0.5]));
});

Deno.test("dotScale(), costScale() and updateScale() measure the terms, by hand", () => {
  assert.equal(dotScale([1, -2], [3, 4]), 11);
  // h = [1·1 + 2·3, 1·1 + 2·0] = [7, 1], |terms| = [7, 1]; ½((7 + 5)² + (1 + 2)²) = 76.5
  assert.equal(costScale([1, 2], [[1, 3], [1, 0]], [5, 2]), 76.5);
  // max|θ| = 2; α Σ (|terms| + |y|)·max|x| = 0.1 · (12 · 3 + 3 · 1) = 3.9
  assert.ok(Math.abs(updateScale([1, 2], [[1, 3], [1, 0]], [5, 2], 0.1) - 5.9) < 1e-12);
});

Deno.test("isEquallyGoodStump() accepts any stump of least error and rejects worse or malformed ones", () => {
  const data = { X: [[0, 5], [1, 6], [2, 7]], y: [-1, 1, 1], w: [1, 1, 1] };
  assert.equal(stumpError({ feature: 0, threshold: 0, polarity: 1 }, data), 0);
  for (const threshold of [0, 0.5]) {
    assert.ok(isEquallyGoodStump({ feature: 0, threshold, polarity: 1 }, data, 0));
  }
  assert.ok(isEquallyGoodStump({ feature: 1, threshold: 5.5, polarity: 1 }, data, 0));
  assert.ok(!isEquallyGoodStump({ feature: 0, threshold: 0, polarity: -1 }, data, 0));
  assert.ok(!isEquallyGoodStump({ feature: 2, threshold: 0, polarity: 1 }, data, 0));
  assert.ok(!isEquallyGoodStump({ feature: 0, threshold: NaN, polarity: 1 }, data, 0));
  assert.ok(!isEquallyGoodStump({ feature: 0, threshold: 0, polarity: 0 as 1 }, data, 0));
});

Deno.test("isEquallyGoodModel() allows the margin in the metric's direction only", () => {
  assert.ok(isEquallyGoodModel("auc", 0.89, 0.9));
  assert.ok(!isEquallyGoodModel("auc", 0.87, 0.9));
  assert.ok(isEquallyGoodModel("accuracy", 0.95, 0.9));
  assert.ok(isEquallyGoodModel("crossEntropy", 0.51, 0.5));
  assert.ok(!isEquallyGoodModel("crossEntropy", 0.6, 0.5));
  assert.ok(!isEquallyGoodModel("auc", NaN, 0.5));
});

/** Reference values of every kind, computed on the current backend, with their rule and scale. */
async function referenceValues(): Promise<[Quantity, number, number][]> {
  const values: [Quantity, number, number][] = [];
  for (const fn of TEST_FUNCTIONS) {
    const points = [fn.domain.map(([lo, hi]) => (lo + 2 * hi) / 3)];
    const { values: v, gradients } = await referenceGradient(fn.name, points);
    values.push(["dual.value", v[0], 1]);
    for (const g of gradients[0]) values.push(["dual.gradient", g, 1]);
  }
  const { X, y } = resonanceSample(60, { seed: "cross" });
  const lmsX = X.map((x) => [1, x[1], x[2], x[3]]);
  const theta = [0.5, -0.2, 0.1, 0.3];
  values.push(["lms.cost", await cost(theta, lmsX, y), costScale(theta, lmsX, y)]);
  for (const t of await stochasticEpoch(theta, lmsX, y, 0.01)) {
    values.push(["lms.stochasticEpoch", t, 1]);
  }
  for (const l of await logSoftmax([3, -1e3, 0.25, 1e3])) {
    values.push(["softmax.logProbabilities", l, 1e3]);
  }
  const model = {
    stumps: [
      { feature: 0, threshold: 900, polarity: 1 as const },
      { feature: 2, threshold: 2, polarity: -1 as const },
      { feature: 1, threshold: 1.5, polarity: -1 as const },
    ],
    alphas: [0.93, 0.41, -0.27],
  };
  for (const s of await decisionFunction(model, X)) {
    values.push(["adaboost.decisionFunction", s, 1.61]);
  }
  const stump = await fitStump(X, y, X.map((_, i) => 1 + (i % 3)));
  values.push([
    "adaboost.weightedError",
    stumpError(stump, { X, y, w: X.map((_, i) => 1 + (i % 3)) }),
    1,
  ]);
  return values;
}

Deno.test("PRECISION leaves 20× headroom over the backends' own differences", async () => {
  const usable = BACKENDS.filter((b) => !SKIPS.some((s) => s.backend === b && s.test === ""));
  const results = [];
  for (const backend of usable) {
    await initCore({ backend });
    results.push(await referenceValues());
  }
  const [first, ...others] = results;
  for (const [k, other] of others.entries()) {
    first.forEach(([quantity, value, scale], i) => {
      const difference = Math.abs(other[i][1] - value) / Math.max(Math.abs(value), scale);
      assert.ok(
        difference <= PRECISION[quantity].rtol / 20,
        `${quantity} #${i}: ${usable[0]} ${value}, ${usable[k + 1]} ${other[i][1]}`,
      );
    });
  }
});
