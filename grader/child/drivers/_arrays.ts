/**
 * The shapes the stand-in drivers (`lms.ts`, `adaboost.ts`, `softmax.ts`) take, and their
 * checks. Like the drivers, this runs in the student's realm: what it uses is captured
 * when it loads, before any student module.
 *
 * @module
 */

const { isArray } = Array;
const { isView } = ArrayBuffer;
const NativeTypeError = TypeError;

/** A vector: an array or a typed array of numbers. */
export type Vector = ArrayLike<number>;

/** A matrix: one vector a row. */
export type Matrix = ArrayLike<Vector>;

/**
 * Refuses anything but an array or a typed array (a `DataView` has no `length`).
 *
 * @param value What a stand-in was given.
 * @param name The argument's name, for the message.
 * @param what What the stand-in computes, for the message.
 * @throws {TypeError} If it is no vector.
 */
export function checkVector(value: unknown, name: string, what: string): asserts value is Vector {
  if (
    !isArray(value) &&
    !(isView(value) && typeof (value as { length?: unknown }).length === "number")
  ) {
    throw new NativeTypeError(`Cannot compute ${what}: ${name} is not an array of numbers`);
  }
}

/**
 * Refuses anything but an array of vectors.
 *
 * @param value What a stand-in was given.
 * @param name The argument's name, for the message.
 * @param what What the stand-in computes, for the message.
 * @throws {TypeError} If it is no matrix.
 */
export function checkMatrix(value: unknown, name: string, what: string): asserts value is Matrix {
  if (!isArray(value)) {
    throw new NativeTypeError(`Cannot compute ${what}: ${name} is not an array of rows`);
  }
  for (let i = 0; i < value.length; i++) checkVector(value[i], `${name}[${i}]`, what);
}
