/**
 * Throttles password guessing: failed sign-ins are counted per user id and per client
 * address in a sliding window, in memory (a portal process is one limiter).
 *
 * @module
 */

/** Options of {@linkcode SignInLimiter}. */
export interface SignInLimiterOptions {
  /**
   * Failures allowed in the window, per key.
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

/** Counts failed sign-ins by key (`id:<id>`, `client:<address>`). */
export class SignInLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #maxFailures: number;
  readonly #windowMs: number;
  readonly #now: () => Date;

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
   * Tells when the keys may try again.
   *
   * @param keys The keys of one attempt.
   * @returns `null` if every key may try now, else when the last blocked key may.
   */
  blockedUntil(keys: readonly string[]): Date | null {
    const now = this.#now().getTime();
    let until: number | null = null;
    for (const key of keys) {
      const recent = this.#recent(key, now);
      if (recent.length >= this.#maxFailures) {
        const free = recent[recent.length - this.#maxFailures] + this.#windowMs;
        until = Math.max(until ?? 0, free);
      }
    }
    return until === null ? null : new Date(until);
  }

  /**
   * Counts a failed attempt against each key.
   *
   * @param keys The keys of the attempt.
   */
  fail(keys: readonly string[]): void {
    const now = this.#now().getTime();
    for (const key of keys) this.#failures.set(key, [...this.#recent(key, now), now]);
    if (this.#failures.size > 10_000) {
      for (const key of this.#failures.keys()) {
        if (this.#recent(key, now).length === 0) this.#failures.delete(key);
      }
    }
  }

  /**
   * Forgets the failures of a key (a user who signed in).
   *
   * @param key The key.
   */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => at > now - this.#windowMs);
  }
}
