import assert from "node:assert/strict";
import * as core from "../../../core/softmax.ts";
import { allCloseEnough, closeEnough, isEquallyGoodModel } from "../../../core/precision.ts";
import { exerciseById } from "../../../course/metadata.ts";
import { processSample } from "../../../fixtures/hep.ts";
import { createRng, type Rng } from "../../../fixtures/random.ts";
import { offeredDriver } from "../driver_registry.ts";
import { withBuiltInsPatched } from "./_patched_builtins.ts";
import { STAND_INS } from "./softmax.ts";

type Options = { alpha?: number; epochs?: number };

const fns = offeredDriver("softmax")!({});
const softmax = fns["standIn:softmax"] as (z: number[]) => number[];
const logSoftmax = fns["standIn:logSoftmax"] as (z: number[]) => number[];
const crossEntropy = fns["standIn:crossEntropy"] as (z: number[], label: number) => number;
const crossEntropyGrad = fns["standIn:crossEntropyGrad"] as (
  z: number[],
  label: number,
) => number[];
const trainSoftmaxRegression = fns["standIn:trainSoftmaxRegression"] as (
  X: number[][],
  labels: number[],
  classes: number,
  opts?: Options,
) => number[][];
const predictProba = fns["standIn:predictProba"] as (W: number[][], x: number[]) => number[];

/** Multiples of 1/8 are exact in float32, so the core agrees with float64 to a few ulps. */
const eighth = (x: number) => Math.round(x * 8) / 8;

const randomLogits = (rng: Rng, K: number, sd = 3) =>
  Array.from({ length: K }, () => eighth(rng.normal(0, sd)));

/** The scale of `softmax.logProbabilities`: max(1, the largest finite |zₖ|). */
const logitScale = (z: readonly number[]) =>
  Math.max(1, ...z.filter(Number.isFinite).map(Math.abs));

/** Logits of every kind the hidden suite draws: random, ±1e4, underflowing, −Infinity, shifted. */
function logitSets(seed: string): number[][] {
  const rng = createRng(seed);
  const huge = (K: number) => {
    const z = Array.from(
      { length: K },
      () => (rng.uniform() < 0.5 ? 1 : -1) * (1e4 - eighth(rng.between(0, 4))),
    );
    z[rng.int(K)] = 1e4;
    return z;
  };
  const base = randomLogits(rng, 4);
  return [
    ...Array.from({ length: 6 }, () => randomLogits(rng, 2 + rng.int(5))),
    huge(3),
    huge(4),
    [1e4, 1e4 - eighth(rng.between(0.5, 3)), 1e4 - eighth(rng.between(0.5, 3))],
    [-1e4, -1e4 + eighth(rng.between(0.5, 3)), -1e4 + eighth(rng.between(0.5, 3))],
    [1e4, 0, -1e4],
    [-1e4, -1e4],
    ...Array.from({ length: 3 }, () =>
      rng.shuffle([
        eighth(rng.normal(0, 2)),
        eighth(rng.normal(0, 2)),
        -Math.round(rng.between(800, 1200)),
        -Math.round(rng.between(800, 1200)),
      ])),
    ...Array.from({ length: 3 }, () => {
      const z = randomLogits(rng, 4);
      z[rng.int(4)] = -Infinity;
      return z;
    }),
    [-Infinity, 2.5, -Infinity, -Infinity],
    base,
    base.map((zk) => zk + 900),
    base.map((zk) => zk - 900),
  ];
}

/** Events [1, x₁, x₂] around K well-separated centres on a circle. */
function blobs(rng: Rng, K: number, perClass: number) {
  const labels = rng.shuffle(Array.from({ length: K * perClass }, (_, i) => i % K));
  const X = labels.map((label) => {
    const angle = (2 * Math.PI * label) / K;
    return [
      1,
      eighth(3 * Math.cos(angle) + rng.normal(0, 0.6)),
      eighth(3 * Math.sin(angle) + rng.normal(0, 0.6)),
    ];
  });
  return { X, labels, classes: K };
}

function processData(n: number, seed: string) {
  const { X, labels, classes } = processSample(n, { seed });
  return { X, labels, classes: classes.length };
}

Deno.test("STAND_INS lists the graded exports of 04-softmax, in the order of its groups", () => {
  assert.deepEqual([...STAND_INS], exerciseById("04-softmax").groups.map((g) => g.symbol));
  assert.deepEqual(Object.keys(fns), [
    ...STAND_INS.map((name) => `standIn:${name}`),
    "withholding:crossEntropy",
  ]);
});

Deno.test("withholding:crossEntropy answers nothing, whatever it is asked", () => {
  const withheld = fns["withholding:crossEntropy"] as (z: number[], label: number) => number;
  assert.throws(() => withheld([1, 2, 3], 0), /crossEntropy\(\) is withheld in this test/);
});

Deno.test("softmax.ts exports nothing but STAND_INS", async () => {
  assert.deepEqual(Object.keys(await import("./softmax.ts")), ["STAND_INS"]);
});

Deno.test("stand-ins reproduce the README's worked example", () => {
  const near = (actual: number[], expected: number[]) =>
    assert.ok(actual.every((a, k) => Math.abs(a - expected[k]) < 5e-5), `${actual}`);
  const z = [1, 2, 3];
  near(softmax(z), [0.0900, 0.2447, 0.6652]);
  near(logSoftmax(z), [-2.4076, -1.4076, -0.4076]);
  near([crossEntropy(z, 0), crossEntropy(z, 2)], [2.4076, 0.4076]);
  near(crossEntropyGrad(z, 0), [-0.9100, 0.2447, 0.6652]);
  assert.deepEqual(predictProba([[1, 0], [0, 1], [1, 1]], [1, 2]), softmax(z));
});

Deno.test("softmax() and logSoftmax() stand-ins agree with core/softmax.ts, logits of ±1e4 and −Infinity included", async () => {
  const zs = logitSets("softmax values");
  const [probabilities, logProbabilities] = await Promise.all([
    core.softmaxMany(zs),
    core.logSoftmaxMany(zs),
  ]);
  zs.forEach((z, i) => {
    const p = softmax(z);
    assert.ok(
      allCloseEnough("softmax.probabilities", p, probabilities[i]),
      `softmax([${z}]) = [${p}], the core gives [${probabilities[i]}]`,
    );
    const logP = logSoftmax(z);
    assert.ok(
      allCloseEnough("softmax.logProbabilities", logP, logProbabilities[i], logitScale(z)),
      `logSoftmax([${z}]) = [${logP}], the core gives [${logProbabilities[i]}]`,
    );
    z.forEach((zk, k) => {
      assert.equal(p[k] === 0 && zk === -Infinity, zk === -Infinity);
      assert.equal(Number.isFinite(logP[k]), Number.isFinite(zk));
    });
  });
  assert.deepEqual(softmax([1e4, 0, -1e4]), [1, 0, 0]);
  assert.deepEqual(softmax([-1e4, -1e4]), [0.5, 0.5]);
  assert.deepEqual(softmax([1e4, 1e4, -Infinity]), [0.5, 0.5, 0]);
  assert.equal(logSoftmax([0, -1000])[1], -1000);
});

Deno.test("crossEntropy() and crossEntropyGrad() stand-ins agree with core/softmax.ts for every label", async () => {
  const inputs = logitSets("softmax losses").flatMap((z) =>
    z.flatMap((zk, label) => (Number.isFinite(zk) ? [{ z, label }] : []))
  );
  const [losses, gradients] = await Promise.all([
    core.crossEntropyMany(inputs),
    core.crossEntropyGradMany(inputs),
  ]);
  inputs.forEach(({ z, label }, i) => {
    const loss = crossEntropy(z, label);
    assert.ok(
      closeEnough("softmax.logProbabilities", loss, losses[i], logitScale(z)),
      `crossEntropy([${z}], ${label}) = ${loss}, the core gives ${losses[i]}`,
    );
    const g = crossEntropyGrad(z, label);
    assert.ok(
      allCloseEnough("softmax.crossEntropyGrad", g, gradients[i]),
      `crossEntropyGrad([${z}], ${label}) = [${g}], the core gives [${gradients[i]}]`,
    );
    assert.ok(g[label] <= 0 && g.every((gk, k) => k === label || gk >= 0));
    assert.ok(Math.abs(g.reduce((a, b) => a + b, 0)) < 1e-12);
  });
  assert.equal(crossEntropy([0, -Infinity], 1), Infinity);
  assert.equal(crossEntropy([1e4, -1e4], 1), 2e4);
});

Deno.test("predictProba() stand-in agrees with core/softmax.ts when classes and features differ in number", async () => {
  const rng = createRng("softmax predictProba");
  const pair = (K: number, d: number) => ({
    W: Array.from({ length: K }, () => Array.from({ length: d }, () => eighth(rng.normal(0, 1)))),
    x: [1, ...Array.from({ length: d - 1 }, () => eighth(rng.normal(0, 1)))],
  });
  const inputs = [
    ...Array.from({ length: 5 }, () => pair(2 + rng.int(4), 2 + rng.int(4))),
    pair(5, 3),
    pair(2, 5),
    pair(1, 1),
  ];
  const expected = await core.predictProbaMany(inputs);
  inputs.forEach(({ W, x }, i) => {
    const p = predictProba(W, x);
    assert.ok(
      allCloseEnough("softmax.probabilities", p, expected[i]),
      `predictProba() of input ${i} = [${p}], the core gives [${expected[i]}]`,
    );
  });
});

/** The mean cross-entropy and accuracy that W reaches on the data, as the suite measures them. */
const evaluate = (W: number[][], data: { X: number[][]; labels: number[] }) =>
  core.evaluateSoftmax(W, data.X, data.labels);

Deno.test("trainSoftmaxRegression() stand-in trains as well as core/softmax.ts with explicit options", async () => {
  const rng = createRng("softmax training");
  const problems = [
    { data: blobs(rng, 3, 30), opts: { alpha: 0.05, epochs: 20 } },
    { data: blobs(rng, 4, 10), opts: { alpha: 0.02, epochs: 20 } },
    { data: processData(60, "driver-1"), opts: { alpha: 0.02, epochs: 20 } },
    { data: processData(60, "driver-2"), opts: { alpha: 0.5, epochs: 80 } },
  ];
  const references = await core.trainSoftmaxRegressionMany(
    problems.map(({ data, opts }) => ({ ...data, opts })),
  );
  for (const [i, { data, opts }] of problems.entries()) {
    const W = trainSoftmaxRegression(data.X, data.labels, data.classes, opts);
    assert.equal(W.length, data.classes);
    assert.ok(W.every((row) => row.length === data.X[0].length));
    const trained = await evaluate(W, data);
    const reference = await evaluate(references[i], data);
    assert.ok(isEquallyGoodModel("accuracy", trained.accuracy, reference.accuracy), `problem ${i}`);
    assert.ok(
      isEquallyGoodModel("crossEntropy", trained.crossEntropy, reference.crossEntropy),
      `problem ${i}: ${trained.crossEntropy} nats, the core reaches ${reference.crossEntropy}`,
    );
  }
});

Deno.test("trainSoftmaxRegression() stand-in's defaults are the solution's and pass the suite's bar", async () => {
  const rng = createRng("softmax defaults");
  for (const data of [blobs(rng, 3, 6), blobs(rng, 4, 6), processData(24, "driver-defaults")]) {
    const W = trainSoftmaxRegression(data.X, data.labels, data.classes);
    assert.deepEqual(W, trainSoftmaxRegression(data.X, data.labels, data.classes, {}));
    assert.deepEqual(
      W,
      trainSoftmaxRegression(data.X, data.labels, data.classes, { alpha: 0.5, epochs: 200 }),
    );
    // The suite's bar for defaults: within 0.1 nats of 80 batch steps of α = 0.5.
    const reference = await core.trainSoftmaxRegression(data.X, data.labels, data.classes, {
      alpha: 0.5,
      epochs: 80,
    });
    const trained = (await evaluate(W, data)).crossEntropy;
    const bar = (await evaluate(reference, data)).crossEntropy;
    assert.ok(isEquallyGoodModel("crossEntropy", trained, bar, 0.1), `${trained} > ${bar} + 0.1`);
  }
});

Deno.test("trainSoftmaxRegression() stand-in lowers the loss with more epochs or a larger alpha", async () => {
  const data = processData(24, "driver-budgets");
  const loss = async (opts: Options) =>
    (await evaluate(trainSoftmaxRegression(data.X, data.labels, data.classes, opts), data))
      .crossEntropy;
  const base = await loss({ alpha: 0.005, epochs: 20 });
  assert.ok((await loss({ alpha: 0.005, epochs: 80 })) < base - 1e-3);
  assert.ok((await loss({ alpha: 0.02, epochs: 20 })) < base - 1e-3);
  const untrained = trainSoftmaxRegression(data.X, data.labels, 6, { epochs: 0 });
  assert.deepEqual(untrained, Array.from({ length: 6 }, () => Array(data.X[0].length).fill(0)));
});

Deno.test("stand-ins refuse malformed input: TypeError for shapes, RangeError for values", () => {
  assert.throws(() => softmax([]), RangeError);
  assert.throws(() => softmax([-Infinity, -Infinity]), RangeError);
  assert.throws(() => logSoftmax([NaN]), RangeError);
  assert.throws(() => softmax("123" as never), TypeError);
  assert.throws(() => crossEntropy([1, 2], 2), RangeError);
  assert.throws(() => crossEntropy([1, 2], 0.5), RangeError);
  assert.throws(() => crossEntropyGrad([1, 2], -1), RangeError);
  assert.throws(() => crossEntropyGrad([1, 2], "1" as never), TypeError);
  assert.throws(() => predictProba([[1, 2], [3]], [1, 2]), TypeError);
  assert.throws(() => predictProba([], [1, 2]), RangeError);
  const X = [[1, 0], [1, 1]];
  assert.throws(() => trainSoftmaxRegression(X, [0], 2), TypeError);
  assert.throws(() => trainSoftmaxRegression([[1, 0], [1]], [0, 1], 2), TypeError);
  assert.throws(() => trainSoftmaxRegression(X, [0, 2], 2), RangeError);
  assert.throws(() => trainSoftmaxRegression([], [], 2), RangeError);
  assert.throws(() => trainSoftmaxRegression(X, [0, 1], 0), RangeError);
  assert.throws(() => trainSoftmaxRegression(X, [0, 1], 2, { epochs: 2.5 }), RangeError);
  assert.throws(() => trainSoftmaxRegression(X, [0, 1], 2, { alpha: "0.1" as never }), TypeError);
});

Deno.test("stand-ins leave their inputs unchanged and return fresh arrays", () => {
  const rng = createRng("softmax mutation");
  const z = [...randomLogits(rng, 4), -Infinity];
  const data = blobs(rng, 3, 5);
  const W = [[0.5, -1, 2], [1, 0.25, -0.5], [0, 0, 1]];
  const opts = { alpha: 0.1, epochs: 5 };
  const inputs = { z, data, W, opts };
  const before = structuredClone(inputs);
  const results = [
    softmax(z),
    logSoftmax(z),
    crossEntropyGrad(z, 1),
    predictProba(W, data.X[0]),
    ...trainSoftmaxRegression(data.X, data.labels, data.classes, opts),
  ];
  crossEntropy(z, 2);
  assert.deepEqual(inputs, before);
  for (const result of results) {
    assert.equal(Object.getPrototypeOf(result), Array.prototype);
    assert.ok(![z, W, ...W, data.X, ...data.X, data.labels].includes(result));
  }
  assert.notEqual(softmax(z), softmax(z));
});

Deno.test("stand-ins read typed arrays as they read arrays", () => {
  const z = [0.5, -2, 3.25, -Infinity];
  const f64 = (v: number[]) => Float64Array.from(v) as unknown as number[];
  assert.deepEqual(softmax(f64(z)), softmax(z));
  assert.deepEqual(logSoftmax(f64(z)), logSoftmax(z));
  assert.equal(crossEntropy(f64(z), 1), crossEntropy(z, 1));
  assert.deepEqual(crossEntropyGrad(f64(z), 0), crossEntropyGrad(z, 0));
  const W = [[0.5, -1], [1, 0.25]];
  assert.deepEqual(predictProba(W.map(f64), f64([1, 2])), predictProba(W, [1, 2]));
  const data = blobs(createRng("softmax typed"), 3, 4);
  assert.deepEqual(
    trainSoftmaxRegression(data.X.map(f64), f64(data.labels), 3, { epochs: 5 }),
    trainSoftmaxRegression(data.X, data.labels, 3, { epochs: 5 }),
  );
});

Deno.test("stand-ins compute the same after student code patches Math and Array.prototype", () => {
  const z = [1e4, 1e4 - 2.5, -Infinity, -1e4];
  const data = blobs(createRng("softmax hostile"), 3, 4);
  const W = [[0.5, -1, 2], [1, 0.25, -0.5]];
  const run = () => [
    softmax(z),
    logSoftmax(z),
    [crossEntropy(z, 1)],
    crossEntropyGrad(z, 0),
    predictProba(W, data.X[0]),
    trainSoftmaxRegression(data.X, data.labels, 3, { alpha: 0.3, epochs: 10 }),
  ];
  const expected = run();
  assert.deepEqual(withBuiltInsPatched(run), expected);
});
