import assert from "node:assert/strict";
import { realmChanged } from "./realm.ts";

Deno.test("realmChanged() sees built-ins added, replaced or removed, and nothing else", () => {
  assert.equal(realmChanged(), false);
  // Ordinary code leaves the realm as it was.
  const doubled = [1, 2, 3].map((x) => x * 2);
  JSON.stringify({ doubled, e: Math.exp(1), f: new Float64Array(2) });
  assert.equal(realmChanged(), false);

  const patches: [object, PropertyKey, unknown][] = [
    [Array.prototype, "sum", () => 0],
    [Math, "exp", () => 0],
    [Array.prototype, Symbol.iterator, function* () {}],
    [globalThis, "helper", 1],
    [Object.getPrototypeOf([][Symbol.iterator]()), "next", () => ({ done: true })],
  ];
  for (const [owner, key, value] of patches) {
    const before = Object.getOwnPropertyDescriptor(owner, key);
    Object.defineProperty(owner, key, { value, configurable: true, writable: true });
    try {
      assert.equal(realmChanged(), true, `a patch of ${String(key)} goes unseen`);
    } finally {
      if (before) Object.defineProperty(owner, key, before);
      else delete (owner as Record<PropertyKey, unknown>)[key];
    }
    assert.equal(realmChanged(), false, `undoing the patch of ${String(key)} is not seen`);
  }
});
