import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import {
  coreInfo,
  coreReady,
  initCore,
  isSoftwareAdapter,
  parseBackend,
  parseThreads,
} from "./backend.ts";
import { softmax } from "./softmax.ts";

const adapter = await (navigator as { gpu?: GPU }).gpu?.requestAdapter({
  powerPreference: "high-performance",
});
const hardwareGpu = adapter ? !isSoftwareAdapter(adapter.info) : false;

Deno.test("coreInfo() throws before initCore() has run", () => {
  assert.throws(() => coreInfo(), /initCore\(\) has not run/);
});

Deno.test("coreReady() starts the default backend when a reference function is first used", async () => {
  assert.deepEqual(await softmax([0, 0]), [0.5, 0.5]);
  const asked = Deno.env.get("CORE_BACKEND") ?? "auto";
  assert.equal(coreInfo().backend, asked === "auto" ? (hardwareGpu ? "webgpu" : "wasm") : asked);
  assert.deepEqual(await coreReady(), coreInfo());
});

Deno.test("parseBackend() accepts the four choices and names them when rejecting", () => {
  for (const choice of ["auto", "webgpu", "wasm", "cpu"]) {
    assert.equal(parseBackend(choice), choice);
  }
  assert.throws(() => parseBackend("gpu"), /Cannot use backend "gpu": expected one of auto/);
  assert.throws(() => parseBackend("WASM"), RangeError);
});

Deno.test("parseThreads() accepts 1 to 8 threads and nothing else", () => {
  assert.equal(parseThreads("1"), 1);
  assert.equal(parseThreads("8"), 8);
  for (const bad of ["0", "9", "2.5", "two", ""]) {
    assert.throws(() => parseThreads(bad), /expected an integer from 1 to 8/);
  }
});

Deno.test("isSoftwareAdapter() recognises software renderers and fallback adapters", () => {
  const software = [
    { description: "llvmpipe (LLVM 15.0.6, 256 bits)" },
    { vendor: "mesa", architecture: "lavapipe" },
    { description: "SwiftShader Device (Subzero)" },
    { description: "Microsoft Basic Render Driver" },
    { vendor: "nvidia", description: "NVIDIA H100", isFallbackAdapter: true },
  ];
  for (const info of software) assert.ok(isSoftwareAdapter(info), JSON.stringify(info));
  const hardware = [
    { vendor: "nvidia", architecture: "hopper", description: "NVIDIA H100 80GB HBM3" },
    { vendor: "amd", architecture: "rdna-3", description: "AMD Radeon RX 7900 XTX" },
    { vendor: "apple", architecture: "metal-3", description: "Apple M2" },
    { vendor: "intel", architecture: "gen-12lp", description: "" },
  ];
  for (const info of hardware) assert.ok(!isSoftwareAdapter(info), JSON.stringify(info));
});

Deno.test("initCore() with auto takes a hardware GPU, and wasm otherwise (here: wasm)", async () => {
  const info = await initCore({ backend: "auto" });
  assert.equal(info.backend, hardwareGpu ? "webgpu" : "wasm");
  assert.equal(tf.getBackend(), info.backend);
  assert.equal(info.adapter, adapter ? adapter.info.description || info.adapter : null);
  if (!hardwareGpu) assert.match(info.reason, adapter ? /renders in software/ : /no WebGPU/);
  assert.deepEqual(coreInfo(), info);
});

Deno.test("initCore() runs wasm with SIMD, on one thread unless asked for more", async () => {
  const info = await initCore({ backend: "wasm" });
  assert.equal(info.backend, "wasm");
  assert.equal(info.simd, true);
  const asked = Number(Deno.env.get("CORE_WASM_THREADS") ?? 1);
  assert.equal(info.threads, Math.min(asked, navigator.hardwareConcurrency), info.reason);
});

Deno.test("initCore() reads CORE_BACKEND and CORE_WASM_THREADS", async () => {
  const saved = Deno.env.get("CORE_BACKEND");
  const savedThreads = Deno.env.get("CORE_WASM_THREADS");
  try {
    Deno.env.set("CORE_BACKEND", "cpu");
    assert.equal((await initCore()).backend, "cpu");
    Deno.env.set("CORE_BACKEND", "tpu");
    await assert.rejects(() => initCore(), /Cannot use backend "tpu"/);
    Deno.env.delete("CORE_BACKEND");
    Deno.env.set("CORE_WASM_THREADS", "lots");
    await assert.rejects(() => initCore({ backend: "cpu" }), /Cannot use "lots" wasm threads/);
  } finally {
    for (const [name, value] of [["CORE_BACKEND", saved], ["CORE_WASM_THREADS", savedThreads]]) {
      if (value === undefined) Deno.env.delete(name!);
      else Deno.env.set(name!, value);
    }
  }
});

Deno.test("initCore() looks for a GPU without an error line where XDG_RUNTIME_DIR is unset", async () => {
  // A root shell, a container, CI: the Vulkan loader's Wayland support complained on
  // standard error during every `deno task grade`, though nothing was wrong.
  const env = Deno.env.toObject();
  delete env.XDG_RUNTIME_DIR;
  const backend = new URL("./backend.ts", import.meta.url).href;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { initCore } from ${JSON.stringify(backend)};\n` +
      `const { backend } = await initCore({ backend: "auto" });\n` +
      `console.log(backend, Deno.env.get("XDG_RUNTIME_DIR") ?? "unset");`,
    ],
    cwd: fileURLToPath(new URL("../", import.meta.url)),
    clearEnv: true,
    env,
  }).output();
  const [out, err] = [stdout, stderr].map((bytes) => new TextDecoder().decode(bytes));
  assert.equal(code, 0, err);
  assert.equal(err, "");
  assert.match(out, / unset\n$/, "the variable is unset again after the look");
});

Deno.test("initCore() with webgpu uses the adapter, or says there is none", async () => {
  if (!adapter) {
    await assert.rejects(() => initCore({ backend: "webgpu" }), /WebGPU has no adapter/);
    return;
  }
  const info = await initCore({ backend: "webgpu" });
  assert.equal(info.backend, "webgpu");
  assert.equal(tf.getBackend(), "webgpu");
  assert.ok(info.adapter);
});

Deno.test("initCore() switches back and forth, and tensors follow", async () => {
  await initCore({ backend: "cpu" });
  const a = tf.tensor1d([1, 2, 3]);
  await initCore({ backend: "wasm" });
  const b = tf.mul(a, 2);
  assert.equal(tf.getBackend(), "wasm");
  assert.deepEqual(Array.from(await b.data()), [2, 4, 6]);
  tf.dispose([a, b]);
});

Deno.test("initCore() runs wasm's threads right, and the script still exits on its own", async () => {
  // A fresh process: the first start of wasm fixes its threads.
  const backend = fileURLToPath(new URL("./backend.ts", import.meta.url));
  const config = fileURLToPath(new URL("../deno.json", import.meta.url));
  const script = `import * as tf from "@tensorflow/tfjs";
    import { initCore } from "${backend}";
    const { threads } = await initCore({ backend: "wasm", threads: 2 });
    const n = 256;
    const a = Array.from({ length: n * n }, (_, i) => ((i * 7) % 13) - 6);
    const b = Array.from({ length: n * n }, (_, i) => ((i * 5) % 11) - 5);
    const c = await tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])).data();
    let wrong = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
      if (c[i * n + j] !== sum) wrong++;
    }
    console.log(JSON.stringify({ threads, wrong }));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, script],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  });
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const { threads, wrong } = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(threads, Math.min(navigator.hardwareConcurrency, 2));
  // Small integers: every product and sum is exact in float32.
  assert.equal(wrong, 0);
});
