/**
 * One test suite on every backend: {@linkcode backendTest} registers a test once per
 * backend in {@linkcode BACKENDS}, switching the core to that backend first. A backend
 * that cannot run a test is an entry of {@linkcode SKIPS} with its reason, and the test
 * shows as ignored.
 *
 * Every available backend starts when this module loads, before any test, so that no test
 * pays for the start (a second or so for wasm's threads) or is charged with its workers.
 *
 * @module
 */
import { type BackendName, initCore, isSoftwareAdapter } from "./backend.ts";

/** The backends every core test runs on. */
export const BACKENDS: readonly BackendName[] = ["cpu", "wasm", "webgpu"];

/** A test a backend skips. */
export interface Skip {
  backend: BackendName;
  /** Test names starting with this are skipped on `backend`; "" skips them all. */
  test: string;
  /** Why, in a sentence. */
  reason: string;
}

const adapter = await (navigator as { gpu?: GPU }).gpu?.requestAdapter();
const software = adapter ? isSoftwareAdapter(adapter.info) : false;

/** What each backend cannot run here, and why. */
export const SKIPS: readonly Skip[] = [
  ...(adapter ? [] : [{
    backend: "webgpu" as const,
    test: "",
    reason: "WebGPU has no adapter on this machine " +
      "(`bash scripts/install.sh --tests` installs lavapipe, a software one)",
  }]),
  ...(software
    ? [{
      backend: "webgpu" as const,
      test: "train()",
      reason: `the software adapter "${
        adapter!.info.description
      }" trains 20× slower than wasm: this test's two trainings would take 20 s`,
    }]
    : []),
];

for (const backend of BACKENDS) {
  if (!SKIPS.some((skip) => skip.backend === backend && skip.test === "")) {
    await initCore({ backend });
  }
}

/**
 * Registers `fn` as one test per backend, named `"<name> [<backend>]"`.
 *
 * @param name The test's name, a sentence starting with the symbol under test.
 * @param fn The test; it receives the backend it runs on.
 */
export function backendTest(name: string, fn: (backend: BackendName) => Promise<void>): void {
  for (const backend of BACKENDS) {
    const skip = SKIPS.find((s) => s.backend === backend && name.startsWith(s.test));
    Deno.test({
      name: `${name} [${backend}]${skip ? ` (skipped: ${skip.reason})` : ""}`,
      ignore: skip !== undefined,
      fn: async () => {
        await initCore({ backend });
        await fn(backend);
      },
    });
  }
}
