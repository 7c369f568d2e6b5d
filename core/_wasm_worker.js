/**
 * One pthread of the tfjs wasm backend, run as a `node:worker_threads` worker under Deno.
 *
 * Emscripten's pthread script (shipped inside tfjs-backend-wasm as a blob: URL) is a
 * classic web worker script: it expects `self`, `postMessage`, `importScripts`, and a
 * `self.onmessage` that receives every message. Deno's web workers run modules only (no
 * `importScripts`), and its node workers reject blob: URLs, so this module recreates the
 * classic environment: it fetches the script from the blob: URL, runs it with `process`
 * and `require` hidden (otherwise it takes the Node.js path, which needs CommonJS), and
 * feeds it the parent's messages in order. The "load" message carries the Emscripten
 * factory as a Blob, which only asynchronous code can read; it is read before that
 * message is handed on, and `importScripts` then evaluates it.
 *
 * It is JavaScript, not TypeScript, because a worker's module would otherwise be
 * type-checked again by `deno test` in each of the eight workers Emscripten starts.
 *
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";

/** The name the pthread script gives to the factory it loads. */
const FACTORY_NAME = "WasmBackendModuleThreadedSimd";

/**
 * Parameters that shadow globals for the classic script: `process` and `require` hidden,
 * `postMessage` and `importScripts` as a web worker has them.
 */
const HIDDEN = ["process", "require", "postMessage", "importScripts"];

const port = parentPort;
const post = (message, transfer) => port.postMessage(message, transfer);

let factorySource = "";
const importScripts = () => {
  const load = new Function(...HIDDEN, `${factorySource}\nreturn ${FACTORY_NAME};`);
  globalThis[FACTORY_NAME] = load(undefined, undefined, post, importScripts);
};

// The script assigns `self.onmessage`; keep it here rather than let it reach Deno's own
// message dispatch, which the node worker's port already uses.
let onmessage;
Object.defineProperty(globalThis, "onmessage", {
  configurable: true,
  get: () => onmessage,
  set: (handler) => onmessage = handler,
});
globalThis.self = globalThis;
globalThis.location ??= { href: import.meta.url };

let queue = fetch(workerData.url)
  .then((response) => response.text())
  .then((script) => new Function(...HIDDEN, script)(undefined, undefined, post, importScripts));

port.on("message", (data) => {
  queue = queue.then(async () => {
    if (data?.cmd === "load" && data.urlOrBlob instanceof Blob) {
      factorySource = await data.urlOrBlob.text();
      data.urlOrBlob = FACTORY_NAME;
    }
    onmessage({ data });
  });
});
