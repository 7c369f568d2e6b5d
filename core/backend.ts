/**
 * The reference core's tfjs backend: which one computes, and why.
 *
 * `auto` takes WebGPU only for a real GPU: a software adapter (llvmpipe, SwiftShader,
 * WARP, or any adapter flagged as a fallback) computes on the CPU through a shader JIT and
 * is several times slower than wasm. Otherwise it takes wasm (SIMD; threads on request, see
 * {@linkcode InitCoreOptions.threads}), and cpu (plain JavaScript) only when wasm fails. An
 * explicit choice is honoured or fails with the reason.
 *
 * tfjs keeps one global engine, so the backend is process-wide state: {@linkcode initCore}
 * switches it, and every reference function computes on whatever was chosen last.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { initWasm, threadsUnavailable } from "./_wasm_threads.ts";

/** A tfjs backend the core can compute on. */
export type BackendName = "webgpu" | "wasm" | "cpu";

/** What `--backend` and `CORE_BACKEND` accept. */
export type BackendChoice = "auto" | BackendName;

/** The values of {@linkcode BackendChoice}: `auto`, then the backends in the order it tries them. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm", "cpu"];

/** Which backend the core runs on, on what, and why. */
export interface CoreInfo {
  /** The tfjs backend that computes. */
  backend: BackendName;
  /**
   * The WebGPU adapter's name: the device that computes when `backend` is `webgpu`; on wasm
   * or cpu, the adapter that was passed over (see `reason`), or `null` when none was found.
   */
  adapter: string | null;
  /** Whether wasm runs its SIMD build (always `false` off wasm). */
  simd: boolean;
  /** The threads that compute: XNNPACK's pool on wasm, 1 on cpu and webgpu. */
  threads: number;
  /** Why this backend, in one sentence. */
  reason: string;
}

/** Options of {@linkcode initCore}. */
export interface InitCoreOptions {
  /**
   * The backend to use.
   *
   * @default {Deno.env.get("CORE_BACKEND") ?? "auto"}
   */
  backend?: BackendChoice;
  /**
   * Threads for wasm's XNNPACK pool, 1 to 8, fixed by the first start of wasm in the
   * process. More threads double large products (≥ 128²) but add about 10 µs to every
   * small operation they split, and the core's reference work is small operations.
   *
   * @default {Number(Deno.env.get("CORE_WASM_THREADS") ?? 1)}
   */
  threads?: number;
}

/** What a WebGPU adapter says about itself (`GPUAdapterInfo`, or the older adapter fields). */
export interface AdapterDescription {
  /** The vendor, a name or a PCI id. */
  vendor?: string;
  /** The GPU family. */
  architecture?: string;
  /** The device, a name or a PCI id. */
  device?: string;
  /** The driver's description, where software renderers name themselves. */
  description?: string;
  /** Whether the browser or runtime flagged it as a fallback (usually software) adapter. */
  isFallbackAdapter?: boolean;
}

const SOFTWARE_RENDERERS = /llvmpipe|lavapipe|swiftshader|software|warp|basic render/i;

/** The most threads the wasm build's pthread pool holds. */
const MAX_WASM_THREADS = 8;

let current: CoreInfo | undefined;
/** The first start on first use, shared by the calls that wait for it. */
let starting: Promise<CoreInfo> | undefined;

/**
 * Parses a backend choice, as given to `--backend` or `CORE_BACKEND`.
 *
 * @param value The text to parse.
 * @returns The choice.
 * @throws {RangeError} If `value` is not one of {@linkcode BACKEND_CHOICES}.
 *
 * @example
 * ```ts
 * import { parseBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseBackend("wasm"), "wasm");
 * assert.throws(() => parseBackend("gpu"), RangeError);
 * ```
 */
export function parseBackend(value: string): BackendChoice {
  if ((BACKEND_CHOICES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new RangeError(
    `Cannot use backend "${value}": expected one of ${BACKEND_CHOICES.join(", ")}`,
  );
}

/**
 * Parses a number of wasm threads, as given to `CORE_WASM_THREADS`.
 *
 * @param value The text to parse.
 * @returns The number, from 1 to 8.
 * @throws {RangeError} If `value` is not an integer from 1 to 8.
 */
export function parseThreads(value: string): number {
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_WASM_THREADS) {
    throw new RangeError(
      `Cannot use "${value}" wasm threads: expected an integer from 1 to ${MAX_WASM_THREADS}`,
    );
  }
  return threads;
}

/**
 * Whether a WebGPU adapter renders in software on the CPU rather than on a GPU.
 *
 * @param info The adapter's `info` (or the adapter itself, for its older fields).
 * @returns `true` for a fallback adapter or a known software renderer.
 *
 * @example
 * ```ts
 * import { isSoftwareAdapter } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }));
 * assert.ok(!isSoftwareAdapter({ vendor: "nvidia", description: "NVIDIA H100" }));
 * ```
 */
export function isSoftwareAdapter(info: AdapterDescription): boolean {
  if (info.isFallbackAdapter) return true;
  const text = [info.vendor, info.architecture, info.device, info.description].join(" ");
  return SOFTWARE_RENDERERS.test(text);
}

/** A readable name for an adapter: its description, else vendor and architecture. */
function adapterName(info: AdapterDescription): string {
  if (info.description) return info.description;
  const name = [info.vendor, info.architecture, info.device].filter(Boolean).join(" ");
  return name || "unnamed adapter";
}

/** The WebGPU adapter tfjs would get, or `null` where WebGPU has none. */
async function probeAdapter(): Promise<{ name: string; software: boolean } | null> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return null;
  const adapter = await withRuntimeDir(() =>
    gpu.requestAdapter({ powerPreference: "high-performance" })
  );
  if (!adapter) return null;
  // GPUAdapterInfo's fields are getters on its prototype: copy them one by one.
  const { vendor, architecture, device, description } = adapter.info;
  const isFallbackAdapter = adapter.info.isFallbackAdapter ??
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const info = { vendor, architecture, device, description, isFallbackAdapter };
  return { name: adapterName(info), software: isSoftwareAdapter(info) };
}

/**
 * Runs `f` with `XDG_RUNTIME_DIR` set where it is unset (a root shell, a container, CI): the
 * Vulkan loader's Wayland support, which WebGPU's first look for an adapter loads, prints an
 * `error:` line on standard error without it. The core draws on no screen: it gets an empty
 * private folder of its own, removed, with the variable, once `f` is done. Where the process
 * may not set the variable or make the folder, `f` runs as it is.
 */
async function withRuntimeDir<T>(f: () => Promise<T>): Promise<T> {
  let folder: string | undefined;
  try {
    if (
      Deno.build.os === "linux" &&
      Deno.permissions.querySync({ name: "env", variable: "XDG_RUNTIME_DIR" }).state ===
        "granted" &&
      Deno.permissions.querySync({ name: "write" }).state === "granted" &&
      !Deno.env.get("XDG_RUNTIME_DIR")
    ) {
      folder = Deno.makeTempDirSync({ prefix: "core-runtime-" }); // mode 0700
      Deno.env.set("XDG_RUNTIME_DIR", folder);
    }
  } catch {
    folder = undefined;
  }
  try {
    return await f();
  } finally {
    if (folder !== undefined) {
      Deno.env.delete("XDG_RUNTIME_DIR");
      Deno.removeSync(folder, { recursive: true });
    }
  }
}

/** An environment variable, parsed, or `undefined` where it is unset or unreadable. */
function fromEnv<T>(name: string, parse: (value: string) => T): T | undefined {
  const permission = Deno.permissions.querySync({ name: "env", variable: name });
  const value = permission.state === "granted" ? Deno.env.get(name) : undefined;
  return value ? parse(value) : undefined;
}

async function useWasm(threads: number): Promise<boolean> {
  if (tf.findBackend("wasm")) return await tf.setBackend("wasm");
  return await initWasm(threads);
}

async function describe(
  backend: BackendName,
  adapter: string | null,
  reason: string,
): Promise<CoreInfo> {
  const wasm = backend === "wasm";
  return {
    backend,
    adapter,
    simd: wasm && await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") as boolean,
    threads: wasm ? getThreadsCount() : 1,
    reason,
  };
}

/**
 * Chooses, initialises and switches to the core's backend.
 *
 * May be called again to switch: each backend initialises once per process and is reused.
 *
 * @param options `backend` and, for wasm, `threads`.
 * @returns Which backend computes, on what, and why.
 * @throws {Error} If the backend asked for explicitly cannot start here.
 * @throws {RangeError} If `CORE_BACKEND` or `CORE_WASM_THREADS` holds an unknown value.
 *
 * @example Plain JavaScript, everywhere
 * ```ts
 * import { initCore } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * const info = await initCore({ backend: "cpu" });
 * assert.equal(info.backend, "cpu");
 * ```
 */
export async function initCore(options: InitCoreOptions = {}): Promise<CoreInfo> {
  const choice = options.backend ?? fromEnv("CORE_BACKEND", parseBackend) ?? "auto";
  const threads = options.threads ?? fromEnv("CORE_WASM_THREADS", parseThreads) ?? 1;
  parseThreads(String(threads));
  const probed = choice === "auto" || choice === "webgpu" ? await probeAdapter() : null;
  current = await start(choice, probed, threads);
  return { ...current };
}

async function start(
  choice: BackendChoice,
  probed: { name: string; software: boolean } | null,
  threads: number,
): Promise<CoreInfo> {
  const adapter = probed?.name ?? null;
  switch (choice) {
    case "cpu":
      return await useCpu(null, "asked for cpu");
    case "webgpu":
      if (!probed) throw new Error(`Cannot use backend "webgpu": WebGPU has no adapter here`);
      if (!await tf.setBackend("webgpu")) {
        throw new Error(`Cannot use backend "webgpu": tfjs failed to start on "${adapter}"`);
      }
      return await describe("webgpu", adapter, "asked for webgpu");
    case "wasm":
      if (!await useWasm(threads)) throw new Error(`Cannot use backend "wasm": tfjs failed`);
      return await describe("wasm", null, threading("asked for wasm", threads));
    case "auto": {
      if (probed && !probed.software && await tf.setBackend("webgpu")) {
        return await describe("webgpu", adapter, "auto: a hardware GPU adapter");
      }
      const why = !probed
        ? "auto: no WebGPU adapter"
        : probed.software
        ? `auto: the WebGPU adapter "${adapter}" renders in software, slower than wasm`
        : `auto: tfjs failed to start WebGPU on "${adapter}"`;
      if (await useWasm(threads)) return await describe("wasm", adapter, threading(why, threads));
      return await useCpu(adapter, `${why}; wasm failed to start`);
    }
  }
}

/** The reason, with why wasm has fewer threads than asked for where it has. */
function threading(reason: string, threads: number): string {
  const actual = getThreadsCount();
  if (actual >= threads) return reason;
  const why = threadsUnavailable(threads) ??
    "the first start of wasm fixes the pool, at most one thread per CPU";
  return `${reason}; ${actual} thread(s), not ${threads}: ${why}`;
}

async function useCpu(adapter: string | null, reason: string): Promise<CoreInfo> {
  if (!await tf.setBackend("cpu")) throw new Error(`Cannot use backend "cpu": tfjs failed`);
  // The cpu backend greets its first tensor under Node.js with advice to install tfjs-node,
  // which Deno cannot use.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  return await describe("cpu", adapter, reason);
}

/**
 * The core's backend: the one {@linkcode initCore} chose last, else the default choice
 * (`CORE_BACKEND`, else `auto`), started now. Every reference function waits for it, so
 * none computes on a backend tfjs picked by itself (it would pick a software WebGPU).
 *
 * @returns Which backend computes, on what, and why.
 */
export async function coreReady(): Promise<CoreInfo> {
  if (current) return { ...current };
  starting ??= initCore();
  return await starting;
}

/**
 * What the last {@linkcode initCore} chose.
 *
 * @returns Which backend computes, on what, and why.
 * @throws {Error} If {@linkcode initCore} has not run.
 */
export function coreInfo(): CoreInfo {
  if (!current) throw new Error("Cannot describe the core: initCore() has not run");
  return { ...current };
}
