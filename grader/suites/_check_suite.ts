/**
 * The tests every hidden suite must pass, registered with `Deno.test` by a suite's own
 * `<stem>_test.ts`: determinism, group coverage, the solution and correct variants passing
 * everything (and reporting the leaderboard metric, where the exercise has one), each bug
 * variant and mutant caught in its group with its misconception named, garbage modules
 * and the stub failing, and no expected value in any reason.
 *
 * Student modules run in process through `runCalls`, as the sandboxed child runs them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { initCore } from "../../core/backend.ts";
import { exerciseById } from "../../course/metadata.ts";
import { createRng } from "../../fixtures/random.ts";
import { type Driver, runCalls, toWire } from "../child/calls.ts";
import type { CallResult, HiddenCase, HiddenSuite, Verdict } from "../suite.ts";
import { show } from "./_judge.ts";

const ROOT = new URL("../../", import.meta.url);

/**
 * A module with one mistake, for a misconception no bug variant shows: a copy of the
 * solution's source with some text replaced, or a module written by hand.
 */
export type Mutant =
  & {
    /** A name for messages. */
    name: string;
    /** The group it must fail. */
    symbol: string;
    /** The misconception every failing case of that group must list. */
    misconception: string;
  }
  & (
    /** Pairs of exact text in the solution and its replacement. */
    | { replace: [string, string][] }
    /** The module itself, for a mistake easier written as code: a correct module, one export replaced. */
    | { module: Module }
  );

/** What {@linkcode testSuite} needs to know about a suite. */
export interface SuiteTestOptions {
  suite: HiddenSuite;
  /** The trusted functions for `{ $fn }` arguments, where the exercise has a driver. */
  driver?: Driver;
  /** The misconception each bug variant (file name in tests/variants/<id>/) must show. */
  bugs: Record<string, string>;
  /** More mistakes, for the misconceptions no bug variant shows. */
  mutants?: Mutant[];
  /** Seeds to draw cases from. @default {["alpha", "beta", "gamma"]} */
  seeds?: string[];
  /** The most characters a case's `input` text may have. @default {Infinity} */
  maxInput?: number;
  /**
   * Groups whose cases are judged on the first `seeds` seeds only, where their run time
   * (training, say) dominates the tests'.
   */
  slow?: { symbols: string[]; seeds: number };
  /**
   * The group whose cases report the exercise's leaderboard metric: each correct module
   * must report it in each of the group's `cases` cases, the same value in all (they judge
   * one run), above `min`.
   */
  metric?: { symbol: string; cases: number; min: number };
  /**
   * Texts that a bug variant's reason on case `c` must not show: what the solution
   * returns, and any expected figure it does not return (a reference model's accuracy or
   * AUC). Checked on the second seed's cases, every failing case of every bug variant.
   */
  expectedTexts?: (c: HiddenCase) => Promise<string[]>;
}

/** A student module: its exports by name. */
export type Module = Record<string, unknown>;

/** What judging one module on one case gave, with the calls' raw results. */
interface Judged {
  case: HiddenCase;
  verdict: Verdict;
  results: CallResult[];
}

/**
 * Registers the standard tests of a hidden suite.
 *
 * @param options The suite, its driver, and the misconception of each bug variant.
 */
export function testSuite(options: SuiteTestOptions): void {
  const { suite, driver, bugs, mutants = [], seeds = ["alpha", "beta", "gamma"] } = options;
  const { slow, metric, expectedTexts, maxInput } = options;
  const id = suite.exercise;
  const exercise = exerciseById(id);
  const symbols = exercise.groups.map((g) => g.symbol);
  const variantsDir = new URL(`tests/variants/${id}/`, ROOT);
  const solutionUrl = new URL(`solutions/${id}/${exercise.entry}`, ROOT);
  const drawn = once(
    new Map<string, Promise<HiddenCase[]>>(),
    async (seed: string) => await suite.cases(createRng(seed)),
  );
  const casesOf = async (seed: string) => {
    const cases = await drawn(seed);
    const skipped = slow && !seeds.slice(0, slow.seeds).includes(seed) ? slow.symbols : [];
    return cases.filter((c) => !skipped.includes(c.symbol));
  };
  /**
   * Runs and judges cases. Cases with identical calls (several cases judging one
   * training) run once per module, as a harness that reuses their results would.
   */
  const judge = async (module: Module, cases: HiddenCase[]): Promise<Judged[]> => {
    const functions = driver ? driver(module) : {};
    const runs = new Map<string, CallResult[]>();
    const out: Judged[] = [];
    for (const c of cases) {
      const key = toWire(c.calls);
      const results = runs.get(key) ?? await runCalls(module, c.calls, functions);
      runs.set(key, results);
      out.push({ case: c, verdict: await c.judge(results), results });
    }
    return out;
  };
  const variants = async () => {
    const names: string[] = [];
    for await (const entry of Deno.readDir(variantsDir)) {
      if (entry.isFile && entry.name.endsWith(".ts")) names.push(entry.name);
    }
    return names.sort();
  };
  const bugOf = async (name: string) => {
    const text = await Deno.readTextFile(new URL(name, variantsDir));
    return text.split("\n", 1)[0].match(/^\/\/ bug: ([A-Za-z.]+): /)?.[1];
  };
  const ready = initCore({ backend: "cpu" });

  Deno.test(`suite.cases() of ${id} draws the same calls from the same seed`, async () => {
    const snapshot = (cases: HiddenCase[]) =>
      JSON.stringify(
        cases.map(({ symbol, name, calls, input }) => ({ symbol, name, calls, input })),
      );
    const first = await suite.cases(createRng("same"));
    const again = await suite.cases(createRng("same"));
    assert.equal(snapshot(again), snapshot(first));
    const other = await suite.cases(createRng("other"));
    assert.equal(other.length, first.length);
    const differ = first.filter((c, i) =>
      JSON.stringify(c.calls) !== JSON.stringify(other[i].calls)
    );
    assert.ok(differ.length > first.length / 2, "another seed should draw other inputs");
  });

  Deno.test(`suite.cases() of ${id} gives every group 3 to 6 cases, named after it`, async () => {
    for (const seed of seeds) {
      const cases = await drawn(seed);
      for (const symbol of symbols) {
        const count = cases.filter((c) => c.symbol === symbol).length;
        assert.ok(count >= 3 && count <= 6, `${symbol} has ${count} cases`);
      }
      for (const c of cases) {
        assert.ok(symbols.includes(c.symbol), `${c.name}: ${c.symbol} is no group`);
        assert.ok(c.name.startsWith(`${c.symbol}(): `), `${c.name} starts with its symbol`);
        assert.ok(c.input && c.input.length > 0, `${c.name} describes its input`);
        if (maxInput !== undefined) {
          assert.ok(c.input.length <= maxInput, `${c.name} has an input of ${c.input.length}`);
        }
      }
      const names = cases.map((c) => c.name);
      assert.equal(new Set(names).size, names.length, "case names are unique");
    }
  });

  Deno.test(`suite.misconceptions of ${id} belong to its groups and ask questions`, () => {
    const ids = suite.misconceptions.map((m) => m.id);
    assert.equal(new Set(ids).size, ids.length, "misconception ids are unique");
    for (const m of suite.misconceptions) {
      assert.ok(symbols.includes(m.symbol), `${m.id}: ${m.symbol} is no group`);
      // A question may be followed by a hint of where to look.
      assert.match(m.question, /\?($|\s)/, `${m.id} asks a question`);
    }
    for (const idOf of [...Object.values(bugs), ...mutants.map((m) => m.misconception)]) {
      assert.ok(ids.includes(idOf), `${idOf} is declared`);
    }
  });

  Deno.test(`suite of ${id} passes the solution and every correct variant`, async () => {
    await ready;
    const correct = (await variants()).filter((name) => name.startsWith("correct_"));
    assert.ok(correct.length > 0, `tests/variants/${id} has correct variants`);
    const modules: [string, Module][] = [[`solutions/${id}`, await import(solutionUrl.href)]];
    for (const name of correct) modules.push([name, await import(new URL(name, variantsDir).href)]);
    for (const seed of seeds) {
      const cases = await casesOf(seed);
      for (const [name, module] of modules) {
        const judged = await judge(module, cases);
        const failed = judged.filter((j) => !j.verdict.pass);
        assert.deepEqual(
          failed.map((j) => `${j.case.name}: ${j.verdict.reason}`),
          [],
          `${name} with seed ${seed}`,
        );
        if (metric && cases.some((c) => c.symbol === metric.symbol)) {
          const metrics = judged.flatMap((j) => j.verdict.metric ?? []);
          assert.equal(metrics.length, metric.cases, `${name} reports its metric, seed ${seed}`);
          assert.ok(
            metrics.every((m) => m === metrics[0] && m > metric.min),
            `${name}, seed ${seed}: metric ${metrics}`,
          );
        }
      }
    }
  });

  Deno.test(`suite of ${id} catches each bug variant in its group and names its misconception`, async () => {
    await ready;
    const solution = await import(solutionUrl.href) as Module;
    const buggy = (await variants()).filter((name) => name.startsWith("bug_"));
    assert.deepEqual(
      buggy.toSorted(),
      Object.keys(bugs).toSorted(),
      "every bug variant has a misconception",
    );
    for (const name of buggy) {
      const symbol = await bugOf(name);
      assert.ok(symbol, `${name} names its symbol on its first line`);
      const module = await import(new URL(name, variantsDir).href);
      await expectCaught(name, module, symbol, bugs[name], solution);
    }
  });

  if (mutants.length > 0) {
    Deno.test(`suite of ${id} names the misconceptions no bug variant shows`, async () => {
      await ready;
      const solution = await import(solutionUrl.href) as Module;
      const source = await Deno.readTextFile(solutionUrl);
      const dir = await Deno.makeTempDir({ prefix: `mutants-${id}-` });
      try {
        for (const mutant of mutants) {
          let module: Module;
          if ("module" in mutant) {
            module = mutant.module;
          } else {
            let text = source;
            for (const [from, to] of mutant.replace) {
              assert.ok(text.includes(from), `${mutant.name}: the solution contains "${from}"`);
              text = text.replace(from, to);
            }
            const path = `${dir}/${mutant.name}.ts`;
            await Deno.writeTextFile(path, text);
            module = await import(new URL(`file://${path}`).href);
          }
          await expectCaught(mutant.name, module, mutant.symbol, mutant.misconception, solution);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }

  Deno.test(`suite of ${id} passes no case of a module that returns garbage`, async () => {
    await ready;
    const solution = await import(solutionUrl.href) as Module;
    const passed: string[] = [];
    for (const [name, module] of garbageModules(solution)) {
      for (const seed of seeds) {
        for (const j of await judge(module, await casesOf(seed))) {
          if (j.verdict.pass) passed.push(`${j.case.name} (${name}, seed ${seed})`);
        }
      }
    }
    assert.deepEqual(passed, [], "cases that a module computing nothing passes");
  });

  Deno.test(`suite of ${id} fails every case of the stub with its TODO`, async () => {
    await ready;
    const stub = await import(new URL(`exercises/${id}/${exercise.entry}`, ROOT).href);
    for (const j of await judge(stub, await casesOf(seeds[0]))) {
      assert.equal(j.verdict.pass, false, `${j.case.name} passes the stub`);
      assert.match(j.verdict.reason ?? "", /^[\w.]+\(\) threw: .*TODO/, j.case.name);
    }
  });

  if (expectedTexts) {
    Deno.test(`suite of ${id} shows no expected figure in the reason of a bug variant`, async () => {
      await ready;
      const cases = await casesOf(seeds[1] ?? seeds[0]);
      const expected = await Promise.all(cases.map(expectedTexts));
      let checked = 0;
      for (const name of Object.keys(bugs)) {
        const module = await import(new URL(name, variantsDir).href);
        (await judge(module, cases)).forEach((j, i) => {
          if (j.verdict.pass) return;
          checked++;
          for (const text of expected[i]) {
            assert.ok(
              !j.verdict.reason?.includes(text),
              `${name}, ${j.case.name}: "${j.verdict.reason}" shows ${text}`,
            );
          }
        });
      }
      assert.ok(checked >= 10, `only ${checked} failing cases checked`);
    });
  }

  /**
   * Asserts that a wrong module fails at least one case of `symbol`'s group for each seed,
   * that every failing case of the group lists `misconception`, and that no reason quotes
   * a number the solution returns but the wrong module does not.
   */
  async function expectCaught(
    name: string,
    module: Module,
    symbol: string,
    misconception: string,
    solution: Module,
  ): Promise<void> {
    const judgedSeeds = slow?.symbols.includes(symbol) ? seeds.slice(0, slow.seeds) : seeds;
    for (const seed of judgedSeeds) {
      const cases = (await casesOf(seed)).filter((c) => c.symbol === symbol);
      const judged = await judge(module, cases);
      const failed = judged.filter((j) => !j.verdict.pass);
      assert.ok(failed.length > 0, `${name} passes every case of ${symbol} with seed ${seed}`);
      for (const j of failed) {
        assert.ok(
          j.verdict.symptoms?.includes(misconception),
          `${name}, seed ${seed}: "${j.case.name}" fails (${j.verdict.reason}) without ${misconception}`,
        );
      }
      const right = await judge(solution, failed.map((j) => j.case));
      failed.forEach((j, k) => {
        // The student's own numbers, the inputs and the figures in the case's name (a
        // margin, say) may be quoted, in either form.
        const named = (j.case.name.match(/\d+(\.\d+)?/g) ?? []).map(Number);
        const allowed = new Set(
          [...numbersIn(j.results), ...numbersIn(j.case.calls), ...named].flatMap((
            x,
          ) => [String(x), show(x)]),
        );
        for (const x of numbersIn(right[k].results)) {
          if (Number.isInteger(x)) continue;
          for (const form of [String(x), show(x)]) {
            if (allowed.has(form)) continue;
            const quoted = new RegExp(`(?<![\\d.-])${form.replace(/[.+-]/g, "\\$&")}(?!\\d)`);
            assert.ok(
              !quoted.test(j.verdict.reason ?? ""),
              `${name}: the reason of "${j.case.name}" quotes ${form}, an expected value`,
            );
          }
        }
      });
    }
  }
}

/** What a garbage module's functions return, given their arguments: fresh on every call. */
const GARBAGE: [string, (args: unknown[]) => unknown][] = [
  ["NaN", () => NaN],
  ["[]", () => []],
  ["0", () => 0],
  ["its first argument", (args) => args[0]],
];

/**
 * Modules with the solution's exports that compute nothing and change no argument: every
 * function returns NaN, [], 0 or its first argument. A class becomes one whose instances
 * hold that value (of no arguments) in each of the solution's instance fields and whose
 * methods return such instances; its module is tried twice, its functions returning the
 * value and returning an instance.
 *
 * None of them may pass a case: a case that judges only the arguments after a call, or
 * only a property a constant satisfies, hands out points for nothing.
 *
 * @param solution The reference solution's module.
 * @returns Each garbage module with a name for messages.
 */
export function garbageModules(solution: Module): [string, Module][] {
  const modules: [string, Module][] = [];
  for (const [label, value] of GARBAGE) {
    const classes: Module = {};
    let instance: ((args: unknown[]) => unknown) | undefined;
    for (const [name, exported] of Object.entries(solution)) {
      if (!isClass(exported)) continue;
      const made = garbageClass(exported, value);
      classes[name] = made;
      instance ??= () => new made();
    }
    const functions = (result: (args: unknown[]) => unknown): Module =>
      Object.fromEntries(
        Object.entries(solution).flatMap(([name, exported]) =>
          typeof exported === "function" && !isClass(exported)
            ? [[name, (...args: unknown[]) => result(args)]]
            : []
        ),
      );
    modules.push([`every function returns ${label}`, { ...functions(value), ...classes }]);
    if (instance) {
      modules.push([
        `every function returns an instance holding ${label}`,
        { ...functions(instance), ...classes },
      ]);
    }
  }
  return modules;
}

function isClass(value: unknown): value is new (...args: unknown[]) => object {
  return typeof value === "function" && /^class\b/.test(Function.prototype.toString.call(value));
}

/** A class with `solution`'s instance fields and methods, all giving `value`. */
function garbageClass(
  solution: new (...args: unknown[]) => object,
  value: (args: unknown[]) => unknown,
): new () => object {
  const fields = Object.keys(Reflect.construct(solution, [1, 2]));
  const methods = Object.getOwnPropertyNames(solution.prototype).filter((name) =>
    name !== "constructor"
  );
  class Garbage {
    constructor() {
      for (const field of fields) (this as Record<string, unknown>)[field] = value([]);
    }
  }
  for (const method of methods) {
    Object.defineProperty(Garbage.prototype, method, { value: () => new Garbage() });
  }
  return Garbage;
}

/**
 * The non-trivial numbers in a value (finite, not integers, at least 1e-3 in size) as the
 * texts a reason could show them in: in full and to each of `decimals` decimals.
 *
 * @param value A JSON-like value.
 * @param decimals The roundings to list.
 * @returns The texts, without those of 0 and ±1.
 */
export function numberTexts(value: unknown, decimals: readonly number[] = [3, 4]): string[] {
  return numbersIn(value)
    .filter((x) => !Number.isInteger(x) && Math.abs(x) >= 1e-3)
    .flatMap((x) => [String(x), ...decimals.map((d) => x.toFixed(d))])
    .filter((text) => !/^-?[01]\.0+$/.test(text));
}

/** Every finite number in a JSON-like value. */
function numbersIn(value: unknown): number[] {
  if (typeof value === "number") return Number.isFinite(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(numbersIn);
  return [];
}

/** Caches an async function of a string in `cache`. */
function once<T>(cache: Map<string, Promise<T>>, compute: (key: string) => Promise<T>) {
  return (key: string): Promise<T> => {
    let value = cache.get(key);
    if (!value) cache.set(key, value = compute(key));
    return value;
  };
}
