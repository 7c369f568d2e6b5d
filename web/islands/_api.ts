/**
 * The islands' one way to call the portal's JSON routes from the browser: same-origin
 * `fetch` (the session cookie and the `Origin` header go with it), and every failure,
 * the network's included, turned into a sentence to show.
 *
 * @module
 */

/** What a call answered. */
export type Answer =
  | { ok: true; status: number; data: Record<string, unknown> }
  | { ok: false; status: number; error: string };

/**
 * Calls one of the portal's routes.
 *
 * @param method The method.
 * @param path The route, such as `/api/session`.
 * @param body A JSON value or a form, if any.
 * @returns The answer's status and data, or its error as a sentence.
 */
export async function call(method: string, path: string, body?: unknown): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      ...(body instanceof FormData ? { body } : body === undefined ? {} : {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    });
  } catch {
    return { ok: false, status: 0, error: "The portal did not answer: is the network up?" };
  }
  let data: Record<string, unknown> = {};
  try {
    const parsed = await response.json();
    if (parsed !== null && typeof parsed === "object") data = parsed;
  } catch {
    // An empty or non-JSON body: the status says enough.
  }
  if (response.ok) return { ok: true, status: response.status, data };
  const error = typeof data.error === "string" ? data.error : `HTTP ${response.status}`;
  return { ok: false, status: response.status, error };
}
