/**
 * What the grader and the sandboxed harness say to each other.
 *
 * The harness starts by writing {@linkcode HELLO} on standard output. Only then does the
 * grader write one {@linkcode ChildRequest} down the harness's standard input, a pipe that
 * it closes behind it: a line that holds the nonce, a line with the request's length, then
 * the request as `toWire` JSON (which keeps NaN, ±Infinity, −0 and undefined; see
 * {@linkcode formatRequest}). A student's module may import its own standard input as text
 * (`/proc/1/fd/0`) with no permission: read before the hello, that waits for a request that
 * never comes; read after the harness has drained the pipe, it is empty. A request has one
 * part per submission: one student's submissions of several exercises share a child, run
 * one after another, each part with its own module, cases and limits. The harness answers
 * with {@linkcode ChildFrame}s on standard output, one a line, each line `<nonce> <toWire
 * JSON>`. Whatever else appears on standard output is the student's own printing. Standard
 * error reaches the grader through its own pipe, in no fixed order with standard output:
 * before each "end" frame the harness writes {@linkcode endMark} on standard error, so that
 * the grader knows which part wrote what there, and that it has read all of it. Student
 * code cannot learn the nonce: the harness keeps it as bytes it never reads through anything
 * a student could replace, never as a string, so that not even a heap snapshot (`node:v8`,
 * which needs no permission) shows it. So it cannot forge a frame; the grader still
 * validates every frame as untrusted data.
 *
 * @module
 */
import type { Call, CallResult } from "../suite.ts";

/** One submission of a request: its folder and its cases. */
export interface ChildPart {
  /** The URL of the folder holding the student's files, ending in `/` (for messages). */
  root: string;
  /** The exercise driver its calls need: a key of {@linkcode ChildRequest.drivers}. */
  driver?: string;
  /** The cases, each a list of calls run by `runCalls` (see `calls.ts`). */
  cases: Call[][];
  /**
   * Run the cases with some of the student's functions replaced by the driver's trusted
   * stand-ins (its `standIn:<name>` functions), so that a case is judged without the bugs
   * of the functions it calls. The grader's private copy of the entry module ends with an
   * exported function named `swapper` that assigns the module's own binding of a name (see
   * `isolation.ts`); before case `i` the harness points each name of `swaps[i]` at its
   * stand-in and every other swapped name back at the student's function.
   */
  isolation?: {
    /** The export that assigns a binding: `(name, fn) => boolean`. */
    swapper: string;
    /** For each case, the names whose stand-ins its calls may reach. */
    swaps: string[][];
  };
}

/** The request the harness reads from standard input, after the nonce's line. */
export interface ChildRequest {
  /**
   * The drivers the parts need, by name: each the body of a function that returns the
   * driver module's exports, `driver` among them (see `grader/sandbox.ts`). They come in
   * the request, never as files of the sandbox, which student code could read.
   */
  drivers?: Record<string, string>;
  /** The submissions, run in order; the main module hands the harness a loader for each. */
  parts: ChildPart[];
}

/** One line of the harness's answer. */
export type ChildFrame =
  /** The request was read and the drivers loaded; the first part is about to begin. */
  | { type: "ready" }
  /** Part number `part` (from 0) begins: its student module is about to load. */
  | { type: "begin"; part: number }
  /** The part's student entry module loaded. */
  | { type: "loaded"; part: number; ms: number }
  /** The part's student entry module did not load; the part ends next. */
  | { type: "load-error"; part: number; error: string }
  /**
   * Case number `case` (from 0) of the part ran: one result per call. Cases run one at a
   * time, in order, so the grader knows which one runs when the child is stopped. In an
   * isolated part, `standIns` names the stand-ins the case's code called, refused calls
   * included (a stand-in answers only while its name is swapped in for the running case),
   * and `unswapped` those of its swaps that had no stand-in in place.
   */
  | {
    type: "case";
    part: number;
    case: number;
    results: CallResult[];
    standIns?: string[];
    unswapped?: string[];
  }
  /**
   * The part is over: every case ran, or its module did not load. `tainted`: the realm's
   * built-ins changed by its end (see `realm.ts`), so no further part runs in this child.
   */
  | { type: "end"; part: number; tainted?: boolean }
  /** The harness is done: every part ran, or it stopped after a tainted one. */
  | { type: "done" };

/**
 * What the harness writes first on standard output, before it reads its request: no
 * student code can have run before it (the student's modules are only loaded then), so it
 * tells the grader that Deno has read every module it reads at start-up.
 */
export const HELLO = "\u0001harness\n";

/**
 * Writes a request as the harness reads it: the nonce on a line of its own, the length in
 * bytes of the request's wire text on the next, then that text, which does not hold the
 * nonce. The grader writes it down the child's standard input once the harness has said
 * {@linkcode HELLO}, and closes the pipe; the harness reads to its end and checks that the
 * text is as long as its line says.
 *
 * @param nonce Random ASCII, no line break; it prefixes every frame.
 * @param requestWire The request's `toWire` text.
 * @returns The bytes of the harness's standard input.
 */
export function formatRequest(nonce: string, requestWire: string): Uint8Array {
  if (!/^[\x21-\x7e]{1,64}$/.test(nonce)) {
    throw new TypeError("A nonce is 1–64 printable characters");
  }
  const body = new TextEncoder().encode(requestWire);
  const head = new TextEncoder().encode(`${nonce}\n${body.length}\n`);
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  return bytes;
}

/**
 * The mark the harness writes on standard error as each part ends, just before the part's
 * "end" frame on standard output.
 *
 * @param nonce The request's nonce.
 * @returns `"<nonce> end\n"`.
 *
 * @example
 * ```ts
 * import { endMark } from "./protocol.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(endMark("n0"), "n0 end\n");
 * ```
 */
export function endMark(nonce: string): string {
  return `${nonce} ${END_MARK}\n`;
}

/** What follows the nonce in an {@linkcode endMark}. */
export const END_MARK = "end";
