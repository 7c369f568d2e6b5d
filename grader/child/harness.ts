/**
 * The trusted code that runs inside the sandbox, in the same process as the student's
 * code.
 *
 * The grader starts the child with a main module it writes for the run, which imports
 * this one and calls {@linkcode runHarness} with, for each part of the request (one
 * student's submission of one exercise), loaders for the student's entry module and the
 * exercise's driver: `() => import("file:///sandbox/submission/<part>/lms.ts")`. A
 * dynamic import whose specifier is a string literal needs no read permission (a computed
 * one would), and fails only when it is called, so a module that does not load becomes a
 * frame like any other.
 *
 * The harness reads one {@linkcode ChildRequest} from standard input, loads the drivers,
 * then part after part imports the student's module, runs the cases in order with
 * `runCalls` (see `calls.ts`) and writes one frame a line on standard output, prefixed
 * with the request's nonce (see `protocol.ts`). Everything else the process prints is the
 * student's. A module that fails to load is reported with the loader's message, the
 * sandbox's paths made relative to the student's folder (`lms.ts:3:7`), and the next part
 * begins.
 *
 * Drivers: an exercise whose calls need trusted functions built from the student's module
 * (a test function composed of the student's `sin` and `mul`, passed to `derivative`), or
 * the stand-ins of isolated runs, has a module `drivers/<name>.ts` beside this one. It
 * reaches the child as source text in the request (`ChildRequest.drivers`), bundled by the
 * grader, never as a file of the sandbox: student code can import any file there, as text
 * too, with no permission, and would compute with the driver's trusted operations. A
 * driver imports only from this folder and `node:` built-ins and never holds an expected
 * value: student code runs in the same process.
 *
 * An isolated part (`ChildPart.isolation`, see `grader/isolation.ts`) runs its cases with
 * some of the student's functions replaced by the driver's stand-ins, case by case, through
 * the swapper the grader appended to its copy of the entry file (`stand_ins.ts`); its cases
 * still call the student's own exports, as they were when the module loaded, and each case
 * frame names the stand-ins the case's code called.
 *
 * Student code shares this realm and may replace globals once it loads, so what the
 * harness needs to frame its answer (the standard output writer, `Deno.exit`, the text
 * encoder) is captured when this module loads, before any student module. Uncaught errors
 * and unhandled rejections that student code leaves behind are reported on standard
 * error and do not end the run. The parts of one request are always the same student's
 * submissions, and a part after which the realm's built-ins differ from how they were
 * when the harness loaded (`realm.ts`) ends the child's work: the grader runs the
 * remaining parts, and that part, again in a fresh child, so that no submission's grade
 * depends on another's side effects.
 *
 * @module
 */
import {
  dataDescriptor,
  describeThrown,
  type Driver,
  type DriverFunctions,
  fromWire,
  runCalls,
  safeToWire,
} from "./calls.ts";
import { type ChildFrame, type ChildPart, type ChildRequest, END_MARK, HELLO } from "./protocol.ts";
import { realmChanged } from "./realm.ts";
import { type Swaps, swapsFor } from "./stand_ins.ts";

const { apply } = Reflect;
const MakeFunction = Function;
const { getOwnPropertyDescriptor, assign } = Object;
const stdout = { stream: Deno.stdout, writeSync: Deno.stdout.writeSync };
const stderr = { stream: Deno.stderr, writeSync: Deno.stderr.writeSync };
const exit = Deno.exit;
const textEncoder = new TextEncoder();
const encodeText = TextEncoder.prototype.encode;
const Bytes = Uint8Array;
const setBytes = Uint8Array.prototype.set;
const { defineProperty } = Object;
const byteLength = getOwnPropertyDescriptor(
  Object.getPrototypeOf(Uint8Array.prototype),
  "byteLength",
)!.get!;
/** The longest nonce a request may open with (see `formatRequest`). */
const MAX_NONCE = 64;
const now = performance.now.bind(performance);
const nativeStackGetter = getOwnPropertyDescriptor(new Error(), "stack")?.get;
const stringIncludes = String.prototype.includes;
const stringReplaceAll = String.prototype.replaceAll;
const stringSplit = String.prototype.split;

/**
 * A new byte array that no species lookup reaches: built-ins that make a typed array from
 * another (`subarray`, `slice`, `map`) ask its `constructor` for `Symbol.species`, and
 * student code can put a constructor of its own on Uint8Array.prototype, which is then
 * handed the bytes (a frame, the nonce with it) and may return others (red team, round 7).
 * An own `constructor` of `undefined` makes them use Uint8Array itself.
 */
function ownBytes(length: number): Uint8Array {
  const bytes = new Bytes(length);
  const descriptor = dataDescriptor(undefined);
  descriptor.writable = false;
  defineProperty(bytes, "constructor", descriptor);
  return bytes;
}

/**
 * Writes all of `bytes`, with functions captured before student code loaded; the rest of a
 * partial write goes from a copy made by index, never from a `subarray`.
 */
function writeAll(to: typeof stdout, bytes: Uint8Array): void {
  let rest = bytes;
  let length = apply(byteLength, rest, []) as number;
  while (length > 0) {
    const written = apply(to.writeSync, to.stream, [rest]) as number;
    if (written >= length) return;
    const next = ownBytes(length - written);
    for (let i = 0; i < length - written; i++) next[i] = rest[written + i];
    rest = next;
    length -= written;
  }
}

function write(to: typeof stdout, text: string): void {
  writeAll(to, apply(encodeText, textEncoder, [text]) as Uint8Array);
}

/**
 * Writes `<nonce> <text>\n`. The nonce is bytes, read here by index only: not through a
 * `length` getter or a method of the typed arrays' prototypes, which student code could
 * replace to be handed them, nor ever as a string, which a heap snapshot would show.
 */
function writeMarked(to: typeof stdout, nonce: Nonce, text: string): void {
  const body = apply(encodeText, textEncoder, [` ${text}\n`]) as Uint8Array;
  const bytes = ownBytes(nonce.size + (apply(byteLength, body, []) as number));
  for (let i = 0; i < nonce.size; i++) bytes[i] = nonce.bytes[i];
  apply(setBytes, bytes, [body, nonce.size]);
  writeAll(to, bytes);
}

/** The request's nonce, as bytes, with its size kept apart. */
interface Nonce {
  bytes: Uint8Array;
  size: number;
}

/**
 * Says {@linkcode HELLO}, then reads the request from standard input, before any student
 * code loads: the nonce's line, kept as bytes and wiped from what was read, the length's
 * line, and the request's text. Standard input is a pipe the grader writes only once it
 * has the hello, and closes (see `protocol.ts`). Synchronous reads, with nothing between
 * the hello and them: no other code can read the pipe first, and a `Response` over
 * `Deno.stdin.readable` would load the fetch machinery, milliseconds of start-up in every
 * child.
 */
function readRequest(): { nonce: Nonce; text: string } {
  write(stdout, HELLO);
  let all = new Uint8Array(64 * 1024);
  let length = 0;
  for (;;) {
    if (length === all.length) {
      const larger = new Uint8Array(2 * all.length);
      larger.set(all);
      all.fill(0);
      all = larger;
    }
    const read = Deno.stdin.readSync(all.subarray(length));
    if (read === null) break;
    length += read;
  }
  const header = requestHeader(all, length);
  if (header === undefined || length < header.total) throw new Error("The request ended early");
  const size = header.size;
  const nonce = { bytes: ownBytes(size), size };
  for (let i = 0; i < size; i++) nonce.bytes[i] = all[i];
  all.fill(0, 0, size);
  return { nonce, text: new TextDecoder().decode(all.subarray(header.start, header.total)) };
}

/**
 * The request's header, once its two lines are in: the nonce's size, and where the text
 * starts and ends.
 *
 * @throws {Error} If the header is malformed (the grader's bug).
 */
function requestHeader(
  all: Uint8Array,
  length: number,
): { size: number; start: number; total: number } | undefined {
  const size = all.subarray(0, length).indexOf(0x0a);
  if (size < 0) return undefined;
  const end = all.subarray(size + 1, length).indexOf(0x0a);
  if (end < 0) return undefined;
  if (size < 1 || size > MAX_NONCE) throw new Error("The request does not start with a nonce");
  const digits = new TextDecoder().decode(all.subarray(size + 1, size + 1 + end));
  if (!/^\d{1,10}$/.test(digits)) throw new Error("The request has no length");
  const start = size + 2 + end;
  return { size, start, total: start + Number(digits) };
}

/**
 * Describes why a module did not load: the loader's message, and where in the student's
 * files a top-level error was thrown, paths relative to the student's folder.
 */
function loadError(thrown: unknown, root: string): string {
  let text = describeThrown(thrown);
  const descriptor = typeof thrown === "object" && thrown !== null
    ? getOwnPropertyDescriptor(thrown, "stack")
    : undefined;
  const stack = descriptor?.get !== undefined && descriptor.get === nativeStackGetter
    ? apply(nativeStackGetter, thrown, [])
    : undefined;
  if (typeof stack === "string") {
    const lines = apply(stringSplit, stack, ["\n"]) as string[];
    const where = lines.find((line) =>
      apply(stringIncludes, line, ["    at "]) && apply(stringIncludes, line, [root])
    );
    if (where !== undefined && !apply(stringIncludes, text, [root])) text += `\n${where}`;
  }
  return apply(stringReplaceAll, text, [root, ""]) as string;
}

/** A part's loader, written into the main module as a literal dynamic import. */
export interface HarnessPart {
  /** Imports the student's entry module. */
  student: () => Promise<Record<string, unknown>>;
}

/**
 * Reads the request from standard input, answers it on standard output and ends the
 * process.
 *
 * @param parts The loaders of each part of the request, in the request's order.
 * @returns Never: it exits once every frame is written.
 */
export async function runHarness(parts: readonly HarnessPart[]): Promise<never> {
  try {
    await answer(parts);
  } catch (error) {
    // Its own "unhandledrejection" listener would swallow this, and the run would end as if
    // all were well: the grader is told the child failed.
    write(stderr, `The harness failed: ${describeThrown(error)}\n`);
    return exit(70);
  }
  return exit(0);
}

async function answer(parts: readonly HarnessPart[]): Promise<void> {
  const { nonce, text } = readRequest();
  const request = fromWire(text) as ChildRequest;
  // Drained: what is read from it now (a text import of /proc/1/fd/0) is nothing.
  Deno.stdin.close();
  const send = (frame: ChildFrame) => writeMarked(stdout, nonce, safeToWire(frame));
  // Drivers are the grader's own code, which comes in the request as source text: no file
  // of the sandbox holds it, and a `with { type: "text" }` import, which needs no
  // permission, could read any. Evaluated by a Function, it leaves nothing in Deno's module
  // caches either. One that fails to build fails before "ready".
  const built: Record<string, Driver> = {};
  const makers: Driver[] = [];
  for (const part of request.parts) {
    const name = part.driver;
    if (name === undefined) {
      makers.push(() => ({}));
      continue;
    }
    if (built[name] === undefined) {
      const source = request.drivers?.[name];
      if (source === undefined) throw new Error(`No source for the driver "${name}"`);
      const exports = new MakeFunction(source)() as { driver?: Driver };
      if (typeof exports.driver !== "function") throw new Error(`The driver "${name}" is empty`);
      built[name] = exports.driver;
    }
    makers.push(built[name]);
  }
  delete request.drivers;
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    write(stderr, `Unhandled promise rejection: ${describeThrown(event.reason)}\n`);
  });
  addEventListener("error", (event) => {
    event.preventDefault();
    write(stderr, `Uncaught error: ${describeThrown(event.error)}\n`);
  });
  send({ type: "ready" });
  const count = Math.min(request.parts.length, parts.length);
  for (let part = 0; part < count; part++) {
    send({ type: "begin", part });
    await answerPart(part, parts[part].student, makers[part], request.parts[part], send);
    // A part that changed the built-ins could change what the next one computes: then the
    // next ones run in a fresh child. The last part is checked too when others ran before
    // it: a timer one of them left may have changed the built-ins while it ran, and the
    // grader then runs it again alone.
    const tainted = count > 1 && realmChanged();
    // Standard error first: the grader reads it through another pipe, and takes the
    // part's share of it up to this mark. Student code may have closed it: then there is
    // nothing more to read there, and the grader reads to its end.
    try {
      writeMarked(stderr, nonce, END_MARK);
    } catch {
      // Closed.
    }
    if (tainted) {
      send({ type: "end", part, tainted: true });
      break;
    }
    send({ type: "end", part });
  }
  send({ type: "done" });
}

async function answerPart(
  part: number,
  loadStudent: HarnessPart["student"],
  makeFunctions: Driver,
  { root, cases, isolation }: ChildPart,
  send: (frame: ChildFrame) => void,
): Promise<void> {
  const loadStarted = now();
  let namespace: Record<string, unknown>;
  try {
    namespace = await loadStudent();
  } catch (error) {
    send({ type: "load-error", part, error: loadError(error, root) });
    return;
  }
  send({ type: "loaded", part, ms: now() - loadStarted });
  // The exports as they loaded: an isolated part's swaps show in the live namespace, and
  // its cases still call the student's own functions.
  const module = isolation === undefined ? namespace : assign({}, namespace);

  let functions: DriverFunctions = {};
  let driverError: string | undefined;
  try {
    functions = makeFunctions(module);
  } catch (error) {
    driverError = `Cannot prepare the calls: ${describeThrown(error)}`;
  }
  let swaps: Swaps | undefined;
  if (isolation !== undefined && driverError === undefined) {
    const names: string[] = [];
    for (let i = 0; i < isolation.swaps.length; i++) {
      for (let k = 0; k < isolation.swaps[i].length; k++) {
        names[names.length] = isolation.swaps[i][k];
      }
    }
    swaps = swapsFor(module, isolation.swapper, names, functions);
  }
  for (let i = 0; i < cases.length; i++) {
    if (driverError !== undefined) {
      const results = cases[i].map(() => ({ ok: false as const, error: driverError!, ms: 0 }));
      send({ type: "case", part, case: i, results });
      continue;
    }
    if (swaps === undefined) {
      send({ type: "case", part, case: i, results: await runCalls(module, cases[i], functions) });
      continue;
    }
    // runCalls reports every throw as a result: the case always reaches leave().
    const names = isolation!.swaps[i] ?? [];
    swaps.enter(names);
    const unswapped = swaps.unswapped(names);
    const results = await runCalls(module, cases[i], functions);
    const standIns = swaps.leave();
    send({
      type: "case",
      part,
      case: i,
      results,
      standIns,
      ...(unswapped.length > 0 ? { unswapped } : {}),
    });
  }
  swaps?.restore();
}
