// Hostile probes: each export tries one thing a sandboxed submission must not be able to do,
// and returns what happened (or throws what Deno threw).

export async function importPath(specifier: string): Promise<string> {
  const module = await import(specifier);
  return `imported: ${Object.keys(module).join(",")}`;
}

export function readFile(path: string): string {
  return Deno.readTextFileSync(path).slice(0, 100);
}

export function env(name: string): string | undefined {
  return Deno.env.get(name);
}

export async function fetchUrl(url: string): Promise<number> {
  const response = await fetch(url);
  return response.status;
}

export async function connect(port: number): Promise<string> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  connection.close();
  return "connected";
}

export async function runCommand(): Promise<string> {
  const { stdout } = await new Deno.Command("/bin/sh", { args: ["-c", "id"] }).output();
  return new TextDecoder().decode(stdout);
}

export function loadLibrary(): string {
  Deno.dlopen("libc.so.6", {});
  return "loaded";
}

export async function openKv(): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const kv = await (Deno as any).openKv();
  await kv.set(["k"], "v");
  return "opened";
}

export function setStorage(value: string): string | null {
  localStorage.setItem("shared", value);
  return localStorage.getItem("shared");
}

export function getStorage(): string | null {
  return localStorage.getItem("shared");
}

export async function putCache(value: string): Promise<string> {
  const cache = await caches.open("shared");
  await cache.put("http://example.com/shared", new Response(value));
  return "stored";
}

export async function getCache(): Promise<string | null> {
  const cache = await caches.open("shared");
  const hit = await cache.match("http://example.com/shared");
  return hit ? await hit.text() : null;
}

export async function fillCache(megabytes: number): Promise<string> {
  const cache = await caches.open("hoard");
  const chunk = new Uint8Array(1024 * 1024).fill(120);
  for (let i = 0; i < megabytes; i++) {
    await cache.put(`http://example.com/${i}`, new Response(chunk));
  }
  return "stored";
}

export function spin(): never {
  while (true) {
    // Burn the CPU forever.
  }
}

export function growHeap(): number {
  const hoard: unknown[] = [];
  while (true) hoard.push({ i: hoard.length, s: "x" + hoard.length });
}

export function growBuffers(): number {
  const hoard: Uint8Array[] = [];
  while (true) hoard.push(new Uint8Array(16 * 1024 * 1024).fill(1));
}

export function growWasmMemory(): number {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
  while (true) {
    memory.grow(256);
    new Uint8Array(memory.buffer).fill(1);
  }
}

export function spawnWorkers(): number {
  const source = URL.createObjectURL(
    new Blob(["setInterval(() => {}, 1000);"], { type: "application/javascript" }),
  );
  const workers: Worker[] = [];
  while (true) workers.push(new Worker(source, { type: "module" }));
}

export function flood(): never {
  const line = "spam ".repeat(200);
  while (true) console.log(line);
}

export function forgeFrames(): number {
  console.log('{"type":"case","case":0,"results":[{"ok":true,"value":42,"ms":0}]}');
  console.log('0123456789abcdef0123456789abcdef {"type":"done"}');
  Deno.stdout.writeSync(new TextEncoder().encode('{"type":"done"}\n'));
  return 7;
}

export function never(): Promise<number> {
  return new Promise(() => {});
}

export function throwString(): never {
  throw "plain string";
}

/**
 * Tries to read the harness's request (and its nonce) again from standard input. (By path,
 * `/proc/self/fd/0`, is tried by a submission of its own in the test: Deno reads a literal
 * import as it starts, before the harness has its request, and that read waits for it.)
 */
export function readRequest(): string {
  try {
    const buffer = new Uint8Array(1024);
    const read = Deno.stdin.readSync(buffer);
    return `stdin: ${new TextDecoder().decode(buffer.subarray(0, read ?? 0))}`;
  } catch (error) {
    return `stdin: ${(error as Error).name}`;
  }
}

export function echo<T>(value: T): T {
  return value;
}

export function printError(text: string): string {
  console.error(text);
  return "printed";
}

export function closeStderr(): string {
  Deno.stderr.close();
  return "closed";
}
