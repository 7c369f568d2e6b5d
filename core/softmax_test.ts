import assert from "node:assert/strict";
import { processSample } from "../fixtures/hep.ts";
import { createRng } from "../fixtures/random.ts";
import { backendTest } from "./_backends.ts";
import { allCloseEnough, closeEnough, isEquallyGoodModel } from "./precision.ts";
import * as core from "./softmax.ts";
import {
  crossEntropy,
  crossEntropyGrad,
  evaluateSoftmax,
  logSoftmax,
  predictProba,
  softmax,
  trainSoftmaxRegression,
} from "./softmax.ts";

/** float64 log-softmax, written out independently: z − m − log Σ exp(z − m). */
function logSoftmax64(z: number[]): number[] {
  const m = Math.max(...z);
  const logSum = Math.log(z.reduce((s, zi) => s + Math.exp(zi - m), 0));
  return z.map((zi) => zi - m - logSum);
}

/** Softmax regression by batch gradient descent in float64, the reference's algorithm. */
function train64(X: number[][], labels: number[], K: number, alpha: number, epochs: number) {
  let W = Array.from({ length: K }, () => X[0].map(() => 0));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const step = W.map((row) => row.map(() => 0));
    X.forEach((x, i) => {
      const p = logSoftmax64(W.map((wk) => wk.reduce((s, wkj, j) => s + wkj * x[j], 0)))
        .map(Math.exp);
      p.forEach((pk, k) =>
        x.forEach((xj, j) => step[k][j] += (pk - (k === labels[i] ? 1 : 0)) * xj)
      );
    });
    W = W.map((wk, k) => wk.map((wkj, j) => wkj - (alpha / X.length) * step[k][j]));
  }
  return W;
}

function meanCrossEntropy64(W: number[][], X: number[][], labels: number[]): number {
  return X.reduce((s, x, i) => {
    const logP = logSoftmax64(W.map((wk) => wk.reduce((t, wkj, j) => t + wkj * x[j], 0)));
    return s - logP[labels[i]];
  }, 0) / X.length;
}

backendTest(
  "softmax() and logSoftmax() match float64 and stay finite for logits of ±1e4",
  async () => {
    assert.deepEqual(await softmax([1e4, 1e4, -Infinity]), [0.5, 0.5, 0]);
    const rng = createRng("logits");
    const cases = [
      [1, 2, 3],
      [1e4, -1e4, 0, 1e4 - 1],
      [-1e4, -1e4 + 2, -1e4 + 1],
      Array.from({ length: 10 }, () => rng.normal(0, 5)),
    ];
    for (const z of cases) {
      const expected = logSoftmax64(z);
      const scale = Math.max(1, ...z.map(Math.abs));
      assert.ok(allCloseEnough("softmax.logProbabilities", await logSoftmax(z), expected, scale));
      assert.ok(allCloseEnough("softmax.probabilities", await softmax(z), expected.map(Math.exp)));
    }
    assert.deepEqual(await logSoftmax([0, -Infinity]), [0, -Infinity]);
  },
);

backendTest("crossEntropy() and crossEntropyGrad() give hand-computed values", async () => {
  // Equal logits: −log(1/4) = ln 4; gradient ¼ − onehot.
  assert.ok(
    closeEnough("softmax.logProbabilities", await crossEntropy([0, 0, 0, 0], 2), Math.log(4)),
  );
  assert.ok(
    allCloseEnough("softmax.crossEntropyGrad", await crossEntropyGrad([0, 0, 0, 0], 2), [
      0.25,
      0.25,
      -0.75,
      0.25,
    ]),
  );
  // One class: probability 1, nothing to learn.
  assert.deepEqual(await crossEntropyGrad([3], 0), [0]);
  // From logits, a confident wrong answer costs its margin: ≈ 1e4, no overflow.
  const loss = await crossEntropy([1e4, 0], 1);
  assert.ok(closeEnough("softmax.logProbabilities", loss, 1e4, 1e4), `${loss}`);
});

backendTest("crossEntropyGrad() is the finite-difference gradient of crossEntropy()", async () => {
  const z = [0.3, -1.2, 2.0, 0.7];
  const f = (v: number[]) => -logSoftmax64(v)[1];
  const expected = z.map((_, j) => {
    const h = 1e-6;
    return (f(z.with(j, z[j] + h)) - f(z.with(j, z[j] - h))) / (2 * h);
  });
  assert.ok(allCloseEnough("softmax.crossEntropyGrad", await crossEntropyGrad(z, 1), expected));
});

backendTest("predictProba() is softmax(Wx)", async () => {
  const W = [[1, 0.5], [0, -1], [-1, 2]];
  const x = [1, 0.4];
  const expected = logSoftmax64(W.map((wk) => wk[0] * x[0] + wk[1] * x[1])).map(Math.exp);
  assert.ok(allCloseEnough("softmax.probabilities", await predictProba(W, x), expected));
});

backendTest("trainSoftmaxRegression() fits as well as float64 gradient descent", async () => {
  const train = processSample(200, { seed: "train" });
  const test = processSample(400, { seed: "test" });
  const W = await trainSoftmaxRegression(train.X, train.labels, 4, { alpha: 0.5, epochs: 100 });
  const W64 = train64(train.X, train.labels, 4, 0.5, 100);
  const { crossEntropy: loss, accuracy } = await evaluateSoftmax(W, test.X, test.labels);
  const loss64 = meanCrossEntropy64(W64, test.X, test.labels);
  assert.ok(Math.abs(loss - loss64) < 1e-3, `${loss} vs ${loss64}`);
  assert.ok(isEquallyGoodModel("crossEntropy", loss, loss64));
  assert.ok(accuracy > 0.6, `accuracy ${accuracy}`);
});

backendTest("softmax() and trainSoftmaxRegression() reject what they cannot use", async () => {
  await assert.rejects(() => softmax([-Infinity, -Infinity]), /no logit is finite/);
  await assert.rejects(() => crossEntropy([1, 2], 2), /label "2": expected 0…1/);
  await assert.rejects(() => trainSoftmaxRegression([[1, 2]], [3], 2), RangeError);
});

backendTest("the batched forms give each input's own result, whatever the sizes", async () => {
  const zs = [[0, 0], [1e4, 1e4 - 2, -Infinity, 3], [-1e4, -1e4 + 0.5, 2]];
  const labelled = zs.map((z, i) => ({ z, label: [1, 0, 2][i] }));
  const many = {
    softmax: await core.softmaxMany(zs),
    logSoftmax: await core.logSoftmaxMany(zs),
    crossEntropy: await core.crossEntropyMany(labelled),
    crossEntropyGrad: await core.crossEntropyGradMany(labelled),
  };
  for (const [i, z] of zs.entries()) {
    assert.deepEqual(many.softmax[i], await core.softmax(z));
    assert.deepEqual(many.logSoftmax[i], await core.logSoftmax(z));
    assert.ok(
      closeEnough(
        "softmax.logProbabilities",
        many.crossEntropy[i],
        await core.crossEntropy(z, labelled[i].label),
        1e4,
      ),
    );
    assert.ok(
      allCloseEnough(
        "softmax.crossEntropyGrad",
        many.crossEntropyGrad[i],
        await core.crossEntropyGrad(z, labelled[i].label),
      ),
    );
  }
  const pairs = [{ W: [[1, 2], [3, 4], [0, 1]], x: [1, 0.5] }, {
    W: [[1, 2, 3], [0, 0, 1]],
    x: [1, 1, -1],
  }];
  const probabilities = await core.predictProbaMany(pairs);
  for (const [i, { W, x }] of pairs.entries()) {
    assert.ok(
      allCloseEnough("softmax.probabilities", probabilities[i], await core.predictProba(W, x)),
    );
  }
  const a = processSample(60, { seed: "many-a" });
  const b = processSample(30, { seed: "many-b" });
  const problems = [
    { X: a.X, labels: a.labels, classes: a.classes.length, opts: { alpha: 0.5, epochs: 40 } },
    {
      X: b.X.map((x) => x.slice(0, 3)),
      labels: b.labels.map((l) => l % 2),
      classes: 2,
      opts: { alpha: 0.5, epochs: 40 },
    },
    { X: b.X, labels: b.labels, classes: b.classes.length, opts: { alpha: 0.05, epochs: 7 } },
  ];
  const Ws = await core.trainSoftmaxRegressionMany(problems);
  const evaluations = await core.evaluateSoftmaxMany(
    problems.map((p, i) => ({ W: Ws[i], X: p.X, labels: p.labels })),
  );
  for (const [i, { X, labels, classes, opts }] of problems.entries()) {
    const W = await core.trainSoftmaxRegression(X, labels, classes, opts);
    assert.deepEqual([Ws[i].length, Ws[i][0].length], [W.length, W[0].length]);
    assert.ok(allCloseEnough("softmax.probabilities", Ws[i].flat(), W.flat(), 10));
    const one = await core.evaluateSoftmax(W, X, labels);
    assert.ok(Math.abs(evaluations[i].accuracy - one.accuracy) <= 1 / X.length);
    assert.ok(Math.abs(evaluations[i].crossEntropy - one.crossEntropy) <= 1e-4);
  }
});

backendTest("predictProba() and the training reject shapes that do not fit", async () => {
  await assert.rejects(() => core.predictProba([], [1]), /softmax\(Wx\) of no classes/);
  await assert.rejects(
    () => core.trainSoftmaxRegression([[1, 2], [1]], [0, 1], 2),
    /event 1 of 1 features: event 0 has 2/,
  );
  await assert.rejects(
    () => core.evaluateSoftmax([[1, 2], [3, 4]], [[1, 2, 3]], [0]),
    /class 0 has 2 weights but x has 3/,
  );
});
