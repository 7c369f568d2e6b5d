import { AssertionError } from "node:assert";
import * as m from "./dual.ts";
import { assertAllClose, assertClose, exported, fail, show } from "../../course/testing.ts";
import { isClose, type Tolerance } from "../../course/tolerance.ts";
import { createRng } from "../../fixtures/random.ts";

const FILE = "dual.ts";

/** Type-level equality; it tells `readonly` properties from writable ones. */
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true
  : false;
/** `true` when property K of D may be assigned to. */
type Writable<D, K extends keyof D> = Equal<{ [P in K]: D[P] }, { -readonly [P in K]: D[P] }>;

/** a + bε, written for a message. */
function formatDual(d: { re: unknown; eps: unknown }): string {
  const negative = typeof d.eps === "number" && (d.eps < 0 || Object.is(d.eps, -0));
  return `${show(d.re)} ${negative ? "−" : "+"} ${show(negative ? -(d.eps as number) : d.eps)}ε`;
}

/** Builds a + bε with the student's class. */
function dual(re: number, eps?: number): m.Dual {
  const Dual = exported(m, "Dual", FILE);
  return new Dual(re, eps);
}

/**
 * Asserts that `actual` is a dual number within tolerance of re + eps·ε, naming the part
 * that is wrong.
 */
function assertDual(
  actual: unknown,
  re: number,
  eps: number,
  what: string,
  tolerance?: Tolerance,
): void {
  if (
    typeof actual !== "object" || actual === null || !("re" in actual) || !("eps" in actual)
  ) {
    fail(`${what} returned ${show(actual)}, but it must return a Dual (new Dual(re, eps))`);
  }
  const got = actual as { re: unknown; eps: unknown };
  if (typeof got.re !== "number" || typeof got.eps !== "number") {
    fail(`${what} returned ${formatDual(got)}, but re and eps must both be numbers`);
  }
  const expected = formatDual({ re, eps });
  if (!isClose(got.re, re, tolerance)) {
    fail(`${what} returned ${formatDual(got)}, expected ${expected}: the real part is wrong`);
  }
  if (!isClose(got.eps, eps, tolerance)) {
    fail(
      `${what} returned ${formatDual(got)}, expected ${expected}: ` +
        `the real part is right but the ε part (the derivative) is wrong`,
    );
  }
}

/** Asserts that an operand still holds re + eps·ε after an operation. */
function assertUnchanged(operand: m.Dual, re: number, eps: number, what: string): void {
  if (operand.re !== re || operand.eps !== eps) {
    fail(
      `${what} changed its operand ${formatDual({ re, eps })} into ${formatDual(operand)}: ` +
        `a Dual never changes; return a new Dual instead`,
    );
  }
}

/** assertAllClose, with a hint when every entry came out as the sum of the partials. */
function assertGradient(actual: unknown, expected: number[], what: string): void {
  const sum = expected.reduce((s, v) => s + v, 0);
  if (Array.isArray(actual) && actual.length > 1 && actual.every((v) => isClose(v, sum))) {
    fail(
      `${what} returned ${show(actual)}, expected ${show(expected)}: every entry is the sum of ` +
        `the partial derivatives, as if ε = 1 were seeded on all variables in the same pass`,
    );
  }
  assertAllClose(actual, expected, what);
}

/**
 * Runs checks that go through the student's own operations besides the one under test. A
 * wrong operation makes these checks fail too, so the message names the ones to look at first.
 */
function usingOperations(operations: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof AssertionError)) throw error;
    fail(
      `${error.message} (this check relies on ${operations}: if their tests fail, fix them first)`,
    );
  }
}

Deno.test("Dual() stores re and eps, with eps defaulting to 0", () => {
  assertDual(dual(2, 3), 2, 3, "new Dual(2, 3)");
  assertDual(dual(-0.25, 1e6), -0.25, 1e6, "new Dual(-0.25, 1e6)");
  assertDual(dual(-1.5), -1.5, 0, "new Dual(-1.5)");
  assertDual(dual(7, undefined), 7, 0, "new Dual(7, undefined)");
  // re and eps are declared readonly: `deno check` rejects this file if either is writable.
  false satisfies Writable<m.Dual, "re">;
  false satisfies Writable<m.Dual, "eps">;
});

Deno.test("Dual.add() adds the real parts and the ε parts", () => {
  assertDual(dual(2, 3).add(dual(5, -1)), 7, 2, "(2 + 3ε).add(5 − 1ε)");
  assertDual(dual(2, 1).add(dual(3, 1)), 5, 2, "x + y at x = 2 + ε, y = 3 + ε");
});

Deno.test("Dual.add() treats a plain number as a constant with ε part 0", () => {
  assertDual(dual(2, 3).add(4), 6, 3, "(2 + 3ε).add(4)");
  assertDual(dual(2, 3).add(-2.5), -0.5, 3, "(2 + 3ε).add(-2.5)");
});

Deno.test("Dual.add() leaves both operands unchanged", () => {
  const a = dual(2, 3);
  const b = dual(5, -1);
  a.add(b);
  assertUnchanged(a, 2, 3, "a.add(b)");
  assertUnchanged(b, 5, -1, "a.add(b)");
});

Deno.test("Dual.sub() subtracts the real parts and the ε parts", () => {
  assertDual(dual(2, 3).sub(dual(5, -1)), -3, 4, "(2 + 3ε).sub(5 − 1ε)");
  const x = dual(1.5, 2);
  assertDual(x.sub(x), 0, 0, "x.sub(x) at x = 1.5 + 2ε");
});

Deno.test("Dual.sub() treats a plain number as a constant with ε part 0", () => {
  assertDual(dual(2, 3).sub(4), -2, 3, "(2 + 3ε).sub(4)");
  assertDual(dual(2, 3).sub(-1), 3, 3, "(2 + 3ε).sub(-1)");
});

Deno.test("Dual.sub() leaves both operands unchanged", () => {
  const a = dual(2, 3);
  const b = dual(5, -1);
  a.sub(b);
  assertUnchanged(a, 2, 3, "a.sub(b)");
  assertUnchanged(b, 5, -1, "a.sub(b)");
});

Deno.test("Dual.mul() applies the product rule to the ε part", () => {
  // (2 + 3ε)(5 − ε) = 10 + (2·(−1) + 3·5)ε = 10 + 13ε
  assertDual(dual(2, 3).mul(dual(5, -1)), 10, 13, "(2 + 3ε).mul(5 − 1ε)");
  assertDual(dual(-1, 0.5).mul(dual(4, 2)), -4, 0, "(−1 + 0.5ε).mul(4 + 2ε)");
});

Deno.test("Dual.mul() gives the lecture's x² and xy at x = 2, y = 3", () => {
  const x = dual(2, 1);
  assertDual(x.mul(x), 4, 4, "x·x at x = 2 + ε");
  assertDual(x.mul(dual(3, 1)), 6, 5, "x·y at x = 2 + ε, y = 3 + ε");
});

Deno.test("Dual.mul() scales both parts by a plain number", () => {
  assertDual(dual(2, 3).mul(4), 8, 12, "(2 + 3ε).mul(4)");
  assertDual(dual(2, 3).mul(0), 0, 0, "(2 + 3ε).mul(0)");
});

Deno.test("Dual.mul() leaves both operands unchanged", () => {
  const a = dual(2, 3);
  const b = dual(5, -1);
  a.mul(b);
  assertUnchanged(a, 2, 3, "a.mul(b)");
  assertUnchanged(b, 5, -1, "a.mul(b)");
  a.mul(a);
  assertUnchanged(a, 2, 3, "a.mul(a)");
});

Deno.test("Dual.div() applies the quotient rule to the ε part", () => {
  // (2 + 3ε)/(5 − ε) = 2/5 + (3·5 − 2·(−1))/5²·ε = 0.4 + 0.68ε
  assertDual(dual(2, 3).div(dual(5, -1)), 0.4, 0.68, "(2 + 3ε).div(5 − 1ε)");
  assertDual(dual(2, 1).div(dual(3, 1)), 2 / 3, 1 / 9, "x/y at x = 2 + ε, y = 3 + ε");
  assertDual(dual(1).div(dual(3, 1)), 1 / 3, -1 / 9, "1/y at y = 3 + ε");
});

Deno.test("Dual.div() divides both parts by a plain number", () => {
  assertDual(dual(2, 3).div(4), 0.5, 0.75, "(2 + 3ε).div(4)");
  assertDual(dual(-3, 1).div(-0.5), 6, -2, "(−3 + 1ε).div(-0.5)");
});

Deno.test("Dual.div() leaves both operands unchanged", () => {
  const a = dual(2, 3);
  const b = dual(5, -1);
  a.div(b);
  assertUnchanged(a, 2, 3, "a.div(b)");
  assertUnchanged(b, 5, -1, "a.div(b)");
});

Deno.test("Dual.pow() applies the power rule times the ε part b", () => {
  // (a + bε)ᵖ = aᵖ + p·aᵖ⁻¹·b·ε
  assertDual(dual(2, 3).pow(2), 4, 12, "(2 + 3ε).pow(2)");
  assertDual(dual(-2, 3).pow(3), -8, 36, "(−2 + 3ε).pow(3)");
  assertDual(dual(1.5, 1).pow(1), 1.5, 1, "(1.5 + 1ε).pow(1)");
});

Deno.test("Dual.pow() handles non-integer, negative and zero exponents", () => {
  assertDual(dual(4, 3).pow(0.5), 2, 0.75, "(4 + 3ε).pow(0.5)");
  assertDual(dual(2, 3).pow(-2), 0.25, -0.75, "(2 + 3ε).pow(-2)");
  assertDual(dual(8, -6).pow(-1 / 3), 0.5, 1 / 8, "(8 − 6ε).pow(-1/3)");
  assertDual(dual(5, 2).pow(0), 1, 0, "(5 + 2ε).pow(0)");
});

Deno.test("Dual.pow() leaves its operand unchanged", () => {
  const a = dual(4, 3);
  a.pow(0.5);
  assertUnchanged(a, 4, 3, "a.pow(0.5)");
});

Deno.test("Dual.neg() negates both parts and leaves its operand unchanged", () => {
  const a = dual(2, 3);
  assertDual(a.neg(), -2, -3, "(2 + 3ε).neg()");
  assertUnchanged(a, 2, 3, "a.neg()");
  assertDual(dual(-1.5, -0.25).neg(), 1.5, 0.25, "(−1.5 − 0.25ε).neg()");
});

Deno.test("sin() returns sin a + b·cos a·ε and leaves its argument unchanged", () => {
  const sin = exported(m, "sin", FILE);
  const x = dual(1, 2);
  assertDual(sin(x), Math.sin(1), 2 * Math.cos(1), "sin(1 + 2ε)");
  assertUnchanged(x, 1, 2, "sin(x)");
  assertDual(sin(dual(0, 1)), 0, 1, "sin(0 + 1ε)");
});

Deno.test("cos() returns cos a − b·sin a·ε and leaves its argument unchanged", () => {
  const cos = exported(m, "cos", FILE);
  const x = dual(1, 2);
  assertDual(cos(x), Math.cos(1), -2 * Math.sin(1), "cos(1 + 2ε)");
  assertUnchanged(x, 1, 2, "cos(x)");
  assertDual(cos(dual(0, 1)), 1, 0, "cos(0 + 1ε)");
  assertDual(cos(dual(Math.PI / 2, 1)), 0, -1, "cos(π/2 + 1ε)");
});

Deno.test("cos() of the lecture's xy at x = 2 + ε, y = 3 + ε is cos 6 − 5·sin 6·ε", () => {
  const cos = exported(m, "cos", FILE);
  usingOperations("Dual.mul", () => {
    assertDual(cos(dual(2, 1).mul(dual(3, 1))), Math.cos(6), -5 * Math.sin(6), "cos(x·y)");
  });
});

Deno.test("exp() returns eᵃ + b·eᵃ·ε and leaves its argument unchanged", () => {
  const exp = exported(m, "exp", FILE);
  const x = dual(1, 2);
  assertDual(exp(x), Math.E, 2 * Math.E, "exp(1 + 2ε)");
  assertUnchanged(x, 1, 2, "exp(x)");
  assertDual(exp(dual(0, 3)), 1, 3, "exp(0 + 3ε)");
});

Deno.test("log() returns ln a + (b/a)·ε and leaves its argument unchanged", () => {
  const log = exported(m, "log", FILE);
  const x = dual(2, 3);
  assertDual(log(x), Math.LN2, 1.5, "log(2 + 3ε)");
  assertUnchanged(x, 2, 3, "log(x)");
  assertDual(log(dual(1, 0.5)), 0, 0.5, "log(1 + 0.5ε)");
});

Deno.test("derivative() seeds ε = 1 and returns the ε part of f", () => {
  const derivative = exported(m, "derivative", FILE);
  const slope = derivative((x) => x, 2.5);
  if (slope === 0) {
    fail(
      "derivative(x => x, 2.5) returned 0, expected 1: is the ε part of the input seeded with 1?",
    );
  }
  assertClose(slope, 1, "derivative(x => x, 2.5)");
  // x³, with its derivative rule written out here so that only derivative() is under test.
  const cube = (x: m.Dual) => dual(x.re ** 3, 3 * x.re ** 2 * x.eps);
  assertClose(derivative(cube, 2), 12, "derivative(x => x³, 2)");
});

Deno.test("derivative() gives the lecture's (x²)' = 2x and (cos 3x)' = −3 sin 3x", () => {
  const derivative = exported(m, "derivative", FILE);
  const cos = exported(m, "cos", FILE);
  usingOperations("Dual.mul and cos", () => {
    assertClose(derivative((x) => x.mul(x), 2), 4, "derivative(x => x·x, 2)");
    assertClose(
      derivative((x) => cos(x.mul(3)), 2),
      -3 * Math.sin(6),
      "derivative(x => cos(3x), 2)",
    );
  });
});

Deno.test("derivative() agrees with a central finite difference within 1e-5 relative", () => {
  const derivative = exported(m, "derivative", FILE);
  const sin = exported(m, "sin", FILE);
  const exp = exported(m, "exp", FILE);
  const log = exported(m, "log", FILE);
  // f(x) = exp(sin x)/(x² + 1) − x·ln x, once on dual numbers and once on plain numbers.
  const f = (x: m.Dual) => exp(sin(x)).div(x.pow(2).add(1)).sub(x.mul(log(x)));
  const g = (x: number) => Math.exp(Math.sin(x)) / (x * x + 1) - x * Math.log(x);
  // (g(x + h) − g(x − h))/2h is off by about h²·g'''/6 ≈ 1e-10 plus rounding 1e-16/h.
  const h = 1e-5;
  usingOperations("sin, exp, log, Dual.div, Dual.pow, Dual.add, Dual.sub and Dual.mul", () => {
    for (const x of [0.5, 1.3, 2.7]) {
      const reference = (g(x + h) - g(x - h)) / (2 * h);
      const what = `derivative(f, ${x}) for f(x) = exp(sin x)/(x² + 1) − x·ln x`;
      assertClose(derivative(f, x), reference, what, { rtol: 1e-5 });
    }
  });
});

Deno.test("gradient() seeds ε = 1 on one variable per pass", () => {
  const gradient = exported(m, "gradient", FILE);
  // xyz, with its derivative rule written out here so that only gradient() is under test.
  const product = ([x, y, z]: m.Dual[]) =>
    dual(x.re * y.re * z.re, y.re * z.re * x.eps + x.re * z.re * y.eps + x.re * y.re * z.eps);
  const g = gradient(product, [2, 3, 5]);
  assertGradient(g, [15, 10, 6], "gradient(([x, y, z]) => xyz, [2, 3, 5])");
});

Deno.test("gradient() of the lecture's cos(xy) at (2, 3) is (−y·sin xy, −x·sin xy)", () => {
  const gradient = exported(m, "gradient", FILE);
  const cos = exported(m, "cos", FILE);
  usingOperations("Dual.mul and cos", () => {
    assertGradient(
      gradient(([x, y]) => cos(x.mul(y)), [2, 3]),
      [-3 * Math.sin(6), -2 * Math.sin(6)],
      "gradient(([x, y]) => cos(x·y), [2, 3])",
    );
  });
});

Deno.test("gradient() of xy + x·sin z + y/z matches the partial derivatives by hand", () => {
  const gradient = exported(m, "gradient", FILE);
  const sin = exported(m, "sin", FILE);
  const f = ([x, y, z]: m.Dual[]) => x.mul(y).add(x.mul(sin(z))).add(y.div(z));
  // ∂f/∂x = y + sin z, ∂f/∂y = x + 1/z, ∂f/∂z = x·cos z − y/z²
  const byHand = ([x, y, z]: number[]) => [
    y + Math.sin(z),
    x + 1 / z,
    x * Math.cos(z) - y / z ** 2,
  ];
  const rng = createRng("01-dual-numbers/gradient");
  const points = [
    [1, 2, 3],
    ...Array.from({ length: 3 }, () => [0, 0, 0].map(() => rng.between(0.5, 3))),
  ];
  usingOperations("sin, Dual.mul, Dual.add and Dual.div", () => {
    for (const p of points) {
      const what = `gradient(f, ${show(p)}) for f = xy + x·sin z + y/z`;
      assertGradient(gradient(f, p), byHand(p), what);
    }
  });
});

Deno.test("gradient() returns one entry per variable, 0 for a variable f ignores", () => {
  const gradient = exported(m, "gradient", FILE);
  assertAllClose(gradient(([x]) => x, [3, 7]), [1, 0], "gradient(([x, y]) => x, [3, 7])");
  assertAllClose(gradient(([, y]) => y, [3, 7]), [0, 1], "gradient(([x, y]) => y, [3, 7])");
  assertAllClose(gradient(([x]) => x, [3]), [1], "gradient(([x]) => x, [3])");
});

Deno.test("gradient() leaves xs unchanged", () => {
  const gradient = exported(m, "gradient", FILE);
  const xs = [1, 2, 3];
  gradient(([x]) => x, xs);
  if (JSON.stringify(xs) !== "[1,2,3]") {
    fail(
      `gradient() changed its argument xs from [1, 2, 3] to ${show(xs)}: build new arrays instead`,
    );
  }
});
