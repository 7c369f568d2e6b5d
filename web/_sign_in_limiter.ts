/**
 * Throttles password guessing: failed sign-ins are counted per client address and per user
 * id in a sliding window, in memory (a portal process is one limiter). An account allows
 * {@linkcode ACCOUNT_FACTOR} times a client's failures: one client is stopped long before it
 * could keep the account's owner out, and guesses spread over many clients are still
 * bounded per account.
 *
 * @module
 */

/** How many times a client's allowance of failures an account (`id:` keys) has. */
export const ACCOUNT_FACTOR = 5;

/** Options of {@linkcode SignInLimiter}. */
export interface SignInLimiterOptions {
  /**
   * Failures allowed in the window, per client (and {@linkcode ACCOUNT_FACTOR} times as many
   * per account).
   *
   * @default {10}
   */
  maxFailures?: number;
  /**
   * The window's length.
   *
   * @default {15 * 60_000}
   */
  windowMs?: number;
  /**
   * The clock.
   *
   * @default {() => new Date()}
   */
  now?: () => Date;
}

/** An attempt under way (see {@linkcode SignInLimiter.begin}). */
export interface Attempt {
  /** When the attempt may be made, if it is blocked now; `null` when it may go on. */
  blockedUntil: Date | null;
  /** Takes the attempt off the count: it was no failure. */
  succeeded(): void;
}

/** Counts failed sign-ins by key (`id:<id>`, `client:<address>`). */
export class SignInLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #now: () => Date;
  #sweepAt = 10_000;

  /**
   * Makes an empty limiter.
   *
   * @param options The allowance, the window and the clock.
   */
  constructor(options: SignInLimiterOptions = {}) {
    this.#maxFailures = options.maxFailures ?? 10;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Starts an attempt: where every key may try now, counts it against each key at once, as
   * a failure until {@linkcode Attempt.succeeded} says otherwise. Attempts that arrive
   * together each take their place before any of them is checked (a password check takes
   * a hundred milliseconds): the eleventh of eleven sent at once is refused, as if the ten
   * before it had already failed.
   *
   * @param keys The keys of the attempt (`id:<id>`, `client:<address>`).
   * @returns The attempt; its `blockedUntil` is when the last blocked key may try again,
   *   or `null` when it may go on.
   *
   * @example
   * ```ts
   * import { SignInLimiter } from "./_sign_in_limiter.ts";
   * import assert from "node:assert/strict";
   *
   * const limiter = new SignInLimiter({ maxFailures: 2 });
   * const [a, b, c] = [1, 2, 3].map(() => limiter.begin(["client:10.0.0.1"]));
   * assert.equal(a.blockedUntil, null);
   * assert.equal(b.blockedUntil, null);
   * assert.ok(c.blockedUntil instanceof Date, "two under way: the third waits");
   * a.succeeded();
   * assert.equal(limiter.begin(["client:10.0.0.1"]).blockedUntil, null);
   *
   * // Refused attempts store nothing, whatever ids they name.
   * const held = limiter.size;
   * for (let i = 0; i < 100; i++) limiter.begin(["client:10.0.0.1", `id:guess-${i}`]);
   * assert.equal(limiter.size, held);
   * ```
   */
  begin(keys: readonly string[]): Attempt {
    const now = this.#now().getTime();
    let until: number | null = null;
    for (const key of keys) {
      const recent = this.#recent(key, now);
      // A refused attempt stores nothing: a blocked client sending new ids would otherwise
      // grow the map by one key a request (red team: 1.2 million 429s, 240 MB).
      if (this.#failures.has(key)) this.#failures.set(key, recent);
      const allowed = key.startsWith("id:")
        ? ACCOUNT_FACTOR * this.#maxFailures
        : this.#maxFailures;
      if (recent.length >= allowed) {
        const free = recent[recent.length - allowed] + this.#windowMs;
        until = Math.max(until ?? 0, free);
      }
    }
    if (until !== null) return { blockedUntil: new Date(until), succeeded: () => {} };
    for (const key of keys) {
      const recent = this.#failures.get(key);
      if (recent) recent.push(now);
      else this.#failures.set(key, [now]);
    }
    this.#sweep(now);
    let settled = false;
    return {
      blockedUntil: null,
      succeeded: () => {
        if (settled) return;
        settled = true;
        for (const key of keys) {
          const recent = this.#failures.get(key);
          const at = recent?.lastIndexOf(now) ?? -1;
          if (at >= 0) recent!.splice(at, 1);
        }
      },
    };
  }

  /**
   * Forgets the failures of a key (a user who signed in).
   *
   * @param key The key.
   */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** How many keys it holds. */
  get size(): number {
    return this.#failures.size;
  }

  /**
   * Drops keys with nothing recent once the map has doubled since the last sweep (at least
   * 10 000 keys): each sweep's cost is paid for by as many attempts.
   */
  #sweep(now: number): void {
    if (this.#failures.size <= this.#sweepAt) return;
    for (const key of this.#failures.keys()) {
      if (this.#recent(key, now).length === 0) this.#failures.delete(key);
    }
    this.#sweepAt = Math.max(10_000, 2 * this.#failures.size);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => at > now - this.#windowMs);
  }
}
