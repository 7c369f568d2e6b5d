/**
 * Throttles password guessing: failed sign-ins are counted in a sliding window, in memory (a
 * portal process is one limiter), under three keys an attempt (see {@linkcode signInKeys}):
 *
 * - the client address and the account together: this is what stops guessing one account's
 *   password, and it is the only lockout that typos cause. A computer lab or a campus NAT is
 *   one address for many students: one student's typos there must not keep the others out;
 * - the account alone, with {@linkcode ACCOUNT_FACTOR} times that allowance: guesses spread
 *   over many clients are still bounded per account, and one client is stopped long before
 *   it could keep the account's owner out;
 * - the client alone, with {@linkcode CLIENT_FACTOR} times that allowance: a ceiling on one
 *   address spraying guesses over many accounts.
 *
 * Invite codes and the setup token are counted the same way, the code's first characters
 * standing for the account ({@linkcode redeemKeys}, {@linkcode setupKeys}).
 *
 * @module
 */

/** How many times a client's allowance on one account an account (`id:` keys) has. */
export const ACCOUNT_FACTOR = 5;

/**
 * How many times a client's allowance on one account a client has over all accounts
 * (`client:` keys): a lab's whole class mistyping shares this ceiling.
 */
export const CLIENT_FACTOR = 10;

/** How many characters of an invite code stand for it in the limiter's keys. */
const CODE_PREFIX_LENGTH = 8;

/**
 * The keys of a sign-in as `id` from `client`: the client and account together, the account,
 * and the client.
 *
 * @param client The client's address (its network, as `clientAddress` gives it).
 * @param id The account's id, as typed.
 * @returns The keys, for {@linkcode SignInLimiter.begin}.
 *
 * @example
 * ```ts
 * import { signInKeys } from "./_sign_in_limiter.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(signInKeys("192.0.2.7", "ada"), [
 *   "client+id:192.0.2.7 ada",
 *   "id:ada",
 *   "client:192.0.2.7",
 * ]);
 * ```
 */
export function signInKeys(client: string, id: string): string[] {
  return [`client+id:${client} ${id}`, `id:${id}`, `client:${client}`];
}

/**
 * The keys of an invite code's redemption from `client`: the client and the code's first
 * characters together (a student retyping their own code), and the client. A code is 256
 * random bits, so guessing one is bounded by the client's ceiling alone, as it can be.
 *
 * @param client The client's address.
 * @param code The code, as typed.
 * @returns The keys, for {@linkcode SignInLimiter.begin}.
 */
export function redeemKeys(client: string, code: string): string[] {
  return [`client+code:${client} ${code.slice(0, CODE_PREFIX_LENGTH)}`, `client:${client}`];
}

/**
 * The keys of an attempt at the first start's setup from `client`: one token, so one
 * client's allowance on it, as for one account.
 *
 * @param client The client's address.
 * @returns The keys, for {@linkcode SignInLimiter.begin}.
 */
export function setupKeys(client: string): string[] {
  return [`client+setup:${client}`, `client:${client}`];
}

/** How many times the allowance a key has, by the kind its prefix names. */
function factor(key: string): number {
  if (key.startsWith("id:")) return ACCOUNT_FACTOR;
  if (key.startsWith("client:")) return CLIENT_FACTOR;
  return 1;
}

/** Options of {@linkcode SignInLimiter}. */
export interface SignInLimiterOptions {
  /**
   * Failures allowed in the window, per client on one account ({@linkcode ACCOUNT_FACTOR}
   * times as many per account, {@linkcode CLIENT_FACTOR} times as many per client).
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

/** Counts failed sign-ins by key (see {@linkcode signInKeys}). */
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
   * @param keys The keys of the attempt ({@linkcode signInKeys}, {@linkcode redeemKeys},
   *   {@linkcode setupKeys}).
   * @returns The attempt; its `blockedUntil` is when the last blocked key may try again,
   *   or `null` when it may go on.
   *
   * @example
   * ```ts
   * import { SignInLimiter, signInKeys } from "./_sign_in_limiter.ts";
   * import assert from "node:assert/strict";
   *
   * const limiter = new SignInLimiter({ maxFailures: 2 });
   * const lab = "192.0.2.7";
   * const [a, b, c] = [1, 2, 3].map(() => limiter.begin(signInKeys(lab, "ada")));
   * assert.equal(a.blockedUntil, null);
   * assert.equal(b.blockedUntil, null);
   * assert.ok(c.blockedUntil instanceof Date, "two under way: the third waits");
   * assert.equal(limiter.begin(signInKeys(lab, "bob")).blockedUntil, null, "bob is not ada");
   * a.succeeded();
   * assert.equal(limiter.begin(signInKeys(lab, "ada")).blockedUntil, null);
   *
   * // One address on many accounts reaches its ceiling (2 × CLIENT_FACTOR), and from then on
   * // refused attempts store nothing, whatever ids they name.
   * for (let i = 0; i < 20; i++) limiter.begin(signInKeys(lab, `guess-${i}`));
   * const held = limiter.size;
   * for (let i = 0; i < 100; i++) {
   *   assert.ok(limiter.begin(signInKeys(lab, `more-${i}`)).blockedUntil instanceof Date);
   * }
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
      const allowed = factor(key) * this.#maxFailures;
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
