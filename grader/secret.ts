/**
 * The course secret and the seeds derived from it.
 *
 * Hidden inputs are drawn from a seed that depends on a course secret, the student and the
 * exercise: each student gets different inputs, nobody can predict them without the
 * secret, and regrading reproduces them exactly. The secret is created on first use in
 * `.grader/secret` (ignored by git, never bundled), or read from `GRADER_SECRET`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the secret lives unless `GRADER_SECRET` or an explicit path says otherwise. */
export const DEFAULT_SECRET_PATH = join(
  fileURLToPath(new URL("../", import.meta.url)),
  ".grader",
  "secret",
);

/** Options for {@linkcode loadCourseSecret}. */
export interface SecretOptions {
  /**
   * The secret file.
   *
   * @default {DEFAULT_SECRET_PATH}
   */
  path?: string;
  /**
   * A secret given directly (e.g. from `GRADER_SECRET`); wins over the file.
   *
   * @default {undefined}
   */
  value?: string;
}

/**
 * Reads the course secret, creating it (32 random bytes, hex, mode 0600) on first use.
 *
 * @param options Where to find it.
 * @returns The secret and where it came from.
 * @throws {RangeError} If the secret is shorter than 16 characters, white space aside.
 */
export async function loadCourseSecret(
  options: SecretOptions = {},
): Promise<{ secret: string; source: string }> {
  if (options.value !== undefined) {
    return { secret: checked(options.value, "GRADER_SECRET"), source: "GRADER_SECRET" };
  }
  const path = options.path ?? DEFAULT_SECRET_PATH;
  try {
    return { secret: checked((await Deno.readTextFile(path)).trim(), path), source: path };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(32)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await Deno.writeTextFile(path, secret + "\n", { createNew: true, mode: 0o600 });
  } catch (error) {
    // Another grader created it between our read and write: use theirs.
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    return { secret: checked((await Deno.readTextFile(path)).trim(), path), source: path };
  }
  return { secret, source: path };
}

function checked(secret: string, source: string): string {
  // White space is no secret: 16 spaces are refused too.
  if (secret.trim().length < 16) {
    throw new RangeError(
      `Cannot use the course secret from "${source}": it is shorter than 16 characters ` +
        "(white space aside)",
    );
  }
  return secret;
}

/** The HMAC key of each secret seen: a class's seeds are all derived from one. */
const hmacKeys = new Map<string, Promise<CryptoKey>>();

/**
 * Derives the seed of one student's hidden tests for one exercise:
 * HMAC-SHA256(secret, "<exercise>\n<student>"), hex.
 *
 * @param secret The course secret.
 * @param student The student id.
 * @param exercise The exercise id.
 * @returns A 64-character hex seed.
 *
 * @example Different students, different seeds; the same student, the same seed
 * ```ts
 * import { deriveSeed } from "./secret.ts";
 * import assert from "node:assert/strict";
 *
 * const secret = "0123456789abcdef0123456789abcdef";
 * assert.equal(await deriveSeed(secret, "ada", "02-lms"), await deriveSeed(secret, "ada", "02-lms"));
 * assert.notEqual(await deriveSeed(secret, "ada", "02-lms"), await deriveSeed(secret, "bob", "02-lms"));
 * ```
 */
export async function deriveSeed(
  secret: string,
  student: string,
  exercise: string,
): Promise<string> {
  const encoder = new TextEncoder();
  let key = hmacKeys.get(secret);
  if (key === undefined) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    hmacKeys.set(secret, key);
    key.catch(() => hmacKeys.delete(secret));
  }
  const mac = await crypto.subtle.sign(
    "HMAC",
    await key,
    encoder.encode(`${exercise}\n${student}`),
  );
  return Array.from(new Uint8Array(mac)).map((b) => b.toString(16).padStart(2, "0")).join("");
}
