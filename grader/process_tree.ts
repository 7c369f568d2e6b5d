/**
 * Reads a process tree from Linux's `/proc`: who descends from whom, and how much memory
 * and how many threads a process uses.
 *
 * The sandbox polls these to enforce its memory and thread limits: no portable in-kernel
 * cap works for V8 (any finite `RLIMIT_AS` or `RLIMIT_DATA` crashes Deno at start-up, as
 * V8 reserves terabytes of address space), `RLIMIT_NPROC` does not bind a process owned
 * by root, and cgroups need a delegation that a grading machine may not grant.
 *
 * @module
 */

/** One process's use of memory, threads and processor time. */
export interface ProcessUsage {
  /** Resident anonymous memory (heap, array buffers, wasm memory), in bytes. */
  anonBytes: number;
  /** Threads, the main one included. */
  threads: number;
  /** Processor time of all its threads, user and system, in milliseconds. */
  cpuMs: number;
}

/**
 * Parses the parent pid and the command name out of a `/proc/<pid>/stat` line.
 *
 * @param stat The content of `/proc/<pid>/stat`.
 * @returns The parent pid and the command name, or `undefined` if the line is malformed.
 *
 * @example The command name may hold spaces and parentheses
 * ```ts
 * import { parseStat } from "./process_tree.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseStat("42 (a (b) c) S 7 42 42 0"), { ppid: 7, name: "a (b) c", state: "S" });
 * ```
 */
export function parseStat(
  stat: string,
): { ppid: number; name: string; state: string } | undefined {
  const open = stat.indexOf("(");
  const close = stat.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const [state, ppid] = stat.slice(close + 2).split(" ");
  const parent = Number(ppid);
  return Number.isInteger(parent)
    ? { ppid: parent, name: stat.slice(open + 1, close), state }
    : undefined;
}

/**
 * Lists the live descendants of a process (children, grandchildren, …), by scanning
 * `/proc`. Costs one small read per process on the machine: call it to find a tree, not
 * in a tight loop.
 *
 * @param root The pid whose descendants to list.
 * @returns Their pids with their command names, parents before children.
 */
export function descendants(root: number): { pid: number; name: string }[] {
  const children = new Map<number, { pid: number; name: string }[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    const pid = Number(entry.name);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    } catch {
      continue; // Exited while we listed.
    }
    const parsed = parseStat(stat);
    if (parsed === undefined || parsed.state === "Z") continue;
    const siblings = children.get(parsed.ppid) ?? [];
    siblings.push({ pid, name: parsed.name });
    children.set(parsed.ppid, siblings);
  }
  const found: { pid: number; name: string }[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/**
 * Finds a descendant of a process by command name, cheaply in the usual case: Linux hands
 * out pids in order, so a child started just after its parent most often has one of the
 * next few pids, and those are tried before a scan of `/proc` ({@linkcode descendants}).
 *
 * @param parent The pid whose descendant to find.
 * @param name The command name, e.g. `"deno"`.
 * @returns Its pid, or `undefined` if there is none (yet).
 */
export function findDescendant(parent: number, name: string): number | undefined {
  for (let pid = parent + 1; pid <= parent + 8; pid++) {
    let stat: ReturnType<typeof parseStat>;
    try {
      stat = parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
    } catch {
      continue;
    }
    if (stat?.ppid === parent && stat.name === name && stat.state !== "Z") return pid;
  }
  return descendants(parent).find((p) => p.name === name)?.pid;
}

const RSS_ANON_KIB = /^RssAnon:\s+(\d+)/m;
const THREADS = /^Threads:\s+(\d+)/m;

/** Clock ticks a second in `/proc/<pid>/stat` (`USER_HZ`, 100 on every Linux ABI). */
const TICKS_PER_SECOND = 100;

/**
 * Reads a process's memory and thread count from `/proc/<pid>/status`, and its processor
 * time from `/proc/<pid>/stat`.
 *
 * @param pid The process.
 * @returns Its usage, or `undefined` if it has exited.
 */
export function processUsage(pid: number): ProcessUsage | undefined {
  let status: string;
  let stat: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  const field = (pattern: RegExp) => Number(pattern.exec(status)?.[1] ?? 0);
  // After the command name: state, ppid, … utime (12th) and stime (13th).
  const times = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(times[11]) + Number(times[12]);
  return {
    anonBytes: field(RSS_ANON_KIB) * 1024,
    threads: field(THREADS),
    cpuMs: Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : 0,
  };
}

/**
 * Whether a process is still running (not exited, not a zombie).
 *
 * @param pid The process.
 * @returns `false` once it has exited.
 */
export function isRunning(pid: number): boolean {
  try {
    return parseStat(Deno.readTextFileSync(`/proc/${pid}/stat`))?.state !== "Z";
  } catch {
    return false;
  }
}

/**
 * When a process started, in clock ticks since boot (`/proc/<pid>/stat`'s 22nd field): with
 * its pid, what tells it from a later process that got the same pid.
 *
 * @param pid The process.
 * @returns Its start time, or `undefined` if there is no such process.
 */
export function startTime(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // After the command name: state (3rd field) … starttime (22nd).
    const value = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    return Number.isInteger(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
