/**
 * The portal's browser files: the stylesheet and images of `web/static/` and the islands of
 * `web/islands/`, which {@linkcode buildIslands} bundles for the browser with
 * `deno bundle --platform browser` (Preact included once, in a shared chunk). The server
 * holds them all in memory ({@linkcode Assets}), so a request can name only a file that
 * exists: no path reaches the filesystem.
 *
 * An island is a component in `web/islands/` whose file name starts with a capital letter
 * and whose default export has that name (`LiveStatus.tsx` exports `function LiveStatus`);
 * files starting with `_` hold code the islands share. Pages put an island in with
 * `components/Island.tsx`, which renders it on the server and marks where the browser
 * hydrates it.
 *
 * @module
 */
import { basename, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getMimeType } from "hono/utils/mime";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));
const ISLANDS_DIR = fileURLToPath(new URL("./islands/", import.meta.url));

/** Where the browser finds the files of `web/static/`. */
export const STATIC_PATH = "/static/";
/** Where the browser finds the bundled islands. */
export const ISLANDS_PATH = "/islands/";

/** One file the server sends as it is. */
export interface Asset {
  body: Uint8Array<ArrayBuffer>;
  /** The `Content-Type`. */
  type: string;
  /** A strong validator of the content, for `If-None-Match`. */
  etag: string;
}

/** The islands of `web/islands/`, by name, as file paths. */
export async function islandSources(): Promise<Map<string, string>> {
  const islands = new Map<string, string>();
  for await (const entry of Deno.readDir(ISLANDS_DIR)) {
    const name = entry.name.match(/^([A-Z][A-Za-z0-9]*)\.tsx$/)?.[1];
    if (entry.isFile && name) islands.set(name, join(ISLANDS_DIR, entry.name));
  }
  return new Map([...islands].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Bundles every island for the browser: one module per island (`<Name>.js`) that hydrates
 * each `[data-island="<Name>"]` element of the page with the props in its `data-props`,
 * and shared chunks (`chunk-<hash>.js`). Nothing is written inside the repository.
 *
 * @returns The bundled files, by file name.
 * @throws {Error} If `deno bundle` fails, with its message.
 */
export async function buildIslands(): Promise<Map<string, Uint8Array<ArrayBuffer>>> {
  const islands = await islandSources();
  const work = await Deno.makeTempDir({ prefix: "portal-islands-" });
  try {
    const entries: string[] = [];
    for (const [name, source] of islands) {
      const entry = join(work, `${name}.ts`);
      await Deno.writeTextFile(
        entry,
        `import { h, hydrate } from "preact";\n` +
          `import Island from ${JSON.stringify(pathToFileURL(source).href)};\n` +
          `for (const element of document.querySelectorAll(${
            JSON.stringify(`[data-island="${name}"]`)
          })) {\n` +
          `  hydrate(h(Island, JSON.parse(element.dataset.props ?? "{}")), element);\n` +
          `}\n`,
      );
      entries.push(entry);
    }
    const out = join(work, "out");
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--config",
        join(ROOT, "deno.json"),
        "--platform",
        "browser",
        "--minify",
        "--code-splitting",
        "--outdir",
        out,
        ...entries,
      ],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(`deno bundle failed: ${new TextDecoder().decode(stderr).trim()}`);
    }
    const files = new Map<string, Uint8Array<ArrayBuffer>>();
    for await (const entry of Deno.readDir(out)) {
      if (entry.isFile) files.set(entry.name, await Deno.readFile(join(out, entry.name)));
    }
    for (const name of islands.keys()) {
      if (!files.has(`${name}.js`)) throw new Error(`deno bundle wrote no ${name}.js`);
    }
    return files;
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The files the portal sends to browsers, by URL path, held in memory. */
export class Assets {
  #files: ReadonlyMap<string, Asset>;

  private constructor(files: ReadonlyMap<string, Asset>) {
    this.#files = files;
  }

  /**
   * Reads `web/static/` and, where asked, bundles the islands.
   *
   * @param options Whether to bundle the islands (the server does; tests of the pages'
   *   HTML need not).
   * @returns The assets.
   */
  static async load(options: { islands: boolean }): Promise<Assets> {
    const files = new Map<string, Asset>();
    for await (const entry of Deno.readDir(STATIC_DIR)) {
      if (!entry.isFile) continue;
      files.set(
        STATIC_PATH + entry.name,
        await asset(entry.name, await Deno.readFile(join(STATIC_DIR, entry.name))),
      );
    }
    if (options.islands) {
      for (const [name, body] of await buildIslands()) {
        files.set(ISLANDS_PATH + name, await asset(name, body));
      }
    }
    return new Assets(files);
  }

  /** No files at all: for apps in tests that serve no page's browser files. */
  static none(): Assets {
    return new Assets(new Map());
  }

  /**
   * The file at a URL path.
   *
   * @param path The request's path, such as `/islands/LiveStatus.js`.
   * @returns The file, or `undefined`.
   */
  get(path: string): Asset | undefined {
    return this.#files.get(path);
  }

  /** The URL paths of all files. */
  paths(): string[] {
    return [...this.#files.keys()];
  }
}

async function asset(name: string, body: Uint8Array<ArrayBuffer>): Promise<Asset> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hex = Array.from(digest.subarray(0, 12), (byte) => byte.toString(16).padStart(2, "0"));
  return {
    body,
    type: getMimeType(basename(name)) ?? "application/octet-stream",
    etag: `"${hex.join("")}"`,
  };
}
