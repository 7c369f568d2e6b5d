import assert from "node:assert/strict";
import { npmClosure, prunedLockfile } from "./pruned_lockfile.ts";

const lock = JSON.parse(await Deno.readTextFile(new URL("../deno.lock", import.meta.url)));

Deno.test("npmClosure() follows tfjs's dependencies and leaves the course's tools out", () => {
  const names = npmClosure(lock, ["npm:@tensorflow/tfjs@4.22.0"]).map((p) => p.name);
  for (const needed of ["@tensorflow/tfjs", "@tensorflow/tfjs-core", "seedrandom", "long"]) {
    assert.ok(names.includes(needed), `${needed} is missing`);
  }
  for (const unwanted of ["zod", "fast-check", "@tensorflow/tfjs-backend-wasm"]) {
    assert.ok(!names.includes(unwanted), `${unwanted} is included`);
  }
});

Deno.test("npmClosure() tells apart two versions of one package", () => {
  const twoVersions = {
    version: "5",
    specifiers: { "npm:app@1.0.0": "1.0.0" },
    npm: {
      "app@1.0.0": { dependencies: ["lib@2.0.0", "tool"] },
      "lib@1.0.0": {},
      "lib@2.0.0_peer@1.0.0": { optionalDependencies: ["peer"] },
      "peer@1.0.0": {},
      "tool@3.1.4": { dependencies: ["lib@1.0.0"] },
    },
  };
  assert.deepEqual(npmClosure(twoVersions, ["npm:app@1.0.0"]), [
    { name: "app", version: "1.0.0" },
    { name: "lib", version: "1.0.0" },
    { name: "lib", version: "2.0.0" },
    { name: "peer", version: "1.0.0" },
    { name: "tool", version: "3.1.4" },
  ]);
});

Deno.test("npmClosure() refuses an unknown specifier or lockfile version", () => {
  assert.throws(() => npmClosure(lock, ["npm:left-pad@1.3.0"]), /Cannot find "npm:left-pad@1.3.0"/);
  assert.throws(() => npmClosure({ version: "3" }, []), /version 3 is not 5/);
});

Deno.test("prunedLockfile() keeps tfjs's closure and drops the course's tools", () => {
  const pruned = prunedLockfile(lock, ["npm:@tensorflow/tfjs@4.22.0"]);
  assert.deepEqual(Object.keys(pruned.specifiers!), ["npm:@tensorflow/tfjs@4.22.0"]);
  assert.deepEqual(pruned.workspace, { dependencies: ["npm:@tensorflow/tfjs@4.22.0"] });
  assert.equal(
    Object.keys(pruned.npm!).length,
    npmClosure(lock, ["npm:@tensorflow/tfjs@4.22.0"]).length,
  );
  assert.ok(!Object.keys(pruned.npm!).some((key) => key.startsWith("zod@")));
});
