/**
 * Reference autoencoder (exercise 05-autoencoder), in tensors: the reconstruction error
 * E = Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)², a forward pass through dense layers, and an autoencoder trained
 * on background only, whose reconstruction error scores how anomalous an event is.
 *
 * The network squeezes the events through a bottleneck narrower than the features, so it
 * can only learn the background's correlations; events that break them reconstruct badly.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { scalarOf, vectorOf } from "./_tensors.ts";
import { coreReady } from "./backend.ts";

/** One fully connected layer: a = activation(x·W + b). */
export interface DenseLayer {
  /** The kernel W, indexed [input][unit] as in a tfjs Dense layer. */
  weights: number[][];
  /** The bias b, one per unit. */
  bias: number[];
  /** The activation applied unit by unit. */
  activation: "relu" | "sigmoid" | "tanh" | "linear";
}

/** Options of {@linkcode train}. */
export interface AutoencoderOptions {
  /**
   * Passes over the background.
   *
   * @default {30}
   */
  epochs?: number;
  /**
   * Fixes the initial weights.
   *
   * @default {0}
   */
  seed?: number;
}

/** The layer sizes between input and output, and their activations. */
const HIDDEN: readonly [number, DenseLayer["activation"]][] = [
  [12, "tanh"],
  [2, "linear"],
  [12, "tanh"],
];

const ACTIVATIONS: Record<DenseLayer["activation"], (z: tf.Tensor) => tf.Tensor> = {
  relu: (z) => tf.relu(z),
  sigmoid: (z) => tf.sigmoid(z),
  tanh: (z) => tf.tanh(z),
  linear: (z) => z,
};

function checkLayers(layers: DenseLayer[], inputs: number): void {
  let width = inputs;
  layers.forEach((layer, l) => {
    if (
      layer.weights.length !== width || layer.weights.some((r) => r.length !== layer.bias.length)
    ) {
      throw new TypeError(
        `Cannot run layer ${l}: expected weights of ${width} × ${layer.bias.length}`,
      );
    }
    if (!(layer.activation in ACTIVATIONS)) {
      throw new RangeError(`Cannot run layer ${l}: unknown activation "${layer.activation}"`);
    }
    width = layer.bias.length;
  });
}

/** The network's output for a batch of events, shape [events, outputs]. */
function forwardTensor(layers: DenseLayer[], x: tf.Tensor2D): tf.Tensor2D {
  return layers.reduce(
    (a, { weights, bias, activation }) =>
      ACTIVATIONS[activation](
        tf.add(tf.matMul(a, tf.tensor2d(weights, [weights.length, bias.length])), bias),
      ) as tf.Tensor2D,
    x,
  );
}

/**
 * The reconstruction error E = Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)².
 *
 * @param input The event.
 * @param output Its reconstruction.
 * @returns E.
 * @throws {TypeError} If the lengths differ.
 *
 * @example
 * ```ts
 * import { reconstructionError } from "./autoencoder.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await reconstructionError([1, 2, 3], [1, 0, 4]), 5);
 * ```
 */
export async function reconstructionError(input: number[], output: number[]): Promise<number> {
  if (input.length !== output.length) {
    throw new TypeError(
      `Cannot compare an input of ${input.length} with an output of ${output.length}`,
    );
  }
  return await scalarOf(() =>
    tf.sum(tf.squaredDifference(tf.tensor1d(input), tf.tensor1d(output)))
  );
}

/**
 * One event through a stack of dense layers.
 *
 * @param layers The layers, input side first.
 * @param x The event.
 * @returns The last layer's output.
 * @throws {TypeError} If the layers' shapes do not chain from x.
 * @throws {RangeError} If an activation is unknown.
 */
export async function forward(layers: DenseLayer[], x: number[]): Promise<number[]> {
  checkLayers(layers, x.length);
  return await vectorOf(() => forwardTensor(layers, tf.tensor2d([x])));
}

/**
 * Trains an autoencoder d → 12 (tanh) → 2 → 12 (tanh) → d on background events: Adam
 * with learning rate 0.01 on the mean squared reconstruction error, batches of 64 in the
 * events' own order, Glorot-uniform initial weights seeded from `seed`.
 *
 * @param background Background-only events, standardised features.
 * @param opts `epochs` and `seed`.
 * @returns The trained network as plain dense layers.
 * @throws {RangeError} If there are no events.
 */
export async function train(
  background: number[][],
  opts: AutoencoderOptions = {},
): Promise<DenseLayer[]> {
  const { epochs = 30, seed = 0 } = opts;
  if (background.length === 0) throw new RangeError("Cannot train an autoencoder on no events");
  await coreReady();
  const features = background[0].length;
  const sizes: [number, DenseLayer["activation"]][] = [...HIDDEN, [features, "linear"]];
  const model = tf.sequential({
    layers: sizes.map(([units, activation], l) =>
      tf.layers.dense({
        units,
        activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + l }),
        ...(l === 0 ? { inputShape: [features] } : {}),
      })
    ),
  });
  const optimizer = tf.train.adam(0.01);
  model.compile({ optimizer, loss: "meanSquaredError" });
  const x = tf.tensor2d(background);
  try {
    await model.fit(x, x, { epochs, batchSize: 64, shuffle: false, verbose: 0 });
    return await Promise.all(model.layers.map(async (layer, l) => {
      const [kernel, bias] = layer.getWeights();
      return {
        weights: (await kernel.array()) as number[][],
        bias: (await bias.array()) as number[],
        activation: sizes[l][1],
      };
    }));
  } finally {
    x.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Scores events by their reconstruction error through a trained network: higher is more
 * anomalous.
 *
 * @param model What {@linkcode train} returned.
 * @param events The events to score.
 * @returns One reconstruction error per event.
 * @throws {TypeError} If the layers' shapes do not chain from the events.
 */
export async function score(model: DenseLayer[], events: number[][]): Promise<number[]> {
  if (events.length === 0) return [];
  checkLayers(model, events[0].length);
  return await vectorOf(() => {
    const x = tf.tensor2d(events);
    return tf.sum(tf.squaredDifference(x, forwardTensor(model, x)), 1);
  });
}
