import assert from "node:assert/strict";
import { createRng } from "../../fixtures/random.ts";
import "../child/drivers/dual.ts";
import { runCalls } from "../child/calls.ts";
import { offeredDriver } from "../child/driver_registry.ts";
import { testSuite } from "./_check_suite.ts";
import { suite } from "./dual.ts";

testSuite({
  suite,
  driver: offeredDriver("dual"),
  bugs: {
    "bug_Dual.div_quotient_rule_wrong_sign.ts": "div-quotient-sign",
    "bug_Dual.mul_product_rule_missing_term.ts": "mul-missing-term",
    "bug_Dual.neg_eps_kept_reused.ts": "neg-eps-kept",
    "bug_Dual.pow_no_chain_factor.ts": "pow-no-chain-factor",
    "bug_Dual.pow_no_chain_factor_reused.ts": "pow-no-chain-factor",
    "bug_cos_sign_flipped.ts": "cos-derivative-sign",
    "bug_derivative_not_seeded.ts": "derivative-not-seeded",
    "bug_gradient_seeds_all_at_once.ts": "gradient-seeds-all",
  },
  mutants: [
    {
      name: "Dual_eps_undefined",
      symbol: "Dual",
      misconception: "Dual-eps-default",
      replace: [
        ["constructor(re: number, eps = 0) {", "constructor(re: number, eps?: number) {"],
        ["this.eps = eps;", "this.eps = eps as number;"],
      ],
    },
    {
      name: "add_eps_ignores_other",
      symbol: "Dual.add",
      misconception: "add-eps-ignores-other",
      replace: [["this.eps + that.eps,", "this.eps,"]],
    },
    {
      name: "sin_no_chain_factor",
      symbol: "sin",
      misconception: "sin-no-chain-factor",
      replace: [["x.eps * Math.cos(x.re),", "Math.cos(x.re),"]],
    },
    {
      name: "exp_no_chain_factor",
      symbol: "exp",
      misconception: "exp-no-chain-factor",
      replace: [["x.eps * Math.exp(x.re),", "Math.exp(x.re),"]],
    },
    {
      name: "log_no_chain_factor",
      symbol: "log",
      misconception: "log-no-chain-factor",
      replace: [["x.eps / x.re,", "1 / x.re,"]],
    },
    {
      name: "derivative_returns_value",
      symbol: "derivative",
      misconception: "derivative-returns-value",
      replace: [["return f(new Dual(x, 1)).eps;", "return f(new Dual(x, 1)).re;"]],
    },
    {
      // Finite differences need no dual number, and pass every case but the one whose f
      // withholds its value.
      name: "derivative_by_differences",
      symbol: "derivative",
      misconception: "derivative-by-differences",
      replace: [[
        "return f(new Dual(x, 1)).eps;",
        "return (f(new Dual(x + 1e-6)).re - f(new Dual(x - 1e-6)).re) / 2e-6;",
      ]],
    },
    {
      name: "gradient_by_differences",
      symbol: "gradient",
      misconception: "gradient-by-differences",
      replace: [[
        "return xs.map((_, i) => f(xs.map((x, j) => new Dual(x, i === j ? 1 : 0))).eps);",
        "return xs.map((_, i) => (f(xs.map((x, j) => new Dual(x + (i === j ? 1e-6 : 0)))).re - " +
        "f(xs.map((x, j) => new Dual(x - (i === j ? 1e-6 : 0)))).re) / 2e-6);",
      ]],
    },
    {
      name: "gradient_mutates_xs",
      symbol: "gradient",
      misconception: "gradient-mutates-input",
      replace: [[
        "return xs.map((_, i) => f(xs.map((x, j) => new Dual(x, i === j ? 1 : 0))).eps);",
        "const out = xs.map((_, i) => f(xs.map((x, j) => new Dual(x, i === j ? 1 : 0))).eps);\n  xs.fill(0);\n  return out;",
      ]],
    },
  ],
});

Deno.test("the suite of 01 asks about no misconception that an input the student passed rules out", async () => {
  // pow() right everywhere but at a base of 0, where it returns 0 + 0ε: (0 + bε)¹ then reads
  // as aᵖ written for aᵖ⁻¹, but that mistake would have failed (a + bε)¹ at a ≠ 0, which passed.
  const solution = await Deno.readTextFile(
    new URL("../../solutions/01-dual-numbers/dual.ts", import.meta.url),
  );
  const wrong = solution.replace(
    "  pow(p: number): Dual {\n",
    "  pow(p: number): Dual {\n    if (this.re === 0) return new Dual(0, 0);\n",
  );
  assert.notEqual(wrong, solution);
  const folder = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${folder}/dual.ts`, wrong);
    const module = await import(`file://${folder}/dual.ts`);
    const driver = offeredDriver("dual");
    assert.ok(driver);
    for (const seed of ["alpha", "beta", "gamma"]) {
      const [zero] = (await suite.cases(createRng(seed))).filter((c) =>
        c.name.endsWith("and a base of 0")
      );
      const verdict = await zero.judge(await runCalls(module, zero.calls, driver(module)));
      assert.equal(verdict.pass, false, `seed ${seed}: (0 + bε)¹ = 0 + bε`);
      assert.equal(verdict.symptoms, undefined, `seed ${seed}: ${verdict.symptoms}`);
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
