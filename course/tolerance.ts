/**
 * When two numbers count as equal.
 *
 * Student code may compute in float32 (tfjs on wasm or a GPU), the reference in float64, so
 * exact equality is never the test. A value passes when its error is within `rtol` of the
 * larger of |expected| and `scale`: relative accuracy for large values, and an absolute
 * floor of `rtol · scale` for values near zero, where `scale` is the size of the terms the
 * value was computed from (a sum of terms of size 1e3 that cancels to 0 cannot be trusted
 * to better than about 1e3 · 1e-7 in float32).
 *
 * @module
 */

/** How close is close enough. */
export interface Tolerance {
  /**
   * Relative tolerance. float32 has a unit roundoff of 6e-8; a few hundred operations
   * accumulate to around 1e-5.
   *
   * @default {1e-5}
   */
  rtol?: number;
  /**
   * The size of the terms the value is made of; the absolute floor is `rtol · scale`.
   *
   * @default {1}
   */
  scale?: number;
}

/** The default tolerance: float32 accuracy on values of order one. */
export const FLOAT32: Required<Tolerance> = { rtol: 1e-5, scale: 1 };

/**
 * Whether `actual` equals `expected` within `tolerance`. NaN matches only NaN and an
 * infinity only the same infinity.
 *
 * @param actual The value under test.
 * @param expected The reference value.
 * @param tolerance How close is close enough.
 * @returns `true` when the two agree.
 *
 * @example float32 rounding passes, a real error does not
 * ```ts
 * import { isClose } from "./tolerance.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isClose(Math.fround(0.1), 0.1));
 * assert.ok(!isClose(0.1001, 0.1));
 * assert.ok(isClose(1e-7, 0, { scale: 1 }));
 * ```
 */
export function isClose(actual: number, expected: number, tolerance: Tolerance = {}): boolean {
  const { rtol, scale } = { ...FLOAT32, ...tolerance };
  if (typeof actual !== "number") return false;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  if (!Number.isFinite(actual)) return false;
  return Math.abs(actual - expected) <= rtol * Math.max(Math.abs(expected), scale);
}
