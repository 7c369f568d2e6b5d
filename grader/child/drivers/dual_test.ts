import assert from "node:assert/strict";
import { numberOps, TEST_FUNCTIONS } from "../../../core/dual.ts";
import { createRng } from "../../../fixtures/random.ts";
import { offeredDriver } from "../driver_registry.ts";
import { FORMULA_NAMES, trustedFunction } from "./dual.ts";

const driver = offeredDriver("dual")!;

/** A correct dual number, standing in for a student's. */
class Dual {
  constructor(readonly re: number, readonly eps = 0) {}
}

type Trusted = (xs: Dual | Dual[]) => Dual;

Deno.test("driver offers exactly the test functions of core/dual.ts", () => {
  assert.deepEqual([...FORMULA_NAMES].sort(), TEST_FUNCTIONS.map((f) => f.name).sort());
});

Deno.test("driver's trusted functions agree with core/dual.ts: values and derivatives", () => {
  // The driver runs inside the sandbox, where core/ is not visible, so it keeps its own copy
  // of the formulas; this test keeps the two copies in step.
  const functions = driver({ Dual });
  const rng = createRng("driver formulas");
  for (const fn of TEST_FUNCTIONS) {
    const trusted = functions[trustedFunction(fn.name)] as unknown as Trusted;
    for (let trial = 0; trial < 5; trial++) {
      const point = fn.domain.map(([low, high]) => rng.between(low, high));
      const value = fn.f(numberOps, point);
      for (let i = 0; i < point.length; i++) {
        const seeded = point.map((x, j) => new Dual(x, j === i ? 1 : 0));
        const result = trusted(point.length === 1 ? seeded[0] : seeded);
        const h = 1e-6 * Math.max(1, Math.abs(point[i]));
        const shifted = (d: number) => fn.f(numberOps, point.map((x, j) => j === i ? x + d : x));
        const slope = (shifted(h) - shifted(-h)) / (2 * h);
        assert.ok(Math.abs(result.re - value) <= 1e-12 * Math.max(1, Math.abs(value)), fn.name);
        assert.ok(
          Math.abs(result.eps - slope) <= 1e-5 * Math.max(1, Math.abs(slope)),
          `${fn.name}: ∂/∂x${i} at ${point} is ${result.eps}, a finite difference gives ${slope}`,
        );
      }
    }
  }
});
