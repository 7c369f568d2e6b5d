/**
 * `deno task bench <name> [--json]`: runs one of the project's benchmarks.
 *
 * Each benchmark is a module `bench/<name>.ts` whose default export runs it and prints its
 * figures: a readable table, or one JSON object of named figures with `--json`.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** The benchmarks, each a module beside this one. */
export const BENCHES = {
  check: "deno task check <one exercise>, cold and on a --watch re-run",
  core: "the reference core: matmul per backend, autoencoder training, AUC",
  grade: "the grader: sandbox overhead, class throughput, an autoencoder submission",
  portal: "the portal: leaderboard latency under load, a burst of submissions",
} as const;

/** Options every benchmark takes. */
export interface BenchOptions {
  /** Print one JSON object of named figures instead of a table. */
  json: boolean;
}

const USAGE = `Usage: deno task bench <name> [--json]

${Object.entries(BENCHES).map(([name, what]) => `  ${name.padEnd(8)} ${what}`).join("\n")}`;

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [name] = parsed.positionals;
  if (parsed.positionals.length !== 1 || !(name in BENCHES)) {
    console.error(`${name ? `Unknown benchmark "${name}"` : "Name a benchmark"}\n\n${USAGE}`);
    return 2;
  }
  let bench: { default: (options: BenchOptions) => Promise<void> };
  try {
    bench = await import(`./${name}.ts`);
  } catch (error) {
    if (error instanceof TypeError && /Module not found/.test(error.message)) {
      console.error(`The "${name}" benchmark is not written yet`);
      return 2;
    }
    throw error;
  }
  await bench.default({ json: parsed.values.json ?? false });
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
