/**
 * Makes a personal API token for `deno task submit` (`POST /api/tokens`) and shows it once,
 * with the two lines that use it; lists the user's tokens, each with a button that revokes
 * it (`DELETE /api/tokens/:id`). The portal keeps only the tokens' hashes.
 *
 * @module
 */
import { useState } from "preact/hooks";
import { call } from "./_api.ts";

/** A token as the list shows it: never the token itself. */
export interface TokenSummary {
  id: string;
  name: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601, or null if never used. */
  lastUsedAt: string | null;
  /** ISO 8601. */
  expiresAt: string;
}

/** When, in the reader's words: the day, and the minute. */
function when(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/**
 * Renders the form, then the new token, and the user's tokens.
 *
 * @param props The portal's address, for the `PORTAL_URL` line, and the user's tokens.
 * @returns The form, the new token once made, and the list.
 */
export default function TokenForm(
  { portalUrl, tokens: initial }: { portalUrl: string; tokens: TokenSummary[] },
) {
  const [token, setToken] = useState("");
  const [tokens, setTokens] = useState(initial);
  const [error, setError] = useState("");
  async function create(event: SubmitEvent) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get("name") ?? "");
    const answer = await call("POST", "/api/tokens", name ? { name } : {});
    if (answer.ok) {
      setToken(String(answer.data.token));
      setTokens([{
        id: String(answer.data.id),
        name: name || "deno task submit",
        createdAt: new Date().toISOString(),
        lastUsedAt: null,
        expiresAt: String(answer.data.expiresAt),
      }, ...tokens]);
      setError("");
    } else {
      setError(answer.error);
    }
  }
  async function revoke(id: string) {
    const answer = await call("DELETE", `/api/tokens/${encodeURIComponent(id)}`);
    if (answer.ok || answer.status === 404) {
      setTokens(tokens.filter((t) => t.id !== id));
      setError("");
    } else {
      setError(answer.error);
    }
  }
  return (
    <form class="card" onSubmit={create}>
      <h2>Submit from a terminal</h2>
      <label>
        Token name <span class="hint">(optional, such as the machine it is for)</span>
        <input name="name" maxLength={100} />
      </label>
      <button type="submit">Make a personal token</button>
      {error && <p role="alert" class="error">{error}</p>}
      {token && (
        <div class="token">
          <p>Your token, shown only now; keep it like a password:</p>
          <pre>{`export PORTAL_URL=${portalUrl}\nexport PORTAL_TOKEN=${token}\ndeno task submit 02-lms`}</pre>
        </div>
      )}
      {tokens.length > 0 && (
        <ul class="tokens">
          {tokens.map((t) => (
            <li key={t.id}>
              <strong>{t.name}</strong>, made {when(t.createdAt)},{" "}
              {t.lastUsedAt ? `last used ${when(t.lastUsedAt)}` : "never used"}, expires{" "}
              {when(t.expiresAt)}{" "}
              <button type="button" class="link" onClick={() => revoke(t.id)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
