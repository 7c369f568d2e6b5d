/**
 * Live submission status for the portal: a {@linkcode Notifier} that tells the open
 * event streams when a submission may have changed, and the server-sent event streams of
 * `GET /api/submissions/:id/events` and `GET /api/events` built on it.
 *
 * The notifier is in-process: the workers that `deno task start` runs publish to it. On
 * PostgreSQL a separate `deno task worker` process reaches it through the database:
 * {@linkcode notifyDatabase} sends `NOTIFY`, and {@linkcode listenToDatabase} in the
 * portal hands each notification to the notifier. Every stream also re-reads its
 * submissions once a second, so no change is missed when a notification is (PGlite with
 * an outside worker, a dropped connection); a notification only makes it show sooner.
 *
 * @module
 */
import postgres from "postgres";
import type { Store, Submission } from "./store/mod.ts";
import type { Context } from "hono";
import { HttpError } from "./_http.ts";
import type { AppEnv } from "./_middleware.ts";

/** The PostgreSQL channel on which workers announce status changes. */
export const STATUS_CHANNEL = "submission_status";

/** A change that may concern open streams: the submission and its owner. */
export interface StatusChange {
  /** The submission's id. */
  submission: string;
  /** The owner's id. */
  student: string;
}

/** The body of an `event: status` message. */
export interface StatusEvent {
  id: string;
  status: Submission["status"];
  /** The points earned, once graded. */
  score?: number;
  /** The points available, once graded. */
  maxScore?: number;
}

/** Tells the open event streams of this process that a submission may have changed. */
export class Notifier {
  #listeners = new Set<(change: StatusChange | null) => void>();

  /** How many listeners (open streams, mostly) are subscribed. */
  get size(): number {
    return this.#listeners.size;
  }

  /**
   * Calls a listener on every change until it unsubscribes; with `null` when the notifier
   * closes.
   *
   * @param listener The listener.
   * @returns A function that unsubscribes it.
   */
  subscribe(listener: (change: StatusChange | null) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Tells every listener about a change.
   *
   * @param change The submission and its owner.
   */
  publish(change: StatusChange): void {
    for (const listener of [...this.#listeners]) listener(change);
  }

  /** Ends every open stream (the server is stopping). */
  close(): void {
    for (const listener of [...this.#listeners]) listener(null);
    this.#listeners.clear();
  }
}

/**
 * Counts the event streams each user has open, and refuses one over the cap: every stream
 * re-reads the database once a second, so that one user's thousands would slow everyone.
 */
export class StreamLimiter {
  readonly #open = new Map<string, number>();
  readonly #maxPerUser: number;

  /**
   * Makes a limiter with nothing open.
   *
   * @param maxPerUser The most streams one user may have open (a tab or two each page).
   */
  constructor(maxPerUser = 16) {
    this.#maxPerUser = maxPerUser;
  }

  /**
   * Opens a stream for a user, if the user is under the cap.
   *
   * @param user The user's id.
   * @returns A function that closes it (once, however often it is called), or `null` at
   *   the cap.
   *
   * @example
   * ```ts
   * import { StreamLimiter } from "./events.ts";
   * import assert from "node:assert/strict";
   *
   * const streams = new StreamLimiter(1);
   * const close = streams.open("ada");
   * assert.equal(streams.open("ada"), null);
   * assert.notEqual(streams.open("bob"), null);
   * close!();
   * close!();
   * assert.notEqual(streams.open("ada"), null);
   * ```
   */
  open(user: string): (() => void) | null {
    const open = this.#open.get(user) ?? 0;
    if (open >= this.#maxPerUser) return null;
    this.#open.set(user, open + 1);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      const left = (this.#open.get(user) ?? 1) - 1;
      if (left > 0) this.#open.set(user, left);
      else this.#open.delete(user);
    };
  }
}

/** The headers of a `text/event-stream` response. */
const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  "x-accel-buffering": "no",
};

/**
 * A route's event stream, opened for `user` (who asks: the student, or a member of staff):
 * at most {@linkcode StreamLimiter}'s cap of them at a time, each freeing its place when it
 * ends. A `HEAD` gets the headers only: Hono answers it with the GET handler's response and
 * throws the body away uncancelled, so a stream opened then would never end (red team:
 * sixteen HEADs kept a student's live status refused until a restart).
 *
 * @param c The request's context.
 * @param user Who asks.
 * @param options What the stream follows and when it stops (see {@linkcode statusStream}).
 * @returns The response.
 * @throws {HttpError} 429 if the user has as many streams open as they may.
 */
export function routeStream(
  c: Context<AppEnv>,
  user: string,
  options: Omit<StatusStreamOptions, "notifier" | "onEnd">,
): Response {
  if (c.req.method === "HEAD") return new Response(null, { headers: STREAM_HEADERS });
  const { streams, notifier } = c.get("portal");
  const close = streams.open(user);
  if (close === null) {
    throw new HttpError(429, "Too many live-status streams open: close some of your tabs");
  }
  return statusStream({ ...options, notifier, onEnd: close });
}

/**
 * Announces a change to the portals that share the store's PostgreSQL database (nothing
 * on PGlite, which no other process shares).
 *
 * @param store The store.
 * @param change The submission and its owner.
 */
export async function notifyDatabase(store: Store, change: StatusChange): Promise<void> {
  if (store.engine.kind !== "postgres") return;
  const payload = JSON.stringify({ submission: change.submission, student: change.student });
  await store.engine.query("SELECT pg_notify($1, $2)", [STATUS_CHANNEL, payload]);
}

/**
 * Hands every change announced with {@linkcode notifyDatabase} to a notifier, over a
 * connection of its own (`LISTEN` holds one).
 *
 * @param url The PostgreSQL database's URL.
 * @param notifier The notifier.
 * @returns A function that stops listening and closes the connection.
 */
export async function listenToDatabase(
  url: string,
  notifier: Notifier,
): Promise<() => Promise<void>> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await sql.listen(STATUS_CHANNEL, (payload) => {
      try {
        const change = JSON.parse(payload);
        if (typeof change.submission === "string" && typeof change.student === "string") {
          notifier.publish({ submission: change.submission, student: change.student });
        }
      } catch {
        // Not ours: the streams re-read the store anyway.
      }
    });
  } catch (error) {
    await sql.end({ timeout: 1 });
    throw error;
  }
  return async () => await sql.end({ timeout: 5 });
}

/** Options of {@linkcode statusStream}. */
export interface StatusStreamOptions {
  notifier: Notifier;
  /** Whose submissions the stream follows: changes of other students do not wake it. */
  student: string;
  /** Reads the submissions the stream follows. */
  read: () => Promise<Submission[]>;
  /** Whether the current state of submissions that are already graded is sent first. */
  sendFinal: boolean;
  /** Whether the stream ends once every submission it follows is `done` or `error`. */
  closeWhenFinal: boolean;
  /**
   * How often the submissions are re-read without a notification, in milliseconds.
   *
   * @default {1000}
   */
  pollMs?: number;
  /**
   * How often a comment keeps the connection open, in milliseconds.
   *
   * @default {15000}
   */
  heartbeatMs?: number;
  /** Called once when the stream ends, however it ends. */
  onEnd?: () => void;
}

const FINAL = new Set<Submission["status"]>(["done", "error"]);

/**
 * Turns a submission into the body of its `event: status` message.
 *
 * @param submission The submission.
 * @returns The message's body: the score only once graded.
 */
export function statusEvent(submission: Submission): StatusEvent {
  const event: StatusEvent = { id: submission.id, status: submission.status };
  if (submission.status === "done" && submission.score !== null) {
    event.score = submission.score;
    if (submission.maxScore !== null) event.maxScore = submission.maxScore;
  }
  return event;
}

/**
 * Streams `event: status` messages: each submission's current state first, then each
 * change, with heartbeat comments between them.
 *
 * @param options The notifier, what to follow and when to stop.
 * @returns A `text/event-stream` response.
 */
export function statusStream(options: StatusStreamOptions): Response {
  const pollMs = options.pollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const encoder = new TextEncoder();
  const sent = new Map<string, Submission["status"]>();
  let stop = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let ended = false;
      let wake = () => {};
      let pending = false;
      const unsubscribe = options.notifier.subscribe((change) => {
        if (change === null) end();
        else if (change.student === options.student) {
          pending = true;
          wake();
        }
      });
      const heartbeat = setInterval(() => {
        if (!ended) controller.enqueue(encoder.encode(": heartbeat\n\n"));
      }, heartbeatMs);
      const end = () => {
        if (ended) return;
        ended = true;
        options.onEnd?.();
        unsubscribe();
        clearInterval(heartbeat);
        wake();
        try {
          controller.close();
        } catch {
          // The client cancelled the stream already.
        }
      };
      stop = end;
      const send = (submissions: Submission[], first: boolean) => {
        for (const submission of submissions) {
          if (sent.get(submission.id) === submission.status) continue;
          sent.set(submission.id, submission.status);
          if (first && !options.sendFinal && FINAL.has(submission.status)) continue;
          const data = JSON.stringify(statusEvent(submission));
          controller.enqueue(encoder.encode(`event: status\ndata: ${data}\n\n`));
        }
        return submissions.every((submission) => FINAL.has(submission.status));
      };
      (async () => {
        let first = true;
        while (!ended) {
          pending = false;
          const submissions = await options.read();
          if (ended) break;
          if (send(submissions, first) && options.closeWhenFinal) break;
          first = false;
          if (pending) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      })().catch((error) => {
        if (!ended) console.error(`An event stream failed: ${(error as Error).message}`);
      }).finally(end);
    },
    // The client went away: Deno cancels the body of its response.
    cancel() {
      stop();
    },
  });
  return new Response(body, { headers: STREAM_HEADERS });
}
