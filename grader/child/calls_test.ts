import assert from "node:assert/strict";
import { createRng } from "../../fixtures/random.ts";
import { encodeValue, fromWire, runCalls, safeToWire, toWire } from "./calls.ts";

class Dual {
  #re: number;
  #eps: number;
  constructor(re: number, eps = 0) {
    this.#re = re;
    this.#eps = eps;
  }
  get re() {
    return this.#re;
  }
  get eps() {
    return this.#eps;
  }
  mul(o: Dual) {
    return new Dual(this.re * o.re, this.re * o.eps + this.eps * o.re);
  }
}

const module = {
  Dual,
  double: (xs: number[]) => xs.map((x) => 2 * x),
  mutate: (xs: number[]) => {
    xs[0] = 99;
    return xs.length;
  },
  train: (data: number[]) => Promise.resolve({ mean: data.reduce((a, b) => a + b) / data.length }),
  score: (model: { mean: number }, xs: number[]) => xs.map((x) => Math.abs(x - model.mean)),
  apply: (f: (x: number) => number, x: number) => f(x),
  throwsString: () => {
    throw "nope";
  },
  tensor: () => ({ dataSync: () => [1], shape: [1] }),
};

Deno.test("runCalls() constructs, chains methods and reads getters of private fields", async () => {
  const results = await runCalls(module, [
    { fn: "Dual", args: [3, 1], construct: true, read: ["re", "eps"] },
    { fn: "Dual", args: [2, 0], construct: true, read: ["re", "eps"] },
    { fn: "mul", on: 0, args: [{ $ref: 1 }], read: ["re", "eps"] },
  ]);
  assert.deepEqual(results.map((r) => r.ok && r.value), [
    { re: 3, eps: 1 },
    { re: 2, eps: 0 },
    { re: 6, eps: 2 },
  ]);
});

Deno.test("runCalls() passes an opaque model from one call to the next", async () => {
  const results = await runCalls(module, [
    { fn: "train", args: [[1, 2, 3]] },
    { fn: "score", args: [{ $ref: 0 }, [2, 5]] },
  ]);
  assert.deepEqual(results[1].ok && results[1].value, [0, 3]);
});

Deno.test("runCalls() reports arguments after the call, to reveal mutation", async () => {
  const [result] = await runCalls(module, [{ fn: "mutate", args: [[1, 2]], returnArgs: true }]);
  assert.deepEqual(result.ok && result.value, { result: 2, args: [[99, 2]] });
});

Deno.test("runCalls() resolves trusted driver functions", async () => {
  const [result] = await runCalls(module, [{ fn: "apply", args: [{ $fn: "square" }, 4] }], {
    square: (x: number) => x * x,
  });
  assert.deepEqual(result.ok && result.value, 16);
});

Deno.test("runCalls() turns missing exports, thrown values and tensors into errors", async () => {
  const results = await runCalls(module, [
    { fn: "missing", args: [] },
    { fn: "throwsString", args: [] },
    { fn: "tensor", args: [] },
  ]);
  assert.deepEqual(results.map((r) => !r.ok && r.error), [
    'the module does not export "missing": it exports "Dual", "double", "mutate", "train", ' +
    '"score", "apply", "throwsString", "tensor"',
    'threw the string "nope" (not an Error)',
    "the result is a tfjs tensor; return plain numbers (tensor.arraySync())",
  ]);
});

Deno.test("runCalls() names the export a call most likely meant, by case or a misspelling", async () => {
  const results = await runCalls({ stochasticEpok: () => 1, Predict: () => 2, cost: 3 }, [
    { fn: "stochasticEpoch", args: [] },
    { fn: "predict", args: [] },
    { fn: "cost", args: [] },
    { fn: "tax", args: [] },
  ]);
  assert.deepEqual(results.map((r) => !r.ok && r.error), [
    'the module does not export "stochasticEpoch": it exports "stochasticEpok"; export the ' +
    "function under the name the README gives, spelled exactly so",
    'the module does not export "predict": it exports "Predict"; export the function under ' +
    "the name the README gives, spelled exactly so",
    'the module exports "cost" as a number, not a function',
    // No export is near: they are listed.
    'the module does not export "tax": it exports "stochasticEpok", "Predict", "cost"',
  ]);
});

Deno.test("runCalls() names a megabyte-long export in 80 characters, without comparing it", async () => {
  // Red team, round 16: 10⁶-character names made every missing export cost seconds and its
  // message over the results' cap.
  const long = "Z".repeat(1_000_000);
  const [result] = await runCalls({ [long]: () => 1, [`${long}y`]: () => 2 }, [
    { fn: "predict", args: [] },
  ]);
  assert.equal(
    !result.ok && result.error,
    `the module does not export "predict": it exports "${"Z".repeat(80)}…", "${"Z".repeat(80)}…"`,
  );
});

Deno.test("encodeValue() refuses cycles and survives throwing getters and Proxies", () => {
  const cyclic: unknown[] = [];
  cyclic.push(cyclic);
  assert.throws(() => encodeValue(cyclic), /cycle/);
  const evil = new Proxy([1, 2], {
    get(target, key) {
      if (key === "length") throw new Error("gotcha");
      return Reflect.get(target, key);
    },
  });
  assert.throws(() => encodeValue(evil), /gotcha/);
  assert.deepEqual(encodeValue(new Float32Array([0.5, 2])), [0.5, 2]);
});

Deno.test("toWire() and fromWire() keep NaN, infinities, −0 and undefined", () => {
  const value = [NaN, Infinity, -Infinity, -0, 1.5, undefined, { $num: 3 }];
  const back = fromWire(toWire(value)) as unknown[];
  assert.ok(Number.isNaN(back[0]));
  assert.equal(back[1], Infinity);
  assert.equal(back[2], -Infinity);
  assert.ok(Object.is(back[3], -0));
  assert.deepEqual(back.slice(4), [1.5, undefined, { $num: 3 }]);
});

Deno.test("fromWire() revives only its own markers, and keeps a __proto__ key an own property", () => {
  const forged = fromWire('[{"$num":"toString"},{"__proto__":{"$num":"NaN"}},{"$num":"-0","x":1}]');
  const [unknown, proto, wide] = forged as Record<string, unknown>[];
  assert.deepEqual(unknown, { $num: "toString" });
  assert.ok(Object.hasOwn(proto, "__proto__"));
  assert.ok(Number.isNaN(Object.getOwnPropertyDescriptor(proto, "__proto__")?.value));
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.deepEqual(wide, { $num: "-0", x: 1 });
});

Deno.test("toWire() and fromWire() round-trip random nested data, marked or not", () => {
  const rng = createRng("wire");
  const specials = [NaN, Infinity, -Infinity, -0, undefined];
  const texts = ["x", "$num", "$undefined", "tab\there", "\u0001", '{"$num":"NaN"}'];
  const draw = (depth: number): unknown => {
    const kind = rng.int(depth > 3 ? 3 : 5);
    if (kind === 0) {
      return rng.uniform() < 0.1 ? specials[rng.int(specials.length)] : rng.normal(0, 1e3);
    }
    if (kind === 1) return texts[rng.int(texts.length)];
    if (kind === 2) return [true, false, null][rng.int(3)];
    if (kind === 3) return Array.from({ length: rng.int(4) }, () => draw(depth + 1));
    return Object.fromEntries(
      Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, draw(depth + 1)]),
    );
  };
  let plain = 0;
  for (let i = 0; i < 2000; i++) {
    const value = draw(0);
    const text = toWire(value);
    assert.deepStrictEqual(fromWire(text), value, text);
    assert.equal(safeToWire(value), text, "the harness's writer writes the same text");
    if (!/\$num|\$undefined/.test(text)) {
      assert.equal(text, JSON.stringify(value), "unmarked data is written as plain JSON");
      plain++;
    }
  }
  assert.ok(plain > 100 && plain < 1900, `${plain} of 2000 draws needed no marker`);
});

Deno.test("safeToWire() writes a frame as it is, whatever student code added to the prototypes", () => {
  const frame = {
    type: "case",
    part: 0,
    case: 1,
    results: [{ ok: true, value: [1, NaN] }],
    standIns: ["f"],
  };
  const expected = toWire(frame);
  const map = Array.prototype.map;
  try {
    // The red team's forgery: every frame claims the stand-ins of another function.
    Object.defineProperty(Object.prototype, "toJSON", {
      value() {
        return { ...this, standIns: ["forged"] };
      },
      configurable: true,
      writable: true,
    });
    Object.defineProperty(Array.prototype, "toJSON", { value: () => [], configurable: true });
    Array.prototype.map = (() => ["forged"]) as typeof map;
    assert.equal(safeToWire(frame), expected);
  } finally {
    Array.prototype.map = map;
    delete (Object.prototype as { toJSON?: unknown }).toJSON;
    delete (Array.prototype as { toJSON?: unknown }).toJSON;
  }
});

Deno.test("runCalls() keeps $ref indices aligned after a result fails to encode", async () => {
  const results = await runCalls(module, [
    { fn: "tensor", args: [] },
    { fn: "train", args: [[2, 4]] },
    { fn: "score", args: [{ $ref: 1 }, [3]] },
  ]);
  assert.deepEqual(results.map((r) => r.ok && r.value), [false, { mean: 3 }, [0]]);
});

Deno.test("runCalls() reports an opaque $ref argument by its marker under returnArgs", async () => {
  const results = await runCalls(module, [
    { fn: "train", args: [[2, 4]] },
    { fn: "score", args: [{ $ref: 0 }, [3]], returnArgs: true },
  ]);
  assert.deepEqual(results[1].ok && results[1].value, { result: [0], args: [{ $ref: 0 }, [3]] });
});
