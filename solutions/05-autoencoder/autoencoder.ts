/**
 * Reference solution of 05-autoencoder: an autoencoder's reconstruction error as an
 * anomaly score.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** One fully connected layer: z = x·W + b, then the activation, unit by unit. */
export interface DenseLayer {
  /** The kernel W, indexed [input][unit] as in a tfjs Dense layer. */
  weights: number[][];
  /** The bias b, one per unit. */
  bias: number[];
  /** The activation applied to z. */
  activation: "relu" | "sigmoid" | "tanh" | "linear";
}

/**
 * The reconstruction error E = Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)².
 *
 * @param input The event fed to the network.
 * @param output The network's reconstruction of it.
 * @returns The sum of the squared differences.
 */
export function reconstructionError(input: number[], output: number[]): number {
  let sum = 0;
  for (let i = 0; i < input.length; i++) sum += (input[i] - output[i]) ** 2;
  return sum;
}

const ACTIVATIONS: Record<DenseLayer["activation"], (z: number) => number> = {
  relu: (z) => Math.max(0, z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
  tanh: Math.tanh,
  linear: (z) => z,
};

/**
 * Passes one event through a stack of dense layers.
 *
 * @param layers The layers, input side first.
 * @param x The event.
 * @returns The last layer's output.
 */
export function forward(layers: DenseLayer[], x: number[]): number[] {
  let a = x;
  for (const { weights, bias, activation } of layers) {
    const f = ACTIVATIONS[activation];
    // Unit j sums over the inputs: z_j = Σ_k a_k W[k][j] + b_j.
    a = bias.map((b, j) => f(a.reduce((z, ak, k) => z + ak * weights[k][j], b)));
  }
  return a;
}

/**
 * Trains an autoencoder on background-only events.
 *
 * @param background The training events (standardised features).
 * @param opts `epochs` (passes over the data) `@default {30}` and `seed`, which fixes the
 *   initial weights `@default {0}`.
 * @returns The trained network as plain dense layers, ready for {@linkcode score}.
 */
export async function train(
  background: number[][],
  opts: { epochs?: number; seed?: number } = {},
): Promise<unknown> {
  const { epochs = 30, seed = 0 } = opts;
  const features = background[0].length;
  const dense = (units: number, activation: DenseLayer["activation"], layer: number) =>
    tf.layers.dense({
      units,
      activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + layer }),
      ...(layer === 0 ? { inputShape: [features] } : {}),
    });
  // The bottleneck (2 units, fewer than the features) forces the network to learn the
  // background's correlations; events that break them reconstruct badly.
  const model = tf.sequential({
    layers: [
      dense(12, "tanh", 0),
      dense(2, "linear", 1),
      dense(12, "tanh", 2),
      dense(features, "linear", 3),
    ],
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: "meanSquaredError" });
  const x = tf.tensor2d(background);
  try {
    // The events arrive in random order, so an unshuffled fit stays reproducible.
    await model.fit(x, x, { epochs, batchSize: 64, shuffle: false, verbose: 0 });
    return model.layers.map((layer): DenseLayer => {
      const [kernel, bias] = layer.getWeights();
      return {
        weights: kernel.arraySync() as number[][],
        bias: bias.arraySync() as number[],
        activation: layer.getConfig().activation as DenseLayer["activation"],
      };
    });
  } finally {
    x.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Scores events by how badly the trained autoencoder reconstructs them.
 *
 * @param model What {@linkcode train} returned.
 * @param events The events to score.
 * @returns One reconstruction error per event: higher is more anomalous.
 */
export function score(model: unknown, events: number[][]): Promise<number[]> {
  const layers = model as DenseLayer[];
  return Promise.resolve(events.map((x) => reconstructionError(x, forward(layers, x))));
}
