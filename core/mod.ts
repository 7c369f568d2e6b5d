/**
 * The reference core: every quantity the grader checks, computed on `@tensorflow/tfjs`
 * with a real GPU through WebGPU where there is one, else wasm (SIMD, threads), else cpu.
 *
 * The metrics `auc`, `rocCurve` and `ams` are plain float64 TypeScript and need no
 * backend. Everything else computes in float32 tensors on the backend {@linkcode initCore}
 * chose (or, where nothing chose, the default it picks on first use); `PRECISION` says how close a student's value must be to it, and
 * `isEquallyGoodStump` / `isEquallyGoodModel` how a different but equally good choice is
 * recognised.
 *
 * @example
 * ```ts
 * import { auc, initCore, softmax } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(auc([0.8, 0.3], [1, 0]), 1);
 * const { backend } = await initCore({ backend: "cpu" });
 * assert.equal(backend, "cpu");
 * const p = await softmax.softmax([0, 0]);
 * assert.deepEqual(p, [0.5, 0.5]);
 * ```
 *
 * @module
 */
export { ams, AMS_REGULARISATION, auc, rocCurve } from "./metrics.ts";
export {
  type AdapterDescription,
  BACKEND_CHOICES,
  type BackendChoice,
  type BackendName,
  type CoreInfo,
  coreInfo,
  initCore,
  type InitCoreOptions,
  isSoftwareAdapter,
  parseBackend,
  parseThreads,
} from "./backend.ts";
export {
  allCloseEnough,
  closeEnough,
  costScale,
  dotScale,
  isEquallyGoodModel,
  isEquallyGoodStump,
  MODEL_MARGINS,
  type ModelMargin,
  PRECISION,
  type PrecisionRule,
  type Quantity,
  stumpError,
  updateScale,
} from "./precision.ts";
export type { BoostedModel, Stump } from "./adaboost.ts";
export * as adaboost from "./adaboost.ts";
export * as autoencoder from "./autoencoder.ts";
export * as dual from "./dual.ts";
export * as lms from "./lms.ts";
export * as softmax from "./softmax.ts";
