import assert from "node:assert/strict";
import { join } from "node:path";
import { withPortalProcess } from "../web/_testing.ts";

const ROOT = join(import.meta.dirname!, "..");
const PASSWORD = "correct horse battery";

async function submit(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "submit", ...args],
    cwd: ROOT,
    env: { PORTAL_URL: "", PORTAL_TOKEN: "", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("deno task submit refuses missing settings and files with status 2", async () => {
  const unset = await submit(["02-lms"], {});
  assert.equal(unset.code, 2);
  assert.match(unset.stderr, /set PORTAL_URL/);
  const env = { PORTAL_URL: "http://127.0.0.1:9", PORTAL_TOKEN: "" };
  const noToken = await submit(["02-lms"], env);
  assert.equal(noToken.code, 2);
  assert.match(noToken.stderr, /set PORTAL_TOKEN/);
  const full = { ...env, PORTAL_TOKEN: "t" };
  const wrongName = await submit(["02-lms", "solutions/02-lms/other.ts"], full);
  assert.equal(wrongName.code, 2);
  assert.match(wrongName.stderr, /the file of 02-lms is named lms\.ts/);
  const missing = await submit(["02-lms", join(ROOT, "nowhere", "lms.ts")], full);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /there is no such file/);
  const folder = await Deno.makeTempDir({ prefix: "submit-test-" });
  try {
    await Deno.writeTextFile(join(folder, "lms.ts"), "x".repeat(512 * 1024 + 1));
    const large = await submit(["02-lms", join(folder, "lms.ts")], full);
    assert.equal(large.code, 2);
    assert.match(large.stderr, /it is larger than 512 KiB\n/);
    for (const text of ["", "  \n\n\t"]) {
      await Deno.writeTextFile(join(folder, "lms.ts"), text);
      const empty = await submit(["02-lms", join(folder, "lms.ts")], full);
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /the file is empty/);
      assert.doesNotMatch(empty.stderr, /Cannot reach the portal/, "refused before uploading");
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
  for (const short of ["02", "lms"]) {
    const named = await submit([short, join(ROOT, "nowhere", "lms.ts")], full);
    assert.equal(named.code, 2);
    assert.match(named.stderr, /there is no such file/, `${short} names 02-lms`);
  }
  const unknown = await submit(["99-nope"], full);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no such exercise/);
  const help = await submit(["--help"], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Exit status:/);
});

Deno.test("deno task submit grades a file on a running portal and prints the feedback", async () => {
  const { code, stdout, stderr } = await withPortalProcess(
    { workers: 1, password: PASSWORD },
    async ({ base, origin }) => {
      const post = async (path: string, body: unknown, cookie = "") => {
        const response = await fetch(`${base}${path}`, {
          method: "POST",
          headers: { origin, cookie, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        assert.ok(response.ok, `${path}: ${response.status}`);
        return response;
      };
      const cookieOf = (response: Response) =>
        (response.headers.get("set-cookie") ?? "").split(";")[0];
      const prof = cookieOf(await post("/api/session", { id: "prof", password: PASSWORD }));
      await post("/api/users", { id: "ada", role: "student", password: PASSWORD }, prof);
      const ada = cookieOf(await post("/api/session", { id: "ada", password: PASSWORD }));
      const { token } = await (await post("/api/tokens", {}, ada)).json();
      const env = { PORTAL_URL: base, PORTAL_TOKEN: token };

      const right = await submit(["02-lms", join(ROOT, "solutions", "02-lms", "lms.ts")], env);
      assert.equal(right.code, 0, right.stdout + right.stderr);
      assert.match(right.stdout, /Status: queued/);
      assert.match(right.stdout, /Status: done/);
      const [, score, maxScore] = right.stdout.match(/02-lms: (\S+)\/(\S+) points/) ?? [];
      assert.equal(score, maxScore, right.stdout);

      const folder = await Deno.makeTempDir({ prefix: "web-submit-bug-" });
      try {
        const buggy = join(folder, "lms.ts");
        await Deno.copyFile(
          join(ROOT, "tests", "variants", "02-lms", "bug_cost_missing_half.ts"),
          buggy,
        );
        // The short form `deno task check` takes names the same exercise.
        const wrong = await submit(["02", buggy], env);
        assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
        assert.match(wrong.stdout, /02-lms: \S+\/\S+ points/);
        assert.match(wrong.stdout, /FAIL cost:/);
        assert.match(wrong.stdout, /is the ½ there\?/);
      } finally {
        await Deno.remove(folder, { recursive: true });
      }
    },
  );
  assert.equal(code, 0, stderr);
  assert.match(stdout, /Stopped\./);
});
