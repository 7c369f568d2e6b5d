/**
 * `abortOnSignals()` as a long-running command meets it: in a process, signalled.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const CLI = new URL("./cli.ts", import.meta.url).href;

/** A command that stops on `stop` after `lingerMs`, as a portal finishing its work does. */
const COMMAND = `
import { abortOnSignals } from ${JSON.stringify(CLI)};
const stop = new AbortController();
using _signals = abortOnSignals(stop, "finishing", () => console.error("at once"));
console.log("ready");
await new Promise((resolve) => stop.signal.addEventListener("abort", resolve));
await new Promise((resolve) => setTimeout(resolve, 2500));
console.error("finished");
`;

/**
 * Starts the command (under `sh`, which may first make it ignore `ignored`), once it listens;
 * `done` is its exit status and what it wrote on standard error.
 */
async function start(folder: string, ignored = "") {
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `trap '' ${ignored || "USR2"}; exec "$0" run --allow-all "$1"`,
      Deno.execPath(),
      join(folder, "command.ts"),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await stdout.read()).value, "ready\n");
  const done = (async () => {
    while (!(await stdout.read()).done);
    return { code: (await child.status).code, stderr: await stderr };
  })();
  return { kill: (signal: Deno.Signal) => child.kill(signal), done };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("abortOnSignals() finishes on a signal (a copy within a second is the same one), stops at once on a later one, and leaves SIGHUP ignored under nohup", async () => {
  const folder = await Deno.makeTempDir({ prefix: "signals-test-" });
  try {
    await Deno.writeTextFile(join(folder, "command.ts"), COMMAND);
    // One Ctrl-C reaches the command twice (from the terminal, and passed on by deno task).
    const once = await start(folder);
    once.kill("SIGINT");
    await pause(100);
    once.kill("SIGINT");
    assert.deepEqual(await once.done, { code: 0, stderr: "finishing\nfinished\n" });

    for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
      const twice = await start(folder);
      twice.kill(signal);
      await pause(1500);
      twice.kill(signal);
      assert.deepEqual(await twice.done, { code, stderr: "finishing\nat once\n" }, signal);
    }

    // Started as nohup starts it, the command does not listen for SIGHUP: it stays ignored.
    const nohup = await start(folder, "HUP");
    nohup.kill("SIGHUP");
    await pause(500);
    nohup.kill("SIGTERM");
    assert.deepEqual(await nohup.done, { code: 0, stderr: "finishing\nfinished\n" });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
