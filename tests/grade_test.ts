/**
 * `deno task grade`, run as an instructor runs it: as a process, over the sample class and
 * over folders with bad arguments. One grading of the whole sample class is shared by the
 * tests that read its reports.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { z } from "zod";
import { EXERCISES } from "../course/metadata.ts";
import { SAMPLE_CLASS } from "../fixtures/sample_class.ts";
import { descendants, isRunning } from "../grader/process_tree.ts";
import { gradeClass, ROOT, task, TEST_SECRET } from "./_workspace.ts";

const Results = z.object({
  score: z.number(),
  max_score: z.number(),
  execution_time: z.number(),
  output: z.string(),
  visibility: z.literal("visible"),
  tests: z.array(z.object({
    name: z.string(),
    number: z.string(),
    score: z.number(),
    max_score: z.number(),
    status: z.enum(["passed", "failed"]),
    output: z.string(),
    visibility: z.string(),
    tags: z.array(z.string()),
  })),
  leaderboard: z.array(z.object({ name: z.string(), value: z.number(), order: z.string() }))
    .optional(),
});
type Results = z.infer<typeof Results>;

/** Points lost per group symbol. */
function lostByGroup(results: Results): Map<string, number> {
  const lost = new Map<string, number>();
  for (const test of results.tests) {
    const symbol = test.tags[0];
    lost.set(symbol, (lost.get(symbol) ?? 0) + test.max_score - test.score);
  }
  for (const [symbol, points] of lost) if (points < 1e-9) lost.delete(symbol);
  return lost;
}

let graded: Promise<string> | undefined;
/** Grades the sample class once (about half a minute) and returns the output folder. */
function gradeSampleClass(): Promise<string> {
  graded ??= (async () => {
    const out = await Deno.makeTempDir({ prefix: "grade-" });
    const { code, stdout, stderr } = await task(ROOT, "grade", "--out", out);
    assert.equal(code, 0, stdout + stderr);
    assert.match(stdout, /Graded 6 students × 5 exercises/);
    // Each exercise's means, under the counts by status.
    for (const exercise of EXERCISES) {
      const handedIn = SAMPLE_CLASS.filter((s) => s.exercise === exercise.id).length;
      const points = exercise.groups.reduce((sum, g) => sum + g.points, 0);
      assert.match(
        stdout,
        new RegExp(
          `^  ${exercise.id} +${handedIn} handed in +[\\d.]+ of ${points} +class [\\d.]+ of ${points}$`,
          "m",
        ),
      );
    }
    return out;
  })();
  return graded;
}

async function readResults(out: string, student: string, exercise: string): Promise<Results> {
  const path = join(out, "results", student, `${exercise}.json`);
  return Results.parse(JSON.parse(await Deno.readTextFile(path)));
}

Deno.test("grade writes the gradebook with a row per student and the SPEC's columns", async () => {
  const out = await gradeSampleClass();
  const csv = (await Deno.readTextFile(join(out, "grades.csv"))).trim().split("\n");
  assert.equal(csv[0], ["student", ...EXERCISES.map((e) => e.id), "total"].join(","));
  assert.deepEqual(
    csv.slice(1).map((row) => row.split(",")[0]),
    [...new Set(SAMPLE_CLASS.map((s) => s.student))].sort(),
  );
  for (const row of csv.slice(1)) {
    const cells = row.split(",").slice(1).map(Number);
    const total = cells.pop()!;
    assert.ok(Math.abs(cells.reduce((a, b) => a + b, 0) - total) < 0.011, row);
  }
});

Deno.test("grade gives correct code in any style full marks", async () => {
  const out = await gradeSampleClass();
  for (const submission of SAMPLE_CLASS.filter((s) => s.kind === "correct")) {
    const results = await readResults(out, submission.student, submission.exercise);
    assert.equal(
      results.score,
      results.max_score,
      `${submission.student}/${submission.exercise} (${submission.from}) lost points:\n` +
        results.tests.filter((t) => t.status === "failed").map((t) => `${t.name}: ${t.output}`)
          .join("\n"),
    );
    assert.match(results.output, /^All \d+ tests passed\./m);
  }
});

Deno.test("grade charges a single bug to the function that has it", async () => {
  const out = await gradeSampleClass();
  for (const submission of SAMPLE_CLASS.filter((s) => s.kind === "one-bug")) {
    const symbol = (await Deno.readTextFile(join(ROOT, submission.from!)))
      .match(/^\/\/ bug: ([A-Za-z.]+):/)![1];
    const results = await readResults(out, submission.student, submission.exercise);
    const lost = lostByGroup(results);
    assert.deepEqual(
      [...lost.keys()],
      [symbol],
      `${submission.from} should lose points in "${symbol}" only, lost ${
        JSON.stringify([...lost])
      }`,
    );
    assert.doesNotMatch(results.output, /All \d+ tests passed/);
  }
});

Deno.test("grade reports a missing submission, a load error and a crash with zero points", async () => {
  const out = await gradeSampleClass();
  const missing = await readResults(out, "dana", "05-autoencoder");
  assert.equal(missing.score, 0);
  assert.match(missing.output, /^No submission/);

  const syntax = await readResults(out, "emil", "01-dual-numbers");
  assert.equal(syntax.score, 0);
  assert.match(syntax.output, /Expected ',', got '\{'/);
  assert.match(syntax.output, /dual\.ts:2:35/);
  assert.doesNotMatch(syntax.output, /\/tmp\/|sandbox|file:\/\//, "no sandbox paths leak");

  const throwing = await readResults(out, "emil", "02-lms");
  assert.equal(throwing.score, 0);
  assert.match(throwing.output, /forgot to remove my debugging/);

  const crash = await readResults(out, "emil", "03-adaboost");
  assert.equal(crash.score, 0);
  assert.match(crash.output, /exit code 3/);
});

Deno.test("grade fails only the function that hangs or exhausts memory", async () => {
  const out = await gradeSampleClass();
  const hang = await readResults(out, "farah", "02-lms");
  assert.deepEqual([...lostByGroup(hang).keys()], ["cost"]);
  assert.match(hang.output, /more than 10 s/);

  const memory = await readResults(out, "farah", "04-softmax");
  assert.deepEqual([...lostByGroup(memory).keys()], ["logSoftmax"]);
  assert.match(memory.output, /more than 512 MiB/);
});

Deno.test("grade asks about a misconception without giving the expected value", async () => {
  const out = await gradeSampleClass();
  const results = await readResults(out, "chen", "02-lms");
  assert.match(results.output, /is the ½ there\?/);
  const failed = results.tests.filter((t) => t.status === "failed");
  assert.ok(failed.length > 0);
  for (const test of failed) assert.doesNotMatch(test.output, /expected \d/i);
});

Deno.test("grade ranks the autoencoder by AUC on the leaderboard", async () => {
  const out = await gradeSampleClass();
  const good = await readResults(out, "ada", "05-autoencoder");
  assert.equal(good.leaderboard?.[0].name, "AUC");
  assert.equal(good.leaderboard?.[0].order, "desc");
  assert.ok(good.leaderboard![0].value > 0.8, `AUC ${good.leaderboard![0].value}`);
  const negated = await readResults(out, "chen", "05-autoencoder");
  assert.ok(negated.leaderboard![0].value < 0.5);
});

Deno.test("grade writes a summary with the backend, counts, durations and seed policy", async () => {
  const out = await gradeSampleClass();
  const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
  assert.equal(summary.sandbox, "bubblewrap");
  assert.match(summary.core.backend, /^(wasm|cpu|webgpu)$/);
  assert.ok("adapter" in summary.core);
  const kinds = SAMPLE_CLASS.length;
  const missing = 6 * 5 - kinds;
  assert.equal(summary.counts["no-submission"], missing);
  assert.equal(summary.counts["load-error"], 2);
  assert.equal(summary.counts.timeout, 1);
  assert.equal(summary.counts.memory, 1);
  assert.equal(summary.counts.crash, 1);
  assert.match(summary.seedPolicy.derivation, /HMAC-SHA256/);
  assert.ok(summary.durations.totalMs > 0);
  assert.equal(summary.seedPolicy.secretSource, "GRADER_SECRET");
  assert.ok(!JSON.stringify(summary).includes(TEST_SECRET), "the summary leaks the secret");

  // Each exercise's mean over the submissions handed in, and over the class with missing
  // work as 0: both from the gradebook's column.
  const [header, ...rows] = (await Deno.readTextFile(join(out, "grades.csv"))).trim().split("\n")
    .map((line) => line.split(","));
  const leftOut = missingByExercise();
  for (const exercise of EXERCISES) {
    const column = rows.map((row) => Number(row[header.indexOf(exercise.id)]));
    const total = column.reduce((sum, x) => sum + x, 0);
    const scores = summary.scores[exercise.id];
    const points = exercise.groups.reduce((sum, g) => sum + g.points, 0);
    assert.equal(scores.maxScore, points);
    assert.equal(scores.submissions, rows.length - leftOut[exercise.id], exercise.id);
    assert.ok(Math.abs(scores.mean - total / scores.submissions) < 0.01, exercise.id);
    assert.ok(Math.abs(scores.classMean - total / rows.length) < 0.01, exercise.id);
  }
});

/** How many students of the sample class left each exercise out. */
function missingByExercise(): Record<string, number> {
  return Object.fromEntries(
    EXERCISES.map((e) => [
      e.id,
      new Set(SAMPLE_CLASS.map((s) => s.student)).size -
      new Set(SAMPLE_CLASS.filter((s) => s.exercise === e.id).map((s) => s.student)).size,
    ]),
  );
}

Deno.test("grade draws the same hidden inputs when it regrades, and different ones per student", async () => {
  const out = await gradeSampleClass();
  const again = await Deno.makeTempDir({ prefix: "grade-" });
  try {
    const { code } = await task(
      ROOT,
      "grade",
      "--out",
      again,
      "--exercise",
      "02-lms",
      "--student",
      "ada",
      "--student",
      "dana",
    );
    assert.equal(code, 0);
    const inputs = async (folder: string, student: string) =>
      (await readResults(folder, student, "02-lms")).tests.map((t) => t.output).join("\n");
    assert.equal(await inputs(again, "ada"), await inputs(out, "ada"));
    assert.notEqual(await inputs(again, "ada"), await inputs(again, "dana"));
  } finally {
    await Deno.remove(again, { recursive: true });
  }
});

Deno.test("grade charges a patched built-in to the submission that patched it alone", async () => {
  // One child runs all of a student's submissions; this student's dual.ts breaks Math.exp,
  // which their softmax.ts (graded after it) relies on.
  const submissions = await Deno.makeTempDir({ prefix: "grade-patch-class-" });
  const out = await Deno.makeTempDir({ prefix: "grade-patch-" });
  try {
    const copy = async (student: string, id: string, entry: string, suffix = "") => {
      await Deno.mkdir(join(submissions, student, id), { recursive: true });
      const source = await Deno.readTextFile(join(ROOT, "solutions", id, entry));
      await Deno.writeTextFile(join(submissions, student, id, entry), source + suffix);
    };
    for (const student of ["patcher", "plain"]) {
      const patch = student === "patcher" ? "\nMath.exp = () => 0;\n" : "";
      await copy(student, "01-dual-numbers", "dual.ts", patch);
      await copy(student, "04-softmax", "softmax.ts");
    }
    const args = ["--submissions", submissions, "--out", out, "--jobs", "1"];
    const { code } = await task(
      ROOT,
      "grade",
      ...args,
      "--exercise",
      "01-dual-numbers",
      "--exercise",
      "04-softmax",
    );
    assert.equal(code, 0);
    const score = async (student: string, id: string) =>
      (await readResults(out, student, id)).score;
    assert.equal(await score("plain", "01-dual-numbers"), 15);
    assert.ok(await score("patcher", "01-dual-numbers") < 15, "the patch costs its own points");
    assert.equal(await score("patcher", "04-softmax"), await score("plain", "04-softmax"));
    assert.equal(await score("plain", "04-softmax"), 12);
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("grade gives identical scores with the cpu and the wasm backends", async () => {
  const folders: string[] = [];
  try {
    for (const backend of ["cpu", "wasm"]) {
      const out = await Deno.makeTempDir({ prefix: `grade-${backend}-` });
      folders.push(out);
      const args = ["--out", out, "--backend", backend, "--student", "ada", "--student", "chen"];
      const { code, stdout } = await task(ROOT, "grade", ...args);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`core on ${backend}`));
    }
    const [cpu, wasm] = await Promise.all(
      folders.map((f) => Deno.readTextFile(join(f, "grades.csv"))),
    );
    assert.equal(cpu, wasm);
  } finally {
    for (const folder of folders) await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("grade survives its own failure on one student: no mark, the others graded, exit 1", async () => {
  // The disk fills up under the grader (a file-size limit, with SIGXFSZ ignored so that a
  // write over it fails with EFBIG): the private copy of one student's large submission
  // cannot be written. That is the grader's failure, not the student's.
  const submissions = await Deno.makeTempDir({ prefix: "grade-full-disk-" });
  const out = await Deno.makeTempDir({ prefix: "grade-full-disk-out-" });
  try {
    const solution = await Deno.readTextFile(join(ROOT, "solutions", "02-lms", "lms.ts"));
    const padding = `// ${"notes ".repeat(60_000)}\n`; // 360 kB: under the 1 MiB cap, over the disk
    for (const [student, source] of [["ada", solution], ["big", solution + padding]]) {
      await Deno.mkdir(join(submissions, student, "02-lms"), { recursive: true });
      await Deno.writeTextFile(join(submissions, student, "02-lms", "lms.ts"), source);
    }
    const command = `trap '' XFSZ; ulimit -f 256; exec "$0" run --allow-all grader/cli.ts "$@"`;
    const { code, stdout, stderr } = await new Deno.Command("bash", {
      args: ["-c", command, Deno.execPath(), "--submissions", submissions, "--out", out],
      cwd: ROOT,
      env: { NO_COLOR: "1", GRADER_SECRET: TEST_SECRET },
      stdin: "null",
    }).output();
    const [text, errors] = [stdout, stderr].map((bytes) => new TextDecoder().decode(bytes));
    assert.equal(code, 1, text + errors);
    assert.match(errors, /Grader error for student big: .*File too large/);
    assert.match(
      errors,
      /The grader failed on 1 student .*: big\. Grade them again with --student big and another --out/,
    );

    const csv = await Deno.readTextFile(join(out, "grades.csv"));
    assert.match(csv, /^ada,0,10,0,0,0,10$/m, "the other student is graded");
    assert.match(csv, /^big,,,,,,$/m, "no mark, not even the exercises the student left out");
    const failed = await readResults(out, "big", "02-lms");
    assert.match(failed.output, /^The grader failed while grading this submission/);
    assert.doesNotMatch(failed.output, /File too large|\/tmp\//, "the error is the instructor's");
    const summary = JSON.parse(await Deno.readTextFile(join(out, "summary.json")));
    assert.equal(summary.counts["grader-error"], 5);
    assert.deepEqual(
      [...new Set(summary.graderErrors.map((e: { student: string }) => e.student))],
      ["big"],
    );
    // No mark yet: in neither mean.
    assert.deepEqual(summary.scores["02-lms"], {
      maxScore: 10,
      submissions: 1,
      mean: 10,
      classMean: 10,
    });
    assert.deepEqual(summary.scores["01-dual-numbers"], {
      maxScore: 15,
      submissions: 0,
      mean: null,
      classMean: 0,
    });
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("grade names every folder of the class it does not grade, and results it did not write", async () => {
  const submissions = await Deno.makeTempDir({ prefix: "grade-skips-" });
  const out = await Deno.makeTempDir({ prefix: "grade-skips-out-" });
  try {
    for (const folder of ["ada/02-lms", "...", ".git", "my name/02-lms"]) {
      await Deno.mkdir(join(submissions, folder), { recursive: true });
    }
    await Deno.writeTextFile(join(submissions, "notes.txt"), "");
    await Deno.writeTextFile(join(submissions, ".DS_Store"), "");
    const { stderr } = await gradeClass(submissions, out, ["02-lms"]);
    const skipped = stderr.split("\n").filter((line) => line.startsWith("Skipping")).sort();
    assert.deepEqual(skipped, [
      'Skipping "...": a hidden folder',
      'Skipping ".git": a hidden folder',
      'Skipping "my name": a student id uses [A-Za-z0-9._-] only',
      'Skipping "notes.txt": not a folder',
    ]);
    const csv = await Deno.readTextFile(join(out, "grades.csv"));
    assert.deepEqual(csv.trim().split("\n").slice(1).map((row) => row.split(",")[0]), ["ada"]);

    // A student who left the class: the results of an earlier run are named, not passed off.
    await Deno.rename(join(submissions, "ada"), join(submissions, "bea"));
    const again = await gradeClass(submissions, out, ["02-lms"]);
    assert.match(
      again.stderr,
      /results\/ also holds 1 student this run did not grade, .*: "ada"\./,
    );
    assert.ok(await Deno.stat(join(out, "results", "ada", "02-lms.json")), "and left alone");
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("grade says what of a class it will not find where it looks, before grading it as missing", async () => {
  // A walkthrough as an instructor: each of these was a silent 0 in grades.csv.
  const submissions = await Deno.makeTempDir({ prefix: "grade-layout-" });
  const out = join(submissions, "grades");
  try {
    const solution = await Deno.readTextFile(join(ROOT, "solutions", "02-lms", "lms.ts"));
    const put = async (path: string) => {
      await Deno.mkdir(join(submissions, path, ".."), { recursive: true });
      await Deno.writeTextFile(join(submissions, path), solution);
    };
    await put("ada/02-lms/lms.ts");
    await put("frank/02_LMS/lms.ts");
    await put("gina/lms.ts");
    await put("erin/02-lms/my_lms.ts");
    await put("hank/02-lms/sub/lms.ts");
    await put("__MACOSX/ada/02-lms/._lms.ts");
    // A link to a folder outside the class: not followed, not even to say what it holds.
    await Deno.mkdir(join(submissions, "ivan"));
    await Deno.symlink(join(ROOT, "solutions"), join(submissions, "ivan", "02-lms"));
    // Where the reports go: inside the class, from an earlier run.
    await Deno.mkdir(join(out, "results"), { recursive: true });
    const { stderr } = await gradeClass(submissions, out, ["02-lms"]);
    const said = stderr.trim().split("\n").sort();
    assert.deepEqual(said, [
      '"erin/02-lms" has no lms.ts, so it is graded as missing; it holds "my_lms.ts".',
      '"frank/02_LMS" is not an exercise folder: did you mean "02-lms"? Its files are not graded.',
      '"gina/lms.ts" lies outside an exercise folder: 02-lms\'s lms.ts belongs in "gina/02-lms". ' +
      "It is not graded.",
      '"hank/02-lms" has no lms.ts, so it is graded as missing; it holds "sub/".',
      'Skipping "__MACOSX": the metadata a macOS archive adds, not a student',
      'Skipping "grades": it is --out, where this run writes its reports',
    ]);
    const csv = await Deno.readTextFile(join(out, "grades.csv"));
    assert.equal(
      csv,
      "student,02-lms,total\nada,10,10\nerin,0,0\nfrank,0,0\ngina,0,0\nhank,0,0\nivan,0,0\n",
    );

    // Regrading one student into the class's --out replaces its gradebook, and says so.
    const one = await task(
      ROOT,
      "grade",
      // The exercise as check and submit take it too.
      ...["--submissions", submissions, "--out", out, "--exercise", "02", "--student", "ada"],
    );
    assert.equal(one.code, 0, one.stderr);
    assert.match(
      one.stderr,
      /grades\.csv held 6 students × 1 exercise from an earlier run; it now holds this run's 1 × 1 only/,
    );
    assert.equal(
      await Deno.readTextFile(join(out, "grades.csv")),
      "student,02-lms,total\nada,10,10\n",
    );
  } finally {
    await Deno.remove(submissions, { recursive: true });
  }
});

Deno.test("grade says it cannot read one student's folder, and grades the class beside it", async () => {
  // Red team, round 16: an unreadable folder stopped the whole run with an uncaught error.
  const submissions = await Deno.makeTempDir({ prefix: "grade-unreadable-" });
  try {
    for (const student of ["ann", "bob"]) {
      await Deno.mkdir(join(submissions, student, "02-lms"), { recursive: true });
      await Deno.copyFile(
        join(ROOT, "solutions", "02-lms", "lms.ts"),
        join(submissions, student, "02-lms", "lms.ts"),
      );
    }
    await Deno.chmod(join(submissions, "bob"), 0o000);
    const out = join(submissions, "grades");
    const args = ["task", "--quiet", "grade", "--trusted", "--exercise", "02"];
    args.push("--submissions", submissions, "--out", out);
    // Root reads any folder: the grader runs as another user, in a user namespace.
    const command = Deno.uid() === 0
      ? [
        "bwrap",
        ...["--unshare-user", "--uid", "1000", "--gid", "1000"],
        ...["--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"],
        Deno.execPath(),
      ]
      : [Deno.execPath()];
    await Deno.chmod(submissions, 0o777);
    const { code, stderr } = await new Deno.Command(command[0], {
      args: [...command.slice(1), ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", GRADER_SECRET: TEST_SECRET },
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 0, text);
    assert.match(text, /^Cannot read "bob": Permission denied/m);
    const csv = await Deno.readTextFile(join(out, "grades.csv"));
    assert.equal(csv, "student,02-lms,total\nann,10,10\nbob,0,0\n");
  } finally {
    await Deno.chmod(join(submissions, "bob"), 0o755);
    await Deno.remove(submissions, { recursive: true });
  }
});

Deno.test("grade reads no FIFO or link planted as its gradebook, and writes no reports into a student's folder", async () => {
  // Red team, round 16: a FIFO as <out>/grades.csv hung the run after grading, a link to
  // /dev/zero ate 24 GB, and reports went into the folder of the student who planted them.
  const submissions = await Deno.makeTempDir({ prefix: "grade-planted-" });
  try {
    await Deno.mkdir(join(submissions, "ann", "02-lms"), { recursive: true });
    await Deno.copyFile(
      join(ROOT, "solutions", "02-lms", "lms.ts"),
      join(submissions, "ann", "02-lms", "lms.ts"),
    );
    const grade = (out: string) =>
      task(ROOT, "grade", "--submissions", submissions, "--out", out, "--exercise", "02");

    for (const out of [join(submissions, "ann", "out"), join(submissions, "ann")]) {
      const { code, stderr } = await grade(out);
      assert.equal(code, 2, stderr);
      assert.match(stderr, /Cannot write the reports to ".*": it lies in the student folder "ann"/);
    }

    const out = await Deno.makeTempDir({ prefix: "grade-planted-out-" });
    try {
      const fifo = join(out, "grades.csv");
      const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
      assert.ok(made.success);
      const { code, stderr } = await grade(out);
      assert.equal(code, 0, stderr);
      assert.ok((await Deno.lstat(fifo)).isFile, "the FIFO was replaced, not read");
      await Deno.remove(fifo);
      await Deno.symlink("/dev/zero", fifo);
      assert.equal((await grade(out)).code, 0);
      assert.equal(await Deno.readTextFile(fifo), "student,02-lms,total\nann,10,10\n");
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  } finally {
    await Deno.remove(submissions, { recursive: true });
  }
});

for (
  const { signal, trusted, status } of [
    { signal: "SIGINT", trusted: false, status: 130 },
    { signal: "SIGTERM", trusted: true, status: 143 },
  ] as const
) {
  Deno.test(`grade stops at ${signal}${trusted ? " (--trusted)" : ""}: its children killed, its files removed, no report written`, async () => {
    const submissions = await Deno.makeTempDir({ prefix: "grade-interrupted-" });
    const out = await Deno.makeTempDir({ prefix: "grade-interrupted-out-" });
    // The command's own temporary folder, where the sandbox keeps copies of the class's code.
    const temporary = await Deno.makeTempDir({ prefix: "grade-interrupted-tmp-" });
    try {
      // Neither predict() returns: a grading is under way when the signal comes, and none
      // can have ended (whichever of the two students runs first).
      for (const student of ["ann", "bob"]) {
        await Deno.mkdir(join(submissions, student, "02-lms"), { recursive: true });
        await Deno.writeTextFile(
          join(submissions, student, "02-lms", "lms.ts"),
          "export function predict(): number {\n  for (;;);\n}\n",
        );
      }
      await Deno.writeTextFile(join(out, "grades.csv"), "an earlier run's gradebook\n");
      // In a session of its own, as a terminal starts a command: Ctrl-C signals its group.
      const child = new Deno.Command("setsid", {
        args: [
          Deno.execPath(),
          ...["task", "--quiet", "grade", "--submissions", submissions, "--out", out],
          ...["--exercise", "02", "--jobs", "1", ...(trusted ? ["--trusted"] : [])],
        ],
        cwd: ROOT,
        env: { NO_COLOR: "1", GRADER_SECRET: TEST_SECRET, TMPDIR: temporary },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let exited = false;
      const output = child.output().finally(() => exited = true);
      // Signalled once a student's child runs: a run's folder is in the sandbox's, and
      // below the grader (under `deno task`) a child has started: bubblewrap, or Deno.
      const running = async () => {
        const names = descendants(child.pid).map(({ name }) => name);
        const started = trusted
          ? names.filter((name) => name === "deno").length >= 2
          : names.includes("bwrap");
        if (!started) return false;
        for await (const sandbox of Deno.readDir(temporary)) {
          for await (const item of Deno.readDir(join(temporary, sandbox.name))) {
            if (item.name.startsWith("run-")) return true;
          }
        }
        return false;
      };
      while (!exited && !(await running())) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const children = descendants(child.pid);
      if (signal === "SIGINT") Deno.kill(-child.pid, signal); // the whole group, as Ctrl-C
      else Deno.kill(child.pid, signal); // the command alone, as a scheduler does
      const { code, stdout, stderr } = await output;
      const text = new TextDecoder();
      assert.equal(code, status, text.decode(stdout) + text.decode(stderr));
      assert.match(
        text.decode(stderr),
        new RegExp(
          `Interrupted \\(${signal}\\) with 0 of 2 students graded: no report was written`,
        ),
      );
      assert.deepEqual(children.filter(({ pid }) => isRunning(pid)), [], "no child outlives it");
      assert.deepEqual(await Array.fromAsync(Deno.readDir(temporary)), [], "its files are gone");
      assert.equal(
        await Deno.readTextFile(join(out, "grades.csv")),
        "an earlier run's gradebook\n",
      );
      const written = await Array.fromAsync(Deno.readDir(out), ({ name }) => name);
      assert.deepEqual(written.sort(), ["grades.csv", "results"]);
      assert.deepEqual(await Array.fromAsync(Deno.readDir(join(out, "results"))), []);
    } finally {
      await Deno.remove(submissions, { recursive: true });
      await Deno.remove(out, { recursive: true });
      await Deno.remove(temporary, { recursive: true });
    }
  });
}

Deno.test("grade refuses an --out it cannot write before grading, and keeps a class's grading when writing fails after", async () => {
  const submissions = await Deno.makeTempDir({ prefix: "grade-unwritable-" });
  const out = await Deno.makeTempDir({ prefix: "grade-unwritable-out-" });
  const temporary = await Deno.makeTempDir({ prefix: "grade-unwritable-tmp-" });
  try {
    await Deno.mkdir(join(submissions, "ann", "02-lms"), { recursive: true });
    await Deno.copyFile(
      join(ROOT, "solutions", "02-lms", "lms.ts"),
      join(submissions, "ann", "02-lms", "lms.ts"),
    );
    const grade = ["--submissions", submissions, "--out", out, "--exercise", "02", "--trusted"];
    // A read-only --out: the folder exists, and mkdir alone would not notice.
    const readOnly = await new Deno.Command("bwrap", {
      args: ["--dev-bind", "/", "/", "--ro-bind", out, out, Deno.execPath(), "task", "grade"]
        .concat(grade),
      cwd: ROOT,
      env: { NO_COLOR: "1", GRADER_SECRET: TEST_SECRET },
      stdin: "null",
    }).output();
    const refused = new TextDecoder().decode(readOnly.stderr);
    assert.equal(readOnly.code, 2, refused);
    assert.match(refused, /Cannot write the reports to ".*": Read-only file system/);
    assert.doesNotMatch(refused, /Usage:/, "a setting to fix, not a misused command");
    assert.doesNotMatch(refused, /Graded|Stopping/, "refused before grading");

    // Writing fails once the class is graded (here a file where ann's results folder goes;
    // a disk that filled up meanwhile is the same): the reports go to a temporary folder.
    await Deno.mkdir(join(out, "results"));
    await Deno.writeTextFile(join(out, "results", "ann"), "");
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "grade", ...grade],
      cwd: ROOT,
      env: { NO_COLOR: "1", GRADER_SECRET: TEST_SECRET, TMPDIR: temporary },
      stdin: "null",
    }).output();
    const errors = new TextDecoder().decode(stderr);
    assert.equal(code, 1, errors);
    const elsewhere = errors.match(/they are in "(.*grade-reports-[^"]+)" instead/)?.[1] ?? "";
    assert.ok(elsewhere.startsWith(temporary), errors);
    // The counts and means as ever, and where the reports are.
    const printed = new TextDecoder().decode(stdout);
    assert.match(printed, /^Graded 1 student × 1 exercise in /m);
    assert.match(printed, /^ {2}02-lms +1 handed in +10 of 10 +class 10 of 10$/m);
    assert.ok(printed.includes(`Wrote ${join(elsewhere, "grades.csv")}`), printed);
    assert.match(errors, /Cannot write the reports to ".*" \(.*\): they are in/);
    assert.equal(
      await Deno.readTextFile(join(elsewhere, "grades.csv")),
      "student,02-lms,total\nann,10,10\n",
    );
    assert.equal(
      JSON.parse(await Deno.readTextFile(join(elsewhere, "results", "ann", "02-lms.json"))).score,
      10,
    );
    assert.equal(
      JSON.parse(await Deno.readTextFile(join(elsewhere, "summary.json"))).counts.graded,
      1,
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(out), ({ name }) => name), ["results"]);
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
    await Deno.remove(temporary, { recursive: true });
  }
});

Deno.test("grade escapes in a folder's name what a terminal would act on", async () => {
  const submissions = await Deno.makeTempDir({ prefix: "grade-names-" });
  const out = await Deno.makeTempDir({ prefix: "grade-names-out-" });
  try {
    const name = "lms\u202eevil\u009b31m\u2028next";
    await Deno.mkdir(join(submissions, "eve", "02-lms", name), { recursive: true });
    const { stderr } = await gradeClass(submissions, out, ["02-lms"]);
    assert.equal(
      stderr.trim(),
      '"eve/02-lms" has no lms.ts, so it is graded as missing; it holds ' +
        '"lms\\u202eevil\\u009b31m\\u2028next/".',
    );
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("grade withholds crossEntropy() from two of crossEntropyGrad()'s tests, which a finite difference then fails", async () => {
  // Lazy sweep, round 2: a central difference of the student's own crossEntropy() earned
  // crossEntropyGrad()'s 2 points; no input tells it from the formula while float32 passes.
  const submissions = await Deno.makeTempDir({ prefix: "grade-withheld-" });
  const out = await Deno.makeTempDir({ prefix: "grade-withheld-out-" });
  try {
    const solution = await Deno.readTextFile(join(ROOT, "solutions", "04-softmax", "softmax.ts"));
    const formula = "return softmax(z).map((p, k) => p - (k === label ? 1 : 0));";
    assert.ok(solution.includes(formula));
    const differences = solution.replace(
      formula,
      `const h = 1e-5;
  return z.map((v, k) => {
    const up = [...z], down = [...z];
    up[k] = v + h;
    down[k] = v - h;
    return (crossEntropy(up, label) - crossEntropy(down, label)) / (2 * h);
  });`,
    );
    for (const [student, source] of [["formula", solution], ["differences", differences]]) {
      await Deno.mkdir(join(submissions, student, "04-softmax"), { recursive: true });
      await Deno.writeTextFile(join(submissions, student, "04-softmax", "softmax.ts"), source);
    }
    await gradeClass(submissions, out, ["04-softmax"]);
    assert.equal((await readResults(out, "formula", "04-softmax")).score, 12);
    const results = await readResults(out, "differences", "04-softmax");
    const failed = results.tests.filter((t) => t.status === "failed");
    assert.deepEqual(failed.map((t) => t.name), [
      "crossEntropyGrad(): gradient for random logits and labels, with crossEntropy() withheld",
      "crossEntropyGrad(): sums to 0 and is negative only at the label, with crossEntropy() withheld",
    ]);
    assert.equal(results.score, 11);
    assert.match(
      results.output,
      /\? Does crossEntropyGrad\(\) differentiate crossEntropy\(\) numerically\?/,
    );
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("grade refuses a course secret too short to keep hidden inputs hidden, with exit status 2", async () => {
  for (const secret of ["", "short", " ".repeat(16)]) {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "grade", "--exercise", "02-lms", "--out", "/nonexistent/never"],
      cwd: ROOT,
      env: { NO_COLOR: "1", GRADER_SECRET: secret },
      stdin: "null",
    }).output();
    const text = new TextDecoder().decode(stderr);
    assert.equal(code, 2, text);
    assert.match(text, /Cannot use the course secret from "GRADER_SECRET": it is shorter than 16/);
    assert.doesNotMatch(text, /Uncaught|^ {4}at /m);
  }
});

Deno.test("grade says so of a class with no student folders, and writes an empty gradebook", async () => {
  const submissions = await Deno.makeTempDir({ prefix: "grade-empty-" });
  const out = join(await Deno.makeTempDir({ prefix: "grade-empty-out-" }), "not", "yet");
  try {
    const { stderr } = await gradeClass(submissions, out, ["02-lms"]);
    assert.match(stderr, /No student folders in ".*": a class is laid out as <dir>\/<student-id>/);
    assert.equal(await Deno.readTextFile(join(out, "grades.csv")), "student,02-lms,total\n");
  } finally {
    await Deno.remove(submissions, { recursive: true });
    await Deno.remove(join(out, "..", ".."), { recursive: true });
  }
});

Deno.test("grade rejects bad arguments with exit status 2 and its usage", async () => {
  const cases: [string[], RegExp][] = [
    [["--exercise", "06-transformers"], /Unknown exercise "06-transformers"/],
    [["--jobs", "0"], /Invalid --jobs "0"/],
    [["--backend", "tpu"], /Cannot use backend "tpu"/],
    [["--student", "../etc"], /Invalid student id "\.\.\/etc"/],
    [["--student", ".."], /Invalid student id "\.\."/],
    [["--student", "Ada"], /No folder for student "Ada" in ".*": did you mean "ada"\?/],
    [["--student", "zed"], /No folder for student "zed" in ".*"\n/],
    [
      ["--submissions", "/nonexistent/class"],
      /Cannot read submissions from "\/nonexistent\/class"/,
    ],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await task(ROOT, "grade", ...args);
    assert.equal(code, 2, `grade ${args.join(" ")} should exit 2`);
    assert.match(stderr, message);
    assert.match(stderr, /Usage: deno task grade/);
  }
  // A place it cannot write is a setting to fix, not a misused command: no usage.
  const { code, stderr } = await task(ROOT, "grade", "--out", "/dev/null/grades");
  assert.equal(code, 2);
  assert.match(stderr, /^Cannot write the reports to "\/dev\/null\/grades": Not a directory/);
  assert.doesNotMatch(stderr, /Usage:/);
});

Deno.test("grade --help explains every option, what it writes and its exit status", async () => {
  const { code, stdout } = await task(ROOT, "grade", "--help");
  assert.equal(code, 0);
  for (
    const option of [
      "--submissions",
      "--out",
      "--exercise",
      "--student",
      "--jobs",
      "--backend",
      "--json",
      "--trusted",
    ]
  ) {
    assert.match(stdout, new RegExp(option));
  }
  assert.match(stdout, /results\.json/);
  assert.match(stdout, /Exit status: 0 [^]*; 1 [^]*; 2 for bad arguments[^]*; 130\s+\(Ctrl-C\)/);
});
