import assert from "node:assert/strict";
import {
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  PBKDF2_ITERATIONS,
  verifyPassword,
} from "./passwords.ts";

Deno.test("hashPassword() salts each hash and uses at least 600 000 PBKDF2 iterations", async () => {
  const [a, b] = [await hashPassword("correct horse"), await hashPassword("correct horse")];
  assert.notEqual(a, b, "two hashes of one password differ by their salt");
  const [scheme, iterations, salt, hash] = a.split("$");
  assert.equal(scheme, "pbkdf2-sha256");
  assert.ok(Number(iterations) >= 600_000 && Number(iterations) === PBKDF2_ITERATIONS);
  assert.equal(Uint8Array.fromBase64(salt).length, 16);
  assert.equal(Uint8Array.fromBase64(hash).length, 32);
});

Deno.test("hashPassword() matches PBKDF2-HMAC-SHA-256 computed independently", async () => {
  const stored = await hashPassword("pässword-1");
  const [, iterations, salt] = stored.split("$");
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("pässword-1"),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    {
      name: "PBKDF2",
      hash: "SHA-256",
      salt: Uint8Array.fromBase64(salt),
      iterations: Number(iterations),
    },
    key,
    256,
  );
  assert.equal(stored.split("$")[3], new Uint8Array(bits).toBase64());
});

Deno.test("hashPassword() refuses passwords that are too short or too long", async () => {
  await assert.rejects(hashPassword("x".repeat(MIN_PASSWORD_LENGTH - 1)), RangeError);
  await assert.rejects(hashPassword("x".repeat(MAX_PASSWORD_LENGTH + 1)), /8 to 1024 characters/);
});

Deno.test("verifyPassword() accepts the password only, in either Unicode normal form", async () => {
  const stored = await hashPassword("café au lait");
  assert.equal(await verifyPassword("café au lait", stored), true);
  assert.equal(await verifyPassword("cafe\u0301 au lait", stored), true);
  assert.equal(await verifyPassword("café au lai", stored), false);
  assert.equal(await verifyPassword("x".repeat(MAX_PASSWORD_LENGTH + 1), stored), false);
});

Deno.test("verifyPassword() reads the iteration count from the stored hash", async () => {
  const salt = new Uint8Array(16);
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode("older hash"),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: 1000 },
    key,
    256,
  );
  const stored = `pbkdf2-sha256$1000$${salt.toBase64()}$${new Uint8Array(bits).toBase64()}`;
  assert.equal(await verifyPassword("older hash", stored), true);
});

Deno.test("verifyPassword() refuses a stored value that is not a PBKDF2 hash", async () => {
  for (
    const stored of [
      "",
      "plain text",
      "bcrypt$10$abc$def",
      "pbkdf2-sha256$0$AA==$AA==",
      "pbkdf2-sha256$10$!!$AA==",
    ]
  ) {
    await assert.rejects(verifyPassword("whatever1", stored), SyntaxError, stored);
  }
});
