import assert from "node:assert/strict";
import { descendants, findDescendant, isRunning, parseStat, processUsage } from "./process_tree.ts";

Deno.test("parseStat() reads the parent and state after the last parenthesis", () => {
  assert.deepEqual(parseStat("1 (init) S 0 1 1 0"), { ppid: 0, name: "init", state: "S" });
  assert.deepEqual(parseStat("9 (x) y) Z 3 9"), { ppid: 3, name: "x) y", state: "Z" });
  assert.equal(parseStat("garbage"), undefined);
});

Deno.test("descendants() finds grandchildren, and isRunning() sees them end", async () => {
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", "sleep 30 & wait"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let tree: { pid: number; name: string }[] = [];
    for (let i = 0; i < 100 && !tree.some((p) => p.name === "sleep"); i++) {
      await new Promise((r) => setTimeout(r, 10));
      tree = descendants(Deno.pid);
    }
    const sleep = tree.find((p) => p.name === "sleep");
    assert.ok(sleep, `no sleep among ${JSON.stringify(tree)}`);
    assert.ok(tree.some((p) => p.pid === child.pid));
    assert.equal(findDescendant(Deno.pid, "sleep"), sleep.pid);
    assert.equal(findDescendant(child.pid, "sleep"), sleep.pid);
    assert.equal(findDescendant(child.pid, "nothing-like-it"), undefined);
    assert.ok(isRunning(sleep.pid));
    Deno.kill(sleep.pid, "SIGKILL");
    await child.status;
    assert.equal(isRunning(sleep.pid), false);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

Deno.test("processUsage() reports this process's memory, threads and processor time", () => {
  const before = processUsage(Deno.pid)!;
  const started = performance.now();
  while (performance.now() - started < 50) {
    // Spend some processor time.
  }
  const usage = processUsage(Deno.pid);
  assert.ok(usage && usage.anonBytes > 1024 * 1024 && usage.threads >= 1, JSON.stringify(usage));
  assert.ok(usage.cpuMs >= before.cpuMs + 30, `${before.cpuMs} → ${usage.cpuMs}`);
  assert.equal(processUsage(2 ** 22 + 1), undefined);
});
