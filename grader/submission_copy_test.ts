import assert from "node:assert/strict";
import { join } from "node:path";
import { copySubmission, formatBytes, SubmissionRefusedError } from "./submission_copy.ts";

/** Builds a submission folder with `build`, then hands it and an empty target to `check`. */
async function withFolders(
  build: (source: string) => void | Promise<void>,
  check: (source: string, target: string) => void,
): Promise<void> {
  const source = await Deno.makeTempDir({ prefix: "submission-" });
  const target = await Deno.makeTempDir({ prefix: "copy-" });
  try {
    await build(source);
    check(source, target);
  } finally {
    await Deno.remove(source, { recursive: true });
    await Deno.remove(target, { recursive: true });
  }
}

/** Why `copySubmission` refused `source`, into a fresh target. */
function refusal(source: string, limits = {}): string {
  const target = Deno.makeTempDirSync({ prefix: "copy-" });
  try {
    copySubmission(source, target, limits);
  } catch (error) {
    if (error instanceof SubmissionRefusedError) return error.message;
    throw error;
  } finally {
    Deno.removeSync(target, { recursive: true });
  }
  assert.fail("the submission was copied");
}

Deno.test("copySubmission() copies files and subfolders byte for byte", async () => {
  await withFolders(async (source) => {
    await Deno.writeTextFile(join(source, "lms.ts"), "export const a = 1;\n");
    await Deno.mkdir(join(source, "lib"));
    await Deno.writeFile(join(source, "lib", "data.bin"), new Uint8Array([0, 255, 7]));
  }, (source, target) => {
    const { files, bytes, contents } = copySubmission(source, target);
    assert.deepEqual({ files, bytes }, { files: ["lib/data.bin", "lms.ts"], bytes: 23 });
    assert.deepEqual([...contents.keys()].sort(), files);
    assert.deepEqual(contents.get("lib/data.bin"), new Uint8Array([0, 255, 7]));
    assert.equal(Deno.readTextFileSync(join(target, "lms.ts")), "export const a = 1;\n");
    assert.deepEqual(
      Deno.readFileSync(join(target, "lib", "data.bin")),
      new Uint8Array([0, 255, 7]),
    );
  });
});

Deno.test("copySubmission() refuses a symbolic link anywhere, even to a file inside", async () => {
  await withFolders(async (source) => {
    await Deno.writeTextFile(join(source, "lms.ts"), "");
    await Deno.mkdir(join(source, "lib"));
    await Deno.symlink(join(source, "lms.ts"), join(source, "lib", "alias.ts"));
  }, (source) => {
    assert.equal(refusal(source), '"lib/alias.ts" is a symbolic link');
  });
  await withFolders((source) => Deno.symlink("/etc", join(source, "etc")), (source) => {
    assert.equal(refusal(source), '"etc" is a symbolic link');
  });
});

Deno.test("copySubmission() refuses a hard link, the other name of a file outside (red team, round 10)", async () => {
  const outside = await Deno.makeTempDir({ prefix: "outside-" });
  try {
    await Deno.writeTextFile(join(outside, "secret"), "course secret");
    await withFolders(async (source) => {
      await Deno.writeTextFile(join(source, "lms.ts"), "");
      await Deno.link(join(outside, "secret"), join(source, "notes.txt"));
    }, (source) => {
      assert.equal(
        refusal(source),
        '"notes.txt" is a hard link (the same file has another name): hand in a plain copy',
      );
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("copySubmission() refuses a submission folder that is a link, or missing", async () => {
  await withFolders(async (source) => {
    await Deno.mkdir(join(source, "real"));
    await Deno.symlink(join(source, "real"), join(source, "link"));
  }, (source) => {
    assert.equal(refusal(join(source, "link")), "The submission folder is a symbolic link");
    assert.equal(refusal(join(source, "missing")), "The submission folder does not exist");
  });
});

Deno.test("copySubmission() refuses names outside [A-Za-z0-9._-]", async () => {
  for (const name of ["my file.ts", "ünï.ts", "a$b.ts", "x\ny.ts"]) {
    await withFolders((source) => Deno.writeTextFile(join(source, name), ""), (source) => {
      assert.match(refusal(source), /has a name other than letters/);
    });
  }
});

Deno.test("copySubmission() refuses a file, a total or a count over its cap", async () => {
  await withFolders((source) => Deno.writeFile(join(source, "big.bin"), new Uint8Array(2049)), (
    source,
  ) => {
    assert.equal(refusal(source, { maxFileBytes: 2048 }), '"big.bin" is larger than 2 KiB');
  });
  await withFolders(async (source) => {
    for (const name of ["a", "b", "c"]) {
      await Deno.writeFile(join(source, name), new Uint8Array(600));
    }
  }, (source) => {
    assert.equal(
      refusal(source, { maxTotalBytes: 1024 }),
      "The submission's files add up to more than 1 KiB",
    );
    assert.equal(refusal(source, { maxFiles: 2 }), "The submission has more than 2 files");
  });
});

Deno.test("copySubmission() refuses folders nested deeper than the cap", async () => {
  await withFolders(
    (source) => Deno.mkdir(join(source, "a", "b"), { recursive: true }),
    (source) => {
      assert.equal(refusal(source, { maxDepth: 1 }), '"a/b" is nested more than 1 folders deep');
    },
  );
});

Deno.test("copySubmission() refuses anything but plain files and folders", async () => {
  await withFolders(async (source) => {
    const { code } = await new Deno.Command("mkfifo", { args: [join(source, "pipe")] }).output();
    assert.equal(code, 0);
  }, (source) => {
    assert.equal(refusal(source), '"pipe" is not a plain file');
  });
});

Deno.test("copySubmission() refuses more folders than the cap, without making any (red team, round 11)", async () => {
  // 200 000 empty folders held the grader's thread, and every other student, for minutes.
  await withFolders(async (source) => {
    await Deno.writeTextFile(join(source, "lms.ts"), "");
    for (let i = 0; i < 17; i++) await Deno.mkdir(join(source, `d${i}`));
  }, (source, target) => {
    assert.equal(refusal(source), "The submission has more than 16 folders");
    assert.deepEqual([...Deno.readDirSync(target)], []);
  });
  await withFolders(async (source) => {
    await Deno.mkdir(join(source, "d"));
    for (let i = 0; i < 200; i++) await Deno.mkdir(join(source, "d", `${i}`));
  }, (source) => {
    assert.equal(
      refusal(source, { maxFiles: 4, maxFolders: 4 }),
      "The submission has more than 4 files and 4 folders",
    );
  });
});

Deno.test("copySubmission() refuses a file the grader may not read, as the submission's fault", async () => {
  // Mode 000, shipped in an archive that keeps modes (red team, round 11): it was the
  // grader's own error. Root reads it anyway, so the copy runs as nobody when this is root.
  const source = await Deno.makeTempDir({ prefix: "submission-" });
  const target = await Deno.makeTempDir({ prefix: "copy-" });
  try {
    await Deno.writeTextFile(join(source, "lms.ts"), "");
    await Deno.writeTextFile(join(source, "notes.txt"), "secret");
    await Deno.chmod(join(source, "notes.txt"), 0o000);
    await Deno.chmod(source, 0o755);
    await Deno.chmod(target, 0o777);
    const module = new URL("./submission_copy.ts", import.meta.url).href;
    const script = `import { copySubmission } from ${JSON.stringify(module)};
try {
  copySubmission(${JSON.stringify(source)}, ${JSON.stringify(target)});
  console.log("copied");
} catch (error) {
  console.log(error.name + ": " + error.message);
}`;
    const deno = [Deno.execPath(), "eval", "--no-config", script];
    const asNobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...deno];
    const root = Deno.uid() === 0;
    const cache = await Deno.makeTempDir({ prefix: "deno-dir-" });
    await Deno.chmod(cache, 0o777);
    const { code, stdout, stderr } = await new Deno.Command((root ? asNobody : deno)[0], {
      args: (root ? asNobody : deno).slice(1),
      env: { DENO_DIR: cache, NO_COLOR: "1" },
      cwd: source,
    }).output();
    await Deno.remove(cache, { recursive: true });
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.equal(
      new TextDecoder().decode(stdout).trim(),
      'SubmissionRefusedError: "notes.txt" cannot be read (its permissions forbid it)',
    );
  } finally {
    await Deno.remove(source, { recursive: true });
    await Deno.remove(target, { recursive: true });
  }
});

Deno.test("formatBytes() uses the largest unit that keeps the count whole", () => {
  assert.equal(formatBytes(512 * 1024 * 1024), "512 MiB");
  assert.equal(formatBytes(1536), "1536 bytes");
  assert.equal(formatBytes(3 * 1024), "3 KiB");
});
