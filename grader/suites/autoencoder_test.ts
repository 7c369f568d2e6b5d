import assert from "node:assert/strict";
import * as core from "../../core/autoencoder.ts";
import { initCore } from "../../core/backend.ts";
import { exerciseById } from "../../course/metadata.ts";
import { createRng } from "../../fixtures/random.ts";
import { runCalls, toWire } from "../child/calls.ts";
import type { CallResult, HiddenCase, Verdict } from "../suite.ts";
import { garbageModules } from "./_check_suite.ts";
import { suite } from "./autoencoder.ts";

await initCore({ backend: "cpu" });

type Module = Record<string, unknown>;
type Fn = (...args: never[]) => unknown;

const EXERCISE = exerciseById("05-autoencoder");
const SEEDS = ["alice", "bob", "carol"];
const ROOT = new URL("../../", import.meta.url);
const VARIANTS = new URL("tests/variants/05-autoencoder/", ROOT);

/** The bug variants and the misconception each must show. */
const BUGS: Record<string, string> = {
  "bug_forward_activation_before_bias.ts": "forward-activation-before-bias",
  "bug_forward_no_bias.ts": "forward-no-bias",
  "bug_forward_relu_as_abs.ts": "forward-relu-not-zero",
  "bug_forward_weights_transposed.ts": "forward-weights-transposed",
  "bug_reconstructionError_abs_instead_of_square.ts": "reconstructionError-no-square",
  "bug_score_negated.ts": "score-negated",
};

const load = async (url: URL): Promise<Module> => ({ ...(await import(url.href)) });
const solution = await load(new URL("solutions/05-autoencoder/autoencoder.ts", ROOT));
const variantFiles = [...Deno.readDirSync(VARIANTS)].map((e) => e.name).sort();

/** The cases of each seed, drawn once, so the reference's training is shared. */
const casesBySeed = new Map(SEEDS.map((seed) => [seed, suite.cases(createRng(seed))]));

/**
 * The cases of a seed. Training dominates the run time, so the score group runs on the
 * first two seeds only (the reference trains once per seed, a tfjs submission twice).
 */
async function casesOf(seed: string): Promise<HiddenCase[]> {
  const cases = await casesBySeed.get(seed)!;
  return seed === SEEDS[2] ? cases.filter((c) => c.symbol !== "score") : cases;
}

/**
 * Runs and judges every case. Cases with identical calls (the AUC cases train on the same
 * events) run once per module, as a harness that reuses their results would.
 */
async function judgeAll(module: Module, cases: HiddenCase[]): Promise<Verdict[]> {
  const runs = new Map<string, CallResult[]>();
  const verdicts: Verdict[] = [];
  for (const c of cases) {
    const key = toWire(c.calls);
    if (!runs.has(key)) runs.set(key, await runCalls(module, c.calls));
    verdicts.push(await c.judge(runs.get(key)!));
  }
  return verdicts;
}

function failuresOf(cases: HiddenCase[], verdicts: Verdict[]): string[] {
  return verdicts.flatMap((v, i) => (v.pass ? [] : [`${cases[i].name}: ${v.reason}`]));
}

Deno.test("suite.cases() draws the same cases from the same seed and others from another", async () => {
  const calls = async (seed: string) =>
    toWire((await suite.cases(createRng(seed))).map((c) => [c.name, c.calls]));
  assert.equal(await calls("same"), await calls("same"));
  assert.notEqual(await calls("same"), await calls("other"));
});

Deno.test("suite.cases() gives every group 3 to 6 cases named after its symbol", async () => {
  const cases = await casesOf(SEEDS[0]);
  const symbols = EXERCISE.groups.map((g) => g.symbol);
  for (const symbol of symbols) {
    const count = cases.filter((c) => c.symbol === symbol).length;
    assert.ok(count >= 3 && count <= 6, `${symbol} has ${count} cases`);
  }
  for (const c of cases) {
    assert.ok(symbols.includes(c.symbol), `${c.name} belongs to no group`);
    assert.ok(c.name.startsWith(`${c.symbol}(): `), c.name);
    assert.ok(c.input && c.input.length < 1000, `${c.name} has an input of ${c.input?.length}`);
  }
  const ids = suite.misconceptions.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const m of suite.misconceptions) assert.ok(symbols.includes(m.symbol), m.id);
});

Deno.test("suite passes the solution and every correct variant on every case", async () => {
  const modules: [string, Module][] = [["solution", solution]];
  for (const file of variantFiles.filter((f) => f.startsWith("correct_"))) {
    modules.push([file, await load(new URL(file, VARIANTS))]);
  }
  for (const seed of SEEDS) {
    for (const [name, module] of modules) {
      // The solution trains exactly as the reference does: one seed of its training is enough.
      const all = await casesOf(seed);
      const cases = name === "solution" && seed !== SEEDS[0]
        ? all.filter((c) => c.symbol !== "score")
        : all;
      const verdicts = await judgeAll(module, cases);
      assert.deepEqual(failuresOf(cases, verdicts), [], `${name}, ${seed}`);
      const metrics = verdicts.flatMap((v) => (v.metric === undefined ? [] : [v.metric]));
      if (!cases.some((c) => c.symbol === "score")) continue;
      assert.equal(metrics.length, 3, `${name} reports no AUC`);
      assert.ok(metrics.every((m) => m === metrics[0] && m > 0.9), `${name}: AUC ${metrics}`);
    }
  }
});

Deno.test("suite fails every bug variant in its group, every failure showing its misconception", async () => {
  assert.deepEqual(Object.keys(BUGS).sort(), variantFiles.filter((f) => f.startsWith("bug_")));
  for (const [file, id] of Object.entries(BUGS)) {
    const module = await load(new URL(file, VARIANTS));
    const symbol = suite.misconceptions.find((m) => m.id === id)!.symbol;
    for (const seed of symbol === "score" ? SEEDS.slice(0, 2) : SEEDS) {
      const cases = await casesOf(seed);
      const verdicts = await judgeAll(module, cases);
      const failing = verdicts.filter((v, i) => !v.pass && cases[i].symbol === symbol);
      assert.ok(failing.length > 0, `${file} passes every ${symbol} case (${seed})`);
      for (const v of failing) assert.ok(v.symptoms?.includes(id), `${file}: ${v.reason}`);
    }
  }
});

const mahalanobis = await load(new URL("correct_mahalanobis.ts", VARIANTS));
const squaredDifferences = (a: number[], b: number[]) =>
  a.reduce((sum, ai, i) => sum + (ai - b[i]) ** 2, 0);

/** One-bug modules for the misconceptions that no variant file has. */
const SYNTHETIC: [string, Record<string, Fn>][] = [
  ["reconstructionError-mean", {
    reconstructionError: (a: number[], b: number[]) => squaredDifferences(a, b) / a.length,
  }],
  ["reconstructionError-root", {
    reconstructionError: (a: number[], b: number[]) => Math.sqrt(squaredDifferences(a, b)),
  }],
  ["reconstructionError-mutates-input", {
    reconstructionError: (a: number[], b: number[]) => {
      const error = squaredDifferences(a, b);
      b.fill(0);
      return error;
    },
  }],
  ["forward-mutates-input", {
    forward: (layers: unknown, x: number[]) => {
      const out = (solution.forward as (l: unknown, x: number[]) => number[])(layers, [...x]);
      x.fill(0);
      return out;
    },
  }],
  ["score-mutates-input", {
    train: async (background: number[][]) => {
      const model = await (mahalanobis.train as (b: number[][]) => Promise<unknown>)(background);
      background.forEach((row) => row.fill(0));
      return model;
    },
    score: mahalanobis.score as Fn,
  }],
  ["score-constant", {
    train: () => Promise.resolve({}),
    score: (_model: unknown, events: number[][]) => Promise.resolve(events.map(() => 1)),
  }],
];

Deno.test("suite recognises the misconceptions of hand-made one-bug modules", async () => {
  const cases = await casesOf(SEEDS[0]);
  for (const [id, overrides] of SYNTHETIC) {
    const symbol = suite.misconceptions.find((m) => m.id === id)!.symbol;
    const verdicts = await judgeAll({ ...mahalanobis, ...overrides }, cases);
    const failing = verdicts.filter((v, i) => !v.pass && cases[i].symbol === symbol);
    assert.ok(failing.length > 0, `${id}: no ${symbol} case fails`);
    for (const v of failing) assert.ok(v.symptoms?.includes(id), `${id}: ${v.reason}`);
  }
});

Deno.test("suite passes no case of a module that returns garbage", async () => {
  const passed: string[] = [];
  for (const [name, module] of garbageModules(solution)) {
    for (const seed of SEEDS) {
      const cases = await casesOf(seed);
      const verdicts = await judgeAll(module, cases);
      verdicts.forEach((v, i) => {
        if (v.pass) passed.push(`${cases[i].name} (${name}, seed ${seed})`);
      });
    }
  }
  assert.deepEqual(passed, [], "cases that a module computing nothing passes");
});

Deno.test("suite fails every case of the stub with its TODO", async () => {
  const stub = await load(new URL("exercises/05-autoencoder/autoencoder.ts", ROOT));
  const cases = await casesOf(SEEDS[0]);
  const verdicts = await judgeAll(stub, cases);
  verdicts.forEach((v, i) => {
    assert.equal(v.pass, false, cases[i].name);
    assert.match(v.reason ?? "", /^\w+\(\) threw: .*TODO/, cases[i].name);
  });
});

/** Non-trivial numbers in a value, as the texts a reason could show them in. */
function numberTexts(value: unknown): string[] {
  const numbers: number[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "number") numbers.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return numbers
    .filter((x) => Number.isFinite(x) && !Number.isInteger(x) && Math.abs(x) >= 1e-3)
    .flatMap((x) => [String(x), x.toFixed(2), x.toFixed(3), x.toFixed(4)])
    .filter((text) => !/^-?[01]\.0+$/.test(text));
}

Deno.test("suite never puts an expected value in a reason", async () => {
  const cases = await casesOf(SEEDS[1]);
  // The reference core as a submission: its AUC is the one the suite compares with.
  const reference = { train: core.train, score: core.score };
  const scoreCases = cases.filter((c) => c.symbol === "score");
  const referenceVerdicts = await judgeAll(reference, scoreCases);
  const expected = await Promise.all(
    cases.map(async (c) =>
      c.symbol === "score"
        ? numberTexts(referenceVerdicts[scoreCases.indexOf(c)].metric ?? [])
        : numberTexts((await runCalls(solution, c.calls)).map((r) => r.ok && r.value))
    ),
  );
  let checked = 0;
  for (const file of Object.keys(BUGS)) {
    const verdicts = await judgeAll(await load(new URL(file, VARIANTS)), cases);
    verdicts.forEach((v, i) => {
      if (v.pass) return;
      checked++;
      for (const text of expected[i]) {
        assert.ok(!v.reason!.includes(text), `${cases[i].name}: "${v.reason}" shows ${text}`);
      }
    });
  }
  assert.ok(checked >= 10, `only ${checked} failing cases checked`);
});
