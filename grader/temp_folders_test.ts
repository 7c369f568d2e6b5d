import assert from "node:assert/strict";
import { join } from "node:path";
import { startTime } from "./process_tree.ts";
import { makeOwnedTempDir } from "./temp_folders.ts";

Deno.test("makeOwnedTempDir() marks its folder, and removes the same prefix's folders of processes gone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "temp-folders-test-" });
  try {
    const gone = new Deno.Command("true").spawn();
    const mark = `${gone.pid} ${startTime(gone.pid) ?? 1}`;
    await gone.status;
    for (const name of ["grading-job-gone", "grader-sandbox-gone"]) {
      await Deno.mkdir(join(dir, name, "ann", "02-lms"), { recursive: true });
      await Deno.writeTextFile(join(dir, name, "owner"), mark);
    }
    const made = await makeOwnedTempDir({ dir, prefix: "grading-job-" });
    assert.equal(
      await Deno.readTextFile(join(made, "owner")),
      `${Deno.pid} ${startTime(Deno.pid)}`,
    );
    const left = await Array.fromAsync(Deno.readDir(dir), ({ name }) => join(dir, name));
    // Another prefix's folders are another kind's to remove.
    assert.deepEqual(left.sort(), [join(dir, "grader-sandbox-gone"), made].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
