/**
 * Copies a student's submission folder into a private folder before anything runs,
 * refusing what a submission has no business containing.
 *
 * The sandbox then sees only the copy, so the student's files cannot change (or be swapped
 * for links) while their code runs. The checks come first and are strict: a symbolic or
 * hard link anywhere, a name outside `[A-Za-z0-9._-]+`, anything but plain files and
 * folders, a file, a total, a file or folder count over its cap, folders nested too deep,
 * or a file or folder the grader may not read. Files are read with
 * their size capped as they are read, so a file that grows after the check changes nothing.
 * The copy is synchronous: a submission is a few small files, and the sandbox starts one
 * for every run.
 *
 * @module
 */
import { join } from "node:path";

/** Caps on what a submission may hold. */
export interface SubmissionLimits {
  /**
   * The largest file, in bytes.
   *
   * @default {1048576}
   */
  maxFileBytes?: number;
  /**
   * All files together, in bytes.
   *
   * @default {4194304}
   */
  maxTotalBytes?: number;
  /**
   * The most files.
   *
   * @default {64}
   */
  maxFiles?: number;
  /**
   * The deepest folder below the submission folder (0: files only at the top).
   *
   * @default {3}
   */
  maxDepth?: number;
  /**
   * The most folders below the submission folder. The copy runs on the grader's own
   * thread: a red team's 200 000 empty folders held it, and every other student, for
   * minutes.
   *
   * @default {16}
   */
  maxFolders?: number;
}

/** What was copied. */
export interface CopiedSubmission {
  /** The files, relative to the submission folder, `/`-separated, sorted. */
  files: string[];
  /** Their total size in bytes. */
  bytes: number;
  /** Each file's bytes as copied, by its path in `files`: no need to read the copy again. */
  contents: ReadonlyMap<string, Uint8Array>;
}

/** A submission that was not copied (and must not run), with the reason for the student. */
export class SubmissionRefusedError extends Error {
  /**
   * Creates the error.
   *
   * @param message Why, written for the student.
   */
  constructor(message: string) {
    super(message);
    this.name = "SubmissionRefusedError";
  }
}

const NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Copies `source` into the existing empty folder `target`, checking everything on the way.
 *
 * @param source The submission folder.
 * @param target An empty folder to copy into.
 * @param limits The caps.
 * @returns The files copied.
 * @throws {SubmissionRefusedError} If the submission breaks a rule; nothing is copied then.
 *
 * @example
 * ```ts
 * import { copySubmission, SubmissionRefusedError } from "./submission_copy.ts";
 * import assert from "node:assert/strict";
 *
 * const source = await Deno.makeTempDir();
 * const target = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${source}/lms.ts`, "export const x = 1;\n");
 * const { files, bytes } = copySubmission(source, target);
 * assert.deepEqual({ files, bytes }, { files: ["lms.ts"], bytes: 20 });
 * await Deno.symlink("/etc/passwd", `${source}/notes.txt`);
 * assert.throws(() => copySubmission(source, target), SubmissionRefusedError);
 * await Deno.remove(source, { recursive: true });
 * await Deno.remove(target, { recursive: true });
 * ```
 */
export function copySubmission(
  source: string,
  target: string,
  limits: SubmissionLimits = {},
): CopiedSubmission {
  const maxFileBytes = limits.maxFileBytes ?? 1024 * 1024;
  const maxTotalBytes = limits.maxTotalBytes ?? 4 * 1024 * 1024;
  const maxFiles = limits.maxFiles ?? 64;
  const maxDepth = limits.maxDepth ?? 3;
  const maxFolders = limits.maxFolders ?? 16;

  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(source);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) refuse("The submission folder does not exist");
    throw error;
  }
  if (info.isSymlink) refuse("The submission folder is a symbolic link");
  if (!info.isDirectory) refuse("The submission is not a folder");

  // Read everything first, so that a refused submission leaves nothing in `target`.
  const folders: string[] = [];
  const contents = new Map<string, Uint8Array>();
  let bytes = 0;
  const readFolder = (relative: string, depth: number): void => {
    // Listed up to one entry past what a submission may hold, however many there are.
    const entries: Deno.DirEntry[] = [];
    for (const entry of readable(relative, () => Deno.readDirSync(join(source, relative)))) {
      if (entries.length === maxFiles + maxFolders) {
        refuse(`The submission has more than ${maxFiles} files and ${maxFolders} folders`);
      }
      entries.push(entry);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (!NAME.test(entry.name) || entry.name === "." || entry.name === "..") {
        refuse(`"${path}" has a name other than letters, digits, ".", "_" and "-"`);
      }
      if (entry.isSymlink) refuse(`"${path}" is a symbolic link`);
      if (entry.isDirectory) {
        if (depth >= maxDepth) refuse(`"${path}" is nested more than ${maxDepth} folders deep`);
        if (folders.length >= maxFolders) {
          refuse(`The submission has more than ${maxFolders} folders`);
        }
        folders.push(path);
        readFolder(path, depth + 1);
        continue;
      }
      if (!entry.isFile) refuse(`"${path}" is not a plain file`);
      if (contents.size >= maxFiles) refuse(`The submission has more than ${maxFiles} files`);
      const content = readable(path, () => readCapped(source, path, maxFileBytes));
      if (content === undefined) refuse(`"${path}" is larger than ${formatBytes(maxFileBytes)}`);
      bytes += content.length;
      if (bytes > maxTotalBytes) {
        refuse(`The submission's files add up to more than ${formatBytes(maxTotalBytes)}`);
      }
      contents.set(path, content);
    }
  };
  readFolder("", 0);
  for (const folder of folders) Deno.mkdirSync(join(target, folder));
  for (const [path, content] of contents) {
    Deno.writeFileSync(join(target, path), content, { createNew: true, mode: 0o644 });
  }
  return { files: [...contents.keys()].sort(), bytes, contents };
}

function refuse(message: string): never {
  throw new SubmissionRefusedError(message);
}

/**
 * Runs `read` on a path of the submission; a file or folder the grader may not read (mode
 * 000, shipped in an archive that keeps modes) is the submission's fault, and refused.
 */
function readable<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Deno.errors.PermissionDenied) {
      refuse(`"${path || "."}" cannot be read (its permissions forbid it)`);
    }
    throw error;
  }
}

/** Reads a plain file without following links; `undefined` if it is over `max` bytes. */
function readCapped(source: string, path: string, max: number): Uint8Array | undefined {
  const listed = Deno.lstatSync(join(source, path));
  using file = Deno.openSync(join(source, path), { read: true });
  // Deno cannot open with O_NOFOLLOW: check that what was opened is what was listed.
  const opened = file.statSync();
  if (!listed.isFile || !opened.isFile || opened.ino !== listed.ino || opened.dev !== listed.dev) {
    refuse(`"${path}" changed while it was copied`);
  }
  // A hard link is another name of a file that may lie anywhere on the same disk (a course
  // secret, another student's work): an upload cannot make one, but an archive extracted
  // carelessly can.
  if ((opened.nlink ?? 1) > 1) {
    refuse(`"${path}" is a hard link (the same file has another name): hand in a plain copy`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buffer = new Uint8Array(64 * 1024);
  while (true) {
    const n = file.readSync(buffer);
    if (n === null) break;
    size += n;
    if (size > max) return undefined;
    chunks.push(buffer.slice(0, n));
  }
  const content = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    content.set(chunk, offset);
    offset += chunk.length;
  }
  return content;
}

/**
 * Formats a byte count for a message: `"512 KiB"`, `"4 MiB"`.
 *
 * @param bytes A count of bytes.
 * @returns The count in the largest unit that keeps it whole, or in bytes.
 */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
