/**
 * Password hashing with PBKDF2-HMAC-SHA-256 through WebCrypto: a random salt per password and
 * OWASP's 600 000 iterations, stored as `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64)
 * so that a later, higher iteration count can coexist with older hashes.
 *
 * @module
 */

/** Iterations for new hashes (OWASP's recommendation for PBKDF2-HMAC-SHA-256). */
export const PBKDF2_ITERATIONS = 600_000;

/** The shortest password {@linkcode hashPassword} accepts. */
export const MIN_PASSWORD_LENGTH = 8;

/** The longest password {@linkcode hashPassword} accepts, in characters. */
export const MAX_PASSWORD_LENGTH = 1024;

const SCHEME = "pbkdf2-sha256";
const SALT_BYTES = 16;
const HASH_BITS = 256;

/**
 * Hashes a password for storage.
 *
 * @param password The password, as typed.
 * @returns `pbkdf2-sha256$600000$<salt>$<hash>`.
 * @throws {RangeError} If the password is shorter than 8 or longer than 1024 characters.
 *
 * @example Hash, then verify
 * ```ts
 * import { hashPassword, verifyPassword } from "./passwords.ts";
 * import assert from "node:assert/strict";
 *
 * const stored = await hashPassword("correct horse battery staple");
 * assert.ok(await verifyPassword("correct horse battery staple", stored));
 * assert.ok(!(await verifyPassword("Correct horse battery staple", stored)));
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new RangeError(
      `Cannot use the password: it must have ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, not ${password.length}`,
    );
  }
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, PBKDF2_ITERATIONS);
  return [SCHEME, PBKDF2_ITERATIONS, salt.toBase64(), hash.toBase64()].join("$");
}

/**
 * Checks a password against a stored hash, comparing in constant time.
 *
 * @param password The password, as typed.
 * @param stored A hash from {@linkcode hashPassword}.
 * @returns Whether the password matches.
 * @throws {SyntaxError} If `stored` is not such a hash.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash, ...rest] = stored.split("$");
  if (
    scheme !== SCHEME || !/^[1-9]\d{0,9}$/.test(iterations ?? "") || salt === undefined ||
    hash === undefined || rest.length > 0
  ) {
    throw new SyntaxError(`Cannot verify the password: the stored hash is not a ${SCHEME} hash`);
  }
  let expected: Uint8Array;
  let saltBytes: Uint8Array<ArrayBuffer>;
  try {
    expected = Uint8Array.fromBase64(hash);
    saltBytes = Uint8Array.fromBase64(salt);
  } catch {
    throw new SyntaxError("Cannot verify the password: the stored hash is not valid base64");
  }
  // Long passwords cost PBKDF2 no more than short ones, but a megabyte typed into a form
  // should still be refused before any work.
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  const actual = await derive(password, saltBytes, Number(iterations));
  return constantTimeEqual(actual, expected);
}

async function derive(
  password: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password.normalize("NFC")),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

/** Compares every byte whatever the first difference, so the time says nothing about it. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ (b[i] ?? 0);
  return difference === 0;
}
