/**
 * Reference derivatives for the dual-numbers exercise, in tensors.
 *
 * Each named test function is written once, over {@linkcode Ops}: the operations of a
 * dual number. The same definition then runs on float64 numbers ({@linkcode numberOps}),
 * on tfjs tensors for reverse mode with `tf.grads` ({@linkcode tapeGradient}), and on dual
 * tensors for forward mode ({@linkcode dualGradient}), where a + bε carries b as a vector of
 * n directional derivatives, seeded with the identity, so one pass gives the whole
 * gradient. {@linkcode referenceGradient} runs both modes and insists that they agree.
 *
 * Every evaluation is batched: `points` is one row per point, and tensors hold all points.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { vectorOf } from "./_tensors.ts";
import { closeEnough } from "./precision.ts";

/** The operations of a dual number, on any representation `T` of one. */
export interface Ops<T> {
  /** a + b. */
  add(a: T, b: T | number): T;
  /** a − b. */
  sub(a: T, b: T | number): T;
  /** a · b. */
  mul(a: T, b: T | number): T;
  /** a / b. */
  div(a: T, b: T | number): T;
  /** a^p for a real exponent p. */
  pow(a: T, p: number): T;
  /** −a. */
  neg(a: T): T;
  /** sin a. */
  sin(a: T): T;
  /** cos a. */
  cos(a: T): T;
  /** eᵃ. */
  exp(a: T): T;
  /** ln a. */
  log(a: T): T;
}

/** A function of n variables, written once over {@linkcode Ops}. */
export interface TestFunction {
  /** The name tests refer to it by, its formula. */
  name: string;
  /** For each variable, the interval points are drawn from (where f is smooth and defined). */
  domain: [number, number][];
  /** The function. */
  f<T>(o: Ops<T>, xs: T[]): T;
}

/** Values and gradients at a batch of points. */
export interface Gradients {
  /** f at each point. */
  values: number[];
  /** ∇f at each point, one entry per variable. */
  gradients: number[][];
}

/** The named test functions: one and several variables, every operation of {@linkcode Ops}. */
export const TEST_FUNCTIONS: readonly TestFunction[] = [
  { name: "x^2", domain: [[-3, 3]], f: (o, [x]) => o.pow(x, 2) },
  {
    name: "x^3 - 2x + 1",
    domain: [[-2, 2]],
    f: (o, [x]) => o.add(o.sub(o.pow(x, 3), o.mul(x, 2)), 1),
  },
  { name: "sqrt(x)", domain: [[0.1, 4]], f: (o, [x]) => o.pow(x, 0.5) },
  { name: "1/x", domain: [[0.5, 3]], f: (o, [x]) => o.pow(x, -1) },
  { name: "sin(x)/x", domain: [[0.5, 3]], f: (o, [x]) => o.div(o.sin(x), x) },
  {
    name: "exp(sin(x))*log(x)",
    domain: [[0.2, 3]],
    f: (o, [x]) => o.mul(o.exp(o.sin(x)), o.log(x)),
  },
  { name: "-cos(2x)", domain: [[-3, 3]], f: (o, [x]) => o.neg(o.cos(o.mul(x, 2))) },
  { name: "x*y", domain: [[-2, 2], [-2, 2]], f: (o, [x, y]) => o.mul(x, y) },
  { name: "x/y", domain: [[-2, 2], [0.5, 2]], f: (o, [x, y]) => o.div(x, y) },
  { name: "cos(x*y)", domain: [[-2, 2], [-2, 2]], f: (o, [x, y]) => o.cos(o.mul(x, y)) },
  {
    name: "x^2*y - exp(-y)",
    domain: [[-2, 2], [-2, 2]],
    f: (o, [x, y]) => o.sub(o.mul(o.pow(x, 2), y), o.exp(o.neg(y))),
  },
  {
    name: "x*y*z - log(x + z^2)",
    domain: [[0.5, 2], [-2, 2], [-2, 2]],
    f: (o, [x, y, z]) => o.sub(o.mul(o.mul(x, y), z), o.log(o.add(x, o.pow(z, 2)))),
  },
];

/**
 * The test function called `name`.
 *
 * @param name Its name, as in {@linkcode TEST_FUNCTIONS}.
 * @returns The function.
 * @throws {RangeError} If no test function has that name.
 */
export function testFunction(name: string): TestFunction {
  const found = TEST_FUNCTIONS.find((fn) => fn.name === name);
  if (!found) {
    const names = TEST_FUNCTIONS.map((fn) => `"${fn.name}"`).join(", ");
    throw new RangeError(`Cannot find test function "${name}": expected one of ${names}`);
  }
  return found;
}

/** The operations on float64 numbers: the function's value, exactly as plain code computes it. */
export const numberOps: Ops<number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, p) => a ** p,
  neg: (a) => -a,
  sin: Math.sin,
  cos: Math.cos,
  exp: Math.exp,
  log: Math.log,
};

/** The operations on tfjs tensors, element by element, for `tf.grads`. */
export const tensorOps: Ops<tf.Tensor> = {
  add: (a, b) => tf.add(a, b),
  sub: (a, b) => tf.sub(a, b),
  mul: (a, b) => tf.mul(a, b),
  div: (a, b) => tf.div(a, b),
  pow: (a, p) => tf.pow(a, p),
  neg: (a) => tf.neg(a),
  sin: (a) => tf.sin(a),
  cos: (a) => tf.cos(a),
  exp: (a) => tf.exp(a),
  log: (a) => tf.log(a),
};

/** A batch of dual numbers re + eps·ε, with a vector of n directional derivatives each. */
interface DualTensor {
  /** Values, shape [points, 1]: the shape that scales each point's row of derivatives. */
  re: tf.Tensor2D;
  /** Derivatives, shape [points, n]. */
  eps: tf.Tensor2D;
}

/** Scales each point's row of derivatives by that point's factor, [points, 1]. */
const scale = (eps: tf.Tensor2D, factor: tf.Tensor2D): tf.Tensor2D => tf.mul(eps, factor);

const lift = (b: DualTensor | number, like: DualTensor): DualTensor =>
  typeof b === "number" ? { re: tf.fill(like.re.shape, b), eps: tf.zerosLike(like.eps) } : b;

/** The operations on dual tensors: each value rule beside its derivative rule. */
const dualOps: Ops<DualTensor> = {
  add: (a, b) => {
    const d = lift(b, a);
    return { re: tf.add(a.re, d.re), eps: tf.add(a.eps, d.eps) };
  },
  mul: (a, b) => {
    const d = lift(b, a);
    return { re: tf.mul(a.re, d.re), eps: tf.add(scale(a.eps, d.re), scale(d.eps, a.re)) };
  },
  pow: (a, p) => ({
    re: tf.pow(a.re, p),
    eps: scale(a.eps, tf.mul(p, tf.pow(a.re, p - 1))),
  }),
  neg: (a) => ({ re: tf.neg(a.re), eps: tf.neg(a.eps) }),
  sin: (a) => ({ re: tf.sin(a.re), eps: scale(a.eps, tf.cos(a.re)) }),
  cos: (a) => ({ re: tf.cos(a.re), eps: scale(a.eps, tf.neg(tf.sin(a.re))) }),
  exp: (a) => {
    const re = tf.exp(a.re);
    return { re, eps: scale(a.eps, re) };
  },
  log: (a) => ({ re: tf.log(a.re), eps: scale(a.eps, tf.reciprocal(a.re)) }),
  // Derived from the primitives, as the exercise builds them.
  sub: (a, b) => dualOps.add(a, typeof b === "number" ? -b : dualOps.neg(b)),
  div: (a, b) => dualOps.mul(a, typeof b === "number" ? 1 / b : dualOps.pow(b, -1)),
};

function checkPoints(fn: TestFunction, points: number[][]): void {
  const arity = fn.domain.length;
  if (points.length === 0) throw new RangeError(`Cannot differentiate "${fn.name}": no points`);
  for (const point of points) {
    if (point.length !== arity) {
      throw new TypeError(
        `Cannot differentiate "${fn.name}" at [${point}]: expected ${arity} coordinates`,
      );
    }
  }
}

/** Column j of `points` as a tensor. */
const column = (points: number[][], j: number) => tf.tensor1d(points.map((p) => p[j]));

/** Values and gradients from rows [f, ∂₀f, …, ∂ₙ₋₁f], one per point. */
function split(rows: number[], n: number): Gradients {
  const points = rows.length / (n + 1);
  const row = (i: number) => rows.slice(i * (n + 1), (i + 1) * (n + 1));
  return {
    values: Array.from({ length: points }, (_, i) => row(i)[0]),
    gradients: Array.from({ length: points }, (_, i) => row(i).slice(1)),
  };
}

/**
 * f and ∇f by forward mode on dual tensors, in one pass for all variables and points.
 *
 * @param fn The function.
 * @param points One row of coordinates per point.
 * @returns Values and gradients, computed in float32.
 * @throws {TypeError} If a point has the wrong number of coordinates.
 */
export async function dualGradient(fn: TestFunction, points: number[][]): Promise<Gradients> {
  checkPoints(fn, points);
  const n = fn.domain.length;
  const rows = await vectorOf(() => {
    const seeds = fn.domain.map((_, j) => {
      const eps = new Float32Array(points.length * n);
      for (let i = 0; i < points.length; i++) eps[i * n + j] = 1;
      return {
        re: tf.tensor2d(points.map((p) => p[j]), [points.length, 1]),
        eps: tf.tensor2d(eps, [points.length, n]),
      };
    });
    const out = fn.f(dualOps, seeds);
    return tf.concat([out.re, out.eps], 1);
  });
  return split(rows, n);
}

/**
 * f and ∇f by reverse mode, with `tf.grads` on the tensor form of the function.
 *
 * @param fn The function.
 * @param points One row of coordinates per point.
 * @returns Values and gradients, computed in float32.
 * @throws {TypeError} If a point has the wrong number of coordinates.
 */
export async function tapeGradient(fn: TestFunction, points: number[][]): Promise<Gradients> {
  checkPoints(fn, points);
  const rows = await vectorOf(() => {
    const inputs = fn.domain.map((_, j) => column(points, j));
    // Points are independent, so the gradient of the sum is each point's own gradient.
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => fn.f(tensorOps, xs))(
      inputs,
    );
    return tf.stack([value, ...grads], 1);
  });
  return split(rows, fn.domain.length);
}

/**
 * The grader's expected values: forward mode on dual tensors, cross-checked against
 * `tf.grads` within the `dual.gradient` tolerance of {@linkcode closeEnough}.
 *
 * @param name A name from {@linkcode TEST_FUNCTIONS}.
 * @param points One row of coordinates per point.
 * @returns Values and gradients, computed in float32.
 * @throws {RangeError} If `name` is unknown.
 * @throws {TypeError} If a point has the wrong number of coordinates.
 * @throws {Error} If the two modes disagree, which would be a bug in the backend.
 *
 * @example
 * ```ts
 * import { referenceGradient } from "./dual.ts";
 * import assert from "node:assert/strict";
 *
 * const { values, gradients } = await referenceGradient("x*y", [[2, 3]]);
 * assert.deepEqual(values, [6]);
 * assert.deepEqual(gradients, [[3, 2]]);
 * ```
 */
export async function referenceGradient(name: string, points: number[][]): Promise<Gradients> {
  const fn = testFunction(name);
  const forward = await dualGradient(fn, points);
  const reverse = await tapeGradient(fn, points);
  forward.gradients.forEach((gradient, i) => {
    gradient.forEach((value, j) => {
      if (!closeEnough("dual.gradient", value, reverse.gradients[i][j])) {
        throw new Error(
          `Cannot differentiate "${name}" at [${
            points[i]
          }]: forward mode gives ∂${j} = ${value}, ` +
            `tf.grads ${reverse.gradients[i][j]}`,
        );
      }
    });
  });
  return forward;
}
