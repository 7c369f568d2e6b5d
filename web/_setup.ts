/**
 * The first start's one-time setup token: it lets whoever reads the server's console create
 * the first instructor. The token is kept only as its SHA-256, in memory, and works once
 * and for a limited time.
 *
 * @module
 */
import { hashToken, newToken } from "./store/tokens.ts";

/** How long a setup token works: 24 hours. */
export const SETUP_TTL_MS = 24 * 60 * 60_000;

/** A one-time setup token, as the server keeps it (hashed). */
export class SetupToken {
  readonly #hash: string;
  /** When the token stops working. */
  readonly expiresAt: Date;
  #used = false;

  /**
   * Keeps a token's hash.
   *
   * @param hash The token's SHA-256, in hex.
   * @param expiresAt When the token stops working.
   */
  constructor(hash: string, expiresAt: Date) {
    this.#hash = hash;
    this.expiresAt = expiresAt;
  }

  /**
   * Makes a random token (32 bytes, base64url).
   *
   * @param now The time now.
   * @param ttlMs How long the token works.
   * @returns The token, to show once, and its hashed state, to keep.
   *
   * @example A token works once
   * ```ts
   * import { SetupToken } from "./_setup.ts";
   * import assert from "node:assert/strict";
   *
   * const { token, setup } = await SetupToken.create();
   * assert.equal(await setup.consume("a guess", new Date()), false);
   * assert.equal(await setup.consume(token, new Date()), true);
   * assert.equal(await setup.consume(token, new Date()), false);
   * ```
   */
  static async create(
    now: Date = new Date(),
    ttlMs: number = SETUP_TTL_MS,
  ): Promise<{ token: string; setup: SetupToken }> {
    const token = newToken();
    const setup = new SetupToken(await hashToken(token), new Date(now.getTime() + ttlMs));
    return { token, setup };
  }

  /**
   * Uses the token up if it is the right one, unused and not expired. Call
   * {@linkcode SetupToken.release} if what it was for then fails.
   *
   * @param token The token as given.
   * @param now The time now.
   * @returns Whether the token was accepted.
   */
  async consume(token: string, now: Date): Promise<boolean> {
    const hash = await hashToken(token);
    if (this.#used || now >= this.expiresAt || !sameText(hash, this.#hash)) return false;
    this.#used = true;
    return true;
  }

  /** Makes a consumed token usable again (the instructor could not be created). */
  release(): void {
    this.#used = false;
  }
}

/** Compares two equally long hex digests in time that does not depend on where they differ. */
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  }
  return difference === 0;
}
