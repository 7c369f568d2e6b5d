/**
 * Multi-threaded tfjs wasm under Deno.
 *
 * tfjs-backend-wasm 4.22 ships a threaded SIMD build (XNNPACK over a pthread pool of web
 * workers) but never uses it under Deno, for three reasons, each undone here for the
 * duration of the backend's initialisation only:
 *
 * 1. `WASM_HAS_MULTITHREAD_SUPPORT` is false whenever tfjs sees Node.js (`process` exists
 *    in Deno), because Node lacks the web workers the build was made for: the flag is set.
 * 2. In its Node.js mode Emscripten creates each pthread with `node:worker_threads` from a
 *    blob: URL, which Deno's node workers reject, and replaces `globalThis.Worker` with the
 *    node class: `Worker` reads as a node worker that runs `_wasm_worker.js` instead (which
 *    recreates a classic worker around the blob's script), and the replacement is ignored.
 * 3. The C++ side caps the pool at `os.cpus().length / 2`, assuming two hyper-threads a
 *    core: on a 2-vCPU machine that is one thread. `os.cpus()` reports every CPU twice.
 *
 * Emscripten keeps a running pthread's worker referenced, so that the process lives while
 * the thread works; XNNPACK's pool threads wait for work forever, so once the backend is up
 * they are unreferenced, or no script using the core would ever exit.
 *
 * @module
 */
import os from "node:os";
import { Worker as NodeWorker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

const WORKER_PATH = fileURLToPath(new URL("./_wasm_worker.js", import.meta.url));

/** A pthread: a node worker that runs the classic script at `url` through `_wasm_worker.js`. */
class PthreadWorker extends NodeWorker {
  constructor(url: string) {
    super(WORKER_PATH, { workerData: { url } });
  }
}

/** The part of Emscripten's pthread pool that holds the running threads' workers. */
interface PthreadPool {
  runningWorkers: NodeWorker[];
}

/**
 * Why `threads` threads cannot be had here, or `null` when they can.
 *
 * @param threads The number of threads asked for.
 * @returns The reason, or `null`.
 */
export function threadsUnavailable(threads: number): string | null {
  if (threads <= 1) return "one thread was asked for";
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is missing";
  if (Deno.permissions.querySync({ name: "read", path: WORKER_PATH }).state !== "granted") {
    return `no read permission for ${WORKER_PATH}`;
  }
  return null;
}

/**
 * Initialises the wasm backend with `threads` threads, or single-threaded when
 * {@linkcode threadsUnavailable} gives a reason.
 *
 * @param threads The number of threads XNNPACK should use, at most 8 (the pool's size).
 * @returns Whether the backend initialised.
 */
export async function initWasm(threads: number): Promise<boolean> {
  const threaded = threadsUnavailable(threads) === null;
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", threaded);
  if (!threaded) return await tf.setBackend("wasm");
  setThreadsCount(threads);
  const workerProperty = Object.getOwnPropertyDescriptor(globalThis, "Worker")!;
  const cpus = os.cpus;
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {},
  });
  os.cpus = () => [...cpus(), ...cpus()];
  try {
    const started = await tf.setBackend("wasm");
    if (started) {
      const { PThread } = (tf.backend() as unknown as { wasm: { PThread: PthreadPool } }).wasm;
      for (const worker of PThread.runningWorkers) worker.unref();
    }
    return started;
  } finally {
    os.cpus = cpus;
    Object.defineProperty(globalThis, "Worker", workerProperty);
  }
}
