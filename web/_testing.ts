/**
 * For tests that reach the portal as a user does: `deno task start` as a process.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { openStore } from "./store/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Where a running portal answers. */
export interface PortalProcess {
  /** Where to send requests: `http://127.0.0.1:<port>`. */
  base: string;
  /** The portal's public origin (`PORTAL_ORIGIN`), for the Origin header of changes. */
  origin: string;
}

/** How a portal process ended. */
export interface PortalExit {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts `deno task start --workers <workers>` on a fresh data folder that holds one
 * instructor, `prof`, with `password`; waits until it answers; runs `body`; then stops it
 * with SIGTERM and removes the folder.
 *
 * @param options The number of in-process workers, and prof's password.
 * @param body What to do while the portal runs.
 * @returns How the process ended, for the caller's assertions.
 */
export async function withPortalProcess(
  options: { workers: number; password: string },
  body: (portal: PortalProcess) => Promise<void>,
): Promise<PortalExit> {
  const dataDir = await Deno.makeTempDir({ prefix: "web-portal-process-" });
  try {
    const setup = await openStore({ dataDir });
    try {
      await setup.createUser({ id: "prof", role: "instructor", password: options.password });
    } finally {
      await setup.close();
    }
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr;
    listener.close();
    const origin = `http://localhost:${port}`;
    const server = new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "start", "--workers", String(options.workers)],
      cwd: ROOT,
      env: { PORT: String(port), DATA_DIR: dataDir, PORTAL_ORIGIN: origin },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = Promise.all([
      new Response(server.stdout).text(),
      new Response(server.stderr).text(),
    ]);
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      while (true) {
        try {
          await (await fetch(`${base}/`)).body?.cancel();
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      await body({ base, origin });
    } finally {
      server.kill("SIGTERM");
    }
    const { code } = await server.status;
    const [stdout, stderr] = await output;
    return { code, stdout, stderr };
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}
