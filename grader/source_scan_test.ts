import assert from "node:assert/strict";
import { maskSource } from "./source_scan.ts";

Deno.test("maskSource() keeps code and blanks comments and literals, position for position", () => {
  const cases: [string, string][] = [
    ["a / b / c", "a / b / c"],
    ["x = a / 2; y = /re/g", "x = a / 2; y = /__/g"],
    ["return /a'b/.test(s)", "return /___/.test(s)"],
    ["f(`t ${g(`u`)} v`, 'w')", "f(`_____________`, '_')"],
    ["a // const b\nc", "a //________\nc"],
    ["a /* x\ny */ b", "a ____\n____ b"],
    ['s = "a\\"b" + c', 's = "____" + c'],
    ["/* never closed", "_______________"],
    ["a(`${v.map((x) => `{${x}}`)}`); b", "a(`_________________________`); b"],
    ["`${'}'}` + c", "`______` + c"],
  ];
  for (const [source, expected] of cases) {
    const masked = maskSource(source);
    assert.equal(masked.code.length, source.length, source);
    assert.equal(masked.literals.length, source.length, source);
    // Expectations write a blank as "_", for legibility.
    assert.equal(masked.code, expected.replaceAll("_", " "), source);
  }
});

Deno.test("maskSource() keeps literals in its second mask, and blanks only comments there", () => {
  const { literals } = maskSource('import { a } from "./a.ts"; // from "./b.ts"');
  assert.equal(literals, 'import { a } from "./a.ts"; //              ');
});
