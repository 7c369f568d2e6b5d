import assert from "node:assert/strict";
import { createRng } from "../fixtures/random.ts";
import { backendTest } from "./_backends.ts";
import {
  dualGradient,
  numberOps,
  referenceGradient,
  tapeGradient,
  TEST_FUNCTIONS,
  testFunction,
} from "./dual.ts";
import { closeEnough } from "./precision.ts";

/** Points drawn uniformly from the function's domain. */
function pointsIn(domain: [number, number][], count: number, seed: string): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => domain.map(([lo, hi]) => rng.between(lo, hi)));
}

/** ∂f/∂xⱼ by a float64 central difference with step h: error O(h²) + O(1e-16/h). */
function finiteDifference(f: (xs: number[]) => number, xs: number[], j: number): number {
  const h = 1e-5 * Math.max(1, Math.abs(xs[j]));
  const up = xs.with(j, xs[j] + h);
  const down = xs.with(j, xs[j] - h);
  return (f(up) - f(down)) / (up[j] - down[j]);
}

backendTest("referenceGradient() matches float64 values and central differences", async () => {
  for (const fn of TEST_FUNCTIONS) {
    const points = pointsIn(fn.domain, 8, fn.name);
    const { values, gradients } = await referenceGradient(fn.name, points);
    const f = (xs: number[]) => fn.f(numberOps, xs);
    points.forEach((xs, i) => {
      assert.ok(closeEnough("dual.value", values[i], f(xs)), `${fn.name} at [${xs}]: ${values[i]}`);
      xs.forEach((_, j) => {
        const expected = finiteDifference(f, xs, j);
        // The difference quotient itself is accurate to about 1e-9 here.
        assert.ok(
          closeEnough("dual.gradient", gradients[i][j], expected),
          `∂${j} ${fn.name} at [${xs}]: ${gradients[i][j]}, central difference ${expected}`,
        );
      });
    });
  }
});

backendTest("referenceGradient() gives hand-computed derivatives", async () => {
  const cases: [string, number[], number, number[]][] = [
    ["x^2", [3], 9, [6]],
    ["x^3 - 2x + 1", [2], 5, [10]],
    ["sqrt(x)", [4], 2, [0.25]],
    ["1/x", [2], 0.5, [-0.25]],
    ["x*y", [2, 3], 6, [3, 2]],
    ["x/y", [3, 2], 1.5, [0.5, -0.75]],
    ["cos(x*y)", [0, 1.5], 1, [0, 0]],
    ["x^2*y - exp(-y)", [1, 0], -1, [0, 2]],
  ];
  for (const [name, xs, value, gradient] of cases) {
    const result = await referenceGradient(name, [xs]);
    assert.ok(closeEnough("dual.value", result.values[0], value), `${name}: ${result.values}`);
    gradient.forEach((g, j) => {
      assert.ok(closeEnough("dual.gradient", result.gradients[0][j], g), `${name}: ∂${j}`);
    });
  }
});

backendTest("dualGradient() and tapeGradient() agree for every point of a batch", async () => {
  const fn = testFunction("x*y*z - log(x + z^2)");
  const points = pointsIn(fn.domain, 64, "batch");
  const forward = await dualGradient(fn, points);
  const reverse = await tapeGradient(fn, points);
  assert.equal(forward.gradients.length, 64);
  forward.gradients.forEach((g, i) =>
    g.forEach((gj, j) => assert.ok(closeEnough("dual.gradient", gj, reverse.gradients[i][j])))
  );
});

Deno.test("testFunction() names the known functions when asked for an unknown one", () => {
  assert.equal(testFunction("x*y").domain.length, 2);
  assert.throws(() => testFunction("tan(x)"), /Cannot find test function "tan\(x\)": .*"x\^2"/);
});

Deno.test("TEST_FUNCTIONS have distinct names and domains where they are defined", () => {
  assert.equal(new Set(TEST_FUNCTIONS.map((fn) => fn.name)).size, TEST_FUNCTIONS.length);
  for (const fn of TEST_FUNCTIONS) {
    for (const xs of pointsIn(fn.domain, 50, fn.name)) {
      assert.ok(Number.isFinite(fn.f(numberOps, xs)), `${fn.name} at [${xs}]`);
    }
  }
});

backendTest("referenceGradient() rejects points of the wrong dimension", async () => {
  await assert.rejects(() => referenceGradient("x*y", [[1]]), TypeError);
  await assert.rejects(() => referenceGradient("x*y", []), RangeError);
});
