/**
 * The trusted code that runs inside the sandbox, in the same process as the student's
 * code.
 *
 * The grader starts the child with a main module it writes for the run, which imports
 * this one and calls {@linkcode runHarness} with loaders for the student's entry module
 * and the exercise's driver: `() => import("file:///sandbox/submission/lms.ts")`. A
 * dynamic import whose specifier is a string literal needs no read permission (a computed
 * one would), and fails only when it is called, so a module that does not load becomes a
 * frame like any other.
 *
 * The harness reads one {@linkcode ChildRequest} from standard input, loads the driver
 * (if any), imports the student's module, runs the cases in order with `runCalls` (see
 * `calls.ts`) and writes one frame a line on standard output, prefixed with the request's
 * nonce (see `protocol.ts`). Everything else the process prints is the student's. A
 * module that fails to load is reported with the loader's message, the sandbox's paths
 * made relative to the student's folder (`lms.ts:3:7`).
 *
 * Drivers: an exercise whose calls need trusted functions built from the student's module
 * (a test function composed of the student's `sin` and `mul`, passed to `derivative`) has
 * a module `drivers/<exercise-id>.ts` beside this one that exports `driver` (a `Driver`
 * of `calls.ts`); requests name it with `driver: "<exercise-id>"`. A driver imports only
 * from this folder and `node:` built-ins (the sandbox holds nothing else of the grader)
 * and never holds an expected value: student code runs in the same process and could read
 * it.
 *
 * Student code shares this realm and may replace globals once it loads, so what the
 * harness needs to frame its answer (the standard output writer, `Deno.exit`, the text
 * encoder) is captured when this module loads, before any student module. Uncaught errors
 * and unhandled rejections that student code leaves behind are reported on standard
 * error and do not end the run.
 *
 * @module
 */
import {
  describeThrown,
  type Driver,
  type DriverFunctions,
  fromWire,
  runCalls,
  toWire,
} from "./calls.ts";
import { type ChildFrame, type ChildRequest, formatFrame } from "./protocol.ts";

const { apply } = Reflect;
const { getOwnPropertyDescriptor } = Object;
const stdout = { stream: Deno.stdout, writeSync: Deno.stdout.writeSync };
const stderr = { stream: Deno.stderr, writeSync: Deno.stderr.writeSync };
const exit = Deno.exit;
const textEncoder = new TextEncoder();
const encodeText = TextEncoder.prototype.encode;
const now = performance.now.bind(performance);
const nativeStackGetter = getOwnPropertyDescriptor(new Error(), "stack")?.get;
const stringIncludes = String.prototype.includes;
const stringReplaceAll = String.prototype.replaceAll;
const stringSplit = String.prototype.split;

function write(to: typeof stdout, text: string): void {
  const bytes = apply(encodeText, textEncoder, [text]) as Uint8Array;
  let offset = 0;
  while (offset < bytes.length) {
    offset += apply(to.writeSync, to.stream, [bytes.subarray(offset)]) as number;
  }
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

/**
 * Reads the request from standard input, answers it on standard output and ends the
 * process.
 *
 * @param loadStudent Imports the student's entry module (a literal dynamic import).
 * @param loadDriver Imports the exercise's driver module, if the run has one.
 * @returns Never: it exits once every frame is written.
 */
export async function runHarness(
  loadStudent: () => Promise<Record<string, unknown>>,
  loadDriver?: () => Promise<{ driver: Driver }>,
): Promise<never> {
  await answer(loadStudent, loadDriver);
  return exit(0);
}

async function answer(
  loadStudent: () => Promise<Record<string, unknown>>,
  loadDriver: (() => Promise<{ driver: Driver }>) | undefined,
): Promise<void> {
  const request = fromWire(await new Response(Deno.stdin.readable).text()) as ChildRequest;
  const { nonce, root, cases } = request;
  const send = (frame: ChildFrame) => write(stdout, formatFrame(nonce, toWire(frame)));
  const makeFunctions: Driver = loadDriver === undefined ? () => ({}) : (await loadDriver()).driver;
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    write(stderr, `Unhandled promise rejection: ${describeThrown(event.reason)}\n`);
  });
  addEventListener("error", (event) => {
    event.preventDefault();
    write(stderr, `Uncaught error: ${describeThrown(event.error)}\n`);
  });
  send({ type: "ready" });

  const loadStarted = now();
  let module: Record<string, unknown>;
  try {
    module = await loadStudent();
  } catch (error) {
    send({ type: "load-error", error: loadError(error, root) });
    return;
  }
  send({ type: "loaded", ms: now() - loadStarted });

  let functions: DriverFunctions = {};
  let driverError: string | undefined;
  try {
    functions = makeFunctions(module);
  } catch (error) {
    driverError = `Cannot prepare the calls: ${describeThrown(error)}`;
  }
  for (let i = 0; i < cases.length; i++) {
    send({ type: "start", case: i });
    const results = driverError === undefined
      ? await runCalls(module, cases[i], functions)
      : cases[i].map(() => ({ ok: false as const, error: driverError!, ms: 0 }));
    send({ type: "case", case: i, results });
  }
  send({ type: "done" });
}
