/**
 * `deno task bench core [--json]`: the reference core on every backend, in one run.
 *
 * - matmul: GFLOP/s of a 1024 × 1024 float32 product on each tfjs backend, on wasm with a
 *   thread per CPU too (threads are fixed when wasm starts, so a child process measures
 *   them), in a plain TypeScript triple loop, and in numpy (`python3`), the machine's
 *   practical ceiling;
 * - autoencoder: the reference autoencoder's training time on the fixtures' anomaly data,
 *   per backend and on threaded wasm;
 * - auc: the exact AUC of 10⁵ events.
 *
 * Timings are medians of repeated runs after a warm-up. `auto` is the backend `initCore`
 * picks here, with its default of one wasm thread; `*_fastest` name the fastest backend
 * `auto` could have picked.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { anomalySample } from "../fixtures/hep.ts";
import { createRng } from "../fixtures/random.ts";
import { type BackendName, initCore } from "../core/backend.ts";
import { train } from "../core/autoencoder.ts";
import { auc } from "../core/metrics.ts";
import { printFigures, quantile, round } from "./_stats.ts";
import type { BenchOptions } from "./main.ts";

/** The matrices' size. */
const N = 1024;
/** The autoencoder's training data and the epochs timed (after a one-epoch warm-up). */
const AUTOENCODER = { background: 2000, epochs: 5 };
/** Events for the AUC. */
const AUC_EVENTS = 100_000;

const CONFIG = new URL("../deno.json", import.meta.url).pathname;

type Figures = Record<string, number | string | boolean | null>;

/** Median seconds of `run` over `reps` runs after `warmups`. */
async function time(run: () => Promise<unknown>, reps: number, warmups = 1): Promise<number> {
  for (let i = 0; i < warmups; i++) await run();
  const seconds: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await run();
    seconds.push((performance.now() - start) / 1000);
  }
  return quantile(seconds, 0.5);
}

const gflops = (n: number, seconds: number) => round((2 * n ** 3) / seconds / 1e9, 1);

/** GFLOP/s of tf.matMul on the current backend, the result read back. */
async function tfMatmul(reps: number): Promise<number> {
  const rng = createRng("matmul");
  const a = tf.tensor2d(Float32Array.from({ length: N * N }, () => rng.normal()), [N, N]);
  const b = tf.tensor2d(Float32Array.from({ length: N * N }, () => rng.normal()), [N, N]);
  try {
    return gflops(
      N,
      await time(async () => {
        const c = tf.matMul(a, b);
        await c.data();
        c.dispose();
      }, reps),
    );
  } finally {
    tf.dispose([a, b]);
  }
}

/** GFLOP/s of a plain TypeScript triple loop, in the i-k-j order that walks rows. */
async function plainMatmul(): Promise<number> {
  const rng = createRng("matmul");
  const a = Float32Array.from({ length: N * N }, () => rng.normal());
  const b = Float32Array.from({ length: N * N }, () => rng.normal());
  const c = new Float32Array(N * N);
  return gflops(
    N,
    await time(() => {
      c.fill(0);
      for (let i = 0; i < N; i++) {
        for (let k = 0; k < N; k++) {
          const aik = a[i * N + k];
          for (let j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
        }
      }
      return Promise.resolve();
    }, 2),
  );
}

/** GFLOP/s of numpy's float32 matmul, or `null` where python3 or numpy is missing. */
async function numpyMatmul(): Promise<number | null> {
  const script = `
import json, time, numpy as np
a = np.random.rand(${N}, ${N}).astype(np.float32); b = np.random.rand(${N}, ${N}).astype(np.float32)
a @ b
runs = []
for _ in range(10):
    t = time.perf_counter(); a @ b; runs.append(time.perf_counter() - t)
print(json.dumps(sorted(runs)[len(runs) // 2]))`;
  try {
    const { success, stdout } = await new Deno.Command("python3", {
      args: ["-c", script],
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? gflops(N, Number(new TextDecoder().decode(stdout))) : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** Seconds to train the reference autoencoder for the timed epochs on the current backend. */
async function autoencoderSeconds(background: number[][]): Promise<number> {
  await train(background, { epochs: 1 });
  return round(await time(() => train(background, { epochs: AUTOENCODER.epochs }), 1, 0), 2);
}

/** matmul and autoencoder on wasm with a thread per CPU (at most 8), in this child process. */
async function threadedWasm(): Promise<Figures> {
  const threads = Math.min(navigator.hardwareConcurrency, 8);
  const info = await initCore({ backend: "wasm", threads });
  const { background } = anomalySample({
    seed: "bench",
    background: AUTOENCODER.background,
    mixture: 1,
  });
  return {
    threads: info.threads,
    matmul: await tfMatmul(5),
    autoencoder: await autoencoderSeconds(background),
  };
}

async function inChild(): Promise<Figures> {
  const { success, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--config", CONFIG, import.meta.filename!, "--wasm-threads"],
    stdout: "piped",
  }).output();
  if (!success) throw new Error("Cannot benchmark threaded wasm: the child process failed");
  return JSON.parse(new TextDecoder().decode(stdout));
}

const fastest = (figures: Partial<Record<BackendName, number | null>>, higher: boolean) =>
  Object.entries(figures).filter(([, v]) => v !== null && v !== undefined)
    .sort(([, a], [, b]) => (higher ? b! - a! : a! - b!))[0][0];

/**
 * Runs the benchmark and prints its figures.
 *
 * @param options `json`: one JSON object instead of a table.
 */
export default async function benchCore(options: BenchOptions): Promise<void> {
  const auto = await initCore({ backend: "auto" });
  const { background } = anomalySample({
    seed: "bench",
    background: AUTOENCODER.background,
    mixture: 1,
  });
  const matmul: Partial<Record<BackendName, number | null>> = {};
  const training: Partial<Record<BackendName, number | null>> = {};
  for (const backend of ["wasm", "cpu", "webgpu"] as const) {
    try {
      await initCore({ backend });
    } catch {
      matmul[backend] = training[backend] = null;
      continue;
    }
    matmul[backend] = await tfMatmul(backend === "cpu" ? 1 : 5);
    training[backend] = await autoencoderSeconds(background);
  }
  const threaded = await inChild();
  const numpy = await numpyMatmul();
  const rng = createRng("auc");
  const labels = Array.from({ length: AUC_EVENTS }, () => (rng.uniform() < 0.3 ? 1 : 0));
  const scores = labels.map((label) => rng.normal(label, 1));
  const aucSeconds = await time(() => Promise.resolve(auc(scores, labels)), 5);

  const figures: Figures = {
    cpus: navigator.hardwareConcurrency,
    load_1m: round(Deno.loadavg()[0], 2),
    auto_backend: auto.backend,
    auto_adapter: auto.adapter,
    auto_simd: auto.simd,
    auto_threads: auto.threads,
    matmul_n: N,
    matmul_gflops_numpy: numpy,
    matmul_gflops_wasm: matmul.wasm ?? null,
    wasm_threads: threaded.threads,
    matmul_gflops_wasm_threads: threaded.matmul,
    matmul_gflops_webgpu: matmul.webgpu ?? null,
    matmul_gflops_cpu: matmul.cpu ?? null,
    matmul_gflops_plain_ts: await plainMatmul(),
    matmul_wasm_threads_share_of_numpy: numpy ? round(Number(threaded.matmul) / numpy, 2) : null,
    matmul_fastest: fastest(matmul, true),
    autoencoder_events: AUTOENCODER.background,
    autoencoder_epochs: AUTOENCODER.epochs,
    autoencoder_s_wasm: training.wasm ?? null,
    autoencoder_s_wasm_threads: threaded.autoencoder,
    autoencoder_s_webgpu: training.webgpu ?? null,
    autoencoder_s_cpu: training.cpu ?? null,
    autoencoder_fastest: fastest(training, false),
    auc_events: AUC_EVENTS,
    auc_ms: round(aucSeconds * 1000, 1),
  };
  printFigures("Reference core (deno task bench core)", figures, options.json);
}

if (import.meta.main && Deno.args[0] === "--wasm-threads") {
  console.log(JSON.stringify(await threadedWasm()));
}
