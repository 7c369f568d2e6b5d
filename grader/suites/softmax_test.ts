import assert from "node:assert/strict";
import { initCore } from "../../core/backend.ts";
import * as core from "../../core/softmax.ts";
import { exerciseById } from "../../course/metadata.ts";
import { createRng } from "../../fixtures/random.ts";
import { runCalls, toWire } from "../child/calls.ts";
import type { HiddenCase, Verdict } from "../suite.ts";
import { garbageModules } from "./_check_suite.ts";
import { suite } from "./softmax.ts";

await initCore({ backend: "cpu" });

type Module = Record<string, unknown>;
type Fn = (...args: never[]) => unknown;

const EXERCISE = exerciseById("04-softmax");
const SEEDS = ["alice", "bob", "carol"];
const ROOT = new URL("../../", import.meta.url);
const VARIANTS = new URL("tests/variants/04-softmax/", ROOT);

/** The bug variants and the misconception each must show. */
const BUGS: Record<string, string> = {
  "bug_crossEntropyGrad_sign_flipped.ts": "crossEntropyGrad-sign-flipped",
  "bug_crossEntropy_ignores_label.ts": "crossEntropy-ignores-label",
  "bug_logSoftmax_log_of_softmax.ts": "logSoftmax-log-of-softmax",
  "bug_softmax_no_max_subtraction.ts": "softmax-no-max-shift",
  "bug_trainSoftmaxRegression_shuffles_in_place.ts": "trainSoftmaxRegression-mutates-input",
  "bug_trainSoftmaxRegression_wrong_sign.ts": "trainSoftmaxRegression-wrong-sign",
};

const load = async (url: URL): Promise<Module> => ({ ...(await import(url.href)) });
const solution = await load(new URL("solutions/04-softmax/softmax.ts", ROOT));
const variantFiles = [...Deno.readDirSync(VARIANTS)].map((e) => e.name).sort();

/** The cases of each seed, drawn once, so the reference's trainings are shared. */
const casesBySeed = new Map(SEEDS.map((seed) => [seed, suite.cases(createRng(seed))]));

async function casesOf(seed: string): Promise<HiddenCase[]> {
  return await casesBySeed.get(seed)!;
}

async function judgeAll(module: Module, cases: HiddenCase[]): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  for (const c of cases) verdicts.push(await c.judge(await runCalls(module, c.calls)));
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
    const cases = await casesOf(seed);
    for (const [name, module] of modules) {
      assert.deepEqual(failuresOf(cases, await judgeAll(module, cases)), [], `${name}, ${seed}`);
    }
  }
});

Deno.test("suite fails every bug variant in its group, every failure showing its misconception", async () => {
  assert.deepEqual(Object.keys(BUGS).sort(), variantFiles.filter((f) => f.startsWith("bug_")));
  for (const [file, id] of Object.entries(BUGS)) {
    const module = await load(new URL(file, VARIANTS));
    const symbol = suite.misconceptions.find((m) => m.id === id)!.symbol;
    for (const seed of SEEDS.slice(0, 2)) {
      const cases = await casesOf(seed);
      const verdicts = await judgeAll(module, cases);
      const failing = verdicts.filter((v, i) => !v.pass && cases[i].symbol === symbol);
      assert.ok(failing.length > 0, `${file} passes every ${symbol} case (${seed})`);
      for (const v of failing) assert.ok(v.symptoms?.includes(id), `${file}: ${v.reason}`);
    }
  }
});

/** One-bug modules for the misconceptions that no variant file has. */
const SYNTHETIC: [string, Record<string, Fn>][] = [
  ["softmax-mutates-input", {
    softmax: (z: number[]) => {
      const p = (solution.softmax as (z: number[]) => number[])(z);
      p.forEach((pk, k) => (z[k] = pk));
      return z;
    },
  }],
  ["logSoftmax-no-max-shift", {
    logSoftmax: (z: number[]) => {
      const lse = Math.log(z.reduce((sum, zk) => sum + Math.exp(zk), 0));
      return z.map((zk) => zk - lse);
    },
  }],
  ["crossEntropy-log-of-probability", {
    crossEntropy: (z: number[], label: number) =>
      -Math.log((solution.softmax as (z: number[]) => number[])(z)[label]),
  }],
  ["crossEntropyGrad-no-onehot", {
    crossEntropyGrad: (z: number[]) => (solution.softmax as (z: number[]) => number[])(z),
  }],
  ["trainSoftmaxRegression-ignores-options", {
    trainSoftmaxRegression: (X: number[][], labels: number[], classes: number) =>
      (solution.trainSoftmaxRegression as Fn as (...a: unknown[]) => unknown)(X, labels, classes),
  }],
  ["crossEntropyGrad-mutates-input", {
    crossEntropyGrad: (z: number[], label: number) => {
      const g = (solution.crossEntropyGrad as (z: number[], l: number) => number[])(z, label);
      z.fill(0);
      return g;
    },
  }],
];

Deno.test("suite recognises the misconceptions of hand-made one-bug modules", async () => {
  const cases = await casesOf(SEEDS[0]);
  for (const [id, overrides] of SYNTHETIC) {
    const symbol = suite.misconceptions.find((m) => m.id === id)!.symbol;
    const verdicts = await judgeAll({ ...solution, ...overrides }, cases);
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
  const stub = await load(new URL("exercises/04-softmax/softmax.ts", ROOT));
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
    .flatMap((x) => [String(x), x.toFixed(3), x.toFixed(4)])
    .filter((text) => !/^-?[01]\.0+$/.test(text));
}

/** What the reference's training reaches on a training case's calls, as a reason would show it. */
async function referenceQuality(c: HiddenCase): Promise<string[]> {
  const texts: string[] = [];
  for (const call of c.calls) {
    const [X, labels, classes, opts] = call.args as [number[][], number[], number, object?];
    // Without options the suite compares with 100 batch steps of α = 0.5.
    const W = await core.trainSoftmaxRegression(
      X,
      labels,
      classes,
      opts ?? { alpha: 0.5, epochs: 100 },
    );
    const { accuracy, crossEntropy } = await core.evaluateSoftmax(W, X, labels);
    texts.push(`${(accuracy * 100).toFixed(1)}%`, ...numberTexts(crossEntropy));
  }
  return texts;
}

Deno.test("suite never puts an expected value in a reason", async () => {
  const cases = await casesOf(SEEDS[1]);
  const expected = await Promise.all(
    cases.map(async (c) =>
      c.symbol === "trainSoftmaxRegression"
        ? await referenceQuality(c)
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
