/**
 * The portal's HTTP plumbing shared by middleware and routes: errors that carry a status,
 * JSON responses safe to embed in a page, and request bodies read under a size cap.
 *
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { formatSize } from "../course/cli.ts";

/** A request that ends in an HTTP error; the app turns it into `{"error": message}`. */
export class HttpError extends Error {
  override name = "HttpError";
  /** The response's status. */
  readonly status: ContentfulStatusCode;
  /** More fields of the JSON body, such as `retryAt`. */
  readonly details: Record<string, unknown>;

  /**
   * Makes an error response.
   *
   * @param status The HTTP status.
   * @param message What went wrong, for the client.
   * @param details More fields of the JSON body.
   */
  constructor(
    status: ContentfulStatusCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = status;
    this.details = details;
  }
}

/**
 * Answers with JSON in which `<`, `>` and `&` are escaped, so that a display name holding
 * markup stays data even where the body ends up inside a page.
 *
 * @param c The request's context.
 * @param data The body.
 * @param status The status.
 * @returns The response.
 */
export function json(c: Context, data: unknown, status: ContentfulStatusCode = 200): Response {
  return jsonText(c, safeJson(data), status);
}

/**
 * Writes a value as JSON in which `<`, `>` and `&` are escaped, as {@linkcode json} sends it.
 *
 * @param data The value.
 * @returns The JSON text.
 */
export function safeJson(data: unknown): string {
  return JSON.stringify(data).replace(
    /[<>&]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Answers with JSON text made by {@linkcode safeJson} (kept, say, in a cache).
 *
 * @param c The request's context.
 * @param text The body.
 * @param status The status.
 * @returns The response.
 */
export function jsonText(c: Context, text: string, status: ContentfulStatusCode = 200): Response {
  return c.body(text, status, { "content-type": "application/json; charset=utf-8" });
}

/** How long a request's body may take to arrive, in milliseconds. */
export const BODY_TIMEOUT_MS = 30_000;

/**
 * The cap on a JSON body of a route that a signed-out visitor reaches (signing in, redeeming
 * an invite, the first start's setup), in bytes: a few fields, and so little to hold for a
 * client that sends its body slowly.
 */
export const MAX_PUBLIC_JSON_BYTES = 16 * 1024;

/**
 * Reads a request's body, failing as soon as it grows past the cap (a declared
 * `Content-Length` over the cap fails before any byte is read) or takes too long to arrive
 * (a client that sends a byte a minute would hold its part of the body in memory forever).
 *
 * @param request The request.
 * @param maxBytes The cap.
 * @param timeoutMs How long the whole body may take.
 * @returns The body's bytes.
 * @throws {HttpError} 413 if the body is larger than the cap, 408 if it came too slowly.
 */
export async function readBody(
  request: Request,
  maxBytes: number,
  timeoutMs: number = BODY_TIMEOUT_MS,
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new HttpError(413, `The request body is larger than ${formatSize(maxBytes)}`);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new HttpError(408, `The request body took more than ${timeoutMs / 1000} s to arrive`));
    }, timeoutMs);
  });
  try {
    while (true) {
      const { done, value } = await Promise.race([reader.read(), late]);
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    chunks.length = 0;
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/**
 * Reads a JSON body under a cap and checks it against a schema.
 *
 * @param request The request.
 * @param schema The body's schema.
 * @param maxBytes The cap.
 * @returns The typed body.
 * @throws {HttpError} 400 if the body is not JSON or does not match, 413 if it is too large.
 */
export async function readJson<T>(
  request: Request,
  schema: z.ZodType<T>,
  maxBytes: number,
): Promise<T> {
  const text = new TextDecoder().decode(await readBody(request, maxBytes));
  let value: unknown;
  try {
    value = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, "The request body is not valid JSON");
  }
  if (holdsNul(value)) {
    throw new HttpError(400, "Invalid request: text may not hold NUL characters");
  }
  return parse(schema, value);
}

/** Whether a parsed JSON value holds a string with a NUL character (no database stores one). */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (typeof value !== "object" || value === null || depth > 64) return false;
  return Object.entries(value).some(([key, item]) =>
    key.includes("\0") || holdsNul(item, depth + 1)
  );
}

/**
 * Checks a request's data against a schema.
 *
 * @param schema The schema.
 * @param value The data.
 * @returns The typed data.
 * @throws {HttpError} 400 naming the first bad field.
 */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  throw new HttpError(400, `Invalid request: ${where}${issue?.message ?? "malformed"}`);
}
