/**
 * 05-autoencoder with tfjs tensors throughout, computing in float32: the trained tfjs model
 * itself is the opaque model that score() receives.
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

/** Σᵢ (xᵢⁱⁿ − xᵢᵒᵘᵗ)², in float32. */
export function reconstructionError(input: number[], output: number[]): number {
  return tf.tidy(() => tf.squaredDifference(input, output).sum().dataSync()[0]);
}

const ACTIVATE: Record<DenseLayer["activation"], (z: tf.Tensor) => tf.Tensor> = {
  relu: tf.relu,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  linear: (z) => z,
};

/** The layers applied in turn, as a row vector times each kernel. */
export function forward(layers: DenseLayer[], x: number[]): number[] {
  return tf.tidy(() => {
    let a: tf.Tensor2D = tf.tensor2d([x]);
    for (const { weights, bias, activation } of layers) {
      a = ACTIVATE[activation](
        tf.matMul(a, tf.tensor2d(weights)).add(tf.tensor1d(bias)),
      ) as tf.Tensor2D;
    }
    return Array.from(a.dataSync());
  });
}

/** A 6-16-3-16-6 relu autoencoder, fitted with the default Adam step. */
export async function train(
  background: number[][],
  opts: { epochs?: number; seed?: number } = {},
): Promise<unknown> {
  const { epochs = 15, seed = 42 } = opts;
  const features = background[0].length;
  const init = (k: number) => tf.initializers.heNormal({ seed: seed + k });
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [features],
      units: 16,
      activation: "relu",
      kernelInitializer: init(1),
    }),
  );
  model.add(tf.layers.dense({ units: 3, kernelInitializer: init(2) }));
  model.add(tf.layers.dense({ units: 16, activation: "relu", kernelInitializer: init(3) }));
  model.add(tf.layers.dense({ units: features, kernelInitializer: init(4) }));
  model.compile({ optimizer: "adam", loss: "meanSquaredError" });
  const x = tf.tensor2d(background);
  await model.fit(x, x, { epochs, batchSize: 32, verbose: 0 });
  x.dispose();
  return model;
}

/** The per-event squared reconstruction error of the tfjs model. */
export function score(model: unknown, events: number[][]): Promise<number[]> {
  const net = model as tf.Sequential;
  const errors = tf.tidy(() => {
    const x = tf.tensor2d(events);
    return tf.squaredDifference(net.predict(x) as tf.Tensor2D, x).sum(1);
  });
  const result = Array.from(errors.dataSync());
  errors.dispose();
  return Promise.resolve(result);
}
