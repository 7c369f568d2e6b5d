import assert from "node:assert/strict";
import { formatFrame } from "./protocol.ts";

Deno.test("formatFrame() prefixes the frame with the nonce and ends the line", () => {
  assert.equal(formatFrame("abc", '{"type":"ready"}'), 'abc {"type":"ready"}\n');
});
