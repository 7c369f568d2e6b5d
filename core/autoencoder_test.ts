import assert from "node:assert/strict";
import { anomalySample } from "../fixtures/hep.ts";
import { createRng } from "../fixtures/random.ts";
import { backendTest } from "./_backends.ts";
import { type DenseLayer, forward, reconstructionError, score, train } from "./autoencoder.ts";
import { auc } from "./metrics.ts";
import { allCloseEnough, closeEnough } from "./precision.ts";

const ACTIVATIONS64: Record<DenseLayer["activation"], (z: number) => number> = {
  relu: (z) => Math.max(0, z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  linear: (z) => z,
};

/** The forward pass in float64, unit by unit: a_j = f(Σ_k x_k W[k][j] + b_j). */
function forward64(layers: DenseLayer[], x: number[]): number[] {
  return layers.reduce(
    (a, { weights, bias, activation }) =>
      bias.map((b, j) =>
        ACTIVATIONS64[activation](a.reduce((z, ak, k) => z + ak * weights[k][j], b))
      ),
    x,
  );
}

const error64 = (x: number[], out: number[]) => x.reduce((s, xi, i) => s + (xi - out[i]) ** 2, 0);
const errorScale = (x: number[], out: number[]) =>
  x.reduce((s, xi, i) => s + (Math.abs(xi) + Math.abs(out[i])) ** 2, 0);

function randomLayers(sizes: number[], seed: string): DenseLayer[] {
  const rng = createRng(seed);
  const activations = ["tanh", "relu", "sigmoid", "linear"] as const;
  return sizes.slice(1).map((units, l) => ({
    weights: Array.from(
      { length: sizes[l] },
      () => Array.from({ length: units }, () => rng.normal(0, 0.7)),
    ),
    bias: Array.from({ length: units }, () => rng.normal(0, 0.3)),
    activation: activations[l % activations.length],
  }));
}

const sample = anomalySample({ seed: "core", background: 1000, mixture: 1000 });

backendTest("reconstructionError() sums squared differences, by hand and in float64", async () => {
  assert.equal(await reconstructionError([1, 2, 3], [1, 0, 4]), 5);
  const [x, y] = sample.mixture;
  const e = await reconstructionError(x, y);
  assert.ok(closeEnough("autoencoder.reconstructionError", e, error64(x, y), errorScale(x, y)));
  await assert.rejects(() => reconstructionError([1], [1, 2]), TypeError);
});

backendTest("forward() matches a float64 pass through every activation", async () => {
  const layers = randomLayers([6, 8, 3, 8, 6], "layers");
  for (const x of sample.mixture.slice(0, 10)) {
    const expected = forward64(layers, x);
    const scale = Math.max(1, ...expected.map(Math.abs));
    assert.ok(allCloseEnough("autoencoder.forward", await forward(layers, x), expected, scale));
  }
  await assert.rejects(() => forward(layers, [1, 2]), /Cannot run layer 0/);
});

backendTest("train() learns the background so that score() separates the signal", async () => {
  const model = await train(sample.background, { epochs: 10, seed: 1 });
  assert.deepEqual(model.map((layer) => layer.bias.length), [12, 2, 12, 6]);
  const scores = await score(model, sample.mixture);
  const area = auc(scores, sample.labels);
  assert.ok(area > 0.8, `AUC ${area}`);
  sample.mixture.slice(0, 20).forEach((x, i) => {
    const out = forward64(model, x);
    assert.ok(
      closeEnough(
        "autoencoder.reconstructionError",
        scores[i],
        error64(x, out),
        errorScale(x, out),
      ),
      `event ${i}: ${scores[i]} vs ${error64(x, out)}`,
    );
  });
  const again = await train(sample.background, { epochs: 10, seed: 1 });
  assert.deepEqual(again, model, "the same seed on the same backend gives the same network");
});
