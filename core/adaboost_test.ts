import assert from "node:assert/strict";
import { resonanceSample } from "../fixtures/hep.ts";
import { createRng } from "../fixtures/random.ts";
import { backendTest } from "./_backends.ts";
import * as adaboost from "./adaboost.ts";
import {
  decisionFunction,
  fitStump,
  learnerWeight,
  predictStump,
  type Stump,
  trainAdaBoost,
  updateWeights,
  weightedError,
} from "./adaboost.ts";
import {
  allCloseEnough,
  closeEnough,
  isEquallyGoodModel,
  isEquallyGoodStump,
  stumpError,
} from "./precision.ts";

/** The least weighted error over every stump, by brute force in float64. */
function bestError64(X: number[][], y: number[], w: number[]): number {
  let best = Infinity;
  for (let feature = 0; feature < X[0].length; feature++) {
    for (const threshold of new Set(X.map((x) => x[feature]))) {
      for (const polarity of [1, -1] as const) {
        best = Math.min(best, stumpError({ feature, threshold, polarity }, { X, y, w }));
      }
    }
  }
  return best;
}

/** AdaBoost in float64 plain TypeScript, with the brute-force stump. */
function adaBoost64(X: number[][], y: number[], rounds: number) {
  let w = X.map(() => 1 / X.length);
  const stumps: Stump[] = [];
  const alphas: number[] = [];
  for (let m = 0; m < rounds; m++) {
    let best: Stump = { feature: 0, threshold: 0, polarity: 1 };
    let bestError = Infinity;
    for (let feature = 0; feature < X[0].length; feature++) {
      for (const threshold of new Set(X.map((x) => x[feature]))) {
        for (const polarity of [1, -1] as const) {
          const error = stumpError({ feature, threshold, polarity }, { X, y, w });
          if (error < bestError) [best, bestError] = [{ feature, threshold, polarity }, error];
        }
      }
    }
    const e = Math.min(Math.max(bestError, 1e-10), 1 - 1e-10);
    const alpha = 0.5 * Math.log((1 - e) / e);
    const raw = w.map((wi, i) => wi * Math.exp(-alpha * y[i] * predictStump(best, X[i])));
    const total = raw.reduce((s, r) => s + r, 0);
    w = raw.map((r) => r / total);
    stumps.push(best);
    alphas.push(alpha);
  }
  return { stumps, alphas };
}

const accuracy = (scores: number[], y: number[]) =>
  scores.filter((s, i) => (s > 0 ? 1 : -1) === y[i]).length / y.length;

backendTest("weightedError() and learnerWeight() give hand-computed values", async () => {
  assert.equal(await weightedError([1, 1, 2], [1, -1, 1], [1, 1, 1]), 0.25);
  assert.equal(await weightedError([0.5, 0.5], [1, -1], [1, -1]), 0);
  assert.ok(closeEnough("adaboost.learnerWeight", await learnerWeight(0.25), 0.5 * Math.log(3)));
  assert.equal(await learnerWeight(0.5), 0);
  // ε clamps to 1e-10 and 1 − 1e-10: α = ±½ ln(1e10 − 1) = ±11.5129
  const clamped = 0.5 * Math.log((1 - 1e-10) / 1e-10);
  assert.ok(closeEnough("adaboost.learnerWeight", await learnerWeight(0), clamped));
  assert.ok(closeEnough("adaboost.learnerWeight", await learnerWeight(1), -clamped));
});

backendTest("updateWeights() moves weight onto the mistakes and renormalises", async () => {
  // α = ½ ln 3: right ones shrink by √3, the wrong one grows by √3; sum = 2√3 / 4.
  const w = await updateWeights(
    [0.25, 0.25, 0.25, 0.25],
    [1, 1, -1, 1],
    [1, 1, -1, -1],
    0.5 * Math.log(3),
  );
  assert.ok(allCloseEnough("adaboost.updateWeights", w, [1 / 6, 1 / 6, 1 / 6, 1 / 2], 1 / 4));
  const rng = createRng("weights");
  const w0 = Array.from({ length: 50 }, () => rng.exponential(1));
  const pred = w0.map(() => (rng.uniform() < 0.5 ? 1 : -1));
  const y = w0.map(() => (rng.uniform() < 0.5 ? 1 : -1));
  const raw = w0.map((wi, i) => wi * Math.exp(-0.7 * y[i] * pred[i]));
  const total = raw.reduce((s, r) => s + r, 0);
  const expected = raw.map((r) => r / total);
  const result = await updateWeights(w0, pred, y, 0.7);
  assert.ok(allCloseEnough("adaboost.updateWeights", result, expected, 1 / 50));
});

backendTest("fitStump() finds a stump of least weighted error, as brute force does", async () => {
  for (const seed of ["a", "b", "c"]) {
    const { X, y } = resonanceSample(120, { seed });
    const rng = createRng(seed);
    const w = X.map(() => rng.exponential(1));
    const stump = await fitStump(X, y, w);
    const best = bestError64(X, y, w);
    assert.ok(isEquallyGoodStump(stump, { X, y, w }, best), `${JSON.stringify(stump)} vs ${best}`);
    assert.ok(Math.abs(stumpError(stump, { X, y, w }) - best) < 1e-12);
  }
});

backendTest("fitStump() cuts between values that float32 cannot tell apart", async () => {
  const stump = await fitStump([[1000], [1000.00001]], [-1, 1], [1, 1]);
  assert.deepEqual(stump, { feature: 0, threshold: 1000, polarity: 1 });
});

backendTest("fitStump() breaks ties by feature, then threshold, then polarity +1", async () => {
  const X = [[0, 0], [1, 1], [2, 2], [3, 3]];
  assert.deepEqual(await fitStump(X, [-1, -1, 1, 1], [1, 1, 1, 1]), {
    feature: 0,
    threshold: 1,
    polarity: 1,
  });
  assert.deepEqual(await fitStump(X, [1, 1, -1, -1], [1, 1, 1, 1]), {
    feature: 0,
    threshold: 1,
    polarity: -1,
  });
});

backendTest(
  "trainAdaBoost() is as accurate as float64 AdaBoost, judged on new events",
  async () => {
    const train = resonanceSample(200, { seed: "train" });
    const test = resonanceSample(400, { seed: "test" });
    const model = await trainAdaBoost(train.X, train.y, 8);
    const model64 = adaBoost64(train.X, train.y, 8);
    const scores = await decisionFunction(model, test.X);
    const scores64 = test.X.map((x) =>
      model64.stumps.reduce((s, stump, m) => s + model64.alphas[m] * predictStump(stump, x), 0)
    );
    assert.ok(isEquallyGoodModel("accuracy", accuracy(scores, test.y), accuracy(scores64, test.y)));
    assert.ok(accuracy(scores, test.y) > 0.85, `accuracy ${accuracy(scores, test.y)}`);
  },
);

backendTest("decisionFunction() sums αₘ hₘ(x) as float64 does", async () => {
  const { X } = resonanceSample(50, { seed: "scores" });
  const model = {
    stumps: [
      { feature: 0, threshold: 900, polarity: 1 as const },
      { feature: 2, threshold: 2, polarity: -1 as const },
      { feature: 1, threshold: 1.5, polarity: -1 as const },
    ],
    alphas: [0.9, 0.4, -0.25],
  };
  const expected = X.map((x) =>
    model.stumps.reduce((s, stump, m) => s + model.alphas[m] * predictStump(stump, x), 0)
  );
  const scale = model.alphas.reduce((s, a) => s + Math.abs(a), 0);
  const scores = await decisionFunction(model, X);
  assert.ok(allCloseEnough("adaboost.decisionFunction", scores, expected, scale));
  assert.deepEqual(await decisionFunction({ stumps: [], alphas: [] }, X.slice(0, 2)), [0, 0]);
});

backendTest("fitStump() ranks events again when their values change in place", async () => {
  const X = [[1, 9], [2, 8], [3, 7], [4, 6]];
  const y = [-1, -1, 1, 1];
  const w = [0.25, 0.25, 0.25, 0.25];
  assert.deepEqual(await fitStump(X, y, w), { feature: 0, threshold: 2, polarity: 1 });
  // The same array, reordered by the first feature: its kept ranking no longer holds.
  X[0][0] = 4;
  X[3][0] = 1;
  assert.deepEqual(await fitStump(X, y, w), await fitStump(structuredClone(X), y, w));
  assert.deepEqual(await fitStump(X, y, w), { feature: 1, threshold: 7, polarity: -1 });
});

backendTest("weightedError() and trainAdaBoost() reject bad arguments", async () => {
  await assert.rejects(() => weightedError([1], [1, 1], [1, 1]), /1 weights but 2 predictions/);
  await assert.rejects(() => trainAdaBoost([[1]], [1], -1), RangeError);
  await assert.rejects(() => fitStump([], [], []), RangeError);
});

backendTest("the batched forms give each input's own result, with fitStump()'s ties", async () => {
  const rng = createRng("many");
  const inputs = Array.from({ length: 12 }, (_, p) => {
    const n = 4 + rng.int(20);
    const d = 1 + rng.int(3);
    // Whole numbers in some inputs, to force tied values and tied stumps.
    const value = () => p % 3 === 0 ? rng.int(3) : Math.round(rng.normal(0, 1) * 100) / 100;
    const X = Array.from({ length: n }, () => Array.from({ length: d }, value));
    const y = X.map(() => (rng.uniform() < 0.5 ? 1 : -1));
    const w = X.map(() => p % 4 === 0 ? 1 / n : rng.uniform());
    const pred = y.map((label) => (rng.uniform() < 0.3 ? -label : label));
    return { X, y, w, pred, alpha: rng.between(-1, 2) };
  });
  const stumps = await adaboost.fitStumpMany(inputs);
  const errors = await adaboost.weightedErrorMany(inputs);
  const weights = await adaboost.updateWeightsMany(inputs);
  const alphas = await adaboost.learnerWeightMany([0, 1, ...errors]);
  assert.deepEqual(alphas.slice(0, 2), [await learnerWeight(0), await learnerWeight(1)]);
  const models = inputs.map(({ X }, i) => ({
    model: { stumps: [stumps[i], stumps[(i + 1) % 12]], alphas: [0.5, -1.25] },
    X,
  }));
  const scores = await adaboost.decisionFunctionMany(models);
  for (const [i, { X, y, w, pred, alpha }] of inputs.entries()) {
    assert.deepEqual(stumps[i], await fitStump(X, y, w));
    assert.ok(closeEnough("adaboost.weightedError", errors[i], await weightedError(w, pred, y)));
    assert.ok(closeEnough("adaboost.learnerWeight", alphas[i + 2], await learnerWeight(errors[i])));
    const one = await updateWeights(w, pred, y, alpha);
    assert.ok(
      one.every((v, k) => closeEnough("adaboost.updateWeights", weights[i][k], v, 1 / X.length)),
    );
    assert.equal(weights[i].length, one.length);
    assert.deepEqual(scores[i], await decisionFunction(models[i].model, X));
  }
  assert.deepEqual(
    await adaboost.decisionFunctionMany([{ model: { stumps: [], alphas: [] }, X: [[1]] }]),
    [[0]],
  );
});
