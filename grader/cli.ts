/**
 * `deno task grade`: grades a class's submissions and writes the gradebook.
 *
 * ```
 * deno task grade [--submissions DIR] [--out DIR] [--exercise ID]... [--student ID]...
 *                 [--jobs N] [--backend auto|webgpu|wasm|cpu] [--json] [--trusted]
 * ```
 *
 * Exit status: 0 when grading ran, whatever the scores; 1 when it ran but the grader itself
 * failed on some students (their grades are `grader-error`, their gradebook cells empty)
 * or could not write the reports to `--out` (they are then in a temporary folder); 2 for bad
 * arguments or configuration (with a usage message); 130 (SIGINT, Ctrl-C), 143 (SIGTERM) or
 * 129 (SIGHUP) when it was interrupted, which writes no report.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve, sep as SEP } from "node:path";
import { type Exercise, EXERCISES, findExercise } from "../course/metadata.ts";
import { BACKEND_CHOICES, type BackendChoice, initCore, parseBackend } from "../core/backend.ts";
import { materializeSampleClass } from "../fixtures/sample_class.ts";
import { graderErrorGrades, gradeStudent } from "./grade.ts";
import { gradesCsv, readGradebook, type SubmissionGrade, toGradescope } from "./report.ts";
import { deriveSeed, loadCourseSecret } from "./secret.ts";
import { commandSandboxExecutor } from "./execute.ts";
import type { Sandbox } from "./sandbox.ts";
import { SUITES } from "./suites/mod.ts";
import {
  abortOnSignals,
  CommandError,
  count,
  integerSetting,
  parseArguments,
  runCommand,
  signalStatus,
  type StopSignal,
  UsageError,
} from "../course/cli.ts";

/** A student id: SPEC's [A-Za-z0-9._-]+, except "." and "..", which are not folder names. */
const ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]+$/;

const USAGE = `Usage: deno task grade [options]

Grades every submission in a class folder laid out as <dir>/<student-id>/<exercise-id>/,
with hidden randomized tests run in a sandbox, and writes:
  <out>/grades.csv                          student,<exercise ids…>,total
  <out>/results/<student>/<exercise>.json   Gradescope results.json
  <out>/summary.json                        backend, counts, mean scores, durations,
                                            seed policy

Options:
  --submissions DIR  the class folder (default: the sample class in fixtures/)
  --out DIR          where to write (default: grades)
  --exercise ID      grade this exercise only (02-lms, 02 or lms; repeatable;
                     default: all)
  --student ID       grade this student only (repeatable; default: every folder)
  --jobs N           sandboxed children at a time (default: the number of cores)
  --backend NAME     the reference core's backend: ${BACKEND_CHOICES.join(", ")}
                     (default: CORE_BACKEND, else auto)
  --json             print the summary as JSON on standard output
  --trusted          run student code WITHOUT the bubblewrap sandbox (only for code
                     you trust, e.g. your own solutions on a machine without bubblewrap)
  --help             show this message

The reports are written once every student is graded (to a temporary folder, named on
standard error, if <out> cannot take them then). Ctrl-C (or SIGTERM, or the terminal
closing) stops the grading, kills the children running and removes the sandbox's
files: no report is written, and an earlier run's stay as they were (grading is
reproducible: run the command again). Once the class is graded, its reports are
written whatever comes. A second Ctrl-C, a second or more after "Stopping…", exits
at once.

Exit status: 0 when grading ran, whatever the scores; 1 when the grader itself failed
on some students (named on standard error; their cells in grades.csv are empty) or
could not write the reports to <out>; 2 for bad arguments or configuration; 130
(Ctrl-C), 143 (SIGTERM) or 129 (SIGHUP) when interrupted.`;

interface Options {
  submissions?: string;
  out: string;
  exercises: Exercise[];
  students?: string[];
  jobs: number;
  backend: BackendChoice;
  json: boolean;
  trusted: boolean;
}

function parseOptions(args: string[]): Options | "help" {
  const { values } = parseArguments({
    args,
    options: {
      submissions: { type: "string" },
      out: { type: "string" },
      exercise: { type: "string", multiple: true },
      student: { type: "string", multiple: true },
      jobs: { type: "string" },
      backend: { type: "string" },
      json: { type: "boolean" },
      trusted: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";

  const exercises = (values.exercise ?? []).map((id) => {
    // As check and submit take them: 02-lms, 02 or lms.
    const exercise = findExercise(id);
    if (!exercise) {
      throw new UsageError(
        `Unknown exercise "${id}": expected one of ${EXERCISES.map((e) => e.id).join(", ")}`,
      );
    }
    return exercise;
  });
  for (const student of values.student ?? []) {
    if (!ID.test(student)) {
      throw new UsageError(`Invalid student id "${student}": ids use [A-Za-z0-9._-] only`);
    }
  }
  const jobs = integerSetting(
    "--jobs",
    values.jobs ?? String(navigator.hardwareConcurrency),
    1,
    256,
  );
  let backend: BackendChoice;
  try {
    backend = parseBackend(values.backend ?? Deno.env.get("CORE_BACKEND") ?? "auto");
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    submissions: values.submissions,
    out: values.out ?? "grades",
    exercises: exercises.length > 0 ? exercises : [...EXERCISES],
    students: values.student,
    jobs,
    backend,
    json: values.json ?? false,
    trusted: values.trusted ?? false,
  };
}

/** The exercise a misnamed folder most likely means (`02_lms`, `02-LMS`, `lms`, `02`). */
const meantExercise = (name: string) => findExercise(name.toLowerCase().replace(/[\s_]+/g, "-"));

/**
 * A name from the class's folders as a terminal line may show it: quoted as JSON, and with
 * what JSON leaves raw but a terminal acts on (C1 controls such as U+009B, which opens an
 * escape sequence; line separators; bidirectional overrides; invisible characters) escaped
 * too, so that no name can forge or hide a line.
 */
function quote(name: string): string {
  return JSON.stringify(name).replace(
    /[\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const quoted = (...parts: string[]) => quote(parts.join("/"));

/**
 * What in one student's folder the grader will not find where it looks, for the exercises
 * graded: a misnamed exercise folder, an entry file outside its folder, an exercise folder
 * without its entry file (its other files named). Each is graded as missing work; saying so
 * now spares the instructor learning it from the student.
 */
async function layoutWarnings(
  submissions: string,
  student: string,
  exercises: readonly Exercise[],
): Promise<string[]> {
  const warnings: string[] = [];
  const graded = new Set(exercises.map((e) => e.id));
  const entries = new Map(exercises.map((e) => [e.entry, e]));
  try {
    for await (const item of Deno.readDir(join(submissions, student))) {
      if (item.name.startsWith(".") || EXERCISES.some((e) => e.id === item.name)) continue;
      if (item.isDirectory) {
        const meant = meantExercise(item.name);
        if (meant && graded.has(meant.id)) {
          warnings.push(
            `${quoted(student, item.name)} is not an exercise folder: did you mean ` +
              `${quote(meant.id)}? Its files are not graded.`,
          );
        }
      } else if (entries.has(item.name)) {
        const exercise = entries.get(item.name)!;
        warnings.push(
          `${quoted(student, item.name)} lies outside an exercise folder: ${exercise.id}'s ` +
            `${exercise.entry} belongs in ${quoted(student, exercise.id)}. It is not graded.`,
        );
      }
    }
  } catch (error) {
    // Grading says what became of the student's work; one unreadable folder stops no class.
    if (!(error instanceof Deno.errors.NotFound)) {
      warnings.push(`Cannot read ${quoted(student)}: ${(error as Error).message}`);
    }
    return warnings;
  }
  for (const exercise of exercises) {
    const folder = join(submissions, student, exercise.id);
    const names: string[] = [];
    try {
      // A link is not followed, not even to list it: grading refuses it with its reason.
      if (!(await Deno.lstat(folder)).isDirectory) continue;
      for await (const item of Deno.readDir(folder)) {
        if (item.name === exercise.entry) {
          names.length = 0;
          break;
        }
        if (!item.name.startsWith(".")) names.push(item.isDirectory ? `${item.name}/` : item.name);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory)) {
        warnings.push(`Cannot read ${quoted(student, exercise.id)}: ${(error as Error).message}`);
      }
      continue;
    }
    if (names.length === 0) continue;
    names.sort();
    const shown = names.slice(0, 3).map(quote).join(", ");
    warnings.push(
      `${quoted(student, exercise.id)} has no ${exercise.entry}, so it is graded as missing; ` +
        `it holds ${shown}${names.length > 3 ? ` and ${names.length - 3} more` : ""}.`,
    );
  }
  return warnings;
}

/** Whether `folder` is absent, or holds an earlier run's reports and nothing else. */
async function isReportsFolder(folder: string): Promise<boolean> {
  // What a run writes, and what writeAtomically() may have left of an interrupted one.
  const isReport = (name: string) =>
    name === "results" || /^(?:grades\.csv|summary\.json)$/.test(name.replace(TEMPORARY, ""));
  try {
    for await (const item of Deno.readDir(folder)) if (!isReport(item.name)) return false;
    return true;
  } catch (error) {
    return error instanceof Deno.errors.NotFound;
  }
}

/**
 * The student folders of a class, with a warning for each folder that is not a student and
 * for what in a student's folder the grader will not find (see {@linkcode layoutWarnings}).
 *
 * @throws {UsageError} If `only` names a student who has no folder.
 */
async function discoverStudents(
  submissions: string,
  options: Pick<Options, "students" | "exercises" | "out">,
): Promise<{ students: string[]; warnings: string[] }> {
  const warnings: string[] = [];
  const found: string[] = [];
  const out = resolve(options.out);
  // Reports in a student's folder would hand the class's grades to that student. A folder
  // of the class's own is --out only when new or an earlier run's reports.
  const below = relative(resolve(submissions), out);
  const inside = below !== "" && !below.startsWith("..") && !isAbsolute(below);
  if (inside && (below.includes(SEP) || !await isReportsFolder(out))) {
    throw new UsageError(
      `Cannot write the reports to ${quote(options.out)}: it lies in the student folder ` +
        `${quote(below.split(SEP)[0])} of the class; write them outside the class`,
    );
  }
  for await (const item of Deno.readDir(submissions)) {
    // A name is quoted as JSON: escapes and newlines in it cannot forge the terminal's lines.
    const name = quote(item.name);
    if (item.name.startsWith(".")) {
      // Hidden files (.DS_Store) go unsaid; a hidden folder (.git, or a student "...") is said.
      if (item.isDirectory) warnings.push(`Skipping ${name}: a hidden folder`);
    } else if (!item.isDirectory) {
      warnings.push(`Skipping ${name}: not a folder`);
    } else if (!ID.test(item.name)) {
      warnings.push(`Skipping ${name}: a student id uses [A-Za-z0-9._-] only`);
    } else if (item.name === "__MACOSX") {
      warnings.push(`Skipping ${name}: the metadata a macOS archive adds, not a student`);
    } else if (resolve(submissions, item.name) === out) {
      warnings.push(`Skipping ${name}: it is --out, where this run writes its reports`);
    } else {
      found.push(item.name);
    }
  }
  const folders = new Set(found);
  for (const student of options.students ?? []) {
    if (folders.has(student)) continue;
    const alike = found.find((name) => name.toLowerCase() === student.toLowerCase());
    throw new UsageError(
      `No folder for student ${quote(student)} in ${quote(submissions)}` +
        (alike ? `: did you mean ${quote(alike)}?` : ""),
    );
  }
  const students = (options.students ? [...new Set(options.students)] : found).sort();
  for (const student of students) {
    warnings.push(...await layoutWarnings(submissions, student, options.exercises));
  }
  return { students, warnings };
}

/** The most of an earlier gradebook read to compare with: 10⁵ students' rows fit. */
const MAX_GRADEBOOK_BYTES = 8 * 2 ** 20;

/**
 * The students and exercises of a gradebook an earlier run wrote, if there is one: a plain
 * file, read up to {@linkcode MAX_GRADEBOOK_BYTES}. A link, a FIFO or a device in its place
 * (anyone who can write in `--out` could plant one) is not read; it is replaced.
 */
async function gradebookShape(
  path: string,
): Promise<{ students: string[]; exercises: string[] } | undefined> {
  try {
    const info = await Deno.lstat(path);
    if (!info.isFile || info.size > MAX_GRADEBOOK_BYTES) return undefined;
    return readGradebook(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
}

/** What {@linkcode writeAtomically} names its temporary file: `<file>.<uuid>.tmp`. */
const TEMPORARY = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temporary, text);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Writes each grade's results.json under `<folder>/results/<student>/`, each file replaced
 * whole, and removes the temporary files a killed run left there.
 */
async function writeResults(folder: string, grades: readonly SubmissionGrade[]): Promise<void> {
  const made = new Set<string>();
  for (const grade of grades) {
    const dir = join(folder, "results", grade.student);
    if (!made.has(dir)) {
      made.add(dir);
      await Deno.mkdir(dir, { recursive: true });
      for await (const item of Deno.readDir(dir)) {
        if (item.isFile && TEMPORARY.test(item.name)) await Deno.remove(join(dir, item.name));
      }
    }
    await writeAtomically(
      join(dir, `${grade.exercise}.json`),
      JSON.stringify(toGradescope(grade), null, 2) + "\n",
    );
  }
}

/** A gate that lets at most `limit` calls of `work` run at once; the others wait, in order. */
function gate(limit: number): <R>(work: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    // A call that finishes hands its place to the first one waiting, if any.
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Erases the progress bar's line on standard error (a terminal). */
function eraseProgress(): void {
  Deno.stderr.writeSync(new TextEncoder().encode("\r".padEnd(101) + "\r"));
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function grade(options: Options): Promise<number> {
  const started = performance.now();
  const progress = Deno.stderr.isTerminal() && !options.json;
  // Ctrl-C stops the grading, not the command at once: the children are killed, and the
  // sandbox and the sample class remove their files (copies of the class's code) as the
  // command ends. A signal during the start-up stops the grading before it begins.
  let sandbox: Sandbox | undefined;
  const stop = new AbortController();
  const interrupted = new Promise<void>((resolve) =>
    stop.signal.addEventListener("abort", () => {
      sandbox?.abort();
      if (progress) eraseProgress();
      resolve();
    }, { once: true })
  );
  /** Once "writing", the class is graded: a signal no longer stops the command. */
  let phase: "grading" | "writing" = "grading";
  using _signals = abortOnSignals(
    stop,
    () =>
      phase === "writing"
        ? "The class is graded: its reports are being written, and the command ends then " +
          "(signal again to stop at once, leaving them part this run's, part an earlier run's)…"
        : "Stopping (signal again to stop at once)…",
    () => {
      // Synchronous: the process exits right after.
      sandbox?.removeNow();
      console.error(
        phase === "writing"
          ? `Stopped while writing the reports: ${quote(options.out)} holds part of this ` +
            "run's and part of an earlier run's. Run the command again."
          : "Stopped: no report was written.",
      );
    },
  );
  let submissions = options.submissions;
  let sampleClass: string | undefined;
  if (submissions === undefined) {
    sampleClass = await Deno.makeTempDir({ prefix: "sample-class-" });
    await materializeSampleClass(sampleClass);
    submissions = sampleClass;
  }
  try {
    let isFolder: boolean;
    try {
      isFolder = (await Deno.stat(submissions)).isDirectory;
    } catch (error) {
      throw new UsageError(
        `Cannot read submissions from "${submissions}": ` +
          (error instanceof Deno.errors.NotFound ? "no such folder" : (error as Error).message),
      );
    }
    if (!isFolder) {
      throw new UsageError(`Cannot read submissions from "${submissions}": not a folder`);
    }
    // A bad secret is a setting to fix, found before anything is started.
    let secret: string, source: string;
    try {
      ({ secret, source } = await loadCourseSecret({ value: Deno.env.get("GRADER_SECRET") }));
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    const { students, warnings } = await discoverStudents(submissions, options);
    // The reports' folder is made first: a class's grading is not lost to an --out that
    // cannot be written once it is done.
    const out = resolve(options.out);
    try {
      await Deno.mkdir(out, { recursive: true });
      await Deno.mkdir(join(out, "results"), { recursive: true });
      // A folder that exists may still refuse files (read-only, not this user's).
      for (const dir of [out, join(out, "results")]) {
        const probe = join(dir, `.grade-probe-${crypto.randomUUID()}`);
        await Deno.writeTextFile(probe, "");
        await Deno.remove(probe);
      }
    } catch (error) {
      throw new CommandError(
        `Cannot write the reports to "${options.out}": ${(error as Error).message}`,
      );
    }
    await using executor = await commandSandboxExecutor({
      trusted: options.trusted,
      exercises: options.exercises,
    });
    const { executeMany } = executor;
    sandbox = executor.sandbox;
    if (stop.signal.aborted) sandbox.abort();
    const core = await initCore({ backend: options.backend });

    for (const warning of warnings) console.error(warning);
    if (students.length === 0) {
      console.error(
        `No student folders in ${quote(submissions)}: ` +
          "a class is laid out as <dir>/<student-id>/<exercise-id>/<entry file>.",
      );
    }

    // A student's submissions share one sandboxed child, and --jobs children run at a
    // time. Each student's drawing and judging (in this process) run beside the children,
    // twice as many students in flight as children, so that no core waits while this
    // process judges one student and the next student's child could already run.
    const children = gate(options.jobs);
    const executeInTurn: typeof executeMany = (runs) => children(() => executeMany(runs));
    const inFlight = gate(2 * options.jobs);
    const total = students.length * options.exercises.length;
    let done = 0;
    const gradingStarted = performance.now();
    const perStudent = await Promise.all(students.map((student) =>
      inFlight(async () => {
        const exercises = await Promise.all(options.exercises.map(async (exercise) => ({
          exercise,
          folder: join(submissions!, student, exercise.id),
          suite: SUITES[exercise.id],
          seed: await deriveSeed(secret, student, exercise.id),
        })));
        if (stop.signal.aborted) return [];
        let grades: SubmissionGrade[];
        try {
          const grading = gradeStudent(student, exercises, executeInTurn);
          // Once interrupted, a grading is dropped: what it makes of its killed child (a
          // crash, a run refused) is neither a grade nor an error to report.
          grading.catch(() => {});
          const graded = await Promise.race([grading, interrupted.then(() => undefined)]);
          if (graded === undefined) return [];
          grades = graded;
        } catch (error) {
          if (stop.signal.aborted) return [];
          // The grader's own failure (a bug, a full disk) costs this student's grades only,
          // and is no mark: the others are graded and written, and the command says whom to
          // grade again.
          grades = graderErrorGrades(student, options.exercises, error);
          console.error(
            `\nGrader error for student ${student}: ${(error as Error)?.stack ?? error}`,
          );
        }
        done += grades.length;
        if (progress) {
          const width = 30;
          const filled = Math.round(width * done / total);
          const bar = "█".repeat(filled) + "░".repeat(width - filled);
          const line = `\r${bar} ${done}/${total} ${student}`;
          Deno.stderr.writeSync(new TextEncoder().encode(line.padEnd(80).slice(0, 100)));
        }
        return grades;
      })
    ));
    const grades = perStudent.flat();
    const gradingMs = performance.now() - gradingStarted;
    if (progress) eraseProgress();
    if (stop.signal.aborted) {
      // A gradebook of part of the class would replace a whole one: nothing is written.
      const signal = stop.signal.reason as StopSignal;
      const graded = new Set(grades.map((grade) => grade.student)).size;
      console.error(
        `Interrupted (${signal}) with ${graded} of ${count(students.length, "student")} ` +
          "graded: no report was written (an earlier run's stay as they were). " +
          "Grading is reproducible: run the command again to grade the class.",
      );
      return signalStatus(signal);
    }

    phase = "writing";
    let summary!: ReturnType<typeof summarize>;
    const replaced = await gradebookShape(join(out, "grades.csv"));
    // The results, then the gradebook and the summary, which name them.
    const write = async (folder: string) => {
      await writeResults(folder, grades);
      await writeAtomically(join(folder, "grades.csv"), gradesCsv(options.exercises, grades));
      summary = summarize(grades, options, core, source, {
        totalMs: performance.now() - started,
        gradingMs,
      });
      await writeAtomically(
        join(folder, "summary.json"),
        JSON.stringify(summary, null, 2) + "\n",
      );
    };
    /** Where the reports are, when not in --out. */
    let elsewhere: string | undefined;
    try {
      await write(out);
    } catch (error) {
      // A disk that filled up (or went read-only) while the class was graded: the grading
      // is not lost with it.
      const why = (error as Error).message;
      try {
        elsewhere = await Deno.makeTempDir({ prefix: "grade-reports-" });
        await write(elsewhere);
      } catch (again) {
        console.error(
          `Cannot write the reports to ${quote(options.out)} (${why}), nor to ` +
            `${elsewhere ? quote(elsewhere) : "a temporary folder"} ` +
            `(${(again as Error).message}): the grading is lost. Free some space and run ` +
            "the command again.",
        );
        return 1;
      }
      console.error(
        `Cannot write the reports to ${quote(options.out)} (${why}): they are in ` +
          `${quote(elsewhere)} instead (${quote(options.out)} may hold some of this run's ` +
          "results beside an earlier run's).",
      );
    }
    const written = elsewhere ?? options.out;
    if (
      elsewhere === undefined &&
      replaced &&
      (replaced.students.some((s) => !students.includes(s)) ||
        replaced.exercises.some((e) => !options.exercises.some((x) => x.id === e)))
    ) {
      // Regrading one student into the class's --out is the common slip: say what was lost.
      console.error(
        `${join(options.out, "grades.csv")} held ${count(replaced.students.length, "student")} ` +
          `× ${
            count(replaced.exercises.length, "exercise")
          } from an earlier run; it now holds this ` +
          `run's ${students.length} × ${options.exercises.length} only (a run's grades.csv ` +
          "holds what it graded: grade a subset into another --out to keep a class's).",
      );
    }
    if (elsewhere === undefined && options.students === undefined) {
      // Results an earlier run left of students this class no longer has would pass for
      // current ones: they are named (and left alone: they are the instructor's files).
      const graded = new Set(students);
      const stale: string[] = [];
      try {
        for await (const item of Deno.readDir(join(out, "results"))) {
          if (item.isDirectory && !graded.has(item.name)) stale.push(item.name);
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error; // Removed meanwhile.
      }
      if (stale.length > 0) {
        console.error(
          `${join(options.out, "results")}/ also holds ${count(stale.length, "student")} ` +
            "this run did not grade, from an earlier run: " +
            `${stale.sort().map(quote).join(", ")}.`,
        );
      }
    }
    if (options.json) {
      console.log(JSON.stringify(summary));
    } else {
      console.log(
        `Graded ${count(students.length, "student")} × ` +
          `${count(options.exercises.length, "exercise")} ` +
          `in ${(summary.durations.totalMs / 1000).toFixed(1)} s ` +
          `(${summary.sandbox}, core on ${core.backend}, ${options.jobs} at a time).`,
      );
      for (const [status, count] of Object.entries(summary.counts)) {
        console.log(`  ${status.padEnd(14)} ${count}`);
      }
      console.log("Mean scores, of the submissions handed in and of the class (missing as 0):");
      for (const [id, scores] of Object.entries(summary.scores)) {
        const of = (mean: number | null) => `${mean ?? "–"} of ${scores.maxScore}`;
        console.log(
          `  ${id.padEnd(16)} ${`${scores.submissions} handed in`.padEnd(14)} ` +
            `${of(scores.mean).padEnd(12)} class ${of(scores.classMean)}`,
        );
      }
      console.log(
        `Wrote ${join(written, "grades.csv")}, ${join(written, "results")}/ ` +
          `and ${join(written, "summary.json")}.`,
      );
    }
    const failed = [...new Set(summary.graderErrors.map((e) => e.student))];
    if (failed.length === 0) return elsewhere === undefined ? 0 : 1;
    console.error(
      `The grader failed on ${count(failed.length, "student")} ` +
        `(their cells in grades.csv are empty; nothing was marked): ${failed.join(", ")}. ` +
        `Grade them again with ${failed.map((s) => `--student ${s}`).join(" ")} ` +
        `and another --out (a run's grades.csv holds only what it graded).`,
    );
    return 1;
  } finally {
    if (sampleClass) await Deno.remove(sampleClass, { recursive: true });
  }
}

function summarize(
  grades: SubmissionGrade[],
  options: Options,
  core: Awaited<ReturnType<typeof initCore>>,
  secretSource: string,
  elapsed: { totalMs: number; gradingMs: number },
) {
  const counts: Record<string, number> = {};
  for (const grade of grades) counts[grade.status] = (counts[grade.status] ?? 0) + 1;
  const durations = grades.map((g) => g.durationMs).sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    generatedAt: new Date().toISOString(),
    submissions: options.submissions ?? "sample class (fixtures/sample_class.ts)",
    students: new Set(grades.map((g) => g.student)).size,
    exercises: options.exercises.map((e) => e.id),
    sandbox: options.trusted ? "none (--trusted)" : "bubblewrap",
    core,
    jobs: options.jobs,
    counts,
    // Students the grader itself failed on, and why: to grade again (exit status 1).
    graderErrors: grades.filter((g) => g.graderError).map((g) => ({
      student: g.student,
      exercise: g.exercise,
      error: g.graderError,
    })),
    // Failing tests run again with the grader's stand-ins for the student's other failing
    // functions (see isolation.ts): in how many submissions, how many tests, how many passed.
    isolation: {
      submissions: grades.filter((g) => g.isolated).length,
      tests: grades.reduce((sum, g) => sum + (g.isolated?.tests ?? 0), 0),
      rescued: grades.reduce((sum, g) => sum + (g.isolated?.rescued ?? 0), 0),
    },
    durations: {
      totalMs: round(elapsed.totalMs),
      gradingMs: round(elapsed.gradingMs),
      perSubmissionP50Ms: round(quantile(durations, 0.5)),
      perSubmissionP95Ms: round(quantile(durations, 0.95)),
      perSubmissionMaxMs: round(durations.at(-1) ?? 0),
    },
    seedPolicy: {
      derivation: 'HMAC-SHA256(course secret, "<exercise-id>\\n<student-id>"), hex',
      secretSource,
      reproducible: "regrading with the same secret draws the same hidden inputs",
    },
    // Per exercise: the points, how many students handed it in (whatever became of it), the
    // mean of those submissions, and the class's mean with missing work as 0. Students the
    // grader failed on are in neither mean: they have no mark yet.
    scores: Object.fromEntries(options.exercises.map((e) => {
      const marked = grades.filter((g) => g.exercise === e.id && g.status !== "grader-error");
      const handedIn = marked.filter((g) => g.status !== "no-submission");
      const mean = (some: SubmissionGrade[]) =>
        some.length === 0
          ? null
          : Math.round(some.reduce((sum, g) => sum + g.score, 0) / some.length * 100) / 100;
      return [e.id, {
        maxScore: e.groups.reduce((sum, group) => sum + group.points, 0),
        submissions: handedIn.length,
        mean: mean(handedIn),
        classMean: mean(marked),
      }];
    })),
  };
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, parse: parseOptions, run: grade }, Deno.args));
}
