/**
 * The leaderboards' answers, kept ready: ranking every student's best submission is the
 * portal's most expensive query, and a leaderboard changes only when a grade is recorded.
 *
 * An answer is kept until the store records a grade ({@linkcode Store.gradesRecorded}
 * moves): the next request waits for a new one. Where other processes may record grades too
 * (PostgreSQL), an answer older than `maxAgeMs` is also made again, in the background: the
 * requests meanwhile get the old one, so other processes' grades show within about
 * `maxAgeMs` and no request waits for them. Requests that arrive while an answer is being
 * made wait for that one instead of each running the query.
 *
 * @module
 */
import type { Store } from "./store/mod.ts";

/** Options of {@linkcode LeaderboardCache}. */
export interface LeaderboardCacheOptions {
  /**
   * Makes an exercise's answer (the JSON body of `GET /api/leaderboard`).
   */
  render: (exercise: string) => Promise<string>;
  /**
   * How long an answer may be kept when no grade has been recorded by this store, in
   * milliseconds: the staleness allowed for grades recorded by other processes.
   *
   * @default {Infinity on PGlite (no other process can write), 2000 on PostgreSQL}
   */
  maxAgeMs?: number;
  /**
   * The clock, in milliseconds.
   *
   * @default {() => performance.now()}
   */
  now?: () => number;
}

interface Entry {
  /** {@linkcode Store.gradesRecorded} when the answer was started. */
  grades: number;
  startedAt: number;
  body: Promise<string>;
  /** Whether `body` has resolved. */
  ready: boolean;
  /** Whether a newer answer is being made in the background. */
  refreshing: boolean;
}

/** The leaderboards' answers by exercise. */
export class LeaderboardCache {
  readonly #store: Store;
  readonly #render: (exercise: string) => Promise<string>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  /**
   * Makes an empty cache.
   *
   * @param store The store whose recorded grades make answers stale.
   * @param options How answers are made, how long they may be kept, and the clock.
   */
  constructor(store: Store, options: LeaderboardCacheOptions) {
    this.#store = store;
    this.#render = options.render;
    this.#maxAgeMs = options.maxAgeMs ?? (store.engine.kind === "pglite" ? Infinity : 2000);
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * An exercise's answer: the kept one while it is fresh, else a new one.
   *
   * @param exercise The exercise id.
   * @returns The JSON body.
   * @throws What `render` throws; the failed answer is not kept.
   *
   * @example Answers are kept until a grade is recorded
   * ```ts
   * import { LeaderboardCache } from "./_leaderboard_cache.ts";
   * import { openStore } from "./store/mod.ts";
   * import assert from "node:assert/strict";
   *
   * const dataDir = await Deno.makeTempDir();
   * const store = await openStore({ dataDir });
   * try {
   *   let made = 0;
   *   const cache = new LeaderboardCache(store, { render: async () => `{"made":${++made}}` });
   *   assert.equal(await cache.get("02-lms"), `{"made":1}`);
   *   assert.equal(await cache.get("02-lms"), `{"made":1}`);
   *   assert.equal(await cache.get("04-softmax"), `{"made":2}`);
   * } finally {
   *   await store.close();
   *   await Deno.remove(dataDir, { recursive: true });
   * }
   * ```
   */
  get(exercise: string): Promise<string> {
    const kept = this.#entries.get(exercise);
    if (kept?.grades !== this.#store.gradesRecorded) return this.#make(exercise).body;
    if (kept.ready && !kept.refreshing && this.#now() - kept.startedAt >= this.#maxAgeMs) {
      kept.refreshing = true;
      this.#make(exercise, kept).body.catch(() => kept.refreshing = false);
    }
    return kept.body;
  }

  /** Starts a new answer; it replaces `previous` (kept until then) once ready. */
  #make(exercise: string, previous?: Entry): Entry {
    // The count is read before the query starts, so a grade recorded while it runs makes
    // this answer stale at once.
    const entry: Entry = {
      grades: this.#store.gradesRecorded,
      startedAt: this.#now(),
      body: this.#render(exercise),
      ready: false,
      refreshing: false,
    };
    if (!previous) this.#entries.set(exercise, entry);
    entry.body.then(() => {
      entry.ready = true;
      if (previous && this.#entries.get(exercise) === previous) this.#entries.set(exercise, entry);
    }, () => {
      if (this.#entries.get(exercise) === entry) this.#entries.delete(exercise);
    });
    return entry;
  }
}
