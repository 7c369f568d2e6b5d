/**
 * Running a tensor computation of the reference core and reading its result back as plain
 * numbers, with nothing left allocated; and the padding that lets the batched forms stack
 * inputs of different sizes into one tensor and cut each result back to its own size.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { coreReady } from "./backend.ts";

/**
 * Computes `f` inside `tf.tidy` on the core's backend (started with its defaults if no one
 * chose yet) and reads the result.
 *
 * @param f Builds the result from fresh tensors.
 * @returns The result's elements, flattened in row-major order.
 */
export async function vectorOf(f: () => tf.Tensor): Promise<number[]> {
  await coreReady();
  const result = tf.tidy(f);
  try {
    return Array.from(await result.data());
  } finally {
    result.dispose();
  }
}

/**
 * {@linkcode vectorOf} for a result with one element.
 *
 * @param f Builds the result from fresh tensors.
 * @returns The result's only element.
 */
export async function scalarOf(f: () => tf.Tensor): Promise<number> {
  return (await vectorOf(f))[0];
}

/**
 * The length to pad arrays to: the longest's, and at least 1, so that no stacked tensor has
 * zero elements (tfjs-backend-webgpu 4.22 answers a reduction over zero elements with a
 * recycled buffer's stale contents).
 *
 * @param arrays The arrays to stack.
 * @returns The longest length, at least 1.
 */
export function longest(arrays: readonly (readonly unknown[])[]): number {
  return Math.max(1, ...arrays.map((array) => array.length));
}

/**
 * Writes a rectangle of `height` rows of `width` values into `values` from `offset`: `rows`
 * where they have an entry, `fill` everywhere else.
 */
function writePadded(
  values: Float32Array,
  offset: number,
  rows: readonly (readonly number[])[],
  height: number,
  width: number,
  fill: number,
): void {
  values.fill(fill, offset, offset + height * width);
  for (let i = 0; i < Math.min(rows.length, height); i++) {
    const row = rows[i];
    for (let j = 0; j < Math.min(row.length, width); j++) {
      values[offset + i * width + j] = row[j] ?? fill;
    }
  }
}

/**
 * A [height, width] tensor of `rows`, each padded with `fill` to `width` values, and rows of
 * `fill` below them to `height` rows. Built from a `Float32Array`, it holds the same float32
 * values as `tf.tensor2d` of the padded nested arrays, without tfjs flattening them.
 *
 * @param rows The rows, of any lengths up to `width`, at most `height` of them.
 * @param height The number of rows.
 * @param width The length of every row.
 * @param fill The padding value.
 * @returns The padded rows.
 */
export function paddedTensor2d(
  rows: readonly (readonly number[])[],
  height: number,
  width: number,
  fill = 0,
): tf.Tensor2D {
  const values = new Float32Array(height * width);
  writePadded(values, 0, rows, height, width, fill);
  return tf.tensor2d(values, [height, width]);
}

/**
 * A [matrices.length, height, width] tensor of matrices, each padded as
 * {@linkcode paddedTensor2d} pads one.
 *
 * @param matrices The matrices, each of at most `height` rows of at most `width` values.
 * @param height The number of rows of every matrix.
 * @param width The length of every row.
 * @param fill The padding value.
 * @returns The padded matrices, stacked.
 */
export function paddedTensor3d(
  matrices: readonly (readonly (readonly number[])[])[],
  height: number,
  width: number,
  fill = 0,
): tf.Tensor3D {
  const values = new Float32Array(matrices.length * height * width);
  matrices.forEach((rows, m) => writePadded(values, m * height * width, rows, height, width, fill));
  return tf.tensor3d(values, [matrices.length, height, width]);
}

/**
 * Each row of a flat row-major result `width` wide, cut to its own length.
 *
 * @param flat The result, as {@linkcode vectorOf} reads it.
 * @param width The padded length of a row.
 * @param lengths The length of each row.
 * @returns The rows, without their padding.
 */
export function rowsOf(
  flat: readonly number[],
  width: number,
  lengths: readonly number[],
): number[][] {
  return lengths.map((length, i) => flat.slice(i * width, i * width + length));
}
