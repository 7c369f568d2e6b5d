/**
 * `deno task bench grade`: what grading costs.
 *
 * In one run: a bare `deno run` of the child harness against the same run through the
 * sandbox (bubblewrap, private storage, limits); class throughput of exercises 01–04 with
 * `--jobs 1`, `2` and `3`, as `deno task grade` runs them; what charging each bug to its
 * own function costs (a class of the single-bug variants of 01–04, whose failing tests run
 * again with the grader's stand-ins, against as many correct submissions of the same
 * exercises); and the grading of one autoencoder submission (its train and score included).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { exerciseById } from "../course/metadata.ts";
import { machineCpuMs, printFigures, quantile, round } from "./_stats.ts";
import type { BenchOptions } from "./main.ts";
import { measureSandboxOverhead } from "./grade_sandbox.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CHEAP = ["01-dual-numbers", "02-lms", "03-adaboost", "04-softmax"];
const STUDENTS = 30;
/** How many students hand in each single-bug variant in the one-bug class. */
const BUG_COPIES = 4;

/** A class of `students` copies of the reference solutions of `exercises`. */
async function makeClass(folder: string, exercises: string[], students: number): Promise<void> {
  for (let s = 0; s < students; s++) {
    for (const id of exercises) {
      const { entry } = exerciseById(id);
      const dir = join(folder, `student${String(s).padStart(3, "0")}`, id);
      await Deno.mkdir(dir, { recursive: true });
      await Deno.copyFile(join(ROOT, "solutions", id, entry), join(dir, entry));
    }
  }
}

/**
 * For each of `exercises`, a class of its single-bug variants in tests/variants/,
 * {@linkcode BUG_COPIES} students each, in `bugs/<exercise>/`, and a control class of as many
 * reference solutions in `control/<exercise>/`: one exercise a class, so that no grading is
 * of a missing submission.
 */
async function makeBugClasses(bugs: string, control: string, exercises: string[]) {
  for (const id of exercises) {
    const { entry } = exerciseById(id);
    const variants = join(ROOT, "tests", "variants", id);
    let students = 0;
    const solution = join(ROOT, "solutions", id, entry);
    for await (const file of Deno.readDir(variants)) {
      if (!file.name.startsWith("bug_")) continue;
      // Each variant BUG_COPIES times: other students, other hidden inputs.
      for (let copy = 0; copy < BUG_COPIES; copy++) {
        const student = `student${String(students++).padStart(3, "0")}`;
        for (const [folder, source] of [[bugs, join(variants, file.name)], [control, solution]]) {
          await Deno.mkdir(join(folder, id, student, id), { recursive: true });
          await Deno.copyFile(source, join(folder, id, student, id, entry));
        }
      }
    }
  }
}

/** Grades each exercise's class of {@linkcode makeBugClasses} in turn, and sums the figures. */
async function gradeEach(folder: string, exercises: string[]) {
  const sum = { graded: 0, gradingMs: 0, submissions: 0, tests: 0, rescued: 0 };
  for (const id of exercises) {
    const { graded, summary } = await grade(join(folder, id), [id], 2);
    sum.graded += graded;
    sum.gradingMs += summary.durations.gradingMs;
    sum.submissions += summary.isolation.submissions;
    sum.tests += summary.isolation.tests;
    sum.rescued += summary.isolation.rescued;
  }
  return sum;
}

interface GradeSummary {
  counts: Record<string, number>;
  isolation: { submissions: number; tests: number; rescued: number };
  durations: { totalMs: number; gradingMs: number; perSubmissionP50Ms: number };
}

async function grade(submissions: string, exercises: string[], jobs: number) {
  const out = await Deno.makeTempDir({ prefix: "bench-grade-out-" });
  try {
    const cpuBefore = machineCpuMs();
    const started = performance.now();
    const args = ["task", "--quiet", "grade", "--submissions", submissions, "--out", out];
    for (const id of exercises) args.push("--exercise", id);
    args.push("--jobs", String(jobs), "--json");
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      stderr: "null",
    }).output();
    const wallMs = performance.now() - started;
    const cpuAfter = machineCpuMs();
    // How much of the machine's processor time the command used, start-up to exit.
    const busyMs = cpuBefore && cpuAfter ? cpuAfter.busy - cpuBefore.busy : undefined;
    const busyPercent = cpuBefore && cpuAfter && busyMs !== undefined
      ? 100 * busyMs / Math.max(1, busyMs + cpuAfter.idle - cpuBefore.idle)
      : undefined;
    if (code !== 0) throw new Error(`Cannot benchmark: deno task grade exited with ${code}`);
    const summary = JSON.parse(new TextDecoder().decode(stdout)) as GradeSummary;
    const graded = summary.counts.graded ?? 0;
    // Each grading's own time (results.json execution_time): its share of the student's
    // child, its drawing and its judging.
    const perExercise: Record<string, number> = {};
    for (const id of exercises) {
      const times: number[] = [];
      for await (const student of Deno.readDir(join(out, "results"))) {
        const result = JSON.parse(
          await Deno.readTextFile(join(out, "results", student.name, `${id}.json`)),
        ) as { execution_time: number };
        times.push(result.execution_time * 1000);
      }
      perExercise[id] = quantile(times, 0.5);
    }
    return { wallMs, summary, graded, perExercise, busyPercent, busyMs };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/** Runs the benchmark and prints its figures. */
export default async function benchGrade(options: BenchOptions): Promise<void> {
  const overhead = await measureSandboxOverhead({ runs: 60, concurrency: 2 });

  const cheapClass = await Deno.makeTempDir({ prefix: "bench-grade-class-" });
  const autoencoderClass = await Deno.makeTempDir({ prefix: "bench-grade-ae-" });
  const bugClass = await Deno.makeTempDir({ prefix: "bench-grade-bugs-" });
  const controlClass = await Deno.makeTempDir({ prefix: "bench-grade-control-" });
  try {
    await makeClass(cheapClass, CHEAP, STUDENTS);
    await grade(cheapClass, ["02-lms"], 2); // warms the module and transpile caches
    const one = await grade(cheapClass, CHEAP, 1);
    const two = await grade(cheapClass, CHEAP, 2);
    const three = await grade(cheapClass, CHEAP, 3);
    await makeBugClasses(bugClass, controlClass, CHEAP);
    const bugs = await gradeEach(bugClass, CHEAP);
    const control = await gradeEach(controlClass, CHEAP);
    await makeClass(autoencoderClass, ["05-autoencoder"], 1);
    const autoencoder = await grade(autoencoderClass, ["05-autoencoder"], 1);

    // Throughput over the grading itself (summary.gradingMs: from the first student to the
    // last, once the CLI has started, the sandbox has warmed up and the core is ready) and
    // over the whole command as an instructor times it.
    const rate = (r: { graded: number }, ms: number) => round(r.graded / (ms / 1000));
    printFigures(
      `deno task grade (${STUDENTS} students × ${CHEAP.length} cheap exercises; one autoencoder)`,
      {
        bare_run_ms: round(overhead.bareMs),
        sandbox_run_ms: round(overhead.sandboxMs),
        sandbox_overhead_ratio: round(overhead.sandboxMs / overhead.bareMs, 2),
        trusted_run_ms: round(overhead.trustedMs),
        ...(overhead.bareCpuMs === undefined ? {} : {
          bare_run_processor_ms: round(overhead.bareCpuMs),
          sandbox_run_processor_ms: round(overhead.sandboxCpuMs!),
        }),
        gradings: two.graded,
        jobs1_gradings_per_s: rate(one, one.summary.durations.gradingMs),
        jobs2_gradings_per_s: rate(two, two.summary.durations.gradingMs),
        jobs3_gradings_per_s: rate(three, three.summary.durations.gradingMs),
        jobs2_gradings_per_s_with_startup: rate(two, two.wallMs),
        ...(two.busyPercent === undefined
          ? {}
          : { jobs2_machine_busy_percent: round(two.busyPercent) }),
        ...(two.busyMs === undefined
          ? {}
          : { jobs2_processor_ms_per_student: round(two.busyMs / STUDENTS) }),
        ...Object.fromEntries(
          CHEAP.map((id) => [`jobs1_${id.slice(0, 2)}_grading_p50_ms`, round(one.perExercise[id])]),
        ),
        grading_p50_ms_jobs2: round(two.summary.durations.perSubmissionP50Ms),
        one_bug_class_gradings: bugs.graded,
        one_bug_class_isolated_submissions: bugs.submissions,
        one_bug_class_isolated_tests: bugs.tests,
        one_bug_class_rescued_tests: bugs.rescued,
        one_bug_class_jobs2_gradings_per_s: rate(bugs, bugs.gradingMs),
        control_class_jobs2_gradings_per_s: rate(control, control.gradingMs),
        autoencoder_submission_ms: round(autoencoder.summary.durations.perSubmissionP50Ms),
        autoencoder_command_ms: round(autoencoder.wallMs),
        cores: navigator.hardwareConcurrency,
      },
      options.json,
    );
  } finally {
    await Deno.remove(cheapClass, { recursive: true });
    await Deno.remove(autoencoderClass, { recursive: true });
    await Deno.remove(bugClass, { recursive: true });
    await Deno.remove(controlClass, { recursive: true });
  }
}
