/**
 * Hidden tests of 01-dual-numbers (`dual.ts`).
 *
 * The operations are tested on dual numbers the student's own constructor builds, with ε
 * parts other than 1 (so a missing chain factor shows), plain-number operands, and chains
 * of the same operation; each input is an expression compiled to calls, and the expected
 * value comes from the same expression evaluated with the float64 value and derivative
 * rules below. A misconception is the same evaluation with one rule replaced by the
 * mistaken one, so it is recognised through chains too.
 *
 * `derivative()` and `gradient()` get trusted test functions from the driver
 * (grader/child/drivers/dual.ts) that use only the student's constructor, and are compared
 * with the reference core's `referenceGradient`. One case each of `cos` and `Dual.mul`
 * differentiates a formula in which that operation alone is the student's.
 *
 * @module
 */
import { z } from "zod";
import type { Rng } from "../../fixtures/random.ts";
import { dualGradient, type Ops, referenceGradient, testFunction } from "../../core/dual.ts";
import { closeEnough } from "../../core/precision.ts";
import {
  OPERAND,
  type Operation,
  slopeFunction,
  STAND_INS,
  trustedFunction,
  withheldFunction,
} from "../child/drivers/dual.ts";
import type { BuiltOn, Call, HiddenCase, HiddenSuite, Misconception, Verdict } from "../suite.ts";
import {
  allNear,
  describe,
  describeInputs,
  type Failure,
  firstFailure,
  judgeCalls,
  near,
  once,
  parse,
  round,
  show,
  unchangedFailure,
  valueOf,
  verdictOf,
} from "./_judge.ts";

/** A dual number a + bε as plain parts. */
interface Pair {
  re: number;
  eps: number;
}

const BINARY = ["add", "sub", "mul", "div"] as const;
const ELEMENTARY = ["sin", "cos", "exp", "log"] as const;
type Binary = typeof BINARY[number];
type Elementary = typeof ELEMENTARY[number];

/** An expression over dual numbers the student's code builds and combines. */
type Expr =
  /** `new Dual(re, eps)`, or `new Dual(re)` when `eps` is undefined. */
  | { kind: "dual"; re: number; eps?: number }
  | { kind: "binary"; op: Binary; a: Expr; b: Expr | number }
  | { kind: "pow"; a: Expr; p: number }
  | { kind: "neg"; a: Expr }
  | { kind: "fn"; op: Elementary; a: Expr };

const lift = (x: Pair | number): Pair => typeof x === "number" ? { re: x, eps: 0 } : x;

/** The value and derivative rules in float64: the expected values of the operations. */
const RULES: Ops<Pair> = {
  add: (x, o) => {
    const y = lift(o);
    return { re: x.re + y.re, eps: x.eps + y.eps };
  },
  sub: (x, o) => {
    const y = lift(o);
    return { re: x.re - y.re, eps: x.eps - y.eps };
  },
  mul: (x, o) => {
    const y = lift(o);
    return { re: x.re * y.re, eps: x.re * y.eps + x.eps * y.re };
  },
  div: (x, o) => {
    const y = lift(o);
    return { re: x.re / y.re, eps: (x.eps * y.re - x.re * y.eps) / (y.re * y.re) };
  },
  pow: (x, p) => ({ re: x.re ** p, eps: p * x.re ** (p - 1) * x.eps }),
  neg: (x) => ({ re: -x.re, eps: -x.eps }),
  sin: (x) => ({ re: Math.sin(x.re), eps: x.eps * Math.cos(x.re) }),
  cos: (x) => ({ re: Math.cos(x.re), eps: -x.eps * Math.sin(x.re) }),
  exp: (x) => ({ re: Math.exp(x.re), eps: x.eps * Math.exp(x.re) }),
  log: (x) => ({ re: Math.log(x.re), eps: x.eps / x.re }),
};

const MISCONCEPTIONS: Misconception[] = [
  {
    id: "Dual-eps-default",
    symbol: "Dual",
    question: "What does new Dual(a) store as its ε part when eps is left out?",
  },
  {
    id: "Dual-parts-swapped",
    symbol: "Dual",
    question: "Does re hold the first constructor argument and eps the second?",
  },
  {
    id: "add-eps-ignores-other",
    symbol: "Dual.add",
    question: "Does the ε part of a sum include the ε part of the other operand?",
  },
  {
    id: "sub-eps-added",
    symbol: "Dual.sub",
    question: "Is the ε part of x − y the difference of the ε parts, or their sum?",
  },
  {
    id: "sub-reversed",
    symbol: "Dual.sub",
    question: "Does x.sub(y) compute x − y, or y − x?",
  },
  {
    id: "mul-missing-term",
    symbol: "Dual.mul",
    question: "Multiply (a + bε)(c + dε) out: does your ε part keep both a·d and b·c?",
  },
  {
    id: "mul-parts-multiplied",
    symbol: "Dual.mul",
    question: "Is the ε part of a product the product of the ε parts, b·d? What happens to bdε²?",
  },
  {
    id: "div-quotient-sign",
    symbol: "Dual.div",
    question: "In the quotient rule (bc − ad)/c², which sign does the a·d term carry in yours?",
  },
  {
    id: "div-quotient-reversed",
    symbol: "Dual.div",
    question:
      "Your ε part has the opposite sign on every input: in (bc − ad)/c², which product comes first?",
  },
  {
    id: "div-no-square",
    symbol: "Dual.div",
    question: "Does the ε part of x / y divide by c², the square of the denominator's value?",
  },
  {
    id: "pow-no-chain-factor",
    symbol: "Dual.pow",
    question: "Your ε part is right only when b = 1: where does b, the base's ε part, go?",
  },
  {
    id: "pow-exponent-not-lowered",
    symbol: "Dual.pow",
    question: "Is the derivative of aᵖ written with aᵖ⁻¹ in your code, or with aᵖ?",
  },
  ...[...BINARY, "pow", "neg"].map((op) => ({
    id: `Dual.${op}-mutates-operand`,
    symbol: `Dual.${op}`,
    question: `Does ${op}() write into this (or its argument) and return it, ` +
      "instead of returning a new Dual?",
  })),
  ...ELEMENTARY.map((op) => ({
    id: `${op}-mutates-operand`,
    symbol: op,
    question: `Does ${op}() write into the Dual it was given instead of returning a new one?`,
  })),
  {
    id: "neg-eps-kept",
    symbol: "Dual.neg",
    question: "Does −(a + bε) negate the ε part as well as the value?",
  },
  {
    id: "sin-no-chain-factor",
    symbol: "sin",
    question: "Your ε part is right only when b = 1: is it multiplied by b, the input's ε part?",
  },
  {
    id: "sin-derivative-sign",
    symbol: "sin",
    question: "What is the derivative of sin, and which sign does yours carry?",
  },
  {
    id: "cos-derivative-sign",
    symbol: "cos",
    question: "Is the derivative of cos +sin or −sin, and which sign does your ε part carry?",
  },
  {
    id: "cos-no-chain-factor",
    symbol: "cos",
    question: "Your ε part is right only when b = 1: is it multiplied by b, the input's ε part?",
  },
  {
    id: "exp-no-chain-factor",
    symbol: "exp",
    question: "Your ε part is right only when b = 1: is it multiplied by b, the input's ε part?",
  },
  {
    id: "log-no-chain-factor",
    symbol: "log",
    question: "Your ε part is right only when b = 1: is it multiplied by b, the input's ε part?",
  },
  {
    id: "log-base-10",
    symbol: "log",
    question: "Which logarithm is the lecture's log: the natural one (Math.log), or base 10?",
  },
  {
    id: "derivative-not-seeded",
    symbol: "derivative",
    question:
      "Which ε part does the dual number you pass to f carry, and which value makes the ε part of f's result f'(x)?",
  },
  {
    id: "derivative-returns-value",
    symbol: "derivative",
    question: "Which part of f(x + ε) holds f'(x), and which one do you return?",
  },
  {
    id: "derivative-by-differences",
    symbol: "derivative",
    question: "Do you read f'(x) from the ε part of f(new Dual(x, 1))? This f withholds its " +
      "value, so differences of values (a finite difference) tell nothing.",
  },
  {
    id: "gradient-by-differences",
    symbol: "gradient",
    question: "Does each pass read ∂f/∂xᵢ from the ε part of f? This f withholds its value, " +
      "so differences of values (a finite difference) tell nothing.",
  },
  {
    id: "gradient-seeds-all",
    symbol: "gradient",
    question:
      "Every entry of your gradient is the sum of the partial derivatives: is ε = 1 seeded on one variable per pass?",
  },
  {
    id: "gradient-not-seeded",
    symbol: "gradient",
    question: "Does any variable get an ε part of 1 in your passes?",
  },
  {
    id: "gradient-mutates-input",
    symbol: "gradient",
    question: "Does gradient() write into the array xs it was given?",
  },
];

/** Each operation misconception: the rules it replaces (any one of the lists' entries). */
const MISTAKEN_RULES: Record<string, Partial<Ops<Pair>>[]> = {
  "add-eps-ignores-other": [{ add: (x, o) => ({ re: x.re + lift(o).re, eps: x.eps }) }],
  "sub-eps-added": [{
    sub: (x, o) => ({ re: x.re - lift(o).re, eps: x.eps + lift(o).eps }),
  }],
  "sub-reversed": [{
    sub: (x, o) => ({ re: lift(o).re - x.re, eps: lift(o).eps - x.eps }),
  }],
  "mul-missing-term": [
    { mul: (x, o) => ({ re: x.re * lift(o).re, eps: x.eps * lift(o).re }) },
    { mul: (x, o) => ({ re: x.re * lift(o).re, eps: x.re * lift(o).eps }) },
  ],
  "mul-parts-multiplied": [{
    mul: (x, o) => ({ re: x.re * lift(o).re, eps: x.eps * lift(o).eps }),
  }],
  "div-quotient-sign": [{
    div: (x, o) => {
      const y = lift(o);
      return { re: x.re / y.re, eps: (x.eps * y.re + x.re * y.eps) / (y.re * y.re) };
    },
  }],
  "div-quotient-reversed": [{
    div: (x, o) => {
      const y = lift(o);
      return { re: x.re / y.re, eps: (x.re * y.eps - x.eps * y.re) / (y.re * y.re) };
    },
  }],
  "div-no-square": [{
    div: (x, o) => {
      const y = lift(o);
      return { re: x.re / y.re, eps: (x.eps * y.re - x.re * y.eps) / y.re };
    },
  }],
  "pow-no-chain-factor": [{ pow: (x, p) => ({ re: x.re ** p, eps: p * x.re ** (p - 1) }) }],
  "pow-exponent-not-lowered": [{
    pow: (x, p) => ({ re: x.re ** p, eps: p * x.re ** p * x.eps }),
  }],
  "neg-eps-kept": [{ neg: (x) => ({ re: -x.re, eps: x.eps }) }],
  "sin-no-chain-factor": [{ sin: (x) => ({ re: Math.sin(x.re), eps: Math.cos(x.re) }) }],
  "sin-derivative-sign": [{
    sin: (x) => ({ re: Math.sin(x.re), eps: -x.eps * Math.cos(x.re) }),
  }],
  "cos-derivative-sign": [{
    cos: (x) => ({ re: Math.cos(x.re), eps: x.eps * Math.sin(x.re) }),
  }],
  "cos-no-chain-factor": [{ cos: (x) => ({ re: Math.cos(x.re), eps: -Math.sin(x.re) }) }],
  "exp-no-chain-factor": [{ exp: (x) => ({ re: Math.exp(x.re), eps: Math.exp(x.re) }) }],
  "log-no-chain-factor": [{ log: (x) => ({ re: Math.log(x.re), eps: 1 / x.re }) }],
  "log-base-10": [
    { log: (x) => ({ re: Math.log10(x.re), eps: x.eps / x.re }) },
    { log: (x) => ({ re: Math.log10(x.re), eps: x.eps / (x.re * Math.LN10) }) },
  ],
};

/** The misconceptions of `symbol` that replace a rule, with their rule sets. */
function mistakesOf(symbol: string): { id: string; rules: Ops<Pair> }[] {
  return MISCONCEPTIONS.filter((m) => m.symbol === symbol && MISTAKEN_RULES[m.id])
    .flatMap((m) =>
      MISTAKEN_RULES[m.id].map((rules) => ({ id: m.id, rules: { ...RULES, ...rules } }))
    );
}

function evaluate(expr: Expr, ops: Ops<Pair>): Pair {
  switch (expr.kind) {
    case "dual":
      return { re: expr.re, eps: expr.eps ?? 0 };
    case "binary": {
      const b = typeof expr.b === "number" ? expr.b : evaluate(expr.b, ops);
      return ops[expr.op](evaluate(expr.a, ops), b);
    }
    case "pow":
      return ops.pow(evaluate(expr.a, ops), expr.p);
    case "neg":
      return ops.neg(evaluate(expr.a, ops));
    case "fn":
      return ops[expr.op](evaluate(expr.a, ops));
  }
}

function text(expr: Expr): string {
  switch (expr.kind) {
    case "dual": {
      if (expr.eps === undefined) return `new Dual(${expr.re})`;
      const size = Math.abs(expr.eps);
      return `(${expr.re} ${expr.eps < 0 ? "−" : "+"} ${size === 1 ? "" : size}ε)`;
    }
    case "binary":
      return `${text(expr.a)}.${expr.op}(${
        typeof expr.b === "number" ? expr.b : text(expr.b).replace(/^\((.*)\)$/, "$1")
      })`;
    case "pow":
      return `${text(expr.a)}.pow(${expr.p})`;
    case "neg":
      return `${text(expr.a)}.neg()`;
    case "fn":
      return `${expr.op}(${text(expr.a).replace(/^\((.*)\)$/, "$1")})`;
  }
}

const RE_EPS = ["re", "eps"];

/** Appends the calls that build `expr` and returns the index of the call holding its value. */
function compile(expr: Expr, calls: Call[], built: Map<Expr, number>): number {
  const known = built.get(expr);
  if (known !== undefined) return known;
  let call: Call;
  switch (expr.kind) {
    case "dual":
      call = {
        fn: "Dual",
        construct: true,
        args: expr.eps === undefined ? [expr.re] : [expr.re, expr.eps],
        read: RE_EPS,
      };
      break;
    case "binary": {
      const on = compile(expr.a, calls, built);
      const b = typeof expr.b === "number" ? expr.b : { $ref: compile(expr.b, calls, built) };
      call = { fn: expr.op, on, args: [b], read: RE_EPS };
      break;
    }
    case "pow":
      call = { fn: "pow", on: compile(expr.a, calls, built), args: [expr.p], read: RE_EPS };
      break;
    case "neg":
      call = { fn: "neg", on: compile(expr.a, calls, built), args: [], read: RE_EPS };
      break;
    case "fn":
      call = { fn: expr.op, args: [{ $ref: compile(expr.a, calls, built) }], read: RE_EPS };
      break;
  }
  calls.push(call);
  built.set(expr, calls.length - 1);
  return calls.length - 1;
}

const DualSchema = z.object({ re: z.number(), eps: z.number() });

function showDual(value: unknown): string {
  const v = (value ?? {}) as Record<string, unknown>;
  return `re = ${describe(v.re)}, eps = ${describe(v.eps)}`;
}

/**
 * A case whose inputs are expressions: each is built with the student's calls and its
 * final value compared with the float64 rules.
 */
function expressionCase(
  symbol: string,
  name: string,
  exprs: Expr[],
  options: { unchanged?: boolean } = {},
): HiddenCase {
  const calls: Call[] = [];
  const inputs = exprs.map((expr) => {
    const built = new Map<Expr, number>();
    const output = compile(expr, calls, built);
    const leaves = [...built].filter(([e]) => e.kind === "dual") as [
      Extract<Expr, { kind: "dual" }>,
      number,
    ][];
    // With `unchanged`, each operand is read again once the expression is built.
    const after = options.unchanged
      ? leaves.map(([, index]) =>
        calls.push({ fn: OPERAND, trusted: true, args: [{ $ref: index }], read: RE_EPS }) - 1
      )
      : [];
    return { expr, output, leaves, after };
  });
  const mistakes = mistakesOf(symbol);
  return {
    symbol,
    name: `${symbol}(): ${name}`,
    calls,
    input: describeInputs(
      exprs.map((e) =>
        e.kind === "dual"
          ? `new Dual(${[e.re, e.eps].filter((v) => v !== undefined).join(", ")})`
          : text(e)
      ),
    ),
    judge(results) {
      const failure = firstFailure(calls, results);
      if (failure) return { pass: false, reason: failure };
      /**
       * The misconceptions each passing input's result agrees with too: one that would have
       * changed a result the student got right is not theirs (at a = 0, (a + bε)¹ read with
       * aᵖ in place of aᵖ⁻¹ gives the 0 a rule that special-cases a = 0 gives, but the same
       * mistake would have failed (2 + bε)¹).
       */
      const alsoPassing: string[][] = [];
      const verdict = verdictOf(
        inputs.map(({ expr, output, leaves, after }): Failure | undefined => {
          if (symbol === "Dual") {
            return checkConstructed(
              expr as Extract<Expr, { kind: "dual" }>,
              valueOf(results[output]),
            );
          }
          for (const [leaf, index] of leaves) {
            const built = parse(DualSchema, valueOf(results[index]));
            if (
              !built || !closeEnough("dual.value", built.re, leaf.re, 0) ||
              !closeEnough("dual.value", built.eps, leaf.eps ?? 0, 0)
            ) {
              return {
                reason: `${text(leaf)} reads back as ${showDual(valueOf(results[index]))}: ` +
                  "fix the Dual constructor first",
              };
            }
          }
          // Compared with what the operand read when it was built (a float32 Dual reads back
          // rounded): any change since is the operation's.
          const changed = after.findIndex((index, j) => {
            const now = parse(DualSchema, valueOf(results[index]));
            const then = parse(DualSchema, valueOf(results[leaves[j][1]]));
            return !now || !then || !Object.is(now.re, then.re) || !Object.is(now.eps, then.eps);
          });
          if (changed >= 0) {
            return {
              reason: `${text(expr)} changed its operand ${text(leaves[changed][0])}, which ` +
                `reads back as ${showDual(valueOf(results[after[changed]]))} afterwards: ` +
                "return a new Dual and leave the operands as they were",
              symptoms: [`${symbol}-mutates-operand`],
            };
          }
          const unchanged = after.length > 0
            ? "the operands are unchanged, but this test also needs the right result: "
            : "";
          const value = valueOf(results[output]);
          const actual = parse(DualSchema, value);
          if (!actual) return { reason: `${unchanged}the result has ${showDual(value)}` };
          const expected = evaluate(expr, RULES);
          const reOk = closeEnough("dual.value", actual.re, expected.re);
          const epsOk = closeEnough("dual.gradient", actual.eps, expected.eps);
          const agreeing = () =>
            mistakes.filter(({ rules }) => {
              const mistaken = evaluate(expr, rules);
              return near(actual.re, mistaken.re) && near(actual.eps, mistaken.eps);
            }).map(({ id }) => id);
          if (reOk && epsOk) {
            alsoPassing.push(agreeing());
            return undefined;
          }
          const reason = unchanged +
            (!reOk && !epsOk
              ? `both parts are wrong: you returned ${showDual(actual)}`
              : reOk
              ? `the ε part is wrong: you returned eps = ${show(actual.eps)}`
              : `the value is wrong: you returned re = ${show(actual.re)}`);
          return { reason, symptoms: [...new Set(agreeing())] };
        }),
      );
      if (verdict.pass || verdict.symptoms === undefined) return verdict;
      // (An operand changed is seen, not inferred: it stays.)
      const inferred = new Set(mistakes.map(({ id }) => id));
      const symptoms = verdict.symptoms.filter((id) =>
        !inferred.has(id) || alsoPassing.every((ids) => ids.includes(id))
      );
      const { symptoms: _, ...rest } = verdict;
      return symptoms.length > 0 ? { ...rest, symptoms } : rest;
    },
  };
}

function checkConstructed(
  leaf: Extract<Expr, { kind: "dual" }>,
  value: unknown,
): Failure | undefined {
  const raw = (value ?? {}) as Record<string, unknown>;
  const actual = parse(DualSchema, value);
  const eps = leaf.eps ?? 0;
  // Constructing stores numbers as they are: no rounding beyond float32 is a mistake.
  if (
    actual && closeEnough("dual.value", actual.re, leaf.re, 0) &&
    closeEnough("dual.value", actual.eps, eps, 0)
  ) {
    return undefined;
  }
  const symptoms: string[] = [];
  if (leaf.eps === undefined && (raw.eps === undefined || Number.isNaN(raw.eps))) {
    symptoms.push("Dual-eps-default");
  }
  if (actual && leaf.eps !== undefined && near(actual.re, eps, 0) && near(actual.eps, leaf.re, 0)) {
    symptoms.push("Dual-parts-swapped");
  }
  return { reason: `it reads back as ${showDual(value)}`, symptoms };
}

/** Draws a number on a grid of 0.01 in [low, high), away from the values in `avoid`. */
function draw(rng: Rng, low: number, high: number, avoid: number[] = []): number {
  for (let tries = 0; tries < 100; tries++) {
    const x = round(rng.between(low, high));
    if (avoid.every((a) => Math.abs(x - a) >= 0.2)) return x;
  }
  return round((low + high) / 2 + 0.37);
}

/** An ε part other than 0 and 1, so that a missing or wrong chain factor shows. */
const nonUnit = (rng: Rng) => draw(rng, -3, 3, [0, 1]);
const dual = (re: number, eps?: number): Expr => ({ kind: "dual", re, eps });
const binary = (op: Binary, a: Expr, b: Expr | number): Expr => ({ kind: "binary", op, a, b });
const fn = (op: Elementary, a: Expr): Expr => ({ kind: "fn", op, a });
const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));

function constructorCases(rng: Rng): HiddenCase[] {
  const scaled = (i: number) => {
    const mantissa = draw(rng, 1, 9.99);
    const exponent = [8, -9, 6, -12][i];
    return round(mantissa * 10 ** exponent * (i % 2 === 0 ? -1 : 1), 14 - Math.max(0, exponent));
  };
  return [
    expressionCase(
      "Dual",
      "stores re and eps",
      times(4, () => dual(draw(rng, -5, 5), nonUnit(rng))),
    ),
    expressionCase("Dual", "eps defaults to 0", times(3, () => dual(draw(rng, -5, 5)))),
    expressionCase("Dual", "keeps large, tiny and negative parts", [
      dual(scaled(0), scaled(1)),
      dual(scaled(3), scaled(2)),
      dual(0, -draw(rng, 0.5, 3)),
    ]),
  ];
}

/** Where each elementary function's inputs lie, and where a chain f(f(x)) stays defined. */
const DOMAINS: Record<Elementary, { single: [number, number]; chain: [number, number] }> = {
  sin: { single: [-3, 3], chain: [-3, 3] },
  cos: { single: [-3, 3], chain: [-3, 3] },
  exp: { single: [-2, 2], chain: [-2, 1] },
  log: { single: [0.2, 5], chain: [3, 20] },
};

function elementaryCases(rng: Rng, op: Elementary): HiddenCase[] {
  const { single, chain } = DOMAINS[op];
  const at = (domain: [number, number]) => draw(rng, domain[0], domain[1]);
  // Three deep for sin and cos: in f(f(x)) a flipped sign of f' cancels out.
  const depth = op === "sin" || op === "cos" ? 3 : 2;
  const nested = (x: Expr) => {
    let e = x;
    for (let i = 0; i < depth; i++) e = fn(op, e);
    return e;
  };
  return [
    expressionCase(
      op,
      `ε part of ${op}(a + bε) for b other than 1`,
      times(4, () => fn(op, dual(at(single), nonUnit(rng)))),
    ),
    expressionCase(op, `${op}(a + ε) and ${op}(a + 0ε), a seed and a constant`, [
      fn(op, dual(at(single), 1)),
      fn(op, dual(at(single), 0)),
      fn(op, dual(at(single), 1)),
    ]),
    expressionCase(
      op,
      `the chain ${`${op}(`.repeat(depth)}a + bε${")".repeat(depth)}`,
      times(3, () => nested(dual(at(chain), nonUnit(rng)))),
    ),
    expressionCase(
      op,
      `leaves its argument unchanged`,
      times(2, () => fn(op, dual(at(single), nonUnit(rng)))),
      { unchanged: true },
    ),
  ];
}

function binaryCases(rng: Rng, op: Binary): HiddenCase[] {
  // Denominators stay away from 0.
  const other = () =>
    op === "div" ? (rng.uniform() < 0.5 ? -1 : 1) * draw(rng, 0.5, 3) : draw(rng, -3, 3);
  const x = () => dual(draw(rng, -3, 3), nonUnit(rng));
  const y = () => dual(other(), nonUnit(rng));
  const symbol = `Dual.${op}`;
  const formula = { add: "+", sub: "−", mul: "·", div: "/" }[op];
  return [
    expressionCase(
      symbol,
      `(a + bε) ${formula} (c + dε) for ε parts other than 1`,
      times(4, () => binary(op, x(), y())),
    ),
    expressionCase(
      symbol,
      `a plain number as the other operand`,
      times(3, () => binary(op, x(), other())),
    ),
    expressionCase(
      symbol,
      `the chain (x ${formula} y) ${formula} z`,
      times(3, () => binary(op, binary(op, x(), y()), y())),
    ),
    expressionCase(
      symbol,
      "leaves both operands unchanged",
      times(2, () => binary(op, x(), y())),
      { unchanged: true },
    ),
  ];
}

function mulCases(rng: Rng): HiddenCase[] {
  return [
    ...binaryCases(rng, "mul"),
    expressionCase(
      "Dual.mul",
      "x.mul(x), the same dual number twice",
      times(3, () => {
        const x = dual(draw(rng, -3, 3), nonUnit(rng));
        return binary("mul", x, x);
      }),
    ),
    chainCase(rng, "Dual.mul", "mul", "x*y*z - log(x + z^2)"),
  ];
}

function powCases(rng: Rng): HiddenCase[] {
  const base = () => dual(draw(rng, 0.3, 3), nonUnit(rng));
  const pick = (ps: number[]) => ps[rng.int(ps.length)];
  const pow = (a: Expr, p: number): Expr => ({ kind: "pow", a, p });
  return [
    expressionCase(
      "Dual.pow",
      "(a + bε)ᵖ for whole p and b other than 1",
      times(4, () => pow(base(), pick([2, 3, 4, -1, -2]))),
    ),
    expressionCase(
      "Dual.pow",
      "fractional and negative exponents",
      times(4, () => pow(base(), pick([0.5, 1.5, -0.5, 2.5, -1.5]))),
    ),
    // A base of 0 with a whole p ≥ 1 has a derivative (1 for p = 1, 0 above), which a rule
    // that special-cases a = 0, or computes aᵖ⁻¹ as aᵖ/a, gets wrong.
    expressionCase("Dual.pow", "p = 0 and p = 1, and a base of 0", [
      pow(base(), 0),
      pow(base(), 1),
      pow(dual(0, nonUnit(rng)), 1),
      pow(dual(0, nonUnit(rng)), pick([2, 3])),
    ]),
    expressionCase(
      "Dual.pow",
      "the chain ((a + bε)ᵖ)^q",
      times(3, () => pow(pow(base(), pick([2, 3, 0.5])), pick([2, -1, 1.5]))),
    ),
    expressionCase(
      "Dual.pow",
      "leaves its base unchanged",
      times(2, () => pow(base(), pick([2, 3, -1, 0.5]))),
      { unchanged: true },
    ),
  ];
}

function negCases(rng: Rng): HiddenCase[] {
  const neg = (a: Expr): Expr => ({ kind: "neg", a });
  const x = () => dual(draw(rng, -3, 3), nonUnit(rng));
  return [
    expressionCase("Dual.neg", "−(a + bε)", times(3, () => neg(x()))),
    expressionCase(
      "Dual.neg",
      "a constant, −(a + 0ε)",
      times(3, () => neg(dual(draw(rng, -3, 3), 0))),
    ),
    expressionCase("Dual.neg", "the chain −(−(−(a + bε)))", times(3, () => neg(neg(neg(x()))))),
    expressionCase("Dual.neg", "leaves its operand unchanged", times(2, () => neg(x())), {
      unchanged: true,
    }),
  ];
}

/** Points on a test function's domain, on a grid of 0.01. */
function pointsOn(rng: Rng, name: string, count: number): number[][] {
  const { domain } = testFunction(name);
  return times(count, () => domain.map(([low, high]) => draw(rng, low + 0.01, high - 0.01)));
}

/**
 * The expected values and gradients of test function `name` at `points`, by forward mode
 * on dual tensors. `confirm()` passes a verdict on once the core's `referenceGradient` has
 * vouched for them: it differentiates by `tf.grads` too, and throws where the two modes
 * disagree (a fault of the backend, which then fails the case as the grader's own error).
 * Only a failing verdict waits for it: no student loses a point on a value the core could
 * not confirm, and correct work, the common case, pays for one mode instead of two.
 */
function referenceOf(name: string, points: number[][]) {
  const confirmed = once(() => referenceGradient(name, points));
  return {
    expected: once(() => dualGradient(testFunction(name), points)),
    async confirm(verdict: Verdict): Promise<Verdict> {
      if (!verdict.pass) await confirmed();
      return verdict;
    },
  };
}

/**
 * The gradient of a test function at several points by trusted forward mode (the driver
 * seeds ε with the student's `Dual` and reads the ε parts back), with the operation `op`
 * the student's own and every other operation trusted: the operation is tested in a chain,
 * and a wrong `derivative()` or `gradient()` costs nothing here.
 */
function chainCase(rng: Rng, symbol: string, op: Operation, name: string): HiddenCase {
  const arity = testFunction(name).domain.length;
  const points = pointsOn(rng, name, 3);
  const calls: Call[] = points.map((p) => ({
    fn: slopeFunction(op, name),
    trusted: true,
    args: [arity === 1 ? p[0] : p],
  }));
  const reference = referenceOf(name, points);
  const mistakes = mistakesOf(symbol);
  const Result = z.array(z.number()).length(arity);
  const what = arity === 1 ? `the slope of ${name}` : `∇(${name})`;
  return {
    symbol,
    name: `${symbol}(): ${what} by forward mode through your ${op}`,
    calls,
    input: describeInputs(
      points.map((p) => `${name} at ${arity === 1 ? p[0] : `[${p.join(", ")}]`}`),
    ),
    async judge(results) {
      // What throws in there is the student's code: it is named as the operation.
      const failure = firstFailure(calls.map(() => ({ fn: symbol, args: [] })), results);
      if (failure) return { pass: false, reason: failure };
      const { gradients } = await reference.expected();
      return await reference.confirm(verdictOf(points.map((point, i): Failure | undefined => {
        const chained = parse(Result, valueOf(results[i]));
        const expected = gradients[i];
        if (chained?.every((c, j) => closeEnough("dual.gradient", c, expected[j]))) {
          return undefined;
        }
        if (!chained) {
          return {
            reason: `with your ${op} inside, the ε parts read back as ` +
              describe(valueOf(results[i])),
          };
        }
        const reason = `with your ${op} inside, the ε part${arity === 1 ? " is" : "s are"} ${
          arity === 1 ? show(chained[0]) : `[${chained.map(show).join(", ")}]`
        }, which does not match the same function built from trusted operations`;
        const symptoms = [
          ...new Set(
            mistakes.filter(({ rules }) => {
              const mistaken = differentiate(name, point, rules);
              return allNear(chained, mistaken);
            }).map(({ id }) => id),
          ),
        ];
        return { reason, symptoms };
      })));
    },
  };
}

/** ∇f at a point, in float64 with the given rules: one pass per variable. */
function differentiate(name: string, point: number[], rules: Ops<Pair>): number[] {
  const { f } = testFunction(name);
  return point.map((_, i) => f(rules, point.map((x, j) => ({ re: x, eps: i === j ? 1 : 0 }))).eps);
}

/**
 * A trusted test function as `derivative()` and `gradient()` are handed it (its driver id),
 * and as the case's name and inputs call it; `withheld`: with its value part withheld (see
 * the driver's `withheldFunction`).
 */
function offeredFunction(name: string, withheld: boolean): { $fn: string; f: string } {
  return withheld
    ? { $fn: withheldFunction(name), f: `${name}, its value withheld` }
    : { $fn: trustedFunction(name), f: name };
}

/**
 * `derivative()` of one trusted test function at several points; `withheld`: with the
 * function's value part withheld (see the driver's `withheldFunction`).
 */
function derivativeCase(
  rng: Rng,
  name: string,
  extra: number[] = [],
  { withheld = false } = {},
): HiddenCase {
  const points = [...pointsOn(rng, name, 4 - extra.length), ...extra.map((x) => [x])];
  const { $fn, f } = offeredFunction(name, withheld);
  const calls: Call[] = points.map(([x]) => ({ fn: "derivative", args: [{ $fn }, x] }));
  const reference = referenceOf(name, points);
  return {
    symbol: "derivative",
    name: `derivative(): slope of ${f}`,
    calls,
    input: describeInputs(points.map(([x]) => `f(x) = ${f} at x = ${x}`)),
    async judge(results) {
      const failure = firstFailure(calls, results);
      if (failure) return { pass: false, reason: failure };
      const { values, gradients } = await reference.expected();
      return await reference.confirm(verdictOf(points.map((_, i): Failure | undefined => {
        const value = valueOf(results[i]);
        const actual = parse(z.number(), value);
        if (actual === undefined) {
          return { reason: `derivative() returned ${describe(value)}, expected a number` };
        }
        const expected = gradients[i][0];
        if (closeEnough("dual.gradient", actual, expected)) return undefined;
        const symptoms: string[] = [];
        if (near(actual, 0) && !near(expected, 0)) {
          symptoms.push("derivative-not-seeded");
          // With the value withheld (0), a 0 is also the value, or a difference of values.
          if (withheld) symptoms.push("derivative-returns-value", "derivative-by-differences");
        }
        if (!withheld && near(actual, values[i])) symptoms.push("derivative-returns-value");
        return { reason: `you returned ${show(actual)}`, symptoms };
      })));
    },
  };
}

/**
 * `gradient()` of one trusted test function at several points; `withheld`: with the
 * function's value part withheld (see the driver's `withheldFunction`).
 */
function gradientCase(rng: Rng, name: string, { withheld = false } = {}): HiddenCase {
  const points = pointsOn(rng, name, 3);
  const { $fn, f } = offeredFunction(name, withheld);
  const calls: Call[] = points.map((p) => ({ fn: "gradient", args: [{ $fn }, p] }));
  const reference = referenceOf(name, points);
  return {
    symbol: "gradient",
    name: `gradient(): ∇ of ${f}`,
    calls,
    input: describeInputs(points.map((p) => `f = ${f} at [${p.join(", ")}]`)),
    async judge(results) {
      const failure = firstFailure(calls, results);
      if (failure) return { pass: false, reason: failure };
      const { gradients } = await reference.expected();
      return await reference.confirm(
        verdictOf(points.map((_, i) => {
          const failure = checkGradient(valueOf(results[i]), gradients[i]);
          // With the value withheld (0), zeros are also differences of values.
          return withheld && failure?.symptoms?.includes("gradient-not-seeded")
            ? { ...failure, symptoms: [...failure.symptoms, "gradient-by-differences"] }
            : failure;
        })),
      );
    },
  };
}

/** Checks what `gradient()` returned against the reference gradient `expected`. */
function checkGradient(value: unknown, expected: number[]): Failure | undefined {
  const actual = parse(z.array(z.number()).length(expected.length), value);
  if (!actual) {
    return {
      reason: `gradient() returned ${describe(value)}, expected ${expected.length} numbers`,
    };
  }
  if (actual.every((a, j) => closeEnough("dual.gradient", a, expected[j]))) {
    return undefined;
  }
  const sum = expected.reduce((s, g) => s + g, 0);
  const symptoms: string[] = [];
  if (allNear(actual, expected.map(() => sum))) symptoms.push("gradient-seeds-all");
  if (allNear(actual, expected.map(() => 0))) symptoms.push("gradient-not-seeded");
  return { reason: `you returned [${actual.map(show).join(", ")}]`, symptoms };
}

function gradientMutationCase(rng: Rng): HiddenCase {
  const name = "cos(x*y)";
  const points = pointsOn(rng, name, 3);
  const calls: Call[] = points.map((p) => ({
    fn: "gradient",
    args: [{ $fn: trustedFunction(name) }, p],
    returnArgs: true,
  }));
  const reference = referenceOf(name, points);
  return {
    symbol: "gradient",
    name: "gradient(): does not change xs",
    calls,
    input: describeInputs(points.map((p) => `f = ${name} at xs = [${p.join(", ")}]`)),
    async judge(results) {
      const { gradients } = await reference.expected();
      // Leaving xs alone earns nothing unless the gradient is right too.
      return await reference.confirm(
        await judgeCalls(results, calls, (value, i) =>
          unchangedFailure(
            calls[i],
            value,
            ["f", "xs"],
            "gradient-mutates-input",
            (result) => checkGradient(result, gradients[i]),
          )),
      );
    },
  };
}

/** The hidden suite of 01-dual-numbers. */
export const suite: HiddenSuite = {
  exercise: "01-dual-numbers",
  misconceptions: MISCONCEPTIONS,
  // What an operation may be written with (its README's hints suggest some): a bug in
  // pow() then costs pow()'s point, not div()'s too. The constructor has no stand-in, and
  // derivative() and gradient() are tested through trusted functions.
  builtOn: {
    "Dual.add": [],
    // x − y = x + (−y), or x + (−1)·y.
    "Dual.sub": ["Dual.add", "Dual.neg", "Dual.mul"],
    "Dual.mul": [],
    // x / y = x · y⁻¹.
    "Dual.div": ["Dual.mul", "Dual.pow"],
    // Repeated products, or xᵖ = exp(p · log x).
    "Dual.pow": ["Dual.mul", "exp", "log"],
    // −x = (−1)·x, or 0 − x.
    "Dual.neg": ["Dual.mul", "Dual.sub"],
    // sin x = cos(π/2 − x) and cos x = sin(x + π/2).
    sin: ["cos", "Dual.add", "Dual.sub", "Dual.neg"],
    cos: ["sin", "Dual.add", "Dual.sub", "Dual.neg"],
    exp: [],
    log: [],
  } satisfies BuiltOn<typeof STAND_INS>,
  cases(rng) {
    const group = (label: string) => rng.fork(label);
    const cos = group("cos");
    return [
      ...constructorCases(group("Dual")),
      ...binaryCases(group("Dual.add"), "add"),
      ...binaryCases(group("Dual.sub"), "sub"),
      ...mulCases(group("Dual.mul")),
      ...binaryCases(group("Dual.div"), "div"),
      ...powCases(group("Dual.pow")),
      ...negCases(group("Dual.neg")),
      ...elementaryCases(group("sin"), "sin"),
      ...elementaryCases(cos, "cos"),
      chainCase(cos, "cos", "cos", "-cos(2x)"),
      ...elementaryCases(group("exp"), "exp"),
      ...elementaryCases(group("log"), "log"),
      ...((d: Rng) => [
        derivativeCase(d, "x^3 - 2x + 1"),
        derivativeCase(d, "sqrt(x)"),
        derivativeCase(d, "sin(x)/x", [], { withheld: true }),
        derivativeCase(d, "exp(sin(x))*log(x)"),
        derivativeCase(d, "-cos(2x)", [0]),
        // A finite difference, which needs no dual number, passes every case whose f shows
        // its value.
        derivativeCase(d, "x^3 - 2x + 1", [], { withheld: true }),
      ])(group("derivative")),
      ...((g: Rng) => [
        gradientCase(g, "x*y"),
        gradientCase(g, "x/y"),
        gradientCase(g, "x^2*y - exp(-y)", { withheld: true }),
        gradientCase(g, "x*y*z - log(x + z^2)"),
        gradientMutationCase(g),
        gradientCase(g, "x*y", { withheld: true }),
      ])(group("gradient")),
    ];
  },
};
