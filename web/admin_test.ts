/**
 * `deno task admin`, run as an instructor runs it: as a process, with the password piped on
 * standard input and the store in a temporary `DATA_DIR`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { openStore } from "./store/mod.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs `deno task admin <args>` on the store in `dataDir`, writing `input` to its stdin. */
async function admin(
  dataDir: string,
  args: string[],
  input = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "admin", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", DATA_DIR: dataDir, DATABASE_URL: "" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

async function withDataDir(fn: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "admin-test-" });
  try {
    await fn(dataDir);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

Deno.test("admin create-instructor takes the password from a pipe and refuses a taken id", async () => {
  await withDataDir(async (dataDir) => {
    const created = await admin(
      dataDir,
      ["create-instructor", "grace", "--name", "Grace Hopper"],
      "compiler tapes 1952\nsecond line is ignored\n",
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created instructor "grace"/);
    assert.doesNotMatch(created.stdout + created.stderr, /compiler tapes/);

    const again = await admin(dataDir, ["create-instructor", "grace"], "another password\n");
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Cannot create instructor "grace": the id is taken/);

    const store = await openStore({ dataDir });
    try {
      const user = await store.authenticate("grace", "compiler tapes 1952");
      assert.equal(user?.role, "instructor");
      assert.equal(user.name, "Grace Hopper");
      assert.equal(await store.authenticate("grace", "another password"), null);
    } finally {
      await store.close();
    }
  });
});

Deno.test("admin refuses bad usage, a bad id and a short password with exit status 2", async () => {
  await withDataDir(async (dataDir) => {
    const short = await admin(dataDir, ["create-instructor", "ada"], "short\n");
    assert.equal(short.code, 2);
    assert.match(short.stderr, /the password must have 8 to 1024 characters, not 5/);

    const usages = [[], ["create-user", "ada"], ["create-instructor"], [
      "create-instructor",
      "a/b",
    ]];
    const refusals = await Promise.all(usages.map((args) => admin(dataDir, args)));
    refusals.forEach((refused, i) => {
      assert.equal(refused.code, 2, usages[i].join(" "));
      assert.match(refused.stderr, /Usage: deno task admin create-instructor/);
    });

    const store = await openStore({ dataDir });
    try {
      assert.deepEqual(await store.listUsers(), []);
    } finally {
      await store.close();
    }
  });
});

Deno.test("admin sign-out ends a user's sessions and revokes their tokens", async () => {
  await withDataDir(async (dataDir) => {
    let store = await openStore({ dataDir });
    let token: string;
    let session: string;
    try {
      await store.createUser({
        id: "ada",
        name: "Ada",
        role: "student",
        password: "pw-long-enough",
      });
      await store.createUser({
        id: "bob",
        name: "Bob",
        role: "student",
        password: "pw-long-enough",
      });
      token = (await store.createApiToken("ada")).token;
      await store.createApiToken("ada");
      session = (await store.createSession("ada")).token;
      await store.createApiToken("bob");
    } finally {
      await store.close();
    }
    const signedOut = await admin(dataDir, ["sign-out", "ada"]);
    assert.equal(signedOut.code, 0, signedOut.stderr);
    assert.match(signedOut.stdout, /Signed "ada" out: 1 session ended, 2 personal tokens revoked/);
    const unknown = await admin(dataDir, ["sign-out", "nobody"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Cannot sign "nobody" out: no such user/);
    const badUsage = await admin(dataDir, ["sign-out", "ada", "--name", "X"]);
    assert.equal(badUsage.code, 2);

    store = await openStore({ dataDir });
    try {
      assert.equal(await store.apiTokenUser(token), null);
      assert.equal(await store.sessionUser(session), null);
      assert.equal((await store.listApiTokens("bob")).length, 1, "bob's are his own");
    } finally {
      await store.close();
    }
  });
});

Deno.test("admin says in one line that a running portal holds the embedded database", async () => {
  await withDataDir(async (dataDir) => {
    // The test's own store stands for the running portal: PGlite serves one process.
    const store = await openStore({ dataDir });
    try {
      await store.createUser({ id: "ada", role: "student", password: "pw-long-enough" });
      const runs = [
        { args: ["sign-out", "ada"], route: /POST \/api\/users\/<id>\/sign-out/ },
        { args: ["create-instructor", "grace"], route: /POST \/api\/users\b/ },
        { args: ["invite", "ada"], route: /POST \/api\/users\/<id>\/invite/ },
      ];
      for (const { args, route } of runs) {
        const refused = await admin(dataDir, args, "compiler tapes 1952\n");
        assert.equal(refused.code, 2, args.join(" "));
        assert.equal(refused.stdout, "");
        assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
        assert.match(refused.stderr, /is in use by a running portal; stop the portal first/);
        assert.match(refused.stderr, /DATABASE_URL/);
        assert.match(refused.stderr, route);
        assert.doesNotMatch(refused.stderr, /\bat .*\.ts:\d+/, "no stack trace");
      }
      assert.deepEqual((await store.listUsers()).map((user) => user.id), ["ada"]);
    } finally {
      await store.close();
    }
  });
});

Deno.test("admin invite prints a new code that replaces the old one and signs the user out", async () => {
  await withDataDir(async (dataDir) => {
    let store = await openStore({ dataDir });
    let lost: string;
    let session: string;
    try {
      lost = (await store.createUser({ id: "ada", role: "student" })).inviteCode!;
      await store.createUser({ id: "bob", role: "student", password: "pw-long-enough" });
      session = (await store.createSession("bob")).token;
    } finally {
      await store.close();
    }
    const invited = await admin(dataDir, ["invite", "ada"]);
    assert.equal(invited.code, 0, invited.stderr);
    assert.match(invited.stdout, /Invite code for "ada"/);
    const code = invited.stdout.trim().split("\n").at(-1)!;
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);
    const forgotten = await admin(dataDir, ["invite", "bob"]);
    assert.equal(forgotten.code, 0, forgotten.stderr);
    const unknown = await admin(dataDir, ["invite", "nobody"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Cannot invite "nobody": no such user/);
    const badUsage = await admin(dataDir, ["invite", "ada", "--name", "X"]);
    assert.equal(badUsage.code, 2);

    store = await openStore({ dataDir });
    try {
      assert.equal(await store.redeemInvite(lost, "analytical engine"), null, "the old code");
      assert.equal((await store.redeemInvite(code, "analytical engine"))?.id, "ada");
      const bobCode = forgotten.stdout.trim().split("\n").at(-1)!;
      assert.equal((await store.sessionUser(session))?.user.id, "bob", "until redeemed");
      assert.equal((await store.redeemInvite(bobCode, "a new password"))?.id, "bob");
      assert.equal(await store.sessionUser(session), null);
      assert.equal((await store.authenticate("bob", "a new password"))?.id, "bob");
    } finally {
      await store.close();
    }
  });
});
