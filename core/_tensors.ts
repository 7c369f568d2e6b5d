/**
 * Running a tensor computation of the reference core and reading its result back as plain
 * numbers, with nothing left allocated.
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
