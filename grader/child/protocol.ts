/**
 * What the grader and the sandboxed harness say to each other.
 *
 * The grader writes one {@linkcode ChildRequest} on the harness's standard input, as
 * `toWire` JSON (which keeps NaN, ±Infinity, −0 and undefined). The harness answers with
 * {@linkcode ChildFrame}s on standard output, one a line, each line `<nonce> <toWire
 * JSON>` ({@linkcode formatFrame}). Whatever else appears on standard output is the
 * student's own printing. Student code cannot learn the nonce (standard input is drained
 * before it loads), so it cannot forge a frame; the grader still validates every frame as
 * untrusted data.
 *
 * @module
 */
import type { Call, CallResult } from "../suite.ts";

/** The request the harness reads from standard input. */
export interface ChildRequest {
  /** Random; prefixes every frame. */
  nonce: string;
  /** The URL of the folder holding the student's files, ending in `/` (for messages). */
  root: string;
  /** The cases, each a list of calls run by `runCalls` (see `calls.ts`). */
  cases: Call[][];
}

/** One line of the harness's answer. */
export type ChildFrame =
  /** The request was read and the driver loaded; the student's module is about to load. */
  | { type: "ready" }
  /** The student's entry module loaded. */
  | { type: "loaded"; ms: number }
  /** The student's entry module did not load; nothing else follows. */
  | { type: "load-error"; error: string }
  /** Case number `case` (from 0) starts. */
  | { type: "start"; case: number }
  /** Case number `case` ran: one result per call. */
  | { type: "case"; case: number; results: CallResult[] }
  /** Every case ran. */
  | { type: "done" };

/**
 * Formats one frame as a line of standard output.
 *
 * @param nonce The request's nonce.
 * @param frameJson The frame as JSON, which never contains a newline.
 * @returns `"<nonce> <frameJson>\n"`.
 *
 * @example
 * ```ts
 * import { formatFrame } from "./protocol.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatFrame("n0", '{"type":"done"}'), 'n0 {"type":"done"}\n');
 * ```
 */
export function formatFrame(nonce: string, frameJson: string): string {
  return `${nonce} ${frameJson}\n`;
}
