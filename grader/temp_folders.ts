/**
 * Temporary folders that hold copies of students' code (a sandbox's, a portal job's), each
 * marked with the process it belongs to, so that a later process can remove those whose
 * process is gone without cleaning up: killed outright, or its machine stopped.
 *
 * @module
 */
import { join } from "node:path";
import { startTime } from "./process_tree.ts";

/** The file in an owned folder that names its process. */
const OWNER_FILE = "owner";

/** A process's pid and start time, which no later process with that pid shares. */
function ownerMark(pid: number): string | undefined {
  const started = startTime(pid);
  return started === undefined ? undefined : `${pid} ${started}`;
}

/** The folders and prefixes this process has swept (see {@linkcode makeOwnedTempDir}). */
const swept = new Set<string>();

/**
 * Makes a temporary folder owned by this process. The first time for a folder and prefix, it
 * removes the folders of that prefix that processes now gone left behind (see
 * {@linkcode removeAbandoned}): once, not for every portal job, since a process killed later
 * is swept by the next one to start.
 *
 * @param options Where (default: `TMPDIR`, else `/tmp`), and the name's prefix.
 * @returns The folder's path.
 */
export async function makeOwnedTempDir(
  options: { dir?: string; prefix: string },
): Promise<string> {
  const dir = options.dir ?? Deno.env.get("TMPDIR") ?? "/tmp";
  const key = `${dir}\0${options.prefix}`;
  if (!swept.has(key)) {
    swept.add(key);
    await removeAbandoned(dir, options.prefix);
  }
  const folder = await Deno.makeTempDir({ dir, prefix: options.prefix });
  await Deno.writeTextFile(join(folder, OWNER_FILE), ownerMark(Deno.pid) ?? "");
  return folder;
}

/**
 * Removes the folders in `dir` named `prefix…` that {@linkcode makeOwnedTempDir} made for a
 * process that no longer runs. Only this user's folders with an owner file; the others are
 * left alone, and a folder that cannot be removed is skipped.
 *
 * @param dir Where to look.
 * @param prefix The folders' prefix.
 */
export async function removeAbandoned(dir: string, prefix: string): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return;
  }
  const uid = Deno.uid();
  for (const entry of entries) {
    if (!entry.isDirectory || !entry.name.startsWith(prefix)) continue;
    const folder = join(dir, entry.name);
    try {
      if ((await Deno.lstat(folder)).uid !== uid) continue;
      const mark = (await Deno.readTextFile(join(folder, OWNER_FILE))).trim();
      const pid = Number(mark.split(" ")[0]);
      if (!Number.isInteger(pid) || pid <= 0 || ownerMark(pid) === mark) continue;
      await Deno.remove(folder, { recursive: true });
    } catch {
      // No owner file yet (a folder being made now), or not this user's to read: left alone.
    }
  }
}
