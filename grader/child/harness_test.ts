// The harness on its own, without a sandbox: a child `deno run` of a main module that hands
// it a student module, as grader/sandbox.ts does.
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fromWire, toWire } from "./calls.ts";
import { type ChildFrame, formatRequest, HELLO } from "./protocol.ts";

const HARNESS = new URL("./harness.ts", import.meta.url).href;
const REGISTRY = new URL("./driver_registry.ts", import.meta.url).href;
const NONCE = "n0nce";

interface Answer {
  frames: ChildFrame[];
  /** Standard output without the frame lines. */
  student: string;
  stderr: string;
  code: number;
}

/**
 * One part: the student's entry file in the temporary folder, its cases, and the driver's
 * source (the body of a function that returns `{ driver }`), which the request carries.
 */
interface PartSpec {
  student: string;
  driver?: string;
  cases: unknown[][];
}

async function answer(
  files: Record<string, string>,
  cases: unknown[][],
  driver?: string,
): Promise<Answer> {
  return await answerParts(files, [{
    student: "student.ts",
    ...(driver === undefined ? {} : { driver }),
    cases,
  }]);
}

async function answerParts(files: Record<string, string>, parts: PartSpec[]): Promise<Answer> {
  const folder = await Deno.makeTempDir({ prefix: "harness-" });
  try {
    for (const [name, content] of Object.entries(files)) {
      await Deno.writeTextFile(join(folder, name), content);
    }
    const load = (name: string) =>
      `() => import(${JSON.stringify(pathToFileURL(join(folder, name)).href)})`;
    const loaders = parts.map((part) => `{ student: ${load(part.student)} }`);
    await Deno.writeTextFile(
      join(folder, "main.js"),
      `import { runHarness } from ${JSON.stringify(HARNESS)};\n` +
        `await runHarness([${loaders.join(", ")}]);\n`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-config", "--no-lock", join(folder, "main.js")],
      env: { NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    const root = pathToFileURL(folder + "/").href;
    const drivers = Object.fromEntries(
      parts.flatMap((part, i) => part.driver === undefined ? [] : [[`d${i}`, part.driver]]),
    );
    const request = {
      drivers,
      parts: parts.map(({ cases, driver }, i) => ({
        root,
        cases,
        ...(driver === undefined ? {} : { driver: `d${i}` }),
      })),
    };
    await writer.write(formatRequest(NONCE, toWire(request)));
    await writer.close();
    const { stdout, stderr, code } = await child.output();
    const frames: ChildFrame[] = [];
    let student = "";
    for (const line of new TextDecoder().decode(stdout).split("\n")) {
      if (line.startsWith(`${NONCE} `)) {
        frames.push(fromWire(line.slice(NONCE.length + 1)) as ChildFrame);
      } else if (line !== "" && `${line}\n` !== HELLO) student += line + "\n";
    }
    return { frames, student, stderr: new TextDecoder().decode(stderr), code };
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("runHarness() answers with ready, begin, loaded, a frame per case, end, then done", async () => {
  const { frames, student, code } = await answer(
    { "student.ts": 'console.log("hi");\nexport const half = (x: number) => x / 2;\n' },
    [[{ fn: "half", args: [3] }], [{ fn: "half", args: [-0] }, { fn: "twice", args: [] }]],
  );
  assert.equal(code, 0);
  assert.equal(student, "hi\n");
  assert.deepEqual(frames.map((f) => f.type), [
    "ready",
    "begin",
    "loaded",
    "case",
    "case",
    "end",
    "done",
  ]);
  const [first, second] = frames.filter((f) => f.type === "case");
  assert.deepEqual(first.type === "case" && first.results.map((r) => r.ok && r.value), [1.5]);
  assert.ok(second.type === "case" && second.results[0].ok);
  assert.ok(Object.is(second.results[0].value, -0));
  assert.deepEqual(
    second.results[1].ok === false && second.results[1].error,
    'the module does not export "twice": it exports "half"',
  );
});

Deno.test("runHarness() reports a load error with paths relative to the student's folder", async () => {
  const { frames } = await answer(
    { "student.ts": 'import { x } from "./helper.ts";\nexport const y = x;\n' },
    [[{ fn: "y", args: [] }]],
  );
  assert.deepEqual(frames.map((f) => f.type), ["ready", "begin", "load-error", "end", "done"]);
  const error = frames[2].type === "load-error" ? frames[2].error : "";
  assert.match(error, /Module not found "helper\.ts"/);
  assert.match(error, /at student\.ts:1:19/);
  assert.doesNotMatch(error, /file:/);
});

Deno.test("runHarness() goes on after student code leaves an unhandled rejection", async () => {
  const { frames, stderr } = await answer(
    {
      "student.ts": "export function later() {\n" +
        '  Promise.reject(new Error("forgotten"));\n' +
        "  return new Promise((resolve) => setTimeout(() => resolve(1), 10));\n" +
        "}\n",
    },
    [[{ fn: "later", args: [] }], [{ fn: "later", args: [] }]],
  );
  assert.equal(frames.filter((f) => f.type === "case").length, 2);
  assert.equal(frames.at(-1)?.type, "done");
  assert.match(stderr, /Unhandled promise rejection: Error: forgotten/);
});

Deno.test("runHarness() frames its answer after student code replaced Deno's writer and exit", async () => {
  const { frames, code } = await answer(
    {
      "student.ts": "Deno.stdout.writeSync = () => 0;\n" +
        "Deno.exit = (() => {}) as typeof Deno.exit;\n" +
        "export const one = () => 1;\n",
    },
    [[{ fn: "one", args: [] }]],
  );
  assert.equal(code, 0);
  assert.equal(frames.at(-1)?.type, "done");
});

Deno.test("runHarness() hands the driver's trusted functions to the calls, and nothing to student code", async () => {
  const { frames } = await answer(
    {
      "student.ts": `import { offeredDriver } from ${JSON.stringify(REGISTRY)};\n` +
        "export const apply = (f: (x: number) => number, x: number) => f(x);\n" +
        "export const offset = 10;\n" +
        'export const steal = () => [typeof offeredDriver("d0"), typeof globalThis.driver];\n',
    },
    [[{ fn: "apply", args: [{ $fn: "shift" }, 5] }, { fn: "steal", args: [] }]],
    "return { driver: (module) => ({ shift: (x) => x + module.offset }) };",
  );
  const result = frames.find((f) => f.type === "case");
  assert.ok(result?.type === "case");
  assert.deepEqual(result.results.map((r) => r.ok && r.value), [15, ["undefined", "undefined"]]);
});

Deno.test("runHarness() runs the parts in order, each part after another's load error", async () => {
  const { frames, student } = await answerParts(
    {
      "broken.ts": 'console.log("broken");\nexport const f = ;\n',
      "first.ts": 'console.log("first");\nexport const f = (x: number) => x + 1;\n',
      "second.ts": 'console.log("second");\nexport const g = () => "g";\n',
    },
    [
      { student: "first.ts", cases: [[{ fn: "f", args: [1] }]] },
      { student: "broken.ts", cases: [[{ fn: "f", args: [1] }]] },
      { student: "second.ts", cases: [[{ fn: "g", args: [] }], [{ fn: "f", args: [] }]] },
    ],
  );
  assert.equal(student, "first\nsecond\n");
  assert.deepEqual(
    frames.map((f) => "part" in f ? `${f.type} ${f.part}` : f.type),
    [
      "ready",
      ...["begin 0", "loaded 0", "case 0", "end 0"],
      ...["begin 1", "load-error 1", "end 1"],
      ...["begin 2", "loaded 2", "case 2", "case 2", "end 2"],
      "done",
    ],
  );
  const results = frames.flatMap((f) => f.type === "case" ? [f.results[0]] : []);
  assert.deepEqual(results.map((r) => r.ok ? r.value : r.error), [
    2,
    "g",
    'the module does not export "f": it exports "g"',
  ]);
});

Deno.test("runHarness() runs no further part once a part changed the built-ins", async () => {
  const { frames } = await answerParts(
    {
      "patches.ts": "Math.max = () => 0;\nexport const f = () => Math.max(1, 2);\n",
      "after.ts": "export const g = () => Math.max(1, 2);\n",
    },
    [
      { student: "patches.ts", cases: [[{ fn: "f", args: [] }]] },
      { student: "after.ts", cases: [[{ fn: "g", args: [] }]] },
    ],
  );
  assert.deepEqual(
    frames.map((f) => "part" in f ? `${f.type} ${f.part}` : f.type),
    ["ready", "begin 0", "loaded 0", "case 0", "end 0", "done"],
  );
  assert.deepEqual(frames.find((f) => f.type === "end"), { type: "end", part: 0, tainted: true });
});
