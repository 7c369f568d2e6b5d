import "../child/drivers/dual.ts";
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
