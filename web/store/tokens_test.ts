import assert from "node:assert/strict";
import { hashToken, newToken } from "./tokens.ts";

Deno.test("newToken() draws 32 random bytes as base64url", () => {
  const tokens = Array.from({ length: 100 }, newToken);
  assert.equal(new Set(tokens).size, 100);
  for (const token of tokens) {
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Uint8Array.fromBase64(token, { alphabet: "base64url" }).length, 32);
  }
});

Deno.test("hashToken() is SHA-256 in hex", async () => {
  assert.equal(
    await hashToken("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});
