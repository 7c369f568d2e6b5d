import assert from "node:assert/strict";
import { numberOps, TEST_FUNCTIONS } from "../../../core/dual.ts";
import { createRng } from "../../../fixtures/random.ts";
import { offeredDriver } from "../driver_registry.ts";
import { withBuiltInsPatched } from "./_patched_builtins.ts";
import { exerciseById } from "../../../course/metadata.ts";
import { FORMULA_NAMES, STAND_INS, trustedFunction } from "./dual.ts";

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

Deno.test("STAND_INS lists every operation's group of 01-dual-numbers, and each has a stand-in", () => {
  const groups = exerciseById("01-dual-numbers").groups.map((g) => g.symbol);
  assert.deepEqual(
    [...STAND_INS],
    groups.filter((symbol) => !["Dual", "derivative", "gradient"].includes(symbol)),
  );
  const functions = driver({ Dual });
  for (const name of STAND_INS) {
    assert.equal(typeof functions[`standIn:${name}`], "function", name);
  }
});

Deno.test("the stand-ins apply the lectures' rules to the student's Dual, a number as a constant", () => {
  const functions = driver({ Dual });
  const op = (name: string) => functions[`standIn:${name}`] as (...args: unknown[]) => Dual;
  const close = (actual: Dual, re: number, eps: number) => {
    assert.ok(actual instanceof Dual, "a stand-in builds the student's own Dual");
    assert.ok(Math.abs(actual.re - re) < 1e-12 && Math.abs(actual.eps - eps) < 1e-12);
  };
  const [x, y] = [new Dual(2, 3), new Dual(5, -1)];
  close(op("Dual.add")(x, y), 7, 2);
  close(op("Dual.sub")(x, 4), -2, 3);
  close(op("Dual.mul")(x, y), 10, 2 * -1 + 3 * 5);
  close(op("Dual.div")(x, y), 2 / 5, (3 * 5 - 2 * -1) / 25);
  close(op("Dual.div")(x, 4), 0.5, 0.75);
  close(op("Dual.pow")(x, -1), 0.5, -1 * 2 ** -2 * 3);
  close(op("Dual.neg")(x), -2, -3);
  close(op("sin")(x), Math.sin(2), 3 * Math.cos(2));
  close(op("cos")(x), Math.cos(2), -3 * Math.sin(2));
  close(op("exp")(x), Math.exp(2), 3 * Math.exp(2));
  close(op("log")(x), Math.log(2), 1.5);
});

Deno.test("the stand-ins compute the same after student code patches Math and Array.prototype", () => {
  const functions = driver({ Dual });
  // An index loop: the array methods are among what is patched.
  const run = () => {
    const results: Dual[] = [];
    for (let i = 0; i < STAND_INS.length; i++) {
      const standIn = functions[`standIn:${STAND_INS[i]}`] as (...args: unknown[]) => Dual;
      results[i] = standIn(new Dual(2, 3), STAND_INS[i] === "Dual.pow" ? 0.5 : 4);
    }
    return results;
  };
  const expected = run();
  assert.deepEqual(withBuiltInsPatched(run), expected);
});
