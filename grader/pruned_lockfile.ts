/**
 * Cuts a Deno lockfile down to what a set of npm imports needs.
 *
 * The sandbox runs student code with such a lockfile and `--frozen`: an `npm:` import
 * outside it (`npm:zod`, even `npm:@tensorflow/tfjs-core` when only `@tensorflow/tfjs`
 * is mapped) would change the lockfile, so Deno refuses to load it, although the course's
 * own tools keep those packages in the same module cache.
 *
 * @module
 */

/** One package of the closure. */
export interface NpmPackage {
  /** The package name, e.g. `"@tensorflow/tfjs"`. */
  name: string;
  /** The exact version, e.g. `"4.22.0"`. */
  version: string;
}

/** The parts of a version-5 `deno.lock` this module reads and writes. */
export interface Lockfile {
  /** The lockfile format; this module reads `"5"`. */
  version?: string;
  /** Each specifier of the import map, resolved: `"npm:a@1.0.0"` → `"1.0.0"`. */
  specifiers?: Record<string, string>;
  /** Each package, keyed `name@version[_peers]`, with the packages it needs. */
  npm?: Record<string, { dependencies?: string[]; optionalDependencies?: string[] }>;
  /** The specifiers the workspace's config names. */
  workspace?: { dependencies?: string[] };
}

/**
 * Lists every npm package that the given specifiers need, themselves included.
 *
 * @param lock The parsed `deno.lock` (version 5).
 * @param specifiers npm specifiers as the import map writes them, e.g.
 *   `"npm:@tensorflow/tfjs@4.22.0"`.
 * @returns The packages, sorted by name then version, each once.
 * @throws {TypeError} If the lockfile is not version 5, or lacks a specifier or a package.
 *
 * @example
 * ```ts
 * import { npmClosure } from "./pruned_lockfile.ts";
 * import assert from "node:assert/strict";
 *
 * const lock = {
 *   version: "5",
 *   specifiers: { "npm:a@1.0.0": "1.0.0" },
 *   npm: { "a@1.0.0": { dependencies: ["b"] }, "b@2.0.0": {}, "c@3.0.0": {} },
 * };
 * assert.deepEqual(npmClosure(lock, ["npm:a@1.0.0"]), [
 *   { name: "a", version: "1.0.0" },
 *   { name: "b", version: "2.0.0" },
 * ]);
 * ```
 */
export function npmClosure(lock: unknown, specifiers: readonly string[]): NpmPackage[] {
  const packages = new Map<string, NpmPackage>();
  for (const key of closureKeys(lock as Lockfile, specifiers)) {
    const { name, version } = splitKey(key);
    packages.set(`${name}@${version}`, { name, version });
  }
  return [...packages.values()].sort((a, b) =>
    a.name === b.name ? (a.version < b.version ? -1 : 1) : a.name < b.name ? -1 : 1
  );
}

/**
 * A lockfile holding only the given specifiers and the npm packages they need.
 *
 * @param lock The parsed `deno.lock` (version 5).
 * @param specifiers npm specifiers as the import map writes them.
 * @returns The pruned lockfile, ready for `JSON.stringify`.
 * @throws {TypeError} If the lockfile is not version 5, or lacks a specifier or a package.
 *
 * @example
 * ```ts
 * import { prunedLockfile } from "./pruned_lockfile.ts";
 * import assert from "node:assert/strict";
 *
 * const lock = {
 *   version: "5",
 *   specifiers: { "npm:a@1.0.0": "1.0.0", "npm:c@3.0.0": "3.0.0" },
 *   npm: { "a@1.0.0": { dependencies: ["b"] }, "b@2.0.0": {}, "c@3.0.0": {} },
 *   workspace: { dependencies: ["npm:a@1.0.0", "npm:c@3.0.0"] },
 * };
 * assert.deepEqual(prunedLockfile(lock, ["npm:a@1.0.0"]), {
 *   version: "5",
 *   specifiers: { "npm:a@1.0.0": "1.0.0" },
 *   npm: { "a@1.0.0": { dependencies: ["b"] }, "b@2.0.0": {} },
 *   workspace: { dependencies: ["npm:a@1.0.0"] },
 * });
 * ```
 */
export function prunedLockfile(lock: unknown, specifiers: readonly string[]): Lockfile {
  const full = lock as Lockfile;
  const keys = closureKeys(full, specifiers);
  return {
    version: "5",
    specifiers: Object.fromEntries(specifiers.map((s) => [s, full.specifiers![s]])),
    npm: Object.fromEntries(
      Object.entries(full.npm ?? {}).filter(([key]) => keys.has(key)),
    ),
    workspace: { dependencies: [...specifiers].sort() },
  };
}

/** The lockfile keys (`name@version[_peers]`) of every package the specifiers need. */
function closureKeys(lock: Lockfile, specifiers: readonly string[]): Set<string> {
  const { version, specifiers: resolved = {}, npm = {} } = lock;
  if (version !== "5") {
    throw new TypeError(`Cannot read the lockfile: version ${version} is not 5`);
  }
  const keysByName = new Map<string, string[]>();
  for (const key of Object.keys(npm)) {
    const { name } = splitKey(key);
    keysByName.set(name, [...keysByName.get(name) ?? [], key]);
  }
  const keyOf = (dependency: string): string => {
    const target = dependency.includes("@npm:")
      ? dependency.slice(dependency.indexOf("@npm:") + 5)
      : dependency;
    const at = target.indexOf("@", 1);
    const candidates = at < 0
      ? keysByName.get(target) ?? []
      : (keysByName.get(target.slice(0, at)) ?? []).filter((key) =>
        key === target || key.startsWith(`${target}_`)
      );
    if (candidates.length !== 1) {
      throw new TypeError(`Cannot resolve the npm dependency "${dependency}" in the lockfile`);
    }
    return candidates[0];
  };

  const seen = new Set<string>();
  const pending: string[] = [];
  for (const specifier of specifiers) {
    const version = resolved[specifier];
    if (version === undefined || !specifier.startsWith("npm:")) {
      throw new TypeError(`Cannot find "${specifier}" in the lockfile`);
    }
    const bare = specifier.slice("npm:".length);
    pending.push(`${bare.slice(0, bare.indexOf("@", 1))}@${version}`);
  }
  while (pending.length > 0) {
    const key = pending.pop()!;
    if (seen.has(key)) continue;
    const entry = npm[key];
    if (entry === undefined) {
      throw new TypeError(`Cannot find the npm package "${key}" in the lockfile`);
    }
    seen.add(key);
    for (const dependency of [...entry.dependencies ?? [], ...entry.optionalDependencies ?? []]) {
      pending.push(keyOf(dependency));
    }
  }
  return seen;
}

/** Splits a lockfile key `name@version[_peer…]` (names may start with `@`). */
function splitKey(key: string): NpmPackage {
  const at = key.indexOf("@", 1);
  const underscore = key.indexOf("_", at);
  return {
    name: key.slice(0, at),
    version: underscore < 0 ? key.slice(at + 1) : key.slice(at + 1, underscore),
  };
}
