/**
 * Secrets handed to people once — session cookies, API tokens, invite codes — and the
 * SHA-256 digests the store keeps instead of them, so that a copy of the database lets
 * nobody sign in.
 *
 * @module
 */

/** Random bytes in a token: 256 bits, beyond guessing. */
const TOKEN_BYTES = 32;

/**
 * Draws a new token.
 *
 * @returns 32 random bytes in base64url (43 characters, safe in URLs and cookies).
 *
 * @example A token and its digest
 * ```ts
 * import { hashToken, newToken } from "./tokens.ts";
 * import assert from "node:assert/strict";
 *
 * const token = newToken();
 * assert.match(token, /^[A-Za-z0-9_-]{43}$/);
 * assert.equal(await hashToken(token), await hashToken(token));
 * ```
 */
export function newToken(): string {
  return crypto.getRandomValues(new Uint8Array(TOKEN_BYTES)).toBase64({
    alphabet: "base64url",
    omitPadding: true,
  });
}

/**
 * The digest under which the store keeps a token. A token has 256 random bits, so a fast
 * hash is enough: there is nothing to try by brute force.
 *
 * @param token A token from {@linkcode newToken} (or anything a client sent).
 * @returns SHA-256 of its UTF-8 bytes, in hex.
 */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return new Uint8Array(digest).toHex();
}
