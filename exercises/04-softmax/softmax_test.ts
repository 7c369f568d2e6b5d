/**
 * Visible tests for softmax.ts. Run them with `deno task check 04-softmax`.
 *
 * The hand-computed numbers are the worked example of README.md: logits z = (1, 2, 3).
 *
 * @module
 */
import * as m from "./softmax.ts";
import {
  assertAllClose,
  assertClose,
  assertVector,
  callWithoutMutation,
  exported,
  fail,
  show,
} from "../../course/testing.ts";
import { processSample } from "../../fixtures/hep.ts";
import { createRng } from "../../fixtures/random.ts";

const FILE = "softmax.ts";

// The worked example: z = (1, 2, 3); shifted by the maximum, (−2, −1, 0).
const Z = [1, 2, 3];
const SUM = Math.exp(-2) + Math.exp(-1) + 1; // ≈ 1.5032
const P = [Math.exp(-2) / SUM, Math.exp(-1) / SUM, 1 / SUM]; // ≈ (0.0900, 0.2447, 0.6652)
const LSE = 3 + Math.log(SUM); // log Σ exp(zⱼ) ≈ 3.4076
const LOG_P = Z.map((z) => z - LSE); // ≈ (−2.4076, −1.4076, −0.4076)

/** Moderate logits for checks against the textbook formulas, which are fine at this size. */
function randomLogits(seed: string, count: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const k = 2 + rng.int(5);
    return Array.from({ length: k }, () => rng.normal(0, 3));
  });
}

/** log Σ exp(zⱼ), the textbook way: only for moderate logits. */
function naiveLogSumExp(z: number[]): number {
  return Math.log(z.reduce((sum, zj) => sum + Math.exp(zj), 0));
}

/** Three well-separated blobs in two features, with the intercept x[0] = 1 in front. */
function blobs(): { X: number[][]; labels: number[] } {
  const rng = createRng("04-softmax blobs");
  const centres = [[-2, 0], [2, 0], [0, 2.5]];
  const X: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const k = i % 3;
    X.push([1, rng.normal(centres[k][0], 0.5), rng.normal(centres[k][1], 0.5)]);
    labels.push(k);
  }
  return { X, labels };
}

/** Fails unless W has `classes` rows of `d` numbers, all finite. */
function assertWeights(
  W: unknown,
  what: string,
  classes: number,
  d: number,
): asserts W is number[][] {
  if (!Array.isArray(W) || W.length !== classes) {
    fail(`${what} returned ${show(W)}: expected an array of ${classes} rows, one per class`);
  }
  W.forEach((row, k) => {
    assertVector(row, `${what} (row ${k})`, d);
    if (!row.every(Number.isFinite)) fail(`${what} returned row ${k} = ${show(row)}: not finite`);
  });
}

/** The share of events whose largest logit W[k]·x is their own class. */
function accuracy(W: number[][], X: number[][], labels: number[]): number {
  const right = X.filter((x, i) => {
    const logits = W.map((wk) => wk.reduce((sum, wkj, j) => sum + wkj * x[j], 0));
    return logits.indexOf(Math.max(...logits)) === labels[i];
  });
  return right.length / X.length;
}

/** The mean cross-entropy of W on the events (weights of moderate size only). */
function meanLoss(W: number[][], X: number[][], labels: number[]): number {
  const total = X.reduce((sum, x, i) => {
    const logits = W.map((wk) => wk.reduce((acc, wkj, j) => acc + wkj * x[j], 0));
    return sum + naiveLogSumExp(logits) - logits[labels[i]];
  }, 0);
  return total / X.length;
}

/** W after `steps` steps of batch gradient descent on the mean cross-entropy, from W = 0. */
function batchSteps(
  X: number[][],
  labels: number[],
  classes: number,
  alpha: number,
  steps: number,
): number[][] {
  const W = Array.from({ length: classes }, () => new Array<number>(X[0].length).fill(0));
  for (let step = 0; step < steps; step++) {
    const grad = W.map((row) => row.map(() => 0));
    X.forEach((x, i) => {
      const logits = W.map((wk) => wk.reduce((acc, wkj, j) => acc + wkj * x[j], 0));
      const lse = naiveLogSumExp(logits);
      logits.forEach((zk, k) => {
        const error = Math.exp(zk - lse) - (k === labels[i] ? 1 : 0);
        x.forEach((xj, j) => grad[k][j] += (error * xj) / X.length);
      });
    });
    W.forEach((row, k) => row.forEach((_, j) => row[j] -= alpha * grad[k][j]));
  }
  return W;
}

Deno.test("softmax() matches the worked example", () => {
  const softmax = exported(m, "softmax", FILE);
  assertAllClose(softmax(Z), P, "softmax([1, 2, 3])");
  assertAllClose(softmax([0, 0]), [0.5, 0.5], "softmax([0, 0])");
  assertAllClose(softmax([Math.log(3), 0]), [0.75, 0.25], "softmax([ln 3, 0])");
  assertAllClose(softmax([4.2]), [1], "softmax([4.2])");
});

Deno.test("softmax() returns probabilities that sum to 1", () => {
  const softmax = exported(m, "softmax", FILE);
  for (const z of randomLogits("softmax sums", 10)) {
    const p = softmax(z);
    assertVector(p, `softmax(${show(z)})`, z.length);
    if (p.some((pk) => !(pk >= 0 && pk <= 1))) fail(`softmax(${show(z)}) returned ${show(p)}`);
    assertClose(p.reduce((a, b) => a + b, 0), 1, `the sum of softmax(${show(z)})`);
  }
});

Deno.test("softmax() stays finite for logits of ±1e4", () => {
  const softmax = exported(m, "softmax", FILE);
  const hint = ": subtract max(z) before exponentiating (exp(1e4) is Infinity)";
  const tied = 2 + Math.exp(-1); // softmax([0, 0, −1]) = (1, 1, e⁻¹) / (2 + e⁻¹)
  const cases: [number[], number[]][] = [
    [[1e4, 0, -1e4], [1, 0, 0]],
    [[1e4, 1e4], [0.5, 0.5]],
    [[-1e4, -1e4, -1e4 - 1], [1 / tied, 1 / tied, Math.exp(-1) / tied]],
    [[1e4 + 1, 1e4 + 2, 1e4 + 3], P],
  ];
  for (const [z, expected] of cases) {
    const p = softmax(z);
    assertVector(p, `softmax(${show(z)})`, z.length);
    if (!p.every(Number.isFinite)) fail(`softmax(${show(z)}) returned ${show(p)}${hint}`);
    assertAllClose(p, expected, `softmax(${show(z)})`, { rtol: 1e-4 });
  }
});

Deno.test("softmax() gives probability 0 to −Infinity logits", () => {
  const softmax = exported(m, "softmax", FILE);
  assertAllClose(softmax([-Infinity, 0, 0]), [0, 0.5, 0.5], "softmax([-Infinity, 0, 0])");
  assertAllClose(softmax([-Infinity, -1e4]), [0, 1], "softmax([-Infinity, -1e4])");
  assertAllClose(
    softmax([2, -Infinity, 1, 3]),
    [P[1], 0, P[0], P[2]],
    "softmax([2, -Infinity, 1, 3])",
  );
});

Deno.test("softmax() does not change when a constant is added to every logit", () => {
  const softmax = exported(m, "softmax", FILE);
  for (const z of randomLogits("softmax shift", 5)) {
    const p = softmax(z);
    for (const c of [-30, 50]) {
      const shifted = z.map((zk) => zk + c);
      assertAllClose(softmax(shifted), p, `softmax(${show(shifted)}) (z + ${c})`, { rtol: 1e-4 });
    }
  }
});

Deno.test("softmax() does not change its argument", () => {
  const softmax = exported(m, "softmax", FILE);
  callWithoutMutation("softmax", softmax, [3, 1, 2]);
});

Deno.test("logSoftmax() matches the worked example", () => {
  const logSoftmax = exported(m, "logSoftmax", FILE);
  assertAllClose(logSoftmax(Z), LOG_P, "logSoftmax([1, 2, 3])");
  assertAllClose(logSoftmax([0, 0]), [-Math.LN2, -Math.LN2], "logSoftmax([0, 0])");
  for (const z of randomLogits("logSoftmax", 5)) {
    const expected = z.map((zk) => zk - naiveLogSumExp(z));
    assertAllClose(logSoftmax(z), expected, `logSoftmax(${show(z)})`, { scale: 10 });
  }
});

Deno.test("logSoftmax() stays finite where softmax underflows to 0", () => {
  const logSoftmax = exported(m, "logSoftmax", FILE);
  const hint = "log(softmax(z)) is log(0) = -Infinity here: use z − log Σ exp(zⱼ), with the max";
  const cases: [number[], number[]][] = [
    [[0, -1000], [0, -1000]],
    [[1e4, 0, -1e4], [0, -1e4, -2e4]],
    [[-1e4, -1e4], [-Math.LN2, -Math.LN2]],
  ];
  for (const [z, expected] of cases) {
    const result = logSoftmax(z);
    assertVector(result, `logSoftmax(${show(z)})`, z.length);
    if (!result.every(Number.isFinite)) {
      fail(`logSoftmax(${show(z)}) returned ${show(result)}: ${hint}`);
    }
    const scale = Math.max(...z.map(Math.abs));
    assertAllClose(result, expected, `logSoftmax(${show(z)})`, { scale });
  }
});

Deno.test("logSoftmax() gives −Infinity to −Infinity logits and is right elsewhere", () => {
  const logSoftmax = exported(m, "logSoftmax", FILE);
  assertAllClose(
    logSoftmax([-Infinity, 0, 0]),
    [-Infinity, -Math.LN2, -Math.LN2],
    "logSoftmax([-Infinity, 0, 0])",
  );
});

Deno.test("logSoftmax() does not change its argument", () => {
  const logSoftmax = exported(m, "logSoftmax", FILE);
  callWithoutMutation("logSoftmax", logSoftmax, [3, 1, 2]);
});

Deno.test("crossEntropy() is −log softmax(z)[label] in the worked example", () => {
  const crossEntropy = exported(m, "crossEntropy", FILE);
  assertClose(crossEntropy(Z, 0), -LOG_P[0], "crossEntropy([1, 2, 3], 0)");
  assertClose(crossEntropy(Z, 1), -LOG_P[1], "crossEntropy([1, 2, 3], 1)");
  assertClose(crossEntropy(Z, 2), -LOG_P[2], "crossEntropy([1, 2, 3], 2)");
});

Deno.test("crossEntropy() equals log Σ exp(zⱼ) − z[label] for any label", () => {
  const crossEntropy = exported(m, "crossEntropy", FILE);
  for (const z of randomLogits("crossEntropy", 6)) {
    for (let label = 0; label < z.length; label++) {
      const expected = naiveLogSumExp(z) - z[label];
      assertClose(crossEntropy(z, label), expected, `crossEntropy(${show(z)}, ${label})`, {
        scale: 10,
      });
    }
  }
});

Deno.test("crossEntropy() stays finite for huge logits", () => {
  const crossEntropy = exported(m, "crossEntropy", FILE);
  const hint = " (compute it from the logits: log Σ exp(zⱼ − max) + max − z[label])";
  const cases: [number[], number, number][] = [
    [[1e4, 0], 1, 1e4],
    [[1e4, 0], 0, 0],
    [[0, -1000], 1, 1000],
    [[-1e4, -1e4], 0, Math.LN2],
  ];
  for (const [z, label, expected] of cases) {
    const loss = crossEntropy(z, label);
    if (typeof loss !== "number" || !Number.isFinite(loss)) {
      fail(
        `crossEntropy(${show(z)}, ${label}) returned ${show(loss)}, expected ${expected}${hint}`,
      );
    }
    assertClose(loss, expected, `crossEntropy(${show(z)}, ${label})`, { scale: 1e4 });
  }
});

Deno.test("crossEntropy() does not change its argument", () => {
  const crossEntropy = exported(m, "crossEntropy", FILE);
  callWithoutMutation("crossEntropy", crossEntropy, [3, 1, 2], 1);
});

Deno.test("crossEntropyGrad() is softmax(z) − onehot(label) in the worked example", () => {
  const crossEntropyGrad = exported(m, "crossEntropyGrad", FILE);
  assertAllClose(crossEntropyGrad(Z, 0), [P[0] - 1, P[1], P[2]], "crossEntropyGrad([1, 2, 3], 0)");
  assertAllClose(crossEntropyGrad(Z, 2), [P[0], P[1], P[2] - 1], "crossEntropyGrad([1, 2, 3], 2)");
});

Deno.test("crossEntropyGrad() sums to 0 and is negative only at the label", () => {
  const crossEntropyGrad = exported(m, "crossEntropyGrad", FILE);
  for (const z of randomLogits("crossEntropyGrad sums", 6)) {
    const label = z.length - 1;
    const g = crossEntropyGrad(z, label);
    const what = `crossEntropyGrad(${show(z)}, ${label})`;
    assertVector(g, what, z.length);
    assertClose(g.reduce((a, b) => a + b, 0), 0, `the sum of ${what}`);
    if (!(g[label] < 0) || g.some((gk, k) => k !== label && gk < 0)) {
      fail(`${what} returned ${show(g)}: only entry ${label} may be negative (softmax − onehot)`);
    }
  }
});

Deno.test("crossEntropyGrad() matches a central finite difference of the loss", () => {
  const crossEntropyGrad = exported(m, "crossEntropyGrad", FILE);
  const h = 1e-5;
  for (const z of randomLogits("crossEntropyGrad differences", 4)) {
    const label = 0;
    const loss = (v: number[]) => naiveLogSumExp(v) - v[label];
    const numeric = z.map((_, k) => {
      const up = z.map((zj, j) => (j === k ? zj + h : zj));
      const down = z.map((zj, j) => (j === k ? zj - h : zj));
      return (loss(up) - loss(down)) / (2 * h);
    });
    assertAllClose(crossEntropyGrad(z, label), numeric, `crossEntropyGrad(${show(z)}, 0)`, {
      rtol: 1e-4,
    });
  }
});

Deno.test("crossEntropyGrad() stays finite for huge logits", () => {
  const crossEntropyGrad = exported(m, "crossEntropyGrad", FILE);
  assertAllClose(
    crossEntropyGrad([1e4, 0, -1e4], 1),
    [1, -1, 0],
    "crossEntropyGrad([1e4, 0, -1e4], 1)",
  );
});

Deno.test("crossEntropyGrad() does not change its argument", () => {
  const crossEntropyGrad = exported(m, "crossEntropyGrad", FILE);
  callWithoutMutation("crossEntropyGrad", crossEntropyGrad, [3, 1, 2], 1);
});

Deno.test("trainSoftmaxRegression() returns `classes` rows, each as long as a feature vector", () => {
  const train = exported(m, "trainSoftmaxRegression", FILE);
  const { X, labels } = blobs();
  assertWeights(
    train(X, labels, 3, { alpha: 0.1, epochs: 5 }),
    "trainSoftmaxRegression(blobs, 3)",
    3,
    3,
  );
  assertWeights(
    train(X, labels, 4, { alpha: 0.1, epochs: 5 }),
    "trainSoftmaxRegression(blobs, 4)",
    4,
    3,
  );
});

Deno.test("trainSoftmaxRegression() separates well-separated classes with its default options", () => {
  const train = exported(m, "trainSoftmaxRegression", FILE);
  const { X, labels } = blobs();
  const W = train(X, labels, 3);
  assertWeights(W, "trainSoftmaxRegression(blobs, 3)", 3, 3);
  const acc = accuracy(W, X, labels);
  if (acc < 0.9) {
    fail(
      `trainSoftmaxRegression(blobs, 3) classifies ${acc * 100}% of three well-separated ` +
        `blobs correctly; expected at least 90%. Are the default alpha and epochs reasonable, ` +
        `and does each step go against the gradient?`,
    );
  }
});

Deno.test("trainSoftmaxRegression() with its default options trains as far as 80 batch steps of α = 0.5", () => {
  // The grader's bar for the defaults, which are yours to choose: within 0.1 nats of the
  // mean cross-entropy that 80 steps of batch gradient descent with α = 0.5 reach.
  const train = exported(m, "trainSoftmaxRegression", FILE);
  const { X, labels, classes } = processSample(24, { seed: "softmax-defaults" });
  const W = train(X, labels, classes.length);
  assertWeights(W, "trainSoftmaxRegression(processSample, 4)", classes.length, X[0].length);
  const loss = meanLoss(W, X, labels);
  const bar = meanLoss(batchSteps(X, labels, classes.length, 0.5, 80), X, labels) + 0.1;
  if (!(loss <= bar)) {
    fail(
      `trainSoftmaxRegression(processSample, 4) with its default options leaves a mean ` +
        `cross-entropy of ${loss.toFixed(3)} nats; 80 steps of batch gradient descent with ` +
        `α = 0.5 reach ${
          (bar - 0.1).toFixed(3)
        }, and the bar is 0.1 above that. Do the default alpha and epochs ` +
        `train far enough?`,
    );
  }
});

Deno.test("trainSoftmaxRegression() learns the four processes of processSample()", () => {
  const train = exported(m, "trainSoftmaxRegression", FILE);
  const { X, labels, classes } = processSample(80, { seed: "softmax-tests" });
  const W = train(X, labels, classes.length, { alpha: 0.1, epochs: 200 });
  assertWeights(
    W,
    "trainSoftmaxRegression(processSample, 4, { alpha: 0.1, epochs: 200 })",
    4,
    X[0].length,
  );
  const acc = accuracy(W, X, labels);
  if (acc < 0.6) {
    fail(
      `trainSoftmaxRegression(processSample, 4, { alpha: 0.1, epochs: 200 }) classifies ` +
        `${acc * 100}% of the events correctly (chance is 25%); expected at least 60%`,
    );
  }
});

Deno.test("trainSoftmaxRegression() lowers the loss with more epochs and a larger alpha", () => {
  const train = exported(m, "trainSoftmaxRegression", FILE);
  const { X, labels } = processSample(80, { seed: "softmax-tests" });
  const lossOf = (opts: { alpha: number; epochs: number }) => {
    const W = train(X, labels, 4, opts);
    assertWeights(W, `trainSoftmaxRegression(processSample, 4, ${show(opts)})`, 4, X[0].length);
    return meanLoss(W, X, labels);
  };
  const short = lossOf({ alpha: 0.01, epochs: 10 });
  const long = lossOf({ alpha: 0.01, epochs: 100 });
  if (!(long < short - 1e-3)) {
    fail(
      `The mean cross-entropy after 100 epochs (${long}) is not below the one after 10 ` +
        `epochs (${short}), with alpha 0.01. Does training use opts.epochs, and does each ` +
        `step go against the gradient (W[k] −= α · (softmax − onehot) · x)?`,
    );
  }
  const slow = lossOf({ alpha: 0.001, epochs: 20 });
  const fast = lossOf({ alpha: 0.01, epochs: 20 });
  if (!(fast < slow - 1e-3)) {
    fail(
      `The mean cross-entropy after 20 epochs with alpha 0.01 (${fast}) is not below the one ` +
        `with alpha 0.001 (${slow}). Does training use opts.alpha as its learning rate?`,
    );
  }
});

Deno.test("trainSoftmaxRegression() does not change its arguments", () => {
  const train = exported(m, "trainSoftmaxRegression", FILE);
  const { X, labels } = blobs();
  callWithoutMutation("trainSoftmaxRegression", train, X, labels, 3, { alpha: 0.1, epochs: 5 });
});

Deno.test("predictProba() is softmax(W x)", () => {
  const predictProba = exported(m, "predictProba", FILE);
  // Logits W x = (1·1 + 0·2, 0·1 + 1·2, 1·1 + 1·2) = (1, 2, 3): the worked example.
  assertAllClose(
    predictProba([[1, 0], [0, 1], [1, 1]], [1, 2]),
    P,
    "predictProba([[1, 0], [0, 1], [1, 1]], [1, 2])",
  );
  const rng = createRng("predictProba");
  for (let trial = 0; trial < 5; trial++) {
    const W = Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => rng.normal(0, 1)));
    const x = [1, rng.normal(0, 1), rng.normal(0, 1)];
    const z = W.map((wk) => wk.reduce((sum, wkj, j) => sum + wkj * x[j], 0));
    const expected = z.map((zk) => Math.exp(zk - naiveLogSumExp(z)));
    const p = predictProba(W, x);
    assertAllClose(p, expected, `predictProba(${show(W)}, ${show(x)})`);
    assertClose(p.reduce((a, b) => a + b, 0), 1, `the sum of predictProba(${show(W)}, ${show(x)})`);
  }
});

Deno.test("predictProba() stays finite for large weights", () => {
  const predictProba = exported(m, "predictProba", FILE);
  assertAllClose(
    predictProba([[0, 1000], [0, -1000]], [1, 20]),
    [1, 0],
    "predictProba([[0, 1000], [0, -1000]], [1, 20])",
  );
});

Deno.test("predictProba() does not change its arguments", () => {
  const predictProba = exported(m, "predictProba", FILE);
  callWithoutMutation("predictProba", predictProba, [[1, 0], [0, 1]], [1, 2]);
});
